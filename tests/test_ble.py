"""Bluetooth LE end to end: the unchanged firmware on the simulator, its radio on a Bumble virtual
link, and the host's bleak code (host_tools.ble) talking to it through the Bumble bleak backend.

One simulated device (real time, `micropython` running fascia.app) serves the whole module; the
tests drive it only over BLE, as a phone or laptop would.
"""

from __future__ import annotations

import asyncio
import json
import struct
import time
import zlib
from pathlib import Path

import pytest
from bleak.exc import BleakGATTProtocolError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fascia.spec import control, gatt, logread
from host_tools.bench.faults_ble import malformed_requests
from host_tools.ble import ATT_INVALID_LENGTH, ControlError, FasciaClient, Live, scan, sig_uuid
from host_tools.gen import jumprope
from host_tools.sim.ble_device import BackgroundDevice

# x64 objects are up to twice the ESP32's. The session and its sync needed 125-127 KiB on x64 in 20
# bisections with another CPU burner running (Dec 2026; before the request slots and the collections
# at connect and disconnect, fascia.app.ble, 126-134 KiB and a CI failure at 136k, never reproduced
# here): 144k stays above that failure. `make bench-ble` bisects the smallest heap.
SMALL_HEAP = "144k"
TRACE_START_MS = 2500  # the rope starts moving then (virtual = real time); sessions start over BLE before


@pytest.fixture(scope="module")
def device(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ble")
    trace, _truth = jumprope.generate("basic", 1, 400, tmp / "rope", duration_s=10)  # 9 jumps, 2.2-4.8 s
    settings = {"trace_start_ms": TRACE_START_MS, "report_modules": True}
    dev = BackgroundDevice(tmp / "flash", trace, extra=settings)
    yield dev
    dev.close()


def _session_file(flash: Path, sid: int) -> Path:
    return next((flash / "log").glob(f"{sid:05d}.fs[ls]"))


async def _record(dev: FasciaClient, seconds: float) -> list[Live]:
    """Start a session over BLE, let it run, stop it; the live notifications received."""
    lives: list[Live] = []
    await dev.subscribe_live(lives.append)
    await dev.start()
    await asyncio.sleep(seconds)
    await dev.stop()
    await asyncio.sleep(0.6)
    return lives


def test_scan_finds_the_device_by_service_and_name(device):
    found = device.run(scan(1.5, device.backend))
    assert [(f.address, f.name) for f in found] == [(device.bridge.address, "fascia")]


def test_live_counts_follow_the_device_and_match_its_log(device):
    async def go():
        async with device.client() as dev:
            model = await dev.read_text(gatt.MODEL)
            sessions_before = await dev.list_sessions()
            t0 = time.monotonic()
            lives = await _record(dev, TRACE_START_MS / 1000 + 7)
            return model, sessions_before, lives, time.monotonic() - t0, await dev.list_sessions()

    model, before, lives, seconds, after = device.run(go())
    assert model == "m5stickc"
    sid = after[-1].session_id
    assert len(after) == len(before) + 1
    session = logread.parse_session(_session_file(device.flash, sid).read_bytes())
    running = [lv for lv in lives if lv.state == "running"]
    counts = [lv.count for lv in running]
    assert counts == sorted(counts), "live counts never go back"
    assert session["count"] >= 5
    assert lives[-1].summary and lives[-1].count == session["count"]
    assert max(counts) in (session["count"], session["count"] - 1)  # the last one may come at stop
    rate = len(running) / seconds
    assert 2 <= rate <= 30, rate  # 4 Hz + one per count change (at most 20 Hz)
    assert running[-1].elapsed_ms > 8_000 and running[-1].activity == "jump_rope"


def test_control_point_selects_mode_pauses_and_resumes(device):
    async def go():
        async with device.client() as dev:
            await dev.select("jump_rope", "countdown_time", {"countdown_s": 30})
            chosen = await dev.live()
            await dev.start()
            await asyncio.sleep(0.4)
            await dev.pause()
            await asyncio.sleep(0.4)
            paused = await dev.live()
            with pytest.raises(ControlError) as again:
                await dev.pause()
            await dev.resume()
            await asyncio.sleep(0.4)
            resumed = await dev.live()
            with pytest.raises(ControlError) as busy:
                await dev.select("swing", "free")
            await dev.stop()
            await asyncio.sleep(0.3)
            stopped = await dev.live()
            await dev.select("jump_rope", "free")
            # the live value follows on the device's next loop pass (a loaded machine: a while later)
            free = await dev.live()
            for _ in range(40):
                if free.mode == "free":
                    break
                await asyncio.sleep(0.05)
                free = await dev.live()
            return chosen, paused, again.value, resumed, busy.value, stopped, free

    chosen, paused, again, resumed, busy, stopped, free = device.run(go())
    assert (chosen.mode, chosen.state) == ("countdown_time", "ready")
    assert paused.state == "paused" and paused.left is not None and 29 <= paused.left <= 30
    assert again.result == control.NOT_ALLOWED_NOW
    assert resumed.state == "running" and busy.result == control.NOT_ALLOWED_NOW
    assert stopped.state == "ready" and stopped.summary
    assert free.mode == "free"


def test_a_hosts_requests_load_their_code_only_while_it_is_connected(device):
    """fascia.app.blerequests (and the control point's spec) are loaded for a host's requests and
    dropped when it disconnects: a session with nobody connected, or a live viewer, holds neither."""
    host_code = {"fascia.app.blerequests", "fascia.spec.control"}

    async def loaded_a_second_later() -> set[str]:
        await device.until(device.virtual_ms() + 1100)
        return host_code & set(device.bridge.status[-1]["modules"])

    async def go():
        before = await loaded_a_second_later()
        async with device.client() as dev:
            await dev.live()
            reading = await loaded_a_second_later()
            clock = await dev.clock_info()
            asking = await loaded_a_second_later()
        return before, reading, clock, asking, await loaded_a_second_later()

    before, reading, clock, asking, after = device.run(go())
    assert before == reading == after == set()
    assert asking == host_code and clock.next_id >= 1


def test_a_session_and_its_sync_over_ble_fit_a_small_heap(tmp_path):
    """The firmware with its radio, a host starting and stopping a session and then syncing it,
    in a fixed heap (x64 here: CI cannot build the 32-bit port, where this takes about 70 KiB)."""
    trace, _truth = jumprope.generate("basic", 1, 400, tmp_path / "rope", duration_s=10)
    dev = BackgroundDevice(
        tmp_path / "flash", trace, heapsize=SMALL_HEAP, remote_chips=True, extra={"trace_start_ms": 2500}
    )

    try:
        sid, data = dev.run(dev.record_and_sync(8))
    finally:
        dev.close()
    assert logread.parse_session(data)["count"] >= 5
    assert data == _session_file(tmp_path / "flash", sid).read_bytes()


def test_current_time_sets_the_clock(device):
    async def go():
        async with device.client() as dev:
            await dev.set_time(2026, 11, 3, 14, 15, 9)
            await asyncio.sleep(1.5)  # one status line later

    device.run(go())
    # RTC tuple: year, month, day, weekday (0 = Monday), hours, minutes, seconds, subseconds
    assert device.bridge.status[-1]["rtc"] == [2026, 11, 3, 1, 14, 15, 9, 0]


@pytest.mark.parametrize("mtu", [23, 247])
def test_log_read_is_byte_identical_at_any_mtu(device, mtu):
    async def go():
        async with device.client(mtu=mtu) as dev:
            if not await dev.list_sessions():
                await _record(dev, 1.0)
            got = {}
            for sid, size, _ in await dev.list_sessions():
                data, crc = await dev.read_session(sid)
                got[sid] = (size, data, crc)
            return dev.mtu, got

    negotiated, got = device.run(go())
    assert negotiated == mtu
    assert got
    for sid, (size, data, crc) in got.items():
        file = _session_file(device.flash, sid).read_bytes()
        assert data == file and size == len(file)
        assert crc == zlib.crc32(file)


def test_delete_needs_a_synced_session_and_a_confirmation_on_the_device(device):
    async def go():
        async with device.client() as dev:
            sessions = await dev.list_sessions()
            if not sessions:
                await _record(dev, 1.0)
                sessions = await dev.list_sessions()
            unsynced = [sid for sid, _, synced in sessions if not synced]
            results = {}
            if unsynced:
                r, _ = await dev.request(struct.pack("<BI", control.DELETE_SYNCED, unsynced[0]), check=False)
                results["unsynced"] = r
            sid = sessions[0].session_id
            await dev.read_session(sid)  # (only a host that read it may acknowledge it)
            await dev.ack_synced(sid)
            r, _ = await dev.request(struct.pack("<BI", control.DELETE_SYNCED, sid), check=False)
            results["synced"] = r
            r, _ = await dev.request(bytes((control.FACTORY_RESET,)), check=False)
            results["reset"] = r
            r, _ = await dev.request(struct.pack("<BI", control.DELETE_SYNCED, 999), check=False)
            results["missing"] = r
            await asyncio.sleep(0.3)
            return sid, results, await dev.list_sessions()

    sid, results, after = device.run(go())
    assert results.get("unsynced", control.NOT_SYNCED) == control.NOT_SYNCED
    assert results["synced"] == control.CONFIRM_ON_DEVICE and results["reset"] == control.CONFIRM_ON_DEVICE
    assert results["missing"] == control.NO_SUCH_SESSION
    assert (sid, True) in [(s, synced) for s, _, synced in after]  # still there, now synced
    assert _session_file(device.flash, sid).suffix == ".fss"


def test_malformed_control_writes_are_refused_and_change_nothing(device):
    async def snapshot(dev: FasciaClient):
        return (await dev.live(), await dev.list_sessions(), (device.flash / "config.json").read_text())

    results: list[tuple[bytes, int]] = []

    async def attempt(payloads: list[bytes]):
        async with device.client() as dev:
            before = await snapshot(dev)
            for p in payloads:
                result, _ = await dev.request(p, check=False)
                results.append((p, result))
            too_long = None
            try:
                await dev.client.write_gatt_char(
                    gatt.CONTROL, b"\x01" * (gatt.CONTROL_MAX + 1), response=True
                )
            except BleakGATTProtocolError as e:
                too_long = e.code
            await dev.client.write_gatt_char(sig_uuid(gatt.CURRENT_TIME), b"\x01\x02\x03", response=True)
            after = await snapshot(dev)
            return before, after, too_long

    @settings(
        max_examples=8,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.lists(malformed_requests(), min_size=1, max_size=4))
    def check(payloads):
        before, after, too_long = device.run(attempt(payloads))
        assert too_long == ATT_INVALID_LENGTH
        assert before[1:] == after[1:]
        b, a = before[0], after[0]
        assert (b.state, b.mode, b.activity, b.count) == (a.state, a.mode, a.activity, a.count)

    rtc_before = device.bridge.status[-1].get("rtc")
    check()
    assert results and all(
        r in (control.OPCODE_NOT_SUPPORTED, control.INVALID_PARAMETER) for _, r in results
    ), [
        (p.hex(), r) for p, r in results if r not in (control.OPCODE_NOT_SUPPORTED, control.INVALID_PARAMETER)
    ]
    assert device.bridge.status[-1].get("rtc") == rtc_before  # a short Current Time write is ignored
    assert device.bridge.result is None  # still running: nothing crashed it


def test_devices_command_lists_a_simulated_device(monkeypatch, capsys):
    from host_tools import cli

    monkeypatch.setattr(cli, "COMMAND_MODULES", ("host_tools.ble.cli",))
    assert cli.main(["devices", "--simulated", "--timeout", "1", "--json"]) in (0, None)
    found = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(f["name"], f["battery"]) for f in found] == [("fascia", 78)]
