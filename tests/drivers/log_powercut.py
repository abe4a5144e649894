# Driver for test_log.py: records a session in DIR (argv[1]) forever, printing how many records
# are complete after each one, until the test kills the process (our power cut).
import sys

from fascia.app.logstore import LogStore

store = LogStore(sys.argv[1])
store.begin("jump_rope", "countdown_time", {"seconds": 60}, start=5, boot=1)
written = 1
while True:
    store.progress(written * 100, written, {"trips": written % 7, "max_streak": written})
    if written % 3 == 0:
        store.events([written * 100 + k for k in range(0, 40, 8)])
    written += 1
    sys.stdout.write(str(written) + "\n")
    if hasattr(sys.stdout, "flush"):
        sys.stdout.flush()
