"""Display frames from the simulated device: PBM/PPM in (what the sim writes), PNG and terminal out.

The simulated display models decode the real driver's bus traffic into pixels and the sim runner
saves them as PBM (1-bit OLED) or PPM (colour LCD). Here they become PNGs, scaled up so the
128x64 OLED is readable, or half-block characters in a terminal. No imaging library needed.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

Pixels = list[list[tuple[int, int, int]]]  # rows of RGB

_OLED_ON = (120, 220, 255)  # SSD1306 pixels are a pale blue on black
_OFF = (0, 0, 0)


def _tokens(data: bytes, count: int) -> tuple[list[bytes], int]:
    """The first `count` whitespace-separated header tokens and the offset after them."""
    tokens, i = [], 0
    while len(tokens) < count:
        while data[i : i + 1].isspace():
            i += 1
        if data[i : i + 1] == b"#":
            i = data.index(b"\n", i)
            continue
        j = i
        while not data[j : j + 1].isspace():
            j += 1
        tokens.append(data[i:j])
        i = j
    return tokens, i + 1


def read_pnm(path: Path | str) -> Pixels:
    """Read a binary PBM (P4) or PPM (P6, maxval 255) file into RGB rows."""
    data = Path(path).read_bytes()
    if data[:2] == b"P4":
        (_, w, h), off = _tokens(data, 3)
        width, height = int(w), int(h)
        stride = (width + 7) // 8
        rows = []
        for y in range(height):
            line = data[off + y * stride : off + (y + 1) * stride]
            rows.append([_OLED_ON if line[x >> 3] & (0x80 >> (x & 7)) else _OFF for x in range(width)])
        return rows
    if data[:2] == b"P6":
        (_, w, h, _maxval), off = _tokens(data, 4)
        width, height = int(w), int(h)
        px = data[off:]
        return [
            [tuple(px[(y * width + x) * 3 : (y * width + x) * 3 + 3]) for x in range(width)]
            for y in range(height)
        ]
    raise ValueError(f"{path}: not a binary PBM/PPM frame")


def write_png(path: Path | str, rows: Pixels, scale: int = 4) -> Path:
    """Write RGB rows as a PNG, each pixel a `scale` x `scale` square."""
    height, width = len(rows), len(rows[0])
    raw = bytearray()
    for row in rows:
        line = bytearray(b"\x00")  # filter: none
        for rgb in row:
            line += bytes(rgb) * scale
        raw += bytes(line) * scale

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    png = b"\x89PNG\r\n\x1a\n"
    png += chunk(b"IHDR", struct.pack(">IIBBBBB", width * scale, height * scale, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(bytes(raw), 6))
    png += chunk(b"IEND", b"")
    out = Path(path)
    out.write_bytes(png)
    return out


def to_terminal(rows: Pixels) -> str:
    """Half-block rendering: two pixel rows per text line, lit pixels as blocks."""
    lines = []
    for y in range(0, len(rows), 2):
        top = rows[y]
        bottom = rows[y + 1] if y + 1 < len(rows) else [_OFF] * len(top)
        chars = []
        for a, b in zip(top, bottom, strict=True):
            up, down = sum(a) > 96, sum(b) > 96
            chars.append("█" if up and down else "▀" if up else "▄" if down else " ")
        lines.append("".join(chars).rstrip())
    return "\n".join(lines)


def lit_fraction(rows: Pixels) -> float:
    """Share of pixels that are not black: a blank frame is 0."""
    total = sum(len(r) for r in rows)
    return sum(1 for r in rows for p in r if sum(p) > 96) / total if total else 0.0
