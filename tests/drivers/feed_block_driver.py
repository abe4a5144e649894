# Driver for test_feed_block.py: a trace through a counter sample by sample (`feed`), then in blocks
# through `fascia.detect.feed_block` (the device's and `fascia count`'s path) of the device's 32
# samples and of 5 (other block boundaries, and a part-block at the end); prints the three results.
# argv: TRACE.csv ACTIVITY
import json
import sys

from fascia.detect import flush, make
from fascia.detect.replay import count_samples, read_trace


def one_by_one(samples, activity):
    det = make(activity)
    events = []
    t = 0
    for t, x, y, z in samples:
        for _ in range(det.feed(t, x, y, z)):
            events.append(det.last_event_ms)
    flush(det, t, events.append)
    result = {"activity": activity, "count": det.count, "events_ms": events}
    result.update(det.extras())
    return result


path, activity = sys.argv[1], sys.argv[2]
with open(path) as f:  # (streamed from the file each time: a trace fills no heap)
    print(json.dumps(one_by_one(read_trace(f), activity)))
for block in (32, 5):
    with open(path) as f:
        print(json.dumps(count_samples(read_trace(f), activity, block=block)))
