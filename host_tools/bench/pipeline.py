"""Pipeline benchmark (`make bench-pipeline`): the whole device on the simulated board at 1 kHz.

Runs the firmware (precompiled, as on the device) under the micropython binary for a whole
generated 1 kHz jump-rope session (SECONDS; boot, counting, END record, summary), its main loop
stepping when it said it next has work, as `fascia.app.main.run` does on the device, and prints:
- instructions per input sample (x86, callgrind: deterministic), each the difference between the
  session and a session of 0 s, so start-up cancels:
  - the firmware's process with the chips served by this process (as chips are on a board:
    they cost the firmware bus time, not CPU): the firmware with its bus calls. Then the same
    with one part taken away at a time (sim_pipeline's options): the drawing, the counter; and a
    bare loop that only reads the FIFO as often, which is what the bus calls themselves cost;
  - the simulated chips' own cost, in-process (over CHIP_SECONDS): the sensor model making the
    samples (the bare loop) and the display model decoding the frames (app - app with a display
    that only counts bytes);
- speed: simulated seconds per second of the firmware process's CPU time (user + system, the
  chips served by this process: the firmware's own x real time) and the wall time of the whole
  simulated device, chips in-process, beside the bare loop (best of RUNS each, run in turns, as
  other load on the machine only ever slows a run down);
- heap, with the sensor and display models served from this process (as chips are on a board,
  not in the firmware's heap): the live heap after collection while running, and the smallest
  `-X heapsize` with which the whole session (boot, counting, END record, summary) completes, per
  board, without and with the Bluetooth service (on a virtual radio; the stand-in for the ESP32's
  `bluetooth` module shares the heap on x64 and is frozen in on 32-bit, as it is in ROM). That is
  measured on the unix port x64 (the pip binary; its objects are up to twice the ESP32's) and,
  when `make mp32` has built it, on a 32-bit unix port: the ESP32's word size, so the figure the
  64 KB goal is about.
The simulation plays the trace from its binary form (sim_trace: parsing CSV lines would be most of
the chips' cost). Figures go to out/bench/pipeline.json.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from host_tools import build, mpy
from host_tools.bench.accuracy import OUT
from host_tools.sim.hw_server import HardwareServer

SECONDS = 60
CHIP_SECONDS = 10  # the chip models' own cost is measured over the session's first 10 s (slow)
ODR = 1000
BOARDS = ("devkit", "m5stickc")
QSTR_POOLS = (20, 40, 80, 160, 320)  # MicroPython's dynamic qstr pools (after the frozen one of 10)
RUNS = 3  # speed: the best of this many runs of each, taken in turns (a busy machine only slows a run)
GOAL_X = 300  # the firmware's goal: x real time at 1 kHz
# The firmware's speed runs use a heap of a device's order (x64 objects are up to twice the ESP32's):
# a collection sweeps the whole heap, and the unix port's default is megabytes, so with it the few
# collections a session needs would be most of the instructions counted
FIRMWARE_HEAP = "160k"


def _run(
    binary: str,
    lib: Path,
    trace: Path,
    mode: str,
    board: str = "devkit",
    heapsize: str | None = None,
    remote: bool = False,
    radio: bool = False,
    seconds: int = SECONDS,
    prefix: tuple[str, ...] = (),
    stats: dict | None = None,
) -> subprocess.CompletedProcess[str]:
    """sim_pipeline under `binary` (after `prefix`: valgrind); `remote`: the chips served by this
    process (their bus transactions counted into `stats`); `radio`: the board has its radio (a
    Bumble virtual radio in a loop of this process), the app its BLE service."""
    # the firmware is found at lib/ in the simulated flash (a link), as at /lib on a board: each
    # module's __file__ is an interned string, as short as on the device wherever the repo lives
    path = ":".join([".frozen", "lib", str(lib / "sim")])
    cmd = [*prefix, binary, *(["-X", f"heapsize={heapsize}"] if heapsize else [])]
    cmd += ["-m", "sim_pipeline", str(trace), str(seconds), str(ODR), mode, board]
    env = dict(os.environ, MICROPYPATH=path)
    with tempfile.TemporaryDirectory() as flash, contextlib.ExitStack() as stack:
        (Path(flash) / "lib").symlink_to(lib / "firmware", target_is_directory=True)
        server = None
        if remote or radio:
            server = stack.enter_context(HardwareServer({"board": board, "trace": str(trace)}))
            cmd.append(str(server.port))
        if radio:
            cmd.append(str(stack.enter_context(_virtual_radio())))
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=flash, env=env)
        if stats is not None and server is not None:
            stats["transactions"] = server.transactions
        return proc


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


def _last_json(proc: subprocess.CompletedProcess[str]) -> dict:
    if proc.returncode != 0:
        raise RuntimeError(proc.stdout[-500:] + proc.stderr[-800:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _instructions(
    lib: Path, trace: Path, mode: str, remote: bool, seconds: int, tmp: Path
) -> tuple[int, dict]:
    """Total x86 instructions callgrind counts for one run, and the run's figures (+ transactions)."""
    out = tmp / "callgrind.out"
    prefix = ("valgrind", "--tool=callgrind", f"--callgrind-out-file={out}")
    stats: dict = {}
    heap = FIRMWARE_HEAP if remote else None  # (in-process, the chip models share the heap)
    binary = mpy.micropython_binary()
    run = _last_json(
        _run(binary, lib, trace, mode, "devkit", heap, remote, seconds=seconds, prefix=prefix, stats=stats)
    )
    run.update(stats)
    for line in out.read_text().splitlines():
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1]), run
    raise RuntimeError("no totals in callgrind output")


def per_sample(lib: Path, trace: Path, mode: str, remote: bool, seconds: int, tmp: Path) -> dict:
    """Instructions per input sample of `mode` over a session of `seconds` (less a session of 0 s:
    start-up, the session's start and end cancel), with the run's figures."""
    empty, empty_run = _instructions(lib, trace, mode, remote, 0, tmp)
    total, run = _instructions(lib, trace, mode, remote, seconds, tmp)
    run["per_sample"] = round((total - empty) / (seconds * ODR), 1)
    if "transactions" in run:
        run["transactions_per_s"] = round((run["transactions"] - empty_run["transactions"]) / seconds, 1)
    return run


def instruction_figures(lib: Path, trace: Path, tmp: Path) -> dict:
    """callgrind's figures: the firmware (chips served by this process) whole and less each part;
    the chips' own cost (in-process)."""
    fw = {
        label: per_sample(lib, trace, mode, True, SECONDS, tmp)
        for label, mode in (
            ("app", "app:time"),
            ("nodraw", "app:time:nodraw"),
            ("nofeed", "app:time:nodraw:nofeed"),
            ("bare", "bare"),
        )
    }
    again = per_sample(lib, trace, "app:time", True, SECONDS, tmp)["per_sample"]
    chips = {
        label: per_sample(lib, trace, mode, False, CHIP_SECONDS, tmp)
        for label, mode in (("bare", "bare"), ("app", "app:time"), ("sink", "app:time:sink"))
    }
    app = fw["app"]["per_sample"]
    bus = fw["bare"]["per_sample"] / max(fw["bare"]["transactions_per_s"], 1)  # per transaction, per s
    return {
        "firmware": app,
        "firmware_again": again,
        "drawing": round(app - fw["nodraw"]["per_sample"], 1),
        "counter": round(fw["nodraw"]["per_sample"] - fw["nofeed"]["per_sample"], 1),
        "loop_recorder_session_log": fw["nofeed"]["per_sample"],
        "bus_calls_estimate": round(bus * fw["app"]["transactions_per_s"], 1),
        "bus_transactions_per_s": fw["app"]["transactions_per_s"],
        "frames_sent": fw["app"]["frames"],
        "samples": fw["app"]["samples"],
        "sensor_model": chips["bare"]["per_sample"],
        "display_model": round(chips["app"]["per_sample"] - chips["sink"]["per_sample"], 1),
        "frames_in_chip_run": chips["app"]["frames"],
        "count": fw["app"]["count"],
    }


def speed_figures(lib: Path, trace: Path) -> dict:
    """Best of RUNS, in turns: CPU seconds of the firmware's process (chips served by this one), and
    wall ms of the whole simulated device and of the bare loop (chips in-process)."""
    binary = mpy.micropython_binary()
    best: dict[str, float] = {}
    for _ in range(RUNS):
        for label, mode, remote in (
            ("firmware_cpu_s", "app:time", True),
            ("app", "app:time", False),
            ("bare", "bare", False),
        ):
            before = _children_cpu_s()
            heap = FIRMWARE_HEAP if remote else None
            run = _last_json(_run(binary, lib, trace, mode, "devkit", heap, remote))
            value = _children_cpu_s() - before if label == "firmware_cpu_s" else run["wall_ms"]
            best[label] = min(best.get(label, value), value)
    return best


def main(argv: list[str] | None = None) -> int:
    import argparse

    from host_tools.bench.cost import write_samples
    from host_tools.gen import jumprope

    parser = argparse.ArgumentParser(prog="bench-pipeline", description="the whole device at 1 kHz")
    parser.add_argument(
        "--only",
        default="speed,instructions,heap",
        help="comma-separated: speed, instructions, heap (default: all)",
    )
    parts = set(parser.parse_args(argv).only.split(","))

    lib = build.host_firmware_lib()
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        stem = tmp / "bench_1khz"
        jumprope.generate("basic", 7, float(ODR), stem, duration_s=SECONDS)
        trace = tmp / "bench_1khz.bin"
        write_samples(stem.with_suffix(".csv"), trace)
        speed = speed_figures(lib, trace) if "speed" in parts else None
        instr = None
        if "instructions" in parts and shutil.which("valgrind"):
            instr = instruction_figures(lib, trace, tmp)
        heap: dict[str, dict[str, dict[str, dict[str, int]]]] = {}  # runtime -> board -> radio -> figures
        for label, exe in runtimes().items() if "heap" in parts else ():
            exe_lib = build.host_firmware_lib(mpy.binary_march(exe))
            heap[label] = {}
            for board in BOARDS:
                heap[label][board] = {}
                for radio in (False, True):
                    proc = _run(exe, exe_lib, trace, "app", board, remote=True, radio=radio)
                    heap[label][board]["radio" if radio else "no_radio"] = {
                        "live_bytes": _last_json(proc)["live_heap_max"],
                        "qstrs": qstrs(proc),
                        "smallest_kib": smallest_heap(exe, exe_lib, trace, board, radio),
                    }
    sim_ms = SECONDS * 1000
    figures = {
        "odr_hz": ODR,
        "simulated_s": SECONDS,
        "instructions_per_sample": instr,
        "heap": heap,
    }
    if speed is not None:
        figures["firmware_x_realtime_cpu"] = round(SECONDS / max(speed["firmware_cpu_s"], 0.001), 1)
        figures["firmware_cpu_s"] = round(speed["firmware_cpu_s"], 3)
        figures["app_x_realtime"] = round(sim_ms / max(speed["app"], 1), 1)
        figures["bare_x_realtime"] = round(sim_ms / max(speed["bare"], 1), 1)
    print(f"pipeline at {ODR} Hz on the simulated board (devkit, SSD1306), a {SECONDS} s jump-rope session:")
    if instr is None and "instructions" in parts:
        print("  (valgrind not found: no instruction counts; apt-get install valgrind)")
    elif instr is not None:
        i = instr
        print("  x86 instructions per input sample (callgrind), chips served by this process:")
        _row("firmware, all in (its bus calls included)", i["firmware"], f"again: {i['firmware_again']:,.0f}")
        _row("  drawing (a look 10/s, a frame on change)", i["drawing"], f"{i['frames_sent']} frames sent")
        _row("  counter (fascia.detect feed_block)", i["counter"], f"{i['count']} jumps counted")
        _row("  loop, recorder, session, log, bus calls", i["loop_recorder_session_log"])
        _row(
            "  of all: the bus calls themselves, about",
            i["bus_calls_estimate"],
            f"{i['bus_transactions_per_s']} transactions/s at a bare FIFO-reading loop's cost each",
        )
        print(
            f"  the simulated chips' own cost (in-process, the first {CHIP_SECONDS} s; not the firmware's):"
        )
        _row("sensor model and trace (a bare FIFO drain)", i["sensor_model"])
        _row("display model decoding the I2C frames", i["display_model"], f"{i['frames_in_chip_run']} frames")
        print(f"  firmware goal: <= ~10,000 instructions a sample ({GOAL_X}x real time)")
    if speed is not None:
        print(f"  speed, best of {RUNS} (this machine, its load included):")
        print(
            f"    firmware's process CPU time {figures['firmware_cpu_s']} s for {SECONDS} s:"
            f" {figures['firmware_x_realtime_cpu']:>7} x real time (goal >= {GOAL_X})"
        )
        print(
            f"    whole simulated device, wall (chips in-process) {figures['app_x_realtime']:>7} x real time"
        )
        print(
            f"    bare FIFO drain (the chip models alone), wall   {figures['bare_x_realtime']:>7} x real time"
        )
    if not heap:
        _write(figures)
        return 0
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
    _write(figures)
    return 0


def _row(label: str, value: float, note: str = "") -> None:
    print(f"    {label:<46}{value:>9,.0f}" + (f"  ({note})" if note else ""))


def _write(figures: dict) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "pipeline.json").write_text(json.dumps(figures, indent=1) + "\n")
    print(f"written: {OUT / 'pipeline.json'}")


if __name__ == "__main__":
    sys.exit(main())
