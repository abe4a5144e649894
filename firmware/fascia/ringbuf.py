"""Fixed-size integer ring buffer: the last N values of a once-a-second series (the rate window).

Everything is preallocated in `__init__`; `push()` allocates nothing.
"""

from array import array


class IntRing:
    """The last `size` integers pushed."""

    def __init__(self, size: int, fill: int = 0):
        if size < 1:
            raise ValueError("size must be >= 1")
        self.size = size
        self.buf = array("i", [fill] * size)
        self.head = 0  # index of the oldest element == slot the next push overwrites

    def push(self, value: int) -> int:
        """Store `value`, drop the oldest element and return it."""
        i = self.head
        old = self.buf[i]
        self.buf[i] = value
        i += 1
        if i == self.size:
            i = 0
        self.head = i
        return old

    def get(self, age: int) -> int:
        """Element `age` pushes ago: 0 is the newest, size - 1 the oldest."""
        i = self.head - 1 - age
        if i < 0:
            i += self.size
        return self.buf[i]

    def fill(self, value: int) -> None:
        for i in range(self.size):
            self.buf[i] = value
