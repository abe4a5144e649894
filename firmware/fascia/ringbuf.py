"""Fixed-size integer ring buffer with a running sum, for moving windows in the detectors.

Everything is preallocated in `__init__`; `push()` allocates nothing (the sum stays a small int
for milli-g windows), so it is safe in the per-sample path.
"""

from array import array


class IntRing:
    """The last `size` integers pushed, oldest first, and their sum."""

    def __init__(self, size: int, fill: int = 0):
        if size < 1:
            raise ValueError("size must be >= 1")
        self.size = size
        self.buf = array("i", [fill] * size)
        self.head = 0  # index of the oldest element == slot the next push overwrites
        self.total = fill * size

    def push(self, value: int) -> int:
        """Store `value`, drop the oldest element and return it."""
        i = self.head
        old = self.buf[i]
        self.buf[i] = value
        self.total += value - old
        i += 1
        if i == self.size:
            i = 0
        self.head = i
        return old

    def mean(self) -> int:
        """Integer mean of the window, rounded towards minus infinity."""
        return self.total // self.size

    def get(self, age: int) -> int:
        """Element `age` pushes ago: 0 is the newest, size - 1 the oldest."""
        i = self.head - 1 - age
        if i < 0:
            i += self.size
        return self.buf[i]

    def fill(self, value: int) -> None:
        for i in range(self.size):
            self.buf[i] = value
        self.total = value * self.size


def isqrt(n: int) -> int:
    """Integer square root (floor) by Newton's method: exact, no floats."""
    if n <= 0:
        return 0
    x = n
    y = (x + 1) >> 1
    while y < x:
        x = y
        y = (x + n // x) >> 1
    return x
