"""Shared fixtures: the dual-runtime harness and the real recordings in ../shared/data.

A *driver* is a small script in tests/drivers/ written in the subset both runtimes share. It
imports firmware modules, exercises them and prints one JSON value per line. `dual` runs it under
CPython or the real `micropython` binary (the `runtime` parameter), so one test body makes the
same assertions against both.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from host_tools import mpy

TESTS = Path(__file__).resolve().parent
DRIVERS = TESTS / "drivers"
REPO = TESTS.parent
DATA = Path(os.environ.get("FASCIA_DATA", REPO.parent / "shared" / "data"))

RUNTIMES = ("cpython", "micropython")


def run_driver(runtime: str, name: str, *args: str, heapsize: str | None = None, sim: bool = False) -> list:
    """Run tests/drivers/NAME.py under `runtime` and return its JSON lines (fails loudly on a crash)."""
    script = DRIVERS / f"{name}.py"
    if runtime == "micropython":
        proc = mpy.run_script(script, *args, heapsize=heapsize, path=[DRIVERS], sim=sim)
    elif runtime == "cpython":
        paths = [str(DRIVERS), *([str(mpy.SIM_LIB)] if sim else []), str(mpy.FIRMWARE)]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(paths))
        proc = subprocess.run(
            [sys.executable, str(script), *args], capture_output=True, text=True, env=env, check=False
        )
    else:
        raise ValueError(runtime)
    return mpy.json_lines(mpy.check(proc))


@pytest.fixture(params=RUNTIMES)
def runtime(request) -> str:
    return request.param


@pytest.fixture
def dual(runtime) -> Callable[..., list]:
    """`dual(name, *args)` runs driver NAME under the current runtime and returns its JSON lines."""

    def _run(name: str, *args: str, **kw) -> list:
        return run_driver(runtime, name, *args, **kw)

    return _run


def recordings(activity: str | None = None) -> list[dict]:
    """Rows of ../shared/data/INDEX.csv (optionally one activity), each with `csv` and `json` paths."""
    index = DATA / "INDEX.csv"
    if not index.exists():
        return []
    rows = []
    with index.open() as f:
        for row in csv.DictReader(f):
            if activity and row["activity"] != activity:
                continue
            folder = DATA / row["id"].split("_", 1)[0]
            row["csv"] = folder / f"{row['id']}.csv"
            row["json"] = folder / f"{row['id']}.json"
            rows.append(row)
    return rows


@pytest.fixture
def shared_data() -> Path:
    """../shared/data, or a hard failure: CI always has it beside the clone."""
    if not (DATA / "INDEX.csv").exists():
        pytest.fail(f"real recordings not found at {DATA} (set FASCIA_DATA)")
    return DATA


@contextlib.contextmanager
def locked_store(path: Path):
    """A store file that another program holds an exclusive lock on, for the duration."""
    from host_tools.store import Store

    Store(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        yield path
    finally:
        other.execute("ROLLBACK")
        other.close()


def damage_stored_copy(db: Path, raw: bytes) -> None:
    """Flip one byte of `raw` where the (closed) store keeps it on disk, as a bad disk sector would:
    SQLite's own integrity check still passes, only the stored bytes are wrong."""
    data = bytearray(db.read_bytes())
    at = data.find(raw[len(raw) // 2 : len(raw) // 2 + 16])
    assert at > 0 and data.find(raw[len(raw) // 2 : len(raw) // 2 + 16], at + 1) < 0
    data[at + 3] ^= 0x10
    db.write_bytes(bytes(data))
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Each phase's report on the test item (`fault_report` reads whether the test passed)."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def fault_report(request):
    """`fault_report(family)`: a fault family's figures for `make faults` (host_tools/bench/faults.py),
    which sets FASCIA_FAULTS_REPORT: after the test, one JSON line with the figures, the seconds the
    test took and whether it passed. Without it (`make test`), nothing is written."""
    families = []
    t0 = time.monotonic()
    yield families.append
    path = os.environ.get("FASCIA_FAULTS_REPORT")
    if path:
        call = getattr(request.node, "report_call", None)
        outcome = call.outcome if call is not None else "error"
        with open(path, "a") as f:
            for family in families:
                row = {"wall_s": round(time.monotonic() - t0, 1), **family.as_dict(), "test": outcome}
                f.write(json.dumps(row) + "\n")
