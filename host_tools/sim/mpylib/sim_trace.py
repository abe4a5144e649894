"""The accelerometer's view of the world, played from a trace (simulator and tests only).

Used by the in-process sensor model (sim_board) and by the host-side one (hw_server), so a trace
plays the same wherever the chip lives.
"""


class TracePlayer:
    """The accelerometer's view of the world: still until `start_ms`, then the trace (zero-order hold)."""

    def __init__(self, path, start_ms=0):
        self.path = path
        self.start_ms = start_ms
        self._f = open(path) if path else None  # noqa: SIM115 (streamed for the whole run)
        from fascia.detect.replay import read_trace

        self._rows = read_trace(self._f) if self._f else None
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
