"""Reading session logs (the host, and tests): the other half of `fascia.spec.log`.

The format itself (framing, record layouts, codes) is defined once, in `fascia.spec.log`; the
device only ever writes, so the parser lives here and costs the device no RAM. Nothing here
raises on bad input: `iter_records` reports each damaged region and carries on.
"""

import struct
from binascii import crc32

from micropython import const

from fascia.spec import activities
from fascia.spec.log import (
    ACTIVITY_CODES,
    CORRUPT,
    END,
    END_REASONS,
    EVENTS,
    FLAG_CLOCK_SYNCED,
    FORMAT_VERSION,
    FRAME_BYTES,
    HEADER,
    HEADER_FIXED,
    MAGIC,
    MAX_PAYLOAD,
    MODE_CODES,
    MODE_PARAMS,
    NAMED_EXTRA,
    PROGRESS,
    RECORD_NAMES,
)

# figure log code -> name (fascia.spec.activities.FIGURES)
EXTRAS = {int(line.split()[0]): line.split()[1] for line in activities.FIGURES.split("\n") if line}


class LogFormatError(ValueError):
    """A payload whose CRC is fine but whose fields do not decode (a writer bug, or a newer format)."""


class _Cursor:
    """Bounds-checked little-endian reads from one payload (raises LogFormatError when short)."""

    def __init__(self, buf, start: int, end: int):
        self.buf = buf
        self.pos = start
        self.end = end

    def take(self, fmt: str, size: int):
        if self.pos + size > self.end:
            raise LogFormatError("payload too short")
        values = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += size
        return values

    def raw(self, size: int) -> bytes:
        if self.pos + size > self.end:
            raise LogFormatError("payload too short")
        self.pos += size
        return bytes(self.buf[self.pos - size : self.pos])


def _name(table, code: int, what: str) -> str:
    for name in table:
        if table[name] == code:
            return name
    return "unknown_%s_%d" % (what, code)


def _unpack_extras(c: _Cursor) -> dict:
    extras = {}
    for _ in range(c.take("<B", 1)[0]):
        code = c.take("<B", 1)[0]
        if code == NAMED_EXTRA:
            raw = c.raw(c.take("<B", 1)[0])
            if not raw or max(raw) > 126 or min(raw) < 33:
                raise LogFormatError("extra name is not printable ASCII")
            name = raw.decode()
        else:
            name = EXTRAS.get(code) or "extra_%d" % code
        extras[name] = c.take("<i", 4)[0]
    return extras


def _unpack_header(c: _Cursor) -> dict:
    version, act, mode_code, flags, sid, start, boot, weight, load = c.take(HEADER_FIXED, 22)
    dev = c.raw(c.take("<B", 1)[0])
    if len(dev) > 16:
        raise LogFormatError("device id longer than 16 bytes")
    mode = _name(MODE_CODES, mode_code, "mode")
    values = [c.take("<I", 4)[0] for _ in range(c.take("<B", 1)[0])]
    names = MODE_PARAMS.get(mode, ())
    if len(values) != len(names):
        names = tuple("param_%d" % i for i in range(len(values)))
    return {
        "version": version,
        "activity": _name(ACTIVITY_CODES, act, "activity"),
        "mode": mode,
        "params": dict(zip(names, values)),
        "clock_synced": bool(flags & FLAG_CLOCK_SYNCED),
        "session_id": sid,
        "start": start,
        "boot": boot,
        "user_weight_g": weight,
        "load_g": load,
        "device_id": "".join("%02x" % b for b in dev),
    }


def _unpack_progress(c: _Cursor) -> dict:
    elapsed, count = c.take("<II", 8)
    return {"elapsed_ms": elapsed, "count": count, "extras": _unpack_extras(c)}


def _unpack_events(c: _Cursor) -> dict:
    t, n = c.take("<IH", 6)
    if n == 0:
        raise LogFormatError("empty EVENTS batch")
    times = [t]
    for step in c.take("<%dH" % (n - 1), 2 * (n - 1)):  # the deltas in one call: a batch is 64
        t += step
        times.append(t)
    return {"times_ms": times}


def _unpack_end(c: _Cursor) -> dict:
    duration, count, energy, reason = c.take("<IIHB", 11)
    return {
        "duration_ms": duration,
        "count": count,
        "kcal_x10": energy,
        "reason": END_REASONS[reason] if reason < len(END_REASONS) else "reason_%d" % reason,
        "extras": _unpack_extras(c),
    }


_UNPACK = {HEADER: _unpack_header, PROGRESS: _unpack_progress, EVENTS: _unpack_events, END: _unpack_end}


_OK = const(0)
_NOT_START = const(1)
_SHORT = const(2)
_TOO_LONG = const(3)
_BAD_CRC = const(4)


def _check_frame(data, view, i: int):
    """(status, type, n) of the frame at `i`: _OK, or why it is not a valid frame."""
    left = len(data) - i
    if data[i] != 0xFA or (left > 1 and data[i + 1] != 0x5C):
        return _NOT_START, 0, 0
    if left < 5:
        return _SHORT, -1, 0
    rtype, n = struct.unpack_from("<BH", data, i + 2)
    if n > MAX_PAYLOAD:
        return _TOO_LONG, rtype, n
    if left < FRAME_BYTES + n:
        return _SHORT, rtype, n
    if crc32(view[i + 2 : i + 5 + n]) != struct.unpack_from("<I", data, i + 5 + n)[0]:
        return _BAD_CRC, rtype, n
    return _OK, rtype, n


def _type_name(rtype: int) -> str:
    return RECORD_NAMES[rtype] if 0 < rtype < len(RECORD_NAMES) else "type-%d" % rtype


def _damage(status: int, rtype: int, n: int, skipped: int, at_end: bool) -> str:
    """Why the `skipped` bytes at a bad frame could not be read, as a sentence."""
    if status == _NOT_START:
        return "%d bytes that are not a record" % skipped
    if status == _TOO_LONG:
        return "damaged record: payload length %d exceeds the maximum %d" % (n, MAX_PAYLOAD)
    if status == _BAD_CRC:
        return "damaged %s record of %d bytes: CRC mismatch" % (_type_name(rtype), FRAME_BYTES + n)
    if not at_end:
        return "damaged %s record: its length %d runs past the next record" % (_type_name(rtype), n)
    if rtype < 0:
        return "incomplete record at end of data, %d bytes (write cut short: power lost?)" % skipped
    return "incomplete %s record at end of data: %d of %d bytes (write cut short: power lost?)" % (
        _type_name(rtype),
        skipped,
        FRAME_BYTES + n,
    )


def iter_records(data):
    """Yield (offset, type, fields) for every record in `data` (bytes or bytearray), never raising.

    A damaged region yields (offset, CORRUPT, {"error": reason, "skipped": bytes}) and reading
    resumes at the next valid frame, so one bad record costs only itself.
    """
    view = memoryview(data)
    end = len(data)
    i = 0
    while i < end:
        status, rtype, n = _check_frame(data, view, i)
        if status == _OK:
            unpack = _UNPACK.get(rtype)
            if unpack is not None:
                try:
                    fields = unpack(_Cursor(data, i + 5, i + 5 + n))
                except LogFormatError as e:
                    yield (
                        i,
                        CORRUPT,
                        {"error": "%s record: %s" % (_type_name(rtype), e), "skipped": FRAME_BYTES + n},
                    )
                else:
                    yield i, rtype, fields
            else:
                msg = "unknown record type %d (newer format?), skipped" % rtype
                yield i, CORRUPT, {"error": msg, "skipped": FRAME_BYTES + n}
            i += FRAME_BYTES + n
            continue
        j = _next_frame(data, view, i + 1)
        yield i, CORRUPT, {"error": _damage(status, rtype, n, j - i, j == end), "skipped": j - i}
        i = j


def _next_frame(data, view, i: int) -> int:
    """Offset of the next valid frame at or after `i`, or len(data)."""
    while True:
        i = data.find(MAGIC, i)
        if i < 0:
            return len(data)
        if _check_frame(data, view, i)[0] == _OK:
            return i
        i += 1


def describe_error(offset: int, fields: dict) -> str:
    """A CORRUPT entry as one sentence: 'offset 57, 30 bytes skipped: damaged ... CRC mismatch'."""
    return "offset %d, %d bytes skipped: %s" % (offset, fields["skipped"], fields["error"])


def parse_session(data) -> dict:
    """A whole session file -> dict, never raising.

    Keys: header (dict or None), progress (list), events_ms (list), end (dict or None),
    count and duration_ms (from END, else the last PROGRESS), status ("complete", or why not),
    errors (list of sentences, one per damaged region or misplaced record).
    """
    header = end = None
    progress = []
    events = []
    errors = []
    for offset, rtype, fields in iter_records(data):
        if rtype == CORRUPT:
            errors.append(describe_error(offset, fields))
        elif end is not None:
            errors.append("offset %d: %s record after END ignored" % (offset, _type_name(rtype)))
        elif rtype == HEADER:
            if header is None:
                header = fields
                if fields["version"] > FORMAT_VERSION:
                    errors.append(
                        "format version %d is newer than this reader (%d): update fascia"
                        % (fields["version"], FORMAT_VERSION)
                    )
            else:
                errors.append("offset %d: second HEADER ignored" % offset)
        elif rtype == PROGRESS:
            progress.append(fields)
        elif rtype == EVENTS:
            events.extend(fields["times_ms"])
        else:
            end = fields
    last = end or (progress[-1] if progress else None)
    if not data:
        status = "empty file (power lost before the HEADER was written?)"
    elif header is None:
        status = "no HEADER record: not a session log or its start is damaged"
    elif end is None:
        status = "incomplete (no END record: power lost?)"
    else:
        status = "complete"
    return {
        "header": header,
        "progress": progress,
        "events_ms": events,
        "end": end,
        "count": last["count"] if last else 0,
        "duration_ms": (end["duration_ms"] if end else last["elapsed_ms"]) if last else 0,
        "status": status,
        "errors": errors,
    }


def resolve_start(header: dict, boot_now: int, uptime_now_s: int, epoch_now: int):
    """Real start time (epoch s) of a session, given the device's clock at sync; None if unknowable.

    Synced sessions already carry it; an unsynced one recorded its uptime, which converts exactly
    when it began in the current boot.
    """
    if header["clock_synced"]:
        return header["start"]
    if header["boot"] == boot_now and header["start"] <= uptime_now_s:
        return epoch_now - (uptime_now_s - header["start"])
    return None
