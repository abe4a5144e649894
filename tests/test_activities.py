"""THE table of activities and figures (fascia.spec.activities), walked: every figure a counter reports
is in it, loggable, shown, exported and aggregated; nothing in it is unused."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from fascia.app.trainer import summary_lines
from fascia.detect import ACTIVITIES
from fascia.detect.replay import replay
from fascia.spec import activities, log, logread
from host_tools import export, vocabulary
from host_tools.gen import clubbell, jumprope

# a short generated trace each counter reports its figures on: (generator, scenario)
INPUTS = {
    "jump_rope": ("jump_rope", "trips"),
    "swing": ("clubbell", "light"),
    "walk": ("jump_rope", "walk_carry"),
    "yoga": ("jump_rope", "mixed"),  # movement: the active-time counter counts its seconds
    "dance": ("jump_rope", "basic"),
}


def short_trace(activity: str, out: Path) -> Path:
    source, scenario = INPUTS[activity]
    if source == "jump_rope":
        return jumprope.generate(scenario, 5, 100.0, out, duration_s=15)[0]
    trace = clubbell.generate(scenario, 5, 100.0, out)[0]
    lines = trace.read_text().splitlines()
    trace.write_text("\n".join(lines[:2000]) + "\n")  # the first 20 s
    return trace


# Figures the walk and club engineers' counters will report (issue 13): in the table already, so that
# merging them is one line less. Each must NOT be produced yet: once it is, this set shrinks.
PENDING: set[str] = set()  # (none left: brisk_minutes and arm_swing are reported by the step counter)


@pytest.fixture(scope="module")
def produced(tmp_path_factory) -> dict[str, dict]:
    tmp = tmp_path_factory.mktemp("figures")
    out = {}
    for act in ACTIVITIES:
        result = replay(str(short_trace(act, tmp / act)), act)
        out[act] = {k: v for k, v in result.items() if k not in ("count", "events_ms", "activity")}
    return out


def _figure(name: str) -> tuple:
    row = activities.figure(name)
    assert row is not None, name
    return row


def test_every_activity_has_a_generated_input():
    assert set(INPUTS) == set(ACTIVITIES) == set(vocabulary.NAMES)


def test_every_figure_a_counter_reports_is_its_activitys_in_the_table(produced):
    for act, figures in produced.items():
        assert figures, act
        assert set(figures) <= set(vocabulary.figures_of(act)), (act, sorted(figures))
        assert vocabulary.live_figure(act) in figures, f"{act}: the LIVE packet's figure is reported"


def test_nothing_in_the_table_is_unused(produced):
    reported = set().union(*(set(f) for f in produced.values())) | set(vocabulary.APP_FIGURES)
    table = set(vocabulary.figure_names())
    assert table - reported == PENDING, "a figure no counter reports (or a pending one now reported)"
    listed = {f for act in ACTIVITIES for f in vocabulary.figures_of(act)} | set(vocabulary.APP_FIGURES)
    assert listed == table, "every figure belongs to an activity (or the app)"


def test_codes_are_unique_and_reserved_ones_never_reused():
    codes = [_figure(name)[4] for name in vocabulary.figure_names()]
    assert len(set(codes)) == len(codes)
    assert not {3, 4, 5, 8, 9} & set(codes), "codes of retired figures are never given again"
    acts = [activities.activity(a)[1] for a in ACTIVITIES]
    assert len(set(acts)) == len(acts) and dict(zip(ACTIVITIES, acts, strict=True)) == log.ACTIVITY_CODES


@pytest.mark.parametrize("name", vocabulary.figure_names())
def test_every_figure_is_logged_by_code_shown_and_aggregated(name):
    extras = {name: 2}
    block = log.pack_extras(extras)
    assert block[1] == _figure(name)[4], "written by its code, not by name"
    session = logread.parse_session(
        log.pack_header(1, "walk", "free") + log.pack_end(1000, 1, 0, "stop", extras)
    )
    assert session["end"]["extras"] == extras
    label = _figure(name)[2]
    text = activities.figure_text(name, 2)
    assert label in text or name == "tempo" and text == "heavy-slow"
    assert vocabulary.aggregation(name) in ("sum", "max", "mean", "last")


def test_every_figure_is_exported(tmp_path):
    record = {
        "device_id": "ab",
        "session_id": 1,
        "activity": "walk",
        "mode": "free",
        "start_utc": 1_700_000_000,
        "duration_ms": 60000,
        "count": 10,
        "kcal": 1.0,
        "end_reason": "stop",
        "status": "complete",
        "extras": {name: 1 for name in vocabulary.figure_names()},
    }
    export.write_csv([record], tmp_path / "x.csv")
    (row,) = csv.DictReader((tmp_path / "x.csv").open())
    for name in vocabulary.figure_names():
        shown = activities.TEMPO_NAMES[1] if name == "tempo" else "1"  # a tempo by its name
        assert row[export.EXTRA_PREFIX + name] == shown


def test_device_summary_shows_each_reported_figure(produced):
    for act, figures in produced.items():
        lines = summary_lines(activities.activity(act), figures)
        assert len(lines) == len(figures), (act, lines)


def test_aggregation_rules():
    walk = [
        {
            "activity": "walk",
            "count": 100,
            "duration_ms": 60000,
            "extras": {"walking_s": 50, "cadence_spm": 100},
        },
        {
            "activity": "walk",
            "count": 300,
            "duration_ms": 60000,
            "extras": {"walking_s": 70, "cadence_spm": 120},
        },
    ]
    assert vocabulary.aggregate(walk) == {"walking_s": 120, "cadence_spm": 115}  # summed; count-weighted
    swing = [{"activity": "swing", "count": 10, "duration_ms": 1, "extras": {"tempo": t}} for t in (1, 2)]
    assert vocabulary.aggregate(swing) == {"tempo": 2}, "a tempo class is never averaged"
    rope = [
        {"activity": "jump_rope", "count": 5, "duration_ms": 1, "extras": {"max_streak": s}} for s in (9, 4)
    ]
    assert vocabulary.aggregate(rope) == {"max_streak": 9}


def test_tempo_is_shown_by_name():
    assert [activities.figure_text("tempo", c) for c in (1, 2)] == ["light-fast", "heavy-slow"]
    from fascia.detect.swing import TEMPO_NAMES

    assert TEMPO_NAMES == activities.TEMPO_NAMES, "the counter's codes and the table's names agree"
