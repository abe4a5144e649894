"""Synthetic session histories for the host-side tests (plan, export, plot, programme): realistic
session records, a store holding them as real device logs, and the `fascia` command with one
command module registered."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

UTC = dt.UTC
RATE_PER_MIN = {
    "jump_rope": 120,
    "swing": 24,
    "walk": 125,
    "yoga": 45,
    "dance": 55,
}  # (yoga, dance: active s)
MONDAY = dt.date(2026, 11, 2)


def session(
    activity: str,
    day: dt.date | None,
    count: int | None = None,
    minutes: float = 5.0,
    hour: int = 12,  # noon UTC: the same date in any local time zone the CLI tests run in
    session_id: int = 1,
    events: bool = True,
    stop_at_s: float | None = None,
) -> dict:
    """One session record as the store returns it; `day=None` makes a session with an unknown start.

    Events come at the activity's cadence with a little jitter; `stop_at_s` inserts a 6 s stop (a trip).
    """
    duration_ms = round(minutes * 60000)
    count = round(minutes * RATE_PER_MIN[activity]) if count is None else count
    rng = random.Random(session_id * 7919 + count)
    period = duration_ms / max(count, 1)
    times, t = [], 0.0
    for _ in range(count):
        t += period * rng.uniform(0.9, 1.1)
        if stop_at_s is not None and len(times) and times[-1] < stop_at_s * 1000 <= t:
            t += 6000
        times.append(round(t))
    if times and times[-1] > duration_ms:
        duration_ms = times[-1] + 300
    progress = [[ms, sum(1 for e in times if e <= ms)] for ms in range(5000, duration_ms, 5000)]
    start = None if day is None else dt.datetime(day.year, day.month, day.day, hour, tzinfo=UTC).timestamp()
    return {
        "device_id": "30aea4c0ffee",
        "session_id": session_id,
        "activity": activity,
        "mode": "free",
        "start_utc": start,
        "duration_ms": duration_ms,
        "count": count,
        "kcal": round(
            minutes * {"jump_rope": 11.0, "swing": 8.0, "walk": 5.5, "yoga": 3.0, "dance": 5.5}[activity], 1
        ),
        "end_reason": "stop",
        "status": "complete",
        "extras": {"trips": 1 if stop_at_s is not None else 0} if activity == "jump_rope" else {},
        "events_ms": times if events else [],
        "progress": progress,
    }


def history(days_counts: dict[dt.date, int], activity: str = "jump_rope") -> list[dict]:
    return [
        session(activity, d, count=c, minutes=c / RATE_PER_MIN[activity], session_id=i)
        for i, (d, c) in enumerate(sorted(days_counts.items()), start=1)
    ]


def day(n: int) -> dt.date:
    return MONDAY + dt.timedelta(days=n)


def status(report, activity: str):
    return next(a for a in report.activities if a.activity == activity)


def store_with(path: Path, records: list[dict]) -> Path:
    """A session database holding `records`, written as real device logs and imported."""
    from fascia.spec import log
    from host_tools.store import Store

    with Store(path) as store:
        for r in records:
            raw = log.pack_header(
                r["session_id"],
                r["activity"],
                r["mode"],
                start=int(r["start_utc"] or 0),
                clock_synced=r["start_utc"] is not None,
                device_id=r["device_id"],
            )
            raw += b"".join(log.pack_progress(t, c) for t, c in r["progress"])
            raw += log.pack_events(r["events_ms"])
            raw += log.pack_end(r["duration_ms"], r["count"], round(r["kcal"] * 10), extras=r["extras"])
            store.import_session(raw)
    return path


def fascia(monkeypatch, *argv: str) -> int:
    """Run the `fascia` command with this helper's command module registered."""
    from host_tools import cli

    monkeypatch.setattr(cli, "COMMAND_MODULES", ("host_tools.programme_cli",))
    return cli.main(list(argv))
