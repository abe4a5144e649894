"""The accelerometer's view of the world, played from a trace (simulator and tests only).

Used by the in-process sensor model (sim_board) and by the host-side one (hw_server), so a trace
plays the same wherever the chip lives. A trace is a canonical CSV, or (name ending in .bin) the
same samples as little-endian int32 words, a count and then t, x, y, z of each, times from 0 (as
host_tools.bench.cost.write_samples makes them): parsing a CSV line costs the simulation four
times what the sensor model does with the sample, so the benchmarks play binary traces.
"""

from array import array

_BLOCK = 256  # samples read from a binary trace at a time


def _binary_rows(f):
    """(t, x, y, z) of each sample of an open binary trace."""
    head = array("i", bytes(4))
    f.readinto(head)
    left = head[0]
    block = array("i", bytes(16 * _BLOCK))
    while left > 0:
        n = min(left, _BLOCK)
        f.readinto(memoryview(block)[: 4 * n])
        left -= n
        for i in range(0, 4 * n, 4):
            yield (block[i], block[i + 1], block[i + 2], block[i + 3])


class TracePlayer:
    """The accelerometer's view of the world: still until `start_ms`, then the trace (zero-order hold)."""

    def __init__(self, path, start_ms=0):
        self.path = path
        self.start_ms = start_ms
        binary = bool(path) and path.endswith(".bin")
        self._f = open(path, "rb" if binary else "r") if path else None  # noqa: SIM115 (streamed for the whole run)
        if self._f is None:
            self._rows = None
        elif binary:
            self._rows = _binary_rows(self._f)
        else:
            from fascia.detect.replay import read_trace

            self._rows = read_trace(self._f)
        self._cur = (0, 0, 0, 1000)
        self._next = None
        self.finished = self._rows is None
        if self._rows is not None:
            self._next = next(self._rows, None)
        self.end_ms = None  # trace time of the last row, once reached

    def __call__(self, t_ms):
        if self._rows is None or t_ms < self.start_ms:
            return (0, 0, 1000)  # lying still, screen up
        t = t_ms - self.start_ms
        while self._next is not None and self._next[0] <= t:
            self._cur = self._next
            self._next = next(self._rows, None)
            if self._next is None:
                self.finished = True
                self.end_ms = self._cur[0]
        return self._cur[1:]
