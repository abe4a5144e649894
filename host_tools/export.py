"""Export session records as CSV (one row each), JSON (the records as they are) or FIT (Garmin activity).

FIT choices, so Garmin Connect, Strava & co. show something sensible:

- sport: jump_rope -> jump_rope (84); swing (clubbell) -> training / strength_training; walk -> walking /
  speed_walking; yoga -> training / yoga; dance -> dance (the SDK's sports; yoga and dance carry no
  cycles: their count is seconds of movement).
- session and lap carry start time, elapsed = timer time = duration, total calories, and the count in
  `total_cycles` (decoded as `total_reps` for strength training, `total_strides` for walking); jump rope also
  sets `jump_count`. Walking counts steps, but a FIT stride is two steps, so strides = steps // 2 and the
  record cadence is in strides per minute, as Garmin's watches write it.
- records: one per count sample (the session's progress points, else its event times, else start and end)
  with the running count in `total_cycles` and the rate in `cadence`.
- A session whose start time is unknown (the device clock was never synced while it ran) is skipped with a
  warning: FIT needs a real time, and a made-up one (the import time) would put a workout on the wrong day
  of a training-load history. CSV and JSON keep such sessions with an empty start.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import itertools
import json
import json.encoder
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from host_tools.store import JSONText
from host_tools.vocabulary import TEMPO_NAMES, figure

CSV_FIELDS = (
    "device_id",
    "session_id",
    "activity",
    "mode",
    "start_utc",
    "start_iso",
    "duration_s",
    "count",
    "kcal",
    "end_reason",
    "status",
)
EXTRA_PREFIX = "extra_"  # CSV columns for the extras dict: extra_trips, extra_double_unders...


def count_series(record: dict[str, Any]) -> list[tuple[int, int]]:
    """(elapsed ms, count so far) over the session: progress points, else events, else start and end."""
    duration, count = int(record.get("duration_ms") or 0), int(record.get("count") or 0)
    progress = record.get("progress") or []
    events = record.get("events_ms") or []
    if progress:
        series = [(0, 0)] + [(int(t), int(c)) for t, c in progress]
    elif events:
        series = [(0, 0)] + [(int(t), i + 1) for i, t in enumerate(sorted(events))]
    else:
        series = [(0, 0)]
    if series[-1][0] < duration or series[-1][1] != count:
        series.append((max(duration, series[-1][0]), count))
    return series


def file_stem(record: dict[str, Any]) -> str:
    source = record["device_id"] or "logged"  # (an entry of `fascia log` has no device)
    return f"fascia-{source}-{int(record['session_id']):05d}-{record['activity']}"


# ---------------------------------------------------------------- CSV / JSON


def write_csv(records: Iterable[dict[str, Any]], out: Path, extra_names: Iterable[str] | None = None) -> int:
    """One row per session; the extras become extra_<name> columns (empty where a session lacks one).
    Given `extra_names` (every extra in `records`: Store.extra_names), rows are written as they come,
    in constant memory; without, the records are first gathered to find them."""
    if extra_names is None:
        records = list(records)
        extra_names = sorted({name for r in records for name in (r.get("extras") or {})})
    columns = {name: i for i, name in enumerate(extra_names)}  # extra -> its column after CSV_FIELDS
    n = 0
    with out.open("w", newline="") as f:
        writer = csv.writer(f)  # (rows as lists: what csv.DictWriter writes, without its dict per row)
        writer.writerow([*CSV_FIELDS, *(EXTRA_PREFIX + n for n in extra_names)])
        for r in records:
            start = r.get("start_utc")
            extras = [""] * len(columns)
            for name, value in named_extras(r.get("extras")).items():
                if name not in columns:
                    raise ValueError(f"dict contains fields not in fieldnames: {EXTRA_PREFIX + name!r}")
                extras[columns[name]] = value
            writer.writerow(
                [
                    r["device_id"],
                    r["session_id"],
                    r["activity"],
                    r.get("mode", ""),
                    "" if start is None else start,
                    "" if start is None else dt.datetime.fromtimestamp(start, dt.UTC).isoformat(),
                    round(r.get("duration_ms", 0) / 1000, 3),
                    r.get("count", 0),
                    round(float(r.get("kcal", 0.0)), 1),
                    r.get("end_reason", ""),
                    r.get("status", ""),
                    *extras,
                ]
            )
            n += 1
    return n


def named_extras(extras: dict[str, Any] | None) -> dict[str, Any]:
    """The extras with coded figures (the clubbell tempo) by name, as fascia.spec.activities names them."""
    out = dict(extras or {})
    for name, value in out.items():
        if _coded(name) and isinstance(value, int) and 0 <= value < len(TEMPO_NAMES):
            out[name] = TEMPO_NAMES[value]
    return out


@functools.cache
def _coded(name: str) -> bool:
    """Is this figure a code written by its name (the clubbell tempo)? (Asked per extra per record.)"""
    row = figure(name)
    return bool(row) and row[1] == "tempo"


def write_json(records: Iterable[dict[str, Any]], out: Path) -> int:
    """The records as one JSON list, a record a line, written a record at a time: memory stays one
    record's however many there are (and compact, json's C encoder: 10x faster than indented).
    A coded figure (the clubbell tempo) is written by its name; a value that is already compact JSON
    (`JSONText`: the store's kept series) is written as it is. (Bytes throughout: json writes ASCII.)"""
    n = 0
    with out.open("wb", buffering=1 << 20) as f:
        for r in records:
            f.write(b",\n" if n else b"[\n")
            f.writelines(_compact({**r, "extras": named_extras(r.get("extras"))}))
            n += 1
        f.write(b"\n]\n" if n else b"[]\n")
    return n


def _encoder() -> Callable[[Any], str]:
    """json.dumps(value, separators=(",", ":")) for records: json's C encoder made once, not once a
    call as json.dumps makes it (a quarter of the time of a record's few fields); no check for
    circular references (a record is a tree)."""
    compact = json.JSONEncoder(separators=(",", ":"), check_circular=False)
    make = json.encoder.c_make_encoder
    if make is None:  # (a Python without json's C speed-ups)
        return compact.encode
    chunks = make(
        None, compact.default, json.encoder.encode_basestring_ascii, None, ":", ",", False, False, True
    )
    return lambda value: "".join(chunks(value, 0))


_ENCODE = _encoder()


def _compact(record: dict[str, Any]) -> list[bytes]:
    """json.dumps(record, separators=(",", ":")) as pieces of bytes, each JSONText value one of them
    as it is (the same bytes: a compact dict is "{" + the compact "key:value" items joined by "," +
    "}"): the long series are never copied into a string of the whole record."""
    parts: list[bytes] = []
    run: dict[str, Any] = {}  # the items since the last JSONText, encoded together
    for key, value in record.items():
        if type(value) is JSONText:
            head = ("," if parts else "{") + (_ENCODE(run)[1:-1] + "," if run else "")
            parts += [(head + _ENCODE(key) + ":").encode(), value]
            run = {}
        else:
            run[key] = value
    if not parts:
        return [_ENCODE(run).encode()]
    parts.append(("," + _ENCODE(run)[1:] if run else "}").encode())
    return parts


# ---------------------------------------------------------------- FIT

_FIT_EPOCH_S = 631065600  # 1989-12-31 00:00 UTC, FIT's time zero


def _sport(activity: str):
    from fit_tool.profile.profile_type import Sport, SubSport

    table = {
        "jump_rope": (Sport.JUMP_ROPE, SubSport.GENERIC),
        "swing": (Sport.TRAINING, SubSport.STRENGTH_TRAINING),
        "walk": (Sport.WALKING, SubSport.SPEED_WALKING),
        "yoga": (Sport.TRAINING, SubSport.YOGA),
        "dance": (Sport.DANCE, SubSport.GENERIC),
    }
    if activity not in table:
        raise ValueError(f"no FIT sport for activity {activity!r}")
    return table[activity]


def _fit_cycles(activity: str, count: int) -> int:
    """FIT's cycle count: strides (two steps) for walking, one per jump / swing otherwise; none for
    yoga and dance, whose count is seconds of movement."""
    from host_tools.vocabulary import counts_time

    if counts_time(activity):
        return 0
    return count // 2 if activity == "walk" else count


def write_fit_file(record: dict[str, Any], out: Path) -> None:
    """Write one session as a FIT activity file (start_utc must be known)."""
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages.activity_message import ActivityMessage
    from fit_tool.profile.messages.event_message import EventMessage
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.lap_message import LapMessage
    from fit_tool.profile.messages.record_message import RecordMessage
    from fit_tool.profile.messages.session_message import SessionMessage
    from fit_tool.profile.profile_type import Activity, Event, EventType, FileType, LapTrigger, Manufacturer

    from host_tools.vocabulary import counts_time

    if record.get("start_utc") is None:
        raise ValueError("session start time unknown")
    activity = record["activity"]
    sport, sub_sport = _sport(activity)
    start_ms = round(record["start_utc"] * 1000)
    duration_ms = int(record.get("duration_ms") or 0)
    end_ms = start_ms + duration_ms
    seconds = duration_ms / 1000
    cycles = _fit_cycles(activity, int(record.get("count") or 0))
    kcal = round(float(record.get("kcal") or 0))

    builder = FitFileBuilder(auto_define=True)
    m = FileIdMessage()
    m.type = FileType.ACTIVITY
    m.manufacturer = Manufacturer.DEVELOPMENT.value
    m.product = 0
    m.serial_number = int(record["device_id"] or "0", 16) & 0xFFFFFFFF  # ("": logged by hand)
    m.time_created = start_ms
    builder.add(m)

    m = EventMessage()
    m.event = Event.TIMER
    m.event_type = EventType.START
    m.timestamp = start_ms
    builder.add(m)

    prev_t, prev_c = 0, 0
    for t, c in count_series(record):
        r = RecordMessage()
        r.timestamp = start_ms + t
        r.total_cycles = _fit_cycles(activity, c)
        if t > prev_t and not counts_time(activity):
            per_min = (_fit_cycles(activity, c) - _fit_cycles(activity, prev_c)) * 60000 / (t - prev_t)
            r.cadence = min(254, round(per_min))
        builder.add(r)
        prev_t, prev_c = t, c

    m = EventMessage()
    m.event = Event.TIMER
    m.event_type = EventType.STOP_ALL
    m.timestamp = end_ms
    builder.add(m)

    def totals(msg):
        """The fields a lap and a session both carry: one session is one lap here."""
        msg.timestamp = end_ms
        msg.start_time = start_ms
        msg.total_elapsed_time = seconds
        msg.total_timer_time = seconds
        msg.sport = sport
        msg.sub_sport = sub_sport
        msg.total_cycles = cycles
        msg.total_calories = kcal
        msg.event_type = EventType.STOP
        if activity == "jump_rope":
            msg.jump_count = cycles
        return msg

    lap = totals(LapMessage())
    lap.event = Event.LAP
    lap.lap_trigger = LapTrigger.SESSION_END
    builder.add(lap)

    s = totals(SessionMessage())
    s.first_lap_index = 0
    s.num_laps = 1
    s.event = Event.SESSION
    builder.add(s)

    a = ActivityMessage()
    a.timestamp = end_ms
    a.total_timer_time = seconds
    a.num_sessions = 1
    a.type = Activity.MANUAL
    a.event = Event.ACTIVITY
    a.event_type = EventType.STOP
    offset = dt.datetime.fromtimestamp(end_ms / 1000).astimezone().utcoffset() or dt.timedelta()
    a.local_timestamp = end_ms // 1000 - _FIT_EPOCH_S + int(offset.total_seconds())
    builder.add(a)

    builder.build().to_file(str(out))


def write_fit(records: Iterable[dict[str, Any]], out: Path) -> tuple[list[Path], list[str]]:
    """FIT files for the sessions: OUT.fit for exactly one session, else one file each in directory OUT,
    written as the records come (a FIT file is built whole, so memory is one session's).

    Returns (files written, warnings about sessions skipped).
    """
    warnings: list[str] = []
    files: list[Path] = []

    def dated() -> Iterator[dict[str, Any]]:
        for r in records:
            if r.get("start_utc") is None:
                who = f"{r['device_id']}/{r['session_id']}"
                warnings.append(f"session {who} skipped: start time unknown (clock not synced)")
            else:
                yield r

    sessions = dated()
    if out.suffix.lower() == ".fit":
        found = list(itertools.islice(sessions, 2))
        if len(found) != 1:
            more = len(found) + sum(1 for _ in sessions)
            raise ValueError(f"{out} is one file but there are {more} sessions to export: give a directory")
        write_fit_file(found[0], out)
        return [out], warnings
    out.mkdir(parents=True, exist_ok=True)
    for r in sessions:
        path = out / (file_stem(r) + ".fit")
        write_fit_file(r, path)
        files.append(path)
    return files, warnings


FORMATS = ("csv", "json", "fit")
