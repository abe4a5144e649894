# Driver for test_swing.py: replay each trace given as an argument through the swing detector.
# Prints one JSON object per file: count, event times and the extras (ints only: same on both runtimes).
import json
import sys

from fascia.detect.replay import replay

for path in sys.argv[1:]:
    print(json.dumps(replay(path, "swing")))
