# Driver for test_detect_common.py: counts a trace with a fresh detector, then twice more with the
# same detector after reset() (as the app does at each session start); prints the three results.
import json
import sys

from fascia.detect import make
from fascia.detect.replay import count_samples, read_trace

activity, path = sys.argv[1], sys.argv[2]
det = make(activity)
for _ in range(3):
    with open(path) as f:
        print(json.dumps(count_samples(read_trace(f), activity, det)))
    det.reset()
