"""The simulated device after it has been up a while: sim_run with the app's clock ahead.

Usage (inside micropython, cwd = the simulated flash): sim_uptime.py SETTINGS.json, sim_run's
settings plus `uptime_ms`. The device has been up `uptime_ms` when the simulation begins, as
fascia.app.main.run counts it (its own ms counter, which goes on past the 2**30 ms wrap of the
ESP32's ticks_ms and past 2**31): the app is given every time sim_run gives it plus `uptime_ms`,
while the settings, the buttons, the trace and the status lines keep the simulation's time, from 0.
An entry script of its own, so that sim_run, and the heap a small-heap run measures, carry none of it.
"""

import json
import sys

from fascia.app import main

with open(sys.argv[1]) as f:
    _UP = json.load(f)["uptime_ms"]
_App = main.App


class _Ahead:
    """The app as sim_run drives it (step, start, stop, draw; the rest passed through), its clock
    `_UP` ms ahead of the simulation's."""

    def __init__(self, board):
        self._app = _App(board)

    def step(self, now):
        return self._app.step(now + _UP) - _UP

    def start(self, now):
        return self._app.start(now + _UP)

    def stop(self, now):
        self._app.stop(now + _UP)

    def draw(self, now, redraw=True):
        self._app.draw(now + _UP, redraw)

    def __getattr__(self, name):
        return getattr(self._app, name)


main.App = _Ahead
import sim_run  # noqa: E402, F401 (runs the simulation)
