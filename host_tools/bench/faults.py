"""Reliability fault suite (`make faults`): power cuts, full flash, sensor faults, hostile input, a long run.

Every family runs the unchanged firmware under the real `micropython` binary on the simulated
board (host_tools/sim/mpylib/sim_faults.py puts the faults in from outside the firmware), or, for
hostile input, the shared parsers on CPython with hypothesis (config also under MicroPython).
`--profile quick` (what `make test` runs through tests/test_faults.py) is seconds; `--profile full`
(`make faults`, or FASCIA_FAULTS=full) is the real count. Prints a table (family, cases, failures,
data lost) and writes out/bench/faults.json.

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

Hostile BLE writes (host_tools/bench/faults_ble.py): control-point, Current Time and over-long
writes to one simulated device over one connection (a case is one write): every one refused or
ignored as documented, nothing on the device changed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
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
HEAP_SLACK = 1024  # bytes the live heap may differ between sessions of one activity (fragments)
STEP_MS = 64  # one FIFO chunk at 500 Hz (and a fifth of one at 100 Hz): reads get whole fresh chunks


@dataclass
class Family:
    name: str
    cases: int = 0
    failures: list[str] = field(default_factory=list)
    lost: int = 0  # committed records (or sessions, see `lost_unit`) that did not survive
    lost_unit: str = "records"
    figures: dict = field(default_factory=dict)

    def fail(self, case: str, why: str) -> None:
        self.failures.append(f"{case}: {why}")

    def as_dict(self) -> dict:
        return {
            "family": self.name,
            "cases": self.cases,
            "failures": len(self.failures),
            "data_lost": self.lost,
            "lost_unit": self.lost_unit,
            "failure_examples": self.failures[:10],
            **self.figures,
        }


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
# `run_suite` freezes at its start (so an edit made while the suite runs cannot skew its figures).
_firmware = mpy.FIRMWARE
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


def _known_count(fam: Family, rope: Path) -> int:
    """The count a fault check compares with; 0 would let a device that counts nothing pass."""
    want = expected_count(rope, "jump_rope")
    if want == 0:
        fam.fail(str(rope.name), "the fault trace holds no jumps: its count check could not fail")
    return want


def sessions_on(flash: Path) -> dict[str, dict]:
    """{file name: parsed} for every session file in the flash's log."""
    return {p.name: logread.parse_session(p.read_bytes()) for p in sorted((flash / "log").glob("*.fs[ls]"))}


def _text_pixels(text: str, x: int, y: int) -> set[tuple[int, int]]:
    if str(mpy.SIM_LIB) not in sys.path:
        sys.path.insert(0, str(mpy.SIM_LIB))  # the CPython framebuf stand-in
    import framebuf

    fb = framebuf.FrameBuffer(bytearray(128 * 64 // 8), 128, 64, framebuf.MONO_VLSB)
    fb.text(text, x, y, 1)
    return {(px, py) for py in range(64) for px in range(128) if fb.pixel(px, py)}


def notice_on_screen(frame: Path, title: str) -> bool:
    """Does the devkit display show the notice `title` (dark text on the lit title bar)?"""
    if not frame.exists():
        return False
    rows = fr.decode(frame.read_bytes(), "vlsb", 128, 64)
    lit = {(x, y) for y, row in enumerate(rows) for x, p in enumerate(row) if sum(p) > 96}
    bar = {(x, y) for x in range(128) for y in range(10)}
    return bar - lit == _text_pixels(title, 1, 1)


def text_on_screen(frame: Path, text: str, y: int) -> bool:
    """Is `text` drawn at (0, y) on the devkit display?"""
    rows = fr.decode(frame.read_bytes(), "vlsb", 128, 64)
    lit = {(x, yy) for yy, row in enumerate(rows) for x, p in enumerate(row) if sum(p) > 96}
    region = {(x, yy) for x in range(128) for yy in range(y, y + 8)}
    return lit & region == _text_pixels(text, 0, y)


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


def _check_cut(
    cut: dict, base: dict, reboot: tuple[dict, int], work: Path, real_sync: bool
) -> tuple[list[str], int, bool]:
    """Run one cut and the next boot; returns (problems, committed records lost, boot failed)."""
    from host_tools.store import Store

    flash = work / f"cut{cut['i']:04d}"
    shutil.rmtree(flash, ignore_errors=True)
    flash.mkdir(parents=True)
    dbs = [work / f"{flash.name}.sqlite3", work / f"{flash.name}-sync.sqlite3"]
    for db in dbs:
        db.unlink(missing_ok=True)
    settings = dict(base, trace_writes=True, cut={k: cut[k] for k in ("write", "keep", "erase")})
    r = run_device(flash, settings, timeout=300)
    problems = []
    if r.cut is None or r.returncode != -9:
        return [f"the cut did not happen ({r.crashed() or 'ran to the end'})"], 0, False
    reboot_settings, want = reboot
    rb = run_device(flash, reboot_settings, timeout=300)
    boot_failed = False
    ends = rb.ev("end")
    if rb.crashed() or not rb.ev("start") or not rb.ev("start")[0]["ok"] or not ends:
        boot_failed = True
        problems.append(f"next boot failed: {rb.crashed() or rb.events[:2]}")
    elif ends[0]["count"] != want:
        problems.append(f"next session counted {ends[0]['count']}, expected {want}")
    if not boot_failed and rb.ev("start")[0]["title"] == "CONFIG":
        problems.append("the cut damaged config.json: the next boot complained")
    problems += _config_old_or_new(flash)
    # every record written completely before the cut is there, byte for byte, and parses
    lost = _lost_writes(flash, r.writes)
    files = _files(flash)
    if lost:
        problems.append(f"{lost} committed record(s) lost")
    cut_file = Path(r.cut["file"]).name
    for name, data in files.items():
        errors = logread.parse_session(data)["errors"]
        if len(errors) > (1 if name == cut_file else 0):
            problems.append(f"{name}: {len(errors)} damaged regions: {errors[:2]}")
    # the host store imports every file, with every record that survived
    with Store(flash.parent / f"{flash.name}.sqlite3") as store:
        for name, data in sorted(files.items()):
            parsed = logread.parse_session(data)
            try:
                rid, _ = store.import_session(data, device_id=DEVICE_ID, session_id=int(name[:5]))
            except Exception as e:  # a crash in the importer is exactly what this suite looks for
                problems.append(f"{name}: import failed: {e!r}")
                continue
            rec = store.get(rid) or {}
            if len(rec.get("progress", [])) != len(parsed["progress"]) or rec.get("count") != parsed["count"]:
                problems.append(
                    f"{name}: the store holds {rec.get('count')} / {len(rec.get('progress', []))}"
                )
    if real_sync:
        problems += _real_sync(flash, len(files))
    if not problems:
        shutil.rmtree(flash, ignore_errors=True)
        for db in dbs:
            db.unlink(missing_ok=True)
    return problems, lost, boot_failed


def _config_old_or_new(flash: Path) -> list[str]:
    """After a cut, config.json holds the old settings (none: defaults) or the new ones, whole."""
    from fascia.spec import config as cfg

    conf, problems = cfg.load(str(flash / cfg.CONFIG_FILE))
    if problems or conf not in (cfg.defaults(), dict(cfg.defaults(), **CONFIGURED)):
        return [f"config.json after the cut: {conf} {problems}"]
    return []


def _real_sync(flash: Path, n_files: int) -> list[str]:
    """`fascia sync` (real mpremote over the serial bridge) imports every session on the flash."""
    from host_tools import sync
    from host_tools.sim.serial_bridge import SerialBridge
    from host_tools.store import Store

    with SerialBridge(flash) as bridge, Store(flash.parent / f"{flash.name}-sync.sqlite3") as store:
        report = sync.sync(store, sync.Device(bridge.port), keep=True)
        held = len(store.sessions())
    problems = []
    if report.failed or held != n_files:
        problems.append(f"sync imported {held} of {n_files} sessions; failed: {report.failed}")
    return problems


def power_cut(traces: Traces, work: Path, cuts: int, real_syncs: int, workers: int, seed: int = 1) -> Family:
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
    reboot = ({"sessions": reb_sessions, "end_ms": reb_end}, _known_count(fam, short))
    refs = {}
    for name, base in bases.items():
        flash = work / f"ref_{name}"
        shutil.rmtree(flash, ignore_errors=True)
        ref = run_device(flash, dict(base, trace_writes=True))
        if ref.crashed():
            fam.fail(f"reference {name}", ref.crashed())
            return fam
        for w in ref.writes:
            w["kind"] = _classify(flash, w)
        refs[name] = (base, ref.writes)
    plan_ = _cut_plan(refs, cuts, random.Random(seed))
    for i, c in enumerate(plan_):
        c["i"] = i

    def one(c: dict) -> tuple[dict, list[str], int, bool]:
        problems, lost, boot_failed = _check_cut(c, refs[c["workload"]][0], reboot, work, c["i"] < real_syncs)
        return c, problems, lost, boot_failed

    coverage: dict[str, int] = {}
    boots_failed = 0
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for c, problems, lost, boot_failed in _progress(pool.map(one, plan_), len(plan_), "power cuts"):
            fam.cases += 1
            fam.lost += lost
            boots_failed += boot_failed
            key = f"{c['kind']}/{c['region']}"
            coverage[key] = coverage.get(key, 0) + 1
            for p in problems:
                fam.fail(f"cut {c['i']} ({c['workload']} write {c['write']} {key} keep {c['keep']})", p)
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


def flash_full(traces: Traces, work: Path) -> Family:
    """A small flash that fills up: refusal, no overwrite, recovery after a sync; ENOSPC at every
    kind of write (boot counter, session id, each record type, days.json), in and after a session."""
    fam = Family("flash full", lost_unit="sessions/records")
    rope = traces.rope("basic", 2, KNOWN_COUNT_S)
    want = _known_count(fam, rope)
    _refuse_and_recover(fam, rope, want, work / "full")
    _enospc_at_every_kind(fam, traces, work / "enospc")
    return fam


def _refuse_and_recover(fam: Family, rope: Path, want: int, flash: Path) -> None:
    from host_tools import sync
    from host_tools.sim.serial_bridge import SerialBridge
    from host_tools.store import Store

    shutil.rmtree(flash, ignore_errors=True)
    case = "small flash"
    fam.cases += 1
    sessions, end = plan([(rope, "jump_rope")] * 6)
    frame = flash / "final.vlsb"
    r = run_device(
        flash, {"sessions": sessions, "end_ms": end, "flash_bytes": FULL_AT, "final_frame": str(frame)}
    )
    starts = [e["ok"] for e in r.ev("start")]
    if r.crashed():
        return fam.fail(case, f"crashed: {r.crashed()}")
    if not starts or not starts[0] or all(starts) or starts[starts.index(False) :].count(True):
        return fam.fail(case, f"expected some sessions, then refusals: {starts}")
    if not notice_on_screen(frame, "FLASH FULL"):
        fam.fail(case, "the display does not say FLASH FULL")
    kept = _files(flash)
    recorded = starts.count(True)
    fam.figures["sessions_before_full"] = recorded
    # the next boot still refuses, and touches none of the unsynced sessions
    sessions, end = plan([(rope, "jump_rope")])
    r = run_device(flash, {"sessions": sessions, "end_ms": end, "flash_bytes": FULL_AT})
    if r.crashed() or r.ev("start")[0]["ok"]:
        fam.fail(case, f"a full flash started a session after a reboot: {r.crashed() or r.ev('start')}")
    if _files(flash) != kept:
        fam.fail(case, "unsynced sessions changed while the flash was full")
        fam.lost += len(kept)
    # sync (real mpremote; --keep: acknowledged, left for the device to delete), then a session starts
    with SerialBridge(flash) as bridge, Store(flash.parent / "full.sqlite3") as store:
        report = sync.sync(store, sync.Device(bridge.port), keep=True)
        stored = {(s["session_id"], s["count"]) for s in store.sessions()}
    on_device = {(p["header"]["session_id"], p["count"]) for p in map(logread.parse_session, kept.values())}
    missing = on_device - stored
    fam.lost += len(missing)
    if missing or report.failed:
        fam.fail(case, f"sync lost sessions {sorted(missing)}: {report.failed}")
    r = run_device(flash, {"sessions": sessions, "end_ms": end, "flash_bytes": FULL_AT})
    ends = r.ev("end")
    if r.crashed() or not r.ev("start")[0]["ok"] or not ends or ends[0]["count"] != want:
        fam.fail(case, f"no session after the sync freed space: {r.crashed() or r.events[:3]}")


def _enospc_at_every_kind(fam: Family, traces: Traces, work: Path) -> None:
    rope = traces.rope("basic", 1, 12)
    short = traces.rope("basic", 2, KNOWN_COUNT_S)
    sessions, end = plan([(rope, "jump_rope"), (short, "jump_rope")])
    want = [_known_count(fam, rope), _known_count(fam, short)]
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
    for kind, w in firsts.items():
        for freed in (False, True):
            fam.cases += 1
            case = f"ENOSPC from the first {kind} write" + (", space freed 2 s later" if freed else "")
            flash = work / f"{kind.replace(' ', '_').replace('.', '_')}_{int(freed)}"
            frame = flash / "final.vlsb"
            # from that write on the flash is full; `freed`: 2 s later a sync frees it (same boot)
            full = {"from_write": w["w"]}
            if freed:
                full["until_ms"] = sessions[0]["stop_ms"] + 2000
            r = run_device(
                flash,
                {
                    "sessions": sessions,
                    "end_ms": end,
                    "trace_writes": True,
                    "enospc": full,
                    "final_frame": str(frame),
                },
            )
            if r.crashed():
                fam.fail(case, f"crashed: {r.crashed()}")
                continue
            lost = _lost_writes(flash, r.writes)
            fam.lost += lost
            if lost:
                fam.fail(case, f"{lost} committed records lost")
            for name, data in _files(flash).items():
                errors = logread.parse_session(data)["errors"]
                if errors:
                    fam.fail(case, f"{name}: {errors[:2]}")
            if kind != "days.json" and r.ev("start") and r.final.get("title") != "FLASH FULL":
                fam.fail(case, f"the display says {r.final.get('title')!r}, not FLASH FULL")
            if freed:
                second = [e for e in r.ev("end") if e["i"] == 1]
                if not second or second[0]["count"] != want[1]:
                    fam.fail(case, f"no session once space was freed: {r.events}")
            else:
                if kind != "days.json" and not notice_on_screen(frame, "FLASH FULL"):
                    fam.fail(case, "the display does not say FLASH FULL")
                reb = run_device(flash, {"sessions": sessions[1:], "end_ms": end})
                ends = reb.ev("end")
                if reb.crashed() or not ends or ends[0]["count"] != want[1]:
                    fam.fail(case, f"the next boot could not record: {reb.crashed() or reb.events[:3]}")


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
    """I2C errors (for good, from power-on, before or during a session, or a glitch), a frozen sensor, FIFO
    overflow storms and a bus too slow to keep up: nothing crashes, the watchdog is always fed,
    the session so far is kept and the display says what is wrong."""
    fam = Family("sensor faults", lost_unit="sessions")
    rope = traces.rope("basic", 1, 12)
    long_rope = traces.rope("basic", 3, 30)
    want = expected_count(rope, "jump_rope")
    one, end = plan([(rope, "jump_rope")])
    longer, long_end = plan([(long_rope, "jump_rope")])
    two, two_end = plan([(rope, "jump_rope"), (rope, "jump_rope")])
    t0, t_long = one[0]["start_ms"], longer[0]["start_ms"]
    cases = [
        # name, settings, expected notice title, expected end reason of the first session (None: no session)
        (
            "I2C fails mid-session",
            {"sessions": one, "end_ms": end, "fail_after_ms": t0 + 6000},
            "SENSOR ERROR",
            "sensor",
        ),
        (
            "sensor dead at power-on",
            {"sessions": one, "end_ms": end, "fail_after_ms": 0},
            "SENSOR ERROR",
            None,
        ),
        (
            "I2C fails while idle",
            {"sessions": one, "end_ms": end, "fail_after_ms": 300},
            "SENSOR ERROR",
            None,
        ),
        (
            "I2C glitch of 1 s, then a new session",
            {"sessions": two, "end_ms": two_end, "i2c_glitch": [t0 + 6000, t0 + 7000]},
            "",
            "sensor",
        ),
        (
            "sensor frozen mid-session",
            {"sessions": longer, "end_ms": long_end, "stuck_after_ms": t_long + 5000},
            "SENSOR STUCK",
            "sensor",
        ),
        (
            "sensor frozen before the start",
            {"sessions": one, "end_ms": end, "stuck_after_ms": 200},
            "SENSOR STUCK",
            "sensor",
        ),
        (
            "FIFO overflow storm (loop every 600 ms)",
            {"sessions": one, "end_ms": end, "step_ms": 600},
            "",
            "stop",
        ),
        (
            "bus too slow to keep up (40 ms a read)",
            {"sessions": one, "end_ms": end, "slow_read_ms": 40},
            "",
            "stop",
        ),
    ]
    for name, settings, title, reason in cases:
        fam.cases += 1
        flash = work / name.split(" (")[0].replace(" ", "_").replace(",", "")
        shutil.rmtree(flash, ignore_errors=True)
        frame = flash / "final.vlsb"
        r = run_device(flash, {**settings, "final_frame": str(frame)})
        if r.crashed():
            fam.fail(name, f"crashed: {r.crashed()}")
            fam.lost += len(settings["sessions"])
            continue
        files = [logread.parse_session(d) for d in _files(flash).values()]
        if reason is None:
            if files or r.ev("start")[0]["ok"]:
                fam.fail(name, "a session started with a dead sensor")
        elif not files or files[0]["status"] != "complete" or files[0]["end"]["reason"] != reason:
            fam.fail(
                name, f"the session was not saved with reason {reason!r}: {[f['status'] for f in files]}"
            )
            fam.lost += 1
        elif files[0]["count"] > want + 2 or ("mid-session" in name and not files[0]["count"]):
            fam.fail(name, f"the saved session counts {files[0]['count']} (the whole trace: {want})")
        if title and not notice_on_screen(frame, title):
            fam.fail(name, f"the display does not say {title}")
        if "glitch" in name:
            ends = r.ev("end")
            if len(ends) != 2 or ends[1]["count"] != want:
                fam.fail(name, f"no good session after the glitch: {ends}")
        if "storm" in name or "slow" in name:
            gaps = (files[0]["end"] or {}).get("extras", {}).get("gaps", 0) if files else 0
            if not gaps:
                fam.fail(name, "no gaps recorded")
            elif not text_on_screen(frame, f"data gaps {gaps}", 32):
                fam.fail(name, "the summary does not show the gaps")
            fam.figures[f"gaps: {name}"] = gaps
    return fam


# ---------------------------------------------------------------- hostile input (hypothesis)


def _hypothesis(check: Callable[[object], None], strategy, examples: int, seed: int) -> tuple[int, list[str]]:
    """Run `check` on `examples` generated inputs (seeded, no deadline, no example database);
    returns (examples run, failures: the shrunk counterexample)."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hseed

    ran = [0]

    @hseed(seed)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
        print_blob=False,
    )
    @given(strategy)
    def prop(value) -> None:
        ran[0] += 1
        check(value)

    try:
        prop()
    except Exception as e:  # hypothesis re-raises the shrunk failure: report it, do not crash the suite
        return ran[0], [f"{type(e).__name__}: {str(e)[:300]}"]
    return ran[0], []


# -- log records


def _log_strategies():
    from hypothesis import strategies as st

    u32 = st.integers(0, 2**32 - 1)
    extras = st.dictionaries(
        st.sampled_from(sorted(logread.EXTRAS.values())) | st.text("abcxyz_", min_size=1, max_size=8),
        st.integers(-(2**40), 2**40),
        max_size=5,
    )
    header = st.builds(
        lambda sid, act, mode, start, synced, boot, dev, w, load: log.pack_header(
            sid,
            act,
            mode,
            {name: 7 for name in log.MODE_PARAMS[mode]},
            start=start,
            clock_synced=synced,
            boot=boot,
            device_id=dev.hex(),
            user_weight_g=w,
            load_g=load,
        ),
        u32,
        st.sampled_from(sorted(log.ACTIVITY_CODES)),
        st.sampled_from(sorted(log.MODE_CODES)),
        u32,
        st.booleans(),
        st.integers(0, 0xFFFF),
        st.binary(max_size=16).filter(lambda b: b != b"\xee" * 16),
        u32,
        u32,
    )
    progress = st.builds(log.pack_progress, st.integers(0, 2**32 - 1), u32, extras)
    events = st.lists(st.integers(0, 70_000), min_size=1, max_size=300).map(
        lambda gaps: log.pack_events([sum(gaps[: i + 1]) for i in range(len(gaps))])
    )
    end = st.builds(log.pack_end, u32, u32, st.integers(-5, 70_000), st.sampled_from(log.END_REASONS), extras)
    records = st.tuples(header, st.lists(progress | events, max_size=8), end).map(
        lambda t: [t[0], *t[1], t[2]]
    )
    mutation = st.one_of(
        st.tuples(st.just("flip"), st.integers(0, 10**6), st.integers(0, 7)),
        st.tuples(st.just("length"), st.integers(0, 10**6), st.integers(0, 0xFFFF)),
        st.tuples(st.just("garbage"), st.integers(0, 10**6), st.binary(min_size=1, max_size=40)),
        st.tuples(st.just("reframe"), st.integers(0, 10**6), st.binary(max_size=60)),
        st.tuples(st.just("duplicate"), st.integers(0, 10**6), st.just(0)),
    )
    return st.tuples(records, st.lists(mutation, max_size=4), st.integers(0, 10**6) | st.none())


def _mutate(records: list[bytes], mutations, truncate) -> tuple[bytes, list[tuple[int, bytes]]]:
    """Damage a session: returns (bytes, [(offset, record)] of the records left whole)."""
    segments: list[tuple[bool, bytes]] = [(True, r) for r in records]  # (still whole, bytes)
    for kind, at, arg in mutations:
        i = at % len(segments)
        whole, seg = segments[i]
        if kind == "flip":
            pos = at % len(seg)
            seg = seg[:pos] + bytes([seg[pos] ^ (1 << arg)]) + seg[pos + 1 :]
            segments[i] = (False, seg)
        elif kind == "length" and len(seg) >= 5:  # a wrong (maybe huge) length, CRC not updated
            seg = seg[:3] + arg.to_bytes(2, "little") + seg[5:]
            segments[i] = (seg == segments[i][1] and whole, seg)
        elif kind == "garbage":
            segments.insert(i, (False, arg))
        elif kind == "reframe" and whole:  # a valid frame with an undecodable payload (a writer bug)
            segments[i] = (False, log.frame(seg[2], arg))
        elif kind == "duplicate":
            segments.insert(i, (whole, seg))
    data = b"".join(seg for _, seg in segments)
    if truncate is not None:
        data = data[: truncate % (len(data) + 1)]
    kept, off = [], 0
    for whole, seg in segments:
        if whole and off + len(seg) <= len(data):
            kept.append((off, seg))
        off += len(seg)
    return data, kept


def hostile_logs(examples: int, seed: int, work: Path) -> Family:
    """Damaged session logs: the parser never raises, every record left whole is still read, each
    damaged region is one sentence, and the host store imports them without touching what it holds."""
    from host_tools.store import _BY_KEY as BY_KEY
    from host_tools.store import Store
    from host_tools.store import _key as store_key

    fam = Family("hostile: log records", lost_unit="records")
    work.mkdir(parents=True, exist_ok=True)
    db = work / "hostile_logs.sqlite3"
    db.unlink(missing_ok=True)
    store = Store(db)
    held = log.pack_header(1, "jump_rope", "free", device_id="ee" * 16) + log.pack_end(1000, 5)
    held_id, _ = store.import_session(held)
    lost = [0]

    def check(value) -> None:
        records, mutations, truncate = value
        data, kept = _mutate(records, mutations, truncate)
        found = {(off, t): fields for off, t, fields in logread.iter_records(data)}
        parsed = logread.parse_session(data)
        assert all(isinstance(e, str) and e for e in parsed["errors"])
        for off, rec in kept:
            ref = next(iter(logread.iter_records(rec)))
            if found.get((off, ref[1])) != ref[2]:
                lost[0] += 1
                raise AssertionError(f"the whole record at {off} was not read back: {rec.hex()}")
        # what the store must answer, from what it held under this file's key before the import
        key = store_key(parsed["header"] or {}, "ab", 7)
        before = store.con.execute("SELECT raw FROM sessions WHERE " + BY_KEY, key).fetchone()
        before = None if before is None else bytes(before["raw"])
        want = (
            "new"
            if before is None
            else "duplicate"
            if before == data
            else "updated"
            if data.startswith(before)
            else "conflict"
        )
        rid, outcome = store.import_session(data, device_id="ab", session_id=7)
        assert outcome == want, f"import said {outcome!r}, expected {want!r}"
        assert store.raw(rid) == (before if want == "conflict" else data), (
            "the stored copy is not the right one"
        )
        row = store.get(held_id) or {}
        assert store.raw(held_id) == held and row.get("count") == 5, "a stored session changed"

    fam.cases, fam.failures = _hypothesis(check, _log_strategies(), examples, seed)
    fam.lost = lost[0]
    store.close()
    return fam


# -- trace CSV


def _invalid_utf8(data: bytes):
    """`data` with bytes no UTF-8 text holds (a stray continuation, a cut sequence, 0xFF) put in."""
    from hypothesis import strategies as st

    bad = st.sampled_from((b"\x80", b"\xc3", b"\xe2\x82", b"\xff\xfe", b"\xed\xa0\x80"))
    return st.tuples(st.integers(0, len(data)), bad).map(lambda t: data[: t[0]] + t[1] + data[t[0] :])


def _hostile_kinds(data: bytes, kinds: dict[str, int]) -> None:
    """Count the inputs a fuzzer made that a test must see: invalid UTF-8, a number of 20+ digits
    (beyond any machine word), a line of 1,000+ bytes."""
    try:
        data.decode()
    except UnicodeError:
        kinds["invalid_utf8"] += 1
    if re.search(rb"[0-9]{20}", data):
        kinds["huge_number"] += 1
    if max(map(len, data.split(b"\n"))) >= 1000:
        kinds["long_line"] += 1


def _trace_strategy():
    from hypothesis import strategies as st

    cell = st.one_of(
        st.integers(-40_000, 40_000).map(str),
        st.integers(-(2**70), 2**70).map(str),  # beyond 2^31, 2^32, 2^63: epoch ms and worse
        st.integers(20, 400).map(lambda n: "9" * n),  # a number longer than any machine word
        st.from_regex(r"\A-?[0-9]{0,6}(\.[0-9]{0,3})?\Z"),
        st.text("0123456789.,-+eE _x\t\r\x00²٣１\u2028", max_size=8),
        st.text(max_size=6),
    )
    line = st.one_of(
        st.lists(cell, min_size=4, max_size=4).map(",".join),
        st.integers(1_000, 200_000).map(lambda n: "1," * n),  # a line far longer than any sample
        st.lists(cell, max_size=6).map(",".join),
        st.just("t_ms,x,y,z"),
        st.just(""),
    )
    text = st.tuples(
        st.sampled_from(("t_ms,x,y,z", "t_ms,x,y", "", "T_MS,X,Y,Z")), st.lists(line, max_size=40)
    ).map(lambda t: "\n".join([t[0], *t[1]]) + "\n")
    return st.one_of(
        text.map(str.encode),
        text.map(str.encode).flatmap(_invalid_utf8),
        text.map(lambda s: s.encode("utf-16")),
        st.binary(max_size=300),
    ), st.sampled_from(("jump_rope", "swing", "walk"))


def hostile_traces(examples: int, seed: int, work: Path) -> Family:
    """Hostile CSV for `fascia count`: a result, or a CountError naming the file (and the line);
    never any other exception."""

    from host_tools.count import CountError, count_file

    fam = Family("hostile: trace CSV", lost_unit="-")
    work.mkdir(parents=True, exist_ok=True)
    path = work / "hostile.csv"
    located = re.compile(re.escape(str(path)) + r":(\d+)?:? ")

    kinds = dict.fromkeys(("invalid_utf8", "huge_number", "long_line"), 0)

    def check(value) -> None:
        data, activity = value
        _hostile_kinds(data, kinds)
        path.write_bytes(data)
        try:
            result = count_file(path, activity)
        except CountError as e:
            m = located.match(str(e))
            assert m, f"rejection without the file name: {e}"
            if m.group(1):
                assert 1 <= int(m.group(1)) <= data.count(b"\n") + 1, f"line out of range: {e}"
            return
        assert isinstance(result["count"], int) and result["count"] >= 0

    strategy = _trace_strategy()
    from hypothesis import strategies as st

    fam.cases, fam.failures = _hypothesis(check, st.tuples(*strategy), examples, seed)
    fam.figures["inputs"] = kinds
    return fam


# -- config.json


def _config_strategy():
    from hypothesis import strategies as st

    from fascia.spec import config as cfg

    json_value = st.recursive(
        st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=25),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
        max_leaves=8,
    )
    good = {
        name: st.integers(spec[1], spec[2]) if len(spec) == 3 else st.sampled_from(spec[1] or ("ok",))
        for name, spec in cfg.FIELDS.items()
    }
    field_value = st.sampled_from(sorted(cfg.FIELDS)).flatmap(
        lambda n: st.tuples(st.just(n), good[n] | json_value)
    )
    obj = st.tuples(
        st.lists(field_value, max_size=8), st.dictionaries(st.text(max_size=6), json_value, max_size=2)
    )
    as_json = obj.map(lambda t: json.dumps({**dict(t[0]), **t[1]}, allow_nan=True))
    text = st.one_of(
        as_json,
        as_json.flatmap(lambda s: st.integers(0, len(s)).map(lambda n: s[:n])),  # cut short
        st.integers(20, 5000).map(lambda n: '{"weight_kg": ' + "9" * n + "}"),  # a huge number
        st.integers(100, 10_000).map(lambda n: '{"device_name": "' + "x" * n + '"}'),  # a long line
        st.integers(1, 100_000).map(lambda n: "[" * n),  # nesting beyond any stack
        st.integers(1, 3000).map(lambda n: '{"weight_kg": ' * n),
        json_value.map(json.dumps),
        st.text(max_size=60),
    )
    return st.one_of(text.map(str.encode), text.map(str.encode).flatmap(_invalid_utf8))


def _check_config(text: str, result: tuple) -> None:
    from fascia.spec import config as cfg

    config, problems = result
    assert set(config) == set(cfg.FIELDS), "fields missing"
    assert all(cfg._check(name, value) is None for name, value in config.items()), "a bad value was kept"
    assert all(isinstance(p, str) and p for p in problems)
    if problems and "not valid JSON" in problems[0]:  # this runtime's json refused the text:
        assert config == cfg.defaults(), "defaults not kept"  # (MicroPython's is stricter in places)
        return
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return
    if isinstance(data, dict):
        for name, value in data.items():
            if name in cfg.FIELDS:
                ok = cfg._check(name, value) is None
                assert (config[name] == value) if ok else any(name in p for p in problems), name


# Runs inside micropython: config.parse on each text of a JSON list, one JSON line per text.
_MPY_CONFIGS = """
import sys, json
from fascia.spec import config as cfg
for t in json.load(open(sys.argv[1])):
    try:
        print(json.dumps(cfg.parse(t)))
    except Exception as e:
        print(json.dumps({"raised": repr(e)}))
"""


def hostile_configs(examples: int, seed: int, work: Path, traces: Traces) -> Family:
    """Hostile config.json: parse never raises, bad fields keep their default with a reason; a
    sample also under MicroPython (its json differs), and the device boots with the worst of them."""
    from fascia.spec import config as cfg

    fam = Family("hostile: config.json", lost_unit="-")
    sample: list[str] = []

    path = work / "hostile_config.json"
    work.mkdir(parents=True, exist_ok=True)

    kinds = dict.fromkeys(("invalid_utf8", "huge_number", "long_line"), 0)

    def check(data: bytes) -> None:
        """The file as the device reads it: bytes (invalid UTF-8, too long: defaults and one complaint)."""
        _hostile_kinds(data, kinds)
        path.write_bytes(data)
        result = cfg.load(str(path))
        try:
            text = data.decode()
        except UnicodeError:
            assert result == (cfg.defaults(), ["config.json is unreadable: defaults used"]), result[1]
            return
        if len(data) > cfg.CONFIG_MAX_BYTES:
            assert result == (cfg.defaults(), ["config.json is unreadable: defaults used"]), result[1]
            return
        if len(sample) < 200:
            sample.append(text)
        _check_config(text, result)

    fam.cases, fam.failures = _hypothesis(check, _config_strategy(), examples, seed)
    fam.figures["inputs"] = kinds
    # the same texts (and the worst shapes) through the device's own json, under MicroPython
    worst = [
        "[" * 100_000,
        '{"weight_kg": ' * 5000,
        '{"device_name": "\\ud800"}',
        "\x00" * 100,
        "{" + "1" * 5000,
    ]
    batch = work / "configs.json"
    work.mkdir(parents=True, exist_ok=True)
    batch.write_text(json.dumps(sample + worst))
    proc = mpy.run(["-c", _MPY_CONFIGS, str(batch)], timeout=600)
    lines = [json.loads(x) for x in proc.stdout.splitlines() if x.startswith(("[", "{"))]
    fam.cases += len(sample) + len(worst)
    if proc.returncode != 0 or len(lines) != len(sample) + len(worst):
        fam.fail("MicroPython batch", (proc.stderr or proc.stdout).strip()[-300:])
    for text, line in zip(sample + worst, lines, strict=False):
        if isinstance(line, dict):
            fam.fail(f"MicroPython: {text[:40]!r}", line["raised"])
        else:
            try:
                _check_config(text, tuple(line))
            except AssertionError as e:
                fam.fail(f"MicroPython: {text[:40]!r}", str(e))
    # the device boots with them, says CONFIG, and records a session with the defaults
    rope = traces.rope("basic", 2, KNOWN_COUNT_S)
    sessions, end = plan([(rope, "jump_rope")])
    want = _known_count(fam, rope)
    boot_with = [t.encode() for t in worst] + [
        b'{"weight_kg": "heavy", "mode": "sprint", "activity": 3}',
        b'{"weight_kg": 80, "device_name": "caf\xc3"}',  # invalid UTF-8: a cut sequence
        b'{"weight_kg": 1' + b"0" * 400 + b"}",  # a huge number
        b'{"device_name": "' + b"x" * 5000 + b'"}',  # a long line, over the size limit
    ]
    for k, text in enumerate(boot_with):
        fam.cases += 1
        flash = work / f"boot{k}"
        shutil.rmtree(flash, ignore_errors=True)
        flash.mkdir(parents=True)
        (flash / cfg.CONFIG_FILE).write_bytes(text)
        r = run_device(flash, {"sessions": sessions, "end_ms": end})
        ends = r.ev("end")
        if r.crashed() or not ends or ends[0]["count"] != want:
            fam.fail(f"boot with config {text[:30]!r}", r.crashed() or str(r.events[:2]))
        elif r.ev("start")[0]["title"] != "CONFIG":
            fam.fail(f"boot with config {text[:30]!r}", "no CONFIG notice")
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
    pipeline at speed (no display transfers): every session's count equals the detector run
    offline on what the sensor sampled, the live heap does not grow, the log grows as expected."""
    fam = Family("long run", lost_unit="counts off")
    todo = _long_plan(traces, hours)
    span = int(hours * 3_600_000)
    every = span // len(todo) // 10 * 10
    sessions = []
    for k, (trace, activity) in enumerate(todo):
        start = 60_000 + k * every
        stop = start + trace_duration_ms(trace) + 1000
        sessions.append({"activity": activity, "trace": str(trace), "start_ms": start, "stop_ms": stop})
    wants = [expected_count(trace, activity) for trace, activity in todo]
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
    if r.crashed():
        fam.fail("run", r.crashed())
        return fam
    files = list(_files(flash).values())
    for k, ((_, activity), want) in enumerate(zip(todo, wants, strict=True)):
        parsed = logread.parse_session(files[k]) if k < len(files) else {"count": None, "status": "missing"}
        if parsed["count"] != want or parsed["status"] != "complete":
            fam.lost += abs((parsed["count"] or 0) - want)
            fam.fail(
                f"session {k} ({activity})", f"logged {parsed['count']} ({parsed['status']}), offline {want}"
            )
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
    growth = max((h[-1] - h[0] for h in by_activity.values()), default=0)
    if growth > HEAP_SLACK:
        fam.fail("heap", f"the heap after a session grew by {growth} bytes: {by_activity}")
    active_h = sum(s["stop_ms"] - s["start_ms"] for s in sessions) / 3_600_000
    log_bytes = sum(len(f) for f in files)
    fam.figures.update(
        {
            "virtual_hours": round(hours, 2),
            "active_hours": round(active_h, 2),
            "wall_s": round(wall, 1),
            "heap_idle_bytes": [min(idle), max(idle)],
            "heap_after_sessions": [min(ends), max(ends)] if ends else [],
            "heap_growth_bytes": growth,
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


def _stored(db: Path) -> dict[int, list[bytes]]:
    """{device session id: [raw bytes of each stored copy]} (a missing database: empty)."""
    from host_tools.store import Store

    out: dict[int, list[bytes]] = {}
    with Store(db, write=False) as store:
        for rec in store.sessions():
            out.setdefault(rec["session_id"], []).append(store.raw(rec["id"]) or b"")
    return out


def _after_cut(flash: Path, originals: dict[int, bytes], db: Path) -> tuple[list[str], int, str]:
    """After the interruption: device files unchanged, and every session the device no longer holds
    or has acknowledged (.fss) committed in the store. Returns (problems, sessions lost, where the
    cut left things: "stored S, acked A, deleted D")."""
    stored = _stored(db)
    on_device = {int(p.stem): p for p in (flash / "log").glob("*.fs[ls]")}
    problems, lost = [], 0
    for sid, raw in originals.items():
        path = on_device.get(sid)
        if path is not None and path.read_bytes() != raw:
            problems.append(f"session {sid} changed on the device")
        committed = raw in stored.get(sid, [])
        if path is None and not committed:
            problems.append(f"session {sid} deleted from the device before it was stored")
            lost += 1
        elif path is not None and path.suffix == ".fss" and not committed:
            problems.append(f"session {sid} acknowledged on the device before it was stored")
    acked = sum(p.suffix == ".fss" for p in on_device.values())
    where = f"stored {len(stored)}, acked {acked}, deleted {len(set(originals) - set(on_device))}"
    return problems, lost, where


def _after_rerun(flash: Path, originals: dict[int, bytes], db: Path, left: str) -> tuple[list[str], int]:
    """After the rerun: each session stored exactly once with its exact bytes and the count the
    reader parses from them; on the device none is left (`left` "") or each acknowledged ("fss")."""
    from host_tools.store import Store

    stored = _stored(db)
    problems, lost = [], 0
    for sid, raw in originals.items():
        copies = stored.get(sid, [])
        if copies != [raw]:
            problems.append(f"session {sid} stored {len(copies)} time(s), bytes equal: {raw in copies}")
            lost += raw not in copies
    if extra := set(stored) - set(originals):
        problems.append(f"sessions stored that the device never had: {sorted(extra)}")
    with Store(db, write=False) as store:
        for rec in store.sessions():
            if rec["session_id"] in originals:
                want = logread.parse_session(originals[rec["session_id"]])["count"]
                if rec["count"] != want:
                    problems.append(f"session {rec['session_id']}: count {rec['count']}, the log says {want}")
    on_device = sorted(p.name for p in (flash / "log").glob("*.fs[ls]"))
    expected = [f"{sid:05d}.{left}" for sid in sorted(originals)] if left else []
    if on_device != expected:
        problems.append(f"left on the device: {on_device}, expected {expected}")
    return problems, lost


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


def _usb_case(case: dict, base: Path, originals: dict[int, bytes], work: Path) -> tuple[list[str], int, str]:
    """One cut: copy the flash, start `fascia sync`, kill it (at a byte or a time), check, rerun, check."""
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
        problems, lost, where = _after_cut(flash, originals, db)
        bridge.cut_after(None)  # the cable back in
        rerun = subprocess.run(
            _sync_cmd(bridge.port, db), cwd=REPO, capture_output=True, text=True, timeout=SYNC_TIMEOUT_S
        )
    if rerun.returncode != 0:
        problems.append(f"the rerun failed: {(rerun.stderr.strip().splitlines() or ['?'])[-1]}")
    more, more_lost = _after_rerun(flash, originals, db, left="")
    if not problems and not more:
        shutil.rmtree(flash, ignore_errors=True)
        for f in work.glob(f"{db.name}*"):
            f.unlink()
    return problems + more, lost + more_lost, where


def interrupted_sync_usb(work: Path, cuts: int, seed: int = 1) -> Family:
    """`fascia sync` over USB killed at `cuts` seeded points (alternately a byte on the serial line
    and a time within a full sync), then rerun: every session once, nothing lost."""
    fam = Family("interrupted sync (USB)", lost_unit="sessions")
    base = work / "flash"
    originals = sessions_flash(base, seed)
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
    after_cut: dict[str, int] = {}
    for case in _progress(plan_, len(plan_), "interrupted USB syncs"):
        fam.cases += 1
        problems, lost, where = _usb_case(case, base, originals, work)
        after_cut[where] = after_cut.get(where, 0) + 1
        fam.lost += lost
        for p in problems:
            fam.fail(f"cut {case['i']} ({case['mode']} {case['at']})", p)
    fam.figures.update(
        {
            "sessions": len(originals),
            "flash_bytes": sum(map(len, originals.values())),
            "full_sync_s": round(full_s, 2),
            "full_sync_serial_bytes": full_bytes,
            "after_cut": dict(sorted(after_cut.items())),
        }
    )
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


def interrupted_sync_ble(work: Path, cuts: int, seed: int = 1) -> Family:
    """A sync over Bluetooth whose link drops after a seeded ATT read/write, then a rerun."""
    from host_tools.sync import SyncError

    fam = Family("interrupted sync (BLE)", lost_unit="sessions")
    flash = work / "flash"
    originals = sessions_flash(flash, seed + 1)
    for f in work.glob("*.sqlite3*"):
        f.unlink()
    rig = _BleRig(flash)
    try:
        t0 = time.monotonic()
        ref = rig.sync(work / "ref.sqlite3")
        full_s, full_ops, ack_ops = time.monotonic() - t0, rig.ops, rig.ack_ops
        if isinstance(ref, Exception) or ref.failed or len(ref.imported) != len(originals):
            fam.fail("reference sync", str(ref if isinstance(ref, Exception) else ref.failed))
            return fam
        rng = random.Random(seed)
        after_cut: dict[str, int] = {}
        unclean: dict[str, int] = {}  # stops by something other than the one-line SyncError
        reconnected = 0  # syncs that reconnected after the drop and finished
        in_window = 0  # cuts aimed at the commit/acknowledge window
        if not ack_ops:
            fam.fail("reference sync", "no ACK_SYNCED write seen: cannot cut the commit/acknowledge window")
        for i in _progress(range(cuts), cuts, "interrupted BLE syncs"):
            fam.cases += 1
            if i % 5 < 2 and ack_ops:  # 40 %: around a session's commit and acknowledgement (the
                # last read before the ACK_SYNCED write, the write, the write's indication)
                at = min(max(rng.choice(ack_ops) + rng.randint(-1, 1), 1), full_ops)
                in_window += 1
            else:
                at = rng.randint(1, full_ops)
            db = work / f"ble{i:04d}.sqlite3"
            rig.restore(originals)
            cut = rig.sync(db, drop_at=at)
            problems, lost, where = _after_cut(flash, originals, db)
            after_cut[where] = after_cut.get(where, 0) + 1
            if isinstance(cut, Exception) and not isinstance(cut, SyncError):
                key = type(cut).__module__ + "." + type(cut).__name__
                unclean[key] = unclean.get(key, 0) + 1
                problems.append(f"stopped by {key} (not the one-line SyncError): {cut}")
            elif not isinstance(cut, Exception) and at < full_ops and not (cut.failed or cut.device_errors):
                # the link dropped between two steps and BleDevice reconnected for the next one: a
                # finished sync is right then, provided it really holds every session (checked below)
                reconnected += 1
            rerun = rig.sync(db)
            if isinstance(rerun, Exception):
                problems.append(f"the rerun failed: {rerun}")
            elif rerun.failed:
                problems.append(f"the rerun failed: {rerun.failed}")
            more, more_lost = _after_rerun(flash, originals, db, left="fss")
            fam.lost += lost + more_lost
            for p in problems + more:
                fam.fail(f"cut {i} (after ATT op {at} of {full_ops})", p)
            if not problems and not more:
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
            "after_cut": dict(sorted(after_cut.items())),
            "unclean_stops": unclean,
            "cuts_in_commit_ack_window": in_window,
            "reconnected_and_finished": reconnected,
        }
    )
    return fam


# ---------------------------------------------------------------- the suite


FAMILIES = (
    "power",
    "flash",
    "sensor",
    "logs",
    "traces",
    "configs",
    "ble_writes",
    "unbonded",
    "long",
    "sync_usb",
    "sync_ble",
)


def run_suite(
    profile: str, seed: int = 1, only: tuple[str, ...] = FAMILIES, work: Path | None = None
) -> list[Family]:
    """Run the families in `only` with the `profile`'s counts; their results in order."""
    global _firmware
    p = PROFILES[profile]
    from host_tools.bench.faults_ble import hostile_ble, unbonded_central  # (it imports Family from here)

    work = work or OUT.parent / "faults" / profile
    frozen = work / "firmware"
    shutil.rmtree(frozen, ignore_errors=True)
    shutil.copytree(mpy.FIRMWARE, frozen, ignore=shutil.ignore_patterns("__pycache__", "*.mpy"))
    _firmware = frozen
    traces = Traces(OUT.parent / "faults" / "traces")
    runs: dict[str, Callable[[], Family]] = {
        "power": lambda: power_cut(traces, work / "power", p["cuts"], p["real_syncs"], p["workers"], seed),
        "flash": lambda: flash_full(traces, work / "flash"),
        "sensor": lambda: sensor_faults(traces, work / "sensor"),
        "logs": lambda: hostile_logs(p["examples"], seed, work / "hostile"),
        "traces": lambda: hostile_traces(p["examples"], seed, work / "hostile"),
        "configs": lambda: hostile_configs(p["examples"], seed, work / "hostile", traces),
        "ble_writes": lambda: hostile_ble(p["examples"], seed, work / "hostile_ble"),
        "unbonded": lambda: unbonded_central(work / "unbonded", seed),
        "long": lambda: long_run(traces, work / "long", p["long_hours"]),
        "sync_usb": lambda: interrupted_sync_usb(work / "sync_usb", p["sync_cuts"], seed),
        "sync_ble": lambda: interrupted_sync_ble(work / "sync_ble", p["sync_cuts"], seed),
    }
    results = []
    try:
        for name in only:
            t0 = time.monotonic()
            fam = runs[name]()
            fam.figures["wall_s"] = fam.figures.get("wall_s", round(time.monotonic() - t0, 1))
            results.append(fam)
    finally:
        _firmware = mpy.FIRMWARE
    return results


def main(argv: list[str] | None = None) -> int:
    from rich.console import Console
    from rich.table import Table

    ap = argparse.ArgumentParser(
        prog="python -m host_tools.bench.faults",
        description="Fault suite: power cuts, full flash, sensor faults, hostile input, long run, sync cut.",
    )
    ap.add_argument("--profile", choices=sorted(PROFILES), default=os.environ.get("FASCIA_FAULTS", "full"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", nargs="+", choices=FAMILIES, default=list(FAMILIES))
    args = ap.parse_args(argv)
    console = Console()
    console.print(f"fault suite, profile [bold]{args.profile}[/bold], seed {args.seed}")
    results = run_suite(args.profile, args.seed, tuple(args.only))
    table = Table(title="fascia fault suite")
    for col in ("family", "cases", "failures", "data lost", "s"):
        table.add_column(col, justify="left" if col == "family" else "right")
    for fam in results:
        lost = f"{fam.lost} {fam.lost_unit}" if fam.lost_unit != "-" else "-"
        table.add_row(fam.name, str(fam.cases), str(len(fam.failures)), lost, str(fam.figures["wall_s"]))
    console.print(table)
    for fam in results:
        for f in fam.failures[:5]:
            console.print(f"[red]{fam.name}[/red]: {f}")
    power = next((f for f in results if f.name == "power cut"), None)
    if power is not None and "cuts" in power.figures:
        console.print(
            f"power cuts injected {power.figures['cuts']}, committed records lost {power.lost}, "
            f"boots that failed {power.figures['boots_failed']}"
        )
    OUT.mkdir(parents=True, exist_ok=True)
    out = OUT / "faults.json"
    rows = [f.as_dict() for f in results]
    if out.exists():  # a partial run (--only) replaces its families in the last run's file
        old = json.loads(out.read_text())
        if (old.get("profile"), old.get("seed")) == (args.profile, args.seed):
            ran = {r["family"] for r in rows}
            rows = [r for r in old["families"] if r["family"] not in ran] + rows
    out.write_text(json.dumps({"profile": args.profile, "seed": args.seed, "families": rows}, indent=1))
    console.print(f"written {out}")
    return 1 if any(f.failures for f in results) else 0


if __name__ == "__main__":
    sys.exit(main())
