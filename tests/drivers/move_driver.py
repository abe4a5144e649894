# Driver for test_move.py: the yoga/dance active-time counter on synthetic movement and on trace
# files. Prints one JSON line per case ({"count", "events_ms", extras}). Runs on CPython and MicroPython.
import json
import sys

from fascia.detect import make
from fascia.detect.replay import replay


def synthetic(rate_hz, still_s, moving_s, amp_mg):
    """`still_s` of a resting hand with +-8 mg of noise, then `moving_s` of a 0.5 Hz sway."""
    det = make("dance")
    events = []
    step = 1000 // rate_hz
    seed = 12345
    t = 0
    while t < (still_s + moving_s) * 1000:
        seed = (seed * 1103515245 + 12345) & 0x7FFFFFFF
        noise = seed % 17 - 8
        sway = 0
        if t >= still_s * 1000:
            phase = (t // 10) % 200  # 2 s period, triangle wave
            sway = amp_mg * (phase if phase < 100 else 200 - phase) // 100
        if det.feed(t, noise + sway, noise, 1000 - noise):
            events.append(det.last_event_ms)
        t += step
    if det.flush(t):
        events.append(det.last_event_ms)
    out = {"count": det.count, "events_ms": events}
    out.update(det.extras())
    return out


for arg in sys.argv[1:]:
    if arg.startswith("synthetic:"):
        rate, still, moving, amp = (int(v) for v in arg.split(":")[1:])
        print(json.dumps(synthetic(rate, still, moving, amp)))
    else:
        print(json.dumps(replay(arg, "yoga")))
