"""The app: wires a board's drivers to a detector, the session rules, the log and the display.

`App.step(now_ms)` does one pass of the main loop and returns quickly; the device calls it every
few ms (`run`), the simulator calls it with a virtual clock, so both run the same code:
1. feed the watchdog and poll the buttons;
2. drain the accelerometer FIFO in fixed-size chunks and feed every sample to the detector
   (timestamps come from the sensor's sample period, re-anchored on the clock after an overflow);
3. apply the mode (countdowns, intervals) and write a PROGRESS record every few seconds;
4. redraw the display at about 10 frames per second (the FIFO holds ~0.4 s at 400 Hz, so a
   frame never costs samples).
Steady-state sampling allocates nothing: the FIFO buffer, the sample triple and the rate window
are made once here.

Buttons: A press = start / pause / resume, A long = stop; B press = next activity, B long = next
mode (when ready); any press leaves the summary or an error notice. A long when ready opens the
Bluetooth bonds menu (boards with a radio; fascia.app.bonds.menu).
"""

import gc
from array import array
from binascii import hexlify

from micropython import const

from fascia import unload
from fascia.app import session as ses
from fascia.app.logstore import FLASH_FULL, SYNCED_EPOCH, LogError, LogStore, unix_time
from fascia.app.progress import DailyProgress
from fascia.app.ui import Screen, clock_text
from fascia.detect import ACTIVITIES, make
from fascia.detect import module as detector_module
from fascia.drivers.buttons import LONG, PRESS
from fascia.ringbuf import IntRing
from fascia.spec import activities
from fascia.spec.log import MODE_FIELDS, MODE_PARAMS, MODES

_CHUNK = const(32)  # samples per FIFO burst read: 64 ms at 500 Hz, 0.3 s at 100 Hz
_FRAME_MS = const(100)  # display refresh while training
_IDLE_FRAME_MS = const(1000)
_PROGRESS_MS = const(5000)  # a PROGRESS record this often
_RATE_WINDOW_S = const(10)  # jumps/min over the last 10 s
_BATTERY_MS = const(10000)
_DISCARD_MS = const(200)  # between sessions, empty the FIFO this often (it holds 0.4 s at 400 Hz)
_EVENT_BATCH = const(32)  # event times per EVENTS record (at most every 5 s anyway: <= 28 passes)
_MAX_CHUNKS = const(8)  # FIFO reads per step: a full FIFO holds at most 1024 / (32 * 6) = 5.3 chunks
_STUCK_US = const(10_000_000)  # the same reading this long: the sensor froze (a live one always jitters)
_REANCHOR_MS = const(150)  # sample clock further than this from the real clock: re-anchor

READY = const(0)
TRAINING = const(1)
SUMMARY = const(2)
NOTICE = const(3)


def _not_answering(e: OSError) -> str:
    """The sentence for a sensor whose bus failed with `e`."""
    return "Sensor not answering (I2C error %d)" % (e.args[0] if e.args and type(e.args[0]) is int else 0)


def _read_config(board) -> tuple:
    """(config, problems) from the board's config.json. The schema is only needed here (and by the
    Bluetooth service, which imports it itself), so its module is dropped again to spare the heap."""
    from fascia.spec import config

    try:
        return config.load(board.path(config.CONFIG_FILE))
    finally:
        unload("fascia.spec.config")
        gc.collect()  # its room is free again at once, for the counter that comes next


class App:
    def __init__(self, board):
        self.board = board
        # plain state first: the attribute table reaches its size before the big objects below
        # are made (each time it grows it leaves a hole, and holes add up in a small heap)
        self.view = READY
        self.kind: tuple = ()  # the activity's row of fascia.spec.activities
        self.session = None  # the Session being recorded, if any
        self.result = None  # (count, duration_ms, lines, kcal_x10) of the last session
        self.notice_title = ""
        self.notice_lines = ()
        self.battery = 100
        self.gaps = 0
        self.sensor_error = ""
        self.log_full = False  # a log write failed (ENOSPC): the session ends, its records so far stay
        self.prompt = None  # answer(yes) of a question on screen: button A = yes, any other = no
        self.ble = None  # the Bluetooth service, when the board has a radio
        self.boot = 0  # power-on count (0: unknown, the flash is full)
        self._same_us = 0  # sensor time the reading has not changed for
        self._n_events = 0
        self._t = 0  # session ms of the next sample
        self._t_frac = 0  # sub-ms part, in us
        self._anchored = False
        self._next_frame = 0
        self._next_progress = 0
        self._next_second = 0
        self._next_battery = 0
        self._next_discard = 0
        self._period_us = 0
        gc.collect()
        self.config, problems = _read_config(board)
        self.activity = self.config["activity"]
        self.kind = activities.activity(self.activity)
        self.mode = self.config["mode"]
        self.det = make(self.activity)  # the current (or last) session's detector (early: the biggest)
        self._configure_det()
        if getattr(board, "ble", None) is not None:
            from fascia.app.ble import BleService

            self.ble = BleService(board.ble, self)
        self.store = LogStore(board.path("log"), capacity_bytes=board.flash_bytes)
        try:
            self.boot = self.store.count_boot()
        except OSError:  # flash full (ENOSPC): run anyway, boot unknown (0); sessions are refused
            pass
        self.days = DailyProgress(board.path("days.json"))
        self.screen = Screen(board.display, board.width, board.height)
        self._fifo = bytearray(_CHUNK * board.imu.SAMPLE_BYTES)
        self._mg = array("i", (0, 0, 0))
        self._last_mg = array("i", (0, 0, 0))  # the last sample of the previous chunk
        self._rate = IntRing(_RATE_WINDOW_S + 1)
        self._events = array("i", bytes(4 * _EVENT_BATCH))  # counted event times, logged in batches
        self._set_rate()
        if problems:
            self._notice("CONFIG", problems)
        if self.sensor_error:  # (a sensor dead at power-on matters more than a config complaint)
            self._notice("SENSOR ERROR", (self.sensor_error,))

    # -- the loop -----------------------------------------------------------------------------------
    def step(self, now: int) -> None:
        self.board.wdt.feed()
        a, b = self.board.buttons
        ev_a = a.poll(now)
        ev_b = b.poll(now)
        if ev_a or ev_b:
            self._on_buttons(now, ev_a, ev_b)
        s = self.session
        if s is not None:
            self._drain(now)
            if self.session is not None:
                count = self.det.count
                if s.update(now, count) and s.state == ses.DONE:
                    self._finish(now)
                elif now >= self._next_progress:
                    self._next_progress = now + _PROGRESS_MS
                    self._log_events()
                    try:
                        self.store.progress(s.elapsed_ms(now), count)
                    except OSError:  # flash full (ENOSPC)
                        self.log_full = True
                if self.log_full and self.session is not None:
                    self._finish(now, "flash_full")
                if now >= self._next_second:
                    self._next_second = now + 1000
                    self._rate.push(self.det.count)
        elif now >= self._next_discard:
            self._next_discard = now + _DISCARD_MS
            self._discard_fifo()
        if now >= self._next_battery and self.board.battery is not None:
            self._next_battery = now + _BATTERY_MS
            self.battery = self.board.battery.percent()
        if now >= self._next_frame:
            self._next_frame = now + (_FRAME_MS if self.session is not None else _IDLE_FRAME_MS)
            self.draw(now)
        if self.ble is not None:
            self.ble.poll(now)

    def _drain(self, now: int, final: bool = False) -> None:
        """Move every whole chunk of samples from the FIFO into the detector (and, when the
        session ends, what is left over)."""
        imu = self.board.imu
        s = self.session
        if s is None:
            return
        try:
            for _ in range(_MAX_CHUNKS):  # bounded: a bus too slow to keep up must not starve the watchdog
                n = imu.read_chunk(self._fifo)
                if imu.overflowed():
                    self.gaps += 1
                    self._anchored = False
                if not n:
                    break
                if s.counting:
                    self._feed(s.elapsed_ms(now), n)
            if final:
                n = imu.read_fifo(self._fifo)
                if n and s.counting:
                    self._feed(s.elapsed_ms(now), n)
        except OSError as e:
            self._sensor_failed(now, e)
        if self._same_us >= _STUCK_US and self.session is not None:
            self._sensor_stuck(now)

    def _feed(self, session_now: int, n: int) -> None:
        period = self._period_us
        if not self._anchored or abs(self._t + (n - 1) * period // 1000 - session_now) > _REANCHOR_MS:
            # the newest sample was taken about now: count back from it (us, so no rounding drift)
            first_us = session_now * 1000 - (n - 1) * period
            self._t = first_us // 1000
            self._t_frac = first_us % 1000
            self._anchored = True
        det = self.det
        imu = self.board.imu
        mg = self._mg
        t = self._t
        frac = self._t_frac
        for i in range(n):
            imu.sample_mg(self._fifo, i, mg)
            for _ in range(det.feed(t, mg[0], mg[1], mg[2])):
                self._event(det.last_event_ms)
            frac += period
            while frac >= 1000:
                frac -= 1000
                t += 1
        self._t = t
        self._t_frac = frac
        last = self._last_mg  # (once a chunk: is the sensor frozen?)
        if mg[0] == last[0] and mg[1] == last[1] and mg[2] == last[2]:
            self._same_us += n * period
        else:
            last[0] = mg[0]
            last[1] = mg[1]
            last[2] = mg[2]
            self._same_us = 0

    def _event(self, t: int) -> None:
        """Keep a counted event's time for the log, as `fascia count` lists it (a double-under's
        two passes: two entries at the jump's time)."""
        n = self._n_events
        if n and t < self._events[n - 1]:
            t = self._events[n - 1]  # the log wants times in order; late confirmations never go back
        self._events[n] = t
        self._n_events = n + 1
        if n + 1 == _EVENT_BATCH:
            self._log_events()

    def _log_events(self) -> None:
        if self._n_events:
            n = self._n_events
            self._n_events = 0
            try:
                self.store.events(self._events[:n])
            except OSError:  # flash full (ENOSPC), not a sensor error: step() ends the session
                self.log_full = True

    def _discard_fifo(self) -> None:
        """Keep the FIFO from overflowing while nothing is recorded."""
        try:
            for _ in range(_MAX_CHUNKS):  # (bounded, as in _drain)
                if not self.board.imu.read_chunk(self._fifo):
                    break
            self.board.imu.overflowed()
            self.sensor_error = ""
        except OSError as e:
            self.sensor_error = _not_answering(e)

    # -- user actions -----------------------------------------------------------------------------
    def _on_buttons(self, now: int, ev_a: int, ev_b: int) -> None:
        s = self.session
        if self.prompt is not None:  # the person answers a host's request
            answer = self.prompt
            self.prompt = None
            self.view = READY
            answer(ev_a == PRESS)
        elif self.view in (SUMMARY, NOTICE):
            self.view = READY
        elif s is None:
            if ev_a == LONG and self.ble is not None:
                from fascia.app.bonds import menu  # (loaded with the radio's service)

                menu(self)
            elif ev_a == PRESS:
                self.start(now)
            elif ev_b == PRESS:
                self.select(ACTIVITIES[(ACTIVITIES.index(self.activity) + 1) % len(ACTIVITIES)], self.mode)
            elif ev_b == LONG:
                self.select(self.activity, MODES[(MODES.index(self.mode) + 1) % len(MODES)])
        elif ev_a == LONG or ev_b == LONG:
            self.stop(now)
        elif ev_a == PRESS:
            if s.state == ses.RUNNING:
                self.pause(now)
            else:
                self.resume(now)
        self._next_frame = now

    def pause(self, now: int) -> None:
        if self.session is not None:
            self.session.pause(now)
            self._next_frame = now

    def resume(self, now: int) -> None:
        if self.session is not None:
            self.session.resume(now)
            self._anchored = False
            self._next_frame = now

    def ask(self, title: str, lines, answer) -> None:
        """Show a question; the next button press calls answer(True) for A, answer(False) otherwise
        (answer None: a notice, which any press takes off)."""
        self._notice(title, lines)
        self.prompt = answer
        self._next_frame = 0

    def ask_cancel(self) -> None:
        """The question expired unanswered: take it off the screen."""
        if self.prompt is not None:
            self.prompt = None
            self.view = READY
            self._next_frame = 0

    def show_changes(self) -> None:
        """Settings changed from outside (the host): redraw now."""
        self._next_frame = 0

    def select(self, activity: str, mode: str) -> None:
        if activity not in ACTIVITIES or mode not in MODES:
            raise ValueError("unknown activity or mode")
        if self.session is None:
            if activity != self.activity:  # only one counter's code in RAM at a time
                unload(detector_module(self.activity))
            self.activity = activity
            self.kind = activities.activity(activity)
            self.mode = mode
            self.det = make(activity)
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
            self._period_us = self.board.imu.set_odr(self.kind[7])
        except OSError as e:
            self.sensor_error = _not_answering(e)

    def start(self, now: int) -> bool:
        """Begin a session; False (and a notice on screen) if flash is full or the sensor is down."""
        if self.session is not None:
            return False
        if self.sensor_error:
            self._notice("SENSOR ERROR", (self.sensor_error,))
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
            self._notice("FLASH FULL", (str(e),))
            return False
        except OSError:  # ENOSPC: the flash filled up although the free-space check passed
            self._notice("FLASH FULL", (FLASH_FULL,))
            return False
        self.det.reset()  # (not a new one: two detectors at once would not fit a small heap)
        self.session = ses.Session(self.activity, self.mode, self.config)
        self.session.start(now)
        self._rate.fill(0)
        self.gaps = 0
        self._same_us = 0
        self._n_events = 0
        self._anchored = False
        self._next_progress = now + _PROGRESS_MS
        self._next_second = now + 1000
        try:
            # the rate again (the sensor may have been down when the activity was chosen), then an
            # empty FIFO: samples from before the start are not this session's
            self._period_us = self.board.imu.set_odr(self.kind[7])
            self.board.imu.fifo_reset()
        except OSError as e:
            self._sensor_failed(now, e)
            return False
        self.view = TRAINING
        return True

    def stop(self, now: int) -> None:
        if self.session is not None:
            self._drain(now, final=True)  # the last part-chunk of samples counts too
            if self.session is not None:  # (a sensor error while draining ends it by itself)
                self.session.stop(now)
                self._finish(now)

    def _mode_params(self) -> dict:
        """The mode's parameters under their log names (fascia.spec.log.MODE_PARAMS)."""
        fields = MODE_FIELDS[self.mode]
        return {name: self.config[fields[i]] for i, name in enumerate(MODE_PARAMS[self.mode])}

    def _finish(self, now: int, reason: str = "") -> None:
        """Write the END record, update today's total and show the summary."""
        s = self.session
        if s is None:
            return
        det = self.det
        for _ in range(det.flush(self._t)):  # what the counter settles at the end counts and is logged
            self._event(det.last_event_ms)
        extras = det.extras()
        if self.gaps:
            extras["gaps"] = self.gaps
        duration = s.elapsed_ms(now)
        kcal = ses.energy_kcal_x10(self.activity, self.config["weight_kg"], s.active_ms(now))
        end_reason = reason or ("target" if s.end_reason == ses.END_TARGET else "stop")
        self._log_events()
        try:
            self.store.end(duration, det.count, kcal, end_reason, extras)
            if self.activity == "jump_rope" and det.count:
                self.days.add(self.today(), det.count)
                self.days.save()
        except OSError:  # flash full (ENOSPC): the records written so far stay readable
            self.log_full = True
        lines = summary_lines(self.kind, extras)
        if self.gaps:  # the FIFO overflowed: say that samples were lost
            lines = ("data gaps %d" % self.gaps,) + lines
        self.result = (det.count, duration, lines, kcal)
        self.session = None
        self.view = SUMMARY
        if self.log_full:
            self.log_full = False
            self._notice("FLASH FULL", ("Session saved up to here.", FLASH_FULL))

    def _sensor_failed(self, now: int, e: OSError) -> None:
        """The IMU stopped answering: keep what was counted, end the session, say so."""
        self.sensor_error = _not_answering(e)
        if self.session is not None:
            self.session.stop(now)
            self._finish(now, "sensor")
        self._notice("SENSOR ERROR", (self.sensor_error, "Session saved."))

    def _sensor_stuck(self, now: int) -> None:
        """The IMU answers but its reading froze: keep what was counted, end the session, say so."""
        self._same_us = 0
        if self.session is not None:
            self.session.stop(now)
            self._finish(now, "sensor")
        self._notice("SENSOR STUCK", ("Same reading for %d s." % (_STUCK_US // 1000000), "Session saved."))

    def _notice(self, title: str, lines) -> None:
        self.notice_title = title
        self.notice_lines = lines
        self.view = NOTICE

    def today(self) -> int:
        return unix_time() // 86400

    def rate_per_min(self) -> int:
        """Counts per minute over the last 10 s (from the once-a-second window)."""
        return (self._rate.get(0) - self._rate.get(_RATE_WINDOW_S)) * 60 // _RATE_WINDOW_S

    # -- display ------------------------------------------------------------------------------------
    def draw(self, now: int) -> None:
        sc = self.screen
        if self.view == NOTICE:
            sc.message(self.notice_title, self.notice_lines)
        elif self.view == SUMMARY and self.result is not None:
            count, duration, lines, kcal = self.result
            sc.summary(self.kind, count, duration, lines, kcal, self.battery)
        elif self.session is not None:
            s = self.session
            left = s.remaining(now, self.det.count)
            if self.mode == "countdown_count":
                line = "%d to go" % left
                shown = s.elapsed_ms(now)
            elif left >= 0:
                line = ("REST " if s.phase == ses.REST else "") + clock_text(left) + " left"
                if self.mode == "interval":
                    line = "%d/%d " % (s.round, self.config["interval_rounds"]) + line
                shown = left
            else:
                line = "free"
                shown = s.elapsed_ms(now)
            sc.running(
                self.kind,
                line,
                self.det.count,
                shown,
                self.rate_per_min(),
                self.battery,
                s.state == ses.PAUSED,
            )
        else:
            day = self.today()
            sc.ready(
                self.kind,
                self.mode,
                self._mode_detail(),
                self.days.today(day),
                self.config["daily_jump_goal"],
                self.days.streak(day),
                self.battery,
            )
        self.board.display.show()

    def _mode_detail(self) -> str:
        c = self.config
        if self.mode == "countdown_time":
            return clock_text(c["countdown_s"] * 1000)
        if self.mode == "countdown_count":
            return "%d" % c["countdown_count"]
        if self.mode == "interval":
            return "%dx %ds/%ds" % (c["interval_rounds"], c["interval_work_s"], c["interval_rest_s"])
        return ""


def summary_lines(kind: tuple, extras: dict):
    """The activity's figures (`kind`: its fascia.spec.activities row) for the summary screen."""
    return tuple(activities.figure_text(name, extras[name]) for name in kind[9] if name in extras)


def run(board) -> None:
    """The device's main loop: step the app every few ms, forever."""
    import time

    app = App(board)
    last = time.ticks_ms()
    now = 0
    while True:
        t = time.ticks_ms()
        now += time.ticks_diff(t, last)  # our own ms counter: never wraps in a session
        last = t
        app.step(now)
        time.sleep_ms(2)
