"""Model of an ST7789 LCD controller on SPI with a 135x240 panel (M5StickC Plus wiring).

`spi`, `dc`, `cs` and `rst` are the objects the driver gets: bytes written while CS is high are
ignored (not selected); DC low = command, DC high = parameters or pixel data; RST low resets the
controller. Decoded: SWRESET, SLPIN/SLPOUT, NORON, INVOFF/INVON, DISPOFF/DISPON, MADCTL, COLMOD,
CASET, RASET, RAMWR (parameters of other commands are accepted and kept in `params`).

Memory model: the controller has 240x320 pixels; the glass shows columns 52..186 and rows 40..279
of it. An address (column, row) from CASET/RASET maps to memory through MADCTL: MV exchanges
column and row, MX mirrors the column (239 - c), MY the row (319 - r). This mapping reproduces the
offsets TFT_eSPI uses for this panel in all four rotations. `frame` holds only the glass (135x240
RGB565, big-endian as sent); `pixel(x, y)` reads it in portrait glass coordinates.
"""

from sim_pins import SimPin

_MEM_W = 240
_MEM_H = 320


class _SPI:
    def __init__(self, lcd):
        self.lcd = lcd

    def init(self, *args, **kw):
        pass

    def write(self, buf):
        self.lcd._spi_write(buf)


class SimST7789:
    def __init__(self, width=135, height=240, col0=52, row0=40):
        self.width = width
        self.height = height
        self.col0 = col0
        self.row0 = row0
        self.frame = bytearray(width * height * 2)
        self.spi = _SPI(self)
        self.dc = SimPin(0)
        self.cs = SimPin(1)
        self.rst = SimPin(1, on_change=self._rst_changed)
        self.params = {}
        self.commands = 0  # command bytes seen
        self.pixels_written = 0
        self._reset()

    def _rst_changed(self, level):
        if level == 0:
            self._reset()

    def _reset(self):
        self.sleeping = True
        self.display_on = False
        self.inverted = False
        self.madctl = 0
        self.colmod = 0x66
        self.xs, self.xe = 0, _MEM_W - 1
        self.ys, self.ye = 0, _MEM_H - 1
        self._cmd = None
        self._args = bytearray()
        self._half = -1  # first byte of a pixel split across writes
        self._c, self._r = 0, 0  # RAMWR address pointer

    # ---- bus side
    def _spi_write(self, buf):
        if self.cs.level:
            return
        if not self.dc.level:
            for b in buf:
                self._command(b)
        elif self._cmd == 0x2C:
            self._pixels(buf)
        else:
            for b in buf:
                self._param(b)

    def _command(self, b):
        self._cmd = b
        self._args = bytearray()
        self._half = -1
        self.commands += 1
        if b == 0x01:
            self._reset()
        elif b in (0x10, 0x11):
            self.sleeping = b == 0x10
        elif b in (0x20, 0x21):
            self.inverted = b == 0x21
        elif b in (0x28, 0x29):
            self.display_on = b == 0x29
        elif b == 0x2C:
            if self.colmod & 7 != 5:
                raise ValueError(f"ST7789 model: RAMWR needs 16-bit COLMOD, not 0x{self.colmod:02x}")
            self._c, self._r = self.xs, self.ys

    def _param(self, b):
        self._args.append(b)
        a, cmd = self._args, self._cmd
        self.params[cmd] = bytes(a)
        if cmd == 0x36 and len(a) == 1:
            self.madctl = a[0]
        elif cmd == 0x3A and len(a) == 1:
            self.colmod = a[0]
        elif cmd == 0x2A and len(a) == 4:
            self.xs, self.xe = (a[0] << 8) | a[1], (a[2] << 8) | a[3]
        elif cmd == 0x2B and len(a) == 4:
            self.ys, self.ye = (a[0] << 8) | a[1], (a[2] << 8) | a[3]

    def _pixels(self, buf):
        if self._half < 0 and not self.madctl & 0xE0 and not len(buf) & 1:
            self._rows_fast(buf)
            return
        i, n = 0, len(buf)
        if self._half >= 0 and n:
            self._store((self._half << 8) | buf[0])
            self._half = -1
            i = 1
        while i + 1 < n:
            self._store((buf[i] << 8) | buf[i + 1])
            i += 2
        if i < n:
            self._half = buf[i]

    def _rows_fast(self, buf):
        """Same result as _store per pixel, a row segment at a time (no rotation: MADCTL MV/MX/MY off)."""
        i, n = 0, len(buf)
        w = self.width
        while i < n:
            c, r = self._c, self._r
            run = min((n - i) // 2, self.xe - c + 1)
            x0, y = c - self.col0, r - self.row0
            lo, hi = max(x0, 0), min(x0 + run, w)
            if 0 <= y < self.height and lo < hi:
                o = (y * w + lo) * 2
                src = i + (lo - x0) * 2
                self.frame[o : o + (hi - lo) * 2] = buf[src : src + (hi - lo) * 2]
            i += run * 2
            self.pixels_written += run
            if c + run <= self.xe:
                self._c = c + run
            else:
                self._c = self.xs
                self._r = r + 1 if r < self.ye else self.ys

    def _store(self, color):
        c, r = self._c, self._r
        m = self.madctl
        pc, pr = (r, c) if m & 0x20 else (c, r)
        if m & 0x40:
            pc = _MEM_W - 1 - pc
        if m & 0x80:
            pr = _MEM_H - 1 - pr
        x, y = pc - self.col0, pr - self.row0
        if 0 <= x < self.width and 0 <= y < self.height:
            o = (y * self.width + x) * 2
            self.frame[o] = color >> 8
            self.frame[o + 1] = color & 0xFF
        self.pixels_written += 1
        if c < self.xe:
            self._c = c + 1
        else:
            self._c = self.xs
            self._r = r + 1 if r < self.ye else self.ys

    def glass(self):
        """What the panel shows (the simulator saves it): `frame` itself, not a copy."""
        return self.frame

    def pixel(self, x, y):
        """RGB565 colour on the glass at portrait coordinates (x right, y down)."""
        o = (y * self.width + x) * 2
        return (self.frame[o] << 8) | self.frame[o + 1]
