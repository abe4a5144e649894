"""Compile the firmware to .mpy with mpy-cross: for the ESP32 (`fascia flash`) or the unix port (sim).

A board runs precompiled .mpy files: importing them costs no compiler RAM, which is what lets the
whole app fit the ESP32's heap. `compile_tree` mirrors a source tree into .mpy files, recompiling
only what changed.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from host_tools import mpy

# -march for mpy-cross: the ESP32 (Xtensa LX6) and this machine's unix port (for the simulator)
ARCH_ESP32 = "xtensawin"
ARCH_HOST = "x64"


class BuildError(Exception):
    """mpy-cross rejected a file; the message has its error."""


def compile_tree(src: Path, out: Path, march: str) -> list[Path]:
    """Compile every .py under `src` to `out` (same layout).

    Returns the written files. Unchanged sources (older than their .mpy) are skipped; a .mpy whose
    source is gone is removed (a module deleted or moved must not stay importable).
    """
    written = []
    for py in sorted(src.rglob("*.py")):
        if "__pycache__" in py.parts:
            continue
        rel = py.relative_to(src)
        dest = (out / rel).with_suffix(".mpy")
        # tracebacks name the module ("fascia.app.ble", line 55): the device interns that name
        # anyway, while a path would be one more string per module in its heap
        name = ".".join(rel.with_suffix("").parts).removesuffix(".__init__")
        if not dest.exists() or dest.stat().st_mtime < py.stat().st_mtime:
            dest.parent.mkdir(parents=True, exist_ok=True)
            # written beside, then renamed: another process (a parallel test worker) compiling
            # the same tree at the same time never reads a half-written file
            part = dest.with_name(f"{dest.name}.{os.getpid()}.part")
            proc = subprocess.run(
                [mpy.tool("mpy-cross"), f"-march={march}", "-o", str(part), "-s", name, str(py)],
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0:
                part.unlink(missing_ok=True)
                raise BuildError(f"{py}: {(proc.stderr or proc.stdout).strip()}")
            os.replace(part, dest)
        written.append(dest)
    for old in set(out.rglob("*.mpy")) - set(written):  # its source is gone: so must it be
        old.unlink(missing_ok=True)
    return written


def host_firmware_lib(march: str = ARCH_HOST) -> Path:
    """The firmware and the simulation models compiled for a unix port (x64: this machine's; x86:
    the 32-bit build of `make mp32`), cached in out/; the simulation's entry scripts run from there
    with `micropython -m`."""
    out = mpy.REPO / "out" / f"mpy-{march}"
    compile_tree(mpy.FIRMWARE, out / "firmware", march)
    compile_tree(mpy.SIM_LIB, out / "sim", march)
    return out
