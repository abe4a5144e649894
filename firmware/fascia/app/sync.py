"""The device's half of USB sync: small functions the host calls through `mpremote exec`.

Each prints one JSON line, so the host reads answers the same way from the ESP32 and from the
simulated device. `root` is the flash's top, where config.json and log/ live: the REPL's working
directory on both ("/" on the ESP32, the flash directory on the simulator), so the host passes ".".
`stream` sends the files the host asks for as CRC-checked frames (fascia.spec.syncwire), in one
exchange; the device acknowledges and deletes only when the host says so, always through LogStore,
so a session is removed only once the host has acknowledged it.
"""

import json
import struct
import sys
import time
from binascii import crc32, hexlify

from micropython import const

from fascia.app.logstore import SYNCED_EPOCH, LogError, LogStore, unix_time
from fascia.spec import syncwire

_TICKS_PERIOD = const(0x40000000)  # the ESP32's ticks_ms wraps at 2**30
_HEAD_BYTES = const(64)  # a HEADER record is at most 61 bytes (fascia.spec.log.pack_header)


def _store(root: str) -> LogStore:
    return LogStore(root.rstrip("/") + "/log")  # as Board.path("log") builds it


def _device_id(root: str) -> str:
    """Hex id of this unit: a `device_id` file (hex text) if present, else machine.unique_id(),
    else "" (the simulator: the host then uses the id in the session headers)."""
    try:
        with open(root.rstrip("/") + "/device_id") as f:
            return f.read().strip()
    except OSError:
        pass
    try:
        import machine

        return hexlify(machine.unique_id()[:16]).decode()
    except (ImportError, AttributeError):
        return ""


def _uptime_s() -> int:
    """Seconds since power-on: the clock App.run counts session starts in before the RTC is set.
    The ticks as a count from 0 to 2**30 ms (a ticks_diff from 0 alone turns negative half way);
    they wrap after 12.4 days up (then a BLE sync, whose CLOCK_INFO reads the app's own counter,
    resolves such sessions' start times)."""
    if sys.implementation.name == "micropython":
        return time.ticks_diff(time.ticks_ms(), 0) % _TICKS_PERIOD // 1000
    return 0  # CPython (tests) has no such clock


def info(root: str = ".") -> None:
    """Print the device's identity and clock as one JSON line, then one line per session:
    {"session": {...}} with its path, size, CRC-32 (checks the copy) and
    first bytes in hex (its HEADER: the host's key, to skip sessions it already holds; the CRC
    cannot tell two sessions apart, since records carrying their own CRC leave a file's CRC
    unchanged when only their values differ). A line per session keeps the memory this needs
    small however many sessions are stored."""
    import fascia

    store = _store(root)
    now = unix_time()
    head = {
        "device_id": _device_id(root),
        "firmware": fascia.VERSION,
        "platform": sys.platform,
        "boot": store.boots(),
        "uptime_s": _uptime_s(),
        "epoch": now,
        "clock_synced": now >= SYNCED_EPOCH,
        "next_id": store.next_id(),
        "sessions": [],
    }
    print(json.dumps(head))
    for sid, synced, size in store.list_sessions():
        session = {
            "id": sid,
            "path": store.path(sid),
            "synced": synced,
            "size": size,
            "crc32": store.crc32(sid),
            "head": hexlify(store.read(sid, 0, _HEAD_BYTES)).decode(),
        }
        print(json.dumps({"session": session}))


def set_clock(epoch: int) -> None:
    """Set the RTC to `epoch` (Unix seconds, UTC); prints {"clock_set": bool, "epoch": now}.
    The unix port has no RTC: its clock already is the host's."""
    from fascia.app.settings import set_utc

    print(json.dumps({"clock_set": set_utc(epoch), "epoch": unix_time()}))


def _each(ids, action, done_key: str) -> None:
    """Apply `action(id)` to every id; print which worked and which LogStore refused, and why."""
    done = []
    errors = []
    for sid in ids:
        try:
            action(sid)
            done.append(sid)
        except LogError as e:
            errors.append([sid, str(e)])
    print(json.dumps({done_key: done, "errors": errors}))


def ack(root: str, ids) -> None:
    """Mark sessions as received by the host (they may be deleted from now on)."""
    _each(ids, _store(root).mark_synced, "acked")


def delete(root: str, ids) -> None:
    """Delete acknowledged sessions; LogStore refuses any that are not."""
    _each(ids, _store(root).delete, "deleted")


def _frame(out, buf, kind: int, sid: int, offset: int, n: int) -> None:
    """Write the frame whose payload is already in buf[HEAD_SIZE:HEAD_SIZE + n] (syncwire)."""
    view = memoryview(buf)
    struct.pack_into(syncwire.HEAD_FMT, buf, 0, syncwire.MAGIC, kind, sid, offset, n, 0)
    crc = crc32(view[syncwire.HEAD_SIZE : syncwire.HEAD_SIZE + n], crc32(view[: syncwire.CRC_AT]))
    struct.pack_into("<I", buf, syncwire.CRC_AT, crc)
    out.write(view[: syncwire.HEAD_SIZE + n])


def _repl_uart(baud: int) -> bool:
    """Set the REPL's UART (UART 0, behind the USB bridge) to `baud`; False where that cannot be
    done (the unix port has no machine.UART; a port that keeps UART 0 for itself refuses)."""
    try:
        from machine import UART

        UART(0).init(baudrate=baud)
        return True
    except (ImportError, AttributeError, TypeError, ValueError, OSError):
        return False


def stream(root: str, wanted, chunk: int = syncwire.CHUNK, out=None, baud: int = 0) -> None:
    """Send bytes [offset, size) of each [session id, offset, size] in `wanted` as frames on
    `out` (stdout's bytes), then END (fascia.spec.syncwire); at `baud` if given and this board can
    switch (announced by a BAUD frame; back at REPL_BAUD before returning). One buffer for the whole
    stream: memory stays at `chunk` bytes however large the files are."""
    out = out or sys.stdout.buffer
    chunk = max(1, min(chunk, syncwire.MAX_CHUNK))
    buf = bytearray(syncwire.HEAD_SIZE + chunk)
    fast = baud > syncwire.REPL_BAUD and hasattr(time, "sleep_ms") and _has_uart()
    if fast:
        _frame(out, buf, syncwire.BAUD, 0, baud, 0)
        time.sleep_ms(syncwire.SETTLE_MS)  # type: ignore[attr-defined]  # (MicroPython only)
        fast = _repl_uart(baud)  # if this fails the host reads garbage, falls back and resumes
    try:
        _frames(out, buf, chunk, _store(root), wanted)
    finally:
        if fast:
            time.sleep_ms(syncwire.SETTLE_MS)  # type: ignore[attr-defined]
            _repl_uart(syncwire.REPL_BAUD)


def _has_uart() -> bool:
    try:
        from machine import UART  # noqa: F401

        return True
    except ImportError:
        return False


def _frames(out, buf, chunk: int, store: LogStore, wanted) -> None:
    """stream()'s frames: DATA... then EOF (or GONE) per wanted file, then END."""
    view = memoryview(buf)
    for sid, offset, size in wanted:
        try:
            path = store.path(sid)
        except LogError as e:
            reason = str(e).encode()[:chunk]
            view[syncwire.HEAD_SIZE : syncwire.HEAD_SIZE + len(reason)] = reason
            _frame(out, buf, syncwire.GONE, sid, offset, len(reason))
            continue
        with open(path, "rb") as f:
            f.seek(offset)
            while offset < size:
                n = f.readinto(view[syncwire.HEAD_SIZE : syncwire.HEAD_SIZE + min(chunk, size - offset)])
                if not n:
                    break
                _frame(out, buf, syncwire.DATA, sid, offset, n)
                offset += n
        _frame(out, buf, syncwire.EOF, sid, offset, 0)
    _frame(out, buf, syncwire.END, 0, 0, 0)
