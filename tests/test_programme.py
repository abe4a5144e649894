"""The whole programme: yoga and dance logged by hand (`fascia log`, undo), `plan` with all five items
and why a day did or did not count, `stats`/`sessions` with logged entries, export by extension."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from histories import day, session, status, store_with

from host_tools import cli
from host_tools.plan import DEFAULT_RULES, evaluate
from host_tools.store import Store


def fascia(*argv: str) -> int:
    return cli.main(list(argv))


def test_plan_has_the_five_items_of_the_programme():
    assert list(DEFAULT_RULES) == ["jump_rope", "walk", "swing", "yoga", "dance"]
    assert [DEFAULT_RULES[a].days_per_week for a in ("yoga", "dance")] == [7, 7]


def test_plan_says_why_a_day_did_or_did_not_count():
    today = day(3)  # a Thursday
    sessions = [
        session("jump_rope", day(1), count=39, minutes=0.5, session_id=1),  # Tuesday: too few jumps
        session("jump_rope", today, count=60, minutes=0.6, session_id=2),
        session("yoga", day(2), minutes=3, session_id=3),  # Wednesday: 3 of 5 minutes
        session("dance", today, minutes=3.5, session_id=4),
    ]
    report = evaluate(sessions, today, tz=dt.UTC)
    jump = status(report, "jump_rope")
    assert jump.short_days == [{"day": day(1), "reason": "39/50 jumps"}]
    assert jump.today_text == "60/50 jumps" and jump.today == "done"
    yoga = status(report, "yoga")
    assert yoga.short_days == [{"day": day(2), "reason": "3/5 min"}] and yoga.today == "due"
    assert status(report, "dance").today == "done" and status(report, "dance").today_text == "4/3 min"


def test_walk_minutes_come_from_brisk_minutes_when_the_counter_reports_them():
    walk = session("walk", day(0), minutes=30, session_id=1)
    walk["extras"] = {"brisk_minutes": 12}
    assert DEFAULT_RULES["walk"].minutes_from == "brisk_minutes"
    report = evaluate([walk], day(0), tz=dt.UTC)
    assert status(report, "walk").today_text == "12/20 brisk min"
    assert status(report, "walk").done_days == []


def test_log_undo_and_the_commands_that_read_it(tmp_path: Path, capsys):
    db = str(tmp_path / "s.sqlite3")
    assert (
        fascia("log", "yoga", "--minutes", "12", "--date", "2026-11-03", "--note", "sun salutes", "--db", db)
        == 0
    )
    assert fascia("log", "dance", "--db", db) == 0  # the programme's minimum: one song, 3 min
    assert fascia("log", "dance", "-m", "4", "--db", db) == 0
    assert fascia("log", "--undo", "--db", db) == 0
    assert "removed: dance 4 min" in capsys.readouterr().out
    with Store(db, write=False) as store:
        logged = store.logged()
    assert [(r["activity"], r["duration_ms"], r["note"]) for r in logged] == [
        ("yoga", 720000, "sun salutes"),
        ("dance", 180000, ""),
    ]
    assert fascia("stats", "--json", "--db", db) == 0
    totals = json.loads(capsys.readouterr().out)["activities"]
    assert totals["yoga"]["duration_ms"] == 720000 and totals["dance"]["sessions"] == 1
    assert fascia("plan", "--json", "--db", db, "--today", "2026-11-03") == 0
    plan = {a["activity"]: a for a in json.loads(capsys.readouterr().out)["activities"]}
    assert plan["yoga"]["today"] == "done" and plan["yoga"]["today_text"] == "12/5 min"
    assert fascia("export", str(tmp_path / "all.json"), "--db", db) == 0
    assert {r["activity"] for r in json.loads((tmp_path / "all.json").read_text())} == {"yoga", "dance"}


@pytest.mark.parametrize(
    "argv, message",
    [
        (("log",), "what did you do?"),
        (("log", "yoga", "--minutes", "0"), "--minutes must be between 0 and 600"),
        (("log", "yoga", "--date", "2999-01-01"), "is in the future"),
        (("log", "--undo"), "nothing logged to undo"),
        (("log", "--undo", "yoga"), "--undo takes nothing else"),
    ],
)
def test_log_mistakes_are_one_line(tmp_path: Path, capsys, argv, message):
    assert fascia(*argv, "--db", str(tmp_path / "s.sqlite3")) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_export_format_follows_the_extension(tmp_path: Path, capsys):
    db = str(store_with(tmp_path / "s.sqlite3", [session("jump_rope", day(0), session_id=1)]))
    assert fascia("export", str(tmp_path / "x.json"), "--db", db) == 0
    assert json.loads((tmp_path / "x.json").read_text())[0]["activity"] == "jump_rope"
    assert fascia("export", str(tmp_path / "x.fit"), "--db", db) == 0
    assert (tmp_path / "x.fit").read_bytes()[8:12] == b".FIT"
    for argv, message in [
        ((str(tmp_path / "y.json"), "--format", "csv"), "is a .json file but --format is csv"),
        ((str(tmp_path / "y.txt"),), "unknown extension .txt"),
        ((str(tmp_path / "folder"), "--format", "csv"), "has no extension"),
    ]:
        capsys.readouterr()
        assert fascia("export", *argv, "--db", db) == 2
        assert message in capsys.readouterr().err
    assert not (tmp_path / "y.json").exists()
