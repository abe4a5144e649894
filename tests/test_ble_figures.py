"""The Bluetooth LIVE packet's figure, per activity, over the Bumble radio: the simulated device runs
each activity's counter on a generated trace, a host starts and stops a session over BLE, and the
summary's live figure is the one the table (fascia.spec.activities) names, as the session log has it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from fascia.detect import ACTIVITIES
from fascia.spec import logread
from host_tools import vocabulary
from host_tools.gen import clubbell, jumprope
from host_tools.sim.ble_device import BackgroundDevice

SPEED = 8  # virtual time runs up to this much faster than real time: 18 s of training in ~2 s


def _trace(activity: str, out: Path) -> Path:
    if activity == "swing":
        return clubbell.generate("light", 7, 100.0, out)[0]
    scenario = {"walk": "walk_carry", "jump_rope": "trips"}.get(activity, "basic")  # trips: a figure > 0
    return jumprope.generate(scenario, 7, 200.0, out, duration_s=20)[0]


@pytest.mark.parametrize("activity", ACTIVITIES)
def test_live_figure_is_the_activitys_figure_from_the_table(activity, tmp_path):
    dev = BackgroundDevice(
        tmp_path / "flash",
        _trace(activity, tmp_path / "t"),
        activity=activity,
        speed=SPEED,
        extra={"trace_start_ms": 1000},
    )
    try:

        async def go():
            lives = []
            async with dev.client() as client:
                await client.subscribe_live(lives.append)
                await client.start()
                await dev.until(dev.virtual_ms() + 18000)  # by the device's clock: a busy machine lags
                await client.stop()
                await asyncio.sleep(0.5)
            return lives

        lives = dev.run(go())
    finally:
        dev.close()
    (log_file,) = (tmp_path / "flash" / "log").glob("*.fs[ls]")
    end = logread.parse_session(log_file.read_bytes())["end"]
    name = vocabulary.live_figure(activity)
    if activity != "jump_rope":  # (a trip falls in the session only if the device kept pace: not asserted)
        assert end["extras"][name] > 0, (activity, end["extras"])
    summary = [lv for lv in lives if lv.summary]
    assert summary and summary[-1].activity == activity
    assert summary[-1].figure == end["extras"][name], (activity, name)
