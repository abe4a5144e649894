"""The physio's fascia programme as a weekly check: what is done, what is due, and when load rises too fast.

Fascia (tendons, ligaments, the connective sheaths around muscle) adapts over months, far slower than
muscle: the programme builds up gently and warns when volume jumps. All rules live in `DEFAULT_RULES`
below; a user can override any field in a TOML or JSON file (see `load_rules`), e.g.
`~/.config/fascia/plan.toml` on Linux::

    start = "2026-11-02"        # optional: programme start (default: first session after a long break)

    [jump_rope]
    buildup_weeks = 6           # every other day for six weeks, then daily
    ramp_limit = 0.15           # warn above +15 % over the previous weeks' mean

    [walk]
    min_minutes = 25

Definitions (all in local dates, weeks run Monday..Sunday):

- A *programme day* for an activity is a day whose sessions of that activity add up to at least
  `min_minutes` and `min_count`; the week's target is `days_per_week` such days.
- *Build-up*: for `buildup_weeks` weeks from the start, a rule with `buildup_every_days` = 2 asks for
  every other day (target 7 // 2 = 3 days, never two days in a row). The start is the first session
  after a break of `restart_after_days` or more (fascia detrains, so a long break means building up
  again), unless the config file fixes `start`.
- *Ramp*: volume (`count`, or `minutes` for walking) this week against the mean of the previous
  `ramp_weeks` weeks, and the first day after a rest of `rest_days`+ against the mean active day of the
  two weeks before the rest. A warning needs both a relative rise above `ramp_limit` and an absolute
  rise above `ramp_floor`, so small numbers (the 10x10 challenge) never alarm. +20 % over a 3-week mean
  lets a steady ramp of about +9 % a week through and catches a doubling at once.
- The five items: jump rope daily (every other day in build-up), power walking 20 min 3x a week (its
  brisk minutes, where the walk counter reports them, else the session's time), clubbell 5 min twice
  a week, mini yoga / a fluid-movement flow 5 min daily, dance to at least one song (3 min) daily.
  Yoga and dance come from the device's move sessions or from `fascia log yoga|dance`.
- `fascia plan` says why a day did or did not count: the day's amount against the minimums
  ("39/50 jumps", "3/5 min").
- Jump rope needs 50 jumps for a programme day: a 10-jump challenge day is a light day, which still
  counts as rest between build-up sessions.
- *10x10 challenge*: 10 jumps a day, 10 days in a row; same constants and streak rule as the device
  (`fascia.app.progress`): the streak ends today, or yesterday while today is still open.

Sessions without a known start time cannot be placed on a day; they are counted in `undated` only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fascia.app.progress import CHALLENGE_DAYS, CHALLENGE_JUMPS
from host_tools.vocabulary import count_unit, figure


@dataclass(frozen=True)
class Rule:
    """One activity's part of the programme."""

    activity: str  # as in fascia.detect.ACTIVITIES
    label: str
    days_per_week: int  # target programme days per week once built up
    min_minutes: float = 0.0  # a day counts when its sessions add up to this many minutes...
    min_count: int = 0  # ... and this many jumps / swings / steps
    buildup_weeks: int = 0  # weeks of reduced frequency from the (re)start
    buildup_every_days: int = 1  # during build-up: one programme day every N days (2 = every other day)
    restart_after_days: int = 21  # a break this long starts the build-up again
    volume: str = "count"  # what the ramp check measures: "count" or "minutes"
    ramp_limit: float = 0.20  # warn when volume rises more than this fraction over the baseline...
    ramp_floor: float = 0.0  # ... and by more than this much (in volume units)
    ramp_weeks: int = 3  # weekly baseline = mean of this many previous weeks
    rest_days: int = 3  # a gap this long before a day triggers the after-rest check
    minutes_from: str = ""  # a figure holding the minutes that count (e.g. brisk_minutes); "": session time


DEFAULT_RULES: dict[str, Rule] = {
    r.activity: r
    for r in (
        Rule(
            "jump_rope",
            "Jump rope",
            days_per_week=7,
            min_count=50,  # fewer (a 10x10 challenge day) is a light day: still a rest day in build-up
            buildup_weeks=4,
            buildup_every_days=2,
            ramp_floor=150,
        ),
        Rule(
            "walk",
            "Power walking",
            days_per_week=3,
            min_minutes=20,
            volume="minutes",
            ramp_floor=20,
            minutes_from="brisk_minutes",  # (a session without the figure: its time)
        ),
        Rule("swing", "Clubbell", days_per_week=2, min_minutes=5, ramp_floor=60),
        # daily, a few minutes: no build-up, and the ramp check never fires on ordinary days
        Rule(
            "yoga",
            "Yoga, flow",
            days_per_week=7,
            min_minutes=5,
            volume="minutes",
            ramp_floor=60,
        ),
        Rule("dance", "Dance", days_per_week=7, min_minutes=3, volume="minutes", ramp_floor=60),
    )
}


class PlanConfigError(ValueError):
    """The rules override file is unreadable or names unknown activities / fields."""


@dataclass
class Config:
    rules: dict[str, Rule]
    start: dt.date | None = None  # fixed programme start for every activity, else found per activity


def default_config_path() -> Path:
    """Where `fascia plan` looks for overrides: plan.toml (or plan.json) in the user config dir."""
    import platformdirs

    base = platformdirs.user_config_path("fascia")
    toml_path = base / "plan.toml"
    return toml_path if toml_path.exists() or not (base / "plan.json").exists() else base / "plan.json"


def load_rules(path: Path | None = None) -> Config:
    """DEFAULT_RULES with the fields a TOML/JSON file overrides; a missing default file is fine."""
    explicit = path is not None
    path = path or default_config_path()
    if not path.exists():
        if explicit:
            raise PlanConfigError(f"{path}: no such rules file")
        return Config(dict(DEFAULT_RULES))
    try:
        text = path.read_text()
        data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (OSError, ValueError) as e:
        raise PlanConfigError(f"{path}: {e}") from None
    return config_from_dict(data, str(path))


def config_from_dict(data: dict[str, Any], where: str = "rules") -> Config:
    rules = dict(DEFAULT_RULES)
    start = None
    names = {f.name for f in dataclasses.fields(Rule) if f.name != "activity"}
    for key, value in data.items():
        if key == "start":
            try:
                start = dt.date.fromisoformat(str(value))
            except ValueError:
                raise PlanConfigError(
                    f"{where}: start must be a date like 2026-11-02, not {value!r}"
                ) from None
            continue
        if key not in rules:
            known = ", ".join(sorted(rules))
            raise PlanConfigError(f"{where}: unknown activity [{key}] (known: {known}, or 'start')")
        if not isinstance(value, dict):
            raise PlanConfigError(f"{where}: [{key}] must be a table of fields")
        unknown = set(value) - names
        if unknown:
            raise PlanConfigError(
                f"{where}: [{key}] unknown field(s) {', '.join(sorted(unknown))} "
                f"(known: {', '.join(sorted(names))})"
            )
        for name, v in value.items():
            _check_field(rules[key], name, v, f"{where}: [{key}] {name}")
        rules[key] = dataclasses.replace(rules[key], **value)
    return Config(rules, start)


def _check_field(rule: Rule, name: str, value: Any, where: str) -> None:
    """An override must have the default's type (an int may stand for a float) and a sane value."""
    default = getattr(rule, name)
    numeric = isinstance(default, float) and isinstance(value, int)
    if isinstance(value, bool) or not (isinstance(value, type(default)) or numeric):
        raise PlanConfigError(f"{where} must be {type(default).__name__}, not {value!r}")
    if name == "volume" and value not in ("count", "minutes"):
        raise PlanConfigError(f"{where} must be 'count' or 'minutes', not {value!r}")
    if isinstance(value, int | float) and value < (1 if name in _AT_LEAST_ONE else 0):
        raise PlanConfigError(f"{where} is out of range: {value!r}")


_AT_LEAST_ONE = ("buildup_every_days", "restart_after_days", "ramp_weeks", "rest_days")


# ---------------------------------------------------------------- report


@dataclass
class ActivityStatus:
    activity: str
    label: str
    phase: str  # "build-up week 2 of 4" or "built up"
    target_days: int
    done_days: list[dt.date]
    today: str  # "done", "due", "rest", "open" (target reachable later), "week done"
    advice: str  # the same for a person: "due today", "2 in 4 days"...
    volume: float  # this week, in `unit`
    baseline: float | None  # mean weekly volume of the previous weeks (None: no history)
    unit: str
    today_text: str = ""  # today's amount against the day's minimum: "39/50 jumps"
    short_days: list[dict[str, Any]] = field(default_factory=list)  # {"day", "reason"}: done, not enough

    @property
    def remaining(self) -> int:
        return max(0, self.target_days - len(self.done_days))


@dataclass
class Challenge:
    streak: int  # consecutive days with >= CHALLENGE_JUMPS jumps, ending today (or yesterday)
    today_jumps: int
    today_done: bool
    completed: bool  # streak reached CHALLENGE_DAYS
    best: int  # longest streak in the history
    jumps_per_day: int = CHALLENGE_JUMPS
    days: int = CHALLENGE_DAYS


@dataclass
class PlanReport:
    today: dt.date
    week_start: dt.date
    activities: list[ActivityStatus]
    challenge: Challenge
    warnings: list[str] = field(default_factory=list)
    undated: int = 0  # sessions with an unknown start time, left out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (dates as ISO strings)."""

        def conv(v: Any) -> Any:
            if isinstance(v, dt.date):
                return v.isoformat()
            if isinstance(v, list):
                return [conv(x) for x in v]
            if isinstance(v, dict):
                return {k: conv(x) for k, x in v.items()}
            return v

        d = conv(dataclasses.asdict(self))
        for a, status in zip(d["activities"], self.activities, strict=True):
            a["remaining"] = status.remaining
        return d


# ---------------------------------------------------------------- evaluation


def session_day(record: dict[str, Any], tz: dt.tzinfo | None = None) -> dt.date | None:
    """Local calendar day a session started on (None if its start time is unknown)."""
    start = record.get("start_utc")
    if start is None:
        return None
    return dt.datetime.fromtimestamp(start, tz or dt.UTC).astimezone(tz).date()


def session_minutes(record: dict[str, Any], rule: Rule | None = None) -> float:
    """The minutes a session brings to its programme item: its `minutes_from` figure where the
    rule names one and the session has it (brisk minutes of a walk), else its time."""
    figure = rule.minutes_from if rule else ""
    extras = record.get("extras") or {}
    if figure and figure in extras:
        return float(extras[figure])
    return record.get("duration_ms", 0) / 60000


def daily_totals(
    sessions: list[dict[str, Any]], tz: dt.tzinfo | None = None, rules: dict[str, Rule] | None = None
) -> dict[str, dict[dt.date, tuple[float, int]]]:
    """activity -> day -> (minutes, count), summed over that day's sessions."""
    rules = DEFAULT_RULES if rules is None else rules
    out: dict[str, dict[dt.date, tuple[float, int]]] = defaultdict(dict)
    for s in sessions:
        day = session_day(s, tz)
        if day is None:
            continue
        minutes, count = out[s["activity"]].get(day, (0.0, 0))
        added = session_minutes(s, rules.get(s["activity"]))
        out[s["activity"]][day] = (minutes + added, count + int(s.get("count", 0)))
    return out


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _volume(rule: Rule, minutes_count: tuple[float, int]) -> float:
    return minutes_count[0] if rule.volume == "minutes" else float(minutes_count[1])


def day_text(rule: Rule, minutes_count: tuple[float, int]) -> str:
    """A day's amount against the rule's minimums: '39/50 jumps', '12/20 min', '7/5 min'."""
    minutes, count = minutes_count
    parts = []
    if rule.min_count or not rule.min_minutes:
        parts.append(
            f"{count}/{rule.min_count} {count_unit(rule.activity)}" if rule.min_count else f"{count}"
        )
    if rule.min_minutes:
        known = figure(rule.minutes_from) if rule.minutes_from else None
        what = f"{known[2]} " if known else ""  # "12/20 brisk min"
        parts.append(f"{minutes:.0f}/{rule.min_minutes:g} {what}min")
    return ", ".join(parts)


def _is_programme_day(rule: Rule, minutes_count: tuple[float, int]) -> bool:
    minutes, count = minutes_count
    return minutes >= rule.min_minutes and count >= rule.min_count and count + minutes > 0


def buildup_start(days: list[dt.date], rule: Rule, today: dt.date) -> dt.date | None:
    """First active day after the latest break of restart_after_days or more (up to today)."""
    past = sorted(d for d in days if d <= today)
    if not past:
        return None
    start = past[0]
    for prev, cur in zip(past, past[1:], strict=False):
        if (cur - prev).days >= rule.restart_after_days:
            start = cur
    if (today - past[-1]).days >= rule.restart_after_days:
        return today  # a break right now: the next session starts the build-up again
    return start


def week_target(rule: Rule, start: dt.date | None, monday: dt.date) -> tuple[int, int | None]:
    """(target days, build-up week number or None) for the week starting `monday`; no start yet
    (nothing done) means the build-up has not begun: week 1."""
    week = 0 if start is None else (monday - week_start(start)).days // 7
    if not 0 <= week < rule.buildup_weeks:
        return rule.days_per_week, None
    return min(rule.days_per_week, 7 // rule.buildup_every_days), week + 1


def _weekly_ramp(rule: Rule, totals: dict[dt.date, tuple[float, int]], today: dt.date):
    """(this week's volume up to today, baseline or None)."""
    monday = week_start(today)

    def week_volume(m: dt.date) -> float:
        return sum(
            _volume(rule, mc) for d, mc in totals.items() if m <= d < m + dt.timedelta(days=7) and d <= today
        )

    previous = [monday - dt.timedelta(weeks=k) for k in range(1, rule.ramp_weeks + 1)]
    first = min(totals) if totals else monday
    history = [week_volume(m) for m in previous if m + dt.timedelta(days=6) >= first]
    baseline = sum(history) / len(history) if history else None
    return week_volume(monday), baseline


def _too_steep(rule: Rule, volume: float, baseline: float) -> bool:
    return volume > baseline * (1 + rule.ramp_limit) and volume - baseline > rule.ramp_floor


def _after_rest_warning(
    rule: Rule, totals: dict[dt.date, tuple[float, int]], monday: dt.date, today: dt.date
):
    """The first day back after a rest, if it was bigger than the typical day before the rest."""
    active = sorted(d for d in totals if d <= today and _volume(rule, totals[d]) > 0)
    for prev, cur in zip(active, active[1:], strict=False):
        if cur < monday or (cur - prev).days <= rule.rest_days:
            continue
        before = [_volume(rule, totals[d]) for d in active if prev - dt.timedelta(days=14) < d <= prev]
        typical = sum(before) / len(before)
        volume = _volume(rule, totals[cur])
        if _too_steep(rule, volume, typical):
            unit = _unit(rule)
            return (
                f"{rule.label}: {volume:.0f} {unit} on {cur:%a %d %b} after {(cur - prev).days - 1} "
                f"rest days, vs {typical:.0f} on a typical day before: come back gently."
            )
    return None


def _unit(rule: Rule) -> str:
    return "min" if rule.volume == "minutes" else count_unit(rule.activity)


def _activity_status(
    rule: Rule, totals: dict[dt.date, tuple[float, int]], today: dt.date, fixed_start: dt.date | None
) -> tuple[ActivityStatus, list[str]]:
    monday = week_start(today)
    start = fixed_start or buildup_start(list(totals), rule, today)
    target, buildup_week = week_target(rule, start, monday)
    done = sorted(d for d, mc in totals.items() if monday <= d <= today and _is_programme_day(rule, mc))
    warnings = []
    phase = f"build-up week {buildup_week} of {rule.buildup_weeks}" if buildup_week else "built up"
    in_buildup = buildup_week is not None and rule.buildup_every_days > 1
    if in_buildup:
        gap = rule.buildup_every_days
        close = [b for a, b in zip(done, done[1:], strict=False) if (b - a).days < gap]
        if close:
            days = ", ".join(f"{d:%a}" for d in close)
            warnings.append(
                f"{rule.label}: during build-up keep {gap - 1} rest day(s) between sessions "
                f"(too close: {days})."
            )
    days_left = 7 - today.weekday()  # including today
    remaining = max(0, target - len(done))
    since = today - dt.timedelta(days=rule.buildup_every_days)
    recent = [d for d, mc in totals.items() if since < d < today and _is_programme_day(rule, mc)]
    if today in done:
        state, advice = "done", "done today"
    elif remaining == 0:
        state, advice = "week done", "week complete"
    elif in_buildup and recent:
        state, advice = "rest", "rest day"
    elif in_buildup or remaining >= days_left or rule.days_per_week == 7:
        state, advice = "due", "due today"
    else:
        state, advice = "open", f"{remaining} in {days_left} days"
    volume, baseline = _weekly_ramp(rule, totals, today)
    if baseline is not None and _too_steep(rule, volume, baseline):
        rise = f"+{(volume / baseline - 1) * 100:.0f} %" if baseline else "from nothing"
        warnings.append(
            f"{rule.label}: {volume:.0f} {_unit(rule)} this week vs {baseline:.0f} a week before "
            f"({rise}, limit +{rule.ramp_limit * 100:.0f} %): fascia adapts over months, "
            "hold the volume for now."
        )
    rest = _after_rest_warning(rule, totals, monday, today)
    if rest:
        warnings.append(rest)
    short = [
        {"day": d, "reason": day_text(rule, mc)}
        for d, mc in sorted(totals.items())
        if monday <= d <= today and not _is_programme_day(rule, mc) and (mc[0] > 0 or mc[1] > 0)
    ]
    status = ActivityStatus(
        rule.activity,
        rule.label,
        phase,
        target,
        done,
        state,
        advice,
        volume,
        baseline,
        _unit(rule),
        today_text=day_text(rule, totals.get(today, (0.0, 0))),
        short_days=short,
    )
    return status, warnings


def challenge_status(jump_days: dict[dt.date, tuple[float, int]], today: dt.date) -> Challenge:
    """The 10x10 challenge, with the device's streak rule."""

    def jumps(d: dt.date) -> int:
        return jump_days.get(d, (0.0, 0))[1]

    d = today if jumps(today) >= CHALLENGE_JUMPS else today - dt.timedelta(days=1)
    streak = 0
    while jumps(d) >= CHALLENGE_JUMPS:
        streak += 1
        d -= dt.timedelta(days=1)
    best = run = 0
    prev = None
    for day in sorted(x for x in jump_days if x <= today and jumps(x) >= CHALLENGE_JUMPS):
        run = run + 1 if prev is not None and (day - prev).days == 1 else 1
        best = max(best, run)
        prev = day
    return Challenge(
        streak=streak,
        today_jumps=jumps(today),
        today_done=jumps(today) >= CHALLENGE_JUMPS,
        completed=streak >= CHALLENGE_DAYS,
        best=best,
    )


def evaluate(
    sessions: list[dict[str, Any]],
    today: dt.date,
    rules: Config | dict[str, Rule] | None = None,
    tz: dt.tzinfo | None = None,
) -> PlanReport:
    """The programme as of `today` (local dates in `tz`, default: this machine's zone)."""
    config = (
        rules if isinstance(rules, Config) else Config(rules if rules is not None else dict(DEFAULT_RULES))
    )
    totals = daily_totals(sessions, tz, config.rules)
    statuses, warnings = [], []
    for rule in config.rules.values():
        status, warns = _activity_status(rule, totals.get(rule.activity, {}), today, config.start)
        statuses.append(status)
        warnings.extend(warns)
    return PlanReport(
        today=today,
        week_start=week_start(today),
        activities=statuses,
        challenge=challenge_status(totals.get("jump_rope", {}), today),
        warnings=warnings,
        undated=sum(1 for s in sessions if s.get("start_utc") is None),
    )


def weekly_compliance(
    sessions: list[dict[str, Any]],
    today: dt.date,
    weeks: int = 8,
    rules: Config | None = None,
    tz: dt.tzinfo | None = None,
) -> list[tuple[dt.date, dict[str, tuple[int, int]]]]:
    """The last `weeks` weeks, oldest first: (monday, {activity: (programme days done, target)})."""
    config = rules or Config(dict(DEFAULT_RULES))
    totals = daily_totals(sessions, tz, config.rules)
    out = []
    for k in range(weeks - 1, -1, -1):
        monday = week_start(today) - dt.timedelta(weeks=k)
        sunday = monday + dt.timedelta(days=6)
        row = {}
        for rule in config.rules.values():
            days = totals.get(rule.activity, {})
            start = config.start or buildup_start(list(days), rule, min(sunday, today))
            target, _ = week_target(rule, start, monday)
            done = sum(1 for d, mc in days.items() if monday <= d <= sunday and _is_programme_day(rule, mc))
            row[rule.activity] = (done, target)
        out.append((monday, row))
    return out
