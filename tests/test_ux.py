"""A first day without surprises (issue 14, items 4-9): one-line errors and exit 2, Ctrl-C, the
simulator's pace and activity, images and exports that hold what their names say, the docs' buttons."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from host_tools import cli
from host_tools.errors import UserError
from host_tools.gen import jumprope
from host_tools.sim.cli import sim_activity

REPO = Path(__file__).resolve().parent.parent


def run(*argv: str, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "host_tools.cli", *argv], capture_output=True, text=True, env=env, timeout=300
    )


def test_no_arguments_prints_the_help(capsys):
    assert cli.main([]) == 0
    assert "usage: fascia" in capsys.readouterr().out


def test_a_usage_mistake_is_one_line(capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(["plot", "--trend", "-o", "x.png", "--weeks", "0"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--weeks" in err and "see `fascia plot --help`" in err


def test_sim_takes_the_activity_from_the_sidecar_or_asks(tmp_path):
    csv, sidecar = tmp_path / "t.csv", tmp_path / "t.json"
    csv.write_text("t_ms,x,y,z\n0,0,0,1000\n")
    with pytest.raises(UserError, match="which activity"):
        sim_activity(csv, None)
    sidecar.write_text(json.dumps({"activity": "swing"}))
    assert sim_activity(csv, None) == "swing"
    sidecar.write_text(json.dumps({"activity": "snatch"}))  # a recording's name: the counter that counts it
    assert sim_activity(csv, None) == "swing"
    assert sim_activity(csv, "walk") == "walk", "-a wins"


def test_sim_mistakes_are_one_line_and_its_pace_works(tmp_path):
    trace, _ = jumprope.generate("basic", 3, 200.0, tmp_path / "rope", duration_s=2)
    bad = tmp_path / "bad.csv"
    bad.write_text("t_ms,x,y,z\n0,1,2,3\n5,abc,2,3\n")
    flash = str(tmp_path / "flash")
    for argv, message in [
        (("sim", str(bad), "-a", "walk", "--flash", flash), "bad.csv:3: x is not an integer"),
        (("sim", str(trace), "--frames", "/proc/no/such", "--flash", flash), "cannot write the frames"),
        (("demo", "--out", "/proc/no/such"), "cannot write the demo's files"),
    ]:
        proc = run(*argv)
        assert proc.returncode == 2 and message in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr
    proc = run("sim", str(trace), "--speed", "8", "--flash", flash, "--json")  # crashed: float sleep
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.splitlines()[-1])["activity"] == "jump_rope"  # from its sidecar


def test_plot_writes_what_the_extension_says_or_refuses(tmp_path):
    from host_tools import plot

    assert plot.image_format(tmp_path / "x.JPG") == "jpg"
    for name in ("x.xyz", "x"):
        with pytest.raises(UserError, match="cannot write"):
            plot.image_format(tmp_path / name)


def test_hardware_readme_button_roles_match_the_boards():
    text = (REPO / "hardware" / "README.md").read_text()
    for board, label in (("devkit", "DevKitC"), ("m5stickc", "M5StickC")):
        source = (REPO / "firmware" / "boards" / f"{board}.py").read_text()
        pins = {k: re.search(rf"_BUTTON_{k} = const\((\d+)\)", source).group(1) for k in "AB"}  # type: ignore[union-attr]
        row_a = re.search(rf"\| Button A[^\n]*GPIO{pins['A']}[^\n]*", text)
        row_b = re.search(rf"\| Button B[^\n]*GPIO{pins['B']}[^\n]*", text)
        assert row_a and "start" in row_a.group(0), (label, "A starts and pauses")
        assert row_b and "activity" in row_b.group(0), (label, "B picks the activity")
