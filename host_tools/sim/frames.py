"""Display frames from the simulated device: raw display memory in, PNG and terminal out.

The simulated display models decode the real driver's bus traffic into pixels and the sim runner
saves that memory as it is (SSD1306 RAM, ST7789 RGB565 glass). Here it becomes PNGs, scaled up so
the 128x64 OLED is readable, or half-block characters in a terminal. No imaging library needed.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

Pixels = list[list[tuple[int, int, int]]]  # rows of RGB

_OLED_ON = (120, 220, 255)  # SSD1306 pixels are a pale blue on black
_OFF = (0, 0, 0)


def decode(data: bytes, kind: str, width: int, height: int) -> Pixels:
    """Raw display memory -> RGB rows. kind "vlsb": SSD1306 RAM (a byte per 8 vertical pixels, page
    by page); "rgb565": ST7789 glass, big-endian RGB565 per pixel, row by row."""
    if kind == "vlsb":
        return [
            [_OLED_ON if data[(y >> 3) * width + x] >> (y & 7) & 1 else _OFF for x in range(width)]
            for y in range(height)
        ]
    if kind == "rgb565":
        rows = []
        for y in range(height):
            row = []
            for x in range(width):
                v = data[(y * width + x) * 2] << 8 | data[(y * width + x) * 2 + 1]
                row.append(((v >> 11) * 255 // 31, (v >> 5 & 63) * 255 // 63, (v & 31) * 255 // 31))
            rows.append(row)
        return rows
    raise ValueError(f"unknown frame kind {kind!r}")


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
