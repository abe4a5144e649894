"""Pin and ADC stand-ins for `machine.Pin` / `machine.ADC` (the unix port has neither).

SimPin: a level you set from the test (`pin.value(0)`) or a script of (t_ms, level) steps read
against a clock function, so a button press can be written down as a timeline. `on_change(level)`
lets a model react to a pin the driver drives (a display's DC, CS or RST line).
SimADC: `read_uv()` returns a fixed value, or calls a function each time (to model noise or a
discharging battery).
"""


class SimPin:
    """The part of machine.Pin that the drivers use: value() and calling the pin."""

    def __init__(self, level=1, script=None, clock=None, on_change=None):
        self.level = level
        self.script = script
        self.clock = clock
        self.on_change = on_change

    def value(self, v=None):
        if v is None:
            if self.script is not None and self.clock is not None:
                now = self.clock()
                for t, level in self.script:
                    if t > now:
                        break
                    self.level = level
            return self.level
        v = 1 if v else 0
        changed = v != self.level
        self.level = v
        if changed and self.on_change is not None:
            self.on_change(v)
        return None

    def __call__(self, v=None):
        return self.value(v)


class SimADC:
    def __init__(self, uv=0):
        self.uv = uv

    def read_uv(self):
        return self.uv() if callable(self.uv) else self.uv
