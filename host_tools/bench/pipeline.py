"""Pipeline benchmark (`make bench-pipeline`): the whole device on the simulated board at 1 kHz.

Runs the firmware (precompiled, as on the device) under the micropython binary, fed a generated
1 kHz jump-rope trace by the simulated MPU over the simulated I2C bus, and prints:
- speed: simulated seconds per wall second for the whole app, and for a bare loop that only drains
  the same FIFO over the same bus (the simulation's own cost), side by side in one run (best of
  RUNS each, run in turns, as other load on the machine only ever slows a run down);
- heap, with the sensor and display models served from this process (as chips are on a board,
  not in the firmware's heap): the live heap after collection while running, and the smallest
  `-X heapsize` with which the whole session (boot, counting, END record, summary) completes, per
  board, without and with the Bluetooth service (on a virtual radio; the stand-in for the ESP32's
  `bluetooth` module shares the heap on x64 and is frozen in on 32-bit, as it is in ROM). That is
  measured on the unix port x64 (the pip binary; its objects are up to twice the ESP32's) and,
  when `make mp32` has built it, on a 32-bit unix port: the ESP32's word size, so the figure the
  64 KB goal is about.
Figures go to out/bench/pipeline.json.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from host_tools import build, mpy
from host_tools.bench.accuracy import OUT
from host_tools.sim.hw_server import HardwareServer

SECONDS = 60
ODR = 1000
BOARDS = ("devkit", "m5stickc")
RUNS = 3  # speed: the best of this many runs of each, taken in turns (a busy machine only slows a run)


def _run(
    binary: str,
    lib: Path,
    trace: Path,
    mode: str,
    board: str = "devkit",
    heapsize: str | None = None,
    remote: bool = False,
) -> subprocess.CompletedProcess[str]:
    path = ":".join([".frozen", str(lib / "sim"), str(lib / "firmware")])
    cmd = [binary, *(["-X", f"heapsize={heapsize}"] if heapsize else [])]
    cmd += ["-m", "sim_pipeline", str(trace), str(SECONDS), str(ODR), mode, board]
    env = dict(os.environ, MICROPYPATH=path)
    with tempfile.TemporaryDirectory() as flash, contextlib.ExitStack() as stack:
        if remote:
            server = stack.enter_context(HardwareServer({"board": board, "trace": str(trace)}))
            cmd.append(str(server.port))
        return subprocess.run(cmd, capture_output=True, text=True, cwd=flash, env=env)


def smallest_heap(binary: str, lib: Path, trace: Path, board: str) -> int:
    """Bisect the heap size (KiB) with which the app run still completes."""

    def completes(kib: int) -> bool:
        return _run(binary, lib, trace, "app", board, f"{kib}k", remote=True).returncode == 0

    return _smallest(completes)


def _smallest(completes: Callable[[int], bool]) -> int:
    """The smallest heap (KiB, 16..512) for which `completes(kib)`, by bisection."""
    lo, hi = 16, 512
    while lo < hi:
        mid = (lo + hi) // 2
        if completes(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def smallest_heap_with_radio(binary: str, trace: Path, board: str) -> int:
    """The same bisection for a whole session with the Bluetooth service running (advertising on
    a virtual radio), as the boards ship: sim_run on the simulated board, its chips in the host."""
    import asyncio
    import threading

    from host_tools.sim.ble_bridge import PeripheralBridge, VirtualRadio
    from host_tools.sim.run import simulate

    async def completes(kib: int) -> bool:
        bridge = PeripheralBridge(VirtualRadio())
        port = await bridge.start()
        done: dict = {}

        def run() -> None:
            with contextlib.suppress(Exception), tempfile.TemporaryDirectory() as flash:
                result = simulate(
                    trace,
                    "jump_rope",
                    board=board,
                    heapsize=f"{kib}k",
                    remote_chips=True,
                    micropython=binary,
                    flash_dir=Path(flash),
                    extra={"ble_port": port},
                )
                done["ok"] = result.summary.get("status") == "complete"

        worker = threading.Thread(target=run)
        worker.start()
        while worker.is_alive():
            await asyncio.sleep(0.05)
        await bridge.close()
        return done.get("ok", False)

    return _smallest(lambda kib: asyncio.run(completes(kib)))


def runtimes() -> dict[str, str]:
    """Label -> micropython binary: the pip one, and the 32-bit build if `make mp32` made it."""
    found = {"x64": mpy.micropython_binary()}
    if mpy.MICROPYTHON_32.exists():
        found["32-bit"] = str(mpy.MICROPYTHON_32)
    return found


def main() -> int:
    from host_tools.gen import jumprope

    binary = mpy.micropython_binary()
    lib = build.host_firmware_lib()
    with tempfile.TemporaryDirectory() as t:
        stem = Path(t) / "bench_1khz"
        jumprope.generate("basic", 7, float(ODR), stem, duration_s=SECONDS)
        trace = stem.with_suffix(".csv")
        results: dict[str, dict] = {}
        for _ in range(RUNS):
            for mode in ("bare", "app"):
                proc = _run(binary, lib, trace, mode)
                if proc.returncode != 0:
                    print(proc.stdout[-500:], proc.stderr[-500:])
                    return 1
                run = json.loads(proc.stdout.strip().splitlines()[-1])
                if mode not in results or run["wall_ms"] < results[mode]["wall_ms"]:
                    results[mode] = run
        live: dict[str, dict[str, int]] = {}
        heaps: dict[str, dict[str, int]] = {}
        radio: dict[str, dict[str, int]] = {}
        for label, exe in runtimes().items():
            exe_lib = build.host_firmware_lib(mpy.binary_march(exe))
            live[label], heaps[label], radio[label] = {}, {}, {}
            for board in BOARDS:
                proc = _run(exe, exe_lib, trace, "app", board, remote=True)
                live[label][board] = json.loads(proc.stdout.strip().splitlines()[-1])["live_heap_max"]
                heaps[label][board] = smallest_heap(exe, exe_lib, trace, board)
                radio[label][board] = smallest_heap_with_radio(exe, trace, board)
    bare, app = results["bare"], results["app"]
    figures = {
        "odr_hz": ODR,
        "simulated_s": SECONDS,
        "app_x_realtime": round(app["sim_ms"] / max(app["wall_ms"], 1), 1),
        "bare_x_realtime": round(bare["sim_ms"] / max(bare["wall_ms"], 1), 1),
        "app_only_x_realtime": round(app["sim_ms"] / max(app["wall_ms"] - bare["wall_ms"], 1), 1),
        "live_heap_bytes": live,
        "smallest_heap_kib": heaps,
        "smallest_heap_with_radio_kib": radio,
        "jumps_counted": app["count"],
    }
    print(f"pipeline at {ODR} Hz on the simulated board, {SECONDS} s simulated (unix port, x64):")
    print(f"  whole simulated device   {figures['app_x_realtime']:>7} x real time")
    print(f"  bare FIFO drain (models) {figures['bare_x_realtime']:>7} x real time")
    print(f"  firmware's own share     {figures['app_only_x_realtime']:>7} x real time (goal >= 100)")
    print("heap of the whole firmware (the chips are served by the host, as chips are on a board):")
    head = f"{'live while running':>20}{'smallest -X heapsize':>22}{'radio on':>10}"
    print(f"  {'runtime':<10}{'board':<10}{head}")
    for label in heaps:
        for board in BOARDS:
            goal = "  (goal <= 64 KiB)" if label == "32-bit" else ""
            row = f"{live[label][board]:>14,} bytes{heaps[label][board]:>18} KiB{radio[label][board]:>6} KiB"
            print(f"  {label:<10}{board:<10}{row}{goal}")
    if "32-bit" not in heaps:
        print("  (no 32-bit figures: `make mp32` builds the 32-bit unix port they are measured on)")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "pipeline.json").write_text(json.dumps(figures, indent=1) + "\n")
    print(f"written: {OUT / 'pipeline.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
