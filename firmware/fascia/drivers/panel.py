"""What the display drivers (fascia.drivers.ssd1306, fascia.drivers.st7789) share: which parts of
a frame changed since it was last sent, so that only those go over the bus.

A copy of the frame as sent would cost its size again in the heap (1 KB on the SSD1306, 4 KB on the
ST7789); instead a hash of each part is kept: FNV-1a in 30 bits, the same on 32- and 64-bit words.
A change of one byte always changes its part's hash; larger changes collide about once in 10^9.
"""

import micropython


@micropython.viper
def changed(buf: ptr8, out: ptr32, n: int, step: int) -> int:  # noqa: F821 (viper casts)
    """Hash each of the `n` consecutive `step`-byte parts of `buf`; returns a bit per part whose hash
    differs from the one in `out` (which is then updated; -1 there: never sent)."""
    dirty = 0
    o = 0
    for p in range(n):
        h = 0x011C9DC5
        for i in range(o, o + step):
            h = ((h ^ buf[i]) * 0x01000193) & 0x3FFFFFFF
        if out[p] != h:
            out[p] = h
            dirty |= 1 << p
        o += step
    return dirty


def run_end(dirty: int, first: int, n: int) -> int:
    """The last part of the run of changed parts (set bits of `dirty`, below n) from part `first`
    on: a run goes over the bus in one window."""
    last = first
    while last + 1 < n and dirty >> (last + 1) & 1:
        last += 1
    return last
