"""Reliability fault suite, quick profile (`make faults` runs the full counts: host_tools/bench/faults.py).

Each family runs the unchanged firmware under the real `micropython` binary on the simulated
board with faults put in from outside (host_tools/sim/mpylib/sim_faults.py), or the shared
parsers on hostile input (hypothesis, seeded). FASCIA_FAULTS=full runs the full counts here too.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fascia.spec import config as cfg
from fascia.spec.trace import TraceError, parse_time_ms
from host_tools.bench import faults

PROFILE = faults.PROFILES[os.environ.get("FASCIA_FAULTS", "quick")]
SEED = 20261128


@pytest.fixture(scope="module")
def traces() -> faults.Traces:
    return faults.Traces(faults.OUT.parent / "faults" / "traces")


def _ok(fam: faults.Family) -> None:
    assert fam.cases > 0
    assert fam.failures == [], "\n".join(fam.failures[:5])
    assert fam.lost == 0


def test_power_cuts_lose_at_most_the_record_being_written(traces, tmp_path):
    fam = faults.power_cut(traces, tmp_path, PROFILE["cuts"], PROFILE["real_syncs"], PROFILE["workers"], SEED)
    _ok(fam)
    assert fam.figures["boots_failed"] == 0
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
    parsed = faults.logread.parse_session(data)
    assert parsed["header"] is None and "power lost" in parsed["errors"][0]


def test_full_flash_refuses_keeps_unsynced_sessions_and_recovers(traces, tmp_path):
    _ok(faults.flash_full(traces, tmp_path))


def test_sensor_faults_keep_the_session_and_say_so(traces, tmp_path):
    _ok(faults.sensor_faults(traces, tmp_path))


def test_hostile_log_records(tmp_path):
    _ok(faults.hostile_logs(PROFILE["examples"], SEED, tmp_path))


def test_hostile_trace_csv(tmp_path):
    fam = faults.hostile_traces(PROFILE["examples"], SEED, tmp_path)
    _ok(fam)
    assert min(fam.figures["inputs"].values()) > 0, fam.figures  # invalid UTF-8, huge numbers, long lines


def test_hostile_config(traces, tmp_path):
    fam = faults.hostile_configs(PROFILE["examples"], SEED, tmp_path, traces)
    _ok(fam)
    assert min(fam.figures["inputs"].values()) > 0, fam.figures  # invalid UTF-8, huge numbers, long lines


def test_long_run_counts_heap_and_log(traces, tmp_path):
    fam = faults.long_run(traces, tmp_path, PROFILE["long_hours"])
    _ok(fam)
    assert fam.figures["heap_growth_bytes"] <= faults.HEAP_SLACK


# What the suite found, pinned as plain regressions.


def test_config_nested_beyond_the_stack_keeps_defaults():
    config, problems = cfg.parse("[" * 100_000)
    assert config == cfg.defaults() and problems == ["config.json is not valid JSON: defaults used"]


def test_trace_time_with_a_digit_int_rejects_is_a_trace_error():
    with pytest.raises(TraceError):
        parse_time_ms("²")


def test_the_suite_writes_its_table(tmp_path, monkeypatch):
    monkeypatch.setattr(faults, "OUT", tmp_path)
    assert faults.main(["--profile", "quick", "--only", "traces"]) == 0
    assert (Path(tmp_path) / "faults.json").exists()


def test_a_fault_trace_without_jumps_fails_its_family(traces, tmp_path):
    """The "still counts after a fault" checks compare with a known count: one of 0 (a device that
    counts nothing would pass) fails the family instead; the suite's own traces hold jumps."""
    still = tmp_path / "still.csv"
    still.write_text("t_ms,x,y,z\n" + "".join(f"{t * 10},0,0,1000\n" for t in range(500)))
    fam = faults.Family("check")
    assert faults._known_count(fam, still) == 0 and len(fam.failures) == 1
    assert faults._known_count(fam, traces.rope("basic", 2, faults.KNOWN_COUNT_S)) > 0
    assert len(fam.failures) == 1
