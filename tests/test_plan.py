"""The fascia programme check (host_tools.plan) on synthetic histories.

Synthetic session records come from tests/histories.py (test_export, test_plot and test_programme
use them too).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from histories import MONDAY, UTC, day, fascia, history, session, status, store_with

from host_tools.plan import (
    DEFAULT_RULES,
    Config,
    PlanConfigError,
    config_from_dict,
    evaluate,
    load_rules,
    weekly_compliance,
)


def test_week_status_counts_programme_days_and_due():
    today = day(7 * 6 + 3)  # Thursday of week 7, long past the build-up
    monday = today - dt.timedelta(days=3)
    sessions = history({day(k): 200 for k in range(0, 7 * 6 + 3)})  # daily jumping, built up, today not yet
    sessions += [
        session("walk", monday, minutes=25, session_id=100),
        session("walk", monday + dt.timedelta(days=1), minutes=12, session_id=101),  # too short to count
        session("swing", monday + dt.timedelta(days=2), minutes=6, session_id=102),
    ]
    report = evaluate(sessions, today, tz=UTC)
    jump, walk, swing = (status(report, a) for a in ("jump_rope", "walk", "swing"))
    assert jump.phase == "built up" and jump.target_days == 7
    assert jump.done_days == [monday, monday + dt.timedelta(days=1), monday + dt.timedelta(days=2)]
    assert jump.today == "due" and jump.remaining == 4
    assert walk.done_days == [monday] and walk.target_days == 3 and walk.remaining == 2
    assert walk.today == "open"  # 2 more walks, 4 days left
    assert swing.remaining == 1 and swing.volume == 6 * 24 and swing.baseline is None  # no earlier weeks
    assert report.warnings == []
    json.dumps(report.to_dict())  # --json output is serialisable


def test_walks_become_due_when_the_days_run_out():
    sunday = day(6)
    report = evaluate([session("walk", day(0), minutes=30)], sunday, tz=UTC)
    assert status(report, "walk").today == "due"  # 2 to go, 1 day left: due (and cannot be met)


def test_buildup_every_other_day():
    sessions = history({day(0): 100, day(2): 100})  # Mon, Wed
    report = evaluate(sessions, day(4), tz=UTC)  # Fri, rested Thu
    jump = status(report, "jump_rope")
    assert jump.phase == "build-up week 1 of 4"
    assert jump.target_days == 3 and jump.remaining == 1
    assert jump.today == "due"
    assert status(evaluate(sessions, day(1), tz=UTC), "jump_rope").today == "rest"  # jumped yesterday
    assert status(evaluate(sessions, day(2), tz=UTC), "jump_rope").today == "done"
    sessions.append(session("jump_rope", day(3), count=100, session_id=99))  # Thu as well
    report = evaluate(sessions, day(4), tz=UTC)
    assert status(report, "jump_rope").today == "week done"
    assert any("rest day" in w and "Thu" in w for w in report.warnings)  # Wed then Thu: too close


def test_light_days_do_not_break_the_buildup_rest():
    sessions = history({day(0): 100, day(1): 10, day(2): 100})  # a 10x10-challenge day between
    report = evaluate(sessions, day(2), tz=UTC)
    assert report.warnings == [] and status(report, "jump_rope").done_days == [day(0), day(2)]


def test_buildup_ends_and_restarts_after_a_long_break():
    every_other = {day(k): 100 for k in range(0, 28, 2)}
    report = evaluate(history(every_other), day(28), tz=UTC)  # Monday of week 5
    jump = status(report, "jump_rope")
    assert jump.phase == "built up" and jump.target_days == 7
    later = day(28 + 30)  # a month off: build up again from the next session
    report = evaluate(history({**every_other, later: 100}), later, tz=UTC)
    assert status(report, "jump_rope").phase == "build-up week 1 of 4"


def test_challenge_streak_counts_today_or_yesterday():
    nine = {day(k): 15 for k in range(9)}
    report = evaluate(history(nine), day(9), tz=UTC)  # today still open: the streak ends yesterday
    c = report.challenge
    assert (c.streak, c.today_done, c.completed, c.today_jumps) == (9, False, False, 0)
    report = evaluate(history({**nine, day(9): 10}), day(9), tz=UTC)
    c = report.challenge
    assert (c.streak, c.today_done, c.completed, c.best) == (10, True, True, 10)


def test_challenge_streak_broken():
    days = {day(k): 20 for k in range(6)}
    days[day(6)] = 9  # one short
    days.update({day(k): 12 for k in (7, 8)})
    report = evaluate(history(days), day(8), tz=UTC)
    assert report.challenge.streak == 2 and report.challenge.best == 6
    report = evaluate(history(days), day(10), tz=UTC)  # yesterday missed too
    assert report.challenge.streak == 0


def test_challenge_sums_sessions_of_a_day():
    sessions = [
        session("jump_rope", day(0), count=6, minutes=0.1, session_id=i, hour=9 + i) for i in range(2)
    ]
    assert evaluate(sessions, day(0), tz=UTC).challenge.today_jumps == 12


def test_ramp_warning_on_steep_weekly_rise():
    weeks = {day(k): 300 for k in range(28, 49)}  # three built-up weeks, 2100 jumps each
    weeks.update({day(k): 600 for k in range(49, 54)})  # this week: 600 a day
    report = evaluate(history({**{day(k): 100 for k in range(0, 28, 2)}, **weeks}), day(52), tz=UTC)
    assert not report.warnings  # 2400 by Thursday: +14 %, within +20 %
    report = evaluate(history({**{day(k): 100 for k in range(0, 28, 2)}, **weeks}), day(53), tz=UTC)
    (warning,) = report.warnings
    assert "Jump rope" in warning and "this week" in warning


def test_no_ramp_warning_on_a_gentle_ramp():
    # +8 % a week for ten weeks, jumping daily after the build-up (a 3-week mean lags a steady ramp)
    days = {day(k): 100 for k in range(0, 28, 2)}
    per_day = 100.0
    for week in range(4, 14):
        per_day *= 1.08
        days.update({day(7 * week + i): round(per_day) for i in range(7)})
    for today in (day(7 * 13 + i) for i in range(7)):
        assert evaluate(history(days), today, tz=UTC).warnings == []


def test_ramp_warning_after_a_rest():
    days = {day(k): 200 for k in range(35, 45)}
    days[day(49)] = 500  # four rest days, then 2.5x a usual day
    report = evaluate(history(days), day(49), tz=UTC)
    assert any("after 4 rest days" in w for w in report.warnings)
    days[day(49)] = 210  # back at the usual volume: fine
    assert evaluate(history(days), day(49), tz=UTC).warnings == []


def test_small_volumes_never_alarm():
    days = {day(k): 10 for k in range(7, 14)}
    days.update({day(k): 30 for k in range(14, 17)})  # tripled, but only 10x10-challenge sized
    report = evaluate(history(days), day(16), tz=UTC)
    assert report.warnings == []
    assert status(report, "jump_rope").volume == 90 and status(report, "jump_rope").baseline == 70


def test_undated_sessions_are_counted_not_placed():
    report = evaluate([session("jump_rope", None, count=50)], day(0), tz=UTC)
    assert report.undated == 1 and status(report, "jump_rope").done_days == []


def test_weekly_compliance():
    sessions = history({day(k): 100 for k in (0, 2, 4, 7, 9)})
    sessions += [session("walk", day(k), minutes=25, session_id=50 + k) for k in (0, 2, 4)]
    rows = weekly_compliance(sessions, day(9), weeks=2, tz=UTC)
    (monday, first), (next_monday, second) = rows  # per week: {activity: (days done, days planned)}
    assert (monday, next_monday) == (day(0), day(7))
    assert first["jump_rope"] == (3, 3) and first["walk"] == (3, 3)
    assert second["jump_rope"] == (2, 3) and second["swing"] == (0, 2)


def test_rules_override_file(tmp_path: Path):
    toml = tmp_path / "plan.toml"
    toml.write_text('start = "2026-11-02"\n[walk]\nmin_minutes = 30\n[jump_rope]\nbuildup_weeks = 6\n')
    config = load_rules(toml)
    assert config.start == MONDAY
    assert config.rules["walk"].min_minutes == 30 and config.rules["walk"].days_per_week == 3
    assert config.rules["swing"] == DEFAULT_RULES["swing"]
    report = evaluate(history({day(35): 100}), day(35), config, tz=UTC)
    assert status(report, "jump_rope").phase == "build-up week 6 of 6"
    jsonfile = tmp_path / "plan.json"
    jsonfile.write_text('{"swing": {"days_per_week": 3}}')
    assert load_rules(jsonfile).rules["swing"].days_per_week == 3


@pytest.mark.parametrize(
    "data, message",
    [
        ({"pilates": {}}, "unknown activity"),
        ({"walk": {"minutes": 3}}, "unknown field"),
        ({"walk": 3}, "table"),
        ({"start": "soon"}, "start must be a date"),
        ({"walk": {"days_per_week": "three"}}, "must be int"),
        ({"walk": {"ramp_limit": True}}, "must be float"),
        ({"walk": {"volume": "steps"}}, "'count' or 'minutes'"),
        ({"jump_rope": {"buildup_every_days": 0}}, "out of range"),
    ],
)
def test_rules_override_mistakes(data, message):
    with pytest.raises(PlanConfigError, match=message):
        config_from_dict(data)


def test_missing_default_rules_file_is_fine(tmp_path: Path, monkeypatch):
    import host_tools.plan as plan

    monkeypatch.setattr(plan, "default_config_path", lambda: tmp_path / "plan.toml")
    assert load_rules() == Config(dict(DEFAULT_RULES))
    with pytest.raises(PlanConfigError, match="no such rules file"):
        load_rules(tmp_path / "other.toml")


# ---------------------------------------------------------------- through the store and the CLI


def test_plan_command(tmp_path: Path, monkeypatch, capsys):
    db = store_with(tmp_path / "s.sqlite3", history({day(k): 200 for k in range(0, 12, 2)}))
    assert fascia(monkeypatch, "plan", "--db", str(db), "--today", day(12).isoformat(), "--json") == 0
    out = json.loads(capsys.readouterr().out)
    jump = out["activities"][0]
    assert jump["activity"] == "jump_rope" and jump["done_days"] == [day(8).isoformat(), day(10).isoformat()]
    assert out["challenge"]["streak"] == 0 and out["challenge"]["best"] == 1
    assert fascia(monkeypatch, "plan", "--db", str(db), "--today", day(12).isoformat()) == 0
    text = capsys.readouterr().out
    assert "Jump rope" in text and "build-up week 2 of 4" in text and "challenge" in text


def test_plan_command_bad_rules(tmp_path: Path, monkeypatch, capsys):
    bad = tmp_path / "plan.toml"
    bad.write_text("[pilates]\n")
    assert fascia(monkeypatch, "plan", "--db", str(tmp_path / "none.sqlite3"), "--rules", str(bad)) == 2
    assert "unknown activity [pilates]" in capsys.readouterr().err


def test_a_power_walking_day_counts_brisk_minutes_not_the_walk():
    """A 40-minute stroll with 5 brisk minutes is not a power-walking day; 25 brisk minutes are."""
    monday = day(0)
    stroll = session("walk", monday, minutes=40, session_id=1)
    stroll["extras"] = {"cadence_spm": 104, "brisk_minutes": 5, "arm_swing": 250}
    power = session("walk", monday + dt.timedelta(days=1), minutes=30, session_id=2)
    power["extras"] = {"cadence_spm": 128, "brisk_minutes": 25, "arm_swing": 700}
    walk = status(evaluate([stroll, power], monday + dt.timedelta(days=2), tz=UTC), "walk")
    assert walk.done_days == [monday + dt.timedelta(days=1)]
    assert walk.volume == 30  # brisk minutes: 5 + 25
