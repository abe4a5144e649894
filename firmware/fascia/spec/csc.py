"""The standard Cycling Speed and Cadence service (Bluetooth SIG 0x1816), crank data only: each
counted rope pass, clubbell rep or step is one crank revolution, so a watch or a training app
that knows nothing of fascia reads the rate as cadence (revolutions per minute).

    CSC Measurement 0x2A5B  notify  MEASUREMENT_FMT: flags (0x02: crank data present), u16
                                    cumulative crank revolutions, u16 last crank event time in
                                    1/1024 s (both wrap around, as the standard says)
    CSC Feature     0x2A5C  read    u16: 0x0002, crank revolution data supported

The revolutions go on counting across sessions (a client treats a drop as a wrap); the event time
is the detector's time of the last counted event, continued across sessions the same way.
"""

from micropython import const

SERVICE = const(0x1816)
MEASUREMENT = const(0x2A5B)
FEATURE = const(0x2A5C)
FLAG_CRANK = const(0x02)
MEASUREMENT_FMT = "<BHH"
MEASUREMENT_BYTES = const(5)
FEATURE_FMT = "<H"
FEATURE_CRANK = const(0x0002)
TICKS_PER_S = const(1024)  # the event time's unit
NOTIFY_MS = const(1000)  # one measurement a second while a client is connected, as sensors do
WRAP_MS = const(64000)  # 65536 / 1024 s: the event time's period


def event_ticks(ms: int) -> int:
    """Milliseconds -> the event time field (1/1024 s, u16), without a big integer on the ESP32."""
    return (ms % WRAP_MS) * TICKS_PER_S // 1000
