# Driver for test_jump.py: replays each trace path given on the command line through the jump-rope
# detector and prints the result dict as one JSON line per path (same code path as `fascia count`).
import json
import sys

from fascia.detect.replay import replay

for path in sys.argv[1:]:
    print(json.dumps(replay(path, "jump_rope")))
