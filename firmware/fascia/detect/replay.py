"""Replay samples through a detector: the engine of `fascia count` and the benchmarks, on both runtimes.

Runs unchanged on CPython and under the `micropython` binary (streaming the file line by line), so
`--runtime micropython` gives the very result the device would: samples go to the counter in
blocks through `feed_block`, as the device's FIFO reads do.
"""

from array import array

from micropython import const

from fascia.detect import feed_block, flush, make
from fascia.spec.trace import MAX_SPAN_MS, TraceError, check_header, parse_line

_BLOCK = const(32)  # samples per block (the device's FIFO chunk)


class ReplayError(ValueError):
    """Bad input: carries the 1-based line number and the reason."""

    def __init__(self, line_no: int, reason: str):
        super().__init__("line %d: %s" % (line_no, reason))
        self.line_no = line_no
        self.reason = reason


def count_samples(samples, activity: str, det=None, block: int = _BLOCK) -> dict:
    """Feed (t_ms, x, y, z) int tuples to `det` (default: a fresh detector for `activity`) in blocks
    of `block` samples: {'activity', 'count', 'events_ms', **extras}."""
    if det is None:
        det = make(activity)
    events = []
    ts = array("i", bytes(4 * block))
    xyz = array("i", bytes(12 * block))
    n = 0
    t = 0
    for t, x, y, z in samples:
        ts[n] = t
        xyz[3 * n] = x
        xyz[3 * n + 1] = y
        xyz[3 * n + 2] = z
        n += 1
        if n == block:
            feed_block(det, ts, xyz, n, events.append)
            n = 0
    feed_block(det, ts, xyz, n, events.append)
    flush(det, t, events.append)
    result = {"activity": activity, "count": det.count, "events_ms": events}
    result.update(det.extras())
    return result


def read_trace(f):
    """Yield (t_ms, x, y, z) from an open canonical CSV, times rebased to the first sample (epoch-ms
    or long-uptime stamps become small ints on every runtime: detectors only see time since the
    start); ReplayError names the bad line."""
    try:
        check_header(f.readline())
    except TraceError as e:
        raise ReplayError(1, str(e))
    first_t = -1
    last_t = -1
    line_no = 1
    for line in f:
        line_no += 1
        if not line.strip():
            continue
        try:
            t, x, y, z = parse_line(line)
        except TraceError as e:
            raise ReplayError(line_no, str(e))
        if t < last_t:
            raise ReplayError(line_no, "time goes backwards (%d ms after %d ms)" % (t, last_t))
        if first_t < 0:
            first_t = t
        last_t = t
        t -= first_t
        if t > MAX_SPAN_MS:
            raise ReplayError(line_no, "more than %d days after the first sample" % (MAX_SPAN_MS // 86400000))
        yield t, x, y, z
    if last_t < 0:
        raise ReplayError(line_no, "no samples")


def replay(path: str, activity: str) -> dict:
    """Count `activity` in the canonical trace file at `path`."""
    with open(path) as f:
        return count_samples(read_trace(f), activity)
