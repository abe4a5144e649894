"""Replay a canonical trace file through a detector: the engine of `fascia count` on both runtimes.

Runs unchanged on CPython and under the `micropython` binary (streaming the file line by line), so
`--runtime micropython` gives the very result the device would.
"""

from fascia.detect import make
from fascia.spec.trace import TraceError, check_header, parse_line


class ReplayError(ValueError):
    """Bad input: carries the 1-based line number and the reason."""

    def __init__(self, line_no: int, reason: str):
        super().__init__("line %d: %s" % (line_no, reason))
        self.line_no = line_no
        self.reason = reason


def replay(path: str, activity: str) -> dict:
    """Count `activity` in the trace at `path`: {'activity', 'count', 'events_ms', **extras}."""
    det = make(activity)
    events = []
    last_t = -1
    line_no = 1
    with open(path) as f:
        header = f.readline()
        try:
            check_header(header)
        except TraceError as e:
            raise ReplayError(1, str(e))
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
            last_t = t
            n = det.feed(t, x, y, z)
            for _ in range(n):
                events.append(det.last_event_ms)
    if last_t < 0:
        raise ReplayError(line_no, "no samples")
    for _ in range(det.flush(last_t)):
        events.append(det.last_event_ms)
    result = {"activity": activity, "count": det.count, "events_ms": events}
    result.update(det.extras())
    return result
