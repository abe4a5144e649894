"""`fascia sim`: run the unchanged firmware under the real MicroPython binary on a simulated board.

The host prepares a flash directory (config.json, the simulator settings), starts `micropython
sim_run.py` there with the firmware and the bus models on MICROPYPATH, follows its status lines
(live count), converts the display frames it saved to PNG, and finally reads the session back
from the device's log with the one log parser, `fascia.spec.log`.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from fascia.spec import config as cfg
from fascia.spec import logread
from fascia.spec.trace import parse_time_ms
from host_tools import build, mpy
from host_tools.sim import frames as fr

BOARDS = ("m5stickc", "devkit")
FRAME_SIZES = {"rgb565": (135, 240), "vlsb": (128, 64)}
STOP_AFTER_TRACE_MS = 1000  # with no button script, the session is stopped this long after the trace
PRESS_MS = 120  # a short press: the button is held this long
LONG_MS = 1200  # a long press


def simulated_flash(flash_dir: Path | str | None = None) -> Path:
    """The simulated device's flash: `flash_dir`, else one folder next to the session store that
    every command shares (`sim`, `live --simulated`, `sync --simulated`), kept between runs as a
    device keeps its sessions until they are synced."""
    if flash_dir:
        return Path(flash_dir)
    from host_tools.store import default_path

    return default_path().parent / "simulated-device"


class SimError(Exception):
    """A user-facing problem with a simulation request (bad button script, unknown board...)."""


@dataclass
class SimResult:
    summary: dict  # the session as read back from the device's log
    status: list[dict] = field(default_factory=list)  # the device's status lines
    final_png: Path | None = None
    final_rows: fr.Pixels | None = None  # the last frame's pixels (for a terminal rendering)
    frames: list[Path] = field(default_factory=list)
    flash_dir: Path | None = None


def parse_buttons(text: str) -> dict[str, list[list[int]]]:
    """A button script ("<t_ms> <a|b> <press|long>" per line, # comments) -> pin level timelines."""
    levels: dict[str, list[list[int]]] = {"a": [], "b": []}
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if (
            len(parts) != 3
            or parts[1] not in levels
            or parts[2] not in ("press", "long")
            or not parts[0].isdigit()
        ):
            raise SimError(
                f"button script line {n}: expected '<t_ms> <a|b> <press|long>', got {raw.strip()!r}"
            )
        t, button, kind = int(parts[0]), parts[1], parts[2]
        hold = PRESS_MS if kind == "press" else LONG_MS
        levels[button] += [[t, 0], [t + hold, 1]]
    for timeline in levels.values():
        timeline.sort()
    return levels


def trace_duration_ms(trace: Path) -> int:
    """Last sample's time minus the first's (traces may be stamped in epoch ms: fascia.spec.trace)."""
    with trace.open("rb") as f:
        f.readline()
        first = f.readline().decode(errors="replace")
        f.seek(max(0, trace.stat().st_size - 200))
        lines = f.read().decode(errors="replace").splitlines()
    last = lines[-1] if lines else ""
    try:
        return parse_time_ms(last.split(",")[0]) - parse_time_ms(first.split(",")[0])
    except ValueError as e:
        raise SimError(f"{trace}: not a canonical trace (t_ms,x,y,z)") from e


def simulate(
    trace: Path | None,
    activity: str = "jump_rope",
    *,
    board: str = "m5stickc",
    mode: str = "free",
    speed: float = 0,
    buttons: str | None = None,
    frames_dir: Path | None = None,
    all_frames: bool = False,
    heapsize: str | None = None,
    remote_chips: bool = False,
    micropython: str | None = None,
    flash_dir: Path | None = None,
    config: dict | None = None,
    extra: dict | None = None,
    on_status: Callable[[dict], None] | None = None,
    timeout: float = 1800,
) -> SimResult:
    """Run one simulated session; with no button script it starts with the trace and stops after it.

    `frames_dir` receives final.png (the last display frame) and, with `all_frames`, every changed
    frame (at most 10 per second). `heapsize` runs MicroPython with that heap (e.g. "64k");
    `remote_chips` keeps the sensor and display models out of it, in this process (hw_server);
    `micropython` is another unix-port binary to run it on with `heapsize` (the 32-bit one)."""
    if board not in BOARDS:
        raise SimError(f"unknown board {board!r} (choose from {', '.join(BOARDS)})")
    if trace is not None and not Path(trace).is_file():
        raise SimError(f"{trace}: no such file")
    flash = Path(flash_dir) if flash_dir else Path(tempfile.mkdtemp(prefix="fascia-flash-"))
    flash.mkdir(parents=True, exist_ok=True)
    # the user's settings already on this flash stay (brisk cadence, weight, ...): as on the device
    kept, _ = cfg.load(str(flash / cfg.CONFIG_FILE))
    settings_cfg = dict(kept, activity=activity, mode=mode, **(config or {}))
    conf, problems = cfg.validate(settings_cfg)
    if problems:
        raise SimError("; ".join(problems))
    (flash / cfg.CONFIG_FILE).write_text(cfg.dumps(conf))
    duration = trace_duration_ms(Path(trace)) if trace else 10_000
    start_ms = 500
    settings: dict = {
        "board": board,
        "trace": str(Path(trace).resolve()) if trace else None,
        "trace_start_ms": start_ms,
        "end_ms": start_ms + duration + 3_000,
        "speed": speed,
    }
    if buttons is None:
        settings["start_on_trace"] = True
        settings["stop_after_trace_ms"] = STOP_AFTER_TRACE_MS
    else:
        settings["buttons"] = parse_buttons(buttons)
        last_press = max((t for tl in settings["buttons"].values() for t, _ in tl), default=0)
        settings["end_ms"] = max(settings["end_ms"], last_press + 3_000)
    if frames_dir:
        frames_dir = Path(frames_dir)
        frames_dir.mkdir(parents=True, exist_ok=True)
        for old in [*frames_dir.glob("frame_*"), *frames_dir.glob("final.*")]:
            old.unlink()
        settings["frames_dir"] = str(frames_dir.resolve())
        settings["frames_every_ms"] = 100 if all_frames else 0
    settings.update(extra or {})
    with contextlib.ExitStack() as stack:
        if remote_chips:
            from host_tools.sim.hw_server import HardwareServer

            settings["hw_port"] = stack.enter_context(HardwareServer(settings)).port
        (flash / "sim.json").write_text(json.dumps(settings))
        entry = "sim_uptime" if settings.get("uptime_ms") else "sim_run"  # (a device up for a while)
        status, other, returncode, err = _run_device(flash, heapsize, on_status, timeout, micropython, entry)
    if returncode != 0:
        tail = "\n".join((err.strip().splitlines() or other)[-6:])
        raise SimError(f"the simulated device crashed:\n{tail}")
    result = SimResult(summary=read_last_session(flash), status=status, flash_dir=flash)
    if frames_dir:
        result.frames, result.final_png, result.final_rows = convert_frames(Path(frames_dir))
    return result


def _status_line(line: str) -> dict | None:
    """A status line's object; None for other output, or for a status line cut short (the device
    failed while printing it: its traceback follows)."""
    if not line.startswith("{"):
        return None
    try:
        return json.loads(line)
    except ValueError:
        return None


def _run_device(
    flash: Path,
    heapsize: str | None,
    on_status,
    timeout: float,
    binary: str | None = None,
    entry: str = "sim_run",
):
    """Run `entry` (sim_run.py, or sim_uptime.py around it) under micropython in `flash`; returns
    (status lines, other output, rc, stderr)."""

    # what was flashed to this device (`fascia flash --march x64`) comes first, as /lib does on a board
    flashed = [str(flash / "lib")] if (flash / "lib").is_dir() else []
    if heapsize:  # a small heap needs precompiled code, as on the device
        binary = binary or mpy.micropython_binary()
        lib = build.host_firmware_lib(mpy.binary_march(binary))
        path = ":".join([".frozen", *flashed, str(lib / "sim"), str(lib / "firmware")])
        cmd = [binary, "-X", f"heapsize={heapsize}", "-m", entry, "sim.json"]
    else:
        path = mpy.micropypath(flashed, sim=True)
        cmd = [mpy.micropython_binary(), str(mpy.SIM_LIB / f"{entry}.py"), "sim.json"]
    env = dict(os.environ, MICROPYPATH=path)
    status: list[dict] = []
    other: list[str] = []  # anything else the device printed (a traceback goes to stdout)
    deadline = time.monotonic() + timeout
    with subprocess.Popen(
        cmd, cwd=flash, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        for line in proc.stdout:
            found = _status_line(line)
            if found is None:
                other.append(line.rstrip())
            else:
                status.append(found)
                if on_status:
                    on_status(found)
            if time.monotonic() > deadline:
                proc.kill()
                raise SimError("simulation timed out")
        err = proc.stderr.read()
    return status, other, proc.returncode, err


def device_view(
    trace: Path, activity: str, tail_ms: int = STOP_AFTER_TRACE_MS, odr_hz: int | None = None
) -> list[tuple[int, int, int, int]]:
    """The samples the simulated device's detector gets from `trace` in a session started with it:
    the MPU samples the trace on its own grid at the activity's rate (holding the latest row) from
    just after the start for the trace's length plus `tail_ms`, and the driver converts +-16 g raw
    readings back to mg.
    The counter fed these samples at these times (`count_samples`) logs what the device logs, exactly
    (the fault suite's long run checks it). Written to a trace file for `fascia count` they are only
    close: a file's times are rebased to its first sample, one sensor period after the start, and a
    counter is not shift-invariant (a count or so apart). `odr_hz`: another of the MPU's rates than
    the activity's."""
    from fascia.detect.replay import read_trace
    from fascia.spec.activities import activity as activity_row

    period = 1000 // (odr_hz or activity_row(activity)[7])  # the sensor's rate: the MPU's 1 kHz / n rates
    with trace.open() as f:
        rows = list(read_trace(f))
    out = []
    i = 0
    for t in range(period, rows[-1][0] + tail_ms + 1, period):  # the sample at the start is discarded
        while i + 1 < len(rows) and rows[i + 1][0] <= t:
            i += 1
        raw = [max(-32768, min(32767, (2 * v * 2048 + 1000) // 2000)) for v in rows[i][1:]]
        x, y, z = ((r * 125 + 128) >> 8 for r in raw)
        out.append((t, x, y, z))
    return out


def read_last_session(flash: Path) -> dict:
    """The newest session in the simulated flash's log, decoded by the shared parser."""
    files = sorted((flash / "log").glob("*.fs[ls]"))
    if not files:
        return {"activity": None, "count": 0, "status": "no session recorded"}
    session = logread.parse_session(files[-1].read_bytes())
    header = session.get("header") or {}
    end = session.get("end") or {}
    return {
        "session_id": header.get("session_id"),
        "activity": header.get("activity"),
        "mode": header.get("mode"),
        "count": session.get("count"),
        "duration_ms": session.get("duration_ms"),
        "status": session.get("status"),
        "end_reason": end.get("reason"),
        "energy_kcal": end.get("kcal_x10", 0) / 10 if end else None,
        **(end.get("extras") or {}),
        "log_file": str(files[-1]),
        "errors": session.get("errors", []),
    }


def convert_frames(frames_dir: Path) -> tuple[list[Path], Path | None, fr.Pixels | None]:
    """Raw display frames -> PNG (scaled up); returns the PNGs, the final frame's PNG and pixels."""
    pngs = []
    final = final_rows = None
    for raw in sorted(frames_dir.glob("*.rgb565")) + sorted(frames_dir.glob("*.vlsb")):
        kind = raw.suffix[1:]
        w, h = FRAME_SIZES[kind]
        rows = fr.decode(raw.read_bytes(), kind, w, h)
        png = fr.write_png(raw.with_suffix(".png"), rows, scale=2 if kind == "rgb565" else 4)
        raw.unlink()
        if raw.stem == "final":
            final, final_rows = png, rows
        else:
            pngs.append(png)
    return pngs, final, final_rows
