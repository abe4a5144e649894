# Driver for test_filters.py: Resampler and magnitude on both runtimes, JSON lines out.
import json

from fascia.detect.filters import Resampler, magnitude

r = Resampler(10)
out = []
# 1 kHz burst, then 12.5 Hz (80 ms) samples, then a 2 s gap
samples = [(t, t, -t, 1000) for t in range(0, 30)]
samples += [(30 + 80 * i, 500, 500, 500) for i in range(1, 4)]
samples += [(2400, 1, 2, 3), (2405, 3, 4, 5), (2411, 0, 0, 0)]
for t, x, y, z in samples:
    k = r.push(t, x, y, z)
    if k:
        out.append([t, k, r.x, r.y, r.z, r.gap])
print(json.dumps(out))
print(
    json.dumps(
        [
            magnitude(x, y, z)
            for x, y, z in ((0, 0, 1000), (-1000, 0, 0), (577, -577, 577), (16000, 16000, -16000))
        ]
    )
)
