"""Reliability fault suite (`make faults`): power cuts, full flash, sensor faults, hostile input, a long run.

Every family runs the unchanged firmware under the real `micropython` binary on the simulated
board (host_tools/sim/mpylib/sim_faults.py puts the faults in from outside the firmware), or, for
hostile input, the shared parsers on CPython with hypothesis (config also under MicroPython).
This module is the harness: it runs each family's cases and returns a `Family` with what it
observed per case, the data lost and its figures. What must hold is decided by the tests, next to
each family (tests/test_faults*.py). `python -m host_tools.bench.faults` (`make faults`) runs those
tests at a profile's counts (`--profile quick`, what `make test` runs, is minutes; `full`, or
FASCIA_FAULTS=full, the real count), prints a table (family, cases, data lost, seconds, whether its
test passed) and writes out/bench/faults.json.

Power cuts: a reference run traces every flash write; each cut then lets one chosen write put only
its first n bytes on the flash (optionally followed by erased 0xFF bytes) and SIGKILLs the device
process. Cut points are stratified over record type (HEADER, PROGRESS, EVENTS, END, the id/boot
counters, days.json) and over where in the record the cut falls (magic/type/length, payload,
CRC). After each cut the device boots again on the same flash and records a session; every record
whose write completed before the cut must still be in its file, byte for byte, and every file must
import into the host store (a few cuts also go through a real `fascia sync` over mpremote).

Interrupted sync: a flash with a few sessions is synced and the sync interrupted at seeded points,
then synced again to the end. Over USB the real `fascia sync` (its own process group, the real
mpremote over the SerialBridge) is killed either when the k-th byte crosses the serial line (the
bridge pulls the cable there) or at a seeded time within a full sync's duration; over Bluetooth
the link drops after the k-th ATT read/write of a `BleDevice` sync with one simulated device
(restored flash between cases). After the cut, every session the device no longer has, or has
acknowledged, must be in the store; after the rerun each is there exactly once, byte for byte.

Hostile input: log records, trace CSV and config.json (faults_input.py); control-point, Current
Time and over-long writes to one simulated device over one connection, a case a write, and
strangers without a bond (faults_ble.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from fascia.app.logstore import RESERVE_BYTES
from fascia.detect.replay import count_samples
from fascia.spec import control, log, logread
from fascia.spec.trace import format_line
from host_tools import mpy
from host_tools.bench.accuracy import OUT
from host_tools.sim import frames as fr
from host_tools.sim.run import device_view, trace_duration_ms

SIM_FAULTS = mpy.SIM_LIB / "sim_faults.py"
DEVICE_ID = b"SIM-devkit".hex()  # what sim_board's devkit writes in its HEADERs
PROFILES = {
    "quick": {
        "cuts": 15,
        "real_syncs": 1,
        "examples": 300,
        "long_hours": 1 / 6,
        "workers": 1,
        "sync_cuts": 3,
    },
    "full": {
        "cuts": 504,
        "real_syncs": 8,
        "examples": 10_000,
        "long_hours": 24,
        "workers": 2,
        "sync_cuts": 100,
    },
}
REGIONS = ("head", "payload", "crc")  # where in a record a cut falls: magic/type/length, payload, CRC
FULL_AT = RESERVE_BYTES + 300  # a flash that holds the reserve and a few short sessions
CONFIGURED = {"weight_kg": 81, "daily_jump_goal": 150}  # what a host sets between the power-cut sessions
STEP_MS = 64  # one FIFO chunk at 500 Hz (and a fifth of one at 100 Hz): reads get whole fresh chunks


@dataclass
class Family:
    """What one fault family did: each case as observed (what the device, its flash, its screen and
    the host store held; tests/test_faults*.py judge them), the data it lost and its figures."""

    name: str
    cases: int = 0
    observed: list[dict] = field(default_factory=list)
    lost: int = 0  # committed records (or sessions, see `lost_unit`) that did not survive
    lost_unit: str = "records"
    figures: dict = field(default_factory=dict)
    reference: dict = field(default_factory=dict)  # what the observations are compared with (not a figure)

    def as_dict(self) -> dict:
        return {
            "family": self.name,
            "cases": self.cases,
            "data_lost": self.lost,
            "lost_unit": self.lost_unit,
            **self.figures,
        }


def profile() -> tuple[str, dict]:
    """The profile the fault tests run (FASCIA_FAULTS: quick in `make test`, full in `make faults`)."""
    name = os.environ.get("FASCIA_FAULTS", "quick")
    return name, PROFILES[name]


def seed() -> int:
    """The seed of every generated case (FASCIA_FAULTS_SEED, as `make faults --seed` sets it)."""
    return int(os.environ.get("FASCIA_FAULTS_SEED", "20261128"))


# ---------------------------------------------------------------- the simulated device


@dataclass
class Run:
    returncode: int
    events: list[dict]  # {"ev": ...} lines
    writes: list[dict]  # {"w": k, "file", "off", "n", "crc"} lines (with trace_writes)
    cut: dict | None
    stderr: str  # with any stdout line that is not JSON (MicroPython prints tracebacks there)

    def ev(self, kind: str) -> list[dict]:
        return [e for e in self.events if e.get("ev") == kind]

    @property
    def final(self) -> dict:
        found = self.ev("final")
        return found[-1] if found else {}

    def crashed(self) -> str:
        """'' if the device ran to the end; else what stopped it (a traceback's last line)."""
        if self.returncode == 0 and self.final:
            return ""
        lines = self.stderr.strip().splitlines()
        return lines[-1] if lines else f"exit code {self.returncode}"


def run_device(flash: Path, settings: dict, timeout: float = 1800) -> Run:
    """Run sim_faults.py with `settings` on the flash directory `flash` (created if needed)."""
    flash.mkdir(parents=True, exist_ok=True)
    settings = {"board": "devkit", "step_ms": STEP_MS, **settings}
    (flash / "sim_faults.json").write_text(json.dumps(settings))
    env = dict(os.environ, MICROPYPATH=":".join([".frozen", str(mpy.SIM_LIB), str(_firmware)]))
    proc = subprocess.run(
        [mpy.micropython_binary(), str(SIM_FAULTS), "sim_faults.json"],
        cwd=flash,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    events, writes, cut, other = [], [], None, []
    for line in proc.stdout.splitlines():
        if not line.startswith("{"):
            other.append(line)
            continue
        obj = json.loads(line)
        if "w" in obj:
            writes.append(obj)
        elif "cut" in obj:
            cut = obj
        else:
            events.append(obj)
    return Run(proc.returncode, events, writes, cut, "\n".join([*other, proc.stderr]))


def plan(traces: list[tuple[Path, str]], first_ms: int = 1000, rest_ms: int = 4000) -> tuple[list[dict], int]:
    """Sessions started with their traces, one after another with rests; returns (sessions, end_ms).
    Times are multiples of 10 ms, so every rate's sample grid lines up with the session start."""
    sessions = []
    t = first_ms
    for trace, activity in traces:
        stop = t + trace_duration_ms(trace) + 1000  # device_view's tail
        sessions.append({"activity": activity, "trace": str(trace), "start_ms": t, "stop_ms": stop})
        t = (stop + rest_ms) // 10 * 10
    return sessions, t


# The firmware the device runs and the counts are checked against: the working tree, or the copy
# `main` freezes at its start (so an edit made while the suite runs cannot skew its figures).
_firmware = Path(os.environ.get("FASCIA_FAULTS_FIRMWARE", mpy.FIRMWARE))
_expected: dict[tuple[str, str, str], int] = {}
# The samples at the session's own times (not rebased to the first one, as a trace file is: the
# first sample comes one sensor period after the start, and a counter is not shift-invariant).
_MPY_COUNT = """
import sys
from fascia.detect.replay import count_samples
from fascia.spec.trace import parse_line
f = open(sys.argv[1])
f.readline()
print(count_samples((parse_line(line) for line in f), sys.argv[2])["count"])
"""


def expected_count(trace: Path, activity: str) -> int:
    """What the device must log for a session started with `trace`: the detector offline, on the
    samples the simulated sensor takes (device_view)."""
    key = (str(_firmware), str(trace), activity)
    if key not in _expected:
        samples = device_view(trace, activity)
        if _firmware == mpy.FIRMWARE:
            _expected[key] = count_samples(samples, activity)["count"]
        else:  # the frozen detector: replayed under MicroPython from the copy
            with tempfile.TemporaryDirectory() as tmp:
                csv = Path(tmp) / "view.csv"
                csv.write_text("t_ms,x,y,z\n" + "".join(format_line(*row) for row in samples))
                env = dict(os.environ, MICROPYPATH=f".frozen:{_firmware}")
                proc = subprocess.run(
                    [mpy.micropython_binary(), "-c", _MPY_COUNT, str(csv), activity],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                )
            _expected[key] = int(proc.stdout.split()[-1])
    return _expected[key]


KNOWN_COUNT_S = 20  # the "still counts after a fault" traces: long enough to hold jumps (6 s held none)


def sessions_on(flash: Path) -> dict[str, dict]:
    """{file name: parsed} for every session file in the flash's log."""
    return {p.name: logread.parse_session(p.read_bytes()) for p in sorted((flash / "log").glob("*.fs[ls]"))}


# ---------------------------------------------------------------- traces


class Traces:
    """Generated traces (400 Hz), made once into `cache`."""

    def __init__(self, cache: Path):
        self.cache = cache
        cache.mkdir(parents=True, exist_ok=True)

    def rope(self, scenario: str, seed: int, seconds: int) -> Path:
        from host_tools.gen import jumprope

        stem = self.cache / f"rope_{scenario}_{seed}_{seconds}"
        if not stem.with_suffix(".csv").exists():
            jumprope.generate(scenario, seed, 400, stem, duration_s=seconds)
        return stem.with_suffix(".csv")

    def club(self, kinds: tuple[str, ...], seed: int, max_s: int = 0) -> Path:
        """Clubbell sets of `kinds` one after another (optionally cut at `max_s`)."""
        from host_tools.gen import clubbell

        out = self.cache / f"club_{'-'.join(kinds)}_{seed}_{max_s}.csv"
        if out.exists():
            return out
        lines = ["t_ms,x,y,z\n"]
        offset = 0
        for k, kind in enumerate(kinds):
            part, _ = clubbell.generate(kind, seed + k, 400, self.cache / f"clubpart_{kind}_{seed + k}")
            t = 0
            with part.open() as f:
                f.readline()
                for line in f:
                    t_s, x, y, z = line.strip().split(",")
                    t = int(round(float(t_s)))
                    if max_s and offset + t > max_s * 1000:
                        break
                    lines.append(format_line(offset + t, int(x), int(y), int(z)))
            offset += t + 10
        out.write_text("".join(lines))
        return out


# ---------------------------------------------------------------- power cuts


def _classify(flash: Path, w: dict) -> str:
    """The kind of a traced write: a record type for session files, else which bookkeeping file."""
    name = Path(w["file"]).name
    if name.endswith(".fsl"):
        data = (flash / "log" / name).read_bytes()
        return log.RECORD_NAMES[data[w["off"] + 2]]
    if name.startswith("days"):
        return "days.json"
    if name.startswith("config"):
        return "config.json"
    return "counter"


def _region_range(kind: str, n: int, region: str) -> range:
    if kind in log.RECORD_NAMES:
        return {"head": range(0, 5), "payload": range(5, n - 4), "crc": range(n - 4, n)}[region]
    return range(0, n)


def _cut_plan(refs: dict[str, tuple[dict, list[dict]]], count: int, rng: random.Random) -> list[dict]:
    """`count` cuts, round-robin over (record type x region) and the bookkeeping files."""
    strata: dict[tuple[str, str], list[tuple[str, dict]]] = {}
    for workload, (_, writes) in refs.items():
        for w in writes:
            regions = REGIONS if w["kind"] in log.RECORD_NAMES else ("any",)
            for region in regions:
                strata.setdefault((w["kind"], region), []).append((workload, w))
    keys = sorted(strata)
    cuts = []
    for i in range(count):
        kind, region = keys[i % len(keys)]
        workload, w = rng.choice(strata[(kind, region)])
        keep = rng.choice(_region_range(kind, w["n"], region))
        cuts.append(
            {
                "workload": workload,
                "kind": kind,
                "region": region,
                "write": w["w"],
                "keep": keep,
                "erase": rng.random() < 0.5,
            }
        )
    return cuts


def _observe_cut(cut: dict, base: dict, reboot: dict, work: Path, real_sync: bool) -> dict:
    """Run one cut and the next boot; what the flash, the next boot and the host store hold then."""
    from fascia.spec import config as cfg
    from host_tools.store import Store

    flash = work / f"cut{cut['i']:04d}"
    shutil.rmtree(flash, ignore_errors=True)
    flash.mkdir(parents=True)
    dbs = [work / f"{flash.name}.sqlite3", work / f"{flash.name}-sync.sqlite3"]
    for db in dbs:
        db.unlink(missing_ok=True)
    settings = dict(base, trace_writes=True, cut={k: cut[k] for k in ("write", "keep", "erase")})
    r = run_device(flash, settings, timeout=300)
    seen: dict = {"case": cut, "cut": r.cut, "returncode": r.returncode, "crashed": r.crashed()}
    if r.cut is None or r.returncode != -9:
        return seen
    rb = run_device(flash, reboot, timeout=300)
    seen["reboot"] = dict(_summary(rb), start_title=rb.ev("start")[0]["title"] if rb.ev("start") else None)
    seen["config"] = cfg.load(str(flash / cfg.CONFIG_FILE))
    seen["lost"] = _lost_writes(flash, r.writes)
    files = _files(flash)
    seen["damaged"] = {name: logread.parse_session(data)["errors"] for name, data in files.items()}
    # the host store imports every file, with every record that survived
    seen["imported"] = {}
    with Store(flash.parent / f"{flash.name}.sqlite3") as store:
        for name, data in sorted(files.items()):
            parsed = logread.parse_session(data)
            try:
                rid, _ = store.import_session(data, device_id=DEVICE_ID, session_id=int(name[:5]))
            except Exception as e:  # a crash in the importer is exactly what this suite looks for
                seen["imported"][name] = {"error": repr(e)}
                continue
            rec = store.get(rid) or {}
            seen["imported"][name] = {
                "stored": [rec.get("count"), len(rec.get("progress", []))],
                "parsed": [parsed["count"], len(parsed["progress"])],
            }
    if real_sync:
        seen["sync"] = _real_sync(flash)
    shutil.rmtree(flash, ignore_errors=True)
    for db in dbs:
        db.unlink(missing_ok=True)
    return seen


def _real_sync(flash: Path) -> dict:
    """`fascia sync` (real mpremote over the serial bridge) of every session on the flash."""
    from host_tools import sync
    from host_tools.sim.serial_bridge import SerialBridge
    from host_tools.store import Store

    files = len(_files(flash))
    with SerialBridge(flash) as bridge, Store(flash.parent / f"{flash.name}-sync.sqlite3") as store:
        report = sync.sync(store, sync.Device(bridge.port), keep=True)
        return {"files": files, "stored": len(store.sessions()), "failed": report.failed}


def power_cut(traces: Traces, work: Path, cuts: int, real_syncs: int, workers: int, seed: int = 1) -> Family:
    """`cuts` power cuts stratified over record type and region, each followed by a boot that records
    a session of `figures["reboot_count"]` offline; one observation per cut (`_observe_cut`)."""
    fam = Family("power cut")
    rope = traces.rope("basic", 1, 12)
    club = traces.club(("light",), 1, max_s=20)
    sessions, end = plan([(rope, "jump_rope"), (club, "swing")])
    between = (sessions[0]["stop_ms"] + sessions[1]["start_ms"]) // 2
    bases = {
        "app": {"sessions": sessions, "end_ms": end, "configure": [{"t_ms": between, "changes": CONFIGURED}]},
        "store": {"workload": "store", "end_ms": 1},
    }
    short = traces.rope("basic", 2, KNOWN_COUNT_S)
    reb_sessions, reb_end = plan([(short, "jump_rope")])
    reboot = {"sessions": reb_sessions, "end_ms": reb_end}
    fam.figures["reboot_count"] = expected_count(short, "jump_rope")
    refs = {}
    for name, base in bases.items():
        flash = work / f"ref_{name}"
        shutil.rmtree(flash, ignore_errors=True)
        ref = run_device(flash, dict(base, trace_writes=True))
        if ref.crashed():
            raise RuntimeError(f"the reference run {name} crashed: {ref.crashed()}")
        for w in ref.writes:
            w["kind"] = _classify(flash, w)
        refs[name] = (base, ref.writes)
    plan_ = _cut_plan(refs, cuts, random.Random(seed))
    for i, c in enumerate(plan_):
        c["i"] = i

    def one(c: dict) -> dict:
        return _observe_cut(c, refs[c["workload"]][0], reboot, work, c["i"] < real_syncs)

    coverage: dict[str, int] = {}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for seen in _progress(pool.map(one, plan_), len(plan_), "power cuts"):
            fam.cases += 1
            fam.observed.append(seen)
            fam.lost += seen.get("lost", 0)
            key = f"{seen['case']['kind']}/{seen['case']['region']}"
            coverage[key] = coverage.get(key, 0) + 1
    boots_failed = sum(
        bool(s["reboot"]["crashed"] or not s["reboot"]["counts"]) for s in fam.observed if "reboot" in s
    )
    fam.figures.update(
        {"cuts": fam.cases, "boots_failed": boots_failed, "coverage": coverage, "real_syncs": real_syncs}
    )
    return fam


def _progress(items, total: int, what: str):
    """Yield from `items`, with a rich progress bar on a terminal."""
    if not sys.stderr.isatty():
        yield from items
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task(what, total=total)
        for item in items:
            bar.advance(task)
            yield item


# ---------------------------------------------------------------- flash full


def _files(flash: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((flash / "log").glob("*.fs[ls]"))}


def _screen_title(frame: Path) -> str | None:
    """The notice title on the devkit's final frame (None: no notice, or no frame)."""
    if not frame.exists():
        return None
    return fr.notice_title(fr.decode(frame.read_bytes(), "vlsb", 128, 64))


def _screen_text(frame: Path, y: int, n: int) -> str | None:
    """The `n` lower-case characters at (0, y) on the devkit's final frame."""
    return fr.read_text(fr.decode(frame.read_bytes(), "vlsb", 128, 64), 0, y, n, fr.TEXT_CHARS)


def _summary(r: Run) -> dict:
    """What a device run shows from outside: crashed, sessions started (or refused), counts, title."""
    return {
        "crashed": r.crashed(),
        "starts": [e["ok"] for e in r.ev("start")],
        "counts": [e["count"] for e in r.ev("end")],
        "title": r.final.get("title"),
        "events": r.events[:3],
    }


def flash_full(traces: Traces, work: Path) -> Family:
    """A small flash that fills up (then a reboot, a sync and a session), and ENOSPC at every kind of
    write (boot counter, session id, each record type, days.json), in and after a session."""
    fam = Family("flash full", lost_unit="sessions/records")
    rope = traces.rope("basic", 2, KNOWN_COUNT_S)
    fam.observed.append(_refuse_and_recover(fam, rope, work / "full"))
    fam.observed += _enospc_at_every_kind(fam, traces, work / "enospc")
    fam.cases = len(fam.observed)
    fam.figures["sessions_before_full"] = fam.observed[0]["filled"]["starts"].count(True)
    return fam


def _refuse_and_recover(fam: Family, rope: Path, flash: Path) -> dict:
    """Six sessions on a flash with room for a few; a reboot; a sync (real mpremote, --keep); a session."""
    from host_tools import sync
    from host_tools.sim.serial_bridge import SerialBridge
    from host_tools.store import Store

    shutil.rmtree(flash, ignore_errors=True)
    sessions, end = plan([(rope, "jump_rope")] * 6)
    frame = flash / "final.vlsb"
    r = run_device(
        flash, {"sessions": sessions, "end_ms": end, "flash_bytes": FULL_AT, "final_frame": str(frame)}
    )
    seen = {"case": "small flash", "offline": expected_count(rope, "jump_rope"), "filled": _summary(r)}
    if r.crashed():
        return seen
    seen["filled"]["screen"] = _screen_title(frame)
    kept = _files(flash)
    # the next boot, on the full flash
    sessions, end = plan([(rope, "jump_rope")])
    seen["reboot"] = _summary(
        run_device(flash, {"sessions": sessions, "end_ms": end, "flash_bytes": FULL_AT})
    )
    seen["kept_unchanged"] = _files(flash) == kept
    if not seen["kept_unchanged"]:
        fam.lost += len(kept)
    # sync (--keep: acknowledged, left for the device to delete), then a session
    with SerialBridge(flash) as bridge, Store(flash.parent / "full.sqlite3") as store:
        report = sync.sync(store, sync.Device(bridge.port), keep=True)
        stored = {(s["session_id"], s["count"]) for s in store.sessions()}
    on_device = {(p["header"]["session_id"], p["count"]) for p in map(logread.parse_session, kept.values())}
    seen["sync"] = {"missing": sorted(on_device - stored), "failed": report.failed}
    fam.lost += len(on_device - stored)
    seen["after_sync"] = _summary(
        run_device(flash, {"sessions": sessions, "end_ms": end, "flash_bytes": FULL_AT})
    )
    return seen


def _enospc_at_every_kind(fam: Family, traces: Traces, work: Path) -> list[dict]:
    """From the first write of each kind on the flash is full; with `freed`, a sync frees it 2 s
    after the first session (same boot), else the device boots again on the full flash."""
    rope = traces.rope("basic", 1, 12)
    short = traces.rope("basic", 2, KNOWN_COUNT_S)
    sessions, end = plan([(rope, "jump_rope"), (short, "jump_rope")])
    offline = [expected_count(rope, "jump_rope"), expected_count(short, "jump_rope")]
    ref_flash = work / "ref"
    shutil.rmtree(work, ignore_errors=True)
    ref = run_device(
        ref_flash, {"sessions": sessions[:1], "end_ms": sessions[0]["stop_ms"] + 500, "trace_writes": True}
    )
    firsts: dict[str, dict] = {}
    for w in ref.writes:
        w["kind"] = _classify(ref_flash, w)
        kind = "boot counter" if w["file"].endswith("boots.tmp") else w["kind"]
        firsts.setdefault(kind, w)
    observed = []
    for kind, w in firsts.items():
        for freed in (False, True):
            flash = work / f"{kind.replace(' ', '_').replace('.', '_')}_{int(freed)}"
            frame = flash / "final.vlsb"
            full = {"from_write": w["w"]}
            if freed:
                full["until_ms"] = sessions[0]["stop_ms"] + 2000
            settings = {"sessions": sessions, "end_ms": end, "trace_writes": True, "enospc": full}
            r = run_device(flash, dict(settings, final_frame=str(frame)))
            seen = {"case": f"ENOSPC from the first {kind} write", "kind": kind, "freed": freed}
            seen.update(offline=offline, run=_summary(r))
            observed.append(seen)
            if r.crashed():
                continue
            seen["lost"] = _lost_writes(flash, r.writes)
            fam.lost += seen["lost"]
            seen["damaged"] = {name: logread.parse_session(d)["errors"] for name, d in _files(flash).items()}
            seen["second_counts"] = [e["count"] for e in r.ev("end") if e["i"] == 1]
            if not freed:
                seen["screen"] = _screen_title(frame)
                seen["reboot"] = _summary(run_device(flash, {"sessions": sessions[1:], "end_ms": end}))
    return observed


def _lost_writes(flash: Path, writes: list[dict]) -> int:
    """Completed session-file writes that are not intact (byte for byte, parsed) in their file."""
    files = _files(flash)
    parsed_at = {n: {o for o, t, _ in logread.iter_records(d) if t != log.CORRUPT} for n, d in files.items()}
    lost = 0
    for w in writes:
        name = Path(w["file"]).name
        if not name.endswith(".fsl") and not name.endswith(".fss"):
            continue
        data = files.get(name, b"")
        if zlib.crc32(data[w["off"] : w["off"] + w["n"]]) != w["crc"] or w["off"] not in parsed_at.get(
            name, ()
        ):
            lost += 1
    return lost


# ---------------------------------------------------------------- sensor faults


def sensor_faults(traces: Traces, work: Path) -> Family:
    """I2C errors (for good, from power-on, before or during a session, or a glitch), a frozen sensor,
    FIFO overflow storms and a bus too slow to keep up; one observation per case (what the device
    did, its log and its final screen). Lost: sessions started that are not complete on the flash."""
    fam = Family("sensor faults", lost_unit="sessions")
    rope = traces.rope("basic", 1, 12)
    long_rope = traces.rope("basic", 3, 30)
    one, end = plan([(rope, "jump_rope")])
    longer, long_end = plan([(long_rope, "jump_rope")])
    two, two_end = plan([(rope, "jump_rope"), (rope, "jump_rope")])
    t0, t_long = one[0]["start_ms"], longer[0]["start_ms"]
    cases = {
        "I2C fails mid-session": {"sessions": one, "end_ms": end, "fail_after_ms": t0 + 6000},
        "sensor dead at power-on": {"sessions": one, "end_ms": end, "fail_after_ms": 0},
        "I2C fails while idle": {"sessions": one, "end_ms": end, "fail_after_ms": 300},
        "I2C glitch of 1 s, then a new session": {
            "sessions": two,
            "end_ms": two_end,
            "i2c_glitch": [t0 + 6000, t0 + 7000],
        },
        "sensor frozen mid-session": {
            "sessions": longer,
            "end_ms": long_end,
            "stuck_after_ms": t_long + 5000,
        },
        "sensor frozen before the start": {"sessions": one, "end_ms": end, "stuck_after_ms": 200},
        "FIFO overflow storm (loop every 600 ms)": {"sessions": one, "end_ms": end, "step_ms": 600},
        "bus too slow to keep up (40 ms a read)": {"sessions": one, "end_ms": end, "slow_read_ms": 40},
    }
    offline = expected_count(rope, "jump_rope")
    for name, settings in cases.items():
        flash = work / name.split(" (")[0].replace(" ", "_").replace(",", "")
        shutil.rmtree(flash, ignore_errors=True)
        frame = flash / "final.vlsb"
        r = run_device(flash, {**settings, "final_frame": str(frame)})
        files = [logread.parse_session(d) for d in _files(flash).values()]
        seen = {"case": name, "offline": offline, "run": _summary(r), "screen": _screen_title(frame)}
        seen["sessions"] = [
            {"status": f["status"], "count": f["count"], "reason": (f["end"] or {}).get("reason")}
            for f in files
        ]
        gaps = (files[0]["end"] or {}).get("extras", {}).get("gaps", 0) if files else 0
        seen["gaps"] = gaps
        if gaps and frame.exists():
            seen["gaps_line"] = _screen_text(frame, 32, len(f"data gaps {gaps}"))
            fam.figures[f"gaps: {name}"] = gaps
        started = len(settings["sessions"]) if r.crashed() else sum(seen["run"]["starts"])
        fam.lost += max(0, started - sum(s["status"] == "complete" for s in seen["sessions"]))
        fam.observed.append(seen)
    fam.cases = len(fam.observed)
    return fam


# ---------------------------------------------------------------- long run


def _long_plan(traces: Traces, hours: float) -> list[tuple[Path, str]]:
    if hours < 1:
        return [
            (traces.club(("light",), 5), "swing"),
            (traces.rope("mixed", 5, 40), "jump_rope"),
            (traces.club(("heavy",), 6), "swing"),
            (traces.rope("basic", 6, 40), "jump_rope"),
        ]
    return [
        (traces.rope("mixed", 11, 480), "jump_rope"),
        (traces.club(("light", "heavy", "kb_hip"), 12), "swing"),
        (traces.rope("double_under", 13, 300), "jump_rope"),
        (traces.rope("walk_carry", 14, 300), "walk"),
        (traces.rope("boxer", 15, 480), "jump_rope"),
        (traces.club(("kb_hip", "light", "heavy"), 16), "swing"),
        (traces.rope("warmup", 17, 300), "jump_rope"),
        (traces.rope("trips", 18, 300), "jump_rope"),
    ]


def long_run(traces: Traces, work: Path, hours: float) -> Family:
    """Hours of virtual time (sessions of mixed activities with long rests between them), the
    pipeline at speed (no display transfers): per session what it logged and the detector offline
    on what the sensor sampled; the live heap after each session by activity; the log's size."""
    fam = Family("long run", lost_unit="counts off")
    todo = _long_plan(traces, hours)
    span = int(hours * 3_600_000)
    every = span // len(todo) // 10 * 10
    sessions = []
    for k, (trace, activity) in enumerate(todo):
        start = 60_000 + k * every
        stop = start + trace_duration_ms(trace) + 1000
        sessions.append({"activity": activity, "trace": str(trace), "start_ms": start, "stop_ms": stop})
    offline = [expected_count(trace, activity) for trace, activity in todo]
    flash = work / "long"
    shutil.rmtree(flash, ignore_errors=True)
    t0 = time.monotonic()
    r = run_device(
        flash,
        {
            "sessions": sessions,
            "end_ms": span,
            "idle_step_ms": 5000,
            "no_display": True,
            "heap_every_ms": max(60_000, span // 24),
        },
        timeout=7200,
    )
    wall = time.monotonic() - t0
    fam.cases = len(sessions)
    fam.figures["crashed"] = r.crashed()
    if r.crashed():
        return fam
    files = list(_files(flash).values())
    for k, ((_, activity), want) in enumerate(zip(todo, offline, strict=True)):
        parsed = logread.parse_session(files[k]) if k < len(files) else {"count": None, "status": "missing"}
        fam.observed.append(
            {
                "case": f"session {k} ({activity})",
                "logged": parsed["count"],
                "status": parsed["status"],
                "offline": want,
            }
        )
        fam.lost += abs((parsed["count"] or 0) - want)
    # the live heap after each session, by activity (the last detector stays alive afterwards),
    # once every activity has run once (a detector's module stays imported from then on)
    idle = [e["heap"] for e in r.ev("heap")] + [r.final["heap"]]
    ends = [e["heap"] for e in r.ev("end")]
    activities = [a for _, a in todo]
    warm = max(activities.index(a) for a in set(activities))
    by_activity: dict[str, list[int]] = {}
    for e in r.ev("end"):
        if e["i"] >= warm:
            by_activity.setdefault(sessions[e["i"]]["activity"], []).append(e["heap"])
    active_h = sum(s["stop_ms"] - s["start_ms"] for s in sessions) / 3_600_000
    log_bytes = sum(len(f) for f in files)
    fam.figures.update(
        {
            "virtual_hours": round(hours, 2),
            "active_hours": round(active_h, 2),
            "wall_s": round(wall, 1),
            "heap_idle_bytes": [min(idle), max(idle)],
            "heap_after_sessions": [min(ends), max(ends)] if ends else [],
            "heap_after_sessions_by_activity": by_activity,
            "heap_growth_bytes": max((h[-1] - h[0] for h in by_activity.values()), default=0),
            "log_bytes": log_bytes,
            "log_bytes_per_active_hour": int(log_bytes / active_h) if active_h else 0,
        }
    )
    return fam


# ---------------------------------------------------------------- interrupted sync

REPO = Path(__file__).resolve().parents[2]
SYNC_SESSIONS = 4  # sessions on the flash each cut interrupts the sync of
SYNC_TIMEOUT_S = 120


def sessions_flash(flash: Path, seed: int, sessions: int = SYNC_SESSIONS) -> dict[int, bytes]:
    """A flash holding `sessions` short finished sessions written by the firmware's LogStore (fast,
    and the bytes a device writes); returns {session id: file bytes}."""
    from fascia.app.logstore import LogStore
    from host_tools.bench.history import ACTIVITIES, START, write_session

    shutil.rmtree(flash, ignore_errors=True)
    (flash / "log").mkdir(parents=True)
    rng = random.Random(seed)
    store = LogStore(str(flash / "log"), reserve_bytes=0)
    store.count_boot()
    for k in range(sessions):
        write_session(store, rng, START + k * 86400, ACTIVITIES[k % 3])
    return {int(p.stem): p.read_bytes() for p in sorted((flash / "log").glob("*.fsl"))}


def _stored(db: Path) -> dict[int, list[tuple[bytes, int]]]:
    """{device session id: [(raw bytes, count) of each stored copy]} (a missing database: empty)."""
    from host_tools.store import Store

    out: dict[int, list[tuple[bytes, int]]] = {}
    with Store(db, write=False) as store:
        for rec in store.sessions():
            out.setdefault(rec["session_id"], []).append((store.raw(rec["id"]) or b"", rec["count"]))
    return out


def _snapshot(flash: Path, db: Path) -> dict:
    """What the device holds ({session id: (suffix, bytes)}) and what the store holds (`_stored`)."""
    on_device = {int(p.stem): (p.suffix, p.read_bytes()) for p in (flash / "log").glob("*.fs[ls]")}
    return {"on_device": on_device, "stored": _stored(db)}


def _where(originals: dict[int, bytes], snap: dict) -> str:
    """Where a cut left things: "stored S, acked A, deleted D"."""
    acked = sum(suffix == ".fss" for suffix, _ in snap["on_device"].values())
    deleted = len(set(originals) - set(snap["on_device"]))
    return f"stored {len(snap['stored'])}, acked {acked}, deleted {deleted}"


def _not_stored(originals: dict[int, bytes], snap: dict, on_device_counts: bool) -> int:
    """Sessions whose bytes are not in the store (and, with `on_device_counts`, not on the device)."""
    return sum(
        raw not in [copy for copy, _ in snap["stored"].get(sid, [])]
        and not (on_device_counts and sid in snap["on_device"])
        for sid, raw in originals.items()
    )


def _sync_cmd(port: str, db: Path) -> list[str]:
    return [sys.executable, "-m", "host_tools.history", "sync", "--port", port, "--db", str(db)]


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, 9)
    except ProcessLookupError:
        pass


def _usb_reference(flash: Path) -> tuple[float, int]:
    """(seconds, bytes over the serial line) of one whole `fascia sync` of `flash`."""
    from host_tools.sim.serial_bridge import SerialBridge

    for stale in flash.parent.glob("ref.sqlite3*"):  # a previous run's: it would hold every session
        stale.unlink()
    with SerialBridge(flash) as bridge:
        t0 = time.monotonic()
        subprocess.run(
            _sync_cmd(bridge.port, flash.parent / "ref.sqlite3"),
            cwd=REPO,
            capture_output=True,
            check=True,
            timeout=SYNC_TIMEOUT_S,
        )
        return time.monotonic() - t0, bridge.passed


def _usb_case(case: dict, base: Path, work: Path) -> dict:
    """One cut: copy the flash, start `fascia sync`, kill it (at a byte or a time), look, rerun, look."""
    from host_tools.sim.serial_bridge import SerialBridge

    flash = work / f"usb{case['i']:04d}"
    db = work / f"usb{case['i']:04d}.sqlite3"
    shutil.rmtree(flash, ignore_errors=True)
    for f in work.glob(f"{db.name}*"):
        f.unlink()
    shutil.copytree(base, flash)
    with SerialBridge(flash) as bridge:
        started: list[subprocess.Popen] = []
        if case["mode"] == "byte":  # armed first: no byte crosses uncounted
            bridge.cut_after(case["at"], lambda: _kill_group(started[0]))
        proc = subprocess.Popen(
            _sync_cmd(bridge.port, db),
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        started.append(proc)
        if case["mode"] == "time":
            time.sleep(case["at"])
            _kill_group(proc)
        try:
            proc.wait(timeout=SYNC_TIMEOUT_S)
        finally:
            _kill_group(proc)
        after_cut = _snapshot(flash, db)
        bridge.cut_after(None)  # the cable back in
        rerun = subprocess.run(
            _sync_cmd(bridge.port, db), cwd=REPO, capture_output=True, text=True, timeout=SYNC_TIMEOUT_S
        )
    seen = {"case": f"cut {case['i']} ({case['mode']} {case['at']})", "after_cut": after_cut}
    seen["stop"] = None  # (the killed process says nothing)
    seen["rerun_failed"] = (rerun.stderr.strip().splitlines() or ["?"])[-1] if rerun.returncode else None
    seen["after_rerun"] = _snapshot(flash, db)
    shutil.rmtree(flash, ignore_errors=True)
    for f in work.glob(f"{db.name}*"):
        f.unlink()
    return seen


def _sync_family(fam: Family, originals: dict[int, bytes], seen: dict) -> None:
    """Add one interrupted sync's observation (and the sessions it lost) to `fam`."""
    fam.cases += 1
    fam.observed.append(seen)
    fam.lost += _not_stored(originals, seen["after_cut"], True) + _not_stored(
        originals, seen["after_rerun"], False
    )
    where = _where(originals, seen["after_cut"])
    after_cut = fam.figures.setdefault("after_cut", {})
    after_cut[where] = after_cut.get(where, 0) + 1


def interrupted_sync_usb(work: Path, cuts: int, seed: int = 1) -> Family:
    """`fascia sync` over USB killed at `cuts` seeded points (alternately a byte on the serial line
    and a time within a full sync), then rerun; per cut what the device and the store held after
    the cut and after the rerun (the device's sessions are in `reference`)."""
    fam = Family("interrupted sync (USB)", lost_unit="sessions")
    base = work / "flash"
    originals = sessions_flash(base, seed)
    fam.reference = {"originals": originals, "left": ""}  # the rerun deletes what it stored
    ref = work / "ref"
    shutil.rmtree(ref, ignore_errors=True)
    shutil.copytree(base, ref)
    full_s, full_bytes = _usb_reference(ref)
    rng = random.Random(seed)
    plan_ = [
        {"i": i, "mode": "byte", "at": rng.randint(1, full_bytes)}
        if i % 2 == 0
        else {"i": i, "mode": "time", "at": round(rng.uniform(0, full_s), 3)}
        for i in range(cuts)
    ]
    fam.figures.update(
        {
            "sessions": len(originals),
            "flash_bytes": sum(map(len, originals.values())),
            "full_sync_s": round(full_s, 2),
            "full_sync_serial_bytes": full_bytes,
        }
    )
    for case in _progress(plan_, len(plan_), "interrupted USB syncs"):
        _sync_family(fam, originals, _usb_case(case, base, work))
    fam.figures["after_cut"] = dict(sorted(fam.figures.get("after_cut", {}).items()))
    return fam


class _BleRig:
    """One simulated device with its radio, shared by every BLE cut (its flash restored between
    cases: starting the simulator per case would cost seconds each)."""

    def __init__(self, flash: Path) -> None:
        from bumble import gatt_client

        from host_tools.ble.sync import LoopThread

        self.flash = flash
        logging.getLogger("bumble.gatt_client").setLevel(logging.CRITICAL)  # warnings after every drop
        # A drop between the parts of a long read (READ, then READ_BLOB) is noticed only when the
        # READ_BLOB times out (Bumble does not fail a request sent after the disconnection): 2 s, not 30.
        self._request_timeout = gatt_client.__dict__["GATT_REQUEST_TIMEOUT"]
        gatt_client.__dict__["GATT_REQUEST_TIMEOUT"] = 2.0
        self.loop = LoopThread()
        self.loop.run(self._start(), timeout=120)
        self.ops = 0
        self.drop_at = 0
        self.ack_ops: list[int] = []  # the ATT ops that wrote ACK_SYNCED (the commit is just before)

    async def _start(self) -> None:
        from host_tools.ble.bumble_backend import backend_for
        from host_tools.sim.ble_bridge import VirtualRadio, simulated_device

        radio = VirtualRadio()
        self.backend = backend_for(radio)
        self._cm = simulated_device(radio, self.flash, end_ms=24 * 3_600_000)
        self.bridge = await self._cm.__aenter__()
        self.bridge.on_att = self._count

    def _count(self) -> None:
        """On the loop: the k-th ATT operation answered, the link goes (the device ends it)."""
        self.ops += 1
        written = self.bridge.last_att
        if written is not None and len(written) == 5 and written[0] == control.ACK_SYNCED:
            self.ack_ops.append(self.ops)
        if self.ops == self.drop_at:
            asyncio.ensure_future(self._drop())

    async def _drop(self) -> None:
        device = self.bridge.device
        for conn in list(device.connections.values()) if device else []:
            await conn.disconnect()

    def sync(self, db: Path, drop_at: int = 0):
        """A sync with a fresh connection; the link drops after the `drop_at`-th ATT op (0: never).
        Returns the report, or the exception that stopped it (a SyncError: the one-line message)."""
        from host_tools import sync
        from host_tools.ble.sync import BleDevice
        from host_tools.store import Store

        self.ops, self.drop_at, self.ack_ops = 0, drop_at, []
        try:
            with Store(db) as store, BleDevice(self.bridge.address, self.backend, loop=self.loop.loop) as dev:
                return sync.sync(store, dev)
        except Exception as e:  # what the person would see: judged by the caller
            return e
        finally:
            self.drop_at = 0

    def restore(self, originals: dict[int, bytes]) -> None:
        """The flash back to 'never synced', once any acknowledgement in flight has landed."""
        time.sleep(0.3)
        for p in (self.flash / "log").glob("*.fs[ls]"):
            p.unlink()
        for sid, raw in originals.items():
            (self.flash / "log" / f"{sid:05d}.fsl").write_bytes(raw)

    def close(self) -> None:
        from bumble import gatt_client

        self.loop.run(self._cm.__aexit__(None, None, None))
        self.loop.close()
        gatt_client.__dict__["GATT_REQUEST_TIMEOUT"] = self._request_timeout


def _stop(result) -> dict | None:
    """How a sync ended: None (a report), or the exception that stopped it and whether it is the
    one-line SyncError a person is shown."""
    from host_tools.sync import SyncError

    if not isinstance(result, Exception):
        return None
    kind = type(result).__module__ + "." + type(result).__name__
    return {"type": kind, "message": str(result), "sync_error": isinstance(result, SyncError)}


def interrupted_sync_ble(work: Path, cuts: int, seed: int = 1) -> Family:
    """A sync over Bluetooth whose link drops after a seeded ATT read/write, then a rerun; per cut
    what the device and the store held after the cut and after the rerun, and how the sync ended."""
    fam = Family("interrupted sync (BLE)", lost_unit="sessions")
    flash = work / "flash"
    originals = sessions_flash(flash, seed + 1)
    fam.reference = {"originals": originals, "left": "fss"}  # over BLE, the device keeps acked sessions
    for f in work.glob("*.sqlite3*"):
        f.unlink()
    rig = _BleRig(flash)
    try:
        t0 = time.monotonic()
        ref = rig.sync(work / "ref.sqlite3")
        full_s, full_ops, ack_ops = time.monotonic() - t0, rig.ops, rig.ack_ops
        if isinstance(ref, Exception) or ref.failed or len(ref.imported) != len(originals):
            raise RuntimeError(
                f"the reference sync failed: {ref if isinstance(ref, Exception) else ref.failed}"
            )
        if not ack_ops:
            raise RuntimeError("no ACK_SYNCED write seen: cannot cut the commit/acknowledge window")
        rng = random.Random(seed)
        reconnected = 0  # syncs that reconnected after the drop and finished
        in_window = 0  # cuts aimed at the commit/acknowledge window
        for i in _progress(range(cuts), cuts, "interrupted BLE syncs"):
            if i % 5 < 2:  # 40 %: around a session's commit and acknowledgement (the last read
                # before the ACK_SYNCED write, the write, the write's indication)
                at = min(max(rng.choice(ack_ops) + rng.randint(-1, 1), 1), full_ops)
                in_window += 1
            else:
                at = rng.randint(1, full_ops)
            db = work / f"ble{i:04d}.sqlite3"
            rig.restore(originals)
            cut = rig.sync(db, drop_at=at)
            seen = {"case": f"cut {i} (after ATT op {at} of {full_ops})", "after_cut": _snapshot(flash, db)}
            seen["stop"] = _stop(cut)
            if not isinstance(cut, Exception) and at < full_ops and not (cut.failed or cut.device_errors):
                # the link dropped between two steps and BleDevice reconnected for the next one
                reconnected += 1
            rerun = rig.sync(db)
            seen["rerun_failed"] = str(rerun) if isinstance(rerun, Exception) else rerun.failed or None
            seen["after_rerun"] = _snapshot(flash, db)
            _sync_family(fam, originals, seen)
            for f in work.glob(f"{db.name}*"):
                f.unlink()
    finally:
        rig.close()
    fam.figures.update(
        {
            "sessions": len(originals),
            "flash_bytes": sum(map(len, originals.values())),
            "full_sync_s": round(full_s, 2),
            "full_sync_att_ops": full_ops,
            "after_cut": dict(sorted(fam.figures.get("after_cut", {}).items())),
            "unclean_stops": sum(bool(s["stop"]) and not s["stop"]["sync_error"] for s in fam.observed),
            "cuts_in_commit_ack_window": in_window,
            "reconnected_and_finished": reconnected,
        }
    )
    return fam


# ---------------------------------------------------------------- the suite

# Each family and the test that runs and judges it: `make faults` runs these tests at the profile's
# counts and prints the figures they record (tests/conftest.py `fault_report`).
FAMILY_TESTS = {
    "power": "test_faults.py::test_power_cuts_lose_at_most_the_record_being_written",
    "flash": "test_faults.py::test_full_flash_refuses_keeps_unsynced_sessions_and_recovers",
    "sensor": "test_faults.py::test_sensor_faults_keep_the_session_and_say_so",
    "logs": "test_faults.py::test_hostile_log_records",
    "traces": "test_faults.py::test_hostile_trace_csv",
    "configs": "test_faults.py::test_hostile_config",
    "ble_writes": "test_faults_ble.py::test_hostile_ble_writes_are_refused_and_change_nothing",
    "unbonded": "test_faults_ble.py::test_unbonded_centrals_are_refused_every_protected_operation",
    "long": "test_faults.py::test_long_run_counts_heap_and_log",
    "sync_usb": "test_faults_sync.py::test_usb_sync_killed_at_seeded_points_then_rerun",
    "sync_ble": "test_faults_sync.py::test_ble_link_dropped_at_seeded_points_then_rerun",
}
REPORT_ENV = "FASCIA_FAULTS_REPORT"  # where the tests append each family's figures (a JSON line each)


def run_tests(profile_name: str, seed_: int, only: list[str], report: Path) -> int:
    """Run the families' tests (pytest, one process) on a frozen copy of the firmware; pytest's exit code."""
    work = OUT.parent / "faults" / profile_name
    frozen = work / "firmware"
    shutil.rmtree(frozen, ignore_errors=True)
    shutil.copytree(mpy.FIRMWARE, frozen, ignore=shutil.ignore_patterns("__pycache__", "*.mpy"))
    report.unlink(missing_ok=True)
    env = dict(
        os.environ,
        FASCIA_FAULTS=profile_name,
        FASCIA_FAULTS_SEED=str(seed_),
        FASCIA_FAULTS_FIRMWARE=str(frozen),
        **{REPORT_ENV: str(report)},
    )
    tests = [str(REPO / "tests" / FAMILY_TESTS[name]) for name in only]
    command = [sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", *tests]
    return subprocess.run(command, cwd=REPO, env=env, check=False).returncode


def main(argv: list[str] | None = None) -> int:
    from rich.console import Console
    from rich.table import Table

    ap = argparse.ArgumentParser(
        prog="python -m host_tools.bench.faults",
        description="Fault suite: power cuts, full flash, sensor faults, hostile input, long run, sync cut.",
    )
    ap.add_argument("--profile", choices=sorted(PROFILES), default=os.environ.get("FASCIA_FAULTS", "full"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", nargs="+", choices=sorted(FAMILY_TESTS), default=list(FAMILY_TESTS))
    args = ap.parse_args(argv)
    console = Console()
    console.print(f"fault suite, profile [bold]{args.profile}[/bold], seed {args.seed}")
    OUT.mkdir(parents=True, exist_ok=True)
    report = OUT / "faults.jsonl"
    code = run_tests(args.profile, args.seed, args.only, report)
    rows = [json.loads(line) for line in report.read_text().splitlines()] if report.exists() else []
    table = Table(title="fascia fault suite")
    for col in ("family", "cases", "data lost", "s", "test"):
        table.add_column(col, justify="left" if col in ("family", "test") else "right")
    for row in rows:
        lost = f"{row['data_lost']} {row['lost_unit']}" if row["lost_unit"] != "-" else "-"
        table.add_row(row["family"], str(row["cases"]), lost, str(row["wall_s"]), row["test"])
    console.print(table)
    power = next((r for r in rows if r["family"] == "power cut"), None)
    if power is not None:
        console.print(
            f"power cuts injected {power['cuts']}, committed records lost {power['data_lost']}, "
            f"boots that failed {power['boots_failed']}"
        )
    strangers = next((r for r in rows if r["family"] == "unbonded central"), None)
    if strangers is not None:  # how each protected operation was answered (any "accepted" fails its test)
        outcomes = strangers.get("outcomes", {})
        console.print(
            f"unbonded central ({', '.join(strangers.get('attackers', []))}): {strangers['cases']} protected "
            f"operations: {', '.join(f'{k} {n}' for k, n in sorted(outcomes.items()))}; "
            f"accepted {outcomes.get('accepted', 0)}, changes on the device {strangers['data_lost']}"
        )
    out = OUT / "faults.json"
    if out.exists():  # a partial run (--only) replaces its families in the last run's file
        old = json.loads(out.read_text())
        if (old.get("profile"), old.get("seed")) == (args.profile, args.seed):
            ran = {r["family"] for r in rows}
            rows = [r for r in old["families"] if r["family"] not in ran] + rows
    out.write_text(json.dumps({"profile": args.profile, "seed": args.seed, "families": rows}, indent=1))
    console.print(f"written {out}")
    return code


if __name__ == "__main__":
    sys.exit(main())
