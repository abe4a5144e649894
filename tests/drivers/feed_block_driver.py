# Driver for test_feed_block.py: a trace through a counter sample by sample (`feed`) and in blocks of
# uneven sizes (`fascia.detect.feed_block`, the device's and `fascia count`'s path); prints both.
# argv: TRACE.csv ACTIVITY
import json
import sys
from array import array

from fascia.detect import feed_block, make
from fascia.detect.replay import read_trace

SIZES = (32, 1, 7, 32, 13, 2, 32, 32, 5)  # block sizes in turn: a full FIFO chunk and odd part-chunks


def result(det, events):
    return {"count": det.count, "events_ms": events, "extras": det.extras()}


def one_by_one(samples, activity):
    det = make(activity)
    events = []
    t = 0
    for t, x, y, z in samples:
        for _ in range(det.feed(t, x, y, z)):
            events.append(det.last_event_ms)
    for _ in range(det.flush(t)):
        events.append(det.last_event_ms)
    return result(det, events)


def in_blocks(samples, activity):
    det = make(activity)
    events = []
    ts = array("i", bytes(4 * 32))
    xyz = array("i", bytes(12 * 32))
    returned = 0
    n = 0
    turn = 0
    t = 0
    for t, x, y, z in samples:
        ts[n] = t
        xyz[3 * n] = x
        xyz[3 * n + 1] = y
        xyz[3 * n + 2] = z
        n += 1
        if n == SIZES[turn % len(SIZES)]:
            returned += feed_block(det, ts, xyz, n, events.append)
            n = 0
            turn += 1
    returned += feed_block(det, ts, xyz, n, events.append)
    if returned != len(events):
        raise AssertionError("feed_block returned %d, reported %d events" % (returned, len(events)))
    for _ in range(det.flush(t)):
        events.append(det.last_event_ms)
    return result(det, events)


for feed in (one_by_one, in_blocks):  # (the samples streamed from the file: a trace fills no heap)
    with open(sys.argv[1]) as f:
        print(json.dumps(feed(read_trace(f), sys.argv[2])))
