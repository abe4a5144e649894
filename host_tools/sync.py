"""USB sync: copy a device's session logs into the local store, then let the device forget them.

The order is what makes it safe to pull the cable (or kill the process) at any moment:
1. set the device's clock and read its session list (sizes, CRC-32s, boot counter, uptime);
2. copy every session the store does not already hold (one stream of CRC-checked frames through
   mpremote's transport: fascia.spec.syncwire) into a temporary folder, and check each copy
   against the device's CRC-32 of the whole file;
3. import them in one database transaction and commit;
4. only then acknowledge them on the device (LogStore renames .fsl -> .fss), and delete them
   (unless --keep, or the link cannot delete: over Bluetooth the person confirms deletes on the
   device, so they are left there, acknowledged);
5. restart the device's app (USB: entering the raw REPL stopped it; also after a failure once connected).
A rerun after an interruption at any step finds each session either still unsynced on the device
(copied again, the import is a no-op: the store's key dedupes it) or already in the store
(acknowledged/deleted without copying). The device side is `fascia.app.sync`; `sync()` takes any
`SyncDevice` (this module's `Device` over USB, `host_tools.ble.sync.BleDevice` over Bluetooth).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import struct
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol, cast

from fascia.spec import logread, syncwire
from host_tools.errors import UserError
from host_tools.store import Store

if TYPE_CHECKING:  # mpremote and pyserial are imported when a USB sync starts: other commands start faster
    import serial
    from mpremote.transport_serial import SerialTransport


def _serial_of(link: SerialTransport) -> serial.Serial:
    """The transport's pyserial port (mpremote types it as a union with its own test double)."""
    return cast("serial.Serial", link.serial)


DEVICE_ROOT = "."  # the flash's top is the REPL's cwd: "/" on the ESP32, the flash dir on the simulator
CRASH_ENV = "FASCIA_SYNC_CRASH_AT"  # tests: SIGKILL this process at the named step (see _step)
DRAIN_TIMEOUT_S = 120  # at most this long draining a stream broken off
READ_TIMEOUT_S = 10  # a device silent this long (mid-frame, or before answering) has stopped answering
QUIET_S = 0.3  # the line is drained once it has been silent this long
# USB serial bridges known to carry syncwire.FAST_BAUD (vid, pid): WCH CH9102 / CH343, Silicon Labs CP210x
FAST_BRIDGES = {(0x1A86, 0x55D4), (0x1A86, 0x55D3), (0x10C4, 0xEA60), (0x10C4, 0xEA70)}
# What `mpremote reset` runs (a hard reset: the app starts as at power-on; the ESP32's RTC keeps the
# time just set), or where there is no machine.reset (the unix port behind SerialBridge) a soft reset,
# which ends that process: the bridge starts it again, its model of a reboot.
RESET_CODE = "import time, machine\ntime.sleep_ms(100)\ngetattr(machine, 'reset', machine.soft_reset)()"


class SyncError(UserError):
    """The device could not be reached or did not answer as expected."""


class SyncDevice(Protocol):
    """What `sync()` needs from a link to the device (see `Device` for what each returns)."""

    can_delete: bool  # False: delete() is never called; acknowledged sessions stay on the device

    def info(self, set_epoch: int | None = None) -> dict: ...
    def copy(self, paths: list[str], dest: Path) -> None: ...
    def ack(self, ids: list[int]) -> dict: ...
    def delete(self, ids: list[int]) -> dict: ...
    def restart(self) -> bool: ...  # leave the device's app running; True if it was restarted


class FrameError(Exception):
    """The stream broke off: a frame torn, damaged or missing (the copy is resumed)."""


class Frame(NamedTuple):
    """One frame of a sync stream (fascia.spec.syncwire): DATA, EOF, GONE or END, for a session."""

    kind: int
    session_id: int
    offset: int
    payload: bytes


def read_frame(read: Callable[[int], bytes]) -> Frame:
    """The next frame of a sync stream (fascia.spec.syncwire) from `read(n)` (which returns fewer
    than n bytes on a silence), or FrameError."""
    head = read(syncwire.HEAD_SIZE)
    if len(head) < syncwire.HEAD_SIZE:
        raise FrameError("the device went silent mid-stream")
    magic, kind, sid, offset, n, crc = struct.unpack(syncwire.HEAD_FMT, head)
    if magic != syncwire.MAGIC or n > syncwire.MAX_CHUNK:
        raise FrameError("the stream lost its frame boundaries")
    payload = read(n)
    if len(payload) < n:
        raise FrameError("the device went silent mid-frame")
    if zlib.crc32(payload, zlib.crc32(head[: syncwire.CRC_AT])) != crc:
        raise FrameError(f"a chunk of session {sid} failed its CRC-32")
    return Frame(kind, sid, offset, payload)


def fast_rate(port: str) -> int:
    """The rate to stream at on `port`: syncwire.FAST_BAUD behind a bridge known to carry it (and
    whose ESP32 UART can follow), else 0 (stay at the REPL's rate)."""
    import serial.tools.list_ports

    for p in serial.tools.list_ports.comports():
        if p.device == port and (p.vid, p.pid) in FAST_BRIDGES:
            return syncwire.FAST_BAUD
    return 0


def _first_usb_port() -> str:
    """The first USB serial port, as `mpremote connect auto` picks it."""
    import serial.tools.list_ports

    for p in sorted(serial.tools.list_ports.comports()):
        if p.vid is not None and p.pid is not None:
            return p.device
    raise SyncError("device on USB: no device found (is it plugged in?)")


class Device:
    """A device on a serial port (port None = the first USB one), driven through mpremote's
    transport: one raw REPL session for the whole sync, the files in one framed stream."""

    can_delete = True

    def __init__(self, port: str | None = None, root: str = DEVICE_ROOT, baud: int | None = None):
        """`baud`: the rate to stream the files at (None: fast_rate(port); the REPL's rate: never
        switch); a stream that breaks at that rate is resumed at the REPL's (the fallback)."""
        self.port = port
        self.root = root
        self.baud = baud
        self.streamed_at = syncwire.REPL_BAUD  # the rate the last stream's files came at
        self.fell_back = False  # the fast rate failed: this sync went on at the REPL's
        self.resumed = 0  # streams broken off and resumed (see copy)
        self.chunk = syncwire.CHUNK  # payload bytes per frame asked for
        self._link: SerialTransport | None = None
        self._listed: dict[str, dict] = {}  # path -> session, as info() listed it
        self._prompted = False  # the raw REPL's ">" for the next command has been read

    # -- the raw REPL session ----------------------------------------------------------------------
    def _where(self) -> str:
        return self.port or "USB"

    def _connect(self) -> SerialTransport:
        """Open the port and enter the raw REPL, soft-resetting once (a clean heap, the app stopped)."""
        from mpremote.transport import TransportError
        from mpremote.transport_serial import SerialTransport

        if self._link is None:
            port = self.port or _first_usb_port()
            try:
                link = SerialTransport(port, baudrate=syncwire.REPL_BAUD)
            except TransportError:
                raise SyncError(f"device on {port}: cannot open the port (is it plugged in?)") from None
            _serial_of(link).timeout = READ_TIMEOUT_S
            try:
                with contextlib.redirect_stdout(io.StringIO()):  # mpremote prints what it got instead
                    link.enter_raw_repl(soft_reset=True, timeout_overall=READ_TIMEOUT_S)
            except (TransportError, OSError) as e:
                link.close()
                raise SyncError(f"device on {port}: {e} (is the fascia firmware installed?)") from None
            self._link = link
            self._prompted = False
            if self.baud is None:
                self.baud = fast_rate(port)
        return self._link

    def _drop(self) -> None:
        if self._link is not None:
            with contextlib.suppress(OSError):
                self._link.close()
            self._link = None

    def _read(self, n: int) -> bytes:
        """Up to n bytes (fewer only after READ_TIMEOUT_S of silence)."""
        assert self._link is not None
        return _serial_of(self._link).read(n)

    def _send(self, code: str) -> None:
        """Start `code` (with fascia.app.sync imported as _s) on the device (raw-paste mode)."""
        from mpremote.transport import TransportError

        try:
            link = self._connect()
            if not self._prompted and not link.read_until(1, b">").endswith(b">"):
                raise TransportError("no prompt")
            self._prompted = False
            _serial_of(link).write(b"\x05A\x01")
            if _serial_of(link).read(2) != b"R\x01":
                raise SyncError(f"device on {self._where()}: no raw-paste mode (MicroPython 1.14 or later)")
            link.raw_paste_write(("from fascia.app import sync as _s\n" + code).encode())
        except (TransportError, OSError):
            self._drop()
            raise SyncError(f"the device on {self._where()} stopped answering") from None

    def _finish(self) -> str:
        """The rest of a started exec's output (raw REPL: output, EOT, errors, EOT, then the next
        prompt, read here too); SyncError if it raised."""
        data = b""
        while data.count(b"\x04") < 2 or not data.endswith(b">"):
            more = self._read(max(1, _serial_of(self._link).in_waiting if self._link else 1))
            if not more:
                self._drop()
                raise SyncError(f"the device on {self._where()} stopped answering")
            data += more
        self._prompted = True
        out, err, _ = data.split(b"\x04", 2)
        if err.strip():
            last = err.decode(errors="replace").strip().splitlines()[-1]
            raise SyncError(f"device on {self._where()}: {last}")
        return out.decode(errors="replace")

    def call(self, code: str) -> dict:
        """Run `code` (calls into fascia.app.sync) on the device; its JSON lines merged into one dict
        (`{"session": ...}` lines collected into its "sessions" list)."""
        self._send(code)
        out = self._finish()
        merged: dict = {}
        for line in out.splitlines():
            if line.startswith("{"):
                answer = json.loads(line)
                if "session" in answer:  # info() streams its sessions, a line each
                    merged.setdefault("sessions", []).append(answer["session"])
                else:
                    merged.update(answer)
        if not merged:
            raise SyncError(
                f"the device gave no answer (is the fascia firmware installed?): {out.strip()[-200:]}"
            )
        return merged

    # -- SyncDevice ----------------------------------------------------------------------------------
    def info(self, set_epoch: int | None = None) -> dict:
        """The device's identity, clock and sessions; first sets its clock to `set_epoch` if given."""
        code = f"_s.info({self.root!r})"
        if set_epoch is not None:
            code = f"_s.set_clock({set_epoch})\n" + code
        answer = self.call(code)
        self._listed = {s["path"]: s for s in answer.setdefault("sessions", [])}
        return answer

    def copy(self, paths: list[str], dest: Path) -> None:
        """Copy the listed sessions at `paths` into the folder `dest` (named as on the device) in
        one stream; a broken stream is resumed from the first byte not yet received. A file the
        device no longer has is not written."""
        got = {self._listed[p]["id"]: bytearray() for p in paths}
        done: dict[int, bool] = {}  # session id -> it still exists (its EOF or GONE seen)
        for attempt in range(syncwire.RESUME_ATTEMPTS + 1):
            wanted = [
                [s["id"], len(got[s["id"]]), s["size"]]
                for p in paths
                if (s := self._listed[p])["id"] not in done
            ]
            if not wanted:
                break
            try:
                self._stream(wanted, got, done)
                break
            except FrameError as e:
                if attempt == syncwire.RESUME_ATTEMPTS:
                    raise SyncError(f"the copy from {self._where()} kept breaking off: {e}") from None
                self.resumed += 1
                if self.streamed_at != syncwire.REPL_BAUD:  # the fast rate did not work: never again
                    self.fell_back = True
                    self.baud = self.streamed_at = syncwire.REPL_BAUD
                    self._set_rate(syncwire.REPL_BAUD)
                self._interrupt()
        for p in paths:
            sid = self._listed[p]["id"]
            if done.get(sid):
                (dest / Path(p).name).write_bytes(got[sid])

    def _stream(self, wanted: list[list[int]], got: dict[int, bytearray], done: dict[int, bool]) -> None:
        """One stream exchange: the frames for `wanted` ([id, offset, size]) appended to `got`."""
        fast = self.baud if (self.baud or 0) > syncwire.REPL_BAUD else 0
        self._send(f"_s.stream({self.root!r}, {wanted!r}, {self.chunk}, None, {fast})")
        self.streamed_at = syncwire.REPL_BAUD
        while True:
            kind, sid, offset, payload = read_frame(self._read)
            if kind == syncwire.END:
                if self.streamed_at != syncwire.REPL_BAUD:  # the device is back at the REPL's rate
                    self._set_rate(syncwire.REPL_BAUD)
                break
            if kind == syncwire.BAUD and fast and offset == fast:  # later frames come at this rate
                self.streamed_at = offset
                self._set_rate(offset)
                continue
            if sid not in got or (kind == syncwire.DATA and offset != len(got[sid])):
                raise FrameError(f"unexpected frame (session {sid}, offset {offset})")
            if kind == syncwire.DATA:
                got[sid] += payload
            else:  # EOF: this is all there is; GONE: the device has no such file any more
                done[sid] = kind == syncwire.EOF
        self._finish()

    def _set_rate(self, baud: int) -> None:
        assert self._link is not None
        _serial_of(self._link).baudrate = baud

    def _interrupt(self) -> None:
        """After a broken stream: stop the device (Ctrl-C), let the line fall silent, and enter
        the raw REPL again (no reset), so that the stream can be asked for again."""
        from mpremote.transport import TransportError

        link = self._connect()
        try:
            port = _serial_of(link)
            port.write(b"\r\x03")
            deadline = time.monotonic() + DRAIN_TIMEOUT_S
            port.timeout = QUIET_S
            while port.read(65536) and time.monotonic() < deadline:
                pass
            port.timeout = READ_TIMEOUT_S
            with contextlib.redirect_stdout(io.StringIO()):
                link.enter_raw_repl(soft_reset=False, timeout_overall=READ_TIMEOUT_S)
            self._prompted = False
        except (TransportError, OSError):
            self._drop()
            raise SyncError(f"the device on {self._where()} stopped answering") from None

    def ack(self, ids: list[int]) -> dict:
        return self.call(f"_s.ack({self.root!r}, {ids!r})") if ids else {"acked": [], "errors": []}

    def delete(self, ids: list[int]) -> dict:
        return self.call(f"_s.delete({self.root!r}, {ids!r})") if ids else {"deleted": [], "errors": []}

    def restart(self) -> bool:
        """Start the device's app again. Entering the raw REPL stopped it (Ctrl-C), and the soft
        reset there skips main.py. So reset it (RESET_CODE), not waiting for an answer: a reset board
        gives none; the port is closed."""
        try:
            self._send(RESET_CODE)
        finally:
            self._drop()
        return True


@dataclass
class SyncReport:
    device_id: str = ""
    firmware: str = ""
    clock_set: bool = False
    on_device: int = 0  # session files found
    imported: list[dict] = field(default_factory=list)  # {"id", "session_id", "activity", "count", "errors"}
    already: list[int] = field(default_factory=list)  # device session ids the store already held
    repaired: list[int] = field(default_factory=list)  # the stored copy was damaged: replaced
    recording: list[int] = field(default_factory=list)  # still being recorded: left alone
    failed: list[dict] = field(default_factory=list)  # {"session_id", "reason"}: not acknowledged
    acked: list[int] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)
    left: list[int] = field(default_factory=list)  # stored and acknowledged, but this link cannot delete
    device_errors: list[list] = field(default_factory=list)  # [session_id, sentence] from ack/delete
    restarted: bool = False  # the device's app was restarted (USB; over Bluetooth it never stopped)
    restart_error: str = ""  # why it could not be: it stays at its REPL until reset or power-cycled
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _step(name: str) -> None:
    """A named point between sync steps: the crash tests kill the process here (CRASH_ENV)."""
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _is_recording(session: dict, parsed: dict, info: dict) -> bool:
    """The open session: the newest, unsynced, no END, begun in the device's current boot."""
    header = parsed["header"]
    return (
        not session["synced"]
        and parsed["end"] is None
        and session["id"] == info["next_id"] - 1
        and header is not None
        and header["boot"] == info["boot"]
    )


def sync(
    store: Store, device: SyncDevice, *, keep: bool = False, say: Callable[[str], None] = lambda _: None
) -> SyncReport:
    """Run one sync (see the module docstring); `say` receives a line per step for a progress display."""
    t0 = time.monotonic()
    report = SyncReport()
    store.check_writable()  # a locked or read-only store: fail before touching the device
    say("reading the device")
    info = device.info(set_epoch=int(time.time()))
    _step("info")
    try:
        _transfer(store, device, info, report, keep, say)
    except Exception:
        with contextlib.suppress(Exception):  # the sync's own error is the one to report
            device.restart()
        raise
    say("restarting the device")
    try:
        report.restarted = device.restart()
    except SyncError as e:
        report.restart_error = str(e)
    report.seconds = round(time.monotonic() - t0, 2)
    return report


def _transfer(
    store: Store, device: SyncDevice, info: dict, report: SyncReport, keep: bool, say: Callable[[str], None]
) -> None:
    """Steps 2-4, once `info` has been read (step 1): copy, import, acknowledge, delete."""
    report.device_id = info["device_id"]
    report.firmware = info["firmware"]
    report.clock_set = info.get("clock_set", False)
    report.on_device = len(info["sessions"])
    clock = {"boot": info["boot"], "uptime_s": info["uptime_s"], "epoch": info["epoch"]}
    done: list[dict] = []  # sessions the store holds: acknowledge and delete them
    fetch: list[dict] = []
    for s in info["sessions"]:
        if store.holds(bytes.fromhex(s["head"]), s["size"], s["crc32"], info["device_id"], s["id"]):
            report.already.append(s["id"])
            done.append(s)
        else:
            fetch.append(s)
    with tempfile.TemporaryDirectory(prefix="fascia-sync-") as tmp:
        say(f"copying {len(fetch)} session(s), {sum(s['size'] for s in fetch)} bytes")
        device.copy([s["path"] for s in fetch], Path(tmp))
        _step("copied")
        ready = []
        for s in fetch:
            copied = Path(tmp) / Path(s["path"]).name
            if not copied.exists():
                reason = "the device no longer has it"
                report.failed.append({"session_id": s["id"], "reason": reason})
                continue
            data = copied.read_bytes()
            if zlib.crc32(data) != s["crc32"]:
                reason = "the copy does not match the device's CRC-32 (changed or damaged in transfer)"
                report.failed.append({"session_id": s["id"], "reason": reason})
                continue
            parsed = logread.parse_session(data)
            if _is_recording(s, parsed, info):
                report.recording.append(s["id"])
                continue
            ready.append((s, data))
    say(f"importing {len(ready)} session(s)")
    with store.transaction():
        devices = {info["device_id"]} if info["device_id"] else set()
        for s, data in ready:
            rid, outcome = store.import_session(
                data, device_id=info["device_id"], session_id=s["id"], clock=clock
            )
            if outcome == "conflict":
                reason = f"a different session with the same id and start is already stored (local id {rid})"
                report.failed.append({"session_id": s["id"], "reason": reason})
                continue
            if outcome == "duplicate":
                report.already.append(s["id"])
            else:  # new, updated (it grew since it was imported) or repaired (the stored copy was damaged)
                if outcome == "repaired":
                    report.repaired.append(s["id"])
                rec = store.get(rid, series=False) or {}
                devices.add(rec["device_id"])
                report.imported.append(
                    {k: rec.get(k) for k in ("id", "session_id", "activity", "count", "status", "errors")}
                )
            done.append(s)
        for device_id in devices:
            store.note_device(device_id, info["firmware"], info.get("platform", ""))
        report.device_id = report.device_id or ", ".join(sorted(devices))
        _step("imported")
    _step("committed")
    say("acknowledging on the device")
    answer = device.ack(sorted(s["id"] for s in done if not s["synced"]))
    report.acked = answer["acked"]
    report.device_errors += answer["errors"]
    _step("acked")
    if not keep and device.can_delete:
        answer = device.delete(sorted(s["id"] for s in done))
        report.deleted = answer["deleted"]
        report.device_errors += answer["errors"]
    elif not keep:
        report.left = sorted(s["id"] for s in done)
