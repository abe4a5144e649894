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

from host_tools import export, fit
from host_tools.export import count_series, write_csv, write_fit, write_json
from host_tools.store import JSONText


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


def fit_tool_file(record: dict[str, Any], out: Path) -> None:
    """The reference: `fascia export`'s FIT as fit-tool's objects wrote it before host_tools.fit
    (the same messages and values, field by field; kept here as the oracle)."""
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages.activity_message import ActivityMessage
    from fit_tool.profile.messages.event_message import EventMessage
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.lap_message import LapMessage
    from fit_tool.profile.messages.record_message import RecordMessage
    from fit_tool.profile.messages.session_message import SessionMessage
    from fit_tool.profile.profile_type import Activity, Event, EventType, FileType, LapTrigger, Manufacturer

    from host_tools.vocabulary import counts_time

    def cycles_of(count: int) -> int:
        return 0 if counts_time(activity) else count // 2 if activity == "walk" else count

    activity = record["activity"]
    sport, sub_sport = export.SPORTS[activity]
    start_ms = round(record["start_utc"] * 1000)
    duration_ms = int(record.get("duration_ms") or 0)
    end_ms, seconds = start_ms + duration_ms, duration_ms / 1000
    cycles, kcal = cycles_of(int(record.get("count") or 0)), round(float(record.get("kcal") or 0))
    builder = FitFileBuilder(auto_define=True)
    m = FileIdMessage()
    m.type, m.manufacturer, m.product = FileType.ACTIVITY, Manufacturer.DEVELOPMENT.value, 0
    m.serial_number = int(record["device_id"] or "0", 16) & 0xFFFFFFFF
    m.time_created = start_ms
    builder.add(m)
    m = EventMessage()
    m.event, m.event_type, m.timestamp = Event.TIMER, EventType.START, start_ms
    builder.add(m)
    duration, count = duration_ms, int(record.get("count") or 0)
    progress, events = record.get("progress") or [], record.get("events_ms") or []
    if progress:
        series = [(0, 0)] + [(int(t), int(c)) for t, c in progress]
    elif events:
        series = [(0, 0)] + [(int(t), i + 1) for i, t in enumerate(sorted(events))]
    else:
        series = [(0, 0)]
    if series[-1][0] < duration or series[-1][1] != count:
        series.append((max(duration, series[-1][0]), count))
    prev_t, prev_c = 0, 0
    for t, c in series:
        r = RecordMessage()
        r.timestamp, r.total_cycles = start_ms + t, cycles_of(c)
        if t > prev_t and not counts_time(activity):
            r.cadence = min(254, round((cycles_of(c) - cycles_of(prev_c)) * 60000 / (t - prev_t)))
        builder.add(r)
        prev_t, prev_c = t, c
    m = EventMessage()
    m.event, m.event_type, m.timestamp = Event.TIMER, EventType.STOP_ALL, end_ms
    builder.add(m)

    def totals(msg):
        msg.timestamp, msg.start_time = end_ms, start_ms
        msg.total_elapsed_time = msg.total_timer_time = seconds
        msg.sport, msg.sub_sport, msg.total_cycles, msg.total_calories = sport, sub_sport, cycles, kcal
        msg.event_type = EventType.STOP
        if activity == "jump_rope":
            msg.jump_count = cycles
        return msg

    lap = totals(LapMessage())
    lap.event, lap.lap_trigger = Event.LAP, LapTrigger.SESSION_END
    builder.add(lap)
    s = totals(SessionMessage())
    s.first_lap_index, s.num_laps, s.event = 0, 1, Event.SESSION
    builder.add(s)
    a = ActivityMessage()
    a.timestamp, a.total_timer_time, a.num_sessions = end_ms, seconds, 1
    a.type, a.event, a.event_type = Activity.MANUAL, Event.ACTIVITY, EventType.STOP
    offset = dt.datetime.fromtimestamp(end_ms / 1000).astimezone().utcoffset() or dt.timedelta()
    a.local_timestamp = end_ms // 1000 - fit.EPOCH_S + int(offset.total_seconds())
    builder.add(a)
    builder.build().to_file(str(out))


def varied() -> list[dict]:
    """Sessions that exercise every branch: each activity, events only, neither, half-second and
    repeated event times, odd step counts, kcal on a half, a logged one without a device."""
    records = [session(a, day(i), minutes=2.5 + i, session_id=10 + i) for i, a in enumerate(export.SPORTS)]
    only_events = session("jump_rope", day(7), count=41, minutes=0.4, session_id=20)
    only_events["progress"] = []
    only_events["events_ms"] = [500, 1500, 1500, 900, 2500, 2700, 2700, 23500]  # unsorted, repeated, halves
    bare = session("swing", day(8), count=9, minutes=1, events=False, session_id=21)
    bare["progress"], bare["kcal"] = [], 2.5
    walk = session("walk", day(9), count=251, minutes=2, session_id=22)
    walk["progress"] = [[0, 0], [5000, 11], [5000, 11], [9999, 21]]  # a repeated time, an odd count
    logged = session("yoga", day(10), count=600, minutes=10, events=False, session_id=23)
    logged["progress"], logged["device_id"], logged["kcal"] = [], "", 30.5
    return [*records, only_events, bare, walk, logged]


def test_fit_holds_what_the_fit_tool_export_held(tmp_path: Path):
    """Every message and value, decoded by Garmin's SDK, is the reference's, for sessions that
    take every branch; the encoded series (the store's JSONText) give the same bytes as lists."""
    records = varied()
    files, warnings = write_fit(records, tmp_path / "new")
    assert warnings == [] and len(files) == len(records)
    for record, path in zip(records, files, strict=True):
        fit_tool_file(record, tmp_path / "old.fit")
        assert decode(path) == decode(tmp_path / "old.fit"), record["session_id"]
    as_text = [
        {
            **r,
            "progress": JSONText(json.dumps(r["progress"]).encode()),
            "events_ms": JSONText(json.dumps(r["events_ms"]).encode()),
        }
        for r in records
    ]
    again, _ = write_fit(as_text, tmp_path / "encoded")
    assert [f.read_bytes() for f in again] == [f.read_bytes() for f in files]


def test_fit_batches_give_the_files_one_at_a_time_gives(tmp_path: Path, monkeypatch):
    records = varied() + sample()
    files, warnings = write_fit(records, tmp_path / "together")
    monkeypatch.setattr(export, "FIT_BATCH", 3)
    apart, warnings_apart = write_fit(records, tmp_path / "apart")
    assert warnings == warnings_apart and len(warnings) == 1
    assert [f.read_bytes() for f in files] == [f.read_bytes() for f in apart]


def test_fit_skips_a_damaged_session_with_a_clear_message_and_writes_the_others(tmp_path: Path):
    records = sample()[:3]
    torn = session("jump_rope", day(4), minutes=2, session_id=5)
    torn["progress"] = JSONText(b"[[5000,10],[10000,2")  # (a copy that passed its CRC cannot, but)
    odd = session("walk", day(5), minutes=2, session_id=6)
    odd["progress"] = JSONText(b"[[5000,10],[10000]]")
    huge = session("swing", day(6), minutes=2, session_id=7)
    huge["duration_ms"] = 2**33  # (FIT's times are 32 bits of ms)
    old = session("swing", day(6), minutes=2, session_id=8)
    old["start_utc"] = 86400.0  # 1970: before FIT's time zero
    unknown = session("swing", day(6), minutes=2, session_id=9)
    unknown["activity"] = "juggling"
    files, warnings = write_fit([torn, *records[:2], odd, huge, old, unknown, records[2]], tmp_path / "fit")
    assert [f.name.split("-")[2] for f in files] == ["00001", "00002", "00003"]
    assert [decode(f)["session_mesgs"][0]["sport"] for f in files] == ["jump_rope", "training", "walking"]
    damaged = "its count series is damaged (not a list of whole numbers)"
    too_big = "a value does not fit FIT (a date before 1990, a count or time too large)"
    assert warnings == [
        f"session 30aea4c0ffee/5 skipped: {damaged}",
        f"session 30aea4c0ffee/6 skipped: {damaged}",
        f"session 30aea4c0ffee/7 skipped: {too_big}",
        f"session 30aea4c0ffee/8 skipped: {too_big}",
        "session 30aea4c0ffee/9 skipped: no FIT sport for activity 'juggling'",
    ]
    with pytest.raises(ValueError, match="damaged"):
        export.write_fit_file(torn, tmp_path / "torn.fit")
    assert not (tmp_path / "torn.fit").exists()


def test_fit_profile_is_fit_tools_and_garmins():
    """host_tools.fit's table of messages, fields, types, scales and values, the one the page's FIT
    writer reads too, is what fit-tool's profile and Garmin's SDK say."""
    import importlib

    from fit_tool.profile import profile_type as pt
    from garmin_fit_sdk import profile

    garmin = profile.Profile["messages"]
    for name, (number, fields) in fit.MESSAGES.items():
        cls_name = "".join(part.capitalize() for part in name.split("_")) + "Message"
        cls = getattr(importlib.import_module(f"fit_tool.profile.messages.{name}_message"), cls_name)
        assert number == cls.ID
        theirs = {f.name: f for f in cls().fields}
        for field, (field_number, base, scale, offset) in fields.items():
            f = theirs[field]
            assert (f.field_id, f.base_type.value, f.scale, f.offset) == (
                field_number,
                base,
                scale,
                offset,
            ), field
            assert garmin[number]["fields"][field_number]["name"] == field
    assert {
        "file_activity": pt.FileType.ACTIVITY.value,
        "manufacturer_development": pt.Manufacturer.DEVELOPMENT.value,
        "event_timer": pt.Event.TIMER.value,
        "event_lap": pt.Event.LAP.value,
        "event_session": pt.Event.SESSION.value,
        "event_activity": pt.Event.ACTIVITY.value,
        "event_type_start": pt.EventType.START.value,
        "event_type_stop": pt.EventType.STOP.value,
        "event_type_stop_all": pt.EventType.STOP_ALL.value,
        "lap_trigger_session_end": pt.LapTrigger.SESSION_END.value,
        "activity_manual": pt.Activity.MANUAL.value,
    } == fit.VALUES
    sports = {
        "jump_rope": (pt.Sport.JUMP_ROPE, pt.SubSport.GENERIC),
        "swing": (pt.Sport.TRAINING, pt.SubSport.STRENGTH_TRAINING),
        "walk": (pt.Sport.WALKING, pt.SubSport.SPEED_WALKING),
        "yoga": (pt.Sport.TRAINING, pt.SubSport.YOGA),
        "dance": (pt.Sport.DANCE, pt.SubSport.GENERIC),
    }
    assert {a: (s.value, sub.value) for a, (s, sub) in sports.items()} == export.SPORTS


def test_crc16_many_is_fits_crc():
    """The bulk CRC (numpy, chunks of 128 bytes) against Garmin's own, on lengths around chunks."""
    import random

    from garmin_fit_sdk import CrcCalculator

    rng = random.Random(18)
    files = [rng.randbytes(n) for n in (0, 1, 2, 12, 127, 128, 129, 255, 256, 1000, 4099)]
    files += [bytes(300), b"\xff" * 300]
    expected = [CrcCalculator.calculate_crc(f, 0, len(f)) for f in files]
    assert fit.crc16_many(files) == expected
    assert [fit.crc16(f) for f in files] == expected
    assert fit.crc16_many(files[::-1]) == expected[::-1]


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
