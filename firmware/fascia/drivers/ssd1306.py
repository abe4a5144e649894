"""SSD1306 128x64 monochrome OLED over I2C, as a framebuf.FrameBuffer (MONO_VLSB matches its RAM).

Draw with the FrameBuffer methods, then `show()` sends the 8-row pages that changed since the last
`show()` (each run of changed pages in one transfer; all of them the first time; which changed:
fascia.drivers.panel): a full frame is 1,030 bytes, ~23 ms of 400 kHz I2C, a changed count ~5
pages. Each I2C write starts with a
control byte: 0x00 = the rest are commands, 0x40 = the rest are display data, which is exactly
`writeto_mem(addr, control, payload)`.
"""

from array import array

import framebuf
from micropython import const

from fascia.drivers.panel import changed, run_end

_CTRL_CMD = const(0x00)
_CTRL_DATA = const(0x40)
_SET_CONTRAST = const(0x81)
_SET_NORM_INV = const(0xA6)
_SET_DISP = const(0xAE)
_SET_COL_ADDR = const(0x21)
_SET_PAGE_ADDR = const(0x22)


class SSD1306(framebuf.FrameBuffer):
    def __init__(self, i2c, addr=0x3C, width=128, height=64, external_vcc=False):
        self.i2c = i2c
        self.addr = addr
        self.width = width
        self.height = height
        self.buffer = bytearray(width * height // 8)
        super().__init__(self.buffer, width, height, framebuf.MONO_VLSB)
        col0 = (128 - width) // 2  # narrow panels use the centre columns
        self._window = bytearray((_SET_COL_ADDR, col0, col0 + width - 1, _SET_PAGE_ADDR, 0, height // 8 - 1))
        self._cmd1 = bytearray(2)
        self._pages = array("i", [-1] * (height // 8))  # hash of each page as last sent (-1: never)
        self._write_cmds(
            bytes(
                (
                    _SET_DISP,  # off while configuring
                    0x20, 0x00,  # horizontal addressing: data fills columns, then pages
                    0x40,  # start line 0
                    0xA1,  # column 127 -> SEG0 (with 0xC8: upright on the usual modules)
                    0xA8, height - 1,  # multiplex ratio
                    0xC8,  # scan COM[N-1] -> COM0
                    0xD3, 0x00,  # no display offset
                    0xDA, 0x02 if width > 2 * height else 0x12,  # COM pins layout
                    0xD5, 0x80,  # clock divide / oscillator
                    0xD9, 0x22 if external_vcc else 0xF1,  # pre-charge
                    0xDB, 0x30,  # VCOMH deselect 0.83 Vcc
                    _SET_CONTRAST, 0xFF,
                    0xA4,  # display follows RAM
                    _SET_NORM_INV,
                    0x8D, 0x10 if external_vcc else 0x14,  # charge pump
                    _SET_DISP | 1,
                )
            )
        )  # fmt: skip
        self.fill(0)
        self.show()

    def _write_cmds(self, cmds):
        self.i2c.writeto_mem(self.addr, _CTRL_CMD, cmds)

    def _cmd(self, cmd, arg):
        self._cmd1[0] = cmd
        self._cmd1[1] = arg
        self._write_cmds(self._cmd1)

    def show(self):
        """Send the pages of the framebuffer that changed since the last show to the panel."""
        pages = len(self._pages)
        dirty = changed(self.buffer, self._pages, pages, self.width)  # type: ignore[arg-type]
        if not dirty:
            return
        w = self.width
        window = self._window
        p = 0
        while p < pages:
            if dirty >> p & 1:
                q = run_end(dirty, p, pages)
                window[4] = p
                window[5] = q
                self._write_cmds(window)
                self.i2c.writeto_mem(self.addr, _CTRL_DATA, memoryview(self.buffer)[p * w : (q + 1) * w])
                p = q
            p += 1

    def poweron(self, on=True):
        self._write_cmds(b"\xaf" if on else b"\xae")

    def contrast(self, level):
        self._cmd(_SET_CONTRAST, level)

    def invert(self, inverted):
        self._write_cmds(b"\xa7" if inverted else b"\xa6")
