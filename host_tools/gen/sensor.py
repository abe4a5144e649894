"""What a real accelerometer makes of a continuous motion: sampling, clock error, gaps, noise, clipping."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fascia.spec.trace import HEADER, format_line

Accel = Callable[[float], tuple[float, float, float]]  # t in s -> specific force (x, y, z) in g, sensor frame


@dataclass
class SensorModel:
    """A cheap MEMS part as seen through a FIFO: every default is a plausible worst case, not a best case."""

    rate_hz: float = 400.0
    clock_error: float = 0.02  # the part's own oscillator: +-2 % off nominal is common
    jitter_ms: float = 0.2  # timestamp jitter of the logger
    gap_every_s: float = 20.0  # mean interval between FIFO overruns (0 = never)
    gap_ms: tuple[float, float] = (30.0, 250.0)  # length of a lost stretch
    noise_mg: float = 8.0  # white noise per axis
    range_g: float = 16.0  # full scale: readings clip here
    lsb_mg: float = 0.488  # +-16 g at 16 bit: 2048 LSB/g
    quantum_ms: float = 0.0  # logger clock resolution: stamps floored to multiples (0 = 0.1 ms)
    repeat_fraction: float = 0.0  # share of rows that repeat the previous row, stamp and all (re-sent)

    @classmethod
    def population(cls, rng: random.Random, rate_hz: float | None = None) -> SensorModel:
        """A sensor and logger drawn from the range real devices show (each range documented here).

        - rate: 25-1000 Hz, log-uniform (watches log 12.5-100 Hz, phones 50-200, MEMS FIFOs to 1 kHz)
        - clock: +-3 % (MEMS oscillators are specified at +-1-5 %); jitter 0-2 ms (BLE/phone loggers)
        - range +-2/4/8/16 g (the four full scales of every common part); LSB from a 16-bit word
        - noise 2-15 mg per axis (datasheet noise density x bandwidth, up to a cheap part at 1 kHz)
        - FIFO overruns every 10-120 s, or never (half the time)
        - quantised stamps (a third of loggers: 1-20 ms ticks, e.g. a watch's 16.8 ms) and repeated
          rows (a fifth of loggers: up to 20 %, as seen in real watch exports)
        """
        rate = rate_hz if rate_hz is not None else math.exp(rng.uniform(math.log(25.0), math.log(1000.0)))
        range_g = rng.choice((2.0, 4.0, 8.0, 16.0))
        return cls(
            rate_hz=rate,
            clock_error=rng.uniform(0.0, 0.03),
            jitter_ms=rng.uniform(0.0, 2.0),
            gap_every_s=rng.uniform(10.0, 120.0) if rng.random() < 0.5 else 0.0,
            noise_mg=rng.uniform(2.0, 15.0),
            range_g=range_g,
            lsb_mg=range_g * 1000.0 / 32768.0,
            quantum_ms=rng.uniform(1.0, 20.0) if rng.random() < 1 / 3 else 0.0,
            repeat_fraction=rng.uniform(0.0, 0.2) if rng.random() < 0.2 else 0.0,
        )


def random_rotation(rng: random.Random) -> list[list[float]]:
    """A uniformly random 3x3 rotation matrix (from a random unit quaternion): any mounting of a sensor."""
    q = [rng.gauss(0, 1) for _ in range(4)]
    n = math.sqrt(sum(c * c for c in q))
    w, x, y, z = (c / n for c in q)
    return [
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
    ]


def rotate(m: list[list[float]], v: tuple[float, float, float]) -> tuple[float, float, float]:
    """m @ v for a 3x3 matrix and a 3-vector."""
    return (
        m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
        m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
        m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2],
    )


def sample(
    accel: Accel, duration_s: float, model: SensorModel, rng: random.Random
) -> list[tuple[float, int, int, int]]:
    """Samples (t_ms on the logger's clock, x, y, z in mg) of `accel` over `duration_s`."""
    # the part's oscillator runs off nominal: the real rate differs, the timestamps tell the truth
    true_period = 1.0 / (model.rate_hz * (1.0 + rng.uniform(-model.clock_error, model.clock_error)))
    limit = model.range_g * 1000.0
    out: list[tuple[float, int, int, int]] = []
    t = 0.0
    next_gap = rng.expovariate(1.0 / model.gap_every_s) if model.gap_every_s else float("inf")
    while t < duration_s:
        if t >= next_gap:
            t += rng.uniform(*model.gap_ms) / 1000.0
            next_gap = t + rng.expovariate(1.0 / model.gap_every_s)
            continue
        ax, ay, az = accel(t)
        reading = []
        for a in (ax, ay, az):
            mg = a * 1000.0 + rng.gauss(0.0, model.noise_mg)
            mg = max(-limit, min(limit, mg))
            reading.append(int(round(round(mg / model.lsb_mg) * model.lsb_mg)))
        stamp = t * 1000.0 + rng.gauss(0.0, model.jitter_ms)
        if model.quantum_ms:
            stamp = math.floor(stamp / model.quantum_ms) * model.quantum_ms
        if model.repeat_fraction and out and rng.random() < model.repeat_fraction:
            out.append(out[-1])  # the logger sent the last row again, stamp and all
        else:
            out.append((stamp, reading[0], reading[1], reading[2]))
        t += true_period
    # timestamps must be non-decreasing and start at 0, one decimal
    first = out[0][0] if out else 0.0
    fixed: list[tuple[float, int, int, int]] = []
    last = 0.0
    for stamp, x, y, z in out:
        s = max(last, round(stamp - first, 1))
        fixed.append((s, x, y, z))
        last = s
    return fixed


def write_trace(
    path_stem: Path | str,
    samples: Sequence[tuple[float, int, int, int]],
    *,
    activity: str,
    placement: str,
    events_ms: Sequence[float] | None,
    count: int | None = None,
    notes: str,
    extra: dict | None = None,
) -> tuple[Path, Path]:
    """Write `<stem>.csv` and `<stem>.json` in the canonical format; returns both paths."""
    stem = Path(path_stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    csv_path = stem.parent / (stem.name + ".csv")  # not with_suffix: a stem may contain dots
    with csv_path.open("w") as f:
        f.write(HEADER + "\n")
        for t, x, y, z in samples:
            f.write(format_line(float(t), x, y, z))
    duration = samples[-1][0] / 1000.0 if samples else 0.0
    truth = {
        "id": stem.name,
        "activity": activity,
        "placement": placement,
        "count": len(events_ms) if events_ms is not None else count,
        "events_ms": [round(e, 1) for e in events_ms] if events_ms is not None else None,
        "rate_hz": round(len(samples) / duration, 1) if duration else 0.0,
        "source": {"repo": "fascia", "commit": None, "path": "host_tools/gen", "licence": "MIT (generated)"},
        "notes": notes,
    }
    if extra:
        truth.update(extra)
    json_path = stem.parent / (stem.name + ".json")
    json_path.write_text(json.dumps(truth, indent=1) + "\n")
    return csv_path, json_path
