"""Export session records as CSV (one row each), JSON (the records as they are) or FIT (Garmin activity).

FIT (host_tools.fit writes the bytes, FIT_BATCH sessions at a time), chosen so that Garmin Connect,
Strava & co. show something sensible:

- sport: jump_rope -> jump_rope (84); swing (clubbell) -> training / strength_training; walk -> walking /
  speed_walking; yoga -> training / yoga; dance -> dance (the SDK's sports; yoga and dance carry no
  cycles: their count is seconds of movement).
- messages: file_id, a timer start event, the records, a timer stop event, one lap, one session, one
  activity.
- session and lap carry start time, elapsed = timer time = duration, total calories, and the count in
  `total_cycles` (decoded as `total_reps` for strength training, `total_strides` for walking); jump rope also
  sets `jump_count`. Walking counts steps, but a FIT stride is two steps, so strides = steps // 2 and the
  record cadence is in strides per minute, as Garmin's watches write it.
- records: one per count sample (the session's progress points, else its event times, else start and end)
  with the running count in `total_cycles` and the rate since the record before in `cadence`.
- A session whose start time is unknown (the device clock was never synced while it ran) is skipped with a
  warning: FIT needs a real time, and a made-up one (the import time) would put a workout on the wrong day
  of a training-load history. CSV and JSON keep such sessions with an empty start. So is one FIT cannot
  hold (an activity without a FIT sport, a damaged series, a value too large for its field), each with
  a warning that says why; the others are written.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import itertools
import json
import json.encoder
import os
import time
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
    make = getattr(json.encoder, "c_make_encoder", None)  # (not in typeshed: json's own C encoder)
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

# activity -> FIT (sport, sub_sport): jump_rope -> jump_rope / generic; swing (clubbell) -> training /
# strength_training; walk -> walking / speed_walking; yoga -> training / yoga; dance -> dance / generic
SPORTS = {"jump_rope": (84, 0), "swing": (10, 20), "walk": (11, 31), "yoga": (10, 43), "dance": (83, 0)}
FIT_BATCH = 256  # sessions encoded together: memory is one batch's, however long the history


def fit_cycles(activity: str, count: int) -> int:
    """FIT's cycle count: strides (two steps) for walking, one per jump / swing otherwise; none for
    yoga and dance, whose count is seconds of movement."""
    from host_tools.vocabulary import counts_time

    if counts_time(activity):
        return 0
    return count // 2 if activity == "walk" else count


def count_series(record: dict[str, Any]) -> list[tuple[int, int]]:
    """(elapsed ms, count so far) over the session: progress points, else events, else start and end."""
    series = _Series([_FitSession(record)])
    if series.damaged:
        raise ValueError("the session's count series is damaged")
    return list(zip(series.elapsed.tolist(), series.count.tolist(), strict=True))


def write_fit_file(record: dict[str, Any], out: Path) -> None:
    """Write one session as a FIT activity file (ValueError, saying why, if FIT cannot hold it)."""
    warnings: list[str] = []
    for _, data in fit_files([record], warnings):
        out.write_bytes(data)
        return
    raise ValueError(warnings[0].split(": ", 1)[-1])


def write_fit(records: Iterable[dict[str, Any]], out: Path) -> tuple[list[Path], list[str]]:
    """FIT files for the sessions: OUT.fit for exactly one session, else one file each in directory
    OUT, written as the records come, a batch at a time (memory is one batch's).

    Returns (files written, warnings about sessions skipped).
    """
    warnings: list[str] = []
    encoded = fit_files(records, warnings)
    if out.suffix.lower() == ".fit":
        found = list(itertools.islice(encoded, 2))
        if len(found) != 1:
            more = len(found) + sum(1 for _ in encoded)
            raise ValueError(f"{out} is one file but there are {more} sessions to export: give a directory")
        out.write_bytes(found[0][1])
        return [out], warnings
    out.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    for record, data in encoded:
        path = out / (file_stem(record) + ".fit")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)  # (half open()'s time)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
        files.append(path)
    return files, warnings


def fit_files(
    records: Iterable[dict[str, Any]], warnings: list[str]
) -> Iterator[tuple[dict[str, Any], bytes]]:
    """(record, its FIT file) for each session FIT can hold, FIT_BATCH sessions encoded together;
    a sentence in `warnings` for each one skipped (unknown start, no FIT sport, damaged series,
    a value FIT cannot hold)."""
    records = iter(records)
    while batch := list(itertools.islice(records, FIT_BATCH)):
        why: dict[int, str] = {}  # (the batch's sessions FIT cannot hold: why, in their order)
        for i, r in enumerate(batch):
            if r.get("start_utc") is None:
                why[i] = "start time unknown (clock not synced)"
            elif r.get("activity") not in SPORTS:
                why[i] = f"no FIT sport for activity {r.get('activity')!r}"
        fitting = [i for i in range(len(batch)) if i not in why]
        files = _fit_batch([_FitSession(batch[i]) for i in fitting]) if fitting else []
        encoded = dict(zip(fitting, files, strict=True))
        for i, r in enumerate(batch):
            out = encoded.get(i, why.get(i, ""))
            if isinstance(out, bytes):
                yield r, out
            else:
                warnings.append(f"session {r['device_id']}/{r['session_id']} skipped: {out}")


class _FitSession:
    """A record on its way to FIT, with the compact JSON of the series it is drawn from."""

    __slots__ = ("activity", "progress", "record", "series")

    def __init__(self, record: dict[str, Any]):
        self.record, self.activity = record, record.get("activity") or ""
        progress = _json_bytes(record.get("progress"))
        self.progress = progress != b"[]"
        self.series = progress if self.progress else _json_bytes(record.get("events_ms"))


def _json_bytes(value: Any) -> bytes:
    """A series as compact JSON (as the store hands it, JSONText: numpy parses a batch's at once)."""
    if isinstance(value, bytes):
        return value
    return json.dumps(value or [], separators=(",", ":")).encode()


_BRACKETS = bytes.maketrans(b"[]", b"  ")


def _numbers(texts: list[bytes], pairs: bool) -> tuple[Any, Any, list[int]]:
    """(the whole numbers of all `texts`, how many each holds, the indexes of those that are not a
    JSON list of whole numbers, or of pairs of them if `pairs`: those hold none). One numpy parse
    for a batch; the shape is checked by counting brackets (a truncated or torn text fails)."""
    import numpy as np

    flat = [t.translate(_BRACKETS).strip() for t in texts]
    counts = np.array([f.count(b",") + 1 if f else 0 for f in flat], dtype=np.intp)
    damaged = [
        i for i, (t, n) in enumerate(zip(texts, counts.tolist(), strict=True)) if not _shaped(t, n, pairs)
    ]
    counts[damaged] = 0
    try:
        numbers = np.fromstring(
            b",".join(f for f, n in zip(flat, counts, strict=True) if n), dtype=np.int64, sep=","
        )
        if len(numbers) == counts.sum():
            return numbers, counts, damaged
    except ValueError:
        pass
    parts = []  # (a text that is no numbers in the batch: find it, keep the others)
    for i, f in enumerate(flat):
        if counts[i]:
            try:
                parsed = np.fromstring(f, dtype=np.int64, sep=",")
                if len(parsed) == counts[i]:
                    parts.append(parsed)
                    continue
            except ValueError:
                pass
            damaged.append(i)
            counts[i] = 0
    return np.concatenate(parts) if parts else np.zeros(0, np.int64), counts, damaged


def _shaped(text: bytes, numbers: int, pairs: bool) -> bool:
    """Is `text` bracketed as a JSON list of `numbers` numbers (of pairs of numbers if `pairs`)?"""
    text = text.strip()
    if not numbers:
        return text.replace(b" ", b"") == b"[]"
    lists = numbers // 2 + 1 if pairs else 1
    return (
        (not pairs or numbers % 2 == 0)
        and text[:1] == b"["
        and text[-1:] == b"]"
        and text.count(b"[") == lists
        and text.count(b"]") == lists
    )


class _Series:
    """The count series of a batch of sessions as numpy rows, (elapsed ms, count so far): each
    session's are (0, 0), its progress points (else its event times in order, counting 1, 2, ...),
    then (duration, count) unless the last row already says that. `session`: each row's session,
    `first`: each session's first row, `damaged`: the sessions whose series could not be read."""

    def __init__(self, sessions: list[_FitSession]) -> None:
        import numpy as np

        n = len(sessions)
        self.damaged: list[int] = []
        whose, elapsed, count = [], [], []
        for progress in (True, False):
            index = np.array([i for i, s in enumerate(sessions) if s.progress is progress], dtype=np.intp)
            numbers, counts, damaged = _numbers([sessions[i].series for i in index], pairs=progress)
            if progress:
                counts //= 2
                elapsed.append(numbers[0::2])
                count.append(numbers[1::2])
                whose.append(np.repeat(index, counts))
            else:  # event times: sorted in their session, counting 1, 2, ...
                who = np.repeat(index, counts)
                elapsed.append(numbers[np.lexsort((numbers, who))])
                count.append(np.arange(1, len(numbers) + 1) - np.repeat(np.cumsum(counts) - counts, counts))
                whose.append(who)
            self.damaged += index[damaged].tolist()
        order = np.argsort(np.concatenate(whose), kind="stable")
        points_elapsed, points_count = np.concatenate(elapsed)[order], np.concatenate(count)[order]
        points = np.bincount(np.concatenate(whose), minlength=n)  # each session's
        self.duration = np.array([int(s.record.get("duration_ms") or 0) for s in sessions], dtype=np.int64)
        self.total = np.array([int(s.record.get("count") or 0) for s in sessions], dtype=np.int64)
        last = np.cumsum(points) - 1
        last_elapsed = np.where(points > 0, points_elapsed[last] if len(order) else 0, 0)
        last_count = np.where(points > 0, points_count[last] if len(order) else 0, 0)
        end = (last_elapsed < self.duration) | (last_count != self.total)
        size = 1 + points + end
        self.first = np.cumsum(size) - size
        self.session = np.repeat(np.arange(n), size)
        self.elapsed = np.zeros(int(size.sum()), dtype=np.int64)
        self.count = np.zeros_like(self.elapsed)
        at = np.repeat(self.first + 1 - (last + 1 - points), points) + np.arange(len(order))
        self.elapsed[at], self.count[at] = points_elapsed, points_count
        at = (self.first + 1 + points)[end]
        self.elapsed[at], self.count[at] = np.maximum(self.duration, last_elapsed)[end], self.total[end]


def _fit_batch(sessions: list[_FitSession]) -> list[bytes | str]:
    """The FIT file of each session of a batch (the messages of the module's docstring), or why
    it cannot be one; computed as numpy columns (host_tools.fit): a file is a few fixed-size
    messages around its records."""
    import numpy as np

    from host_tools import fit
    from host_tools.vocabulary import counts_time

    n = len(sessions)
    series = _Series(sessions)
    row_of = series.session
    timed_activity = {a: counts_time(a) for a in {s.activity for s in sessions}}
    timed = np.array([timed_activity[s.activity] for s in sessions])
    per_cycle = np.where([s.activity == "walk" for s in sessions], 2, 1)  # (a stride is two steps)
    cycles = np.where(timed[row_of], 0, series.count // per_cycle[row_of])
    # ms and cycles since the row before (a session's first row: since its start)
    step, counted = series.elapsed - np.roll(series.elapsed, 1), cycles - np.roll(cycles, 1)
    step[series.first], counted[series.first] = series.elapsed[series.first], cycles[series.first]
    cadence = np.full(len(cycles), np.nan)  # (none for the first row, a repeated time, yoga)
    moving = (step > 0) & ~timed[row_of]
    cadence[moving] = np.clip(np.rint(counted[moving] * 60000 / step[moving]), 0, 254)  # a minute
    start = np.array([round(s.record["start_utc"] * 1000) for s in sessions], dtype=np.int64)
    records, bad_rows = fit.rows(
        "record",
        len(cycles),
        {"timestamp": start[row_of] + series.elapsed, "total_cycles": cycles, "cadence": cadence},
    )
    bad = np.add.reduceat(bad_rows, series.first) > 0
    end = start + series.duration
    seconds = series.duration / 1000
    total = np.where(timed, 0, series.total // per_cycle)
    sport = np.array([SPORTS[s.activity] for s in sessions]).reshape(n, 2)
    v = fit.VALUES
    totals = {
        "timestamp": end,
        "start_time": start,
        "total_elapsed_time": seconds,
        "total_timer_time": seconds,
        "sport": sport[:, 0],
        "sub_sport": sport[:, 1],
        "total_cycles": total,
        "total_calories": np.rint([float(s.record.get("kcal") or 0.0) for s in sessions]),
        "event_type": v["event_type_stop"],
        "jump_count": np.where([s.activity == "jump_rope" for s in sessions], total, np.nan),
    }
    file_id = {
        "type": v["file_activity"],
        "manufacturer": v["manufacturer_development"],
        "product": 0,
        "serial_number": [_serial(s.record["device_id"]) for s in sessions],
        "time_created": start,
    }
    activity = {
        "timestamp": end,
        "total_timer_time": seconds,
        "num_sessions": 1,
        "type": v["activity_manual"],
        "event": v["event_activity"],
        "event_type": v["event_type_stop"],
        "local_timestamp": [_local_timestamp(int(e)) for e in end.tolist()],
    }
    before = [
        ("file_id", file_id),
        ("event", {"timestamp": start, "event": v["event_timer"], "event_type": v["event_type_start"]}),
        ("record", None),  # (its definition: the records come between)
    ]
    after = [
        ("event", {"timestamp": end, "event": v["event_timer"], "event_type": v["event_type_stop_all"]}),
        ("lap", {**totals, "event": v["event_lap"], "lap_trigger": v["lap_trigger_session_end"]}),
        ("session", {**totals, "first_lap_index": 0, "num_laps": 1, "event": v["event_session"]}),
        ("activity", activity),
    ]
    defined: set[str] = set()
    parts = []
    for messages in (before, after):
        columns = []
        for name, values in messages:
            if name not in defined:  # (a definition before a message's first use)
                defined.add(name)
                layout = np.frombuffer(fit.definition(name), dtype=np.uint8)
                columns.append(np.broadcast_to(layout, (n, len(layout))))
            if values is not None:
                rows, bad_message = fit.rows(name, n, values)
                columns.append(rows)
                bad |= bad_message
        block = np.hstack(columns)
        parts.append((block.tobytes(), block.shape[1]))
    (head, head_size), (tail, tail_size) = parts
    record_bytes = records.tobytes()
    size = records.shape[1]
    ends = np.append(series.first[1:], len(cycles)).tolist()
    damaged = set(series.damaged)
    out: list[bytes | str] = []  # a body, or why the session cannot be one
    for i, (first, last) in enumerate(zip(series.first.tolist(), ends, strict=True)):
        if i in damaged:
            out.append("its count series is damaged (not a list of whole numbers)")
        elif bad[i]:
            out.append("a value does not fit FIT (a date before 1990, a count or time too large)")
        else:
            out.append(
                head[i * head_size : (i + 1) * head_size]
                + record_bytes[first * size : last * size]
                + tail[i * tail_size : (i + 1) * tail_size]
            )
    files = iter(fit.files([b for b in out if isinstance(b, bytes)]))
    return [next(files) if isinstance(b, bytes) else b for b in out]


@functools.cache
def _serial(device_id: str) -> float:
    """FIT's serial number of a device: its id (hex) to 32 bits; NaN (none) for an entry of `fascia
    log` (no device) or an id that is not hex."""
    try:
        return int(device_id, 16) & 0xFFFFFFFF if device_id else float("nan")
    except ValueError:
        return float("nan")


def _local_timestamp(end_ms: int) -> float:
    """The activity's end as local time, in s since FIT's epoch (its UTC offset then, as the
    system's time zone says); NaN if the system cannot say."""
    from host_tools.fit import EPOCH_S

    try:
        return end_ms // 1000 - EPOCH_S + time.localtime(end_ms // 1000).tm_gmtoff
    except (OverflowError, OSError, ValueError):
        return float("nan")


FORMATS = ("csv", "json", "fit")
