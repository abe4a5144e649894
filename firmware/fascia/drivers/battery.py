"""LiPo battery voltage and charge estimate from an ADC behind a resistor divider.

`adc` is anything with `read_uv()` (machine.ADC on the ESP32 returns calibrated microvolts);
`ratio` is the divider's Vbat / Vadc (2 for two equal resistors). The charge estimate interpolates
a typical single-cell LiPo resting-voltage curve; under load the voltage sags, so treat the percent
as a gauge, not a coulomb count.
"""

# (mV, percent), falling; a typical 3.7 V LiPo at rest
_CURVE = (
    (4200, 100),
    (4100, 90),
    (4000, 78),
    (3900, 62),
    (3800, 42),
    (3750, 30),
    (3700, 18),
    (3650, 10),
    (3600, 5),
    (3500, 2),
    (3300, 0),
)


def percent(mv):
    """Charge estimate 0..100 for a cell voltage in mV."""
    if mv >= _CURVE[0][0]:
        return 100
    for i in range(1, len(_CURVE)):
        v0, p0 = _CURVE[i]
        if mv >= v0:
            v1, p1 = _CURVE[i - 1]
            return p0 + (p1 - p0) * (mv - v0) // (v1 - v0)
    return 0


class Battery:
    def __init__(self, adc, ratio=2, samples=8):
        self.adc = adc
        self._ratio_milli = int(ratio * 1000)
        self.samples = samples

    def read_mv(self):
        """Battery voltage in mV, averaged over `samples` ADC reads."""
        total = 0
        for _ in range(self.samples):
            total += self.adc.read_uv()
        return total // self.samples // 1000 * self._ratio_milli // 1000  # stays well under 2**30

    def percent(self):
        return percent(self.read_mv())
