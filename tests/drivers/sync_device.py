# Driver for test_sync.py: the device half of sync (fascia.app.sync) on a flash dir (argv[1]).
# Prints the JSON lines the host would read: info, ack, delete, and the listing left behind.
import json
import os
import sys

from fascia.app import sync
from fascia.app.logstore import LogStore

root = sys.argv[1]
store = LogStore(root + "/log")
store.count_boot()
for n in range(3):
    store.begin("walk", "free", start=1700000000 + n, clock_synced=True, boot=1, device_id="0a0b")
    store.progress(1000, n)
    store.end(2000, n)
sync.info(root)
sync.delete(root, [1])  # not acknowledged yet: refused
sync.ack(root, [1, 2, 9])
sync.delete(root, [1, 3])  # 3 is not acknowledged: refused
sync.set_clock(1700000000)
print(json.dumps(sorted(os.listdir(root + "/log"))))
# the stream of frames (fascia.spec.syncwire): all of 2, 3 from byte 10, a missing 9; small chunks
import io  # noqa: E402
from binascii import hexlify  # noqa: E402

out = io.BytesIO()
sync.stream(root, [[2, 0, 74], [3, 10, 74], [9, 0, 5]], 32, out)
print(json.dumps(hexlify(out.getvalue()).decode()))
