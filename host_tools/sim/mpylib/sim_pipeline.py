"""Pipeline benchmark on the simulated board (run by host_tools/bench/pipeline.py under micropython).

Usage: sim_pipeline.py TRACE.csv SECONDS ODR_HZ MODE [HW_PORT], MODE "app" (the whole app: FIFO
drain, detector, session rules, log, display) or "bare" (the same simulated sensor and bus, drained
by a loop that does nothing with the samples); with HW_PORT the chips are served by the host
(host_tools/sim/hw_server.py) instead of living in this heap. Prints one JSON line: wall ms,
simulated ms, live heap.
"""

import gc
import json
import sys
import time

from sim_board import make


def main(trace, seconds, odr, mode, hw_port=0):
    board = make({"board": "devkit", "trace": trace, "hw_port": hw_port})
    clock = board.sim_clock
    end = seconds * 1000
    buf = bytearray(32 * board.imu.SAMPLE_BYTES)
    app = None
    if mode == "app":
        from fascia.app.main import App

        app = App(board)
        app._period_us = board.imu.set_odr(odr)  # the bench's rate, whatever the activity's default
        app.start(0)
    else:
        board.imu.set_odr(odr)
    gc.collect()
    heap_min = gc.mem_alloc()
    heap_max = heap_min
    t0 = time.ticks_ms()
    while clock.now < end:
        clock.now += 2
        if app is not None:
            app.step(clock.now)
        else:
            while board.imu.read_chunk(buf):
                pass
        if clock.now % 1000 == 0:
            gc.collect()
            a = gc.mem_alloc()
            heap_min = min(heap_min, a)
            heap_max = max(heap_max, a)
    wall = time.ticks_diff(time.ticks_ms(), t0)
    count = app.det.count if app is not None else 0
    print(
        json.dumps(
            {
                "mode": mode,
                "wall_ms": wall,
                "sim_ms": end,
                "live_heap_min": heap_min,
                "live_heap_max": heap_max,
                "count": count,
            }
        )
    )


main(
    sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5]) if len(sys.argv) > 5 else 0
)
