"""The `fascia` command as a user runs it: help, counting, and one-line errors with exit code 2."""

import json
import subprocess
import sys

import pytest

from fascia.detect import ACTIVITIES

FASCIA = [sys.executable, "-m", "host_tools.cli"]


def fascia(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*FASCIA, *args], capture_output=True, text=True, check=False)


def test_help_lists_subcommands():
    proc = fascia("--help")
    assert proc.returncode == 0
    for sub in ("count", "gen", "demo"):
        assert sub in proc.stdout


def test_each_command_loads_only_its_module():
    """cli.COMMANDS (which module a run imports) names exactly the commands each module registers,
    and a run of one command imports none of the other commands' modules."""
    import argparse

    from host_tools import cli, commands

    for module in cli.COMMAND_MODULES:
        actions = commands.build_parser([module])._actions
        sub = next(a for a in actions if isinstance(a, argparse._SubParsersAction))
        assert set(sub.choices) == {c for c, m in cli.COMMANDS.items() if m == module}, module
    probe = "import sys; from host_tools import cli\n"
    probe += "try:\n    cli.main(['count', '--help'])\nexcept SystemExit:\n    pass\n"
    probe += "print(sorted(m for m in cli.COMMAND_MODULES if m in sys.modules))"
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert proc.stdout.splitlines()[-1] == "['host_tools.count']", proc.stderr


def _trace(tmp_path, body: str, header: str = "t_ms,x,y,z"):
    path = tmp_path / "trace.csv"
    path.write_text(header + "\n" + body)
    return path


BAD_INPUTS = {
    "wrong header": ("0,0,0,1000\n", "time,x,y,z", 1, "header"),
    "non-numeric cell": ("0,0,0,1000\n10,0,abc,1000\n", "t_ms,x,y,z", 3, "y is not an integer"),
    "backwards time": ("0,0,0,1000\n20,0,0,1000\n10,0,0,1000\n", "t_ms,x,y,z", 4, "time goes backwards"),
    "missing column": ("0,0,0,1000\n10,0,0\n", "t_ms,x,y,z", 3, "expected 4"),
    "no samples": ("", "t_ms,x,y,z", 1, "no samples"),
}


@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_one_line_exit_2(tmp_path, case, runtime):
    body, header, line, words = BAD_INPUTS[case]
    path = _trace(tmp_path, body, header)
    proc = fascia("count", str(path), "--activity", "walk", "--runtime", runtime)
    assert proc.returncode == 2, proc.stderr
    err = proc.stderr.strip()
    assert "\n" not in err and "Traceback" not in err
    assert f"{path}:{line}:" in err and words in err


def test_missing_file_and_bad_activity(tmp_path):
    proc = fascia("count", str(tmp_path / "nope.csv"), "--activity", "walk")
    assert proc.returncode == 2 and "no such file" in proc.stderr and "Traceback" not in proc.stderr
    proc = fascia("count", str(tmp_path / "nope.csv"), "--activity", "pilates")
    assert proc.returncode == 2 and "invalid choice" in proc.stderr


def test_recordings_activity_names_pick_their_counter(tmp_path):
    from host_tools import demo
    from host_tools.count import ALIASES

    trace = demo.generate("clubbell", "light", tmp_path / "club", seed=2, rate_hz=100)
    swing = json.loads(fascia("count", str(trace), "--activity", "swing", "--json").stdout)
    assert swing["count"] > 0
    for alias in ("snatch", "clean", "jerk", "clubbell", "kettlebell"):
        assert json.loads(fascia("count", str(trace), "--activity", alias, "--json").stdout) == swing
    assert set(ALIASES.values()) <= set(ACTIVITIES)
    walk = json.loads(fascia("count", str(trace), "--activity", "walk", "--json").stdout)
    for alias in ("run", "walking", "power_walking"):
        assert json.loads(fascia("count", str(trace), "--activity", alias, "--json").stdout) == walk


@pytest.mark.parametrize("activity", ACTIVITIES)
def test_count_json_is_one_object_and_runtimes_agree(tmp_path, activity):
    # 20 s of a still device: a valid trace every detector must read (and count nothing in)
    rows = "".join(
        f"{t},{(t * 7) % 13 - 6},{(t * 5) % 11 - 5},{1000 + (t * 3) % 7}\n" for t in range(0, 20000, 5)
    )
    path = _trace(tmp_path, rows)
    outs = []
    for runtime in ("cpython", "micropython"):
        proc = fascia("count", str(path), "--activity", activity, "--json", "--runtime", runtime)
        assert proc.returncode == 0, proc.stderr
        assert len(proc.stdout.strip().splitlines()) == 1
        result = json.loads(proc.stdout)
        assert isinstance(result["count"], int) and isinstance(result["events_ms"], list)
        assert result["count"] == 0 and result["activity"] == activity
        outs.append(result)
    assert outs[0] == outs[1]
