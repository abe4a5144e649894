"""The SQLite session store: idempotent import, damaged logs, dating, queries, unusable files."""

from __future__ import annotations

import json
import os
import sqlite3
import time
import zlib

import pytest

from conftest import locked_store
from fascia.spec import log
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
    summary = summarize(db.sessions(series=False))
    rope = summary["jump_rope"]
    assert (rope["sessions"], rope["count"], rope["rate_per_min"]) == (2, 150, 75.0)
    assert rope["extras"] == {"trips": 4, "max_streak": 90}


def test_failed_import_leaves_nothing_behind(db):
    with pytest.raises(RuntimeError), db.transaction():
        db.import_session(session_bytes(sid=1))
        raise RuntimeError("killed mid-import")
    assert db.sessions() == []
    assert db.con.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 0


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
