"""Pipeline benchmark on the simulated board (run by host_tools/bench/pipeline.py under micropython).

Usage: micropython -m sim_pipeline TRACE SECONDS ODR_HZ MODE BOARD [HW_PORT [BLE_PORT]].
MODE "app": the whole app (FIFO drain, counter, session rules, log, display, and the session's
end), the garbage collected once a simulated second to keep the live heap's least and most: the
heap runs, which load nothing of the benchmark's own. "app:time": the same for speed (no
collection: a collection sweeps the whole heap, megabytes on the unix port, which would be most of
the instructions counted), with options after more colons (sim_ablate) that take a part away:
    sink     the display model only counts the bytes it is sent (no decoding into its memory):
             what is left is the firmware's own work, as on a board, where the panel is a chip
    nodraw   the app draws nothing (App.draw does nothing)
    nofeed   the counter is fed nothing (its feed_block returns at once)
    alloc    no collection during the session: report the bytes it allocated (a big heap needed)
"bare": the chips alone, i.e. the same simulated sensor making the same samples, read out over
the same bus as often as the app wakes (every 20 ms), by a loop that does nothing with them.
The app's loop runs as the device's (fascia.app.main.run): it steps again when it said it next
has work; with the radio (BLE_PORT) it steps every 2 ms, as the radio's traffic is pumped then.
With HW_PORT the chips are served by the host (host_tools/sim/hw_server.py) instead of living
in this heap; with BLE_PORT the board has its radio (host_tools/sim/ble_bridge.py) and the app
runs its Bluetooth service. Prints the interned-string (qstr) figures, then one JSON line: wall
ms, simulated ms, live heap (the heap runs), and for the others the frames sent to the display,
the bytes allocated ("alloc") and the samples the sensor made.
"""

import gc
import json
import sys
import time

import micropython
from sim_board import make


def main(trace, seconds, odr, mode, board_name, hw_port=0, ble_port=0):
    parts = mode.split(":")
    settings = {"board": board_name, "trace": trace, "hw_port": hw_port, "ble_port": ble_port}
    bench = None
    if mode != "app":  # (the heap runs load nothing of the benchmark's own)
        import sim_ablate as bench

        settings = bench.settings(parts, settings)
    board = make(settings)
    radio = board.sim_radio
    clock = board.sim_clock
    end = seconds * 1000
    buf = None  # the bare loop's FIFO buffer (the app has its own)
    app = None
    if parts[0] == "app":
        from fascia.app.main import App

        app = App(board)
        app.start(0)
        app.trainer.recorder.set_rate(odr)  # the bench's rate, whatever the activity's (start sets that)
    else:
        board.imu.set_odr(odr)
        buf = bytearray(32 * board.imu.SAMPLE_BYTES)
    gc.collect()
    heap_min = gc.mem_alloc()
    heap_max = heap_min
    next_gc = 1000
    measure_heap = bench is None
    if bench is not None:
        bench.begin(parts, board, app)
    due = 0
    t0 = time.ticks_ms()
    while clock.now < end:
        if app is None:
            clock.now += 20  # (the app's loop wakes 50 times a second)
            while board.imu.read_chunk(buf):
                pass
        else:
            clock.now = min(end, clock.now + 2 if radio is not None else max(clock.now + 1, due))
            if radio is not None:
                radio.pump()
            due = app.step(clock.now)
        if measure_heap and clock.now >= next_gc:
            next_gc += 1000
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
    result = {
        "mode": mode,
        "wall_ms": wall,
        "sim_ms": end,
        "live_heap_min": heap_min,
        "live_heap_max": heap_max,
        "count": count,
    }
    if bench is not None:
        bench.end(result, board)
    print(json.dumps(result))


main(
    sys.argv[1],
    int(sys.argv[2]),
    int(sys.argv[3]),
    sys.argv[4],
    sys.argv[5],
    int(sys.argv[6]) if len(sys.argv) > 6 else 0,
    int(sys.argv[7]) if len(sys.argv) > 7 else 0,
)
