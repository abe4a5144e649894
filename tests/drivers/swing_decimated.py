# Driver for test_swing.py: replay traces keeping one sample per PERIOD ms (a slower sensor's view).
# Usage: swing_decimated.py PERIOD_MS FILE... ; prints one JSON object per file (count, events, extras).
import json
import sys

from fascia.detect.replay import count_samples, read_trace


def decimated(samples, period):
    next_t = -1
    for s in samples:
        if s[0] >= next_t:
            next_t = s[0] + period
            yield s


period = int(sys.argv[1])
for path in sys.argv[2:]:
    with open(path) as f:
        print(json.dumps(count_samples(decimated(read_trace(f), period), "swing")))
