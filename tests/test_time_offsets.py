"""Wrap-safe times (issue 17, item 4): a trace stamped in epoch ms, or by a device up for 25 days,
counts exactly as the same trace from 0, on both runtimes, and `fascia sim` plays it."""

from __future__ import annotations

from pathlib import Path

import pytest

from fascia.spec.trace import format_line, parse_line
from host_tools.bench import faults
from host_tools.count import CountError, count_file
from host_tools.sim.run import simulate

# past MicroPython's small ints (30 bits: the counts changed there), a signed 32-bit int, an unsigned
# one, and epoch ms
OFFSETS = (2**30, 2**31, 2**32, 1_764_000_000_000)


@pytest.fixture(scope="module")
def rope() -> Path:
    return faults.Traces(faults.OUT.parent / "faults" / "traces").rope("basic", 1, 12)


def _shifted(trace: Path, offset: int, out: Path) -> Path:
    lines = trace.read_text().splitlines(keepends=True)
    rows = [parse_line(line) for line in lines[1:]]
    out.write_text(lines[0] + "".join(format_line(t + offset, x, y, z) for t, x, y, z in rows))
    return out


@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_count_is_the_same_from_any_start_time(rope, tmp_path, runtime):
    base = count_file(rope, "jump_rope", runtime)
    assert base["count"] > 0
    for offset in OFFSETS:
        shifted = count_file(_shifted(rope, offset, tmp_path / f"t{offset}.csv"), "jump_rope", runtime)
        assert shifted == base, offset  # events too: ms since the first sample, as the format says


def test_a_trace_spanning_weeks_is_refused(tmp_path):
    trace = tmp_path / "weeks.csv"
    trace.write_text("t_ms,x,y,z\n0,0,0,1000\n" + format_line(2**31, 0, 0, 1000))
    with pytest.raises(CountError, match=r":3: more than 12 days"):
        count_file(trace, "jump_rope")


def test_sim_plays_an_epoch_stamped_trace(rope, tmp_path):
    base = simulate(rope, "jump_rope", board="devkit").summary["count"]
    shifted = _shifted(rope, 2**32, tmp_path / "epoch.csv")
    result = simulate(shifted, "jump_rope", board="devkit", timeout=120)
    assert result.summary["count"] == base > 0
