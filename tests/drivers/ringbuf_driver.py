# Driver for test_ringbuf.py: exercises fascia.ringbuf, prints JSON lines. Runs on CPython and MicroPython.
import json

from fascia.ringbuf import IntRing, isqrt

r = IntRing(4)
out = []
for v in (5, -3, 12, 7, 1000, -2000):
    old = r.push(v)
    out.append([old, r.total, r.mean(), r.get(0), r.get(3)])
print(json.dumps(out))
print(json.dumps([isqrt(n) for n in (0, 1, 2, 3, 4, 15, 16, 17, 999999, 1000000, 3 * 16000 * 16000)]))
try:
    IntRing(0)
    print(json.dumps("no error"))
except ValueError as e:
    print(json.dumps(str(e)))
