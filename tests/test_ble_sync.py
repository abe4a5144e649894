"""`fascia sync --ble` end to end, and the device-confirmed delete and `fascia live` over BLE.

The unchanged firmware runs on the simulator with its radio on a Bumble virtual link; the host
syncs it with the same engine as over USB (host_tools.sync.sync) through `BleDevice`, and the
result is compared with a USB sync (the real `mpremote` through SerialBridge) of the same flash.
Sessions: a clubbell and a long jump-rope session recorded by the simulator, and a jump-rope
session recorded with the radio on by `fascia live --simulated --start` itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import shutil
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest

from fascia.spec import control, logread
from host_tools import cli, history
from host_tools.ble import FasciaClient
from host_tools.ble.sync import BleDevice
from host_tools.gen import clubbell, jumprope
from host_tools.sim import frames as fr
from host_tools.sim.ble_device import BackgroundDevice as SimulatedDevice
from host_tools.sim.run import simulate
from host_tools.sim.serial_bridge import SerialBridge
from host_tools.store import Store
from host_tools.sync import Device, SyncError, sync


def files(flash: Path) -> dict[int, Path]:
    return {int(p.stem): p for p in sorted((flash / "log").glob("*.fs[ls]"))}


def by_session(db: Path) -> dict[int, tuple[dict, bytes]]:
    """{device session id: (record, raw bytes)}; a session stored twice fails here."""
    with Store(db, write=False) as store:
        records = store.sessions()
        out = {r["session_id"]: (r, store.raw(r["id"]) or b"") for r in records}
    assert len(out) == len(records), "a session is stored twice"
    return out


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> tuple[Path, list[dict]]:
    """A flash with three sessions, and the JSON lines `fascia live` printed while recording the last."""
    base = tmp_path_factory.mktemp("ble_sync")
    flash = base / "flash"
    club, _ = clubbell.generate("light", 1, 100, base / "club")
    long_rope, _ = jumprope.generate("mixed", 2, 200, base / "rope90", duration_s=90)
    simulate(club, "swing", flash_dir=flash)
    simulate(long_rope, "jump_rope", flash_dir=flash)  # ~830 bytes: two READ_LOG windows
    # 12 s: a set of ~14 passes, so a session started over Bluetooth a moment after the trace still
    # counts several (the counter needs three turns to start a set)
    rope, _ = jumprope.generate("basic", 1, 400, base / "rope", duration_s=12)
    out = io.StringIO()
    argv = ["live", "--simulated", "--trace", str(rope), "--flash", str(flash), "--start", "--seconds", "12"]
    argv.append("--json")
    with contextlib.redirect_stdout(out):
        assert cli.main(argv) in (0, None)
    return flash, [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.fixture(scope="module")
def flash(recorded) -> Path:
    return recorded[0]


@pytest.fixture(scope="module")
def device(flash):
    dev = SimulatedDevice(flash)
    yield dev
    dev.close()


def unsync_all(flash: Path) -> None:
    """Back to 'never synced' (.fss -> .fsl) while the device is idle: a fresh start for a test."""
    for p in (flash / "log").glob("*.fss"):
        p.rename(p.with_suffix(".fsl"))


def test_live_prints_counts_and_ends_with_the_logged_count(recorded):
    flash, lines = recorded
    sid = max(files(flash))
    session = logread.parse_session(files(flash)[sid].read_bytes())
    counts = [lv["count"] for lv in lines]
    assert counts == sorted(counts) and lines[0]["state"] == "running"
    assert lines[-1]["summary"] and lines[-1]["count"] == session["count"] >= 3
    assert session["header"]["activity"] == "jump_rope" and len(files(flash)) == 3


def test_ble_sync_stores_the_same_bytes_as_usb_sync(device, flash, tmp_path):
    unsync_all(flash)
    originals = {sid: p.read_bytes() for sid, p in files(flash).items()}
    with Store(tmp_path / "ble.sqlite3") as store, device.ble_device() as dev:
        ble = sync(store, dev)
    assert sorted(s["session_id"] for s in ble.imported) == sorted(originals) and not ble.failed
    assert ble.acked == sorted(originals) and ble.deleted == [] and ble.left == sorted(originals)
    assert ble.clock_set and ble.device_id == b"SIM-m5stickc".hex()  # the Serial Number = HEADER's id
    assert {sid: p.suffix for sid, p in files(flash).items()} == dict.fromkeys(originals, ".fss")
    with SerialBridge(flash) as bridge, Store(tmp_path / "usb.sqlite3") as store:
        usb = sync(store, Device(bridge.port), keep=True)
    assert sorted(s["session_id"] for s in usb.imported) == sorted(originals)
    over_ble, over_usb = by_session(tmp_path / "ble.sqlite3"), by_session(tmp_path / "usb.sqlite3")
    assert set(over_ble) == set(over_usb) == set(originals)
    for sid, raw in originals.items():
        (rec_b, raw_b), (rec_u, raw_u) = over_ble[sid], over_usb[sid]
        assert raw_b == raw_u == raw
        assert {**rec_b, "imported_utc": 0} == {**rec_u, "imported_utc": 0}
    for db in ("ble", "usb"):  # the stored CRC-32 and size are the device file's
        with Store(tmp_path / f"{db}.sqlite3", write=False) as store:
            assert all(store.holds(raw[:64], len(raw), zlib.crc32(raw)) for raw in originals.values())
    size = sum(map(len, originals.values()))
    print(f"\n{size} bytes: BLE sync {ble.seconds:.2f} s, USB sync {usb.seconds:.2f} s")


def test_a_second_ble_sync_imports_nothing(device, flash, tmp_path):
    with Store(tmp_path / "s.sqlite3") as store, device.ble_device() as dev:
        first = sync(store, dev)
        second = sync(store, dev)
    assert len(first.imported) == len(files(flash))
    assert second.imported == [] and second.acked == [] and second.already == sorted(files(flash))


def test_sessions_the_store_got_over_usb_are_read_over_the_radio_before_they_are_acknowledged(
    device, flash, tmp_path
):
    """The device takes an acknowledgement only from a host that read the session to its end; a
    store that already holds the sessions (a USB sync with --keep) skips copying them, so the BLE
    sync reads each when the device answers OTHER_HOST, then acknowledges it."""
    unsync_all(flash)
    for note in [*(flash / "log").glob("*.rd"), *(flash / "log").glob("*.ack")]:
        note.unlink()  # no host has read them
    with Store(tmp_path / "s.sqlite3") as store:
        with SerialBridge(flash) as bridge:
            sync(store, Device(bridge.port), keep=True)
        unsync_all(flash)  # (a USB sync acknowledges what it copied; --keep leaves the files)
        with device.ble_device() as dev:
            report = sync(store, dev)
    ids = sorted(files(flash))
    assert report.imported == [] and report.already == ids
    assert report.acked == ids and report.device_errors == []
    readers = {p.read_text().split()[0] for p in (flash / "log").glob("*.rd")}
    assert len(readers) == 1 and sorted(int(p.stem) for p in (flash / "log").glob("*.rd")) == ids


async def drop_link(bridge) -> None:
    """The radio link goes (out of range): the device ends every connection."""
    for conn in list(bridge.device.connections.values()):
        await conn.disconnect()


class DroppingAck(BleDevice):
    """The link drops right after the first acknowledgement (the store has committed)."""

    def __init__(self, device: SimulatedDevice) -> None:
        super().__init__(device.bridge.address, device.backend, loop=device.loop.loop)
        self.sim_bridge = device.bridge

    async def _ack(self, ids):
        client = await self._connected()
        ack_synced = client.ack_synced

        async def ack_then_drop(sid: int) -> None:
            await ack_synced(sid)
            await drop_link(self.sim_bridge)

        client.ack_synced = ack_then_drop  # type: ignore[method-assign]
        return await super()._ack(ids)


@pytest.mark.parametrize("where", ["copy", "ack"])
def test_link_dropped_mid_sync_then_rerun_stores_each_session_once(where, device, flash, tmp_path):
    unsync_all(flash)
    originals = {sid: p.read_bytes() for sid, p in files(flash).items()}
    db = tmp_path / "s.sqlite3"
    if where == "copy":

        def progress(done: int, total: int) -> None:  # after the first window of the second session
            if 512 < done < total and not dropped:
                dropped.append(asyncio.ensure_future(drop_link(device.bridge)))

        dropped: list = []
        broken = device.ble_device(progress=progress)
    else:
        broken = DroppingAck(device)
    with Store(db) as store, broken, pytest.raises(SyncError, match="link .* lost"):
        sync(store, broken)
    stored_after_drop = by_session(db)
    assert len(stored_after_drop) == (0 if where == "copy" else len(originals))
    assert {sid: p.read_bytes() for sid, p in files(flash).items()} == originals  # nothing deleted
    with Store(db) as store, device.ble_device() as dev:
        rerun = sync(store, dev)
    assert len(rerun.imported) == len(originals) - len(stored_after_drop)
    acked_before = 0 if where == "copy" else 1
    assert rerun.acked == sorted(originals)[acked_before:] and rerun.deleted == []
    stored = by_session(db)
    assert {sid: raw for sid, (_, raw) in stored.items()} == originals
    assert {sid: p.suffix for sid, p in files(flash).items()} == dict.fromkeys(originals, ".fss")


def test_sync_command_over_ble_with_a_simulated_device(flash, tmp_path, capsys):
    copy = Path(shutil.copytree(flash, tmp_path / "flash"))
    unsync_all(copy)
    db = tmp_path / "s.sqlite3"
    assert history.main(["sync", "--simulated", "--flash", str(copy), "--db", str(db), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["imported"]) == 3 and report["left"] == [1, 2, 3] and report["deleted"] == []
    assert history.main(["sync", "--simulated", "--flash", str(copy), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "0 imported, 3 already here" in out and "left on the device" in out
    assert history.main(["sync", "--ble", "--port", "/dev/ttyUSB0", "--db", str(db)]) == 2


# ---------------------------------------------------------------- delete, confirmed on the device

SPEED = 4  # the device's clock runs 4x real time: the 30 s confirmation window passes in ~8 s


def test_delete_over_ble_needs_button_a_on_the_device(flash, tmp_path):
    """B cancels, A within the window deletes the sessions this host acknowledged only, a timeout
    cancels. The buttons are pressed when each question is on the screen (not at scripted times,
    which a loaded machine's slow pairing or requests could miss)."""
    copy = Path(shutil.copytree(flash, tmp_path / "flash"))
    unsync_all(copy)
    ids = sorted(files(copy))
    dev = SimulatedDevice(copy, speed=SPEED, end_ms=600_000)

    async def delete(client: FasciaClient, sid: int = 0) -> int:
        result, _ = await client.request(struct.pack("<BI", control.DELETE_SYNCED, sid), check=False)
        return result

    async def press(button: str) -> None:
        """Press and release, and wait until the device's loop has seen it."""
        down = await dev.bridge.press(button)
        await dev.until(down + 1000)

    async def question_on_screen() -> bool:
        """The device shows its DELETE SYNCED? question (the title bar's first word)."""
        return fr.read_text(await dev.bridge.screen(), 1, 1, 6, fr.NOTICE_CHARS) == "DELETE"

    async def go() -> dict[str, Any]:
        seen: dict[str, Any] = {}
        async with dev.client() as client:
            await client.read_session(ids[0])  # (only a host that read a session acknowledges it)
            await client.ack_synced(ids[0])  # the first one is synced (by this host)
            seen["ask 1"] = await delete(client)
            await press("b")
            seen["after B"] = sorted(files(copy))
            seen["ask 2"] = await delete(client)
            await press("a")
            seen["after A"] = sorted(files(copy))
            await client.read_session(ids[1])
            await client.ack_synced(ids[1])  # one more synced session, for the timeout
            seen["ask 3"] = await delete(client, ids[1])
            seen["asked on screen"] = await question_on_screen()
            asked = (
                dev.virtual_ms()
            )  # (the last status line's time: it may lag the question on a busy machine)
            await dev.until(asked + control.CONFIRM_MS)
            while await question_on_screen():  # the device's own clock takes it off: wait for that
                assert dev.virtual_ms() < asked + control.CONFIRM_MS + 10_000, (
                    "the question outlived its 30 s"
                )
                await asyncio.sleep(0.1)
            seen["after timeout"] = sorted(files(copy))
            await press("a")  # a late A press: the question is gone (A starts a session)
            seen["after late A"] = sorted(files(copy))
            seen["late A"] = await client.live()
            await client.stop()
        return seen

    try:
        seen = dev.run(go(), timeout=180)
    finally:
        dev.close()
    assert seen["ask 1"] == seen["ask 2"] == seen["ask 3"] == control.CONFIRM_ON_DEVICE
    assert seen["asked on screen"]
    assert seen["after B"] == ids
    assert seen["after A"] == ids[1:]  # only the synced one went
    assert seen["after timeout"] == ids[1:]
    assert ids[1] in seen["after late A"] and seen["late A"].state == "running"
