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
    1   u8   activity code: 1 jump_rope, 2 swing, 3 walk, 4 yoga, 5 dance (fascia.spec.activities)
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
        u8   code: the figure's index in fascia.spec.activities.FIGURES, or 255 = named:
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

from fascia.spec import activities as _activities

FORMAT_VERSION = const(1)
MAGIC = b"\xfa\x5c"
MAX_PAYLOAD = const(1024)
MAX_EVENTS = const(256)

HEADER = const(1)
PROGRESS = const(2)
EVENTS = const(3)
END = const(4)
CORRUPT = const(0)  # yielded by logread.iter_records for a damaged region, never written
RECORD_NAMES = ("CORRUPT", "HEADER", "PROGRESS", "EVENTS", "END")

ACTIVITY_CODES = {name: _activities.activity(name)[1] for name in _activities.NAMES}
MODES = ("free", "countdown_time", "countdown_count", "interval")  # code = index + 1; append only
MODE_CODES = {mode: i + 1 for i, mode in enumerate(MODES)}
MODE_PARAMS = {
    "free": (),
    "countdown_time": ("seconds",),
    "countdown_count": ("count",),
    "interval": ("work_s", "rest_s", "rounds"),
}
MODE_FIELDS = {  # the config.json fields (fascia.spec.config) that hold them, in the same order
    "free": (),
    "countdown_time": ("countdown_s",),
    "countdown_count": ("countdown_count",),
    "interval": ("interval_work_s", "interval_rest_s", "interval_rounds"),
}
END_REASONS = ("stop", "target", "battery", "flash_full", "sensor")  # code = index; append only
FLAG_CLOCK_SYNCED = const(1)

FRAME_BYTES = const(9)  # magic + type + length + CRC
NAMED_EXTRA = const(255)
HEADER_FIXED = "<BBBBIIHII"  # 22 bytes
_I32_MAX = 0x7FFFFFFF  # not const(): beyond the ESP32 small-int range
_I32_MIN = -0x80000000


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
        known = _activities.figure(name)  # its code in the table, fascia.spec.activities
        if known is not None:
            parts.append(struct.pack("<Bi", known[4], _clamp_i32(extras[name])))
        else:
            raw = name.encode()
            if not raw or len(raw) > 32:
                raise ValueError("extra name must be 1..32 characters: %r" % name)
            parts.append(bytes((NAMED_EXTRA, len(raw))) + raw + struct.pack("<i", _clamp_i32(extras[name])))
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
        HEADER_FIXED,
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
