"""Feed a whole trace to a detector as the device does: the measured body of the cost benchmark.

Runs under the `micropython` binary (and CPython). Usage:
    mpy_feed.py DETECTOR|bare SAMPLES.bin load|cost|alloc
`load` only loads the samples; `cost` also feeds all of them; `alloc` prints the bytes allocated
while feeding them (gc disabled; the first 2,000 samples warm up). SAMPLES.bin is the trace as
int32 words (little-endian, `cost.write_samples`): the count, then t, x, y, z of each sample, read
straight into arrays so that loading costs almost nothing next to the feeding. Samples go to the
detector in blocks of 32 through `fascia.detect.feed_block`, the device's path; `bare` copies the
same blocks and feeds nothing. The copying is one viper call a block, as the device's FIFO decode is
(`MPU.decode`), so the bench's own loop costs little next to the counter it measures.
"""

import gc  # noqa: I001 (fascia first: on CPython it registers the micropython stand-in)
import sys
from array import array

from fascia.detect import feed_block, make

import micropython

BLOCK = 32  # the device's FIFO chunk
WARM_UP = 2000  # (alloc) samples fed before counting the bytes

ts = array("i", bytes(4 * BLOCK))  # one block (made once: the alloc figure is the feeding's own)
xyz = array("i", bytes(12 * BLOCK))


def load(path):
    """(n, samples): samples holds t, x, y, z of each of the n samples."""
    with open(path, "rb") as f:
        head = array("i", [0])
        f.readinto(head)
        samples = array("i", bytes(16 * head[0]))
        f.readinto(samples)
    return head[0], samples


def ignore(t):
    pass


@micropython.viper
def copy_block(samples, o: int, n: int, ts, xyz):
    """Samples o/4 .. o/4 + n - 1 (t, x, y, z words from word o on) into the block's arrays."""
    src = ptr32(samples)  # type: ignore[name-defined]  # noqa: F821 (viper casts)
    t = ptr32(ts)  # type: ignore[name-defined]  # noqa: F821
    v = ptr32(xyz)  # type: ignore[name-defined]  # noqa: F821
    j = 0
    for k in range(n):
        t[k] = src[o]
        v[j] = src[o + 1]
        v[j + 1] = src[o + 2]
        v[j + 2] = src[o + 3]
        o += 4
        j += 3


def run(det, samples, first, last):
    """Feed samples first..last-1 in blocks (or only copy the blocks when det is None)."""
    i = first
    while i < last:
        n = min(BLOCK, last - i)
        copy_block(samples, 4 * i, n, ts, xyz)
        if det is not None:
            feed_block(det, ts, xyz, n, ignore)
        i += n


def main(argv):
    what, path, mode = argv[1], argv[2], argv[3]
    n, samples = load(path)
    det = None if what == "bare" else make(what)
    if mode == "alloc":
        run(det, samples, 0, WARM_UP)
        gc.collect()
        gc.disable()
        before = gc.mem_alloc()
        run(det, samples, WARM_UP, n)
        print(gc.mem_alloc() - before, n - WARM_UP)
        gc.enable()
    elif mode == "cost":
        run(det, samples, 0, n)


if __name__ == "__main__":
    main(sys.argv)
