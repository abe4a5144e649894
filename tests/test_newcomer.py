"""Acceptance (issue 14): a newcomer walks the README from a fresh store, with the `fascia` command as
a subprocess: simulate a jump-rope, a clubbell and a walking session, sync each, log yoga and a dance,
see the whole programme in `plan` with its reasons, export to every format, plot, and meet every
user mistake as one line and exit 2 (130 for Ctrl-C)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from host_tools.gen import clubbell, jumprope


def _first_seconds(trace: Path, seconds: float) -> Path:
    """The trace cut short (its sidecar stays: it names the activity): a fast test."""
    lines = trace.read_text().splitlines()
    kept = [lines[0]] + [line for line in lines[1:] if float(line.split(",")[0]) < seconds * 1000]
    trace.write_text("\n".join(kept) + "\n")
    return trace


@pytest.fixture
def newcomer(tmp_path: Path):
    """`fascia` as a new user runs it: its store and the simulated device in fresh folders."""
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "data"), XDG_CACHE_HOME=str(tmp_path / "cache"))

    def fascia(*argv: str, code: int = 0) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [sys.executable, "-m", "host_tools.cli", *argv],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=300,
        )
        assert proc.returncode == code, (argv, proc.returncode, proc.stderr[-2000:])
        if code == 2:
            assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, (argv, proc.stderr)
        return proc

    fascia.env = env  # type: ignore[attr-defined]
    return fascia


def test_a_newcomer_walks_the_readme(newcomer, tmp_path: Path):
    fascia = newcomer
    assert "usage: fascia" in fascia().stdout
    rope = jumprope.generate("basic", 11, 200.0, tmp_path / "rope", duration_s=20)[0]  # ~15 jumps
    club = _first_seconds(clubbell.generate("light", 11, 100.0, tmp_path / "club")[0], 20)
    walk = jumprope.generate("walk_carry", 11, 100.0, tmp_path / "walk", duration_s=20)[0]

    # record each on the simulated device, sync each
    counts = {}
    for trace, extra in ((rope, ()), (club, ()), (walk, ("-a", "walk"))):  # the walk's sidecar says jump_rope
        summary = json.loads(fascia("sim", str(trace), *extra, "--json").stdout.splitlines()[-1])
        counts[summary["activity"]] = summary["count"]
        report = json.loads(fascia("sync", "--simulated", "--json").stdout)
        assert len(report["imported"]) == 1
    assert set(counts) == {"jump_rope", "swing", "walk"} and all(counts.values()), counts
    assert counts["jump_rope"] < 50, "a short session: plan must say why it does not count"

    fascia("log", "yoga", "--minutes", "6", "--note", "morning flow")
    fascia("log", "dance")
    assert "removed: dance" in fascia("log", "--undo").stdout
    fascia("log", "dance", "-m", "3.5")

    sessions = fascia("sessions").stdout
    for name in ("jump_rope", "swing", "walk", "yoga", "dance"):
        assert name in sessions
    plan = fascia("plan").stdout
    for label in ("Jump rope", "Power walking", "Clubbell", "Yoga", "Dance", "10x10 challenge"):
        assert label in plan, label
    assert f"{counts['jump_rope']}/50 jumps" in plan, "why the jump day did not count"
    assert "6/5 min" in plan and "4/3 min" in plan
    show = fascia("show", "2").stdout
    assert "light-fast" in show or "heavy-slow" in show, "tempo by name"
    stats = fascia("stats").stdout
    assert "swing light-fast" in stats or "swing heavy-slow" in stats

    # export to every format, plot
    fascia("export", "all.csv")
    fascia("export", "all.json")
    fascia("export", "fit")
    fascia("export", "one.fit", "--activity", "yoga")
    assert len(json.loads((tmp_path / "all.json").read_text())) == 5
    assert len(list((tmp_path / "fit").glob("*.fit"))) == 5 and (tmp_path / "one.fit").is_file()
    fascia("plot", "1", "-o", "session.png")
    fascia("plot", "--trend", "-o", "trend.svg")
    assert (tmp_path / "session.png").read_bytes()[:4] == b"\x89PNG"
    assert b"<svg" in (tmp_path / "trend.svg").read_bytes()[:400]

    # every mistake: one line, exit 2
    bad = tmp_path / "bad.csv"
    bad.write_text("t_ms,x,y,z\n0,1,2,3\n10,1,2\n")
    nosidecar = tmp_path / "nosidecar.csv"
    nosidecar.write_text(rope.read_text())
    for argv in (
        ("export", "all.json", "--format", "csv"),  # the extension and the format disagree
        ("export", "all.txt"),
        ("plot", "1", "-o", "x.jpeg2000"),
        ("plot", "--trend", "--weeks", "0", "-o", "t.png"),
        ("sim", str(nosidecar)),  # which activity?
        ("sim", str(bad), "-a", "walk"),
        ("sim", str(rope), "--frames", "/proc/none"),
        ("demo", "--out", "/proc/none"),
        ("flash", "-p", str(tmp_path / "ttyUSB7")),
        ("log", "yoga", "--minutes", "-3"),
        ("log", "pilates"),
        ("show", "99"),
        ("count", str(tmp_path / "missing.csv"), "-a", "walk"),
    ):
        fascia(*argv, code=2)
    assert "no sessions match" in fascia("sessions", "--since", "2099-01-01").stdout


def test_ctrl_c_leaves_with_one_line_and_130(newcomer, tmp_path: Path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "host_tools.cli", "live", "--simulated"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=newcomer.env,
        cwd=tmp_path,
        # as in a terminal: a suite started as a background job hands its children SIGINT ignored
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    time.sleep(4)  # the simulated device boots, the live view runs
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and err.strip() == "fascia: interrupted", err[-2000:]
