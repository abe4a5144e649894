"""Display frames from the simulated device: raw display memory in, PNG and terminal out.

The simulated display models decode the real driver's bus traffic into pixels and the sim runner
saves that memory as it is (SSD1306 RAM, ST7789 RGB565 glass). Here it becomes PNGs, scaled up so
the 128x64 OLED is readable, or half-block characters in a terminal. No imaging library needed.
"""

from __future__ import annotations

import functools
import struct
import zlib
from pathlib import Path

Pixels = list[list[tuple[int, int, int]]]  # rows of RGB

_OLED_ON = (120, 220, 255)  # SSD1306 pixels are a pale blue on black
_OFF = (0, 0, 0)
DIGITS = "0123456789"
NOTICE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ "  # what a notice's title is written in (fascia.app.ui.message)
TEXT_CHARS = DIGITS + "abcdefghijklmnopqrstuvwxyz "  # the lower-case lines (a summary's "12 reps")
_LIT = 96  # a pixel whose R+G+B is above this is lit (a frame is decoded to RGB)


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


# quadrant characters indexed by lit bits: 1 top-left, 2 top-right, 4 bottom-left, 8 bottom-right
_QUADRANTS = " ▘▝▀▖▌▞▛▗▚▐▜▄▙▟█"


def to_terminal(rows: Pixels, max_width: int = 80) -> str:
    """Block-character rendering: 1x2 pixels per character (half blocks), or 2x2 (quadrants) when
    the display is wider than `max_width`; runs of empty lines are shown as one, so a tall
    display's mostly blank screens stay short."""
    lit = [[sum(p) > 96 for p in row] for row in rows]
    height, width = len(lit), len(lit[0]) if lit else 0
    step_x = 1 if width <= max_width else 2

    def on(x: int, y: int) -> bool:
        return y < height and x < width and lit[y][x]

    lines: list[str] = []
    for y in range(0, height, 2):
        chars = []
        for x in range(0, width, step_x):
            if step_x == 1:
                bits = on(x, y) * 3 + on(x, y + 1) * 12
            else:
                bits = on(x, y) + on(x + 1, y) * 2 + on(x, y + 1) * 4 + on(x + 1, y + 1) * 8
            chars.append(_QUADRANTS[bits])
        line = "".join(chars).rstrip()
        if line or (lines and lines[-1]):
            lines.append(line)
    return "\n".join(lines)


def lit_fraction(rows: Pixels) -> float:
    """Share of pixels that are not black: a blank frame is 0."""
    total = sum(len(r) for r in rows)
    return sum(1 for r in rows for p in r if sum(p) > _LIT) / total if total else 0.0


@functools.cache
def _glyph(char: str) -> frozenset[tuple[int, int]]:
    """The pixels (column, row) of `char` in the device's 8x8 font (the framebuf stand-in's)."""
    import importlib.util

    from host_tools import mpy

    spec = importlib.util.spec_from_file_location("_sim_framebuf", mpy.SIM_LIB / "framebuf.py")
    assert spec is not None and spec.loader is not None
    framebuf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(framebuf)
    fb = framebuf.FrameBuffer(bytearray(8), 8, 8, framebuf.MONO_VLSB)
    fb.text(char, 0, 0, 1)
    return frozenset((c, r) for r in range(8) for c in range(8) if fb.pixel(c, r))


def read_text(rows: Pixels, x: int, y: int, n: int, charset: str = DIGITS) -> str | None:
    """The `n` characters drawn in the device's font at (x, y), or None if a cell holds none of
    `charset`. A cell's glyph is its pixels of one colour on a background of another: the most
    common colour is tried as the background first, then the others (a glyph like "N" lights 34 of
    its 64 pixels, so dark text on a lit bar has more text than background)."""
    glyphs = {char: _glyph(char) for char in charset}
    out = ""
    for i in range(n):
        cell = [[rows[y + r][x + 8 * i + c] for c in range(8)] for r in range(8)]
        colours: dict[tuple[int, int, int], int] = {}
        for row in cell:
            for p in row:
                colours[p] = colours.get(p, 0) + 1
        for background in sorted(colours, key=lambda p: -colours[p]):
            lit = frozenset((c, r) for r in range(8) for c in range(8) if cell[r][c] != background)
            found = [char for char, glyph in glyphs.items() if glyph == lit]
            if len(found) == 1:
                out += found[0]
                break
        else:
            return None
    return out


def notice_title(rows: Pixels) -> str | None:
    """The title of the notice on screen (dark text on the lit bar fascia.app.ui.message draws at the
    top), or None if the screen shows no notice."""
    if not rows or sum(rows[0][0]) <= _LIT:
        return None
    title = read_text(rows, 1, 1, (len(rows[0]) - 1) // 8, NOTICE_CHARS)
    return title.rstrip() or None if title is not None else None
