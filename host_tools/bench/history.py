"""History benchmark (`make bench-history`): a year of sessions synced, ten years of stats.

1. A simulated device's flash gets 365 sessions (one a day for a year, each a realistic log: a
   HEADER, a PROGRESS record every 5 s, EVENTS batches, an END), written by the firmware's own
   LogStore. The real `fascia sync` then copies them over the simulated serial port into a fresh
   store, then syncs again (nothing new): the time, the bytes that crossed the line and its round
   trips are printed, and the time those would take on a board at 115200 and 1.5 Mbaud (modelled_s).
2. A store with ten years of history (two sessions a day on average) is filled the way sync fills
   it (Store.import_session), and `fascia stats`, `sessions`, `show`, `plan` and `export` (CSV and
   JSON of everything; FIT of the last month, year and everything, a file a session: the peak
   memory stays flat as the sessions grow) are timed on it as a user runs them, with each
   process's CPU time and peak memory. Then the same store as schema 2 left it (no kept
   series) is timed being migrated (the first `fascia sync` after an upgrade does it) and exported
   read-only (series decoded from the raw logs).
Figures go to out/bench/history.json.
"""

from __future__ import annotations

import filecmp
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import NamedTuple

from fascia.app.logstore import LogStore
from host_tools.bench.accuracy import OUT
from host_tools.store import Store

DAY = 86400
START = 1_700_000_000  # Nov 2023
ACTIVITIES = ("jump_rope", "walk", "swing")


def write_session(store: LogStore, rng: random.Random, start: int, activity: str) -> None:
    """One session as the app logs it: 3-20 minutes, events at the activity's pace."""
    minutes = rng.randint(3, 20)
    period_ms = {"jump_rope": 430, "walk": 520, "swing": 1200}[activity]
    store.begin(activity, "free", None, start=start, clock_synced=True, boot=1, device_id="5eed")
    t = count = 0
    batch: list[int] = []
    for second in range(0, minutes * 60, 5):
        while t < second * 1000:
            t += period_ms + rng.randint(-40, 40)
            count += 1
            batch.append(t)
            if len(batch) == 64:
                store.events(batch)
                batch = []
        store.progress(second * 1000, count)
    store.events(batch)
    store.end(minutes * 60_000, count, minutes * 90, "stop", {"max_streak": count // 3})


def year_on_flash(flash: Path) -> int:
    rng = random.Random(365)
    store = LogStore(str(flash / "log"), reserve_bytes=0)
    for day in range(365):
        write_session(store, rng, START + day * DAY + 18 * 3600, ACTIVITIES[day % 3])
    return sum(p.stat().st_size for p in (flash / "log").glob("*.fsl"))


def ten_years_in_store(db: Path) -> int:
    """Fill a store with ~7,300 sessions, as sync would (raw logs imported one by one)."""
    rng = random.Random(3650)
    n = 0
    with tempfile.TemporaryDirectory() as tmp, Store(db) as store, store.transaction():
        flash = LogStore(tmp, reserve_bytes=0)
        for day in range(3650):
            for k in range(rng.choice((1, 2, 3))):
                write_session(
                    flash, rng, START - 3650 * DAY + day * DAY + (7 + 6 * k) * 3600, rng.choice(ACTIVITIES)
                )
                path = flash.path(flash.next_id() - 1)
                store.import_session(Path(path).read_bytes(), device_id="5eed", session_id=n + 1)
                Path(path).unlink()
                n += 1
    return n


USB_TURN_S = 0.002  # a round trip through a USB full-speed serial bridge (CH9102, CP210x): ~1 ms each way
BAUDS = (115_200, 1_500_000)  # mpremote's rate; the most a CH9102/CP210x bridge and the ESP32's UART do


def modelled_s(wire_bytes: int, round_trips: int, baud: int) -> float:
    """A real board's time for what crossed the simulated line: 10 bits a byte (8N1) and a wait
    per round trip (the device's own work, e.g. reading its flash, is not modelled)."""
    return wire_bytes * 10 / baud + round_trips * USB_TURN_S


class Run(NamedTuple):
    """A process's wall time, peak memory (MiB), CPU time (user + system) and system time, in s."""

    seconds: float
    peak_mib: float
    cpu: float
    system: float


def fascia(*args: str) -> Run:
    """`fascia ARGS` as a user runs it: a fresh process. On a loaded machine the CPU time
    (user + system) is the steadier figure."""
    return measured([sys.executable, "-m", "host_tools.cli", *args])


def python(code: str, *args: str) -> Run:
    """As `fascia`, for a snippet of Python (`python -c CODE ARGS`)."""
    return measured([sys.executable, "-c", code, *args])


def measured(argv: list[str]) -> Run:
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(err[-500:].decode(errors="replace"))
    cpu = usage.ru_utime + usage.ru_stime
    return Run(time.monotonic() - t0, usage.ru_maxrss / 1024, cpu, usage.ru_stime)  # maxrss: KiB


def schema_2(db: Path, out: Path) -> None:
    """A copy of store `db` as schema 2 kept it: no table `series` (VACUUMed to its size then)."""
    con = sqlite3.connect(db)
    try:
        con.execute("VACUUM INTO ?", (str(out),))
    finally:
        con.close()
    con = sqlite3.connect(out, isolation_level=None)
    try:
        con.execute("DROP TABLE series")
        con.execute("PRAGMA user_version=2")
        con.execute("VACUUM")
    finally:
        con.close()


def sync_once(flash: Path, db: Path) -> dict:
    """One `fascia sync` over a fresh simulated port: its time, what crossed the line, the report."""
    from host_tools.sim.serial_bridge import SerialBridge

    with SerialBridge(flash) as device:
        t0 = time.monotonic()
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "host_tools.cli",
                "sync",
                "--port",
                device.port,
                "--db",
                str(db),
                "--json",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        seconds = time.monotonic() - t0
        line = {"wire_bytes": device.passed, "to_device": device.to_device, "round_trips": device.round_trips}
    report = json.loads(proc.stdout)
    figures = {"seconds": round(seconds, 2), **line, "imported": len(report["imported"])}
    for baud in BAUDS:
        figures[f"modelled_s_{baud}"] = round(modelled_s(line["wire_bytes"], line["round_trips"], baud), 1)
    return figures


def show_sync(what: str, f: dict) -> None:
    print(
        f"{what}: {f['seconds']:.1f} s simulated ({f['imported']} imported); on the wire "
        f"{f['wire_bytes'] / 1e6:.2f} MB ({f['to_device'] / 1e3:.1f} kB to the device), "
        f"{f['round_trips']} round trips; modelled on a board: "
        + ", ".join(f"{f[f'modelled_s_{b}']:.1f} s at {b} baud" for b in BAUDS)
    )


def main() -> int:
    only_sync = "--sync-only" in sys.argv  # (the same figures measured on an older checkout)
    figures: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        flash, db = Path(tmp) / "flash", Path(tmp) / "year.db"
        flash.mkdir()
        size = year_on_flash(flash)
        files = [p.read_bytes() for p in sorted((flash / "log").glob("*.fsl"))]
        packed = sum(len(zlib.compress(f, 6, -9)) for f in files)  # a 512-byte window: a device could
        first = sync_once(flash, db)
        with Store(db, write=False) as store:
            synced = len(store.sessions(series=False))
        figures["sync_365_sessions"] = {"sessions": synced, "bytes": size, **first}
        print(f"a year on the device: 365 sessions, {size / 1e6:.2f} MB ({size / 1024:.0f} KiB)")
        show_sync(f"sync of the year over the simulated serial port ({synced} stored)", first)
        second = sync_once(flash, db)
        figures["sync_again"] = second
        show_sync("a second sync (nothing new)", second)
        figures["deflate_ratio"] = round(packed / size, 3)
        print(
            f"  (deflate with a 512-byte window would send {packed / size:.0%} of the bytes: "
            "not used, see README)"
        )
        if only_sync:
            return 0

        big = Path(tmp) / "ten_years.db"
        t0 = time.monotonic()
        n = ten_years_in_store(big)
        fill = time.monotonic() - t0
        last_day = time.strftime("%Y-%m-%d", time.localtime(START - DAY))  # the history's last day
        month_ago = time.strftime("%Y-%m-%d", time.localtime(START - 31 * DAY))
        year_ago = time.strftime("%Y-%m-%d", time.localtime(START - 366 * DAY))
        runs = {
            "stats": ("stats",),
            "stats_json": ("stats", "--json"),
            "stats_week": ("stats", "--week"),
            "sessions": ("sessions",),
            "sessions_json": ("sessions", "--json"),
            "show": ("show", str(n // 2)),
            "show_json": ("show", str(n // 2), "--json"),
            "plan": ("plan", "--today", last_day),
            "export_csv": ("export", str(Path(tmp) / "all.csv"), "--format", "csv"),
            "export_json": ("export", str(Path(tmp) / "all.json"), "--format", "json"),
            "export_json_month": ("export", str(Path(tmp) / "month.json"), "--since", month_ago),
            "export_fit_month": ("export", str(Path(tmp) / "fit"), "--format", "fit", "--since", month_ago),
            "export_fit_year": (
                "export",
                str(Path(tmp) / "fit_year"),
                "--format",
                "fit",
                "--since",
                year_ago,
            ),
            "export_fit": ("export", str(Path(tmp) / "fit_all"), "--format", "fit"),
        }
        timed = {name: fascia(*argv, "--db", str(big)) for name, argv in runs.items()}
        startup = fascia("export", "--help")  # start-up: Python, the CLI and the export command's module
        fit_files = {what: len(os.listdir(Path(tmp) / what)) for what in ("fit", "fit_year", "fit_all")}
        old = Path(tmp) / "schema2.db"
        schema_2(big, old)
        old_bytes = old.stat().st_size
        json_v2 = fascia("export", str(Path(tmp) / "all_v2.json"), "--db", str(old))  # (read-only: as it is)
        same = filecmp.cmp(Path(tmp) / "all_v2.json", Path(tmp) / "all.json", shallow=False)  # (in chunks:
        # this process stays small, as a child forked from it would count its pages as its own peak)
        migrate = python(
            "from host_tools.store import Store; Store(__import__('sys').argv[1]).close()", str(old)
        )
        figures["ten_years"] = {
            "sessions": n,
            "db_bytes": big.stat().st_size,
            "fill_seconds": round(fill, 1),
            "cli_startup_seconds": round(startup.seconds, 2),
            "cli_startup_cpu_seconds": round(startup.cpu, 2),
            **{f"{name}_seconds": round(run.seconds, 2) for name, run in timed.items()},
            **{f"{name}_cpu_seconds": round(run.cpu, 2) for name, run in timed.items()},
            **{f"{name}_peak_mib": round(run.peak_mib) for name, run in timed.items()},
            "export_fit_system_seconds": round(timed["export_fit"].system, 2),
            "export_json_bytes": (Path(tmp) / "all.json").stat().st_size,
            "export_csv_bytes": (Path(tmp) / "all.csv").stat().st_size,
            "export_fit_month_files": fit_files["fit"],
            "export_fit_year_files": fit_files["fit_year"],
            "export_fit_files": fit_files["fit_all"],
            "schema2_export_json_cpu_seconds": round(json_v2.cpu, 2),
            "schema2_export_json_peak_mib": round(json_v2.peak_mib),
            "schema2_export_json_identical": same,
            "schema2_db_bytes": old_bytes,
            "migrate_2_to_3_seconds": round(migrate.seconds, 2),
            "migrate_2_to_3_cpu_seconds": round(migrate.cpu, 2),
            "migrate_2_to_3_peak_mib": round(migrate.peak_mib),
        }
        print(
            f"ten years of history: {n} sessions, {big.stat().st_size / 2**20:.1f} MiB store "
            f"(filled in {fill:.0f} s); each a fresh process, start-up included:"
        )
        for name, argv in runs.items():
            t, mib, cpu, _ = timed[name]
            shown = " ".join(a for a in argv if not a.startswith(tmp))
            print(f"  fascia {shown:<38} {t:5.2f} s ({cpu:5.2f} s CPU) {mib:5.0f} MiB")
        fit_all = timed["export_fit"]
        print(
            f"  (start-up, `fascia export --help`: {startup.seconds:.2f} s ({startup.cpu:.2f} s CPU) "
            f"{startup.peak_mib:.0f} MiB. FIT: {fit_files['fit_all']} files in {fit_all.cpu:.2f} s CPU, "
            f"{fit_all.system:.2f} s of it the system's (creating the files), "
            f"{(fit_all.cpu - startup.cpu) / max(fit_files['fit_all'], 1) * 1000:.2f} ms CPU a session;"
            f" peak memory for {fit_files['fit']} / {fit_files['fit_year']} / {fit_files['fit_all']}"
            " sessions: "
            + " / ".join(
                f"{timed[k].peak_mib:.0f}" for k in ("export_fit_month", "export_fit_year", "export_fit")
            )
            + f" MiB (JSON, a month / ten years: {timed['export_json_month'].peak_mib:.0f} / "
            f"{timed['export_json'].peak_mib:.0f} MiB))"
        )
        print(
            f"  the same history as schema 2 left it ({old_bytes / 2**20:.1f} MiB, no kept series): "
            f"`export --format json` read-only {json_v2.seconds:.2f} s ({json_v2.cpu:.2f} s CPU)"
            f" {json_v2.peak_mib:.0f} MiB"
            f" ({'the same bytes' if same else 'DIFFERENT BYTES'}); migrated by a writer (the first `fascia"
            f" sync` after the upgrade) in {migrate.seconds:.1f} s ({migrate.cpu:.1f} s CPU)"
            f" {migrate.peak_mib:.0f} MiB"
        )
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "history.json").write_text(json.dumps(figures, indent=1) + "\n")
    print(f"written: {OUT / 'history.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
