"""USB sync end to end: the real `mpremote` against the simulated device (SerialBridge over its flash).

Sessions are recorded by the unchanged firmware on the simulator (generated jump-rope and clubbell
traces), so the files synced are the ones a device writes.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import locked_store
from fascia.app.logstore import LogStore
from fascia.spec import log, logread, syncwire
from host_tools import history, sync
from host_tools.gen import clubbell, jumprope
from host_tools.sim.run import simulate
from host_tools.sim.serial_bridge import SerialBridge
from host_tools.store import Store

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> Path:
    """A flash holding two sessions the simulated device recorded (made once, copied per test)."""
    base = tmp_path_factory.mktemp("recorded")
    flash = base / "flash"
    rope, _ = jumprope.generate("basic", 1, 200, base / "rope", duration_s=8)
    club, _ = clubbell.generate("light", 1, 100, base / "club")
    simulate(rope, "jump_rope", board="devkit", flash_dir=flash)
    simulate(club, "swing", board="devkit", flash_dir=flash)
    return flash


@pytest.fixture
def flash(recorded, tmp_path) -> Path:
    return Path(shutil.copytree(recorded, tmp_path / "flash"))


@pytest.fixture
def device(flash):
    with SerialBridge(flash) as bridge:
        yield bridge


def logged(flash: Path) -> dict[int, dict]:
    """The sessions on the device's flash, read with the one parser: {session id: parsed}."""
    return {
        int(p.stem): logread.parse_session(p.read_bytes()) for p in sorted((flash / "log").glob("*.fs[ls]"))
    }


def stored(db: Path) -> list[dict]:
    with Store(db, write=False) as s:
        return s.sessions()


def run_sync(*argv: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """`fascia sync ...` in its own process (and process group, so a kill takes mpremote along)."""
    return subprocess.run(
        [sys.executable, "-m", "host_tools.history", "sync", *argv],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=dict(os.environ, **(env or {})),
        timeout=timeout,
        start_new_session=True,
    )


def test_device_side_on_both_runtimes(dual, tmp_path):
    info, *answers = dual("sync_device", str(tmp_path))
    # info streams its sessions after the head, a line each (constant memory on the device)
    info["sessions"] = [a["session"] for a in answers if isinstance(a, dict) and "session" in a]
    refused, acked, deleted, clock, listing, frames = answers[len(info["sessions"]) :]
    assert [(s["id"], s["synced"], s["size"]) for s in info["sessions"]] == [
        (1, False, 74),
        (2, False, 74),
    ] + [(3, False, 74)]
    assert bytes.fromhex(info["sessions"][0]["head"]).startswith(log.MAGIC)
    assert (info["boot"], info["next_id"], info["clock_synced"]) == (1, 4, True)
    ((_, why),) = refused["errors"]  # [session id, why] a line each
    assert refused["deleted"] == [] and "not synced yet" in why
    assert acked == {"acked": [1, 2], "errors": [[9, "no session 9"]]}
    assert deleted["deleted"] == [1] and [sid for sid, _ in deleted["errors"]] == [3]
    assert clock["clock_set"] is False  # neither CPython nor the unix port has an RTC
    assert listing == ["00002.fss", "00003.fsl", "boots", "next_id"]
    # the stream: 2 whole, 3 from byte 10, 9 gone, in chunks of 32 bytes, each checked by the host
    data = bytes.fromhex(frames)
    stream = io.BytesIO(data)
    got = []
    while (frame := sync.read_frame(stream.read)).kind != syncwire.END:
        got.append(frame)
    assert stream.tell() == len(data)
    kinds = [(f.kind, f.session_id, f.offset, len(f.payload)) for f in got]
    D, E = syncwire.DATA, syncwire.EOF  # noqa: N806
    assert kinds[:-1] == [(D, 2, 0, 32), (D, 2, 32, 32), (D, 2, 64, 10), (E, 2, 74, 0)] + [
        (D, 3, 10, 32),
        (D, 3, 42, 32),
        (E, 3, 74, 0),
    ]
    assert got[-1] == (syncwire.GONE, 9, 0, b"no session 9")
    files = {sid: b"".join(f.payload for f in got if f.session_id == sid and f.kind == D) for sid in (2, 3)}
    assert files[2] == (tmp_path / "log" / "00002.fss").read_bytes()
    assert files[3] == (tmp_path / "log" / "00003.fsl").read_bytes()[10:]
    damaged = bytearray(data)
    damaged[syncwire.HEAD_SIZE + 5] ^= 1
    with pytest.raises(sync.FrameError, match="CRC"):
        sync.read_frame(io.BytesIO(damaged).read)
    with pytest.raises(sync.FrameError, match="silent"):
        sync.read_frame(io.BytesIO(data[: syncwire.HEAD_SIZE + 5]).read)


def test_sync_imports_once_then_deletes(flash, device, tmp_path, capsys):
    on_flash = logged(flash)
    db = tmp_path / "s.sqlite3"
    assert history.main(["sync", "--port", device.port, "--db", str(db), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert sorted(s["session_id"] for s in report["imported"]) == sorted(on_flash) == [1, 2]
    assert report["deleted"] == [1, 2] and report["failed"] == []
    records = stored(db)
    assert [(r["session_id"], r["activity"], r["count"]) for r in records] == [
        (sid, p["header"]["activity"], p["count"]) for sid, p in on_flash.items()
    ]
    assert all(r["status"] == "complete" and r["start_utc"] and r["device_id"] for r in records)
    assert not list((flash / "log").glob("*.fs?"))
    assert history.main(["sync", "--port", device.port, "--db", str(db), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["imported"] == [] and again["on_device"] == 0
    assert len(stored(db)) == 2


def sync_json(port: str, db: Path, capsys, *extra: str) -> dict:
    assert history.main(["sync", "--port", port, "--db", str(db), "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_keep_only_acknowledges_and_a_second_sync_copies_nothing(flash, device, tmp_path, capsys):
    db = tmp_path / "s.sqlite3"
    first = sync_json(device.port, db, capsys, "--keep")
    assert len(first["imported"]) == 2 and first["acked"] == [1, 2] and first["deleted"] == []
    second = sync_json(device.port, db, capsys, "--keep")
    assert second["imported"] == [] and second["already"] == [1, 2] and second["acked"] == []
    assert sorted(p.name for p in (flash / "log").glob("*.fs?")) == ["00001.fss", "00002.fss"]
    assert len(stored(db)) == 2
    third = sync_json(device.port, db, capsys)  # without --keep: the synced ones go
    assert third["imported"] == [] and third["deleted"] == [1, 2]


def assert_exactly_once(flash: Path, db: Path, originals: dict[int, bytes]) -> None:
    """Every original session is in the store once, and nothing left the device uncommitted."""
    records = stored(db)
    ids = [r["session_id"] for r in records]
    assert len(ids) == len(set(ids))
    remaining = {int(p.stem): p for p in (flash / "log").glob("*.fs?")}
    for sid in originals:
        if sid not in remaining or remaining[sid].suffix == ".fss":
            assert sid in ids, f"session {sid} left the device (or was acknowledged) before it was stored"


@pytest.mark.parametrize("step", ["info", "copied", "imported", "committed", "acked"])
def test_killed_at_each_step_then_rerun_syncs_every_session_once(step, flash, device, tmp_path):
    originals = {int(p.stem): p.read_bytes() for p in (flash / "log").glob("*.fsl")}
    db = tmp_path / "s.sqlite3"
    killed = run_sync("--port", device.port, "--db", str(db), env={sync.CRASH_ENV: step})
    assert killed.returncode == -signal.SIGKILL
    assert_exactly_once(flash, db, originals)
    expected_stored = 2 if step in ("committed", "acked") else 0
    assert len(stored(db)) == expected_stored
    rerun = run_sync("--port", device.port, "--db", str(db), "--json")
    assert rerun.returncode == 0, rerun.stderr
    assert sorted(r["session_id"] for r in stored(db)) == sorted(originals)
    assert not list((flash / "log").glob("*.fs?"))
    assert len(json.loads(rerun.stdout)["imported"]) == 2 - expected_stored


def sync_killed_after(port: str, db: Path, delay: float) -> None:
    """Start `fascia sync` and pull the plug after `delay` s (its mpremote dies with it)."""
    cmd = [sys.executable, "-m", "host_tools.history", "sync", "--port", port, "--db", str(db)]
    quiet = subprocess.DEVNULL
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=quiet, stderr=quiet, start_new_session=True)
    time.sleep(delay)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


@pytest.fixture(scope="module")
def full_sync_s(recorded, tmp_path_factory) -> float:
    """How long a whole `fascia sync` of the recorded flash takes here, process start included."""
    flash = Path(shutil.copytree(recorded, tmp_path_factory.mktemp("timing") / "flash"))
    with SerialBridge(flash) as bridge:
        t0 = time.monotonic()
        assert run_sync("--port", bridge.port, "--db", str(flash.parent / "s.sqlite3")).returncode == 0
        return time.monotonic() - t0


@pytest.mark.parametrize("fraction", [0.3, 0.6, 0.75, 0.85, 0.92])
def test_cable_pulled_mid_sync_then_rerun(fraction, full_sync_s, flash, device, tmp_path):
    """Kill the whole sync at a fraction of its usual run time: wherever it happens to be
    (starting up, in mpremote, importing, acknowledging...)."""
    originals = {int(p.stem): p.read_bytes() for p in (flash / "log").glob("*.fsl")}
    db = tmp_path / "s.sqlite3"
    sync_killed_after(device.port, db, fraction * full_sync_s)
    assert_exactly_once(flash, db, originals)
    rerun = run_sync("--port", device.port, "--db", str(db))
    assert rerun.returncode == 0, rerun.stderr
    assert sorted(r["session_id"] for r in stored(db)) == sorted(originals)
    assert not list((flash / "log").glob("*.fs?"))


def test_corrupt_record_is_reported_and_the_rest_imported(flash, device, tmp_path, capsys):
    path = flash / "log" / "00002.fsl"
    data = bytearray(path.read_bytes())
    second = data.index(log.MAGIC, 1)  # the record after the HEADER
    data[second + 6] ^= 0x55
    path.write_bytes(bytes(data))
    expected = logread.parse_session(bytes(data))
    assert len(expected["errors"]) == 1
    db = tmp_path / "s.sqlite3"
    assert history.main(["sync", "--port", device.port, "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "session 2: damaged record skipped" in out and "CRC mismatch" in out
    damaged = [r for r in stored(db) if r["session_id"] == 2][0]
    assert damaged["errors"] == expected["errors"] and damaged["count"] == expected["count"]
    assert len(stored(db)) == 2
    with Store(db, write=False) as s:
        assert s.raw(damaged["id"]) == bytes(data)  # kept as recorded: nothing is lost


def test_open_session_is_left_until_it_is_finished(flash, device, tmp_path, capsys):
    store = LogStore(str(flash / "log"))
    boot = store._read_counter("boots")
    sid = store.begin("walk", "free", start=int(time.time()), clock_synced=True, boot=boot, device_id="aa")
    store.progress(5000, 9)
    db = tmp_path / "s.sqlite3"
    first = sync_json(device.port, db, capsys)
    assert first["recording"] == [sid] and len(first["imported"]) == 2
    assert (flash / "log" / f"{sid:05d}.fsl").exists()
    store.count_boot()  # power cut and restart: it will never be finished
    second = sync_json(device.port, db, capsys)
    assert [s["session_id"] for s in second["imported"]] == [sid]
    assert second["imported"][0]["status"].startswith("incomplete")


class ManglingDevice(sync.Device):
    """A transfer that damages the first byte of one copy (a bad cable)."""

    def copy(self, paths, dest):
        super().copy(paths, dest)
        victim = dest / Path(paths[0]).name
        data = bytearray(victim.read_bytes())
        data[0] ^= 1
        victim.write_bytes(bytes(data))


def test_copy_that_fails_its_crc_is_not_imported_nor_acknowledged(flash, device, tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        report = sync.sync(store, ManglingDevice(device.port))
        assert [f["session_id"] for f in report.failed] == [1] and "CRC-32" in report.failed[0]["reason"]
        assert [s["session_id"] for s in report.imported] == [2]
        assert (flash / "log" / "00001.fsl").exists() and report.deleted == [2]
        again = sync.sync(store, sync.Device(device.port))
        assert [s["session_id"] for s in again.imported] == [1]


def test_locked_database_is_one_line_and_exit_2(tmp_path):
    with locked_store(tmp_path / "s.sqlite3") as db:
        proc = run_sync("--port", "/dev/nonexistent", "--db", str(db))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "locked by another program" in proc.stderr


def test_read_only_database_is_one_line_and_exit_2(tmp_path):
    db = tmp_path / "s.sqlite3"
    Store(db).close()
    db.chmod(0o444)
    proc = run_sync("--port", "/dev/nonexistent", "--db", str(db))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "read-only" in proc.stderr


def test_no_device_is_one_line_and_exit_2(tmp_path):
    proc = run_sync("--port", str(tmp_path / "ttyNONE"), "--db", str(tmp_path / "s.sqlite3"))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("fascia: error: device on")


class RecordingDevice(sync.Device):
    """The real USB device, noting the code it runs on the device and the simulated device's
    boot count before the restart; `fail_ack`: the acknowledgement fails (cable trouble)."""

    def __init__(self, bridge: SerialBridge, fail_ack: bool = False):
        super().__init__(bridge.port)
        self.bridge = bridge
        self.fail_ack = fail_ack
        self.commands: list[str] = []
        self.boots_before_restart = -1

    def _send(self, code: str) -> None:
        self.commands.append(code)
        super()._send(code)

    def ack(self, ids):
        if self.fail_ack:
            raise sync.SyncError("the device stopped answering")
        return super().ack(ids)

    def restart(self) -> bool:
        self.boots_before_restart = self.bridge.boots
        return super().restart()


def wait_for_boots(bridge: SerialBridge, n: int) -> int:
    """The bridge's boot count once it reaches `n` (or after 10 s), and still after a moment."""
    deadline = time.monotonic() + 10
    while bridge.boots < n and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    return bridge.boots


def test_sync_restarts_the_device_app_and_a_second_sync_works(flash, device, tmp_path, capsys):
    db = tmp_path / "s.sqlite3"
    dev = RecordingDevice(device)
    with Store(db) as store:
        report = sync.sync(store, dev)
    assert len(report.imported) == 2 and report.restarted and report.restart_error == ""
    assert dev.commands[-1] == sync.RESET_CODE and dev.commands.count(sync.RESET_CODE) == 1
    # the restart reuses the sync's raw REPL session (no soft reset of its own): the reset it sent
    # ended the process, and the bridge started it again (its model of a reboot): one boot
    assert wait_for_boots(device, dev.boots_before_restart + 1) == dev.boots_before_restart + 1
    again = sync_json(device.port, db, capsys)
    assert again["imported"] == [] and again["on_device"] == 0 and again["restarted"] is True


def test_a_sync_that_fails_once_connected_still_restarts_the_device(flash, device, tmp_path):
    dev = RecordingDevice(device, fail_ack=True)
    with Store(tmp_path / "s.sqlite3") as store, pytest.raises(sync.SyncError, match="stopped answering"):
        sync.sync(store, dev)
    assert dev.commands[-1] == sync.RESET_CODE
    assert wait_for_boots(device, dev.boots_before_restart + 1) == dev.boots_before_restart + 1
    assert len(stored(tmp_path / "s.sqlite3")) == 2  # committed before the acknowledgement failed
    assert sorted(p.name for p in (flash / "log").glob("*.fs?")) == ["00001.fsl", "00002.fsl"]


def test_a_failed_restart_is_a_warning_not_a_failed_sync(flash, device, tmp_path, capsys, monkeypatch):
    def no_restart(self):
        raise sync.SyncError(f"device on {self.port}: could not enter raw repl")

    monkeypatch.setattr(sync.Device, "restart", no_restart)
    db = tmp_path / "s.sqlite3"
    assert history.main(["sync", "--port", device.port, "--db", str(db)]) == 0
    out = " ".join(capsys.readouterr().out.split())  # as one line, however the console wrapped it
    assert "did not restart" in out and "could not enter raw repl" in out and "2 imported" in out
    assert len(stored(db)) == 2


def test_a_damaged_stored_copy_is_repaired_from_the_device_never_deleted_as_already_here(
    flash, device, tmp_path, capsys
):
    """Issue 17 item 3: with a damaged page in the store, a sync used to say "already here" and
    delete the device's copy, the only good one."""
    from conftest import damage_stored_copy

    db = tmp_path / "s.sqlite3"
    originals = {int(p.stem): p.read_bytes() for p in (flash / "log").glob("*.fsl")}
    assert sync_json(device.port, db, capsys, "--keep")["acked"] == [1, 2]
    damage_stored_copy(db, originals[2])
    again = sync_json(device.port, db, capsys)
    assert again["already"] == [1] and again["repaired"] == [2] and again["deleted"] == [1, 2]
    with Store(db, write=False) as s:
        assert sorted(s.raw(r["id"]) or b"" for r in s.sessions()) == sorted(originals.values())


class FlakyLineDevice(sync.Device):
    """A line that damages one byte of the fourth chunk of the stream (once); chunks of 64 bytes."""

    payloads = 0
    framed = False

    def __init__(self, port: str):
        super().__init__(port)
        self.chunk = 64
        self.asked: list[list] = []

    def _stream(self, wanted, got, done) -> None:
        self.asked.append(wanted)
        self.framed = True
        super()._stream(wanted, got, done)

    def _finish(self) -> str:
        self.framed = False  # the exec's end, not frames
        return super()._finish()

    def _read(self, n: int) -> bytes:
        data = super()._read(n)
        if self.framed and n > syncwire.HEAD_SIZE:  # a frame's payload
            self.payloads += 1
            if self.payloads == 4:
                return data[:5] + bytes([data[5] ^ 1]) + data[6:]
        return data


def test_a_chunk_damaged_on_the_line_is_resumed_from_where_it_broke_off(flash, device, tmp_path):
    originals = {int(p.stem): p.read_bytes() for p in sorted((flash / "log").glob("*.fsl"))}
    sizes = [len(originals[1]), len(originals[2])]
    assert sizes[0] <= 2 * 64 < sizes[1]  # the fourth chunk is session 2's second
    dev = FlakyLineDevice(device.port)
    with Store(tmp_path / "s.sqlite3") as store:
        report = sync.sync(store, dev)
        assert dev.resumed == 1 and report.failed == []
        assert dev.asked == [[[1, 0, sizes[0]], [2, 0, sizes[1]]], [[2, 64, sizes[1]]]]  # resumed at byte 64
        assert sorted(store.raw(r["id"]) or b"" for r in store.sessions()) == sorted(originals.values())
    assert report.deleted == sorted(originals)


def test_a_board_that_cannot_switch_its_uart_streams_at_the_repl_rate(flash, device, tmp_path):
    dev = sync.Device(device.port, baud=syncwire.FAST_BAUD)  # the unix port has no machine.UART
    with Store(tmp_path / "s.sqlite3") as store:
        report = sync.sync(store, dev)
    assert len(report.imported) == 2 and report.failed == []
    assert (dev.streamed_at, dev.fell_back, dev.resumed) == (syncwire.REPL_BAUD, False, 0)


class GarbledAtFastRateDevice(sync.Device):
    """A board that announces the fast rate, and a bridge that garbles everything at it."""

    def _send(self, code: str) -> None:
        if ", 1500000)" in code:  # a stream asked at the fast rate: the device announces it
            code = (
                f"import sys\n_s._frame(sys.stdout.buffer, bytearray(17), {syncwire.BAUD}, 0, 1500000, 0)\n"
                + code
            )
        super()._send(code)

    def _read(self, n: int) -> bytes:
        data = super()._read(n)
        assert self._link is not None
        fast = sync._serial_of(self._link).baudrate != syncwire.REPL_BAUD
        return bytes(b ^ 0x5A for b in data) if fast else data


def test_a_fast_rate_that_fails_falls_back_and_resumes_at_the_repl_rate(flash, device, tmp_path):
    originals = {int(p.stem): p.read_bytes() for p in (flash / "log").glob("*.fsl")}
    dev = GarbledAtFastRateDevice(device.port, baud=syncwire.FAST_BAUD)
    with Store(tmp_path / "s.sqlite3") as store:
        report = sync.sync(store, dev)
        assert sorted(store.raw(r["id"]) or b"" for r in store.sessions()) == sorted(originals.values())
    assert (dev.fell_back, dev.resumed, dev.streamed_at) == (True, 1, syncwire.REPL_BAUD)
    assert report.failed == [] and report.deleted == sorted(originals)


def test_the_fast_rate_is_chosen_only_behind_bridges_known_to_carry_it(monkeypatch):
    import serial.tools.list_ports
    from serial.tools.list_ports_common import ListPortInfo

    def port(device: str, vid: int, pid: int) -> ListPortInfo:
        info = ListPortInfo(device, skip_link_detection=True)
        info.vid, info.pid = vid, pid
        return info

    ports = [port("/dev/ttyACM0", 0x1A86, 0x55D4), port("/dev/ttyUSB1", 0x0403, 0x6001)]  # CH9102, FTDI
    monkeypatch.setattr(serial.tools.list_ports, "comports", lambda: ports)
    assert sync.fast_rate("/dev/ttyACM0") == syncwire.FAST_BAUD
    assert sync.fast_rate("/dev/ttyUSB1") == 0 and sync.fast_rate("/dev/pts/3") == 0
