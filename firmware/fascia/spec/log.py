"""Session log on flash: the one binary format the device writes and the host reads.

A session is one file of append-only records: one HEADER, PROGRESS records every few seconds,
optional EVENTS batches, and one END. Every record carries its own length and CRC, so each is
checked on its own: a power cut loses at most the record being written, and a damaged record is
reported and skipped while the ones after it are still read.

Record frame (all integers little-endian; u = unsigned, i = signed)::

    offset  size  field
    0       2     magic FA 5C: marks the start of a record (the reader resynchronises on it)
    2       1     type: 1 HEADER, 2 PROGRESS, 3 EVENTS, 4 END
    3       2     n = payload length, u16, at most MAX_PAYLOAD (1024)
    5       n     payload (below)
    5+n     4     CRC-32 (zlib / binascii.crc32) of bytes 2 .. 5+n: type, length and payload

HEADER payload (first record of the file)::

    0   u8   format version (FORMAT_VERSION)
    1   u8   activity code: 1 jump_rope, 2 swing, 3 walk
    2   u8   mode code: 1 free, 2 countdown_time, 3 countdown_count, 4 interval
    3   u8   flags: bit 0 = clock synced (start is real time)
    4   u32  session id (increases on each device)
    8   u32  start: Unix epoch seconds (UTC) if clock synced, else uptime seconds of boot `boot`
    12  u16  boot counter (which power-on the session started in; see resolve_start)
    14  u32  user weight, grams (0 = unknown)
    18  u32  load: rope or club mass, grams (0 = unknown)
    22  u8   k, then k bytes device id (at most 16; shown as hex)
    ..  u8   p, then p x u32 mode parameters, in MODE_PARAMS order:
             countdown_time (seconds), countdown_count (count), interval (work_s, rest_s, rounds)

PROGRESS payload::

    0   u32  elapsed ms since start
    4   u32  count so far
    8   extras block

EVENTS payload (a batch of counted event times, optional)::

    0   u32  time of the first event, ms since start
    4   u16  m = number of events in the batch (1 .. MAX_EVENTS)
    6   (m-1) x u16  gap to the previous event, ms

END payload (last record)::

    0   u32  duration ms
    4   u32  final count
    8   u16  energy, 0.1 kcal (saturates at 65535)
    10  u8   end reason: 0 stop, 1 target, 2 battery, 3 flash_full, 4 sensor (stopped answering)
    11  extras block

Extras block (the detector's `extras()`, integer figures by name)::

    0   u8   f = number of figures, then f times:
        u8   code: index in EXTRAS (trips, double_unders, ...), or 255 = named:
             u8 length + ASCII name (so a figure this table lacks still round-trips)
        i32  value (saturates at the i32 range)

Compatibility: framing never changes. A reader ignores payload bytes after the fields it knows,
so a later FORMAT_VERSION may only append fields; a record type it does not know is reported
and skipped.

Clock: before the host first sets the RTC, sessions record (boot counter, uptime). At sync the
host knows the device's current boot counter, uptime and real time; `resolve_start` turns such a
start into epoch seconds when it was in the same boot (otherwise the time is unknown, the order
is still given by the session id).
"""

import struct
from binascii import crc32

from micropython import const

FORMAT_VERSION = const(1)
MAGIC = b"\xfa\x5c"
MAX_PAYLOAD = const(1024)
MAX_EVENTS = const(256)

HEADER = const(1)
PROGRESS = const(2)
EVENTS = const(3)
END = const(4)
CORRUPT = const(0)  # yielded by iter_records for a damaged region, never written
RECORD_NAMES = ("CORRUPT", "HEADER", "PROGRESS", "EVENTS", "END")

ACTIVITY_CODES = {"jump_rope": 1, "swing": 2, "walk": 3}
MODE_CODES = {"free": 1, "countdown_time": 2, "countdown_count": 3, "interval": 4}
MODE_PARAMS = {
    "free": (),
    "countdown_time": ("seconds",),
    "countdown_count": ("count",),
    "interval": ("work_s", "rest_s", "rounds"),
}
END_REASONS = ("stop", "target", "battery", "flash_full", "sensor")  # code = index; append only
EXTRAS = (  # code = index; append only
    "trips",
    "double_unders",
    "max_streak",
    "reps",
    "steps",
    "tempo_x10",
    "mean_period_ms",
    "cadence_spm",
    "active_ms",
    "rounds",
)
FLAG_CLOCK_SYNCED = const(1)

_FRAME = const(9)  # magic + type + length + CRC
_NAMED = const(255)
_HEADER_FIXED = "<BBBBIIHII"  # 22 bytes
_I32_MAX = 0x7FFFFFFF  # not const(): beyond the ESP32 small-int range
_I32_MIN = -0x80000000


class LogFormatError(ValueError):
    """A payload whose CRC is fine but whose fields do not decode (a writer bug, or a newer format)."""


# ---------------------------------------------------------------- writing


def frame(rtype: int, payload: bytes) -> bytes:
    """One complete record: magic, type, length, payload, CRC."""
    if len(payload) > MAX_PAYLOAD:
        raise ValueError("record payload of %d bytes exceeds %d" % (len(payload), MAX_PAYLOAD))
    head = struct.pack("<BH", rtype, len(payload))
    return MAGIC + head + payload + struct.pack("<I", crc32(payload, crc32(head)))


def _clamp_i32(v: int) -> int:
    return _I32_MAX if v > _I32_MAX else (_I32_MIN if v < _I32_MIN else v)


def pack_extras(extras) -> bytes:
    """Extras dict {name: int} -> extras block (names sorted, so both runtimes write the same bytes)."""
    if not extras:
        return b"\x00"
    parts = [bytes((len(extras),))]
    for name in sorted(extras):
        if name in EXTRAS:
            parts.append(struct.pack("<Bi", EXTRAS.index(name), _clamp_i32(extras[name])))
        else:
            raw = name.encode()
            if not raw or len(raw) > 32:
                raise ValueError("extra name must be 1..32 characters: %r" % name)
            parts.append(bytes((_NAMED, len(raw))) + raw + struct.pack("<i", _clamp_i32(extras[name])))
    return b"".join(parts)


def pack_header(
    session_id: int,
    activity: str,
    mode: str,
    params=None,
    start: int = 0,
    clock_synced: bool = False,
    boot: int = 0,
    device_id: str = "",
    user_weight_g: int = 0,
    load_g: int = 0,
) -> bytes:
    """HEADER record. `params`: dict of the mode's MODE_PARAMS; `device_id`: hex string (<= 16 bytes)."""
    if activity not in ACTIVITY_CODES:
        raise ValueError("unknown activity %r" % activity)
    if mode not in MODE_CODES:
        raise ValueError("unknown mode %r" % mode)
    names = MODE_PARAMS[mode]
    params = params or {}
    if sorted(params) != sorted(names):
        raise ValueError("mode %s takes parameters %r, got %r" % (mode, names, sorted(params)))
    dev = bytes(int(device_id[i : i + 2], 16) for i in range(0, len(device_id), 2))
    if len(device_id) % 2 or len(dev) > 16:
        raise ValueError("device id must be hex, at most 16 bytes: %r" % device_id)
    payload = struct.pack(
        _HEADER_FIXED,
        FORMAT_VERSION,
        ACTIVITY_CODES[activity],
        MODE_CODES[mode],
        FLAG_CLOCK_SYNCED if clock_synced else 0,
        session_id,
        start,
        boot,
        user_weight_g,
        load_g,
    )
    tail = bytes((len(dev),)) + dev + bytes((len(names),))
    for name in names:
        tail += struct.pack("<I", params[name])
    return frame(HEADER, payload + tail)


def pack_progress(elapsed_ms: int, count: int, extras=None) -> bytes:
    return frame(PROGRESS, struct.pack("<II", elapsed_ms, count) + pack_extras(extras))


def pack_events(times_ms) -> bytes:
    """EVENTS records for non-decreasing event times (ms since start), split into batches of at
    most MAX_EVENTS wherever a gap does not fit in u16."""
    out = b""
    first = 0
    n = len(times_ms)
    for i in range(1, n + 1):
        if i == n or i - first == MAX_EVENTS or not 0 <= times_ms[i] - times_ms[i - 1] <= 0xFFFF:
            payload = bytearray(6 + 2 * (i - first - 1))
            struct.pack_into("<IH", payload, 0, times_ms[first], i - first)
            for k in range(first + 1, i):
                struct.pack_into("<H", payload, 4 + 2 * (k - first), times_ms[k] - times_ms[k - 1])
            out += frame(EVENTS, bytes(payload))
            first = i
    return out


def pack_end(duration_ms: int, count: int, kcal_x10: int = 0, reason: str = "stop", extras=None) -> bytes:
    if reason not in END_REASONS:
        raise ValueError("unknown end reason %r" % reason)
    energy = min(max(kcal_x10, 0), 0xFFFF)
    payload = struct.pack("<IIHB", duration_ms, count, energy, END_REASONS.index(reason))
    return frame(END, payload + pack_extras(extras))


# ---------------------------------------------------------------- reading


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
        if code == _NAMED:
            raw = c.raw(c.take("<B", 1)[0])
            if not raw or max(raw) > 126 or min(raw) < 33:
                raise LogFormatError("extra name is not printable ASCII")
            name = raw.decode()
        elif code < len(EXTRAS):
            name = EXTRAS[code]
        else:
            name = "extra_%d" % code
        extras[name] = c.take("<i", 4)[0]
    return extras


def _unpack_header(c: _Cursor) -> dict:
    version, act, mode_code, flags, sid, start, boot, weight, load = c.take(_HEADER_FIXED, 22)
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
    for _ in range(n - 1):
        t += c.take("<H", 2)[0]
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
    if left < _FRAME + n:
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
        return "damaged %s record of %d bytes: CRC mismatch" % (_type_name(rtype), _FRAME + n)
    if not at_end:
        return "damaged %s record: its length %d runs past the next record" % (_type_name(rtype), n)
    if rtype < 0:
        return "incomplete record at end of data, %d bytes (write cut short: power lost?)" % skipped
    return "incomplete %s record at end of data: %d of %d bytes (write cut short: power lost?)" % (
        _type_name(rtype),
        skipped,
        _FRAME + n,
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
                        {"error": "%s record: %s" % (_type_name(rtype), e), "skipped": _FRAME + n},
                    )
                else:
                    yield i, rtype, fields
            else:
                msg = "unknown record type %d (newer format?), skipped" % rtype
                yield i, CORRUPT, {"error": msg, "skipped": _FRAME + n}
            i += _FRAME + n
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
