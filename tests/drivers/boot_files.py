# Driver for test_boot_files.py: every file the device reads at boot, damaged in turn (argv[1]: a
# directory). Prints one JSON line per case: what the device made of it (never a crash).
import json
import os
import sys

from fascia.app.logstore import LogStore
from fascia.app.progress import DailyProgress
from fascia.spec import config

root = sys.argv[1]
BAD = [
    b"\xff\xfe{\x80}",  # not UTF-8
    b'{"weight_kg": 80, "device_name": "caf\xc3"}',  # a cut-off UTF-8 sequence
    b"\x00" * 64,
    b"9" * 5000,  # a huge number, longer than any real file
    b'{"weight_kg": 1' + b"0" * 400 + b"}",  # a huge number inside valid JSON
    b"[" * 3000,  # nesting deeper than any parser's stack
    b'{"weight_kg": 80}',  # (good: the settings are used)
]


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


for i, data in enumerate(BAD):
    case = root + "/case%d" % i
    os.mkdir(case)
    write(case + "/config.json", data)
    conf, problems = config.load(case + "/config.json")
    os.mkdir(case + "/log")
    write(case + "/log/boots", data)
    write(case + "/log/next_id", data)
    write(case + "/days.json", data)
    store = LogStore(case + "/log")
    boot = store.count_boot()
    days = DailyProgress(case + "/days.json").days
    sid = store.begin("jump_rope", "free", boot=boot)  # a session still starts (and gets a sane id)
    store.end(1000, 3)
    print(json.dumps([conf["weight_kg"], len(problems), boot, sid, len(days), store.next_id()]))

# a config saved over a damaged one replaces it in one step (temporary file + rename)
config.save(root + "/case0/config.json", dict(config.defaults(), weight_kg=90))
print(json.dumps([config.load(root + "/case0/config.json"), sorted(os.listdir(root + "/case0"))]))
