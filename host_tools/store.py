"""The laptop's session store: one SQLite file holding every session synced from every device.

Each session is kept whole: its raw log bytes (so nothing the device wrote is ever lost, and a
better parser can re-read it later) next to the figures decoded by the one log parser,
`fascia.spec.logread`, that lists and totals need (count, duration, kcal, extras...). Its long
series, event times and progress points, are decoded from the raw log by that parser once, at
import, and kept in table `series` as the compact JSON a record carries them in (`events_ms`,
`progress`): a record that asks for them reads that text (`json.loads`), and `export --format json`
writes it as it is (~70 MB for ten years, the store's price for an export in constant, short time).
That text is derived data: its CRC-32 is checked each time it is read, and a copy that fails the
check, or a store without it, is decoded from `raw` again (`_series`, ~0.8 ms a session). A
replaced session (grown, or repaired from the device's copy) gets its series anew in the same
transaction. A session is identified by
(device_id, session_id, start_raw), the start as recorded in its HEADER, so importing the same
file twice, or a rerun of an interrupted sync, never duplicates it. Writes happen in explicit
transactions (WAL journal), so a process killed mid-import leaves the database as it was before
the import.

Everything returned to callers is a "session record" dict (see `_record`).

Schema versions (PRAGMA user_version): 1 also kept every event time and progress point as rows of
their own (tables `events` and `progress`: ~90% of a store's size); 2 read them from `raw` each
time; 3 keeps them once more as JSON text (table `series`, filled from `raw` by the migration).
Opening a store for writing (`fascia sync`) migrates it in one transaction (then VACUUMs it if that
left it mostly free pages); read-only opens read any version as it is (their `sessions` tables are
the same; without `series`, the series are decoded from `raw`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import stat
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import platformdirs

from fascia.spec import log, logread
from host_tools.errors import UserError

SCHEMA_VERSION = 3
BUSY_TIMEOUT_S = 1.0  # wait this long for another writer before reporting the database as locked
NO_HEADER = -1  # start_raw of a session whose HEADER is unreadable (the key still dedupes it)

_BY_KEY = "device_id = ? AND session_id = ? AND start_raw = ?"  # the UNIQUE key, in a WHERE

_SCHEMA = """
CREATE TABLE devices (
    device_id   TEXT PRIMARY KEY,          -- hex
    firmware    TEXT,
    platform    TEXT,
    first_seen  INTEGER NOT NULL,          -- epoch s
    last_sync   INTEGER NOT NULL
);
CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY,     -- local id, shown to the user
    device_id     TEXT NOT NULL,
    session_id    INTEGER NOT NULL,        -- the device's id
    start_raw     INTEGER NOT NULL,        -- HEADER start: epoch s if clock_synced, else uptime s
    boot          INTEGER,
    clock_synced  INTEGER NOT NULL,
    start_utc     INTEGER,                 -- epoch s, NULL when unknowable
    activity      TEXT,
    mode          TEXT,
    params        TEXT NOT NULL,           -- JSON
    user_weight_g INTEGER,
    load_g        INTEGER,
    duration_ms   INTEGER NOT NULL,
    count         INTEGER NOT NULL,
    kcal          REAL NOT NULL,
    end_reason    TEXT,
    status        TEXT NOT NULL,
    extras        TEXT NOT NULL,           -- JSON {name: int}
    errors        TEXT NOT NULL,           -- JSON [sentence]: damaged regions found by logread
    raw           BLOB NOT NULL,           -- the log file exactly as the device wrote it
    raw_crc32     INTEGER NOT NULL,
    imported_utc  INTEGER NOT NULL,
    UNIQUE (device_id, session_id, start_raw)
);
CREATE INDEX sessions_start ON sessions (start_utc);
CREATE INDEX sessions_activity ON sessions (activity, start_utc);
CREATE TABLE series (
    session   INTEGER PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    events    TEXT NOT NULL,           -- events_ms as compact JSON: [t, ...], decoded from raw
    progress  TEXT NOT NULL,           -- progress as compact JSON: [[elapsed_ms, count], ...]
    crc32     INTEGER NOT NULL         -- of events then progress (UTF-8): a damaged copy is not used
);
"""
# a record's columns
_COLUMNS = (
    "id, device_id, session_id, activity, mode, params, start_utc, clock_synced, duration_ms, count, kcal,"
    " end_reason, status, extras, errors, user_weight_g, load_g, length(raw) AS raw_size, imported_utc"
)


def _drop_series_tables(con: sqlite3.Connection) -> None:
    """Schema 1 -> 2: drop `events` (a row per event time) and `progress` (a row per progress
    point, with its extras). Every value in them was decoded from the session's `raw`, which stays:
    `_series` decodes them from there, so nothing is lost. (Their indexes go with them.)"""
    con.execute("DROP TABLE events")
    con.execute("DROP TABLE progress")


def _add_series_table(con: sqlite3.Connection) -> None:
    """Schema 2 -> 3: table `series`, each session's events and progress decoded from its `raw` once
    (~1 ms a session: ten years' 7,000 sessions take a few seconds, once)."""
    con.execute(_SCHEMA[_SCHEMA.index("CREATE TABLE series") :])
    for rid, raw in con.execute("SELECT id, raw FROM sessions"):  # (a session at a time: not all in memory)
        _keep_series(con, rid, *_encode(*_series(raw)))


_MIGRATIONS = {1: _drop_series_tables, 2: _add_series_table}  # schema n -> n + 1, in one transaction


class StoreError(UserError):
    """The database cannot be used (locked, read-only, damaged, too new): one sentence for the user."""


def default_path() -> Path:
    """Where the store lives by default: the platform's per-user data directory."""
    return platformdirs.user_data_path("fascia") / "sessions.sqlite3"


def _read_only(path: Path) -> bool:
    """True if the file may not be written: no permission, or no write bit at all (which root
    would otherwise ignore: a user who removed every write bit means it)."""
    return not os.access(path, os.W_OK) or not path.stat().st_mode & (
        stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
    )


class Store:
    """`Store(path)` opens (creating if needed) the database; `Store(path, write=False)` only reads
    (a missing file, or one a killed first sync never finished making, reads as empty; a read-only
    file is fine)."""

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        write: bool = True,
        timeout: float = BUSY_TIMEOUT_S,
        say: Callable[[str], None] | None = None,
    ):
        """`say`: called with a sentence before a migration that takes a while (see _migrate)."""
        self.path = Path(path) if path else default_path()
        self.write = write
        self.say = say
        with self._errors():
            self.empty = False  # (a reader of a store that is not there yet: see _open_reader)
            if write:
                if self.path.exists() and _read_only(self.path):
                    raise StoreError(f"{self.path}: the database file is read-only (check its permissions)")
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.con = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
                self.con.execute("PRAGMA journal_mode=WAL")
            else:
                self.con = self._open_reader(timeout)
            self.con.row_factory = sqlite3.Row
            self.con.execute("PRAGMA foreign_keys=ON")
            self._migrate()

    def _open_reader(self, timeout: float) -> sqlite3.Connection:
        """A connection that only reads. A missing store, or one whose writer was killed before it
        made the tables, reads as empty (an in-memory one). A writable file is opened normally, so
        that SQLite can roll back what a killed writer left half done; nothing else is written."""
        if self.path.exists():
            if _read_only(self.path):
                uri = self.path.resolve().as_uri() + "?mode=ro"
                con = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
            else:
                con = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            if con.execute("PRAGMA user_version").fetchone()[0]:
                return con
            con.close()
        self.empty = True
        return sqlite3.connect(":memory:", isolation_level=None)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------ plumbing

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        """sqlite3 failures the user can act on -> StoreError with one sentence."""
        try:
            yield
        except sqlite3.OperationalError as e:
            text = str(e)
            if "locked" in text or "busy" in text:
                msg = "the database is locked by another program (another `fascia sync`?): try again later"
            elif "readonly" in text or "read-only" in text:
                msg = "the database is read-only (check the permissions of the file and its folder)"
            elif "unable to open" in text:
                msg = "cannot open the database (does its folder exist and is it writable?)"
            else:
                msg = f"database error: {text}"
            raise StoreError(f"{self.path}: {msg}") from None
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path}: not a fascia database ({e})") from None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction (taken at once, so a locked database fails before any work)."""
        with self._errors():
            if self.con.in_transaction:
                yield
                return
            self.con.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self.con.execute("ROLLBACK")
                raise
            self.con.execute("COMMIT")

    def check_writable(self) -> None:
        """Fail now (StoreError) if an import could not be committed: locked or read-only."""
        with self.transaction():
            pass

    def _migrate(self) -> None:
        """Create the tables in a new database, or bring an older schema up to date (writers only,
        in one transaction: a process killed meanwhile leaves the old store as it was); refuse one
        made by a newer fascia. A writer then compacts a store that is mostly free pages (as a
        migration leaves it)."""
        version = self.con.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: made by a newer fascia (schema {version}, this one knows {SCHEMA_VERSION})"
            )
        self.cached = version >= 3 or self.empty or self.write  # table `series` there
        if not self.write and not self.empty:
            return  # only read: an older schema reads as it is (see the module docstring)
        if version < SCHEMA_VERSION:
            with self.transaction():
                version = self.con.execute("PRAGMA user_version").fetchone()[0]  # again, holding the lock
                if 0 < version < 3 and self.say:
                    n = self.con.execute("SELECT count(*) FROM sessions").fetchone()[0]
                    self.say(f"updating the store (once): keeping the series of {n} sessions, ~1 ms each")
                if version == 0:
                    for statement in filter(str.strip, _SCHEMA.split(";")):
                        self.con.execute(statement)
                for old in range(version or SCHEMA_VERSION, SCHEMA_VERSION):
                    _MIGRATIONS[old](self.con)
                if version < SCHEMA_VERSION:  # (not if a newer fascia got here first)
                    self.con.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        free = self.con.execute("PRAGMA freelist_count").fetchone()[0]
        if free > self.con.execute("PRAGMA page_count").fetchone()[0] // 2:
            self._compact()

    def _compact(self) -> None:
        """Give free pages back to the file system (SQLite keeps them for reuse otherwise). Best
        effort: if VACUUM cannot run (no room for its copy, a reader in the way), the store stays
        correct, just larger, and the next writer tries again."""
        with contextlib.suppress(sqlite3.OperationalError):
            self.con.execute("VACUUM")
            self.con.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the file shrinks now, not at close

    # ------------------------------------------------------------ writing

    def note_device(self, device_id: str, firmware: str = "", platform: str = "") -> None:
        """Remember a device and when it was last synced."""
        now = int(time.time())
        with self.transaction():
            self.con.execute(
                "INSERT INTO devices VALUES (?, ?, ?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET"
                " firmware = excluded.firmware, platform = excluded.platform, last_sync = excluded.last_sync",
                (device_id, firmware, platform, now, now),
            )

    def import_session(
        self, raw: bytes, *, device_id: str = "", session_id: int = 0, clock: dict | None = None
    ) -> tuple[int, str]:
        """Add one session log; returns (local id, outcome).

        Outcome: "new"; "duplicate" (this file is already stored); "updated" (the stored file was
        the start of this one: a session imported while incomplete, now longer); "repaired" (the
        stored copy no longer matches the CRC-32 it was stored with, e.g. a damaged disk page: this
        one replaces it); "conflict" (a different, intact file with the same key is stored: kept,
        this one is not imported).
        `device_id`/`session_id` are used when the HEADER is unreadable (or carries no device id);
        `clock` ({"boot", "uptime_s", "epoch"} read from the device at sync) dates sessions
        recorded before its clock was set."""
        parsed = logread.parse_session(raw)
        header = parsed["header"] or {}
        key = _key(header, device_id, session_id)
        with self.transaction():
            row = self.con.execute("SELECT id, raw, raw_crc32 FROM sessions WHERE " + _BY_KEY, key).fetchone()
            if row and row["raw"] == raw:
                return row["id"], "duplicate"
            damaged = row is not None and zlib.crc32(row["raw"]) != row["raw_crc32"]
            if row and not damaged and not raw.startswith(row["raw"]):
                return row["id"], "conflict"
            if row:
                self.con.execute("DELETE FROM sessions WHERE id = ?", (row["id"],))
            rid = self._insert(row["id"] if row else None, key, header, parsed, raw, clock)
        return rid, "repaired" if damaged else "updated" if row else "new"

    def _insert(self, rid: int | None, key: tuple, header: dict, parsed: dict, raw: bytes, clock) -> int:
        """Write one session's rows (inside the caller's transaction); `rid` None = a new local id."""
        device, sid, start_raw = key
        start_utc = None
        if header:
            if header["clock_synced"]:
                start_utc = header["start"]
            elif clock:
                start_utc = logread.resolve_start(header, clock["boot"], clock["uptime_s"], clock["epoch"])
        end = parsed["end"] or {}
        last = parsed["progress"][-1] if parsed["progress"] else {}
        cur = self.con.execute(
            "INSERT INTO sessions (id, device_id, session_id, start_raw, boot, clock_synced, start_utc,"
            " activity, mode, params, user_weight_g, load_g, duration_ms, count, kcal, end_reason,"
            " status, extras, errors, raw, raw_crc32, imported_utc)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                rid,
                device,
                sid,
                start_raw,
                header.get("boot"),
                int(bool(header.get("clock_synced"))),
                start_utc,
                header.get("activity"),
                header.get("mode"),
                json.dumps(header.get("params", {})),
                header.get("user_weight_g"),
                header.get("load_g"),
                parsed["duration_ms"],
                parsed["count"],
                end.get("kcal_x10", 0) / 10,
                end.get("reason"),
                parsed["status"],
                json.dumps(end.get("extras") or last.get("extras") or {}),
                json.dumps(parsed["errors"]),
                bytes(raw),
                zlib.crc32(raw),
                int(time.time()),
            ),
        )
        rid = cur.lastrowid
        assert rid is not None
        _keep_series(self.con, rid, *_encode(*_series_of(parsed)))
        return rid

    # ------------------------------------------------------------ reading

    def holds(self, head: bytes, size: int, crc32: int, device_id: str = "", session_id: int = 0) -> bool:
        """Is this exact file already stored, intact? Found by its first bytes (the HEADER: the key);
        the stored bytes themselves must have the device's size and CRC-32 (not just the columns
        saying so: a damaged page in the database would otherwise pass), so a sync may skip the copy
        and delete the device's. (`device_id`/`session_id`: as for import_session.)"""
        header = next((f for _, t, f in logread.iter_records(head) if t == log.HEADER), None)
        with self._errors():
            row = self.con.execute(
                "SELECT raw FROM sessions WHERE " + _BY_KEY, _key(header or {}, device_id, session_id)
            ).fetchone()
        return row is not None and len(row["raw"]) == size and zlib.crc32(row["raw"]) == crc32

    def get(self, local_id: int, series: bool = True) -> dict | None:
        """One session record by local id; `series`: with its events_ms and progress."""
        with self._errors():
            row = self._tuples().execute(_SELECT + " WHERE id = ?", (local_id,)).fetchone()
            if row is None:
                return None
            return self._record(row, self._series_json([local_id])[local_id] if series else None)

    def raw(self, local_id: int) -> bytes | None:
        """The session's log file exactly as the device wrote it."""
        with self._errors():
            row = self.con.execute("SELECT raw FROM sessions WHERE id = ?", (local_id,)).fetchone()
        return bytes(row["raw"]) if row else None

    def sessions(
        self,
        since: int | None = None,
        until: int | None = None,
        activity: str | None = None,
        series: bool = True,
    ) -> list[dict]:
        """Session records, oldest first. `since`/`until`: epoch s (a session of unknown start is
        then left out); `series`: include events_ms and progress."""
        return list(self.iter_sessions(since, until, activity, series))

    def iter_sessions(
        self,
        since: int | None = None,
        until: int | None = None,
        activity: str | None = None,
        series: bool = True,
        *,
        newest: int | None = None,
        skip: int = 0,
        encoded: bool = False,
    ) -> Iterator[dict]:
        """As `sessions`, one record at a time (memory stays one record's, however long the
        history: export). `newest`: only the newest n of the selection after skipping the `skip`
        newest ones (a page of `fascia sessions`), still oldest first. `encoded` (with `series`):
        events_ms and progress as their compact JSON (`JSONText`), which `export.write_json` writes
        as it is."""
        where, args = _where(since, until, activity)
        order = "start_utc IS NULL, start_utc, device_id, session_id"
        sql = _SELECT + where + " ORDER BY " + order
        if newest is not None:
            newest_first = order.replace(",", " DESC,") + " DESC"
            sql = (
                f"SELECT * FROM ({_SELECT}{where} ORDER BY {newest_first} LIMIT ? OFFSET ?) ORDER BY {order}"
            )
            args += [newest, skip]
        with self._errors():
            cursor = self._tuples().execute(sql, args)
            while rows := cursor.fetchmany(_BATCH):
                texts = self._series_json([row[0] for row in rows]) if series else {}
                for row in rows:
                    yield self._record(row, texts.get(row[0]), encoded)

    def count(self, since: int | None = None, until: int | None = None, activity: str | None = None) -> int:
        """How many sessions `sessions` would return."""
        where, args = _where(since, until, activity)
        with self._errors():
            return self.con.execute("SELECT count(*) FROM sessions" + where, args).fetchone()[0]

    def extra_names(
        self, since: int | None = None, until: int | None = None, activity: str | None = None
    ) -> list[str]:
        """The names of every extra figure in the selection, sorted (CSV columns, known before the
        first row is written)."""
        where, args = _where(since, until, activity)
        with self._errors():
            rows = self.con.execute("SELECT DISTINCT extras FROM sessions" + where, args)
            return sorted({name for (extras,) in rows for name in json.loads(extras)})

    def devices(self) -> list[dict]:
        with self._errors():
            return [dict(row) for row in self.con.execute("SELECT * FROM devices ORDER BY device_id")]

    def _tuples(self) -> sqlite3.Cursor:
        """A cursor whose rows are plain tuples: a record is made from its row by position
        (sqlite3.Row's lookup by name costs more than the rest of `_record`)."""
        cursor = self.con.cursor()
        cursor.row_factory = None
        return cursor

    def _record(self, row: tuple, series: tuple[bytes, bytes] | None, encoded: bool = False) -> dict:
        """A session record from its row (the columns of _COLUMNS, in order); `series`: its
        (events_ms, progress) compact JSON to add (as JSONText if `encoded`, else decoded)."""
        rec = dict(zip(_NAMES, row, strict=True))
        rec["params"] = _loads(rec["params"])
        rec["clock_synced"] = bool(rec["clock_synced"])
        rec["extras"] = _loads(rec["extras"])
        rec["errors"] = _loads(rec["errors"])
        if series is not None:
            events, progress = series
            if encoded:
                rec["events_ms"], rec["progress"] = JSONText(events), JSONText(progress)
            else:
                rec["events_ms"], rec["progress"] = json.loads(events), json.loads(progress)
        return rec

    def _series_json(self, local_ids: list[int]) -> dict[int, tuple[bytes, bytes]]:
        """{local id: (events_ms, progress) as compact JSON, UTF-8} of some sessions: the kept text
        where it is there and passes its CRC-32, else decoded from the raw log. (Read as bytes, as
        the CRC and the export take them: no decoding to str and back. Read for a batch of records
        at a time: selected with the records themselves, all of the text would go through the
        ORDER BY's sort before the first record came out.)"""
        found = {}
        if self.cached:
            marks = ",".join("?" * len(local_ids))
            sql = (
                "SELECT session, CAST(events AS BLOB), CAST(progress AS BLOB), crc32 FROM series"
                f" WHERE session IN ({marks})"
            )
            for rid, events, progress, crc in self.con.execute(sql, local_ids):
                if zlib.crc32(progress, zlib.crc32(events)) == crc:
                    found[rid] = events, progress
        for rid in local_ids:
            if rid not in found:
                events, progress = _encode(*_series(self.raw(rid) or b""))
                found[rid] = events.encode(), progress.encode()
        return found

    # ------------------------------------------------------------ logged by hand (`fascia log`)

    def log_activity(self, activity: str, start_utc: int, minutes: float, note: str = "") -> dict:
        """Record a session done without the device (yoga, dance): its record (see `logged`)."""
        with self.transaction():
            self.con.execute(_LOGGED_TABLE)
            cur = self.con.execute(
                "INSERT INTO logged (activity, start_utc, duration_ms, note, logged_utc)"
                " VALUES (?, ?, ?, ?, ?)",
                (activity, start_utc, round(minutes * 60000), note, int(time.time())),
            )
            row = self.con.execute("SELECT * FROM logged WHERE id = ?", (cur.lastrowid,)).fetchone()
        return _logged_record(row)

    def undo_log(self) -> dict | None:
        """Remove the entry logged last; returns it (None: nothing was logged)."""
        with self.transaction():
            self.con.execute(_LOGGED_TABLE)
            row = self.con.execute("SELECT * FROM logged ORDER BY id DESC LIMIT 1").fetchone()
            if row is not None:
                self.con.execute("DELETE FROM logged WHERE id = ?", (row["id"],))
        return _logged_record(row) if row else None

    def logged(self, since: int | None = None, activity: str | None = None) -> list[dict]:
        """Entries logged by hand as session records (id None, `log_id`, mode "logged"), oldest first."""
        sql = "SELECT * FROM logged WHERE start_utc >= ?"
        args: list[int | str] = [since or 0]
        if activity:
            sql += " AND activity = ?"
            args.append(activity)
        try:
            with self._errors():
                rows = self.con.execute(sql + " ORDER BY start_utc, id", args).fetchall()
        except StoreError:
            if self.con.execute("SELECT name FROM sqlite_master WHERE name = 'logged'").fetchone():
                raise
            return []  # (nothing was ever logged: the table is made by the first `fascia log`)
        return [_logged_record(row) for row in rows]

    # ------------------------------------------------------------ totals

    def daily_totals(
        self,
        since: int | None = None,
        until: int | None = None,
        activity: str | None = None,
        *,
        records: list[dict] | None = None,
    ) -> list[dict]:
        """Per local calendar day and activity: sessions, count, duration_ms, kcal (dated sessions only,
        those logged by hand included). `records`: that selection's records (sessions and logged), if
        the caller has read them already."""
        days: dict[tuple[str, str], dict] = {}
        if records is None:
            logged = [r for r in self.logged(since, activity) if until is None or r["start_utc"] < until]
            records = self.sessions(since, until, activity, series=False) + logged
        for s in records:
            if s["start_utc"] is None:
                continue
            day = dt.datetime.fromtimestamp(s["start_utc"]).date().isoformat()
            key = (day, s["activity"])
            t = days.setdefault(
                key,
                {
                    "day": day,
                    "activity": s["activity"],
                    "sessions": 0,
                    "count": 0,
                    "duration_ms": 0,
                    "kcal": 0.0,
                },
            )
            t["sessions"] += 1
            t["count"] += s["count"]
            t["duration_ms"] += s["duration_ms"]
            t["kcal"] = round(t["kcal"] + s["kcal"], 1)
        return [days[k] for k in sorted(days)]


_LOGGED_TABLE = """CREATE TABLE IF NOT EXISTS logged (
    id INTEGER PRIMARY KEY, activity TEXT NOT NULL, start_utc INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL, note TEXT NOT NULL, logged_utc INTEGER NOT NULL)"""


def _logged_record(row: sqlite3.Row) -> dict:
    """A hand-logged entry in the shape of a session record (no device, no count, no raw log)."""
    return {
        "id": None,
        "log_id": row["id"],
        "device_id": "",
        "session_id": row["id"],
        "activity": row["activity"],
        "mode": "logged",
        "params": {},
        "start_utc": row["start_utc"],
        "clock_synced": True,
        "duration_ms": row["duration_ms"],
        "count": 0,
        "kcal": 0.0,
        "end_reason": None,
        "status": "complete",
        "extras": {},
        "errors": [],
        "note": row["note"],
        "events_ms": [],
        "progress": [],
    }


def _where(since: int | None, until: int | None, activity: str | None) -> tuple[str, list]:
    """The WHERE clause (with its leading space, or "") and its arguments for a selection."""
    where, args = [], []
    if since is not None:
        where.append("start_utc >= ?")
        args.append(since)
    if until is not None:
        where.append("start_utc < ?")
        args.append(until)
    if activity:
        where.append("activity = ?")
        args.append(activity)
    return (" WHERE " + " AND ".join(where) if where else ""), args


_NAMES = tuple(column.split()[-1] for column in _COLUMNS.split(","))  # a record's keys, in order
_SELECT = f"SELECT {_COLUMNS} FROM sessions"  # a record's columns (its series: Store._series_json)
_BATCH = 256  # records read at a time, their series in one query (SQLite allows 32,766 parameters)


class JSONText(bytes):
    """A value already written as compact JSON (`json.dumps(value, separators=(",", ":"))`, UTF-8):
    `export.write_json` writes it as it is."""


def _encode(events: list[int], progress: list[list[int]]) -> tuple[str, str]:
    """A session's series as the compact JSON kept in table `series` (and exported)."""
    return json.dumps(events, separators=(",", ":")), json.dumps(progress, separators=(",", ":"))


def _keep_series(con: sqlite3.Connection, rid: int, events: str, progress: str) -> None:
    """Keep (or replace) a session's series text, with the CRC-32 its readers check."""
    crc = zlib.crc32(progress.encode(), zlib.crc32(events.encode()))
    con.execute("INSERT OR REPLACE INTO series VALUES (?, ?, ?, ?)", (rid, events, progress, crc))


_SMALL: dict[str, Any] = {}  # JSON text -> value, for the few distinct params/extras/errors texts


def _loads(text: str) -> Any:
    """json.loads for a record's small columns (params, extras, errors: a few distinct texts over
    thousands of sessions): decoded once each, a fresh copy per record (callers may change it)."""
    value = _SMALL.get(text)
    if value is None:
        value = json.loads(text)
        if len(_SMALL) < 4096:
            _SMALL[text] = value
    return value.copy()


def _series(raw: bytes) -> tuple[list[int], list[list[int]]]:
    """(events_ms, progress as [[elapsed_ms, count], ...]) of a session, decoded from its raw log
    by the one parser, in the order recorded."""
    return _series_of(logread.parse_session(raw))


def _series_of(parsed: dict) -> tuple[list[int], list[list[int]]]:
    """A parsed session's series as a record carries them (and table `series` keeps them)."""
    return parsed["events_ms"], [[p["elapsed_ms"], p["count"]] for p in parsed["progress"]]


def _key(header: dict, device_id: str, session_id: int) -> tuple[str, int, int]:
    """(device_id, session_id, start_raw): what makes a session unique; the fallbacks stand in for
    an unreadable HEADER."""
    return (
        header.get("device_id") or device_id or "unknown",
        header.get("session_id", session_id),
        header.get("start", NO_HEADER),
    )


def summarize(records: list[dict], key=None) -> dict[str, dict]:
    """Totals per activity (or per `key(record)`) over session records: sessions, count, duration_ms,
    kcal, rate_per_min (count per minute of session time), and the extras combined by each figure's
    rule in fascia.spec.activities (sum, max, mean, last)."""
    from host_tools.vocabulary import aggregate, per_minute

    groups: dict[str, list[dict]] = {}
    for s in records:
        groups.setdefault(key(s) if key else s["activity"] or "unknown", []).append(s)
    out: dict[str, dict] = {}
    for name, group in groups.items():
        count = sum(s["count"] for s in group)
        duration = sum(s["duration_ms"] for s in group)
        out[name] = {
            "sessions": len(group),
            "count": count,
            "duration_ms": duration,
            "kcal": round(sum(s["kcal"] for s in group), 1),
            "extras": aggregate(group),
            "rate_per_min": round(per_minute(count, duration) or 0.0, 1),
        }
    return out
