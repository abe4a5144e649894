"""USB sync: copy a device's session logs into the local store, then let the device forget them.

The order is what makes it safe to pull the cable (or kill the process) at any moment:
1. set the device's clock and read its session list (sizes, CRC-32s, boot counter, uptime);
2. copy every session the store does not already hold (`mpremote fs cp`) into a temporary folder
   and check each copy against the device's CRC;
3. import them in one database transaction and commit;
4. only then acknowledge them on the device (LogStore renames .fsl -> .fss), and delete them
   (unless --keep, or the link cannot delete: over Bluetooth the person confirms deletes on the
   device, so they are left there, acknowledged);
5. restart the device's app (USB: mpremote stopped it; also after a failure once connected).
A rerun after an interruption at any step finds each session either still unsynced on the device
(copied again, the import is a no-op: the store's key dedupes it) or already in the store
(acknowledged/deleted without copying). The device side is `fascia.app.sync`; `sync()` takes any
`SyncDevice` (this module's `Device` over USB, `host_tools.ble.sync.BleDevice` over Bluetooth).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from fascia.spec import logread
from host_tools import mpy
from host_tools.errors import UserError
from host_tools.store import Store

DEVICE_ROOT = "."  # the flash's top is the REPL's cwd: "/" on the ESP32, the flash dir on the simulator
CRASH_ENV = "FASCIA_SYNC_CRASH_AT"  # tests: SIGKILL this process at the named step (see _step)
MPREMOTE_TIMEOUT_S = 120
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


class Device:
    """A device on a serial port, driven by the real `mpremote` (port None = the first one found)."""

    can_delete = True

    def __init__(self, port: str | None = None, root: str = DEVICE_ROOT):
        self.port = port
        self.root = root

    def _mpremote(self, *args: str) -> str:
        cmd = [mpy.tool("mpremote"), "connect", self.port or "auto", *args]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=MPREMOTE_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise SyncError(f"the device on {self.port or 'USB'} stopped answering") from None
        if proc.returncode != 0:
            lines = (proc.stderr.strip() or proc.stdout.strip() or "no output").splitlines()
            raise SyncError(f"device on {self.port or 'USB'}: {lines[-1]}")
        return proc.stdout

    def call(self, code: str) -> dict:
        """Run `code` (calls into fascia.app.sync) on the device; its JSON lines merged into one dict
        (`{"session": ...}` lines collected into its "sessions" list)."""
        out = self._mpremote("exec", "from fascia.app import sync as _s\n" + code)
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

    def info(self, set_epoch: int | None = None) -> dict:
        """The device's identity, clock and sessions; first sets its clock to `set_epoch` if given."""
        code = f"_s.info({self.root!r})"
        if set_epoch is not None:
            code = f"_s.set_clock({set_epoch})\n" + code
        return self.call(code)

    def copy(self, paths: list[str], dest: Path) -> None:
        """Copy device files (paths relative to the flash top) into the folder `dest`."""
        if paths:
            self._mpremote("fs", "cp", *(":" + p for p in paths), str(dest) + os.sep)

    def ack(self, ids: list[int]) -> dict:
        return self.call(f"_s.ack({self.root!r}, {ids!r})") if ids else {"acked": [], "errors": []}

    def delete(self, ids: list[int]) -> dict:
        return self.call(f"_s.delete({self.root!r}, {ids!r})") if ids else {"deleted": [], "errors": []}

    def restart(self) -> bool:
        """Start the device's app again. mpremote stops it (Ctrl-C) and leaves the board at its REPL:
        the soft reset each mpremote call begins with happens in raw REPL, where MicroPython skips
        main.py. So reset it (RESET_CODE), not waiting for an answer: a reset board gives none."""
        self._mpremote("exec", "--no-follow", RESET_CODE)
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
            data = (Path(tmp) / Path(s["path"]).name).read_bytes()
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
