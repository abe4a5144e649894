"""The fault suite's hostile BLE writes family, quick profile: malformed control-point requests,
Current Time writes of any length and content, and over-long writes, on one simulated device."""

from __future__ import annotations

from host_tools.bench.faults_ble import WRITES_PER_EXAMPLE, hostile_ble


def test_hostile_ble_writes_are_refused_and_change_nothing(tmp_path):
    fam = hostile_ble(150, seed=1, work=tmp_path)
    assert fam.cases >= 150 and fam.cases % WRITES_PER_EXAMPLE == 0
    assert fam.failures == []
    assert fam.lost == 0
    assert set(fam.figures["writes"]) == {"control", "time", "long control", "long time"}
