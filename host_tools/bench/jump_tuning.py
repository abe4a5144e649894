"""The jump counter's tuning loop (`python -m host_tools.bench.jump_tuning [N]`): sessions drawn like the
stress set but from tuning seeds (< jumprope.TUNING_SEEDS), every fifth a double bounce (the slowest,
hardest style), counted as `fascia count` counts them. Prints mean, 5th percentile and worst per style,
the sessions that miss or gain passes, and the false passes on negatives and side swings.

Tune on this, never on the stress set (`make bench-accuracy`), whose seeds are kept apart.
Traces are cached in out/bench/generated/jumprope_tuning (delete it after changing the generator).
"""

from __future__ import annotations

import json
import random
import sys
from multiprocessing import Pool
from pathlib import Path

from fascia.detect.replay import count_samples, read_trace
from host_tools.bench.accuracy import GENERATED
from host_tools.gen import jumprope

OUT = GENERATED / "jumprope_tuning"
FIRST_SEED = 100  # tuning seeds 100..100+N (below jumprope.TUNING_SEEDS)


def spec(seed: int) -> tuple[str, int, str, int]:
    """(scenario, seed, placement, rate) drawn as stress_set draws them; every fifth a double bounce,
    every thirteenth a side swing."""
    draw = random.Random(seed)
    scenario = draw.choice(jumprope.SCENARIOS[:7] * 3 + jumprope.NEGATIVES)
    if seed % 5 == 0:
        scenario = "double_bounce"
    elif seed % 13 == 0:
        scenario = jumprope.SIDE_SWING
    placement = draw.choice(("handle", "handle", "wrist"))
    rate = draw.choice((25, 50, 100, 200, 400, 1000))
    return scenario, seed, placement, rate


def trace(job: tuple[str, int, str, int]) -> str:
    scenario, seed, placement, rate = job
    assert seed < jumprope.TUNING_SEEDS
    stem = OUT / f"jt_{seed}_{scenario}_{placement}_{rate}hz"
    if not stem.with_suffix(".json").exists():
        jumprope.generate(scenario, seed, rate, stem, duration_s=30.0, placement=placement, population=True)
    return str(stem.with_suffix(".csv"))


def score(path: str) -> tuple[str, str, int, int]:
    truth = json.loads(Path(path).with_suffix(".json").read_text())
    with open(path) as f:
        counted = count_samples(read_trace(f), "jump_rope")["count"]
    return Path(path).stem, truth["scenario"], truth["count"], counted


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    n = int(argv[0]) if argv else 240
    if FIRST_SEED + n > jumprope.TUNING_SEEDS:
        print(f"at most {jumprope.TUNING_SEEDS - FIRST_SEED} tuning sessions", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    with Pool(2) as pool:
        paths = pool.map(trace, [spec(s) for s in range(FIRST_SEED, FIRST_SEED + n)], chunksize=1)
        rows = pool.map(score, paths, chunksize=2)
    styles: dict[str, list[float]] = {}
    false: dict[str, int] = {}
    for name, scenario, truth, counted in rows:
        if truth == 0:
            group = "side swings" if scenario == jumprope.SIDE_SWING else "negatives"
            false[group] = false.get(group, 0) + counted
            continue
        accuracy = 1 - abs(counted - truth) / truth
        for group in (scenario, "all"):
            styles.setdefault(group, []).append(accuracy)
        if counted != truth:
            print(f"{name:<44} truth {truth:>4} counted {counted:>4}")
    print(f"\n{'style':<14} {'files':>5} {'mean':>7} {'p5':>7} {'worst':>7} {'exact':>6}")
    for group, accs in sorted(styles.items()):
        accs.sort()
        mean = sum(accs) / len(accs)
        p5 = accs[int(0.05 * (len(accs) - 1))]
        exact = sum(a == 1 for a in accs)
        print(f"{group:<14} {len(accs):>5} {mean:>7.1%} {p5:>7.1%} {accs[0]:>7.1%} {exact:>6}")
    for group, passes in sorted(false.items()):
        print(f"false passes on {group}: {passes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
