"""The pipeline benchmark's options that take a part of the app away, and its counters
(sim_pipeline's docstring), in a module of their own: its names are interned only when a speed run
loads it, never in the heap runs (mode "app"), whose interned strings are counted as the firmware's.
"""

import gc

_shows = [0]
_allocated = [-1]


def _no_draw(now, redraw=True):  # (no *args: a tuple per call would be garbage to collect)
    pass


def _no_feed(ts, xyz, n, on_event):
    pass


def settings(parts, settings):
    """The board's settings for the options in `parts`."""
    if "sink" in parts:
        settings["display_model"] = "sink"
    return settings


def begin(parts, board, app):
    """Before the session's loop: count the display's frames (its driver's show still runs), take
    away from `app` what `parts` names (its drawing: "nodraw", its counter's input: "nofeed"); with
    "alloc", no collection from now on, the bytes counted."""
    if app is not None:
        display = board.display
        show = display.show

        def counted_show():
            _shows[0] += 1
            show()

        display.show = counted_show  # (an instance attribute)
        if "nodraw" in parts:
            app.draw = _no_draw
        if "nofeed" in parts:
            app.trainer.det.feed_block = _no_feed
    if "alloc" in parts:
        gc.disable()
        _allocated[0] = gc.mem_alloc()


def end(result, board):
    """Add the frames sent, the bytes allocated ("alloc", else -1) and the samples made to `result`."""
    result["frames"] = _shows[0]
    result["allocated"] = gc.mem_alloc() - _allocated[0] if _allocated[0] >= 0 else -1
    result["samples"] = board.sim_sensor.samples_made if board.sim_sensor is not None else -1
