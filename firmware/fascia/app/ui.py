"""What the display shows: pure drawing on any `framebuf.FrameBuffer` (plus `show()`), any size.

Screens: ready (activity, mode, today's goal, the 10x10 challenge), running/paused (big count,
time, rate, mode, battery), summary, and full-screen messages (sensor error, flash full). The
count is drawn as 7-segment digits made of rectangles: readable at arm's length on a 128x64 OLED
and cheap to draw (a few fill_rect calls, no font scaling).

A screen is drawn only when what it shows has changed (`Screen.changed`): the numbers it is drawn
from are kept, so a look at an unchanged session costs a few comparisons and no drawing.
"""

from array import array

from micropython import const

from fascia.app.session import PAUSED, REST

_SEGMENTS = (0x3F, 0x06, 0x5B, 0x4F, 0x66, 0x6D, 0x7D, 0x07, 0x7F, 0x6F)  # bits: a b c d e f g
_MODE_TITLES = {
    "free": "free",
    "countdown_time": "timer",
    "countdown_count": "target",
    "interval": "interval",
}
_FG = const(1)
_BG = const(0)
_N = const(8)  # the numbers a screen is drawn from, its id and the battery's first (`Screen.changed`)
_RUNNING = const(-1)  # (`changed`'s screen ids beyond the app's views, which are >= 0)
_READY = const(-2)


def clock_text(ms: int) -> str:
    s = ms // 1000
    if s >= 3600:
        return "%d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60)
    return "%d:%02d" % (s // 60, s % 60)


def digits(value: int) -> int:
    """How many decimal digits `value` (>= 0) has."""
    n = 1
    while value >= 10:
        value //= 10
        n += 1
    return n


def big_number(fb, value: int, x: int, y: int, digit_w: int, digit_h: int, color: int = _FG) -> int:
    """Draw `value` (>= 0) in 7-segment digits with top-left (x, y); returns the width used.

    Digits come from integer arithmetic, right to left: no text is made (iterating a str would
    intern every character as a qstr, which a small heap cannot afford mid-session)."""
    value = max(0, value)
    n = digits(value)
    t = max(2, digit_h // 10)  # stroke thickness
    half = digit_h // 2
    gap = max(2, digit_w // 4)
    x += (n - 1) * (digit_w + gap)
    for _ in range(n):
        bits = _SEGMENTS[value % 10]
        value //= 10
        if bits & 0x01:
            fb.fill_rect(x, y, digit_w, t, color)  # a: top
        if bits & 0x02:
            fb.fill_rect(x + digit_w - t, y, t, half, color)  # b: upper right
        if bits & 0x04:
            fb.fill_rect(x + digit_w - t, y + half, t, digit_h - half, color)  # c: lower right
        if bits & 0x08:
            fb.fill_rect(x, y + digit_h - t, digit_w, t, color)  # d: bottom
        if bits & 0x10:
            fb.fill_rect(x, y + half, t, digit_h - half, color)  # e: lower left
        if bits & 0x20:
            fb.fill_rect(x, y, t, half, color)  # f: upper left
        if bits & 0x40:
            fb.fill_rect(x, y + half - t // 2, digit_w, t, color)  # g: middle
        x -= digit_w + gap
    return n * (digit_w + gap) - gap


def _centered(fb, text: str, y: int, width: int) -> None:
    fb.text(text, max(0, (width - 8 * len(text)) // 2), y, _FG)


def _battery(fb, percent: int, x: int, y: int) -> None:
    """A 14x7 battery icon with a fill proportional to `percent`."""
    fb.rect(x, y, 12, 7, _FG)
    fb.fill_rect(x + 12, y + 2, 2, 3, _FG)
    fb.fill_rect(x + 1, y + 1, 10 * max(0, min(100, percent)) // 100, 5, _FG)


class Screen:
    """Draws the app's state on `fb` (width x height pixels, 1 = foreground). `kind` is the
    activity's row of fascia.spec.activities (title at 2, unit of the count at 3)."""

    def __init__(self, fb, width: int, height: int):
        self.fb = fb
        self.width = width
        self.height = height
        self.tall = height > width  # the M5StickC in portrait
        # the numbers the screen on the panel was drawn from (0.._N-1), and those of the screen that
        # would be drawn now (_N..2*_N-1): see `changed`
        self._shown = array("i", bytes(8 * _N))
        self._shown[0] = -100  # (no screen yet)

    def changed(self, redraw: bool, view: int, battery: int) -> bool:
        """Would the screen `view` (an id), drawn from `battery` and the numbers set in the second
        half of `_shown`, differ from the one on the panel? If so (or if `redraw`) they become the
        panel's: the caller draws it. (Numbers a screen does not set are left as they were: equal
        in both halves after every call.)"""
        k = self._shown
        k[_N] = view
        k[_N + 1] = battery
        same = not redraw
        for i in range(_N):
            if k[i] != k[_N + i]:
                k[i] = k[_N + i]
                same = False
        return not same

    def training(self, t, now: int, battery: int, redraw: bool = True) -> bool:
        """The session running, or (none) the ready screen, from `t` (a fascia.app.trainer.Trainer,
        only read), if `redraw` or if what it shows has changed; True if drawn."""
        k = self._shown
        if t.session is not None:
            s = t.session
            count = t.det.count
            left = s.remaining(now, count)
            timed = left >= 0 and t.mode != "countdown_count"
            shown = left if timed else s.elapsed_ms(now)
            rate = t.rate_per_min()
            paused = s.state == PAUSED
            # what the screen shows: the count, the clock's whole seconds (clock_text), the count or
            # the seconds left, the rate, the interval's phase and round, paused or not
            k[_N + 2] = count
            k[_N + 3] = shown // 1000
            k[_N + 4] = left // 1000 if timed else left
            k[_N + 5] = rate
            k[_N + 6] = s.phase * 1000 + s.round
            k[_N + 7] = paused
            if not self.changed(redraw, _RUNNING, battery):
                return False
            c = t.config
            if t.mode == "countdown_count":
                line = "%d to go" % left
            elif timed:
                line = ("REST " if s.phase == REST else "") + clock_text(left) + " left"
                if t.mode == "interval":
                    line = "%d/%d " % (s.round, c["interval_rounds"]) + line
            else:
                line = "free"
            self.running(t.kind, line, count, shown, rate, battery, paused)
            return True
        day = t.today()
        today = t.days.today(day)
        streak = t.days.streak(day)
        k[_N + 2] = today
        k[_N + 3] = streak
        k[_N + 4] = day
        if not self.changed(redraw, _READY, battery):
            return False
        c = t.config
        self.ready(t.kind, t.mode, mode_detail(t.mode, c), today, c["daily_jump_goal"], streak, battery)
        return True

    def _top_bar(self, title: str, battery: int) -> None:
        self.fb.text(title[: (self.width - 18) // 8], 0, 0, _FG)
        _battery(self.fb, battery, self.width - 14, 0)

    def _big_count(self, count: int, y: int, h: int) -> None:
        n = digits(count)
        w = min(h // 2 + 2, (self.width - 4 - 3 * (n - 1)) // n)
        used = n * (w + max(2, w // 4)) - max(2, w // 4)
        big_number(self.fb, count, (self.width - used) // 2, y, w, h)

    def ready(self, kind: tuple, mode: str, detail: str, today: int, goal: int, streak: int, battery: int):
        fb = self.fb
        fb.fill(_BG)
        self._top_bar(kind[2], battery)
        y = 14 if not self.tall else 24
        fb.text("mode: " + _MODE_TITLES.get(mode, mode), 0, y, _FG)
        if detail:
            fb.text(detail, 0, y + 10, _FG)
        y = self.height - 30
        fb.text("today %d/%d" % (today, goal), 0, y, _FG)
        fb.text("10x10: day %d" % streak, 0, y + 10, _FG)
        fb.text("A start B next" if not self.tall else "A:go B:next", 0, self.height - 8, _FG)

    def running(
        self, kind: tuple, mode_line: str, count: int, time_ms: int, rate: int, battery: int, paused: bool
    ):
        fb = self.fb
        fb.fill(_BG)
        self._top_bar(mode_line, battery)
        h = self.height // 2 if not self.tall else self.height // 3
        self._big_count(count, 12 if not self.tall else 40, h)
        y = self.height - 18
        fb.text(clock_text(time_ms), 0, y, _FG)
        unit = kind[3]
        if unit != "s active":  # a count of seconds of movement (yoga, dance) has no rate
            right = "%d/min" % rate
            fb.text(right, self.width - 8 * len(right), y, _FG)
        if paused:
            _centered(fb, "PAUSED", self.height - 8, self.width)
        else:
            _centered(fb, unit, self.height - 8, self.width)

    def summary(self, kind: tuple, count: int, duration_ms: int, lines, kcal_x10: int, battery: int):
        fb = self.fb
        fb.fill(_BG)
        unit = kind[3]
        self._top_bar("DONE " + kind[2], battery)
        y = 12
        if self.tall:  # room for the count in big digits
            self._big_count(count, 20, 60)
            y = 90
        fb.text("%d %s" % (count, unit), 0, y, _FG)
        fb.text("time " + clock_text(duration_ms), 0, y + 10, _FG)
        y += 20
        for line in lines:
            if y > self.height - 16:
                break
            fb.text(line, 0, y, _FG)
            y += 10
        fb.text("%d.%d kcal" % (kcal_x10 // 10, kcal_x10 % 10), 0, self.height - 8, _FG)

    def message(self, title: str, lines) -> None:
        """Full-screen notice (errors, flash full): inverted title bar, then wrapped lines."""
        fb = self.fb
        fb.fill(_BG)
        fb.fill_rect(0, 0, self.width, 10, _FG)
        fb.text(title[: self.width // 8], 1, 1, _BG)
        y = 14
        cols = self.width // 8
        for line in lines:
            while line and y <= self.height - 8:
                fb.text(line[:cols], 0, y, _FG)
                line = line[cols:]
                y += 10


def mode_detail(mode: str, c: dict) -> str:
    """The mode's settings in a few characters (`c`: the config)."""
    if mode == "countdown_time":
        return clock_text(c["countdown_s"] * 1000)
    if mode == "countdown_count":
        return "%d" % c["countdown_count"]
    if mode == "interval":
        return "%dx %ds/%ds" % (c["interval_rounds"], c["interval_work_s"], c["interval_rest_s"])
    return ""
