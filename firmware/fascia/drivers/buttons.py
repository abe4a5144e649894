"""Debounced push button polled from a Pin-like object (anything with `.value()`).

Call `poll(now_ms)` every few milliseconds (10-20 ms is plenty). A level change counts only once it
has been stable for `debounce_ms`, so contact bounce and short spikes are ignored. Events:
- PRESS: released before `long_ms` (reported on release, because until then it might become long);
- LONG: held for `long_ms` (reported once, while still held; its release reports nothing).
`now_ms` may be `time.ticks_ms()`: differences are taken modulo its 2**30 wrap.
"""

from micropython import const

NONE = const(0)
PRESS = const(1)
LONG = const(2)

_TICKS_PERIOD = const(1 << 30)
_TICKS_HALF = const(1 << 29)


def _elapsed(now, then):
    return ((now - then + _TICKS_HALF) & (_TICKS_PERIOD - 1)) - _TICKS_HALF


class Button:
    def __init__(self, pin, active_low=True, debounce_ms=30, long_ms=800):
        self.pin = pin
        self._active = 0 if active_low else 1
        self.debounce_ms = debounce_ms
        self.long_ms = long_ms
        self.pressed = False  # debounced state
        self._raw = False
        self._raw_since = 0
        self._pressed_at = 0
        self._long_sent = False

    def poll(self, now_ms):
        """Sample the pin; returns NONE, PRESS or LONG."""
        raw = self.pin.value() == self._active
        if raw != self._raw:
            self._raw = raw
            self._raw_since = now_ms
            return NONE
        if raw != self.pressed and _elapsed(now_ms, self._raw_since) >= self.debounce_ms:
            self.pressed = raw
            if raw:
                self._pressed_at = self._raw_since
                self._long_sent = False
                return NONE
            return NONE if self._long_sent else PRESS
        if self.pressed and not self._long_sent and _elapsed(now_ms, self._pressed_at) >= self.long_ms:
            self._long_sent = True
            return LONG
        return NONE
