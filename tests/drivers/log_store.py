# Driver for test_log.py: the session store in DIR (argv[1]); prints one JSON object of named steps.
import json
import os
import sys
from binascii import crc32

from fascia.app.blerequests import note_reader, readers
from fascia.app.logstore import LogError, LogStore, unix_time

root = sys.argv[1]
out = {"unix_time": unix_time()}


def refused(fn, *args):
    try:
        fn(*args)
    except LogError as e:
        return [type(e).__name__, str(e)]
    return None


store = LogStore(root)
out["boots"] = [store.count_boot(), store.count_boot(), store.next_id()]

# session 1: every record type
sid = store.begin("swing", "countdown_count", {"count": 50}, start=1700000000, clock_synced=True, boot=2)
store.progress(3000, 4, {"reps_swing": 4})
out["while_open"] = [sid, refused(store.mark_synced, sid), refused(store.begin, "walk", "free")]
store.events([900, 1800, 2700, 3600])
store.events([])
store.end(9000, 11, 25, "target", {"reps_swing": 11, "max_streak": 11})
# session 2: left open, as after a power cut
s2 = store.begin("walk", "free", start=42, boot=2, device_id="0102")
store.progress(1000, 2)
store = LogStore(root)  # "reboot"
out["after_reboot"] = [s2, store.list_sessions()]

# synced state and deletion
out["refused"] = [refused(store.delete, 1), refused(store.mark_synced, 7), refused(store.delete, 7)]
store.mark_synced(1)
store.mark_synced(1)
out["synced"] = store.list_sessions()
with open(store.path(1), "rb") as f:
    whole = f.read()
chunks = b""
while True:
    part = store.read(1, len(chunks), 20)
    if not part:
        break
    chunks += part
out["chunked"] = [store.crc32(1) == crc32(whole), chunks == whole, store.path(1)[-9:]]
# the bonded hosts that read a session to its end (only they acknowledge it over BLE): the latest 4
for host in ("a1", "b2", "a1", "c3", "d4", "e5"):
    note_reader(store, 1, host)
out["readers"] = [readers(store, 1), readers(store, 2)]
store.mark_synced(1, "c3")
store.mark_synced(1, "d4")  # a later acknowledgement does not take the delete over
out["acked_by"] = store.acked_by(1)
with open(root + "/00002.rd", "wb") as f:
    f.write(b"\xff\xfe a1\n")  # damaged: nobody counts as a reader (the host reads it again)
out["damaged_readers"] = readers(store, 2)
os.remove(root + "/00002.rd")
store.delete(1)
out["deleted"] = store.list_sessions()
out["notes_left"] = [n for n in os.listdir(root) if n[-3:] == ".rd" or n[-4:] == ".ack"]

# ids: a corrupt or missing counter file is recovered from the directory listing
with open(root + "/next_id", "w") as f:
    f.write("x\x00")
out["bad_counter"] = store.next_id()
os.remove(root + "/next_id")
out["no_counter"] = store.next_id()
s3 = store.begin("jump_rope", "free")
store.end(0, 0)
out["new_id"] = [s3, store.next_id()]

# full flash: the reserve can't be met -> refused with the display sentence, nothing written
full = LogStore(root, reserve_bytes=1 << 62)
out["full"] = [full.can_start(), refused(full.begin, "walk", "free"), [s[0] for s in full.list_sessions()]]
# simulated small flash: synced sessions are deleted oldest first to make room, unsynced never
used = sum(s[2] for s in store.list_sessions()) + 4 + 4  # + the two counter files
small = LogStore(root, reserve_bytes=100, capacity_bytes=used + 60)
out["small"] = [small.free_bytes(), small.can_start()]
small.mark_synced(3)
out["room"] = [small.can_start(), [s[0] for s in small.list_sessions()], small.next_id()]
print(json.dumps(out))
