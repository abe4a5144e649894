"""What a real accelerometer makes of a continuous motion: sampling, clock error, gaps, noise, clipping."""

from __future__ import annotations

import json
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
