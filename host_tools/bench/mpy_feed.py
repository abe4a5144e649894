"""Feed preloaded samples to a detector in a tight loop: the measured body of the cost benchmark.

Runs under the `micropython` binary (and CPython). Usage:
    mpy_feed.py DETECTOR|bare TRACE.csv cost N   -- feed N samples (for callgrind)
    mpy_feed.py DETECTOR TRACE.csv alloc         -- print bytes allocated by 10,000 samples after warm-up

Samples are loaded into arrays first (the same 4,000 in every run, so loading cost cancels in
the difference of two runs) and replayed in laps with shifted timestamps.
"""

import gc
import sys
from array import array

from fascia.detect import make
from fascia.detect.replay import read_trace

LOADED = 4000

ts = array("i")
xs = array("i")
ys = array("i")
zs = array("i")


def load(path):
    with open(path) as f:
        for t, x, y, z in read_trace(f):
            ts.append(t)
            xs.append(x)
            ys.append(y)
            zs.append(z)
            if len(ts) == LOADED:
                break


def run(det, n, offset):
    """Feed n samples (or only read them when det is None); returns the timestamp offset reached."""
    m = len(ts)
    lap = ts[m - 1] + 10
    j = 0
    acc = 0
    for _ in range(n):
        if det is None:
            acc += ts[j] + offset + xs[j] + ys[j] + zs[j]
        else:
            acc += det.feed(ts[j] + offset, xs[j], ys[j], zs[j])
        j += 1
        if j == m:
            j = 0
            offset += lap
    return offset + lap


def main(argv):
    what, path, mode = argv[1], argv[2], argv[3]
    load(path)
    det = None if what == "bare" else make(what)
    if mode == "alloc":
        offset = run(det, 2000, 0)
        gc.collect()
        gc.disable()
        before = gc.mem_alloc()
        run(det, 10000, offset)
        print(gc.mem_alloc() - before)
        gc.enable()
    else:
        run(det, int(argv[4]), 0)


if __name__ == "__main__":
    main(sys.argv)
