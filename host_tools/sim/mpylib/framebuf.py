"""Pure-Python stand-in for MicroPython's `framebuf`, for CPython only (tests and the simulator).

MicroPython always uses its built-in `framebuf` (a .py of that name never shadows it), so this file
only matters when drivers run under CPython. Pixel layouts match the C module byte for byte, and the
8x8 font below was dumped from the real `framebuf.text()`, so text renders identically on both.
Slow (every primitive goes through `pixel`), which is fine for tests.
"""

MONO_VLSB = 0
MVLSB = 0
RGB565 = 1
GS4_HMSB = 2
MONO_HLSB = 3
MONO_HMSB = 4
GS2_HMSB = 5
GS8 = 6

# chars 32..127, 8 column bytes each (bit 0 = top row)
_FONT = bytes.fromhex(
    "00000000000000000000004f4f0000000007070000070700147f7f14147f7f1400242e6b6b3a1200006333180c666300"
    "00327f4d4d777250000000040603010000001c3e63410000000041633e1c0000082a3e1c1c3e2a080008083e3e080800"
    "000080e0600000000008080808080800000000606000000000406030180c0602003e7f49457f3e000040447f7f404000"
    "00627351494f460000226349497f360000181814167f7f1000276745457d3900003e7f49497b3200000303797d070300"
    "00367f49497f360000266f49497f3e000000002424000000000080e46400000000081c36634141000014141414141400"
    "00414163361c080000020351590f0600003e7f414d4f2e00007c7e0b0b7e7c00007f7f49497f3600003e7f4141632200"
    "007f7f41633e1c00007f7f4949414100007f7f0909010100003e7f41497b3a00007f7f08087f7f000000417f7f410000"
    "002060417f3f0100007f7f1c36634100007f7f4040404000007f7f060c067f7f007f7f0e1c7f7f00003e7f41417f3e00"
    "007f7f09090f0600001e3f21617f5e00007f7f19396f460000266f49497b32000001017f7f010100003f7f40407f3f00"
    "001f3f60603f1f00007f7f3018307f7f0063771c1c77630000070f78780f0700006171594d47430000007f7f41410000"
    "0002060c18306040000041417f7f000000080c06060c0800c0c0c0c0c0c0c0c0000001030604000000207454547c7800"
    "007f7f44447c380000387c44446c280000387c44447f7f0000387c54545c580000087e7f090302000098bca4a4fc7c00"
    "007f7f04047c78000000007d7d0000000040c08080fd7d00007f7f30386c44000000417f7f400000007c7c1830187c7c"
    "007c7c04047c780000387c44447c380000fcfc24243c180000183c2424fcfc00007c7c04040c080000485c5454742000"
    "04043f7f44642000003c7c40407c3c00001c3c60603c1c00001c7c3018307c1c00446c38386c4400009cbca0a0fc7c00"
    "004464745c4c44000008083e77414100000000ffff000000004141773e0808000002030103020301aa55aa55aa55aa55"
)


class FrameBuffer:
    """Same constructor and drawing API as MicroPython's FrameBuffer (the subset our drivers use)."""

    def __init__(self, buffer, width, height, format, stride=None):
        self.buf = buffer
        self.width = width
        self.height = height
        self.format = format
        self.stride = width if stride is None else stride
        if format in (MONO_HLSB, MONO_HMSB):
            self.stride = (self.stride + 7) & ~7

    def _get(self, x, y):
        buf, fmt, stride = self.buf, self.format, self.stride
        if fmt == MONO_VLSB:
            return (buf[(y >> 3) * stride + x] >> (y & 7)) & 1
        if fmt == MONO_HLSB:
            return (buf[(y * stride + x) >> 3] >> (7 - (x & 7))) & 1
        if fmt == MONO_HMSB:
            return (buf[(y * stride + x) >> 3] >> (x & 7)) & 1
        if fmt == RGB565:
            i = (y * stride + x) * 2
            return buf[i] | (buf[i + 1] << 8)
        if fmt == GS4_HMSB:
            v = buf[(y * stride + x) >> 1]
            return (v >> 4) if x & 1 == 0 else v & 0x0F
        if fmt == GS2_HMSB:
            shift = (x & 3) * 2
            return (buf[(y * stride + x) >> 2] >> shift) & 3
        return buf[y * stride + x]

    def _set(self, x, y, c):
        buf, fmt, stride = self.buf, self.format, self.stride
        if fmt == MONO_VLSB:
            i, bit = (y >> 3) * stride + x, 1 << (y & 7)
        elif fmt == MONO_HLSB:
            i, bit = (y * stride + x) >> 3, 0x80 >> (x & 7)
        elif fmt == MONO_HMSB:
            i, bit = (y * stride + x) >> 3, 1 << (x & 7)
        elif fmt == RGB565:
            i = (y * stride + x) * 2
            buf[i] = c & 0xFF
            buf[i + 1] = (c >> 8) & 0xFF
            return
        elif fmt == GS4_HMSB:
            i = (y * stride + x) >> 1
            if x & 1 == 0:
                buf[i] = (buf[i] & 0x0F) | ((c & 0x0F) << 4)
            else:
                buf[i] = (buf[i] & 0xF0) | (c & 0x0F)
            return
        elif fmt == GS2_HMSB:
            i, shift = (y * stride + x) >> 2, (x & 3) * 2
            buf[i] = (buf[i] & ~(3 << shift) & 0xFF) | ((c & 3) << shift)
            return
        else:
            buf[y * stride + x] = c & 0xFF
            return
        buf[i] = (buf[i] | bit) if c & 1 else (buf[i] & ~bit & 0xFF)

    def pixel(self, x, y, c=None):
        if not (0 <= x < self.width and 0 <= y < self.height):
            return None
        if c is None:
            return self._get(x, y)
        self._set(x, y, c)
        return None

    def fill_rect(self, x, y, w, h, c):
        for yy in range(max(y, 0), min(y + h, self.height)):
            for xx in range(max(x, 0), min(x + w, self.width)):
                self._set(xx, yy, c)

    def fill(self, c):
        self.fill_rect(0, 0, self.width, self.height, c)

    def hline(self, x, y, w, c):
        self.fill_rect(x, y, w, 1, c)

    def vline(self, x, y, h, c):
        self.fill_rect(x, y, 1, h, c)

    def rect(self, x, y, w, h, c, f=False):
        if f:
            self.fill_rect(x, y, w, h, c)
            return
        self.fill_rect(x, y, w, 1, c)
        self.fill_rect(x, y + h - 1, w, 1, c)
        self.fill_rect(x, y, 1, h, c)
        self.fill_rect(x + w - 1, y, 1, h, c)

    def line(self, x1, y1, x2, y2, c):
        dx, dy = abs(x2 - x1), -abs(y2 - y1)
        sx, sy = (1 if x2 >= x1 else -1), (1 if y2 >= y1 else -1)
        err = dx + dy
        while True:
            self.pixel(x1, y1, c)
            if x1 == x2 and y1 == y2:
                return
            e2 = 2 * err
            if e2 >= dy:
                err += dy
                x1 += sx
            if e2 <= dx:
                err += dx
                y1 += sy

    def text(self, s, x, y, c=1):
        for ch in s:
            code = ord(ch)
            if code < 32 or code > 127:
                code = 127
            base = (code - 32) * 8
            for col in range(8):
                bits = _FONT[base + col]
                for row in range(8):
                    if (bits >> row) & 1:
                        self.pixel(x + col, y + row, c)
            x += 8

    def blit(self, fbuf, x, y, key=-1, palette=None):
        for sy in range(max(0, -y), min(fbuf.height, self.height - y)):
            for sx in range(max(0, -x), min(fbuf.width, self.width - x)):
                dx, dy = x + sx, y + sy
                c = fbuf._get(sx, sy)
                if c == key:
                    continue
                if palette is not None:
                    c = palette._get(c, 0)
                self._set(dx, dy, c)

    def scroll(self, xstep, ystep):
        w, h = self.width, self.height
        ys = range(h - 1, -1, -1) if ystep > 0 else range(h)
        xs = range(w - 1, -1, -1) if xstep > 0 else range(w)
        for yy in ys:
            for xx in xs:
                sx, sy = xx - xstep, yy - ystep
                if 0 <= sx < w and 0 <= sy < h:
                    self._set(xx, yy, self._get(sx, sy))
