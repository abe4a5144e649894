"""Active time for a yoga flow or a dance (one song): seconds in which the body moved.

Time is cut into 1 s windows (by timestamps, so any sample rate works); a window is active when
any axis of the lightly smoothed acceleration spans more than ACTIVE_MG in it. A turn of the wrist
by 20 degrees changes an axis by about 340 mg, a held pose and sensor noise by far less. The count
is the number of active seconds; each one is an event at its window's end. Integers only, nothing
allocated per sample.
"""

from micropython import const

from fascia.detect import feed_each

WINDOW_MS = const(1000)
ACTIVE_MG = const(150)  # smallest span (max - min of an axis in a window) that counts as moving
_SMOOTH = const(2)  # low-pass: each sample moves the filter 1/4 of the way (noise spikes are damped)
_MIN_PART_MS = const(500)  # a session's last, partial window counts if it covers this much


class MoveDetector:
    def __init__(self):
        self.reset()

    def reset(self) -> None:
        self.count = 0  # active seconds
        self.last_event_ms = 0
        self._first = -1  # time of the first sample (-1: none yet)
        self._last = 0
        self._end = 0  # end of the current window
        self._fx = self._fy = self._fz = 0  # smoothed axes, mg
        self._x0 = self._x1 = self._y0 = self._y1 = self._z0 = self._z1 = 0  # min, max in the window

    def _open(self, t: int) -> None:
        self._end = t + WINDOW_MS
        self._x0 = self._x1 = self._fx
        self._y0 = self._y1 = self._fy
        self._z0 = self._z1 = self._fz

    def _close(self) -> int:
        span = max(self._x1 - self._x0, self._y1 - self._y0, self._z1 - self._z0)
        if span > ACTIVE_MG:
            self.count += 1
            self.last_event_ms = self._end
            return 1
        return 0

    def feed(self, t: int, x: int, y: int, z: int) -> int:
        if self._first < 0:
            self._first = self._last = t
            self._fx, self._fy, self._fz = x, y, z
            self._open(t)
            return 0
        self._last = t
        self._fx += (x - self._fx) >> _SMOOTH
        self._fy += (y - self._fy) >> _SMOOTH
        self._fz += (z - self._fz) >> _SMOOTH
        n = 0
        if t >= self._end:
            n = self._close()
            self._open(t if t >= self._end + WINDOW_MS else self._end)  # after a gap: a fresh window
        fx, fy, fz = self._fx, self._fy, self._fz
        if fx < self._x0:
            self._x0 = fx
        elif fx > self._x1:
            self._x1 = fx
        if fy < self._y0:
            self._y0 = fy
        elif fy > self._y1:
            self._y1 = fy
        if fz < self._z0:
            self._z0 = fz
        elif fz > self._z1:
            self._z1 = fz
        return n

    def feed_block(self, ts, xyz, n: int, on_event) -> int:
        """n samples at once (see `fascia.detect.feed_block`)."""
        return feed_each(self, ts, xyz, n, on_event)

    def flush(self, t: int) -> int:
        """End of session: the last window counts if it covers at least half a window."""
        if self._first < 0 or self._last - (self._end - WINDOW_MS) < _MIN_PART_MS:
            return 0
        n = self._close()
        self._open(self._end)
        return n

    def extras(self) -> dict:
        """active_pct: active seconds as a share of the time the sensor was read."""
        seen = self._last - self._first if self._first >= 0 else 0
        return {"active_pct": min(100, self.count * 100000 // seen) if seen > 0 else 0}
