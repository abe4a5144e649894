"""The events a counter has credited but not reported yet: a fixed-size FIFO of times (ms).

Counters are often sure of an event only after it happened (a rope pass once the rope has come
round again, the steps of a walk once it is confirmed), so they credit it here with its own time
and report one per `feed` call (fascia.detect's interface). The newest `held` events belong to
something not confirmed yet (a walk): they are not ready until `release()`, and `drop()` removes
them. Preallocated in `__init__`; nothing else allocates.
"""

from array import array


class EventQueue:
    """Up to `size` event times; when full, a new event is not kept (`add` says so)."""

    def __init__(self, size: int):
        self.size = size
        self.times = array("i", bytes(4 * size))
        self.clear()

    def clear(self) -> None:
        self.head = 0  # index of the oldest event
        self.n = 0  # events queued, held ones included
        self.held = 0  # of those, the newest not yet confirmed

    def add(self, t: int, held: bool = False) -> bool:
        """Queue the event at `t` (held: of something not confirmed yet); False if there was no room."""
        if self.n >= self.size:
            return False
        self.times[(self.head + self.n) % self.size] = t
        self.n += 1
        if held:
            self.held += 1
        return True

    def ready(self) -> int:
        """How many events can be reported."""
        return self.n - self.held

    def pop(self) -> int:
        """Remove the oldest event (ready() > 0) and give its time."""
        t = self.times[self.head]
        self.head = (self.head + 1) % self.size
        self.n -= 1
        return t

    def pop_ready(self) -> int:
        """Remove every ready event; the time of the newest of them (0: there was none)."""
        k = self.n - self.held
        if not k:
            return 0
        t = self.times[(self.head + k - 1) % self.size]
        self.head = (self.head + k) % self.size
        self.n = self.held
        return t

    def release(self) -> None:
        """The held events are confirmed: they are ready."""
        self.held = 0

    def drop(self) -> None:
        """The held events were not what they seemed: they go."""
        self.n -= self.held
        self.held = 0
