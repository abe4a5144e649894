"""Bad user input to the `fascia` command: one line, exit 2, nothing written (issue 17, item 5)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

FASCIA = str(Path(sys.executable).parent / "fascia")


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([FASCIA, *args], capture_output=True, text=True, cwd=cwd, timeout=60)


@pytest.mark.parametrize("rate", ["0", "-5", "1e8", "nan", "fast"])
def test_gen_refuses_an_impossible_rate(rate, tmp_path):
    proc = _run("gen", "jump_rope", "basic", "out/t", "--rate", rate, cwd=tmp_path)
    assert proc.returncode == 2 and "rate" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_show_refuses_an_id_no_store_can_hold(tmp_path):
    proc = _run("show", "9223372036854775808", "--db", str(tmp_path / "s.sqlite3"), cwd=tmp_path)
    assert proc.returncode == 2 and "no session" in proc.stderr and "Traceback" not in proc.stderr


def test_a_huge_bad_cell_is_not_echoed(tmp_path):
    trace = tmp_path / "one_line.csv"
    trace.write_text("t_ms,x,y,z\n0," + "x" * 5_000_000 + ",1,1\n")
    proc = _run("count", str(trace), "--activity", "jump_rope", cwd=tmp_path)
    assert proc.returncode == 2 and len(proc.stderr) < 300 and "5000000 characters" in proc.stderr


def test_a_huge_reading_is_refused_not_overflowed(tmp_path):
    trace = tmp_path / "huge.csv"
    trace.write_text("t_ms,x,y,z\n0,0,0,1000\n2,999999999999,0,1000\n")
    for activity in ("jump_rope", "swing", "walk"):
        proc = _run("count", str(trace), "--activity", activity, cwd=tmp_path)
        assert proc.returncode == 2 and ":3: x is beyond" in proc.stderr, proc.stderr


def test_a_directory_is_not_called_missing(tmp_path):
    (tmp_path / "traces").mkdir()
    proc = _run("count", "traces", "--activity", "jump_rope", cwd=tmp_path)
    assert proc.returncode == 2 and "is a directory" in proc.stderr
    proc = _run("count", "missing.csv", "--activity", "jump_rope", cwd=tmp_path)
    assert proc.returncode == 2 and "no such file" in proc.stderr


def test_export_does_not_overwrite_without_force(tmp_path, monkeypatch, capsys):
    from histories import day, fascia, session, store_with

    db = str(store_with(tmp_path / "s.sqlite3", [session("jump_rope", day(0), minutes=3, session_id=1)]))
    out = tmp_path / "mine.csv"
    out.write_text("my own notes\n")
    assert fascia(monkeypatch, "export", "--db", db, str(out)) == 2
    assert "already exists" in capsys.readouterr().err and out.read_text() == "my own notes\n"
    assert fascia(monkeypatch, "export", "--db", db, "--force", str(out)) == 0
    assert out.read_text() != "my own notes\n"
