"""Model of an SSD1306 OLED on I2C: decodes the control/command/data byte stream into its RAM.

Each write transaction is a sequence of control bytes (Co bit 7: one byte follows and then another
control byte; D/C bit 6: data rather than command) and payload. Commands with arguments may span
transactions. Display data lands in `ram` (128 columns x 8 pages, MONO_VLSB layout, like the
driver's buffer) following the addressing mode (horizontal, vertical or page) and the column/page
windows. State kept for tests: on, contrast, inverted, seg_remap, com_flip, mux. A byte that is not
an SSD1306 command raises ValueError, so a driver bug shows up instead of a silently wrong frame.
"""

# command -> number of argument bytes (single-byte commands handled in _command)
_ARGS = {
    0x20: 1,  # memory addressing mode
    0x21: 2,  # column address window
    0x22: 2,  # page address window
    0x81: 1,  # contrast
    0x8D: 1,  # charge pump
    0xA8: 1,  # multiplex ratio
    0xAD: 1,  # IREF select
    0xD3: 1,  # display offset
    0xD5: 1,  # clock divide
    0xD9: 1,  # pre-charge
    0xDA: 1,  # COM pins
    0xDB: 1,  # VCOMH
}


class SimSSD1306:
    def __init__(self, width=128, height=64):
        self.width = width
        self.height = height
        self.pages = height // 8
        self.ram = bytearray(128 * self.pages)
        self.on = False
        self.contrast = 0x7F
        self.inverted = False
        self.seg_remap = False
        self.com_flip = False
        self.mux = 63
        self.mode = 2  # page addressing after reset
        self.col_start, self.col_end = 0, 127
        self.page_start, self.page_end = 0, self.pages - 1
        self.col, self.page = 0, 0
        self._pending = None
        self._args = bytearray()
        self.commands = 0
        self.data_bytes = 0

    # ---- bus side
    def write(self, data):
        i = 0
        n = len(data)
        while i < n:
            ctrl = data[i]
            i += 1
            if ctrl & 0x3F:
                raise ValueError(f"SSD1306: bad control byte 0x{ctrl:02x}")
            is_data = bool(ctrl & 0x40)
            end = min(i + 1, n) if ctrl & 0x80 else n
            if is_data and self.mode == 0:
                self._data_run(data, i, end)
            else:
                for b in data[i:end]:
                    if is_data:
                        self._data(b)
                    else:
                        self._byte(b)
            i = end

    def read_into(self, buf):
        for i in range(len(buf)):
            buf[i] = 0 if self.on else 0x40  # status: D6 = display off

    # ---- decoding
    def _byte(self, b):
        if self._pending is not None:
            self._args.append(b)
            if len(self._args) == _ARGS[self._pending]:
                cmd, self._pending = self._pending, None
                self._apply(cmd, self._args)
                self._args = bytearray()
            return
        self.commands += 1
        if b in _ARGS:
            self._pending = b
        else:
            self._single(b)

    def _single(self, b):
        if b in (0xAE, 0xAF):
            self.on = b == 0xAF
        elif b in (0xA6, 0xA7):
            self.inverted = b == 0xA7
        elif b in (0xA0, 0xA1):
            self.seg_remap = b == 0xA1
        elif b in (0xC0, 0xC8):
            self.com_flip = b == 0xC8
        elif b in (0xA4, 0xA5, 0xE3) or 0x40 <= b <= 0x7F:
            pass  # entire-on, NOP, start line: no effect on RAM
        elif b <= 0x0F:
            self.col = (self.col & 0xF0) | b
        elif b <= 0x1F:
            self.col = (self.col & 0x0F) | ((b & 0x0F) << 4)
        elif 0xB0 <= b <= 0xB7:
            self.page = b & 7
        else:
            raise ValueError(f"SSD1306: unknown command 0x{b:02x}")

    def _apply(self, cmd, a):
        if cmd == 0x20:
            self.mode = a[0] & 3
        elif cmd == 0x21:
            self.col_start, self.col_end = a[0] & 0x7F, a[1] & 0x7F
            self.col = self.col_start
        elif cmd == 0x22:
            self.page_start, self.page_end = a[0] & 7, a[1] & 7
            self.page = self.page_start
        elif cmd == 0x81:
            self.contrast = a[0]
        elif cmd == 0xA8:
            self.mux = a[0]

    def _data_run(self, data, i, end):
        """data[i:end] in horizontal addressing, a row of the column window at a time (the same
        result as `_data` per byte)."""
        while i < end:
            col, page = self.col, self.page
            k = min(end - i, self.col_end - col + 1) if col <= self.col_end else 1
            if page < self.pages:
                o = page * 128 + col
                self.ram[o : o + k] = data[i : i + k]
            self.data_bytes += k
            i += k
            if col + k - 1 < self.col_end:
                self.col = col + k
            else:
                self.col = self.col_start
                self.page = page + 1 if page < self.page_end else self.page_start

    def _data(self, b):
        self.data_bytes += 1
        if self.page < self.pages:
            self.ram[self.page * 128 + self.col] = b
        if self.mode == 0:  # horizontal
            if self.col < self.col_end:
                self.col += 1
            else:
                self.col = self.col_start
                self.page = self.page + 1 if self.page < self.page_end else self.page_start
        elif self.mode == 1:  # vertical
            if self.page < self.page_end:
                self.page += 1
            else:
                self.page = self.page_start
                self.col = self.col + 1 if self.col < self.col_end else self.col_start
        else:  # page mode: column wraps within the page
            self.col = (self.col + 1) & 0x7F

    def pixel(self, x, y):
        """RAM bit at column x, row y (1 = lit unless inverted)."""
        return (self.ram[(y >> 3) * 128 + x] >> (y & 7)) & 1

    def glass(self):
        """What the panel shows (the simulator saves it)."""
        return self.frame()

    def frame(self):
        """The visible window of RAM, in the driver's MONO_VLSB buffer layout."""
        col0 = (128 - self.width) // 2
        if self.width == 128:
            return bytes(self.ram)
        out = bytearray()
        for p in range(self.pages):
            out += self.ram[p * 128 + col0 : p * 128 + col0 + self.width]
        return bytes(out)
