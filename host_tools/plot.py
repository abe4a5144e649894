"""PNG charts of one session (rate over time) or of the trend (daily counts, weekly programme compliance).

matplotlib with the Agg backend: no display needed, the same pixels everywhere.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402  (after choosing the backend)
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from host_tools.export import count_series  # noqa: E402
from host_tools.plan import DEFAULT_RULES, Config, daily_totals, weekly_compliance  # noqa: E402
from host_tools.vocabulary import count_unit, figures_text, label  # noqa: E402

COLOURS = {
    "jump_rope": "tab:blue",
    "swing": "tab:orange",
    "walk": "tab:green",
    "yoga": "tab:cyan",
    "dance": "tab:pink",
}
STOP_MIN_MS = 1500  # a gap between events this long (and 4x the usual gap) is a stop: trip or rest


def rate_curve(record: dict[str, Any]) -> tuple[list[float], list[float]]:
    """(time s, rate per minute) over a sliding window: 1/40 of the session, at least 6 s (events) or
    three progress intervals, so the curve shows changes of pace, not single steps."""
    events = np.sort(np.asarray(record.get("events_ms") or [], dtype=float))
    series = np.asarray(count_series(record), dtype=float)
    duration = max(float(record.get("duration_ms") or 0), series[-1, 0])
    if len(events) >= 2:
        window = max(6000.0, duration / 40)

        def counted(t: np.ndarray) -> np.ndarray:
            return np.searchsorted(events, t, side="right").astype(float)
    else:
        window = max(3 * float(np.median(np.diff(series[:, 0]))) if len(series) > 1 else 1.0, duration / 40)

        def counted(t: np.ndarray) -> np.ndarray:
            return np.interp(t, series[:, 0], series[:, 1])

    centres = np.linspace(0, duration, max(2, min(600, int(6 * duration / window) + 1)))
    lo, hi = np.clip(centres - window / 2, 0, duration), np.clip(centres + window / 2, 0, duration)
    rates = (counted(hi) - counted(lo)) * 60000 / np.maximum(hi - lo, 1)
    return (centres / 1000).tolist(), rates.tolist()


def stops(events_ms: list[int]) -> list[tuple[int, int]]:
    """Gaps in the event stream long enough to be a stop (trip or rest), as (from ms, to ms)."""
    events = sorted(events_ms)
    gaps = sorted(b - a for a, b in zip(events, events[1:], strict=False))
    if not gaps:
        return []
    limit = max(STOP_MIN_MS, 4 * gaps[len(gaps) // 2])
    return [(a, b) for a, b in zip(events, events[1:], strict=False) if b - a >= limit]


def _title_time(record: dict[str, Any]) -> str:
    start = record.get("start_utc")
    if start is None:
        return "start time unknown"
    return dt.datetime.fromtimestamp(start).astimezone().strftime("%a %d %b %Y %H:%M")


def session_figure(record: dict[str, Any]) -> Figure:
    activity = record["activity"]
    unit = count_unit(activity)
    colour = COLOURS.get(activity, "tab:purple")
    fig, ax = plt.subplots(figsize=(10, 4.8), dpi=100)
    times, rates = rate_curve(record)
    ax.plot(times, rates, color=colour, lw=2, label=f"rate ({unit}/min)")
    ax.fill_between(times, rates, color=colour, alpha=0.15)
    events = record.get("events_ms") or []
    top = max(rates, default=1) or 1
    ax.set_ylim(-0.08 * top, 1.35 * top)  # room for the event ticks below and the legend above
    if events:
        ax.plot(
            [t / 1000 for t in events],
            [-0.04 * top] * len(events),
            "|",
            color="0.3",
            ms=8,
            label=f"{unit} ({len(events)})",
        )
    for i, (a, b) in enumerate(stops(events)):
        ax.axvspan(
            a / 1000, b / 1000, color="tab:red", alpha=0.2, label="stop (trip or rest)" if i == 0 else None
        )
    ax.set_xlabel("time since start (s)")
    ax.set_ylabel(f"rate ({unit} per minute)")
    ax.set_xlim(0, max(record.get("duration_ms", 0) / 1000, times[-1] if times else 1))
    ax.grid(alpha=0.3)
    cum = ax.twinx()
    series = count_series(record)
    cum.plot(
        [t / 1000 for t, _ in series], [c for _, c in series], color="0.2", lw=1.2, ls="--", label="total"
    )
    cum.set_ylabel(f"total {unit}")
    cum.set_ylim(0, 1.35 * max(series[-1][1], 1))
    handles, labels = ax.get_legend_handles_labels()
    h2, l2 = cum.get_legend_handles_labels()
    ax.legend(handles + h2, labels + l2, loc="upper left", fontsize=9)
    extras = record.get("extras") or {}
    details = [f"{record.get('count', 0)} {unit}", f"{record.get('duration_ms', 0) / 60000:.1f} min"]
    if extras:
        details.append(figures_text(activity, extras))
    ax.set_title(
        f"{label(activity)}, session {record['session_id']} - {_title_time(record)}\n" + ", ".join(details)
    )
    fig.tight_layout()
    return fig


def trend_figure(
    sessions: list[dict[str, Any]],
    today: dt.date,
    weeks: int = 8,
    rules: Config | None = None,
    tz: dt.tzinfo | None = None,
) -> Figure:
    """One panel of daily counts per activity, then programme compliance per week."""
    config = rules or Config(dict(DEFAULT_RULES))
    activities = list(config.rules)
    totals = daily_totals(sessions, tz, config.rules)
    first = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=weeks - 1)
    days = [first + dt.timedelta(days=i) for i in range((today - first).days + 1)]
    fig, axes = plt.subplots(
        len(activities) + 1, 1, figsize=(10, 2.2 * (len(activities) + 1) + 0.6), dpi=100, sharex=False
    )
    for ax, activity in zip(axes, activities, strict=False):
        rule = config.rules[activity]
        by_minutes = rule.volume == "minutes"  # the programme measures it in minutes (walk, yoga, dance)
        unit = "minutes" if by_minutes else count_unit(activity)
        values = [totals.get(activity, {}).get(d, (0.0, 0))[0 if by_minutes else 1] for d in days]
        ax.bar(days, values, color=COLOURS.get(activity, "tab:purple"), width=0.8)
        ax.set_title(f"{rule.label}: {unit} per day", loc="left", fontsize=10)
        ax.set_ylabel(unit)
        ax.set_xlim(first - dt.timedelta(days=1), today + dt.timedelta(days=1))
        ax.xaxis.set_major_locator(mdates.WeekdayLocator(byweekday=0))  # Mondays
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%a %d %b"))
        ax.tick_params(axis="x", labelsize=8)
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle(f"Training trend: {weeks} weeks to {today:%a %d %b %Y}")
    axes[len(activities) - 1].set_xlabel("date")

    ax = axes[-1]
    compliance = weekly_compliance(sessions, today, weeks, config, tz)
    width = 0.8 / len(activities)
    for k, activity in enumerate(activities):
        xs = [i + (k - (len(activities) - 1) / 2) * width for i in range(len(compliance))]
        pct = [_percent(*row[activity]) for _, row in compliance]
        ax.bar(
            xs,
            pct,
            width=width,
            color=COLOURS.get(activity, "tab:purple"),
            label=config.rules[activity].label,
        )
    ax.axhline(100, color="0.3", ls="--", lw=1, label="target")
    ticks = [f"{monday:%d %b}" for monday, _ in compliance]
    ticks[-1] += "\n(so far)"
    ax.set_xticks(range(len(compliance)), ticks, fontsize=8)
    ax.set_title("Programme compliance per week", loc="left", fontsize=10)
    ax.set_xlabel("week starting")
    ax.set_ylabel("programme days (% of target)")
    ax.set_ylim(0, 155)
    ax.legend(
        loc="lower left", bbox_to_anchor=(0.35, 1.0), fontsize=8, ncol=len(activities) + 1, frameon=False
    )
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def _percent(done: int, target: int) -> float:
    """Share of the week's target, capped so one keen week does not flatten the chart."""
    return min(150.0, 100 * done / target) if target else 0.0


def image_format(out: Path) -> str:
    """The image format the file name asks for (png, svg, pdf, jpg, ...), or a UserError: the file
    holds what its extension says."""
    from host_tools.errors import UserError

    formats = plt.figure().canvas.get_supported_filetypes()
    plt.close("all")
    suffix = out.suffix.lower().lstrip(".")
    if suffix not in formats:
        known = ", ".join(f".{f}" for f in sorted(formats))
        raise UserError(f"{out}: cannot write a .{suffix or '(no extension)'} image (use one of {known})")
    return suffix


def save(fig: Figure, out: Path) -> Path:
    fig.savefig(out, format=image_format(out))
    plt.close(fig)
    return out


def plot_session(record: dict[str, Any], out: Path) -> Path:
    return save(session_figure(record), out)


def plot_trend(
    sessions: list[dict[str, Any]],
    out: Path,
    today: dt.date,
    weeks: int = 8,
    rules: Config | None = None,
    tz: dt.tzinfo | None = None,
) -> Path:
    return save(trend_figure(sessions, today, weeks, rules, tz), out)
