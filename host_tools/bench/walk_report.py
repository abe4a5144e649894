"""The walking stress set in `make bench-accuracy`: accuracy per variant, long-walk totals, false steps/hour.

Variants are placement (wrist, hand) x pace (stroll, brisk, town: with stops and carrying) x
nominal sensor rate; each reports the mean, the 5th percentile and the worst per-session accuracy
(1 - |error| / truth). The long wrist walks (15 min at 12.5 Hz) report their total error, and the
step-free negatives (car, train, desk, chores) the false steps per hour.
"""

from __future__ import annotations

import statistics

from host_tools.gen.walk import NEGATIVES, parse_stem

PREFIX = "walk stress"
DEVICE = "device walk @ODR 100"  # the stress walks as the simulated device samples them


def group(truth: dict) -> str:
    """The benchmark group of one stress-set trace (from its sidecar)."""
    scenario, placement, rate, duration = parse_stem(truth["id"])
    if scenario in NEGATIVES:
        return f"{PREFIX}: {scenario} (no steps)"
    if duration > 600:
        return f"{PREFIX}: long {placement} walks"
    if duration < 100:
        return f"{PREFIX}: short {placement} walks"
    return f"{PREFIX}: {placement} {scenario} @{rate:g} Hz"


def _p5(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[int(0.05 * (len(ordered) - 1))]


def _line(label: str, rows: list[dict]) -> str:
    accs = [r["accuracy"] for r in rows]
    truth = sum(r["truth"] for r in rows)
    counted = sum(r["counted"] for r in rows)
    return (
        f"{label:<30} {len(rows):>5} {statistics.fmean(accs) * 100:>6.1f}% {_p5(accs) * 100:>6.1f}% "
        f"{min(accs) * 100:>6.1f}% {(counted - truth) / truth * 100:>+7.1f}%"
    )


def summary(rows: list[dict]) -> dict:
    """Figures of the stress set: per variant, per rate, per placement/pace, long walks, negatives."""
    walks = [r for r in rows if r["group"].startswith(PREFIX) and r["truth"]]
    by: dict[str, dict[str, list[dict]]] = {"variant": {}, "rate": {}, "pace": {}, "long": {}, "short": {}}
    for r in walks:
        scenario, placement, rate, duration = parse_stem(r["id"])
        if duration > 600:
            by["long"].setdefault(f"long {placement} walks @{rate:g} Hz", []).append(r)
            continue
        if duration < 100:
            by["short"].setdefault(f"short {placement} {scenario} @{rate:g} Hz", []).append(r)
            continue
        by["variant"].setdefault(f"{placement} {scenario} @{rate:g} Hz", []).append(r)
        by["rate"].setdefault(f"all walks @{rate:g} Hz", []).append(r)
        by["pace"].setdefault(f"{placement} {scenario}", []).append(r)
    negatives: dict[str, list[float]] = {}
    for r in rows:
        if r["group"].startswith(PREFIX) and not r["truth"]:
            scenario, _, _, duration = parse_stem(r["id"])
            fp = negatives.setdefault(scenario, [0.0, 0.0])
            fp[0] += r["counted"]
            fp[1] += duration / 3600
    return {"by": by, "negatives": negatives}


def print_report(rows: list[dict]) -> None:
    s = summary(rows)
    if not any(s["by"].values()):
        return
    head = "walking stress set (seeds >= 10000)"
    print(f"\n{head:<30} {'files':>5} {'mean':>7} {'p5':>7} {'worst':>7} {'total':>8}")
    for kind in ("rate", "pace", "variant", "long", "short"):
        for label, rs in sorted(s["by"][kind].items()):
            print(_line(label, rs))
        print()
    print(f"{'negatives (no steps)':<30} {'hours':>6} {'false':>6} {'per hour':>9}")
    for scenario, (false, hours) in sorted(s["negatives"].items()):
        print(f"{scenario:<30} {hours:>6.2f} {false:>6.0f} {false / hours:>9.1f}")
    device = [r for r in rows if r["group"] == DEVICE]
    if device:
        diffs = sorted(abs(r["counted"] - r["offline"]) / max(1, r["offline"]) for r in device)
        total = sum(r["counted"] for r in device) - sum(r["offline"] for r in device)
        print(
            f"\nsimulated device (ODR 100) vs fascia count, {len(device)} walks at 12.5/50 Hz: "
            f"{sum(r['counted'] == r['offline'] for r in device)} equal, within 1 %: "
            f"{sum(d <= 0.01 for d in diffs)}, largest {diffs[-1] * 100:.1f}%, "
            f"total {total:+d} steps of {sum(r['offline'] for r in device)} (target <= 1 %)"
        )
