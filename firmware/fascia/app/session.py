"""One training session's state machine: modes, timing, pause and stop; no hardware, no detector.

Modes (`fascia.spec.config.MODES`):
- free: count until the user stops.
- countdown_time: stop by itself after `countdown_s` of training.
- countdown_count: stop by itself when the count reaches `countdown_count`.
- interval: `interval_rounds` rounds of `interval_work_s` work then `interval_rest_s` rest; samples
  are counted only in work phases (the detector is simply not fed during rest).
Times are ms from the app's monotonic clock; paused time is not training time.
"""

from micropython import const

from fascia.spec import activities

IDLE = const(0)
RUNNING = const(1)
PAUSED = const(2)
DONE = const(3)

WORK = const(0)
REST = const(1)

# End reasons, as the session log records them (fascia.spec.log.END_REASONS)
END_STOP = const(0)
END_TARGET = const(1)


def energy_kcal_x10(activity: str, weight_kg: int, active_ms: int) -> int:
    """Estimated energy in 0.1 kcal: MET x body mass x hours of training. The METs (Compendium of
    Physical Activities: rope jumping, moderate 11.8; club swings, vigorous calisthenics ~8.0;
    brisk "power" walking ~5.0; hatha yoga 2.5; dancing ~5.0) are in fascia.spec.activities."""
    return activities.activity(activity)[6] * weight_kg * active_ms // 3600000


class Session:
    def __init__(self, activity: str, mode: str, config: dict):
        self.activity = activity
        self.mode = mode
        self.config = config
        self.state = IDLE
        self.phase = WORK
        self.round = 1
        self.end_reason = END_STOP
        self._started = 0  # clock at start
        self._paused_total = 0  # ms spent paused
        self._paused_at = 0
        self._stopped_at = 0
        self._phase_started = 0  # training-time at which the current interval phase began
        self._rest_total = 0  # training-time spent resting (interval mode)

    # -- user actions -----------------------------------------------------------------------------
    def start(self, now: int) -> None:
        self.state = RUNNING
        self._started = now
        self._paused_total = 0
        self._phase_started = 0
        self._rest_total = 0
        self.phase = WORK
        self.round = 1

    def pause(self, now: int) -> None:
        if self.state == RUNNING:
            self.state = PAUSED
            self._paused_at = now

    def resume(self, now: int) -> None:
        if self.state == PAUSED:
            self._paused_total += now - self._paused_at
            self.state = RUNNING

    def stop(self, now: int, reason: int = END_STOP) -> None:
        if self.state in (RUNNING, PAUSED):
            self.resume(now)
            self._stopped_at = now
            self.end_reason = reason
            self.state = DONE

    # -- time ---------------------------------------------------------------------------------------
    def elapsed_ms(self, now: int) -> int:
        """Training time: wall time since start minus pauses (rests included)."""
        if self.state == IDLE:
            return 0
        if self.state == DONE:
            now = self._stopped_at
        elif self.state == PAUSED:
            now = self._paused_at
        return now - self._started - self._paused_total

    def active_ms(self, now: int) -> int:
        """Time spent working (elapsed minus interval rests): what energy is estimated from."""
        rest = self._rest_total
        if self.phase == REST and self.state != IDLE:
            rest += self.elapsed_ms(now) - self._phase_started
        return self.elapsed_ms(now) - rest

    @property
    def counting(self) -> bool:
        """Feed the detector now? Only while running and working."""
        return self.state == RUNNING and self.phase == WORK

    def remaining(self, now: int, count: int) -> int:
        """What the display counts down: ms (time modes, interval phase) or reps (count mode); -1 = none."""
        c = self.config
        if self.mode == "countdown_time":
            return max(0, c["countdown_s"] * 1000 - self.elapsed_ms(now))
        if self.mode == "countdown_count":
            return max(0, c["countdown_count"] - count)
        if self.mode == "interval":
            length = c["interval_work_s"] if self.phase == WORK else c["interval_rest_s"]
            return max(0, length * 1000 - (self.elapsed_ms(now) - self._phase_started))
        return -1

    # -- the mode's own rules -------------------------------------------------------------------------
    def update(self, now: int, count: int) -> bool:
        """Apply the mode (auto stop, interval phases); True if state or phase changed."""
        if self.state != RUNNING:
            return False
        c = self.config
        if self.mode == "countdown_time" and self.elapsed_ms(now) >= c["countdown_s"] * 1000:
            self.stop(now, END_TARGET)
            return True
        if self.mode == "countdown_count" and count >= c["countdown_count"]:
            self.stop(now, END_TARGET)
            return True
        if self.mode == "interval" and self.remaining(now, count) == 0:
            t = self.elapsed_ms(now)
            if self.phase == WORK:
                if self.round >= c["interval_rounds"]:
                    self.stop(now, END_TARGET)
                    return True
                self.phase = REST
            else:
                self._rest_total += t - self._phase_started
                self.phase = WORK
                self.round += 1
            self._phase_started = t
            return True
        return False
