"""The SQLite session store: idempotent import, damaged logs, dating, queries, unusable files,
series decoded from the raw logs and kept as JSON, and the migration of schema-1 and -2 stores."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from conftest import locked_store
from fascia.spec import log, logread
from host_tools import store as st
from host_tools.store import Store, StoreError, summarize

DEVICE = "a4cf12345678"
NOW = 1_780_000_000


def session_bytes(
    sid: int = 1,
    activity: str = "jump_rope",
    start: int = NOW - 3600,
    synced: bool = True,
    boot: int = 3,
    count: int = 120,
    end: bool = True,
) -> bytes:
    """A session log written with the firmware's own writer."""
    data = log.pack_header(
        sid, activity, "free", start=start, clock_synced=synced, boot=boot, device_id=DEVICE
    )
    data += log.pack_progress(5000, count // 2, {"trips": 1})
    data += log.pack_events([100, 600, 1100])
    data += log.pack_progress(10000, count, {"trips": 2})
    if end:
        data += log.pack_end(60000, count, 123, "stop", {"trips": 2, "max_streak": count - 10})
    return data


@pytest.fixture
def db(tmp_path):
    with Store(tmp_path / "s.sqlite3") as s:
        yield s


def test_import_is_idempotent_and_keeps_everything(db, tmp_path):
    raw = session_bytes()
    rid, outcome = db.import_session(raw)
    assert outcome == "new"
    assert db.import_session(raw) == (rid, "duplicate")
    rec = db.get(rid)
    assert rec is not None
    assert {k: rec[k] for k in ("device_id", "session_id", "activity", "mode", "start_utc", "count")} == {
        "device_id": DEVICE,
        "session_id": 1,
        "activity": "jump_rope",
        "mode": "free",
        "start_utc": NOW - 3600,
        "count": 120,
    }
    assert (rec["duration_ms"], rec["kcal"], rec["end_reason"], rec["status"]) == (
        60000,
        12.3,
        "stop",
        "complete",
    )
    assert rec["extras"] == {"trips": 2, "max_streak": 110}
    assert rec["events_ms"] == [100, 600, 1100]
    assert rec["progress"] == [[5000, 60], [10000, 120]]
    assert db.raw(rid) == raw
    assert db.holds(raw[:64], len(raw), zlib.crc32(raw))
    assert not db.holds(raw[:64], len(raw) + 10, zlib.crc32(raw))
    assert len(db.sessions()) == 1
    with Store(tmp_path / "s.sqlite3", write=False) as again:  # it is on disk
        assert again.get(rid) == rec


def test_same_id_other_start_is_another_session_and_a_different_file_is_a_conflict(db):
    db.import_session(session_bytes(start=NOW - 3600))
    assert db.import_session(session_bytes(start=NOW - 60))[1] == "new"  # device wiped: ids restart
    other = session_bytes(start=NOW - 60, count=7)
    assert db.import_session(other)[1] == "conflict"
    assert [s["count"] for s in db.sessions()] == [120, 120]
    # records carrying their own CRC-32 keep the file's CRC-32: only the key and bytes tell them apart
    assert zlib.crc32(other) == zlib.crc32(session_bytes(start=NOW - 60))
    assert not db.holds(other[:64], len(other) + 1, zlib.crc32(other))


def test_a_session_imported_incomplete_is_replaced_when_it_grew(db):
    partial = session_bytes(sid=4, end=False)
    rid = db.import_session(partial)[0]
    assert db.get(rid)["status"].startswith("incomplete")  # type: ignore[index]
    assert db.import_session(session_bytes(sid=4)) == (rid, "updated")
    rec = db.get(rid)
    assert rec is not None and rec["status"] == "complete" and rec["progress"] == [[5000, 60], [10000, 120]]
    assert len(db.sessions()) == 1


def test_damaged_record_is_reported_and_the_rest_imported(db):
    raw = bytearray(session_bytes())
    second_progress = raw.index(log.pack_progress(10000, 120, {"trips": 2}))
    raw[second_progress + 7] ^= 0xFF
    rid, outcome = db.import_session(bytes(raw))
    rec = db.get(rid)
    assert outcome == "new" and rec is not None
    assert rec["status"] == "complete" and rec["count"] == 120  # END survived
    assert rec["progress"] == [[5000, 60]]
    assert len(rec["errors"]) == 1 and "CRC mismatch" in rec["errors"][0]


def test_unreadable_header_still_imports_once(db):
    raw = bytearray(session_bytes(sid=9))
    raw[8] ^= 0xFF
    first = db.import_session(bytes(raw), device_id="beef", session_id=9)
    assert first[1] == "new"
    assert db.import_session(bytes(raw), device_id="beef", session_id=9) == (first[0], "duplicate")
    rec = db.get(first[0])
    assert rec is not None
    assert (rec["device_id"], rec["session_id"], rec["start_utc"], rec["activity"]) == ("beef", 9, None, None)
    assert "HEADER" in rec["status"] and rec["errors"]


def test_sessions_before_the_clock_was_set_are_dated_at_sync(db):
    clock = {"boot": 3, "uptime_s": 900, "epoch": NOW}
    same_boot = db.import_session(session_bytes(sid=1, start=300, synced=False), clock=clock)[0]
    older_boot = db.import_session(session_bytes(sid=2, start=300, synced=False, boot=2), clock=clock)[0]
    assert db.get(same_boot)["start_utc"] == NOW - 600  # type: ignore[index]
    assert db.get(older_boot)["start_utc"] is None  # type: ignore[index]
    assert [s["session_id"] for s in db.sessions()] == [1, 2]  # undated ones last
    assert [s["session_id"] for s in db.sessions(since=0)] == [1]


def test_queries_by_date_and_activity_and_daily_totals(db):
    day = 86400
    db.import_session(session_bytes(sid=1, start=NOW - 2 * day, count=100))
    db.import_session(session_bytes(sid=2, start=NOW - 2 * day + 600, count=50))
    db.import_session(session_bytes(sid=3, activity="swing", start=NOW - day, count=30))
    assert [s["session_id"] for s in db.sessions(activity="jump_rope")] == [1, 2]
    assert [s["session_id"] for s in db.sessions(since=NOW - day - 1)] == [3]
    assert "events_ms" not in db.sessions(series=False)[0]
    totals = db.daily_totals()
    assert [(t["activity"], t["sessions"], t["count"]) for t in totals] == [
        ("jump_rope", 2, 150),
        ("swing", 1, 30),
    ]
    assert totals[0]["duration_ms"] == 120000 and totals[0]["kcal"] == 24.6
    assert db.daily_totals(records=db.sessions(series=False)) == totals  # (records read already)
    summary = summarize(db.sessions(series=False))
    rope = summary["jump_rope"]
    assert (rope["sessions"], rope["count"], rope["rate_per_min"]) == (2, 150, 75.0)
    assert rope["extras"] == {"trips": 4, "max_streak": 90}


def test_failed_import_leaves_nothing_behind(db):
    with pytest.raises(RuntimeError), db.transaction():
        db.import_session(session_bytes(sid=1))
        raise RuntimeError("killed mid-import")
    assert db.sessions() == []
    assert db.con.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 0


def test_locked_database_is_a_clear_error(tmp_path):
    with (
        locked_store(tmp_path / "s.sqlite3") as path,
        Store(path, timeout=0.1) as s,
        pytest.raises(StoreError, match="locked by another program"),
    ):
        s.import_session(session_bytes())


def test_read_only_database_is_a_clear_error_but_still_readable(tmp_path):
    path = tmp_path / "s.sqlite3"
    with Store(path) as s:
        s.import_session(session_bytes())
    os.chmod(path, 0o444)
    with pytest.raises(StoreError, match="read-only"):
        Store(path)
    with Store(path, write=False) as s:
        assert len(s.sessions()) == 1


def test_missing_database_reads_as_empty_and_a_newer_one_is_refused(tmp_path):
    with Store(tmp_path / "none.sqlite3", write=False) as s:
        assert s.sessions() == [] and s.daily_totals() == []
    assert not (tmp_path / "none.sqlite3").exists()
    newer = tmp_path / "newer.sqlite3"
    con = sqlite3.connect(newer)
    con.execute(f"PRAGMA user_version={st.SCHEMA_VERSION + 1}")
    con.close()
    with pytest.raises(StoreError, match="newer fascia"):
        Store(newer)
    (tmp_path / "junk.sqlite3").write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match="not a fascia database"):
        Store(tmp_path / "junk.sqlite3")


def test_a_store_whose_first_writer_was_killed_reads_as_empty_and_is_made_by_the_next(tmp_path):
    path = tmp_path / "sessions.sqlite3"
    # a first sync killed while it made the tables: an uncommitted transaction and its hot journal
    killed = (
        "import os, signal, sqlite3, sys\n"
        "con = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "con.execute('BEGIN IMMEDIATE')\n"
        "con.execute('CREATE TABLE half (x)')\n"
        "con.execute('INSERT INTO half VALUES (1)')\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    proc = subprocess.run([sys.executable, "-c", killed, str(path)])
    assert proc.returncode == -signal.SIGKILL and path.exists()
    with Store(path, write=False) as reader:
        assert reader.sessions() == [] and reader.devices() == []
    with Store(path) as writer:
        writer.import_session(session_bytes(), device_id="AA", session_id=1)
    with Store(path, write=False) as reader:
        assert len(reader.sessions()) == 1


def test_default_location_follows_platform_conventions(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert st.default_path() == tmp_path / "fascia" / "sessions.sqlite3"


def test_history_commands(db, tmp_path, capsys):
    from host_tools import cli

    db.import_session(session_bytes(sid=1, start=int(time.time()) - 3600))
    db.import_session(session_bytes(sid=2, activity="swing", start=int(time.time()) - 60, count=20))
    path = str(tmp_path / "s.sqlite3")
    original = cli.COMMAND_MODULES
    cli.COMMAND_MODULES = ("host_tools.history",)
    try:
        assert cli.main(["sessions", "--db", path, "--activity", "swing", "--json"]) == 0
        assert [s["session_id"] for s in json.loads(capsys.readouterr().out)] == [2]
        assert cli.main(["show", "1", "--db", path, "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["events_ms"] == [100, 600, 1100]
        assert cli.main(["stats", "--week", "--db", path, "--json"]) == 0
        stats = json.loads(capsys.readouterr().out)
        assert stats["activities"]["jump_rope"]["extras"]["trips"] == 2 and len(stats["days"]) >= 1
        for argv in (["sessions"], ["show", "2"], ["stats", "--month"]):
            assert cli.main([*argv, "--db", path]) == 0
        out = capsys.readouterr().out
        assert "swing" in out and "totals, last 30 days" in out
        assert cli.main(["show", "99", "--db", path]) == 2
        assert capsys.readouterr().err.strip() == "fascia: error: no session 99 (see `fascia sessions`)"
    finally:
        cli.COMMAND_MODULES = original


# ---------------------------------------------------------------- series, read from the raw log


def long_session(
    sid: int, start: int = NOW - 7200, n: int = 700, damaged: bool = False
) -> tuple[bytes, list]:
    """(raw, event times): several EVENTS batches (a full one of 256, one split at a gap > 65.535 s),
    a PROGRESS every 5 s with extras; `damaged`: one EVENTS record's CRC broken."""
    times = [430 * i + (70_000 if i >= 300 else 0) for i in range(n)]
    raw = log.pack_header(sid, "jump_rope", "free", start=start, clock_synced=True, boot=1, device_id=DEVICE)
    for at in range(0, times[-1], 5000):
        raw += log.pack_progress(at, sum(t <= at for t in times), {"trips": at // 60000})
    batches = [log.pack_events(times[i : i + 256]) for i in range(0, n, 256)]
    if damaged:
        broken = bytearray(batches[1])
        broken[-1] ^= 0xFF
        batches[1] = bytes(broken)
    raw += b"".join(batches) + log.pack_end(times[-1] + 500, n, 400, "stop", {"max_streak": 300})
    return raw, times


def test_event_times_and_progress_round_trip_through_the_raw_log(db):
    raw, times = long_session(1)
    rid = db.import_session(raw)[0]
    rec = db.get(rid)
    assert rec is not None and rec["events_ms"] == times and rec["raw_size"] == len(raw)
    expected = logread.parse_session(raw)["progress"]
    assert rec["progress"] == [[p["elapsed_ms"], p["count"]] for p in expected] and len(expected) > 40
    damaged, _ = long_session(2, start=NOW - 60, damaged=True)
    rec = db.get(db.import_session(damaged)[0])
    assert rec is not None and rec["events_ms"] == logread.parse_session(damaged)["events_ms"]
    assert 0 < len(rec["events_ms"]) < len(times) and len(rec["errors"]) == 1  # the rest of them
    listed = db.sessions(series=False)
    assert [r["raw_size"] for r in listed] == [len(raw), len(damaged)]
    assert all("events_ms" not in r and "progress" not in r for r in listed)
    assert db.get(rid, series=False) == listed[0]
    assert [r["events_ms"] for r in db.sessions()] == [times, rec["events_ms"]]
    tables = {r[0] for r in db.con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"devices", "sessions", "series"}
    kept = db.con.execute("SELECT events, progress FROM series WHERE session = ?", (rid,)).fetchone()
    assert json.loads(kept[0]) == times and json.loads(kept[1]) == db.get(rid)["progress"]  # type: ignore[index]


# ---------------------------------------------------------------- schema 1 -> 2

V1_SCHEMA = """
CREATE TABLE devices (
    device_id   TEXT PRIMARY KEY,
    firmware    TEXT,
    platform    TEXT,
    first_seen  INTEGER NOT NULL,
    last_sync   INTEGER NOT NULL
);
CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY,
    device_id     TEXT NOT NULL,
    session_id    INTEGER NOT NULL,
    start_raw     INTEGER NOT NULL,
    boot          INTEGER,
    clock_synced  INTEGER NOT NULL,
    start_utc     INTEGER,
    activity      TEXT,
    mode          TEXT,
    params        TEXT NOT NULL,
    user_weight_g INTEGER,
    load_g        INTEGER,
    duration_ms   INTEGER NOT NULL,
    count         INTEGER NOT NULL,
    kcal          REAL NOT NULL,
    end_reason    TEXT,
    status        TEXT NOT NULL,
    extras        TEXT NOT NULL,
    errors        TEXT NOT NULL,
    raw           BLOB NOT NULL,
    raw_crc32     INTEGER NOT NULL,
    imported_utc  INTEGER NOT NULL,
    UNIQUE (device_id, session_id, start_raw)
);
CREATE INDEX sessions_start ON sessions (start_utc);
CREATE INDEX sessions_activity ON sessions (activity, start_utc);
CREATE TABLE events (
    session  INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    t_ms     INTEGER NOT NULL
);
CREATE INDEX events_session ON events (session);
CREATE TABLE progress (
    session     INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    elapsed_ms  INTEGER NOT NULL,
    count       INTEGER NOT NULL,
    extras      TEXT NOT NULL
);
CREATE INDEX progress_session ON progress (session);
"""


def _filled(path: Path, raws: list[bytes]) -> None:
    """A store at `path` as this release writes it, holding `raws` from DEVICE."""
    with Store(path) as s:
        for raw in raws:
            s.import_session(raw)
        s.note_device(DEVICE, "0.1.0", "esp32")


def v1_store(path: Path, raws: list[bytes]) -> Path:
    """A store as fascia with schema 1 wrote it (its CREATE statements; a row per event time and
    per progress point, decoded by the same parser), holding `raws`."""
    scratch = path.with_name(path.name + ".scratch")
    _filled(scratch, raws)
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.executescript(V1_SCHEMA)
    con.execute("ATTACH ? AS new", (str(scratch),))
    con.execute("BEGIN")
    con.execute("INSERT INTO devices SELECT * FROM new.devices")
    con.execute("INSERT INTO sessions SELECT * FROM new.sessions")  # the same columns in both schemas
    for rid, raw in con.execute("SELECT id, raw FROM sessions").fetchall():
        parsed = logread.parse_session(raw)
        con.executemany("INSERT INTO events VALUES (?, ?)", [(rid, t) for t in parsed["events_ms"]])
        con.executemany(
            "INSERT INTO progress VALUES (?, ?, ?, ?)",
            [(rid, p["elapsed_ms"], p["count"], json.dumps(p["extras"])) for p in parsed["progress"]],
        )
    con.execute("PRAGMA user_version=1")
    con.execute("COMMIT")
    con.execute("DETACH new")
    con.close()
    for f in scratch.parent.glob(scratch.name + "*"):
        f.unlink()
    return path


def v1_series(path: Path) -> dict[int, tuple[list, list]]:
    """{local id: (events_ms, progress)} as schema 1 stored them (and its `get` returned them)."""
    con = sqlite3.connect(path)
    try:
        return {
            rid: (
                [
                    t
                    for (t,) in con.execute(
                        "SELECT t_ms FROM events WHERE session = ? ORDER BY rowid", (rid,)
                    )
                ],
                [
                    [e, c]
                    for e, c in con.execute(
                        "SELECT elapsed_ms, count FROM progress WHERE session = ? ORDER BY rowid", (rid,)
                    )
                ],
            )
            for (rid,) in con.execute("SELECT id FROM sessions")
        }
    finally:
        con.close()


def table_names(path: Path) -> set[str]:
    con = sqlite3.connect(path)
    try:
        return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        con.close()


def old_history() -> list[bytes]:
    raws = [long_session(i + 1, start=NOW - 86400 * (40 - i), n=2000)[0] for i in range(40)]
    raws.append(long_session(41, start=NOW - 600, damaged=True)[0])
    raws.append(session_bytes(sid=42, activity="swing", start=NOW - 300))
    return raws


def cli_outputs(path: Path, tmp_path: Path, capsys) -> dict[str, str]:
    """What `fascia show` (table and --json), `sessions --json`, `stats --json` and `export` (CSV,
    JSON, FIT) write for this store."""
    from host_tools import cli

    out: dict[str, str] = {}
    tmp_path.mkdir()
    for name, argv in {
        "show": ["show", "1"],
        "show_json": ["show", "41", "--json"],
        "sessions": ["sessions", "--json"],
        "stats": ["stats", "--json"],
    }.items():
        assert cli.main([*argv, "--db", str(path)]) == 0
        out[name] = capsys.readouterr().out
    for fmt in ("csv", "json", "fit"):
        target = tmp_path / f"export.{fmt}" if fmt != "fit" else tmp_path / "fit"
        assert cli.main(["export", "-f", fmt, "--db", str(path), str(target)]) == 0
        capsys.readouterr()
        files = sorted(target.glob("*.fit")) if fmt == "fit" else [target]
        assert files and all(f.stat().st_size > 100 for f in files)
        out[fmt] = "".join(f.read_bytes().hex() for f in files)
    return out


def test_a_schema_1_store_migrates_losing_nothing_and_shrinks(tmp_path, capsys):
    path = v1_store(tmp_path / "old.sqlite3", old_history())
    stored = v1_series(path)
    assert sum(len(e) for e, _ in stored.values()) > 80_000
    size = path.stat().st_size
    with Store(path, write=False) as reader:  # only reading: left as it is, and read right
        before = reader.sessions()
        assert reader.con.execute("PRAGMA user_version").fetchone()[0] == 1
    assert {r["id"]: (r["events_ms"], r["progress"]) for r in before} == stored
    shown = cli_outputs(path, tmp_path / "before", capsys)
    assert table_names(path) >= {"events", "progress"}

    with Store(path) as s:  # a writer (`fascia sync`) migrates
        assert s.con.execute("PRAGMA user_version").fetchone()[0] == st.SCHEMA_VERSION == 3
        assert s.con.execute("PRAGMA freelist_count").fetchone()[0] == 0  # VACUUMed
        assert s.con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert s.sessions() == before
        assert s.devices()[0]["firmware"] == "0.1.0"
        assert s.raw(1) == old_history()[0]
    assert table_names(path) == {"devices", "sessions", "series"}
    assert path.stat().st_size < size / 2  # the series kept once, as JSON text, not a row each
    assert cli_outputs(path, tmp_path / "after", capsys) == shown
    with Store(path) as s:  # and stays migrated: a second open changes nothing
        assert s.sessions() == before


_KILLED_MID_MIGRATION = """
import os, signal, sys
from host_tools import store

def drop_then_die(con):
    migrate(con)
    assert con.in_transaction
    os.kill(os.getpid(), signal.SIGKILL)  # tables dropped, user_version not yet set, nothing committed

migrate = store._MIGRATIONS[1]
store._MIGRATIONS[1] = drop_then_die
store.Store(sys.argv[1])
"""


def test_a_migration_killed_midway_leaves_the_old_store_intact(tmp_path):
    path = v1_store(tmp_path / "old.sqlite3", old_history()[:5])
    stored = v1_series(path)
    proc = subprocess.run([sys.executable, "-c", _KILLED_MID_MIGRATION, str(path)], capture_output=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA user_version").fetchone()[0] == 1
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()
    assert table_names(path) >= {"events", "progress"} and v1_series(path) == stored
    with Store(path) as s:  # the next writer migrates it
        assert {r["id"]: (r["events_ms"], r["progress"]) for r in s.sessions()} == stored
    assert table_names(path) == {"devices", "sessions", "series"}


def test_a_damaged_stored_copy_is_not_held_and_the_device_copy_repairs_it(tmp_path):
    """Issue 17 item 3: `holds` reads the stored bytes, not only their length/CRC columns."""
    from conftest import damage_stored_copy

    path = tmp_path / "s.sqlite3"
    raw = session_bytes()
    with Store(path) as store:
        rid = store.import_session(raw)[0]
    damage_stored_copy(path, raw)
    with Store(path) as store:
        assert store.raw(rid) != raw
        assert not store.holds(raw[:64], len(raw), zlib.crc32(raw))  # so a sync copies it again
        assert store.import_session(raw) == (rid, "repaired")
        assert store.raw(rid) == raw and store.holds(raw[:64], len(raw), zlib.crc32(raw))
        assert store.get(rid)["events_ms"] == [100, 600, 1100]  # type: ignore[index]
        # an intact stored copy that differs is still a conflict, never replaced
        assert store.import_session(session_bytes(count=7))[1] == "conflict"
        assert store.raw(rid) == raw


def test_sessions_shows_the_newest_page_and_says_how_many_more(db, tmp_path, capsys):
    from host_tools import history

    for sid in range(1, 76):
        db.import_session(session_bytes(sid=sid, start=NOW - 86400 * (100 - sid), count=sid))
    path = str(tmp_path / "s.sqlite3")

    notes: list[str] = []

    def listed(*argv: str) -> list[int]:
        assert history.main(["sessions", "--db", path, "--json", *argv]) == 0
        out, err = capsys.readouterr()
        notes.append(err)
        return [s["session_id"] for s in json.loads(out)]

    assert listed() == list(range(46, 76))  # the newest 30, oldest first
    assert listed("--page", "2") == list(range(16, 46))
    assert notes[-1] == "fascia: sessions 16-45 of 75; 15 older: --page 3, or --limit 0 for all\n"
    assert listed("--page", "3") == list(range(1, 16))
    assert listed("--limit", "10", "--page", "2") == list(range(56, 66))
    assert listed("--limit", "0") == list(range(1, 76))
    assert listed("--page", "4") == []
    assert history.main(["sessions", "--db", path]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "sessions 46-75 of 75; 45 older: --page 2, or --limit 0 for all" in out
    assert history.main(["sessions", "--db", path, "--limit", "0"]) == 0
    assert "older" not in capsys.readouterr().out
    with pytest.raises(SystemExit) as bad:
        history.main(["sessions", "--db", path, "--page", "0"])
    assert bad.value.code == 2


def test_export_streams_from_the_store_in_constant_memory(tmp_path, monkeypatch):
    """CSV and JSON are written a record at a time, FIT a batch of sessions at a time (10 here):
    peak memory with 10x the sessions stays flat. (`make bench-history` prints the ten-year peaks.)"""
    import tracemalloc

    from host_tools import export

    monkeypatch.setattr(export, "FIT_BATCH", 10)

    def peak(n: int, writer, suffix: str) -> int:
        records = (
            {"id": i, "device_id": "ab", "session_id": i, "activity": "walk", "events_ms": list(range(300))}
            | {"start_utc": NOW + 600 * i, "duration_ms": 300_000, "count": 300, "kcal": 9.0}
            | ({"extras": {"steps": i}} if i % 2 else {})
            for i in range(n)
        )
        tracemalloc.start()
        assert writer(records, tmp_path / f"{n}.{suffix}") == n
        size = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return size

    writers = {
        "json": export.write_json,
        "csv": lambda r, out: export.write_csv(r, out, ["steps"]),
        "fit": lambda r, out: len(export.write_fit(r, out.with_suffix(""))[0]),
    }
    for name, writer in writers.items():
        small, large = peak(30, writer, name), peak(300, writer, name)
        assert large < 1.5 * small, (name, small, large)
    rows = (tmp_path / "300.csv").read_text().splitlines()
    assert len(rows) == 301 and rows[0].endswith(",extra_steps") and rows[2].endswith(",1")
    records = json.loads((tmp_path / "300.json").read_text())
    assert [r["session_id"] for r in records] == list(range(300)) and records[1]["extras"] == {"steps": 1}
    assert len(list((tmp_path / "300").glob("*.fit"))) == 300


# ---------------------------------------------------------------- schema 2 -> 3: series kept as JSON


def v2_store(path: Path, raws: list[bytes]) -> Path:
    """A store as fascia with schema 2 left it: no table `series` (a record's series were decoded
    from its raw log each time it was read)."""
    _filled(path, raws)
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("DROP TABLE series")
    con.execute("PRAGMA user_version=2")
    con.close()
    return path


def test_a_schema_2_store_shows_and_exports_the_same_before_and_after_its_series_are_kept(tmp_path, capsys):
    """`show`, `sessions`, `stats` and the CSV, JSON and FIT exports write the same bytes read from
    the raw logs (a schema-2 store, opened read-only: left as it is) and from the kept JSON (after a
    writer migrated it)."""
    raws = old_history()
    path = v2_store(tmp_path / "old.sqlite3", raws)
    with Store(path, write=False) as reader:
        before = reader.sessions()
        assert reader.con.execute("PRAGMA user_version").fetchone()[0] == 2
    for rec, raw in zip(before, raws, strict=True):
        parsed = logread.parse_session(raw)
        assert rec["events_ms"] == parsed["events_ms"]
        assert rec["progress"] == [[p["elapsed_ms"], p["count"]] for p in parsed["progress"]]
    shown = cli_outputs(path, tmp_path / "before", capsys)
    assert table_names(path) == {"devices", "sessions"}
    said: list[str] = []
    with Store(path, say=said.append) as s:
        assert said == [f"updating the store (once): keeping the series of {len(raws)} sessions, ~1 ms each"]
        assert s.con.execute("PRAGMA user_version").fetchone()[0] == st.SCHEMA_VERSION
        assert s.con.execute("SELECT count(*) FROM series").fetchone()[0] == len(raws)
        assert s.sessions() == before
    assert cli_outputs(path, tmp_path / "after", capsys) == shown
    with Store(path, say=said.append):
        assert len(said) == 1  # (once)


def test_a_replaced_session_gets_its_series_anew(db):
    raw = session_bytes(sid=4)
    partial = raw[: raw.index(log.pack_events([100, 600, 1100]))]  # HEADER and the first PROGRESS
    rid = db.import_session(partial)[0]
    assert (db.get(rid)["events_ms"], db.get(rid)["progress"]) == ([], [[5000, 60]])  # type: ignore[index]
    assert db.import_session(raw) == (rid, "updated")
    assert (db.get(rid)["events_ms"], db.get(rid)["progress"]) == (
        [100, 600, 1100],
        [[5000, 60], [10000, 120]],
    )  # type: ignore[index]
    assert db.con.execute("SELECT count(*) FROM series").fetchone()[0] == 1


def test_a_damaged_kept_series_is_decoded_from_the_raw_log_again(tmp_path, capsys):
    """The kept JSON is checked against its CRC-32 each time it is read: a changed byte (a bad disk
    page) reaches neither a record nor an export."""
    path = tmp_path / "s.sqlite3"
    with Store(path) as s:
        for raw in old_history():
            s.import_session(raw)
        good = s.get(1)
    assert good is not None
    shown = cli_outputs(path, tmp_path / "before", capsys)
    with Store(path) as s:
        kept = s.con.execute("SELECT events FROM series WHERE session = 1").fetchone()[0]
        damaged = kept.replace(",430,", ",431,", 1)
        assert damaged != kept and json.loads(damaged) != good["events_ms"]
        s.con.execute("UPDATE series SET events = ? WHERE session = 1", (damaged,))
    with Store(path, write=False) as s:
        assert s.get(1) == good
    assert cli_outputs(path, tmp_path / "after", capsys) == shown
