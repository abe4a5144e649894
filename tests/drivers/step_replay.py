# Driver for test_step.py: replays each trace path given as an argument through the walk detector,
# prints one JSON line per file ({"count", "events_ms", extras}). Runs on CPython and MicroPython.
import json
import sys

from fascia.detect.replay import replay

for path in sys.argv[1:]:
    print(json.dumps(replay(path, "walk")))
