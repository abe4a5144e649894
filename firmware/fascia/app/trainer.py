"""The session controller: the chosen activity and mode, a session's lifecycle and its log.

The middle of the data flow: fascia.app.recorder brings the counted samples, this applies the
mode's rules (fascia.app.session: countdowns, intervals), writes the session log (LogStore: BEGIN,
EVENTS, PROGRESS every few seconds, END) and today's total, and ends a session on a target, a stop,
a full flash or a sensor that fails. It draws nothing and reads no button: the app (fascia.app.main)
calls it, and hears back through `face`, an object with `notice(title, lines)` (tell the person
something) and `ended()` (a session ended: its summary is in `result`).

Read-only for everyone else (the screen, the Bluetooth service through the app): `activity`, `mode`,
`kind` (the activity's row of fascia.spec.activities), `config`, `det` (the counter: `count`,
`last_event_ms`, `extras()`), `session` (fascia.app.session.Session or None), `result`,
`sensor_error`, `store`, `days`, `boot`, `rate_per_min()`.
"""

import gc
from binascii import hexlify

from micropython import const

from fascia import unload
from fascia.app import session as ses
from fascia.app.logstore import FLASH_FULL, SYNCED_EPOCH, LogError, LogStore, unix_time
from fascia.app.progress import DailyProgress
from fascia.detect import flush, make
from fascia.detect import module as detector_module
from fascia.ringbuf import IntRing
from fascia.spec import activities
from fascia.spec.log import MODE_FIELDS, MODE_PARAMS

_PROGRESS_MS = const(5000)  # a PROGRESS record this often
_RATE_WINDOW_S = const(10)  # jumps/min over the last 10 s
_DISCARD_MS = const(200)  # between sessions, empty the FIFO this often (it holds 0.4 s at 400 Hz)
_STUCK_US = const(10_000_000)  # the same reading this long: the sensor froze (a live one always jitters)


def _not_answering(e: OSError) -> str:
    """The sentence for a sensor whose bus failed with `e`."""
    return "Sensor not answering (I2C error %d)" % (e.args[0] if e.args and type(e.args[0]) is int else 0)


def _read_config(board) -> tuple:
    """(config, problems) from the board's config.json. The schema is only needed here (and for a
    host's change), so its module is dropped again to spare the heap."""
    from fascia.spec import config

    try:
        return config.load(board.path(config.CONFIG_FILE))
    finally:
        unload("fascia.spec.config")
        gc.collect()  # its room is free again at once, for the counter that comes next


def summary_lines(kind: tuple, extras: dict):
    """The activity's figures (`kind`: its fascia.spec.activities row) for the summary screen."""
    return tuple(activities.figure_text(name, extras[name]) for name in kind[9] if name in extras)


class Trainer:
    def __init__(self, board, face):
        self.board = board
        self.face = face
        self.session = None  # the Session being recorded, if any
        self.result = None  # (count, duration_ms, lines, kcal_x10) of the last session
        self.sensor_error = ""
        self.log_full = False  # a log write failed (ENOSPC): the session ends, its records so far stay
        self.boot = 0  # power-on count (0: unknown, the flash is full)
        self._next_progress = 0
        self._next_second = 0
        self._next_discard = 0
        gc.collect()
        self.config, self.problems = _read_config(board)
        self.activity = self.config["activity"]
        self.kind = activities.activity(self.activity)
        self.mode = self.config["mode"]
        self.det = make(self.activity)  # the current (or last) session's counter (early: the biggest)
        self._configure_det()
        from fascia.app.recorder import Recorder  # (after the counter: its code needs no big block)

        self.recorder = Recorder(board.imu, self.det, self._log_events)

    def open_log(self) -> None:
        """The flash's side: the log and today's totals (after the radio's service, whose buffers
        are made first)."""
        board = self.board
        self.store = LogStore(board.path("log"), capacity_bytes=board.flash_bytes)
        try:
            self.boot = self.store.count_boot()
        except OSError:  # flash full (ENOSPC): run anyway, boot unknown (0); sessions are refused
            pass
        self.days = DailyProgress(board.path("days.json"))
        self._rate = IntRing(_RATE_WINDOW_S + 1)
        self._set_rate()

    # -- the loop's share -----------------------------------------------------------------------------
    def step(self, now: int) -> None:
        """Record and apply the mode while a session runs; between sessions keep the FIFO empty."""
        s = self.session
        if s is None:
            if now >= self._next_discard:
                self._next_discard = now + _DISCARD_MS
                try:
                    self.recorder.discard()
                    self.sensor_error = ""
                except OSError as e:
                    self.sensor_error = _not_answering(e)
            return
        self._drain(s, now)
        if self.session is None:
            return
        count = self.det.count
        if s.update(now, count) and s.state == ses.DONE:
            self._finish(now)
        elif now >= self._next_progress:
            self._next_progress = now + _PROGRESS_MS
            self.recorder.flush_events()
            try:
                self.store.progress(s.elapsed_ms(now), count)
            except OSError:  # flash full (ENOSPC)
                self.log_full = True
        if self.log_full and self.session is not None:
            self._finish(now, "flash_full")
        if now >= self._next_second:
            self._next_second = now + 1000
            self._rate.push(self.det.count)

    def next_due(self, now: int) -> int:
        """When `step` has work again: the next chunk of samples while recording (a mode's target
        and the rate window are checked then too), the next FIFO discard between sessions."""
        s = self.session
        if s is None:
            return self._next_discard
        due = min(now + self.recorder.chunk_ms(), self._next_second)
        if self.mode != "countdown_count" and s.state == ses.RUNNING:
            left = s.remaining(now, 0)  # a countdown's or an interval phase's end, on time
            if left >= 0:
                due = min(due, now + max(1, left))
        return due

    def _drain(self, s, now: int, final: bool = False) -> None:
        try:
            self.recorder.drain(s.elapsed_ms(now), s.counting, final)
        except OSError as e:
            self._sensor_failed(now, e)
            return
        if self.recorder.same_us >= _STUCK_US:
            self._sensor_stuck(now)

    def _log_events(self, times) -> None:
        try:
            self.store.events(times)
        except OSError:  # flash full (ENOSPC), not a sensor error: step() ends the session
            self.log_full = True

    # -- choices and the lifecycle --------------------------------------------------------------------
    def select(self, activity: str, mode: str) -> None:
        """Choose the activity and mode (between sessions only: a running session keeps its own)."""
        if self.session is None:
            if activity != self.activity:  # only one counter's code in RAM at a time
                unload(detector_module(self.activity))
            self.activity = activity
            self.kind = activities.activity(activity)
            self.mode = mode
            self.det = make(activity)
            self.recorder.det = self.det
            self._configure_det()
            self._set_rate()

    def _configure_det(self) -> None:
        """The user's settings a counter reads: walking's brisk cadence and arm swing."""
        if self.activity == "walk":
            self.det.brisk_spm = self.config["brisk_spm"]
            self.det.brisk_swing_mg = self.config["brisk_swing_mg"]

    def _set_rate(self) -> None:
        """The activity's sensor rate; a sensor that does not answer is reported, not fatal."""
        try:
            self.recorder.set_rate(self.kind[7])
        except OSError as e:
            self.sensor_error = _not_answering(e)

    def start(self, now: int) -> bool:
        """Begin a session; False (and a notice on screen) if flash is full or the sensor is down."""
        if self.session is not None:
            return False
        if self.sensor_error:
            self.face.notice("SENSOR ERROR", (self.sensor_error,))
            return False
        epoch = unix_time()
        synced = epoch >= SYNCED_EPOCH
        try:
            self.store.begin(
                self.activity,
                self.mode,
                self._mode_params(),
                start=epoch if synced else now // 1000,
                clock_synced=synced,
                boot=self.boot,
                device_id=hexlify(self.board.device_id[:16]).decode(),
                user_weight_g=self.config["weight_kg"] * 1000,
            )
        except LogError as e:
            self.face.notice("FLASH FULL", (str(e),))
            return False
        except OSError:  # ENOSPC: the flash filled up although the free-space check passed
            self.face.notice("FLASH FULL", (FLASH_FULL,))
            return False
        self.det.reset()  # (not a new one: two counters at once would not fit a small heap)
        self.session = ses.Session(self.activity, self.mode, self.config)
        self.session.start(now)
        self._rate.fill(0)
        self._next_progress = now + _PROGRESS_MS
        self._next_second = now + 1000
        try:
            self.recorder.begin(self.kind[7])
        except OSError as e:
            self._sensor_failed(now, e)
            return False
        return True

    def pause(self, now: int) -> None:
        if self.session is not None:
            self.session.pause(now)

    def resume(self, now: int) -> None:
        if self.session is not None:
            self.session.resume(now)
            self.recorder.reanchor()

    def stop(self, now: int) -> None:
        s = self.session
        if s is not None:
            self._drain(s, now, final=True)  # the last part-chunk of samples counts too
            if self.session is not None:  # (a sensor error while draining ends it by itself)
                self.session.stop(now)
                self._finish(now)

    def _mode_params(self) -> dict:
        """The mode's parameters under their log names (fascia.spec.log.MODE_PARAMS)."""
        fields = MODE_FIELDS[self.mode]
        return {name: self.config[fields[i]] for i, name in enumerate(MODE_PARAMS[self.mode])}

    def _finish(self, now: int, reason: str = "") -> None:
        """Write the END record, update today's total and make the summary."""
        s = self.session
        if s is None:
            return
        det = self.det
        rec = self.recorder
        flush(det, rec.t, rec.event)  # what the counter settles at the end counts and is logged
        extras = det.extras()
        if rec.gaps:
            extras["gaps"] = rec.gaps
        duration = s.elapsed_ms(now)
        kcal = ses.energy_kcal_x10(self.activity, self.config["weight_kg"], s.active_ms(now))
        end_reason = reason or ("target" if s.end_reason == ses.END_TARGET else "stop")
        rec.flush_events()
        try:
            self.store.end(duration, det.count, kcal, end_reason, extras)
            if self.activity == "jump_rope" and det.count:
                self.days.add(self.today(), det.count)
                self.days.save()
        except OSError:  # flash full (ENOSPC): the records written so far stay readable
            self.log_full = True
        lines = summary_lines(self.kind, extras)
        if rec.gaps:  # the FIFO overflowed: say that samples were lost
            lines = ("data gaps %d" % rec.gaps,) + lines
        self.result = (det.count, duration, lines, kcal)
        self.session = None
        self.face.ended()
        if self.log_full:
            self.log_full = False
            self.face.notice("FLASH FULL", ("Session saved up to here.", FLASH_FULL))

    def _sensor_failed(self, now: int, e: OSError) -> None:
        """The IMU stopped answering: keep what was counted, end the session, say so."""
        self.sensor_error = _not_answering(e)
        self._sensor_lost(now, "SENSOR ERROR", self.sensor_error)

    def _sensor_stuck(self, now: int) -> None:
        """The IMU answers but its reading froze: keep what was counted, end the session, say so."""
        self.recorder.same_us = 0
        self._sensor_lost(now, "SENSOR STUCK", "Same reading for %d s." % (_STUCK_US // 1000000))

    def _sensor_lost(self, now: int, title: str, why: str) -> None:
        if self.session is not None:
            self.session.stop(now)
            self._finish(now, "sensor")
        self.face.notice(title, (why, "Session saved."))

    # -- figures --------------------------------------------------------------------------------------
    def today(self) -> int:
        return unix_time() // 86400

    def rate_per_min(self) -> int:
        """Counts per minute over the last 10 s (from the once-a-second window)."""
        return (self._rate.get(0) - self._rate.get(_RATE_WINDOW_S)) * 60 // _RATE_WINDOW_S
