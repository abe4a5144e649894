"""Streaming counters: one detector per activity, pure integer Python, no hardware.

Every detector has the same small interface, so the app, `fascia count` and the benchmarks can
drive any of them:

    det = make("jump_rope")
    n = det.feed(t_ms, x, y, z)   # ints: ms timestamp, milli-g; returns new counted events (0, 1, 2)
    if n:                          # the n events all happened at det.last_event_ms (may lie in the
        ...                        #   past: a jump is only counted once the rope has come round again)
    n = det.flush(t_ms)            # end of session: settle what is pending, same return convention
    det.count                      # running count
    det.reset()                    # back to a fresh detector's state, allocating nothing
    det.extras()                   # activity-specific figures as a dict of ints (called rarely)

`feed` allocates nothing: preallocated buffers, small ints, no floats. Timestamps drive all
timing, so any rate from 12.5 Hz to 1 kHz, jitter and gaps are handled.
"""

ACTIVITIES = ("jump_rope", "swing", "walk")

# activity -> (module, class): each counter lives in its own module, imported only when asked for,
# so a device holds only the code of the counter it runs (see `module`)
_COUNTERS = {
    "jump_rope": ("jump", "JumpDetector"),
    "swing": ("swing", "SwingDetector"),
    "walk": ("step", "StepDetector"),
}


def module(activity: str) -> str:
    """The module that holds `activity`'s counter (a device unloads it when switching away)."""
    if activity not in _COUNTERS:
        raise ValueError("unknown activity %r (choose from %s)" % (activity, ", ".join(ACTIVITIES)))
    return "fascia.detect." + _COUNTERS[activity][0]


def make(activity: str):
    """A fresh detector for `activity` (one of ACTIVITIES)."""
    where = module(activity)  # (ValueError for an unknown activity)
    name = _COUNTERS[activity][1]
    return getattr(__import__(where, None, None, (name,)), name)()
