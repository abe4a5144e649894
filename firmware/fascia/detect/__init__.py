"""Streaming counters: one detector per activity, pure integer Python, no hardware.

Every detector has the same small interface, so the app, `fascia count` and the benchmarks can
drive any of them:

    det = make("jump_rope")
    n = det.feed(t_ms, x, y, z)   # ints: ms timestamp, milli-g; returns new counted events (0, 1, 2)
    if n:                          # the n events all happened at det.last_event_ms (may lie in the
        ...                        #   past: a jump is only counted once the rope has come round again)
    n = det.flush(t_ms)            # end of session: settle what is pending, same return convention
    n = flush(det, t_ms, on_event) # the same, on_event(t_ms) for each event at its own time
    det.count                      # running count
    det.reset()                    # back to a fresh detector's state, allocating nothing
    det.extras()                   # activity-specific figures as a dict of ints (called rarely)
    n = feed_block(det, ts, xyz, k, on_event)  # k samples at once: times ts[i], mg xyz[3i..3i+2]
                                   #   (array('i')s); on_event(t_ms) for each event; as k feeds

`feed` allocates nothing: preallocated buffers, small ints, no floats. Timestamps drive all
timing, so any rate from 12.5 Hz to 1 kHz, jitter and gaps are handled.
"""

import micropython

from fascia.spec import activities

ACTIVITIES = activities.NAMES

# Each counter lives in its own module (fascia.spec.activities names it), imported only when asked
# for, so a device holds only the code of the counter it runs (see `module`).


def module(activity: str) -> str:
    """The module that holds `activity`'s counter (a device unloads it when switching away)."""
    return "fascia.detect." + activities.activity(activity)[4]


def make(activity: str):
    """A fresh detector for `activity` (one of ACTIVITIES)."""
    row = activities.activity(activity)  # (ValueError for an unknown activity)
    return getattr(__import__("fascia.detect." + row[4], None, None, (row[5],)), row[5])()


@micropython.native  # (a bytecode call of more than 11 words of state would allocate its frame)
def feed_block(det, ts, xyz, n: int, on_event) -> int:
    """Feed `det` the n samples of a block (times ts[i], milli-g xyz[3i], xyz[3i + 1], xyz[3i + 2]):
    one call per FIFO read on the device and per block in `fascia count`, so both take the very same
    path; exactly as n calls to `det.feed`. Calls on_event(t_ms) for each event; returns how many.
    Each counter's own `feed_block` method does the work, so one can run its per-sample kernel over
    the whole block (see `feed_each` for the plain loop)."""
    return det.feed_block(ts, xyz, n, on_event)


@micropython.native
def feed_each(det, ts, xyz, n: int, on_event) -> int:
    """`feed_block` as n calls to `det.feed`: the block path of a counter without a kernel of its own."""
    new = 0
    j = 0
    for i in range(n):
        k = det.feed(ts[i], xyz[j], xyz[j + 1], xyz[j + 2])
        j += 3
        while k:
            on_event(det.last_event_ms)
            new += 1
            k -= 1
    return new


def flush(det, t_ms: int, on_event) -> int:
    """End of session (`det.flush`): settle what `det` has pending and call on_event(t_ms) for each
    event that then counts, at its own time; returns how many (the device's log and `fascia count`
    take this path). A counter that credits several events at once at different times (steps of a
    walk confirmed at the end, passes still queued) has a `flush_block(t_ms, on_event)` method for
    it; the others' events all happened at det.last_event_ms."""
    if hasattr(det, "flush_block"):
        return det.flush_block(t_ms, on_event)
    n = det.flush(t_ms)
    for _ in range(n):
        on_event(det.last_event_ms)
    return n
