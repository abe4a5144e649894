"""The host's reading of `fascia.spec.activities` (THE table of activities and figures): names,
units and labels for `count`, `show`, `stats`, `plot`, `export` and `plan`, the aggregation of
figures over sessions, and the one definition of a session's rate. Nothing here adds a figure: a
new one is a line in the table, and every command picks it up."""

from __future__ import annotations

from fascia.spec.activities import FIGURES, NAMES, TEMPO_NAMES, activity, figure, figure_text

__all__ = ["NAMES", "TEMPO_NAMES", "figure_text"]

APP_FIGURES = ("gaps",)  # the one figure the app writes itself (samples lost), for any activity
MANUAL_ACTIVITIES = ("yoga", "dance")  # what `fascia log` records from the laptop


def label(name: str) -> str:
    """'Jump rope', 'Clubbell', 'Power walk', 'Yoga', 'Dance' (the device's title, in sentence case)."""
    return activity(name)[2].capitalize() if name in NAMES else name


def count_unit(name: str) -> str:
    """What an activity's count counts: jumps, reps, steps, or seconds of movement."""
    if name not in NAMES:
        return "count"
    return activity(name)[3]


def counts_time(name: str) -> bool:
    """True for an activity whose count is seconds of movement (yoga, dance): no rate, no cycles."""
    return name in NAMES and activity(name)[3] == "s active"


def live_figure(name: str) -> str:
    """The figure the Bluetooth LIVE packet carries for this activity."""
    return activity(name)[8] if name in NAMES else "figure"


def figures_of(name: str) -> tuple[str, ...]:
    """The figures an activity's counter reports, in the order they are shown."""
    return activity(name)[9] if name in NAMES else ()


def figure_names() -> tuple[str, ...]:
    """Every figure in the table, in log-code order."""
    return tuple(line.split()[1] for line in FIGURES.splitlines() if line)


def aggregation(name: str) -> str:
    """sum, max, mean or last (a figure the table does not know: mean)."""
    row = figure(name)
    return row[3] if row else "mean"


def per_minute(count: int, duration_ms: int) -> float | None:
    """A session's (or a total's) rate: count per minute of session time; None without time.
    The device's live rate is another figure: counts over its last 10 s."""
    return count * 60000 / duration_ms if duration_ms else None


def figures_text(name: str, extras: dict) -> str:
    """'trips 3, double-unders 1, ...': the activity's figures in table order, then any others."""
    known = [n for n in figures_of(name) + APP_FIGURES if n in extras]
    rest = sorted(n for n in extras if n not in known)
    return ", ".join(figure_text(n, int(extras[n])) for n in known + rest)


def aggregate(records: list[dict], extras_key: str = "extras") -> dict[str, int]:
    """The figures of several sessions combined by each one's rule: sum, max, mean (weighted by
    the session's count, or its duration for time-counting activities), last (records in time order)."""
    out: dict[str, float] = {}
    weights: dict[str, float] = {}
    for r in records:
        weight = r.get("duration_ms", 0) if counts_time(r.get("activity") or "") else r.get("count", 0)
        for name, value in (r.get(extras_key) or {}).items():
            rule = aggregation(name)
            if rule == "sum":
                out[name] = out.get(name, 0) + value
            elif rule == "max":
                out[name] = max(out[name], value) if name in out else value
            elif rule == "last":
                out[name] = value
            elif weight:
                out[name] = out.get(name, 0) + value * weight
                weights[name] = weights.get(name, 0) + weight
    for name, w in weights.items():
        out[name] = out[name] / w
    return {k: round(v) for k, v in out.items() if aggregation(k) != "mean" or k in weights}
