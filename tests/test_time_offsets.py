"""Wrap-safe times (issue 17, item 4): a trace stamped in epoch ms, or by a device up for 25 days,
counts exactly as the same trace from 0, on both runtimes, and `fascia sim` plays it; a device up
past its ticks' wrap (2**30 ms) and past 2**31 ms records, counts and syncs a session across it
exactly as one just powered on."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from fascia.spec.trace import format_line, parse_line
from host_tools.bench import faults
from host_tools.count import CountError, count_file
from host_tools.sim.run import simulate

# past MicroPython's small ints (30 bits: the counts changed there), a signed 32-bit int, an unsigned
# one, and epoch ms
OFFSETS = (2**30, 2**31, 2**32, 1_764_000_000_000)


@pytest.fixture(scope="module")
def rope() -> Path:
    return faults.Traces(faults.OUT.parent / "faults" / "traces").rope("basic", 1, 12)


def _shifted(trace: Path, offset: int, out: Path) -> Path:
    lines = trace.read_text().splitlines(keepends=True)
    rows = [parse_line(line) for line in lines[1:]]
    out.write_text(lines[0] + "".join(format_line(t + offset, x, y, z) for t, x, y, z in rows))
    return out


@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_count_is_the_same_from_any_start_time(rope, tmp_path, runtime):
    base = count_file(rope, "jump_rope", runtime)
    assert base["count"] > 0
    for offset in OFFSETS:
        shifted = count_file(_shifted(rope, offset, tmp_path / f"t{offset}.csv"), "jump_rope", runtime)
        assert shifted == base, offset  # events too: ms since the first sample, as the format says


def test_a_trace_spanning_weeks_is_refused(tmp_path):
    trace = tmp_path / "weeks.csv"
    trace.write_text("t_ms,x,y,z\n0,0,0,1000\n" + format_line(2**31, 0, 0, 1000))
    with pytest.raises(CountError, match=r":3: more than 12 days"):
        count_file(trace, "jump_rope")


def test_sim_plays_an_epoch_stamped_trace(rope, tmp_path):
    base = simulate(rope, "jump_rope", board="devkit").summary["count"]
    shifted = _shifted(rope, 2**32, tmp_path / "epoch.csv")
    result = simulate(shifted, "jump_rope", board="devkit", timeout=120)
    assert result.summary["count"] == base > 0


# ---------------------------------------------------------------- a device up for weeks

PERIOD = 2**30  # the ESP32's ticks_ms wraps here (12.4 days); MicroPython's small ints end here too
UPTIMES = (PERIOD - 5000, 2 * PERIOD - 5000)  # 5 s into the session; the second past 2**31


def _usb_synced(flash: Path, db: Path) -> dict:
    from host_tools.sim.serial_bridge import SerialBridge
    from host_tools.store import Store
    from host_tools.sync import Device, sync

    with SerialBridge(flash) as bridge, Store(db) as store:
        report = sync(store, Device(bridge.port))
        assert len(report.imported) == 1 and not report.failed
        (record,) = store.sessions(series=True)
    return record


def _usb_synced_run(rope: Path, work: Path, uptime: int = 0) -> dict:
    """The session the simulated device (up `uptime` ms at power on) records of `rope`, synced over USB."""
    result = simulate(
        rope, "jump_rope", board="devkit", flash_dir=work / "flash", extra={"uptime_ms": uptime}
    )
    record = _usb_synced(work / "flash", work / "s.sqlite3")
    assert result.summary["count"] == record["count"]
    return record


def test_a_session_across_the_uptime_wrap_records_and_syncs_as_at_power_on(rope, tmp_path):
    """The simulated device up 2**30 - 5 s (and 2**31 - 5 s, sim_uptime.py): the app's clock passes
    2**30 (where the ESP32's ticks_ms wraps and a 32-bit port's small ints end) or 2**31 5 s into a
    13 s session. The session, synced over USB, has the count, event times and duration of the same
    session recorded just after power-on, and its start time is the wall clock's."""
    records = {}
    for uptime in (0, *UPTIMES):
        before = int(time.time())
        records[uptime] = (_usb_synced_run(rope, tmp_path / str(uptime), uptime), before, int(time.time()))
    base = records[0][0]
    assert base["count"] > 0
    for uptime, (record, before, after) in records.items():
        same = {k: record[k] for k in ("count", "events_ms", "duration_ms")}
        assert same == {k: base[k] for k in same}, uptime
        assert before - 1 <= record["start_utc"] <= after, uptime


def test_a_device_up_past_2_31_ms_records_and_syncs_over_ble(rope, tmp_path):
    """The same over Bluetooth: a host starts a session before the trace and stops it after, across
    2**31 ms of uptime; CLOCK_INFO reports that uptime and the BLE sync stores
    the count and event times of the session recorded just after power-on (the events shifted by
    when the host pressed start)."""
    from host_tools.sim.ble_device import BackgroundDevice
    from host_tools.store import Store
    from host_tools.sync import sync

    trace_at = 5000  # the virtual ms the trace starts; the app's clock passes 2**31 2 s later
    uptime = 2 * PERIOD - trace_at - 2000
    base = _usb_synced_run(rope, tmp_path / "base")
    dev = BackgroundDevice(
        tmp_path / "flash", rope, board="devkit", extra={"trace_start_ms": trace_at, "uptime_ms": uptime}
    )
    try:

        async def record() -> tuple[int, int]:
            async with dev.client() as client:
                started = dev.virtual_ms()
                await client.start()
                await dev.until(trace_at + 13_500)  # the trace and a second of stillness
                await client.stop()
                return started, (await client.clock_info()).uptime_s

        started, uptime_s = dev.run(record())
        with Store(tmp_path / "ble.sqlite3") as store, dev.ble_device() as ble:
            report = sync(store, ble)
            (record_ble,) = store.sessions(series=True)
    finally:
        dev.close()
    assert started < trace_at - 1000, "the host started the session too late for this test"
    assert uptime_s >= (uptime + trace_at + 13_500) // 1000 > 2**31 // 1000
    # Where the host pressed start decides when the device drains its FIFO, so the instants it reads
    # the trace at: the jump counter's 20 ms slots fall elsewhere on it, and a set's marginal first
    # turn may go either way (README, device vs count). So: the same count within one, and the same
    # passes, aligned at the last, each within one slot. A time broken by the wrap would be far off.
    ble, first = record_ble["events_ms"], base["events_ms"]
    assert len(report.imported) == 1 and abs(record_ble["count"] - base["count"]) <= 1 and base["count"] > 0
    n = min(len(ble), len(first))
    shift = ble[-1] - first[-1]
    assert [e - shift for e in ble[-n:]] == pytest.approx(first[-n:], abs=20)
