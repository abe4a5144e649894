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


def test_unbonded_centrals_are_refused_every_protected_operation(tmp_path):
    from host_tools.bench.faults_ble import unbonded_central

    fam = unbonded_central(tmp_path, seed=1)
    assert fam.failures == [] and fam.lost == 0
    assert fam.cases >= 3 * 80 and sum(fam.figures["refused"].values()) == fam.cases
