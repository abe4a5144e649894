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
TRAINING_MS = 18_000
# The trace plays from 1 s after boot whenever the host gets round to START (pairing takes real
# time, i.e. up to 8x as much virtual time), and after its last row the sensor holds one reading:
# 10 s later the device ends the session itself (SENSOR STUCK). So the rope traces are long enough
# for a late START still to give 18 s of training before that (the clubbell one is 42 s).
ROPE_S = 40


def _trace(activity: str, out: Path) -> Path:
    if activity == "swing":
        return clubbell.generate("light", 7, 100.0, out)[0]
    scenario = {"walk": "walk_carry", "jump_rope": "trips"}.get(activity, "basic")  # trips: a figure > 0
    return jumprope.generate(scenario, 7, 200.0, out, duration_s=ROPE_S)[0]


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
                started = len(lives)  # (notifications from here on were sent after the START)
                # 18 s of training by the device's own clock, as its LIVE notifications tell it (a
                # busy machine lags; the status lines the bridge reads may be a second or more old)
                while not lives[started:] or (
                    lives[-1].state != "ready" and lives[-1].elapsed_ms < TRAINING_MS
                ):
                    await asyncio.sleep(0.05)
                assert lives[-1].state != "ready", f"the session ended before the STOP: {lives[-1]}"
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
