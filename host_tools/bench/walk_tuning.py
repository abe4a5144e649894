"""The step counter's tuning loop (`python -m host_tools.bench.walk_tuning [N]`): walks and negatives drawn
as the stress set draws them, but from tuning seeds (< walk.STRESS_SEED_BASE), counted as `fascia count`
counts them. Prints mean, 5th percentile and worst per pace and placement (N sessions per pace,
placement and rate) and of the wrist walks whose arm swung fully less than half the time; the total
error of N long wrist walks (10 min, town and stroll, 12.5 and 50 Hz); the false steps per hour on
car, train, desk and chores (4N sessions of 5 min per kind); and the total error of town walks at
12.5 and 50 Hz with the sensor's noise forced to 5, 20 and 35 mg per axis (steps counted after the
walker stopped).

Tune on this, never on the stress set (`make bench-accuracy`), whose seeds are kept apart.
Traces are cached in out/bench/generated/walk_tuning by the generators' source hash.
"""

from __future__ import annotations

import hashlib
import json
import random
import statistics
import sys
from dataclasses import replace
from multiprocessing import Pool
from pathlib import Path

from fascia.detect.replay import count_samples, read_trace
from host_tools.bench.accuracy import GENERATED
from host_tools.gen import idle, walk
from host_tools.gen.sensor import SensorModel, sample, write_trace

OUT = GENERATED / "walk_tuning"
RATES = (12.5, 25.0, 50.0, 100.0, 400.0)
WALK_SEEDS = 100  # walks from seed 100 on, negatives from 500, noisy town walks from 200 (all < 1000)
NEGATIVE_SEEDS = 500
NOISY_SEEDS = 200
LONG_SEEDS = 300  # long walks from 300
NOISE_MG = (5.0, 20.0, 35.0)


def _digest() -> str:
    files = (walk.__file__, idle.__file__, sample.__code__.co_filename)
    return hashlib.sha256(b"".join(Path(f).read_bytes() for f in files)).hexdigest()[:8]


def _count(csv_path: Path) -> int:
    with csv_path.open() as f:
        return count_samples(read_trace(f), "walk")["count"]


def little_swing(sidecar: dict) -> bool:
    """Whether a generated wrist walk's arm swung fully for less than half its walking time."""
    arm = sidecar.get("arm_s") or {}
    return sidecar.get("placement") == "wrist" and 2 * arm.get("swing", 0.0) < sum(arm.values())


def run(job: tuple) -> tuple:
    """(labels, truth, counted, hours) of one tuning trace, generated once into OUT."""
    kind, scenario, placement, rate, seed, duration, noise = job
    stem = OUT / f"{scenario}_{placement}_{round(rate * 10)}_{seed}_{round(noise)}_{_digest()}"
    csv_path = stem.parent / (stem.name + ".csv")
    if not csv_path.exists():
        if noise:  # a town walk with the sensor's noise forced
            rng = random.Random(f"walk-tuning/{seed}/{noise}")
            walker = walk.Walker(random.Random(seed), scenario, placement, duration)
            model = replace(SensorModel.population(rng, rate_hz=rate), noise_mg=noise)
            events = [c * 1000.0 for c in walker.contacts]
            write_trace(
                stem, sample(walker.accel, duration, model, rng), activity="walk", placement=placement,
                events_ms=events, notes=f"walk_tuning: {scenario}, seed {seed}, noise {noise} mg",
            )  # fmt: skip
        else:
            walk.generate(scenario, seed, rate, stem, duration_s=duration, placement=placement)
    sidecar = json.loads((stem.parent / (stem.name + ".json")).read_text())
    label = f"noise {noise:g} mg" if noise else (scenario if kind == "neg" else f"{placement} {scenario}")
    if kind == "long":
        label = f"long {placement} walks (10 min)"
    labels = (label, "wrist, little arm swing") if kind != "noisy" and little_swing(sidecar) else (label,)
    return labels, sidecar["count"], _count(csv_path), duration / 3600


def jobs(n: int) -> list[tuple]:
    out = []
    seed = WALK_SEEDS
    for scenario in walk.SCENARIOS:
        for placement in walk.PLACEMENTS:
            for rate in RATES:
                for _ in range(n):
                    out.append(("walk", scenario, placement, rate, seed, 150.0, 0.0))
                    seed += 1
    seed = NEGATIVE_SEEDS
    for scenario in walk.NEGATIVES:
        for rate in (12.5, 50.0, 100.0):
            for _ in range(max(1, 4 * n // 3)):
                out.append(("neg", scenario, "wrist", rate, seed, 300.0, 0.0))
                seed += 1
    seed = LONG_SEEDS
    for k in range(n):  # long wrist walks (10 min): the total over a day's walking
        scenario = ("town", "stroll")[k % 2]
        out.append(("long", scenario, "wrist", (12.5, 50.0)[k // 2 % 2], seed, 600.0, 0.0))
        seed += 1
    for noise in NOISE_MG:
        for k in range(2 * n):
            rate = (12.5, 50.0)[k % 2]
            out.append(("noisy", "town", "wrist", rate, NOISY_SEEDS + k // 2, 150.0, noise))
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    n = int(argv[0]) if argv else 2
    OUT.mkdir(parents=True, exist_ok=True)
    with Pool(2) as pool:
        rows = pool.map(run, jobs(n), chunksize=1)
    groups: dict[str, list[tuple]] = {}
    for labels, *row in rows:
        for label in labels:
            groups.setdefault(label, []).append((label, *row))
    head = "tuning seeds"
    print(f"{head:<24} {'files':>5} {'mean':>7} {'p5':>7} {'worst':>7} {'total':>7}")
    for label, rs in groups.items():
        if rs[0][1] == 0:
            continue
        accs = sorted(1 - abs(c - t) / t for _, t, c, _ in rs)
        total = sum(c - t for _, t, c, _ in rs) / sum(t for _, t, _, _ in rs)
        print(
            f"{label:<24} {len(rs):>5} {statistics.fmean(accs) * 100:>6.1f}% "
            f"{accs[int(0.05 * (len(accs) - 1))] * 100:>6.1f}% {accs[0] * 100:>6.1f}% {total * 100:>+6.2f}%"
        )
    print(f"\n{'negatives':<24} {'hours':>5} {'false':>7} {'per hour':>9}")
    for label, rs in groups.items():
        if rs[0][1] == 0:
            false = sum(c for _, _, c, _ in rs)
            hours = sum(h for *_, h in rs)
            print(f"{label:<24} {hours:>5.1f} {false:>7} {false / hours:>9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
