"""History benchmark (`make bench-history`): a year of sessions synced, ten years of stats.

1. A simulated device's flash gets 365 sessions (one a day for a year, each a realistic log: a
   HEADER, a PROGRESS record every 5 s, EVENTS batches, an END), written by the firmware's own
   LogStore. The real `fascia sync` then copies them over the simulated serial port (mpremote)
   into a fresh store: the time is printed.
2. A store with ten years of history (two sessions a day on average) is filled the way sync fills
   it (Store.import_session), and `fascia stats` is timed on it as a user runs it.
Figures go to out/bench/history.json.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def fascia(*args: str) -> float:
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "host_tools.cli", *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-500:])
    return time.monotonic() - t0


def main() -> int:
    from host_tools.sim.serial_bridge import SerialBridge

    figures: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        flash, db = Path(tmp) / "flash", Path(tmp) / "year.db"
        flash.mkdir()
        size = year_on_flash(flash)
        with SerialBridge(flash) as device:
            seconds = fascia("sync", "--port", device.port, "--db", str(db), "--json")
        with Store(db, write=False) as store:
            synced = len(store.sessions(series=False))
        figures["sync_365_sessions"] = {"sessions": synced, "bytes": size, "seconds": round(seconds, 2)}
        print(
            f"sync of 365 sessions ({size / 1024:.0f} KiB) over the simulated serial port: {seconds:.1f} s "
            f"({synced} imported)"
        )

        big = Path(tmp) / "ten_years.db"
        t0 = time.monotonic()
        n = ten_years_in_store(big)
        fill = time.monotonic() - t0
        stats = fascia("stats", "--db", str(big))
        stats_json = fascia("stats", "--db", str(big), "--json")
        week = fascia("stats", "--week", "--db", str(big))
        figures["stats_ten_years"] = {
            "sessions": n,
            "db_bytes": big.stat().st_size,
            "fill_seconds": round(fill, 1),
            "stats_seconds": round(stats, 2),
            "stats_json_seconds": round(stats_json, 2),
            "stats_week_seconds": round(week, 2),
        }
        print(
            f"ten years of history: {n} sessions, {big.stat().st_size / 2**20:.1f} MiB store "
            f"(filled in {fill:.0f} s)"
        )
        print(
            f"  fascia stats: {stats:.2f} s   --json: {stats_json:.2f} s   --week: {week:.2f} s "
            "(each a fresh process, start-up included)"
        )
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "history.json").write_text(json.dumps(figures, indent=1) + "\n")
    print(f"written: {OUT / 'history.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
