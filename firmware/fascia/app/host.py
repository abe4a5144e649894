"""The app as a connected host may see and drive it: the one interface of fascia.app.ble,
blerequests and blestandard to the rest of the device (nothing else of the app is theirs to read
or change). Loaded only on boards with a radio.

Actions: `start(now)`, `stop(now)`, `pause(now)`, `resume(now)`, `select(activity, mode)`,
`configure(changes)`, `forget_settings()`, `set_clock(epoch)`, `ask(title, lines, answer)`,
`ask_cancel()`, `show_passkey(n)`, `end_notice(title)`. Reads: `state()`, `live(now)`,
`summary_shown()`, `activity()`, `counter()`, `log()`, `boot()`, `battery()`, and the attributes
`settings` (config.json's values) and `board` (name, device_id, path()).
"""

from fascia import unload


class Host:
    def __init__(self, app):
        self._app = app
        self.board = app.board
        self.settings = app.trainer.config  # (changed in place only: read it, `configure` it)
        self.start = app.start
        self.stop = app.stop
        self.pause = app.pause
        self.resume = app.resume
        self.select = app.select
        self.ask = app.ask

    def configure(self, changes: dict) -> None:
        """Apply and save changed settings, all or none: ValueError if the config schema refuses
        one, OSError if config.json cannot be written."""
        from fascia.app import settings  # (only for a change: dropped again)

        unload("fascia.app.settings")
        settings.configure(self.settings, self.board, changes)
        self._app.redraw()

    def forget_settings(self) -> None:
        """Settings and daily totals back to their defaults (a factory reset)."""
        from fascia.app import settings

        unload("fascia.app.settings")
        settings.forget(self.settings, self.board)
        self._app.redraw()

    def set_clock(self, epoch: int) -> bool:
        """Set the real-time clock to `epoch` (Unix seconds, UTC); False if refused."""
        from fascia.app import settings

        unload("fascia.app.settings")
        return settings.set_utc(epoch, self.board.rtc)

    def ask_cancel(self) -> None:
        """The question expired unanswered: take it off the screen."""
        app = self._app
        if app.prompt is not None:
            app.prompt = None
            app.back()

    def show_passkey(self, passkey: int) -> None:
        """A host asks to pair: show the passkey it must type in (six digits, first line)."""
        self._app.notice("PAIRING", ("%06d" % passkey, "Type it on the host."))

    def end_notice(self, title: str) -> None:
        """Take notice `title` off the screen, if it is still there."""
        if self._app.prompt is None:
            self._app.back(title)

    def state(self) -> int:
        """The session's state: 0 none, 1 running, 2 paused (fascia.app.session)."""
        s = self._app.trainer.session
        return 0 if s is None else s.state

    def live(self, now: int) -> tuple:
        """(state, phase, count, elapsed ms, rate per min, live figure, left, round) of the session
        (state 0 and zeros between sessions; left: ms, or reps in countdown_count, -1 none);
        the live figure only while training or while its summary is shown."""
        t = self._app.trainer
        s = t.session
        count = t.det.count
        figure = t.det.extras().get(t.kind[8], 0) if s is not None or self.summary_shown() else 0
        if s is None:
            return (0, 0, count, 0, 0, figure, -1, 0)
        left = s.remaining(now, count)
        return (s.state, s.phase, count, s.elapsed_ms(now), t.rate_per_min(), figure, left, s.round)

    def summary_shown(self):
        """The last session's (count, duration_ms, lines, kcal_x10) while its summary is on screen."""
        return self._app.summary_shown()

    def counter(self):
        """The counter now fed (fascia.detect): `count`, `last_event_ms`; a new session resets it."""
        return self._app.trainer.det

    def activity(self) -> tuple:
        """(activity, mode) chosen."""
        t = self._app.trainer
        return t.activity, t.mode

    def log(self):
        """The session log (fascia.app.logstore.LogStore)."""
        return self._app.trainer.store

    def boot(self) -> int:
        return self._app.trainer.boot

    def battery(self) -> int:
        return self._app.battery
