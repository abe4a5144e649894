"""Pipeline benchmark (`make bench-pipeline`): the whole device on the simulated board at 1 kHz.

Runs the firmware (precompiled, as on the device) under the micropython binary, fed a generated
1 kHz jump-rope trace by the simulated MPU over the simulated I2C bus, and prints:
- speed: simulated seconds per wall second for the whole app, and for a bare loop that only drains
  the same FIFO over the same bus (the simulation's own cost), side by side in one run (best of
  RUNS each, run in turns, as other load on the machine only ever slows a run down); and the same
  from the CPU time of the process (user + system), which a loaded machine disturbs far less;
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

import asyncio
import contextlib
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from host_tools import build, mpy
from host_tools.bench.accuracy import OUT
from host_tools.sim.hw_server import HardwareServer

SECONDS = 60
ODR = 1000
BOARDS = ("devkit", "m5stickc")
QSTR_POOLS = (20, 40, 80, 160, 320)  # MicroPython's dynamic qstr pools (after the frozen one of 10)
RUNS = 3  # speed: the best of this many runs of each, taken in turns (a busy machine only slows a run)


def _run(
    binary: str,
    lib: Path,
    trace: Path,
    mode: str,
    board: str = "devkit",
    heapsize: str | None = None,
    remote: bool = False,
    radio: bool = False,
) -> subprocess.CompletedProcess[str]:
    """sim_pipeline under `binary`; `remote`: the chips served by this process; `radio`: the board
    has its radio (a Bumble virtual radio in a loop of this process), the app its BLE service."""
    # the firmware is found at lib/ in the simulated flash (a link), as at /lib on a board: each
    # module's __file__ is an interned string, as short as on the device wherever the repo lives
    path = ":".join([".frozen", "lib", str(lib / "sim")])
    cmd = [binary, *(["-X", f"heapsize={heapsize}"] if heapsize else [])]
    cmd += ["-m", "sim_pipeline", str(trace), str(SECONDS), str(ODR), mode, board]
    env = dict(os.environ, MICROPYPATH=path)
    with tempfile.TemporaryDirectory() as flash, contextlib.ExitStack() as stack:
        (Path(flash) / "lib").symlink_to(lib / "firmware", target_is_directory=True)
        if remote or radio:
            server = stack.enter_context(HardwareServer({"board": board, "trace": str(trace)}))
            cmd.append(str(server.port))
        if radio:
            cmd.append(str(stack.enter_context(_virtual_radio())))
        return subprocess.run(cmd, capture_output=True, text=True, cwd=flash, env=env)


@contextlib.contextmanager
def _virtual_radio() -> Iterator[int]:
    """A ble_bridge on a Bumble virtual radio, in a loop thread: yields the port for sim_board."""
    from host_tools.ble.sync import LoopThread
    from host_tools.sim.ble_bridge import PeripheralBridge, VirtualRadio

    async def start() -> tuple[PeripheralBridge, int]:
        bridge = PeripheralBridge(VirtualRadio())
        return bridge, await bridge.start()

    async def stop(bridge: PeripheralBridge) -> None:
        await bridge.close()
        rest = asyncio.all_tasks() - {asyncio.current_task()}  # the device's connection: it has
        if rest:  # exited, so its end of the socket is about to be read
            await asyncio.wait(rest, timeout=5)

    loop = LoopThread()
    try:
        bridge, port = loop.run(start())
        try:
            yield port
        finally:
            loop.run(stop(bridge))
    finally:
        loop.close()


def _children_cpu_s() -> float:
    """CPU seconds (user + system) of this process's finished children so far."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def qstrs(proc: subprocess.CompletedProcess[str]) -> int:
    """The interned strings (qstrs) the run made, from sim_pipeline's `qstr_info` line."""
    found = re.search(r"n_qstr=(\d+)", proc.stdout)
    return int(found.group(1)) if found else -1


def smallest_heap(binary: str, lib: Path, trace: Path, board: str, radio: bool = False) -> int:
    """The smallest heap (KiB) with which the app run still completes."""

    def works(kib: int) -> bool:
        return _run(binary, lib, trace, "app", board, f"{kib}k", remote=True, radio=radio).returncode == 0

    return smallest(works)


def smallest(works: Callable[[int], bool], lo: int = 16, hi: int = 512) -> int:
    """The smallest heap size in KiB (lo..hi) for which `works(kib)`, by bisection."""
    while lo < hi:
        mid = (lo + hi) // 2
        if works(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


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
        cpu: dict[str, float] = {}
        for _ in range(RUNS):
            for mode in ("bare", "app"):
                before = _children_cpu_s()
                proc = _run(binary, lib, trace, mode)
                used = _children_cpu_s() - before
                if proc.returncode != 0:
                    print(proc.stdout[-500:], proc.stderr[-500:])
                    return 1
                run = json.loads(proc.stdout.strip().splitlines()[-1])
                if mode not in results or run["wall_ms"] < results[mode]["wall_ms"]:
                    results[mode] = run
                cpu[mode] = min(cpu.get(mode, used), used)
        heap: dict[str, dict[str, dict[str, dict[str, int]]]] = {}  # runtime -> board -> radio -> figures
        for label, exe in runtimes().items():
            exe_lib = build.host_firmware_lib(mpy.binary_march(exe))
            heap[label] = {}
            for board in BOARDS:
                heap[label][board] = {}
                for radio in (False, True):
                    proc = _run(exe, exe_lib, trace, "app", board, remote=True, radio=radio)
                    heap[label][board]["radio" if radio else "no_radio"] = {
                        "live_bytes": json.loads(proc.stdout.strip().splitlines()[-1])["live_heap_max"],
                        "qstrs": qstrs(proc),
                        "smallest_kib": smallest_heap(exe, exe_lib, trace, board, radio),
                    }
    bare, app = results["bare"], results["app"]
    figures = {
        "odr_hz": ODR,
        "simulated_s": SECONDS,
        "app_x_realtime": round(app["sim_ms"] / max(app["wall_ms"], 1), 1),
        "bare_x_realtime": round(bare["sim_ms"] / max(bare["wall_ms"], 1), 1),
        "app_only_x_realtime": round(app["sim_ms"] / max(app["wall_ms"] - bare["wall_ms"], 1), 1),
        "app_cpu_s": round(cpu["app"], 2),
        "bare_cpu_s": round(cpu["bare"], 2),
        "app_only_x_realtime_cpu": round(SECONDS / max(cpu["app"] - cpu["bare"], 0.01), 1),
        "heap": heap,
        "jumps_counted": app["count"],
    }
    print(f"pipeline at {ODR} Hz on the simulated board, {SECONDS} s simulated (unix port, x64):")
    print(f"  whole simulated device   {figures['app_x_realtime']:>7} x real time")
    print(f"  bare FIFO drain (models) {figures['bare_x_realtime']:>7} x real time")
    print(f"  firmware's own share     {figures['app_only_x_realtime']:>7} x real time (goal >= 100)")
    print(
        f"  by CPU time: app {figures['app_cpu_s']} s, bare {figures['bare_cpu_s']} s (whole processes),"
        f" firmware's own share {figures['app_only_x_realtime_cpu']} x real time"
    )
    print("heap of the whole firmware (the chips are served by the host, as chips are on a board):")
    print(f"  {'':<20}{'without the radio':^32}  {'with the Bluetooth service':^32}")
    cols = f"{'live':>12}{'qstrs':>7}{'-X heapsize':>13}"
    print(f"  {'runtime':<10}{'board':<10}{cols}  {cols}")
    for label, boards in heap.items():
        for board, runs in boards.items():
            row = "  ".join(
                f"{f['live_bytes']:>12,}{f['qstrs']:>7}{f['smallest_kib']:>9} KiB" for f in runs.values()
            )
            goal = "  (goal <= 64 KiB)" if label == "32-bit" else ""
            print(f"  {label:<10}{board:<10}{row}{goal}")
    print(
        "  qstrs: strings the firmware interned (names, short literals; never freed). Their pools"
        f" double: {QSTR_POOLS} entries hold {sum(QSTR_POOLS)}, one more costs a {2 * QSTR_POOLS[-1]}-entry"
        " pool (about 4 KB, in one block)."
    )
    if "32-bit" not in heap:
        print("  (no 32-bit figures: `make mp32` builds the 32-bit unix port they are measured on)")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "pipeline.json").write_text(json.dumps(figures, indent=1) + "\n")
    print(f"written: {OUT / 'pipeline.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
