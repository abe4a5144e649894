# Driver for test_drivers.py: what the simulated panel shows while the app runs a session.
# argv: board, trace (binary or CSV), seconds, the simulated flash's folder. At every look the app
# takes at its screen (10 a second while training), the panel's memory, as its model decoded it
# from the bus, must be exactly the screen drawn afresh from the session's state at that moment:
# the app sends a frame whenever what it shows has changed and the driver's partial updates leave
# nothing stale.
import json
import os
import sys

import framebuf
import sim_local
from sim_board import make

from fascia.app.main import App
from fascia.app.ui import Screen

BOARD, TRACE, SECONDS = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.chdir(sys.argv[4])  # the log and today's totals go to the simulated flash


def out(name, value):
    print(json.dumps([name, value]))


board = make({"board": BOARD, "trace": TRACE})
panel = sim_local.PANEL[0]
clock = board.sim_clock
w, h = board.width, board.height
fmt = framebuf.MONO_VLSB if BOARD == "devkit" else framebuf.MONO_HLSB
ref_buf = bytearray(len(board.display.buffer))
ref = framebuf.FrameBuffer(ref_buf, w, h, fmt)
ref_screen = Screen(ref, w, h)
FG, BG = 0xFFE0, 0x0000  # the simulated M5StickC's colours (sim_board)
row_buf = bytearray(2 * w)  # a reference row as the ST7789 receives it: RGB565, big-endian
row = framebuf.FrameBuffer(row_buf, w, 1, framebuf.RGB565)
palette = framebuf.FrameBuffer(bytearray(4), 2, 1, framebuf.RGB565)
palette.pixel(0, 0, ((BG & 0xFF) << 8) | (BG >> 8))
palette.pixel(1, 0, ((FG & 0xFF) << 8) | (FG >> 8))

shows = [0]
show = board.display.show


def counted_show():
    shows[0] += 1
    show()


board.display.show = counted_show


def mismatches():
    """Bytes (SSD1306) or rows (ST7789) where the panel differs from the reference screen."""
    if BOARD == "devkit":
        glass = panel.frame()
        return sum(1 for i in range(len(ref_buf)) if glass[i] != ref_buf[i])
    bad = 0
    glass = panel.frame
    for y in range(h):
        row.blit(ref, 0, -y, -1, palette)
        bad += glass[2 * w * y : 2 * w * (y + 1)] != row_buf
    return bad


app = App(board)
app.trainer.recorder.set_rate(1000)
app.start(0)
looks = 0
bad_looks = 0
counts = set()
due = 0
while clock.now < SECONDS * 1000:
    clock.now = max(clock.now + 1, due)
    before = app._next_frame
    due = app.step(clock.now)
    if app._next_frame != before:  # the app looked at its screen at this step
        looks += 1
        ref_screen.training(app.trainer, clock.now, app.battery)
        if mismatches():
            bad_looks += 1
        counts.add(app.trainer.det.count)
app.stop(clock.now)
app.draw(clock.now)
ref_screen.summary(app.trainer.kind, *app.trainer.result, app.battery)
out("session", [looks, bad_looks, shows[0], len(counts), app.trainer.det.count, mismatches()])
