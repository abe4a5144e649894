# Driver for test_log.py: pack every record type, read them back, then damage the bytes.
# Prints JSON lines: the session's hex, its parse, then iter_records summaries of damaged copies.
import json
from binascii import hexlify

from fascia.spec import log, logread


def session():
    params = {"work_s": 30, "rest_s": 10, "rounds": 5}
    return [
        log.pack_header(12, "jump_rope", "interval", params, 1700000000, True, 3, "a4cf12345678", 72000, 250),
        log.pack_progress(5000, 12, {"trips": 1, "max_streak": 11, "custom_figure": -5}),
        log.pack_events([100, 400, 700, 70000]),
        log.pack_progress(10000, 25, {"trips": 2, "max_streak": 13}),
        log.pack_end(60000, 100, 123, "target", {"double_unders": 4, "trips": 2}),
    ]


def summary(data):
    """[offset, type, error or None] per record."""
    return [[o, t, f["error"] if t == log.CORRUPT else None] for o, t, f in logread.iter_records(data)]


records = session()
data = b"".join(records)
print(json.dumps(hexlify(data).decode()))
print(json.dumps([len(r) for r in records]))
print(json.dumps(logread.parse_session(data)))

# one flipped bit inside the first PROGRESS payload
flipped = bytearray(data)
flipped[len(records[0]) + 9] ^= 0x10
print(json.dumps(summary(bytes(flipped))))

# every truncation point: records read in full, and the error of the cut one
cuts = []
for cut in range(len(data) + 1):
    s = logread.parse_session(data[:cut])
    good = [t for o, t, f in logread.iter_records(data[:cut]) if t != log.CORRUPT]
    cuts.append([cut, len(good), s["status"], s["errors"]])
print(json.dumps(cuts))

# garbage between records, a huge length field, an unknown record type with a valid CRC
head = len(records[0])
print(json.dumps(summary(data[:head] + b"\x00\xfa\x5c\x01garbage" + data[head:])))
huge = bytearray(data)
huge[head + 3] = 0xFF
huge[head + 4] = 0xFF
print(json.dumps(summary(bytes(huge))))
print(json.dumps(summary(data[:head] + log.frame(9, b"future") + data[head:])))
# a valid frame whose payload does not decode (writer bug), and the version check
print(json.dumps(summary(data[:head] + log.frame(log.PROGRESS, b"\x01\x02") + data[head:])))
newer = bytearray(records[0][5:-4])
newer[0] = log.FORMAT_VERSION + 1
print(json.dumps(logread.parse_session(log.frame(log.HEADER, bytes(newer)) + data[head:])["errors"]))
# an unsynced start resolved at sync time (same boot / earlier boot)
unsynced = logread.parse_session(log.pack_header(13, "walk", "free", None, 600, False, 4))["header"]
print(
    json.dumps(
        [
            unsynced,
            logread.resolve_start(unsynced, 4, 1000, 1700000000),
            logread.resolve_start(unsynced, 5, 10, 0),
        ]
    )
)
