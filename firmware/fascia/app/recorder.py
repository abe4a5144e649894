"""The sample recorder: accelerometer FIFO -> sample timestamps -> the counter.

The first stage of the data flow (fascia.app.trainer runs the session around it, fascia.app.ui
draws the result). It drains the FIFO in fixed-size chunks, gives every sample a time on the
session clock from the sensor's sample period (re-anchored on the real clock after an overflow or
a pause), feeds the counter and keeps the counted event times in batches for the log. Each FIFO
read is one block: the driver decodes it in one call, its times are stamped in one call and the
counter takes it in one call (`fascia.detect.feed_block`, which `fascia count` uses too).
Steady-state sampling allocates nothing: the FIFO buffer, the block's arrays and the event batch
are made once here. A bus error is raised (OSError) for the session controller to handle.
"""

from array import array

import micropython
from micropython import const

from fascia.detect import feed_block

_CHUNK = const(32)  # samples per FIFO burst read: 64 ms at 500 Hz, 0.3 s at 100 Hz
_MAX_CHUNKS = const(8)  # FIFO reads per drain: a full FIFO holds at most 1024 / (32 * 6) = 5.3 chunks
_REANCHOR_MS = const(150)  # sample clock further than this from the real clock: re-anchor
_EVENT_BATCH = const(32)  # event times per EVENTS record (at most every 5 s anyway: <= 28 passes)
_EARLY_MS = const(2)  # look at the FIFO this much before a whole chunk is due by the sample clock


class Recorder:
    """Feeds `det` (a counter of fascia.detect; the session controller swaps it for another
    activity's) from `imu`; `log_events(times)` takes each full batch of counted event times (an
    array slice, in order)."""

    def __init__(self, imu, det, log_events):
        self.imu = imu
        self.det = det
        self.log_events = log_events
        self.gaps = 0  # FIFO overflows this session (samples lost)
        self.period_us = 0  # the sensor's sample period
        self.same_us = 0  # sensor time the reading has not changed for
        self.t = 0  # session ms of the next sample
        self._t_frac = 0  # sub-ms part, in us
        self._anchored = False
        self._emptied = 0  # session ms the FIFO was last read until empty
        self._n_events = 0
        self._fifo = bytearray(_CHUNK * imu.SAMPLE_BYTES)
        self._ts = array("i", bytes(4 * _CHUNK))  # the block: sample times (session ms)...
        self._xyz = array("i", bytes(12 * _CHUNK))  # ...and x, y, z (mg) of each
        self._last_mg = array("i", (0, 0, 0))  # the last sample of the previous chunk
        self._on_event = self.event  # (bound once: a bound method is an allocation)
        self._events = array("i", bytes(4 * _EVENT_BATCH))

    def set_rate(self, odr_hz: int) -> None:
        """Set the sensor's rate (OSError if it does not answer)."""
        self.period_us = self.imu.set_odr(odr_hz)

    def chunk_ms(self) -> int:
        """How long the sensor takes to fill one chunk: the drain can wait that long."""
        return max(1, _CHUNK * self.period_us // 1000)

    def begin(self, odr_hz: int) -> None:
        """A new session: the rate again (the sensor may have been down when the activity was
        chosen), then an empty FIFO, as samples from before the start are not this session's."""
        self.gaps = 0
        self.same_us = 0
        self._n_events = 0
        self._anchored = False
        self.set_rate(odr_hz)
        self.imu.fifo_reset()

    def reanchor(self) -> None:
        """The next samples follow a pause: time them from the clock again."""
        self._anchored = False

    def drain(self, session_now: int, counting: bool, final: bool = False) -> None:
        """Move every whole chunk of samples from the FIFO into the counter (and, at the end of a
        session, what is left over); samples are dropped while not `counting` (paused, resting).
        While the samples' times are known, the sample clock says when a whole chunk is there (the
        next sample's time `t` is the oldest one waiting): the FIFO is not asked before, and after
        a chunk it is asked again only if the clock says another one is there, except once a
        second, when it is read until empty (a sensor whose clock runs fast leaves more than the
        clock says: at 10 % fast, 0.1 s a second, well within the FIFO's 0.17 s at 1 kHz). The
        overflow flag is read once a drain."""
        span = (_CHUNK - 1) * self.period_us // 1000 - _EARLY_MS
        by_clock = self._anchored and counting and not final
        if by_clock and session_now - self.t < span:
            return
        imu = self.imu
        for _ in range(_MAX_CHUNKS):  # bounded: a bus too slow to keep up must not starve the watchdog
            n = imu.read_chunk(self._fifo)
            if not n:
                self._emptied = session_now
                break
            if counting:
                self._feed(session_now, n)
            if by_clock and session_now - self.t < span and session_now - self._emptied < 1000:
                break
        if imu.overflowed():
            self.gaps += 1
            self._anchored = False
        if final:
            n = imu.read_fifo(self._fifo)
            if n and counting:
                self._feed(session_now, n)

    def discard(self) -> None:
        """Keep the FIFO from overflowing while nothing is recorded."""
        imu = self.imu
        for _ in range(_MAX_CHUNKS):  # (bounded, as in drain)
            if not imu.read_chunk(self._fifo):
                break
        imu.overflowed()

    def _feed(self, session_now: int, n: int) -> None:
        period = self.period_us
        if not self._anchored or abs(self.t + (n - 1) * period // 1000 - session_now) > _REANCHOR_MS:
            # the newest sample was taken about now: count back from it (us, so no rounding drift)
            first_us = session_now * 1000 - (n - 1) * period
            self.t = first_us // 1000
            self._t_frac = first_us % 1000
            self._anchored = True
        self.imu.decode(self._fifo, n, self._xyz)
        _stamp(self._ts, n, self.t, self._t_frac, period)  # type: ignore[arg-type]  (a ptr32 cast)
        feed_block(self.det, self._ts, self._xyz, n, self._on_event)
        total = self._t_frac + n * period  # (as _stamp: the next sample's time)
        self.t += total // 1000
        self._t_frac = total % 1000
        mg = self._xyz
        o = 3 * n - 3
        last = self._last_mg  # (once a chunk: is the sensor frozen?)
        if mg[o] == last[0] and mg[o + 1] == last[1] and mg[o + 2] == last[2]:
            self.same_us += n * period
        else:
            last[0] = mg[o]
            last[1] = mg[o + 1]
            last[2] = mg[o + 2]
            self.same_us = 0

    def event(self, t: int) -> None:
        """Keep a counted event's time for the log, as `fascia count` lists it (a double-under's
        two passes: two entries at the jump's time)."""
        n = self._n_events
        if n and t < self._events[n - 1]:
            t = self._events[n - 1]  # the log wants times in order; late confirmations never go back
        self._events[n] = t
        self._n_events = n + 1
        if n + 1 == _EVENT_BATCH:
            self.flush_events()

    def flush_events(self) -> None:
        """Hand the event times kept so far to the log."""
        n = self._n_events
        if n:
            self._n_events = 0
            self.log_events(self._events[:n])


@micropython.viper
def _stamp(ts: ptr32, n: int, t: int, frac: int, period: int):  # noqa: F821 (a viper cast)
    """ts[i] = the time (ms) of sample i, `period` us apart from t ms + frac us (us: no drift)."""
    for i in range(n):
        ts[i] = t + (frac + i * period) // 1000
