# Driver for test_ringbuf.py: exercises fascia.ringbuf, prints JSON lines. Runs on CPython and MicroPython.
import json

from fascia.ringbuf import IntRing

r = IntRing(4)
out = []
for v in (5, -3, 12, 7, 1000, -2000):
    old = r.push(v)
    out.append([old, r.get(0), r.get(3)])
print(json.dumps(out))
r.fill(9)
print(json.dumps([r.get(0), r.get(3)]))
try:
    IntRing(0)
    print(json.dumps("no error"))
except ValueError as e:
    print(json.dumps(str(e)))
