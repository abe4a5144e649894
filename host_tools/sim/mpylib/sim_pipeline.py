"""Pipeline benchmark on the simulated board (run by host_tools/bench/pipeline.py under micropython).

Usage: micropython -m sim_pipeline TRACE.csv SECONDS ODR_HZ MODE BOARD [HW_PORT [BLE_PORT]], MODE
"app" (the whole app: FIFO drain, detector, session rules, log, display, and the session's end) or
"bare" (the same simulated sensor and bus, drained by a loop that does nothing with the samples);
with HW_PORT the chips are served by the host (host_tools/sim/hw_server.py) instead of living in
this heap; with BLE_PORT the board has its radio (host_tools/sim/ble_bridge.py) and the app runs
its Bluetooth service. Prints the interned-string (qstr) figures, then one JSON line: wall ms,
simulated ms, live heap.
"""

import gc
import json
import sys
import time

import micropython
from sim_board import make


def main(trace, seconds, odr, mode, board_name, hw_port=0, ble_port=0):
    board = make({"board": board_name, "trace": trace, "hw_port": hw_port, "ble_port": ble_port})
    radio = board.sim_radio
    clock = board.sim_clock
    end = seconds * 1000
    buf = None  # the bare loop's FIFO buffer (the app has its own)
    app = None
    if mode == "app":
        from fascia.app.main import App

        app = App(board)
        app.trainer.recorder.set_rate(odr)  # the bench's rate, whatever the activity's default
        app.start(0)
    else:
        board.imu.set_odr(odr)
        buf = bytearray(32 * board.imu.SAMPLE_BYTES)
    gc.collect()
    heap_min = gc.mem_alloc()
    heap_max = heap_min
    t0 = time.ticks_ms()
    while clock.now < end:
        clock.now += 2
        if radio is not None:
            radio.pump()
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
    count = 0
    if app is not None:
        app.stop(clock.now)  # the END record and the summary screen belong to a session too
        app.draw(clock.now)
        count = app.trainer.det.count
    wall = time.ticks_diff(time.ticks_ms(), t0)
    micropython.qstr_info()  # "qstr pool: n_pool=.., n_qstr=.., ...": the pools grow by doubling
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
    sys.argv[1],
    int(sys.argv[2]),
    int(sys.argv[3]),
    sys.argv[4],
    sys.argv[5],
    int(sys.argv[6]) if len(sys.argv) > 6 else 0,
    int(sys.argv[7]) if len(sys.argv) > 7 else 0,
)
