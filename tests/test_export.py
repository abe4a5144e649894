"""CSV / JSON / FIT export; FIT files are checked by decoding them with Garmin's own SDK."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from garmin_fit_sdk import Decoder, Stream
from histories import day, fascia, session, store_with

from host_tools.export import count_series, write_csv, write_fit, write_json


def decode(path: Path) -> dict[str, Any]:
    decoder = Decoder(Stream.from_file(str(path)))
    assert decoder.is_fit() and decoder.check_integrity()
    messages, errors = Decoder(Stream.from_file(str(path))).read()
    assert errors == []
    return dict(messages)


def sample() -> list[dict]:
    return [
        session("jump_rope", day(0), minutes=3, session_id=1, stop_at_s=40),
        session("swing", day(1), minutes=6, session_id=2),
        session("walk", day(2), minutes=22, session_id=3),
        session("jump_rope", None, count=80, minutes=0.8, session_id=4),
    ]


@pytest.mark.parametrize(
    "activity, sport, sub_sport, count_field, per_count",
    [
        ("jump_rope", "jump_rope", "generic", "jump_count", 1),
        ("swing", "training", "strength_training", "total_reps", 1),
        ("walk", "walking", "speed_walking", "total_strides", 2),  # a stride is two steps
        ("yoga", "training", "yoga", "total_cycles", None),  # the SDK's sports; no cycles: time counts
        ("dance", "dance", "generic", "total_cycles", None),
    ],
)
def test_fit_round_trip(tmp_path: Path, activity, sport, sub_sport, count_field, per_count):
    record = session(activity, day(3), minutes=4.5, session_id=7)
    (path,), warnings = write_fit([record], tmp_path / "one.fit")
    assert warnings == [] and path == tmp_path / "one.fit"
    msgs = decode(path)
    start = dt.datetime.fromtimestamp(record["start_utc"], dt.UTC)
    end = start + dt.timedelta(milliseconds=record["duration_ms"])
    (file_id,) = msgs["file_id_mesgs"]
    assert file_id["type"] == "activity" and file_id["time_created"] == start
    (s,) = msgs["session_mesgs"]
    assert (s["sport"], s["sub_sport"]) == (sport, sub_sport)
    assert s["start_time"] == start
    assert abs(s["timestamp"] - end) < dt.timedelta(seconds=1)
    assert s["total_elapsed_time"] == pytest.approx(record["duration_ms"] / 1000, abs=0.001)
    assert s["total_timer_time"] == pytest.approx(record["duration_ms"] / 1000, abs=0.001)
    cycles_total = 0 if per_count is None else record["count"] // per_count
    assert s[count_field] == cycles_total
    assert s["total_calories"] == round(record["kcal"])
    (lap,) = msgs["lap_mesgs"]
    assert lap["start_time"] == start and lap["total_cycles"] == s["total_cycles"]
    (activity_msg,) = msgs["activity_mesgs"]
    assert activity_msg["num_sessions"] == 1
    records = msgs["record_mesgs"]
    assert records[0]["timestamp"] == start and records[-1]["total_cycles"] == cycles_total
    cycles = [r["total_cycles"] for r in records]
    assert cycles == sorted(cycles)
    cadences = [r["cadence"] for r in records if "cadence" in r]
    if per_count is None:
        assert cadences == [], "no cadence where the count is time"
        return
    typical = sorted(cadences)[len(cadences) // 2]
    expected = {"jump_rope": 120, "swing": 24, "walk": 125 / 2}[activity]
    assert typical == pytest.approx(expected, rel=0.2)
    assert [e["event_type"] for e in msgs["event_mesgs"]] == ["start", "stop_all"]


def test_fit_directory_skips_undated_sessions(tmp_path: Path):
    files, warnings = write_fit(sample(), tmp_path / "fit")
    assert [f.name for f in files] == [
        "fascia-30aea4c0ffee-00001-jump_rope.fit",
        "fascia-30aea4c0ffee-00002-swing.fit",
        "fascia-30aea4c0ffee-00003-walk.fit",
    ]
    (warning,) = warnings
    assert "30aea4c0ffee/4" in warning and "start time unknown" in warning
    assert [decode(f)["session_mesgs"][0]["sport"] for f in files] == ["jump_rope", "training", "walking"]


def test_fit_single_file_needs_one_session(tmp_path: Path):
    with pytest.raises(ValueError, match="give a directory"):
        write_fit(sample(), tmp_path / "all.fit")


def test_fit_without_events_or_progress(tmp_path: Path):
    record = session("jump_rope", day(0), count=100, minutes=1, events=False)
    record["progress"] = []
    (path,), _ = write_fit([record], tmp_path / "bare.fit")
    msgs = decode(path)
    assert [r["total_cycles"] for r in msgs["record_mesgs"]] == [0, 100]
    assert msgs["session_mesgs"][0]["jump_count"] == 100


def test_json_round_trip(tmp_path: Path):
    records = sample()
    assert write_json(records, tmp_path / "s.json") == 4
    assert json.loads((tmp_path / "s.json").read_text()) == records


def test_json_splices_values_already_encoded_byte_for_byte(tmp_path: Path):
    """The store hands export its kept series as compact JSON text (JSONText): the file is the same,
    byte for byte, as json.dumps of the decoded values gives, wherever in a record they stand."""
    from host_tools.store import JSONText

    def encoded(r: dict, keys: tuple[str, ...]) -> dict:
        return {
            k: JSONText(json.dumps(v, separators=(",", ":")).encode()) if k in keys else v
            for k, v in r.items()
        }

    records = sample()
    write_json(records, tmp_path / "plain.json")
    plain = (tmp_path / "plain.json").read_bytes()
    for keys in [
        ("events_ms", "progress"),
        ("id", "progress"),
        ("device_id", "params", "status"),
        tuple(k for k in records[0] if k != "extras"),  # (extras go through named_extras: a dict)
    ]:
        write_json([encoded(r, keys) for r in records], tmp_path / "spliced.json")
        assert (tmp_path / "spliced.json").read_bytes() == plain, keys
    assert json.loads(plain) == records and b'"events_ms":[' in plain


def test_csv_round_trip(tmp_path: Path):
    records = sample()
    assert write_csv(records, tmp_path / "s.csv") == 4
    with (tmp_path / "s.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 4
    for row, r in zip(rows, records, strict=True):
        assert row["device_id"] == r["device_id"] and int(row["session_id"]) == r["session_id"]
        assert row["activity"] == r["activity"] and int(row["count"]) == r["count"]
        assert float(row["duration_s"]) == r["duration_ms"] / 1000
        assert float(row["kcal"]) == r["kcal"]
        if r["start_utc"] is None:
            assert row["start_utc"] == row["start_iso"] == ""
        else:
            assert float(row["start_utc"]) == r["start_utc"]
            assert dt.datetime.fromisoformat(row["start_iso"]).timestamp() == r["start_utc"]
    assert rows[0]["extra_trips"] == "1" and rows[1]["extra_trips"] == ""


def test_count_series_prefers_progress_then_events():
    record = session("jump_rope", day(0), count=30, minutes=0.25)
    assert count_series(record)[1] == (5000, record["progress"][0][1])
    record["progress"] = []
    series = count_series(record)
    assert series[0] == (0, 0) and series[1] == (record["events_ms"][0], 1)
    assert series[-1] == (record["duration_ms"], 30)


def test_export_command(tmp_path: Path, monkeypatch, capsys):
    db = store_with(tmp_path / "s.sqlite3", sample())
    out = tmp_path / "fit"
    assert fascia(monkeypatch, "export", "--db", str(db), "--format", "fit", str(out)) == 0
    assert "3 FIT file(s)" in capsys.readouterr().out
    assert len(list(out.glob("*.fit"))) == 3
    since = day(1).isoformat()
    js = tmp_path / "s.json"
    assert fascia(monkeypatch, "export", "-f", "json", "--db", str(db), "--since", since, str(js)) == 0
    assert [r["activity"] for r in json.loads(js.read_text())] == ["swing", "walk"]
    csv_path = tmp_path / "w.csv"
    assert fascia(monkeypatch, "export", "--db", str(db), "-a", "walk", str(csv_path)) == 0
    assert len(csv_path.read_text().splitlines()) == 2
    assert (
        fascia(monkeypatch, "export", "--db", str(db), "-a", "walk", "-f", "fit", str(tmp_path / "w.fit"))
        == 0
    )
    assert decode(tmp_path / "w.fit")["session_mesgs"][0]["sport"] == "walking"


def test_export_command_nothing_to_export(tmp_path: Path, monkeypatch, capsys):
    assert fascia(monkeypatch, "export", "--db", str(tmp_path / "none.sqlite3"), str(tmp_path / "x.csv")) == 2
    assert "no sessions to export" in capsys.readouterr().err
