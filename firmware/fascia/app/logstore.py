"""Session log store on the device's flash: one append-only file per session.

Layout of the log directory (a host directory on the simulator)::

    00012.fsl   session 12, not yet synced (records in fascia.spec.log format)
    00011.fss   session 11, acknowledged by the host: may be deleted
    00011.ack   the bonded Bluetooth host that acknowledged it (only it may delete it over BLE)
    00012.rd    the bonded Bluetooth hosts that read session 12 to its end, one a line (only they
                may acknowledge it over BLE)
    next_id     next session id, decimal text (written to a temporary file, then renamed)
    boots       power-on counter, same way

Every record is written with one `write`, then `flush` (LittleFS commits the file on flush) and
`os.sync()` where the port has it, so a power cut loses at most the record being written.
Synced state is the file name (a rename is atomic), so bookkeeping survives a power cut at any
point; a missing or corrupt `next_id` is recovered from the directory listing. Nothing unsynced
is ever overwritten: with too little free flash, synced sessions are deleted oldest first, and
if that is not enough a new session is refused with a sentence for the display. Only a trusted
host makes a session synced: a USB sync (the cable) or a bonded Bluetooth host that read the
session to its end (fascia.app.ble refuses every request from a link without a bond;
fascia.app.blerequests every acknowledgement from a host that is not among the session's
readers), so the space reclaim never takes a session that no trusted host copied.
"""

import os
import sys
import time
from binascii import crc32

from micropython import const

from fascia.spec import log

SYNCED_EPOCH = const(1600000000)  # an RTC before Sept 2020 has never been set by the host
RESERVE_BYTES = const(65536)  # free flash needed to start a session (an hour's log is ~20-40 kB)
FLASH_FULL = "Flash full: sync to free space"

_UNSYNCED = ".fsl"
_SYNCED = ".fss"
_ACKED_BY = ".ack"  # beside a synced session: the bonded Bluetooth host that acknowledged it
_HOST_BYTES = const(32)
_CHUNK = const(256)
_COUNTER_DIGITS = const(9)  # next_id and boots never get near 10**9: more digits is damage
_MAX_BOOT = const(0xFFFF)  # a HEADER's boot field is a u16: the counter starts again at 1 after it
# On the device the file system must be told to commit; on CPython (the simulator) the kernel
# already holds every flushed byte, and a process kill (our power cut) cannot lose it.
_sync = getattr(os, "sync", None) if sys.implementation.name == "micropython" else None


# time.time() counts from 2000 on the ESP32 and from 1970 on the unix port and CPython.
_UNIX_OFFSET = 946684800 if time.gmtime(0)[0] == 2000 else 0


def unix_time() -> int:
    """Now as Unix epoch seconds (what a HEADER's synced start holds), on every port."""
    return int(time.time()) + _UNIX_OFFSET


class LogError(Exception):
    """A store operation that is not allowed; the message says why."""


class LogFull(LogError):
    """Not enough free flash to start a session."""


class LogStore:
    def __init__(self, root: str = "/log", reserve_bytes: int = RESERVE_BYTES, capacity_bytes: int = 0):
        """`capacity_bytes` > 0 simulates a flash of that size (free = capacity - files in `root`);
        otherwise free space comes from `os.statvfs`."""
        self.root = root.rstrip("/") or "/"
        self.reserve_bytes = reserve_bytes
        self.capacity_bytes = capacity_bytes
        self._file = None
        self.session_id = 0  # id of the open session, 0 when none
        try:
            os.mkdir(self.root)
        except OSError:
            pass  # already there

    # ------------------------------------------------------------ paths and listing

    def _path(self, name: str) -> str:
        return self.root + "/" + name

    def _files(self):
        """(id, synced, name) of every session file, sorted by id."""
        found = []
        for name in os.listdir(self.root):
            stem, ext = name[:-4], name[-4:]
            if ext in (_UNSYNCED, _SYNCED) and stem.isdigit():
                found.append((int(stem), ext == _SYNCED, name))
        found.sort()
        return found

    def list_sessions(self):
        """[(id, synced, size_bytes)] sorted by id."""
        return [(sid, synced, os.stat(self._path(name))[6]) for sid, synced, name in self._files()]

    def path(self, session_id: int) -> str:
        """Path of a session's file, synced or not (LogError if there is none). Looks the two
        possible names up directly: no directory listing, however many sessions are stored."""
        for ext in (_UNSYNCED, _SYNCED):
            path = self._path("%05d%s" % (session_id, ext))
            try:
                os.stat(path)
                return path
            except OSError:
                pass
        raise LogError("no session %d" % session_id)

    # ------------------------------------------------------------ counters

    def _read_counter(self, name: str) -> int:
        """A counter file's value; 0 (recovered by the caller) when it is missing or damaged:
        bad bytes, not a number, or more digits than any real counter has."""
        try:
            with open(self._path(name), "rb") as f:
                raw = f.read(_COUNTER_DIGITS + 2)
        except OSError:
            return 0
        raw = raw.strip()
        if not 0 < len(raw) <= _COUNTER_DIGITS:
            return 0
        for c in raw:
            if not 48 <= c <= 57:  # b"0".."9"
                return 0
        return int(raw)

    def _write_counter(self, name: str, value: int) -> None:
        self._write_text(name, "%d\n" % value)

    def _write_text(self, name: str, text: str) -> None:
        tmp = self._path(name + ".tmp")
        with open(tmp, "w") as f:
            f.write(text)
        os.rename(tmp, self._path(name))  # replaces the old value in one step

    def next_id(self) -> int:
        """The id the next session will get: the counter, unless the directory proves it stale."""
        newest = 0
        for sid, _, _ in self._files():
            newest = sid
        return max(self._read_counter("next_id"), newest + 1)

    def boots(self) -> int:
        """The power-on counter (as count_boot last left it)."""
        return self._read_counter("boots")

    def count_boot(self) -> int:
        """Count one power-on and return the new boot number (for sessions before the clock is set).

        Also drops empty session files: a power cut between creating a session's file and writing
        its HEADER leaves one, and it holds nothing to keep or to sync."""
        for sid, synced, name in self._files():
            if not synced and os.stat(self._path(name))[6] == 0:
                os.remove(self._path(name))
        boot = self._read_counter("boots") % _MAX_BOOT + 1
        self._write_counter("boots", boot)
        return boot

    # ------------------------------------------------------------ space

    def free_bytes(self) -> int:
        if self.capacity_bytes:
            used = 0
            for name in os.listdir(self.root):
                used += os.stat(self._path(name))[6]
            return max(self.capacity_bytes - used, 0)
        st = os.statvfs(self.root)
        return st[1] * st[4]  # fragment size * blocks available

    def can_start(self):
        """None if a session may start, else the sentence to show. Deletes synced sessions,
        oldest first, while space is short."""
        synced = [sid for sid, is_synced, _ in self._files() if is_synced]
        while self.free_bytes() < self.reserve_bytes:
            if not synced:
                return FLASH_FULL
            self.delete(synced.pop(0))
        return None

    # ------------------------------------------------------------ writing a session

    def begin(self, activity: str, mode: str, params=None, **header) -> int:
        """Start a session: write its HEADER and return its id. `header`: the other keywords of
        log.pack_header (start, clock_synced, boot, device_id, user_weight_g, load_g).
        Raises LogFull when there is no room, LogError while a session is open."""
        if self._file is not None:
            raise LogError("session %d is still open" % self.session_id)
        reason = self.can_start()
        if reason:
            raise LogFull(reason)
        sid = self.next_id()
        record = log.pack_header(sid, activity, mode, params, **header)  # bad fields raise before any write
        self._write_counter("next_id", sid + 1)  # first, so a power cut can only skip an id
        self._file = open(self._path("%05d%s" % (sid, _UNSYNCED)), "wb")  # noqa: SIM115 (open all session)
        self.session_id = sid
        try:
            self._append(record)
        except OSError:  # the HEADER did not fit (ENOSPC): leave no session open
            self._close()
            raise
        return sid

    def progress(self, elapsed_ms: int, count: int, extras=None) -> None:
        self._append(log.pack_progress(elapsed_ms, count, extras))

    def events(self, times_ms) -> None:
        """Append event times (ms since start, non-decreasing) as EVENTS batches."""
        if len(times_ms):
            self._append(log.pack_events(times_ms))

    def end(self, duration_ms: int, count: int, kcal_x10: int = 0, reason: str = "stop", extras=None) -> None:
        """Write the END record and close the session (closed even if the write fails: ENOSPC)."""
        try:
            self._append(log.pack_end(duration_ms, count, kcal_x10, reason, extras))
        finally:  # a failed END (ENOSPC) must not leave the session open for ever
            self._close()

    def _close(self) -> None:
        f = self._file
        self._file = None
        self.session_id = 0
        if f is not None:
            f.close()

    def _append(self, record: bytes) -> None:
        f = self._file
        if f is None:
            raise LogError("no session is open")
        f.write(record)
        f.flush()
        if _sync is not None:
            _sync()

    # ------------------------------------------------------------ sync support

    def read(self, session_id: int, offset: int, size: int) -> bytes:
        """Up to `size` bytes of a session's file from `offset` (b"" past its end): chunked sync."""
        with open(self.path(session_id), "rb") as f:
            f.seek(offset)
            return f.read(size)

    def crc32(self, session_id: int) -> int:
        """CRC-32 of a session's whole file, so the host can check what it assembled."""
        crc = 0
        buf = bytearray(_CHUNK)
        view = memoryview(buf)
        with open(self.path(session_id), "rb") as f:
            while True:
                n = f.readinto(buf)
                if not n:
                    return crc
                crc = crc32(view[:n], crc)

    def mark_synced(self, session_id: int, host: str = "") -> None:
        """The host has this session: it may now be deleted (idempotent). `host` (a bonded
        Bluetooth host's id) is remembered beside it: only that host may delete it over the radio
        (the first to acknowledge it: another host's acknowledgement later does not take it over)."""
        if session_id == self.session_id:
            raise LogError("session %d is still being recorded" % session_id)
        old = self.path(session_id)
        # first: a power cut before the rename leaves a note that changes nothing
        if host and (old.endswith(_UNSYNCED) or not self.acked_by(session_id)):
            self._write_text("%05d%s" % (session_id, _ACKED_BY), host)
        if old.endswith(_UNSYNCED):
            os.rename(old, old[:-4] + _SYNCED)

    def acked_by(self, session_id: int) -> str:
        """The bonded host that acknowledged a session ("" if none did: unsynced, or over USB)."""
        try:
            with open(self._path("%05d%s" % (session_id, _ACKED_BY)), "rb") as f:
                return f.read(_HOST_BYTES).decode()
        except (OSError, UnicodeError):
            return ""

    def delete(self, session_id: int) -> None:
        """Delete a synced session (and its notes); unsynced ones are refused (LogError)."""
        path = self.path(session_id)
        if not path.endswith(_SYNCED):
            raise LogError("session %d is not synced yet: sync it before deleting" % session_id)
        os.remove(path)
        stem = "%05d." % session_id
        for name in os.listdir(self.root):
            if name.startswith(stem):  # its notes: who acknowledged it, who read it (fascia.app.blerequests)
                os.remove(self._path(name))
