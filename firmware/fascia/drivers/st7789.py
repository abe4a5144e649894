"""ST7789V2 135x240 colour LCD (M5StickC Plus) on SPI, drawn as a 1-bit framebuf.FrameBuffer.

Memory: a full RGB565 frame is 135*240*2 = 64,800 bytes, the whole of our 64 KB heap budget. So the
drawing surface is MONO_HLSB (17 bytes x 240 rows = 4,080 bytes) with two colours, `fg` (pixels set
to 1) and `bg` (0). `show()` expands it band by band (8 rows at a time, <= 3,840 bytes) into RGB565
with `blit(..., palette)`, which runs in C on MicroPython, and streams each band over SPI; only the
15-row groups that changed since the last `show()` are sent (all of them the first time; which
changed: fascia.drivers.panel). The same
1-bit API as the SSD1306 keeps screen code display-agnostic; a GS4 surface (16 colours, 16 KB) would
be the next step if the UI ever needs more than two colours at once.

Wire protocol: DC low = command byte, DC high = its parameters / pixel data; CS low frames a
transfer. Pixels are RGB565 big-endian; framebuf stores RGB565 little-endian, so the palette holds
byte-swapped colours and the band buffer goes out as is.

Rotation: 0/2 portrait (135x240), 1/3 landscape (240x135), via MADCTL. The panel sits at an offset in
the controller's 240x320 memory; the offsets per rotation are those used for this panel by TFT_eSPI.
"""

import time
from array import array

import framebuf
from micropython import const

from fascia.drivers.panel import changed, run_end

_SWRESET = const(0x01)
_SLPOUT = const(0x11)
_NORON = const(0x13)
_INVON = const(0x21)
_DISPOFF = const(0x28)
_DISPON = const(0x29)
_CASET = const(0x2A)
_RASET = const(0x2B)
_RAMWR = const(0x2C)
_MADCTL = const(0x36)
_COLMOD = const(0x3A)
_COLMOD_565 = const(0x55)
_MADCTL_BGR = const(0x08)
_BAND_ROWS = const(2)  # rows per SPI write: 540 B of RGB565, small enough for a 64 KB heap
_GROUP_ROWS = const(15)  # rows per hash (divides 240 and 135): what changed is sent in whole groups

# rotation -> (MADCTL, column offset, row offset); MADCTL bits: MY 0x80, MX 0x40, MV 0x20
_ROTATIONS = ((0x00, 52, 40), (0x60, 40, 53), (0xC0, 53, 40), (0xA0, 40, 52))


def color565(r, g, b):
    """8-bit R, G, B -> RGB565."""
    return ((r & 0xF8) << 8) | ((g & 0xFC) << 3) | (b >> 3)


class ST7789(framebuf.FrameBuffer):
    def __init__(self, spi, dc, cs, rst=None, rotation=0, bgr=False, fg=0xFFFF, bg=0x0000):
        self.spi = spi
        self.dc = dc
        self.cs = cs
        madctl, self._x0, self._y0 = _ROTATIONS[rotation & 3]
        self.width, self.height = (240, 135) if rotation & 1 else (135, 240)
        self.buffer = bytearray((self.width + 7) // 8 * self.height)
        super().__init__(self.buffer, self.width, self.height, framebuf.MONO_HLSB)
        self._band_buf = bytearray(self.width * _BAND_ROWS * 2)
        self._band = framebuf.FrameBuffer(self._band_buf, self.width, _BAND_ROWS, framebuf.RGB565)
        self._palette = framebuf.FrameBuffer(bytearray(4), 2, 1, framebuf.RGB565)
        self._byte = bytearray(1)
        self._quad = bytearray(4)
        self._pages = array(
            "i", [-1] * (self.height // _GROUP_ROWS)
        )  # hash of each group as sent (-1: never)
        self.set_colors(fg, bg)
        cs.value(1)
        if rst is not None:
            rst.value(0)
            time.sleep(0.01)
            rst.value(1)
        self._command(_SWRESET)
        time.sleep(0.15)
        self._command(_SLPOUT)
        time.sleep(0.01)
        self._command(_COLMOD, _COLMOD_565)
        self._command(_MADCTL, madctl | (_MADCTL_BGR if bgr else 0))
        self._command(_INVON)  # this IPS panel shows true colours with inversion on
        self._command(_NORON)
        self.fill(0)
        self.show()
        self._command(_DISPON)

    def set_colors(self, fg, bg):
        """RGB565 colours of 1 and 0 pixels for the next `show()`."""
        self._palette.pixel(0, 0, ((bg & 0xFF) << 8) | (bg >> 8))
        self._palette.pixel(1, 0, ((fg & 0xFF) << 8) | (fg >> 8))
        for i in range(len(self._pages)):  # every pixel's colour changes: send them all
            self._pages[i] = -1

    def _command(self, cmd, arg=None):
        self.cs.value(0)
        self.dc.value(0)
        self._byte[0] = cmd
        self.spi.write(self._byte)
        if arg is not None:
            self.dc.value(1)
            self._byte[0] = arg
            self.spi.write(self._byte)
        self.cs.value(1)

    def _window(self, cmd, start, end):
        q = self._quad
        q[0], q[1], q[2], q[3] = start >> 8, start & 0xFF, end >> 8, end & 0xFF
        self.cs.value(0)
        self.dc.value(0)
        self._byte[0] = cmd
        self.spi.write(self._byte)
        self.dc.value(1)
        self.spi.write(q)
        self.cs.value(1)

    def show(self):
        """Expand the rows of the 1-bit frame that changed since the last show to RGB565, band by
        band, and send them to the panel."""
        w = self.width
        groups = len(self._pages)
        dirty = changed(self.buffer, self._pages, groups, (w + 7) // 8 * _GROUP_ROWS)  # type: ignore[arg-type]
        if not dirty:
            return
        self._window(_CASET, self._x0, self._x0 + w - 1)
        band = memoryview(self._band_buf)
        g = 0
        while g < groups:
            if dirty >> g & 1:
                last = run_end(dirty, g, groups)
                top = g * _GROUP_ROWS
                end = (last + 1) * _GROUP_ROWS
                self._window(_RASET, self._y0 + top, self._y0 + end - 1)
                self.cs.value(0)
                self.dc.value(0)
                self._byte[0] = _RAMWR
                self.spi.write(self._byte)
                self.dc.value(1)
                for y in range(top, end, _BAND_ROWS):
                    self._band.blit(self, 0, -y, -1, self._palette)
                    rows = min(_BAND_ROWS, end - y)
                    self.spi.write(band[: rows * w * 2] if rows < _BAND_ROWS else band)
                self.cs.value(1)
                g = last
            g += 1

    def poweron(self, on=True):
        self._command(_DISPON if on else _DISPOFF)
