"""Reliability fault suite: each family's oracle, next to its test (quick profile; `make faults` runs
these tests at the full counts and prints their figures: host_tools/bench/faults.py).

Each family runs the unchanged firmware under the real `micropython` binary on the simulated
board with faults put in from outside (host_tools/sim/mpylib/sim_faults.py), or the shared
parsers on hostile input (hypothesis, seeded). The harness (host_tools/bench/faults.py,
faults_input.py) runs the cases and reports what it observed; what must hold is written here.
FASCIA_FAULTS=full runs the full counts here too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from fascia.spec import config as cfg
from fascia.spec import log, logread
from fascia.spec.trace import TraceError, parse_time_ms
from host_tools.bench import faults
from host_tools.bench import faults_input as hostile

PROFILE_NAME, PROFILE = faults.profile()
SEED = faults.seed()
HEAP_SLACK = 1024  # bytes the live heap may differ between sessions of one activity (fragments)
CONFIG_UNREADABLE = (cfg.defaults(), ["config.json is unreadable: defaults used"])


@pytest.fixture(scope="module")
def traces() -> faults.Traces:
    return faults.Traces(faults.OUT.parent / "faults" / "traces")


def judged(fam: faults.Family, oracle) -> list[str]:
    """Every case's problems by `oracle` (observation -> [what is wrong]), each with its case."""
    assert fam.cases > 0 and len(fam.observed) == fam.cases
    return [f"{seen['case']}: {p}" for seen in fam.observed for p in oracle(seen)]


def boot_problems(run: dict, want: int) -> list[str]:
    """A device run that must start its session and count `want` (the detector offline)."""
    if run["crashed"] or not run["starts"] or not run["starts"][0] or not run["counts"]:
        return [f"the session did not run: {run['crashed'] or run['events']}"]
    return [] if run["counts"][0] == want else [f"counted {run['counts'][0]}, offline {want}"]


# ---------------------------------------------------------------- power cuts


def cut_problems(seen: dict, want: int) -> list[str]:
    """After a cut and the next boot: the next boot records a session (counted as offline) without a
    CONFIG complaint; config.json holds the old settings or the new ones, whole; no committed
    record is lost; only the file being written holds a damaged region (one); the host store
    imports every file with every record that survived; a real `fascia sync` stores every file."""
    if seen["cut"] is None or seen["returncode"] != -9:
        return [f"the cut did not happen ({seen['crashed'] or 'ran to the end'})"]
    reboot = seen["reboot"]
    problems = [f"next boot: {p}" for p in boot_problems(reboot, want)]
    if reboot["start_title"] == "CONFIG":
        problems.append("the cut damaged config.json: the next boot complained")
    conf, complaints = seen["config"]
    if complaints or conf not in (cfg.defaults(), dict(cfg.defaults(), **faults.CONFIGURED)):
        problems.append(f"config.json after the cut: {conf} {complaints}")
    if seen["lost"]:
        problems.append(f"{seen['lost']} committed record(s) lost")
    cut_file = Path(seen["cut"]["file"]).name
    for name, errors in seen["damaged"].items():
        if len(errors) > (1 if name == cut_file else 0):
            problems.append(f"{name}: {len(errors)} damaged regions: {errors[:2]}")
    for name, imported in seen["imported"].items():
        if "error" in imported:
            problems.append(f"{name}: import failed: {imported['error']}")
        elif imported["stored"] != imported["parsed"]:
            problems.append(
                f"{name}: the store holds count/progress {imported['stored']}, the file {imported['parsed']}"
            )
    sync = seen.get("sync")
    if sync is not None and (sync["failed"] or sync["stored"] != sync["files"]):
        problems.append(f"sync stored {sync['stored']} of {sync['files']} sessions; failed: {sync['failed']}")
    return problems


def test_power_cuts_lose_at_most_the_record_being_written(traces, tmp_path, fault_report):
    fam = faults.power_cut(traces, tmp_path, PROFILE["cuts"], PROFILE["real_syncs"], PROFILE["workers"], SEED)
    fault_report(fam)
    want = fam.figures["reboot_count"]
    assert want > 0, "the reboot's trace holds no jumps: its count check could not fail"
    assert judged(fam, lambda seen: cut_problems(seen, want)) == []
    assert fam.lost == 0
    assert sum("sync" in seen for seen in fam.observed) == min(PROFILE["real_syncs"], fam.cases)
    kinds = {key.split("/")[0] for key in fam.figures["coverage"]}
    assert {"HEADER", "PROGRESS", "EVENTS", "END"} <= kinds  # every record type was cut
    assert {"config.json", "counter", "days.json"} <= kinds  # and every bookkeeping file


def test_a_cut_leaves_a_torn_record_the_reader_reports(traces, tmp_path):
    """The injection itself: the 3rd write (the first session's HEADER) stops after 7 bytes."""
    rope = traces.rope("basic", 2, 6)
    sessions, end = faults.plan([(rope, "jump_rope")])
    r = faults.run_device(tmp_path, {"sessions": sessions, "end_ms": end, "cut": {"write": 3, "keep": 7}})
    assert r.returncode == -9 and r.cut is not None and r.cut["keep"] == 7
    (data,) = faults._files(tmp_path).values()
    assert len(data) == 7
    parsed = logread.parse_session(data)
    assert parsed["header"] is None and "power lost" in parsed["errors"][0]


def test_the_cut_oracle_catches_a_lost_record_and_a_second_damaged_region():
    """The oracle can fail: an observation with a lost record and two damaged regions in the file cut."""
    seen = {
        "cut": {"file": "log/00001.fsl"},
        "returncode": -9,
        "crashed": "",
        "reboot": {"crashed": "", "starts": [True], "counts": [12], "events": [], "start_title": ""},
        "config": (cfg.defaults(), []),
        "lost": 1,
        "damaged": {"00001.fsl": ["a", "b"]},
        "imported": {"00001.fsl": {"stored": [3, 1], "parsed": [3, 1]}},
    }
    assert cut_problems(seen, 12) == [
        "1 committed record(s) lost",
        "00001.fsl: 2 damaged regions: ['a', 'b']",
    ]
    assert cut_problems(dict(seen, lost=0, damaged={"00001.fsl": ["a"]}), 12) == []
    assert cut_problems(dict(seen, lost=0, damaged={}), 13) == ["next boot: counted 12, offline 13"]


# ---------------------------------------------------------------- flash full


def small_flash_problems(seen: dict) -> list[str]:
    """Sessions until the flash is full, then refusals, and FLASH FULL on screen; after a reboot it
    still refuses and the unsynced sessions are untouched; a sync stores them all; then a session."""
    filled, want = seen["filled"], seen["offline"]
    if filled["crashed"]:
        return [f"crashed: {filled['crashed']}"]
    starts = filled["starts"]
    if not starts or not starts[0] or all(starts) or True in starts[starts.index(False) :]:
        return [f"expected some sessions, then refusals: {starts}"]
    problems = (
        [] if filled["screen"] == "FLASH FULL" else [f"the display says {filled['screen']!r}, not FLASH FULL"]
    )
    if seen["reboot"]["crashed"] or seen["reboot"]["starts"][:1] != [False]:
        problems.append(f"a full flash started a session after a reboot: {seen['reboot']}")
    if not seen["kept_unchanged"]:
        problems.append("unsynced sessions changed while the flash was full")
    if seen["sync"]["missing"] or seen["sync"]["failed"]:
        problems.append(f"sync lost sessions {seen['sync']['missing']}: {seen['sync']['failed']}")
    problems += [f"after the sync: {p}" for p in boot_problems(seen["after_sync"], want)]
    return problems


def enospc_problems(seen: dict) -> list[str]:
    """No crash, no committed record lost, no damaged region; FLASH FULL on screen (days.json is
    bookkeeping: the session goes on); once space is freed a session counts; or, still full, the
    next boot (with room again) records."""
    run, want = seen["run"], seen["offline"][1]
    if run["crashed"]:
        return [f"crashed: {run['crashed']}"]
    problems = [f"{seen['lost']} committed records lost"] if seen["lost"] else []
    problems += [f"{name}: {errors[:2]}" for name, errors in seen["damaged"].items() if errors]
    says_full = seen["kind"] == "days.json" or not run["starts"] or run["title"] == "FLASH FULL"
    if not says_full:
        problems.append(f"the display says {run['title']!r}, not FLASH FULL")
    if seen["freed"]:
        if seen["second_counts"] != [want]:
            problems.append(f"no session once space was freed: {run['events']}")
    else:
        if seen["kind"] != "days.json" and seen["screen"] != "FLASH FULL":
            problems.append(f"the display shows {seen['screen']!r}, not FLASH FULL")
        problems += [f"the next boot: {p}" for p in boot_problems(seen["reboot"], want)]
    return problems


def test_full_flash_refuses_keeps_unsynced_sessions_and_recovers(traces, tmp_path, fault_report):
    fam = faults.flash_full(traces, tmp_path)
    fault_report(fam)
    small, *enospc = fam.observed
    assert small["offline"] > 0 and min(enospc[0]["offline"]) > 0, "a trace without jumps: no count check"
    assert [f"small flash: {p}" for p in small_flash_problems(small)] == []
    assert judged(faults.Family("enospc", len(enospc), enospc), enospc_problems) == []
    kinds = {seen["kind"] for seen in enospc}
    assert {"boot counter", "HEADER", "PROGRESS", "END", "days.json"} <= kinds
    assert fam.lost == 0


# ---------------------------------------------------------------- sensor faults

# case: (the notice on screen, why the first session ended: None if none may start)
SENSOR_CASES = {
    "I2C fails mid-session": ("SENSOR ERROR", "sensor"),
    "sensor dead at power-on": ("SENSOR ERROR", None),
    "I2C fails while idle": ("SENSOR ERROR", None),
    "I2C glitch of 1 s, then a new session": (None, "sensor"),
    "sensor frozen mid-session": ("SENSOR STUCK", "sensor"),
    "sensor frozen before the start": ("SENSOR STUCK", "sensor"),
    "FIFO overflow storm (loop every 600 ms)": (None, "stop"),
    "bus too slow to keep up (40 ms a read)": (None, "stop"),
}


def sensor_problems(seen: dict) -> list[str]:
    """Nothing crashes; the session so far is saved, ended for the right reason, counting no more
    than the whole trace (and something, when the fault came mid-session); the display says what is
    wrong; after a glitch the next session counts fully; lost samples show as data gaps, on screen too."""
    name, run, want = seen["case"], seen["run"], seen["offline"]
    title, reason = SENSOR_CASES[name]
    if run["crashed"]:
        return [f"crashed: {run['crashed']}"]
    problems = []
    first = seen["sessions"][0] if seen["sessions"] else None
    if reason is None:
        if first or run["starts"][:1] != [False]:
            problems.append("a session started with a dead sensor")
    elif first is None or first["status"] != "complete" or first["reason"] != reason:
        problems.append(f"the session was not saved with reason {reason!r}: {seen['sessions']}")
    elif first["count"] > want + 2 or ("mid-session" in name and not first["count"]):
        problems.append(f"the saved session counts {first['count']} (the whole trace: {want})")
    if title and seen["screen"] != title:
        problems.append(f"the display says {seen['screen']!r}, not {title}")
    if "glitch" in name and (len(run["counts"]) != 2 or run["counts"][1] != want):
        problems.append(f"no good session after the glitch: {run['counts']}")
    if "storm" in name or "slow" in name:
        if not seen["gaps"]:
            problems.append("no gaps recorded")
        elif seen.get("gaps_line") != f"data gaps {seen['gaps']}":
            problems.append(f"the summary does not show the gaps: {seen.get('gaps_line')!r}")
    return problems


def test_sensor_faults_keep_the_session_and_say_so(traces, tmp_path, fault_report):
    fam = faults.sensor_faults(traces, tmp_path)
    fault_report(fam)
    assert [seen["case"] for seen in fam.observed] == list(SENSOR_CASES)
    assert fam.observed[0]["offline"] > 0
    assert judged(fam, sensor_problems) == []
    assert fam.lost == 0


# ---------------------------------------------------------------- hostile input


def test_hostile_log_records(tmp_path, fault_report):
    """Damaged session logs: the parser never raises, every record left whole is still read, each
    damaged region is one sentence, and the host store imports them without touching what it holds
    ("new", "duplicate", "updated" when the file grew, "conflict" keeping the stored copy)."""
    from host_tools.store import _BY_KEY as BY_KEY
    from host_tools.store import Store
    from host_tools.store import _key as store_key

    fam = faults.Family("hostile: log records", lost_unit="records")
    store = Store(tmp_path / "hostile_logs.sqlite3")
    held = log.pack_header(1, "jump_rope", "free", device_id="ee" * 16) + log.pack_end(1000, 5)
    held_id, _ = store.import_session(held)

    def check(value) -> None:
        records, mutations, truncate = value
        data, kept = hostile.mutate(records, mutations, truncate)
        found = {(off, t): fields for off, t, fields in logread.iter_records(data)}
        parsed = logread.parse_session(data)
        assert all(isinstance(e, str) and e for e in parsed["errors"])
        for off, rec in kept:
            ref = next(iter(logread.iter_records(rec)))
            if found.get((off, ref[1])) != ref[2]:
                fam.lost += 1
                raise AssertionError(f"the whole record at {off} was not read back: {rec.hex()}")
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

    try:
        fam.cases = hostile.run_examples(check, hostile.log_strategy(), PROFILE["examples"], SEED)
    finally:
        store.close()
        fault_report(fam)
    assert fam.cases == PROFILE["examples"] and fam.lost == 0


def test_hostile_trace_csv(tmp_path, fault_report):
    """Hostile CSV for `fascia count`: a result, or a CountError naming the file (and a line that
    exists); never any other exception. Invalid UTF-8, huge numbers and long lines were all tried."""
    from hypothesis import strategies as st

    from host_tools.count import CountError, count_file

    fam = faults.Family("hostile: trace CSV", lost_unit="-")
    path = tmp_path / "hostile.csv"
    located = re.compile(re.escape(str(path)) + r":(\d+)?:? ")
    kinds: dict[str, int] = dict.fromkeys(hostile.HOSTILE_KINDS, 0)
    fam.figures["inputs"] = kinds

    def check(value) -> None:
        data, activity = value
        hostile.count_hostile_kinds(data, kinds)
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

    try:
        fam.cases = hostile.run_examples(
            check, st.tuples(*hostile.trace_strategy()), PROFILE["examples"], SEED
        )
    finally:
        fault_report(fam)
    assert min(kinds.values()) > 0, kinds


def config_problems(text: str, result) -> list[str]:
    """config.parse(text) -> (config, problems): every field there with a valid value, each problem a
    sentence; text the runtime's json refused: the defaults; else a field given a valid value keeps
    it and one given a bad value is named in a problem."""
    config, problems = result
    if set(config) != set(cfg.FIELDS):
        return ["fields missing"]
    if any(cfg._check(name, value) is not None for name, value in config.items()):
        return ["a bad value was kept"]
    if not all(isinstance(p, str) and p for p in problems):
        return [f"a problem that is not a sentence: {problems}"]
    if problems and "not valid JSON" in problems[0]:  # this runtime's json refused the text:
        return [] if config == cfg.defaults() else ["defaults not kept"]  # (MicroPython's is stricter)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return []
    wrong = []
    if isinstance(data, dict):
        for name, value in data.items():
            if name in cfg.FIELDS:
                ok = cfg._check(name, value) is None
                if not ((config[name] == value) if ok else any(name in p for p in problems)):
                    wrong.append(name)
    return [f"fields {wrong} not kept or not named"] if wrong else []


def test_hostile_config(traces, tmp_path, fault_report):
    """Hostile config.json: parse never raises, bad fields keep their default with a reason; invalid
    UTF-8 or too long: the defaults and one complaint. A sample also under MicroPython (its json
    differs), and the device boots with the worst of them, says CONFIG and records with the defaults."""
    fam = faults.Family("hostile: config.json", lost_unit="-")
    kinds: dict[str, int] = dict.fromkeys(hostile.HOSTILE_KINDS, 0)
    fam.figures["inputs"] = kinds
    path = tmp_path / "hostile_config.json"
    sample: list[str] = []

    def check(data: bytes) -> None:
        hostile.count_hostile_kinds(data, kinds)
        path.write_bytes(data)
        result = cfg.load(str(path))
        try:
            text = data.decode()
        except UnicodeError:
            assert result == CONFIG_UNREADABLE, result[1]
            return
        if len(data) > cfg.CONFIG_MAX_BYTES:
            assert result == CONFIG_UNREADABLE, result[1]
            return
        if len(sample) < 200:
            sample.append(text)
        assert config_problems(text, result) == []

    try:
        fam.cases = hostile.run_examples(check, hostile.config_strategy(), PROFILE["examples"], SEED)
        texts = sample + hostile.WORST_CONFIGS
        parsed = hostile.parse_under_micropython(texts, tmp_path)
        fam.cases += len(texts)
        wrong = [
            f"MicroPython: {text[:40]!r}: {result['raised'] if isinstance(result, dict) else problems}"
            for text, result in zip(texts, parsed, strict=True)
            for problems in [[] if isinstance(result, dict) else config_problems(text, tuple(result))]
            if isinstance(result, dict) or problems
        ]
        assert wrong == []
        boots = hostile.boot_with_configs(traces, tmp_path)
        fam.cases += len(boots)
        assert boots[0]["offline"] > 0
        wrong = [
            f"{boot['case']}: {boot['crashed'] or (boot['title'], boot['counts'])}"
            for boot in boots
            if boot["crashed"] or boot["counts"][:1] != [boot["offline"]] or boot["title"] != "CONFIG"
        ]
        assert wrong == []
    finally:
        fault_report(fam)
    assert min(kinds.values()) > 0, kinds


# ---------------------------------------------------------------- long run


def test_long_run_counts_heap_and_log(traces, tmp_path, fault_report):
    """Every session's count equals the detector offline on what the sensor sampled; the live heap
    after a session does not grow from one session of an activity to the next."""
    fam = faults.long_run(traces, tmp_path, PROFILE["long_hours"])
    fault_report(fam)
    assert not fam.figures["crashed"]
    wrong = [
        seen for seen in fam.observed if seen["logged"] != seen["offline"] or seen["status"] != "complete"
    ]
    assert wrong == [] and fam.lost == 0
    assert all(seen["offline"] > 0 for seen in fam.observed)
    by_activity = fam.figures["heap_after_sessions_by_activity"]
    assert by_activity and all(h[-1] - h[0] <= HEAP_SLACK for h in by_activity.values()), by_activity


# What the suite found, pinned as plain regressions.


def test_config_nested_beyond_the_stack_keeps_defaults():
    config, problems = cfg.parse("[" * 100_000)
    assert config == cfg.defaults() and problems == ["config.json is not valid JSON: defaults used"]


def test_trace_time_with_a_digit_int_rejects_is_a_trace_error():
    with pytest.raises(TraceError):
        parse_time_ms("²")


def test_the_suite_runs_the_tests_and_writes_its_table(tmp_path, monkeypatch):
    """`make faults`: the families' tests at a profile's counts, their figures in a table and a file."""
    monkeypatch.setattr(faults, "OUT", tmp_path)
    assert faults.main(["--profile", "quick", "--only", "traces"]) == 0
    (row,) = json.loads((tmp_path / "faults.json").read_text())["families"]
    assert row["family"] == "hostile: trace CSV" and row["test"] == "passed"
    assert row["cases"] == faults.PROFILES["quick"]["examples"]


def test_a_still_trace_holds_no_jumps_and_the_suite_traces_do(traces, tmp_path):
    """The "still counts after a fault" checks compare with a known count: one of 0 (a device that
    counts nothing would pass) is refused by the tests; the suite's own traces hold jumps."""
    still = tmp_path / "still.csv"
    still.write_text("t_ms,x,y,z\n" + "".join(f"{t * 10},0,0,1000\n" for t in range(500)))
    assert faults.expected_count(still, "jump_rope") == 0
    assert faults.expected_count(traces.rope("basic", 2, faults.KNOWN_COUNT_S), "jump_rope") > 0
