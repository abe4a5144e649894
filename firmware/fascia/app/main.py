"""The app: the device's main loop, its buttons and what is on screen, around the session controller.

The data flow, one stage per module:
    fascia.app.recorder   FIFO -> sample timestamps -> the counter (fascia.detect)
    fascia.app.trainer    the session controller: activity, mode rules, lifecycle, the log
    fascia.app.ui         the screen, drawn from a read-only view of the session (`draw`)
    fascia.app.ble        the Bluetooth service, through the host interface below
`App.step(now_ms)` does one pass of the loop and returns when it next has work (a deadline, in the
same ms); the device sleeps until then (`run`), the simulator calls it on a virtual clock, so both
run the same code: feed the watchdog and poll the buttons, let the trainer drain the FIFO and apply
the mode, look at the screen about 10 times a second while training and once a second otherwise,
redrawing it only when what it shows has changed (fascia.app.ui), then let the Bluetooth service
answer. Refresh: at most 10 frames a second, in practice one a second (the clock) plus one per
change of the count. An SSD1306 frame is ~23 ms of 400 kHz I2C (1,030 bytes at 9 bits) and the
driver sends only the 8-row pages that changed, so the bus stays mostly free for the sensor (whose
FIFO holds 0.17 s at 1 kHz: a frame never costs samples), and a person reading the count along
sees it within 0.1 s.

Buttons: A press = start / pause / resume, A long = stop; B press = next activity, B long = next
mode (when ready); any press leaves the summary or an error notice. A long when ready opens the
Bluetooth bonds menu (boards with a radio; fascia.app.bondsmenu).

With a radio, the Bluetooth service (fascia.app.ble) sees the app only through fascia.app.host.
"""

from micropython import const

from fascia import unload
from fascia.app import session as ses
from fascia.app.trainer import Trainer
from fascia.detect import ACTIVITIES
from fascia.drivers.buttons import LONG, PRESS
from fascia.spec.log import MODES

_FRAME_MS = const(100)  # display refresh while training
_IDLE_FRAME_MS = const(1000)
_BUTTON_MS = const(20)  # poll the buttons this often (they debounce over 30 ms)
_BATTERY_MS = const(10000)

# What the screen shows (`view`)
READY = const(0)  # the ready screen, or the session's while one runs
SUMMARY = const(2)
NOTICE = const(3)


class App:
    def __init__(self, board):
        self.board = board
        # plain state first: the attribute table reaches its size before the big objects below
        # are made (each time it grows it leaves a hole, and holes add up in a small heap)
        self.view = READY
        self.notice_title = ""
        self.notice_lines = ()
        self.battery = 100
        self.prompt = None  # answer(yes) of a question on screen: button A = yes, any other = no
        self.ble = None  # the Bluetooth service, when the board has a radio
        self._next_frame = -1  # < 0: draw at the next step, changed or not (`redraw`)
        self._next_battery = 0
        self.trainer = Trainer(board, self)  # (makes the counter: early, it is the biggest object)
        t = self.trainer
        if getattr(board, "ble", None) is not None:
            from fascia.app.ble import BleService
            from fascia.app.host import Host

            self.ble = BleService(board.ble, Host(self))
        t.open_log()
        from fascia.app.ui import Screen  # (after the radio's boot-time code has come and gone)

        self.screen = Screen(board.display, board.width, board.height)
        if t.problems:
            self.notice("CONFIG", t.problems)
        t.problems = None
        if t.sensor_error:  # (a sensor dead at power-on matters more than a config complaint)
            self.notice("SENSOR ERROR", (t.sensor_error,))

    # -- the loop -----------------------------------------------------------------------------------
    def step(self, now: int) -> int:
        """One pass of the main loop; returns the time it next has work."""
        self.board.wdt.feed()
        a, b = self.board.buttons
        ev_a = a.poll(now)
        ev_b = b.poll(now)
        if ev_a or ev_b:
            self._on_buttons(now, ev_a, ev_b)
        t = self.trainer
        t.step(now)
        if now >= self._next_battery and self.board.battery is not None:
            self._next_battery = now + _BATTERY_MS
            self.battery = self.board.battery.percent()
        if now >= self._next_frame:
            redraw = self._next_frame < 0
            self._next_frame = now + (_FRAME_MS if t.session is not None else _IDLE_FRAME_MS)
            self.draw(now, redraw)
        due = min(now + _BUTTON_MS, self._next_frame, t.next_due(now))
        if self.ble is not None:
            due = min(due, self.ble.poll(now))
        return due

    def draw(self, now: int, redraw: bool = True) -> None:
        """The screen for `view` (fascia.app.ui draws; the session's state is only read), sent to
        the display if `redraw` or if what it shows has changed since it was last drawn."""
        sc = self.screen
        view = self.view
        t = self.trainer
        if view == NOTICE:
            if not sc.changed(redraw, view, self.battery):
                return
            sc.message(self.notice_title, self.notice_lines)
        elif view == SUMMARY and t.result is not None:
            if not sc.changed(redraw, view, self.battery):
                return
            count, duration, lines, kcal = t.result
            sc.summary(t.kind, count, duration, lines, kcal, self.battery)
        elif not sc.training(t, now, self.battery, redraw):
            return
        self.board.display.show()

    # -- the session controller's face --------------------------------------------------------------
    def notice(self, title: str, lines) -> None:
        """Show a notice (an error, a full flash) until the next button press."""
        self.notice_title = title
        self.notice_lines = lines
        self.view = NOTICE
        self.redraw()

    def ended(self) -> None:
        """A session ended: its summary goes on screen."""
        self.view = SUMMARY
        self.redraw()

    # -- user actions -----------------------------------------------------------------------------
    def _on_buttons(self, now: int, ev_a: int, ev_b: int) -> None:
        t = self.trainer
        s = t.session
        if self.prompt is not None:  # the person answers a host's request
            answer = self.prompt
            self.prompt = None
            self.view = READY
            answer(ev_a == PRESS)
        elif self.view in (SUMMARY, NOTICE):
            self.view = READY
        elif s is None:
            if ev_a == LONG and self.ble is not None:
                from fascia.app.bondsmenu import menu  # (its questions keep what they need)

                menu(self)
                unload("fascia.app.bondsmenu")
            elif ev_a == PRESS:
                self.start(now)
            elif ev_b == PRESS:
                self.select(ACTIVITIES[(ACTIVITIES.index(t.activity) + 1) % len(ACTIVITIES)], t.mode)
            elif ev_b == LONG:
                self.select(t.activity, MODES[(MODES.index(t.mode) + 1) % len(MODES)])
        elif ev_a == LONG or ev_b == LONG:
            self.stop(now)
        elif ev_a == PRESS:
            if s.state == ses.RUNNING:
                self.pause(now)
            else:
                self.resume(now)
        self.redraw()

    # -- the host interface (see the module's docstring) ---------------------------------------------
    def start(self, now: int) -> bool:
        """Begin a session; False (and a notice on screen) if flash is full or the sensor is down."""
        started = self.trainer.start(now)
        if started:
            self.view = READY
            self.redraw()
        return started

    def stop(self, now: int) -> None:
        self.trainer.stop(now)

    def pause(self, now: int) -> None:
        self.trainer.pause(now)
        self.redraw()

    def resume(self, now: int) -> None:
        self.trainer.resume(now)
        self.redraw()

    def select(self, activity: str, mode: str) -> None:
        if activity not in ACTIVITIES or mode not in MODES:
            raise ValueError("unknown activity or mode")
        self.trainer.select(activity, mode)
        self.redraw()

    def redraw(self) -> None:
        """Something shown changed (from outside too: a host): draw it at the next step."""
        self._next_frame = -1

    def back(self, title: str = "") -> None:
        """Leave the notice on screen (only notice `title`, if given) for the ready screen."""
        if self.view == NOTICE and (not title or self.notice_title == title):
            self.view = READY
            self.redraw()

    def summary_shown(self):
        """The last session's (count, duration_ms, lines, kcal_x10) while its summary is on screen."""
        return self.trainer.result if self.view == SUMMARY else None

    def ask(self, title: str, lines, answer) -> None:
        """Show a question; the next button press calls answer(True) for A, answer(False) otherwise
        (answer None: a notice, which any press takes off)."""
        self.notice(title, lines)
        self.prompt = answer


def run(board) -> None:
    """The device's main loop: step the app, then sleep until it next has work (`board.sleep_ms`:
    lightsleep where the board allows it, else time.sleep_ms)."""
    import time

    app = App(board)
    sleep_ms = board.sleep_ms or time.sleep_ms
    last = time.ticks_ms()
    now = 0
    while True:
        t = time.ticks_ms()
        now += time.ticks_diff(t, last)  # our own ms counter: never wraps in a session
        last = t
        due = app.step(now)
        wait = due - now - time.ticks_diff(time.ticks_ms(), t)
        if wait > 0:
            sleep_ms(wait)
