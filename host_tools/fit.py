"""FIT files written from the FIT protocol itself, a batch of files at a time (numpy).

fit-tool's objects took ~100 ms a session (ten years, 7,000 sessions: 12 minutes); this writes the
same messages and values in ~40 µs a session (ten years: a quarter of a second). A file is

    header (14 bytes, with its own CRC) | definition and data messages | CRC-16 of all before it

Each message has one layout, every field of it always written (`MESSAGES`): a value a message does
not have holds the field's invalid value, which FIT readers read as "no value" (a record without
a cadence, the jump count of a walk's lap). So a message is a fixed-size row, and `rows` packs a
batch of them from numpy columns, which `crc16_many` then checks in bulk.

Values go in as fit-tool took them (a date as ms since the Unix epoch, a duration in seconds) and
are stored as its profile says, round((value + offset) * scale), so the files hold the numbers the
fit-tool export wrote, to the bit. `MESSAGES` and `VALUES` are the one table of the FIT we write:
web/spec.js carries them to the page's own FIT writer; tests check them against fit-tool's and
Garmin's profiles.
"""

from __future__ import annotations

import functools
import struct
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

PROTOCOL_VERSION = 0x20  # 2.0
PROFILE_VERSION = 2132  # 21.32: the messages and fields below are all in it
EPOCH_S = 631065600  # 1989-12-31 00:00 UTC, FIT's time zero
_DATE = (0.001, -EPOCH_S * 1000)  # (scale, offset): fit-tool's ms since 1970 -> FIT's s since EPOCH_S

ENUM, UINT8, UINT16, UINT32, UINT32Z = 0x00, 0x02, 0x84, 0x86, 0x8C  # FIT base types
BASE_SIZE = {ENUM: 1, UINT8: 1, UINT16: 2, UINT32: 4, UINT32Z: 4}
INVALID = {ENUM: 0xFF, UINT8: 0xFF, UINT16: 0xFFFF, UINT32: 0xFFFFFFFF, UINT32Z: 0}
_NUMPY_TYPE = {ENUM: "u1", UINT8: "u1", UINT16: "<u2", UINT32: "<u4", UINT32Z: "<u4"}

Field = tuple[int, int, float, int]  # (field number, base type, scale, offset)

# message name: (global message number, {field name: Field}), the fields in the order written
MESSAGES: dict[str, tuple[int, dict[str, Field]]] = {
    "file_id": (
        0,
        {
            "type": (0, ENUM, 1, 0),
            "manufacturer": (1, UINT16, 1, 0),
            "product": (2, UINT16, 1, 0),
            "serial_number": (3, UINT32Z, 1, 0),
            "time_created": (4, UINT32, *_DATE),
        },
    ),
    "event": (
        21,
        {"timestamp": (253, UINT32, *_DATE), "event": (0, ENUM, 1, 0), "event_type": (1, ENUM, 1, 0)},
    ),
    "record": (
        20,
        {"timestamp": (253, UINT32, *_DATE), "total_cycles": (19, UINT32, 1, 0), "cadence": (4, UINT8, 1, 0)},
    ),
    "lap": (
        19,
        {
            "timestamp": (253, UINT32, *_DATE),
            "event": (0, ENUM, 1, 0),
            "event_type": (1, ENUM, 1, 0),
            "start_time": (2, UINT32, *_DATE),
            "total_elapsed_time": (7, UINT32, 1000, 0),
            "total_timer_time": (8, UINT32, 1000, 0),
            "total_cycles": (10, UINT32, 1, 0),
            "total_calories": (11, UINT16, 1, 0),
            "lap_trigger": (24, ENUM, 1, 0),
            "sport": (25, ENUM, 1, 0),
            "sub_sport": (39, ENUM, 1, 0),
            "jump_count": (151, UINT16, 1, 0),
        },
    ),
    "session": (
        18,
        {
            "timestamp": (253, UINT32, *_DATE),
            "event": (0, ENUM, 1, 0),
            "event_type": (1, ENUM, 1, 0),
            "start_time": (2, UINT32, *_DATE),
            "sport": (5, ENUM, 1, 0),
            "sub_sport": (6, ENUM, 1, 0),
            "total_elapsed_time": (7, UINT32, 1000, 0),
            "total_timer_time": (8, UINT32, 1000, 0),
            "total_cycles": (10, UINT32, 1, 0),
            "total_calories": (11, UINT16, 1, 0),
            "first_lap_index": (25, UINT16, 1, 0),
            "num_laps": (26, UINT16, 1, 0),
            "jump_count": (183, UINT16, 1, 0),
        },
    ),
    "activity": (
        34,
        {
            "timestamp": (253, UINT32, *_DATE),
            "total_timer_time": (0, UINT32, 1000, 0),
            "num_sessions": (1, UINT16, 1, 0),
            "type": (2, ENUM, 1, 0),
            "event": (3, ENUM, 1, 0),
            "event_type": (4, ENUM, 1, 0),
            "local_timestamp": (5, UINT32, 1, 0),
        },
    ),
}
VALUES = {  # the enum values we write (FIT profile types file, manufacturer, event, event_type, ...)
    "file_activity": 4,
    "manufacturer_development": 255,
    "event_timer": 0,
    "event_lap": 9,
    "event_session": 8,
    "event_activity": 26,
    "event_type_start": 0,
    "event_type_stop": 1,
    "event_type_stop_all": 4,
    "lap_trigger_session_end": 7,
    "activity_manual": 0,
}
LOCAL = {name: number for number, name in enumerate(MESSAGES)}  # each message's local type
HEADER_SIZE = 14
_HEADER = struct.Struct("<BBHI4s")  # size, protocol, profile, data size, ".FIT" (then its CRC)


def definition(name: str) -> bytes:
    """The definition message of `name`'s one layout (little-endian), for its local type."""
    number, fields = MESSAGES[name]
    head = struct.pack("<BBBHB", 0x40 | LOCAL[name], 0, 0, number, len(fields))
    return head + b"".join(struct.pack("<BBB", n, BASE_SIZE[base], base) for n, base, _, _ in fields.values())


def rows(name: str, n: int, values: Mapping[str, float | np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """`n` data messages of `name` as an (n, bytes) uint8 array, and which of them are bad (a value
    its field cannot hold: negative, too big, or its invalid value). Each field's value: a number
    for all, or an array of n; NaN, or a field not given, is "no value" (its invalid value).
    Encoded as fit-tool does: int(value), or round((value + offset) * scale) (numpy's rint rounds
    a half to even, as Python's round)."""
    import numpy as np

    fields = MESSAGES[name][1]
    out = np.zeros(n, dtype=[("header", "u1")] + [(f, _NUMPY_TYPE[spec[1]]) for f, spec in fields.items()])
    out["header"] = LOCAL[name]
    bad = np.zeros(n, dtype=bool)
    for field, (_, base, scale, offset) in fields.items():
        invalid, top = INVALID[base], (1 << 8 * BASE_SIZE[base]) - 1
        value = np.asarray(values.get(field, np.nan))
        if value.dtype.kind in "iu" and scale == 1 and offset == 0:  # (whole numbers: as they are)
            raw, missing = value, np.zeros(value.shape, dtype=bool)
        else:
            value = value.astype(np.float64, copy=False)
            missing = np.isnan(value)
            raw = np.trunc(value) if scale == 1 and offset == 0 else np.rint((value + offset) * scale)
        wrong = ~missing & ((raw < 0) | (raw > top) | (raw == invalid if invalid else False))
        bad |= wrong
        out[field] = np.where(missing | wrong, invalid, raw)
    return out.view(np.uint8).reshape(n, -1), bad


def files(bodies: Sequence[bytes]) -> list[bytes]:
    """Whole FIT files from their messages: each with its header and CRCs."""
    headed = [header(len(body)) + body for body in bodies]
    return [f + crc.to_bytes(2, "little") for f, crc in zip(headed, crc16_many(headed), strict=True)]


@functools.cache
def header(data_size: int) -> bytes:
    """The file header, with its CRC, of a file of `data_size` bytes of messages."""
    head = _HEADER.pack(HEADER_SIZE, PROTOCOL_VERSION, PROFILE_VERSION, data_size, b".FIT")
    return head + crc16(head).to_bytes(2, "little")


# ---------------------------------------------------------------- CRC


def _crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return table


CRC_TABLE = _crc_table()


def crc16(data: bytes, crc: int = 0) -> int:
    """FIT's CRC-16 (CRC-16/ARC: polynomial 0x8005 reflected, from 0), a byte at a time."""
    for byte in data:
        crc = (crc >> 8) ^ CRC_TABLE[(crc ^ byte) & 0xFF]
    return crc


_CHUNK = 128  # crc16_many cuts files into chunks of this many bytes


class _BulkCrc:
    """crc16 of many files at once, in numpy.

    The CRC (from 0, nothing XORed at the end) is linear: a message's CRC is the XOR of what each
    of its bytes gives alone, and a byte v followed by d zero bytes gives a value from a table of
    d and v. Zero bytes in front change nothing, so each file is padded in front to whole chunks:
    a chunk's CRC is a look-up per byte and an XOR reduction. And crc(A + B) = zeros(crc(A), len(B))
    ^ crc(B), where zeros(c, n) runs the CRC from c over n zero bytes, a linear map of c's two bytes:
    a file's CRC is the XOR of its chunks' CRCs, each run over the chunks after it
    (`after_low`/`after_high[k]`: over k chunks, by the low and the high byte)."""

    def __init__(self) -> None:
        import numpy as np

        table = np.array(CRC_TABLE, dtype=np.uint16)
        alone: list[np.ndarray] = [table]  # alone[d][v]: the CRC of byte v followed by d zero bytes
        for _ in range(_CHUNK - 1):
            alone.append((alone[-1] >> 8) ^ table[alone[-1] & 0xFF])
        self.by_position = np.array(alone[::-1]).ravel()  # [p * 256 + v]: v at position p of a chunk
        self.position = np.arange(_CHUNK, dtype=np.intp) * 256
        low, high = np.arange(256, dtype=np.uint16), np.arange(256, dtype=np.uint16) << 8
        self.after_low, self.after_high = low[None, :], high[None, :]
        for _ in range(_CHUNK):
            low, high = (low >> 8) ^ table[low & 0xFF], (high >> 8) ^ table[high & 0xFF]
        self.chunk_low, self.chunk_high = low, high  # over one chunk of zeros

    def after(self, chunks: int) -> tuple[np.ndarray, np.ndarray]:
        """The tables over 0 .. chunks - 1 chunks of zeros (grown to the longest file yet)."""
        import numpy as np

        if len(self.after_low) < chunks:
            low, high = list(self.after_low), list(self.after_high)
            while len(low) < chunks:
                low.append(self.chunk_low[low[-1] & 0xFF] ^ self.chunk_high[low[-1] >> 8])
                high.append(self.chunk_low[high[-1] & 0xFF] ^ self.chunk_high[high[-1] >> 8])
            self.after_low, self.after_high = np.array(low), np.array(high)
        return self.after_low, self.after_high

    def __call__(self, files: Sequence[bytes]) -> list[int]:
        import numpy as np

        counts = np.array([-(-len(f) // _CHUNK) or 1 for f in files], dtype=np.intp)  # chunks of each
        padded = b"".join(bytes(int(n) * _CHUNK - len(f)) + f for f, n in zip(files, counts, strict=True))
        data = np.frombuffer(padded, dtype=np.uint8).reshape(-1, _CHUNK)
        of_chunk = np.bitwise_xor.reduce(self.by_position[self.position + data], axis=1)
        ends = np.cumsum(counts)
        after = np.repeat(ends, counts) - 1 - np.arange(len(data))  # chunks after each in its file
        low, high = self.after(int(counts.max()))
        run = low[after, of_chunk & 0xFF] ^ high[after, of_chunk >> 8]
        return np.bitwise_xor.reduceat(run, ends - counts).tolist()


_bulk: _BulkCrc | None = None


def crc16_many(files: Sequence[bytes]) -> list[int]:
    """crc16 of each of `files` (a byte at a time in Python, ten years of records took seconds)."""
    global _bulk
    if not files:
        return []
    if _bulk is None:
        _bulk = _BulkCrc()
    return _bulk(files)
