"""Scoring a counter against ground truth: the measures the accuracy benchmark reports."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence


def count_accuracy(truth: int, counted: int) -> float | None:
    """1 - |err| / truth, the Oxford paper's measure (None for zero-count files: see false counts)."""
    if truth == 0:
        return None
    return 1.0 - abs(counted - truth) / truth


def match_events(truth_ms: Sequence[float], found_ms: Sequence[float], tolerance_ms: float = 200.0) -> int:
    """Number of one-to-one matches within +-tolerance (greedy in time order, which is optimal on a line)."""
    truth = sorted(truth_ms)
    found = sorted(found_ms)
    i = j = matched = 0
    while i < len(truth) and j < len(found):
        d = found[j] - truth[i]
        if abs(d) <= tolerance_ms:
            matched += 1
            i += 1
            j += 1
        elif d < 0:
            j += 1
        else:
            i += 1
    return matched


def precision_recall(truth_ms: Sequence[float], found_ms: Sequence[float], tolerance_ms: float = 200.0):
    matched = match_events(truth_ms, found_ms, tolerance_ms)
    precision = matched / len(found_ms) if found_ms else (1.0 if not truth_ms else 0.0)
    recall = matched / len(truth_ms) if truth_ms else 1.0
    return precision, recall


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (nearest rank): the value that p % of the values are at or below."""
    ordered = sorted(values)
    rank = math.ceil(len(ordered) * p / 100)
    return ordered[max(0, min(len(ordered) - 1, rank - 1))]


def summarise(rows: list[dict]) -> dict:
    """Per-group summary of benchmark rows (each with truth, counted, optional precision/recall)."""
    accs = [r["accuracy"] for r in rows if r["accuracy"] is not None]
    zero = [r for r in rows if r["truth"] == 0]
    with_events = [r for r in rows if r.get("precision") is not None]
    truth_total = sum(r["truth"] for r in rows)
    return {
        "files": len(rows),
        "truth_total": truth_total,
        "counted_total": sum(r["counted"] for r in rows),
        # 1 - sum|err| / sum truth over the files with something to count: errors never cancel out
        "overall_accuracy": 1.0
        - sum(abs(r["counted"] - r["truth"]) for r in rows if r["truth"]) / truth_total
        if truth_total
        else None,
        "mean_accuracy": statistics.fmean(accs) if accs else None,
        "median_accuracy": statistics.median(accs) if accs else None,
        "p5_accuracy": percentile(accs, 5) if accs else None,
        "min_accuracy": min(accs) if accs else None,
        "exact_share": sum(r["counted"] == r["truth"] for r in rows) / len(rows) if rows else None,
        "zero_files": len(zero),
        "max_false_on_zero": max((r["counted"] for r in zero), default=None),
        "precision": statistics.fmean(r["precision"] for r in with_events) if with_events else None,
        "recall": statistics.fmean(r["recall"] for r in with_events) if with_events else None,
    }
