"""BLE figures on the simulator: live notification rate, log sync throughput at MTU 23 and 247, and
the heap a session started, stopped and synced over BLE needs.

    .venv/bin/python -m host_tools.bench.ble [--seconds 8] [--kbytes 24] [--no-heap]

The device is the unchanged firmware under MicroPython (real time), its radio a Bumble virtual
link, the host the bleak code with the Bumble backend. The virtual link has no air time, so the
throughput measures the protocol's round trips (one READ_LOG request per 512-byte window, then
Read + Read Blob PDUs of MTU-1 bytes) through the device's 2 ms main loop, not a radio's
connection interval: on hardware, multiply the PDU counts below by the connection interval.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import tempfile
import time
from pathlib import Path

from fascia.spec import gatt, log, logread
from host_tools.ble import FasciaClient, Live
from host_tools.ble.bumble_backend import backend_for
from host_tools.gen import jumprope
from host_tools.sim.ble_bridge import VirtualRadio, simulated_device


def big_session(path: Path, kbytes: int) -> None:
    """A session file of about `kbytes` kB (PROGRESS + EVENTS records), as a long session writes."""
    records = [log.pack_header(1, "jump_rope", "free", start=1_700_000_000, clock_synced=True)]
    t = 0
    while sum(map(len, records)) < kbytes * 1024:
        events = [t + 400 * i for i in range(64)]
        records += [log.pack_events(events), log.pack_progress(events[-1], len(records) * 32)]
        t = events[-1] + 400
    records.append(log.pack_end(t, 1000))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(records))


async def bench(seconds: float, kbytes: int) -> None:
    radio = VirtualRadio()
    backend = backend_for(radio)
    with tempfile.TemporaryDirectory(prefix="fascia-bench-") as tmp:
        flash = Path(tmp) / "flash"
        big_session(flash / "log" / "00001.fss", kbytes)
        trace, _ = jumprope.generate("basic", 1, 400, Path(tmp) / "rope", duration_s=seconds)
        async with simulated_device(radio, flash, trace, extra={"trace_start_ms": 1500}) as bridge:
            async with FasciaClient(bridge.address, backend) as dev:
                lives: list[tuple[float, Live]] = []
                await dev.subscribe_live(lambda lv: lives.append((time.monotonic(), lv)))
                await dev.start()
                await asyncio.sleep(seconds)
                await dev.stop()
            running = [(t, lv) for t, lv in lives if lv.state == "running"]
            span = running[-1][0] - running[0][0] if len(running) > 1 else math.nan
            changes = sum(1 for a, b in zip(running, running[1:], strict=False) if b[1].count != a[1].count)
            print(f"live: {len(running)} notifications in {span:.1f} s = {len(running) / span:.1f} Hz")
            print(
                f"      ({changes} count changes; period {gatt.LIVE_PERIOD_MS} ms; {gatt.LIVE_BYTES} B each)"
            )
            for mtu in (23, 247):
                async with FasciaClient(bridge.address, backend, mtu=mtu) as dev:
                    size = (await dev.session_info(1))[0]
                    t0 = time.monotonic()
                    data, _crc = await dev.read_session(1)
                    dt = time.monotonic() - t0
                windows = math.ceil(size / gatt.LOG_WINDOW)
                pdus = windows * math.ceil(gatt.LOG_WINDOW / (mtu - 1))
                print(
                    f"sync MTU {mtu:3d}: {len(data)} bytes in {dt:.2f} s = {len(data) / dt / 1024:.1f} kB/s "
                    f"({windows} windows, ~{pdus} read PDUs of <= {mtu - 1} bytes)"
                )


STANDARD_VIEWS = {"bthome": 1, "csc": 1}  # config.json: BTHome advertising and the CSC service on


def _session_and_sync(binary: str, board: str, kib: int, trace: Path, config: dict | None = None) -> bool:
    """Does the device (its chips served by this process) start, stop and sync a session over BLE
    in a `kib` KiB heap (with `config`'s settings)?"""
    from host_tools.sim.ble_device import BackgroundDevice

    with tempfile.TemporaryDirectory(prefix="fascia-bench-") as tmp:
        try:
            dev = BackgroundDevice(
                Path(tmp) / "flash",
                trace,
                board=board,
                heapsize=f"{kib}k",
                remote_chips=True,
                micropython=binary,
                extra={"trace_start_ms": 1500},
                config=config,
            )
        except Exception:  # it did not get as far as advertising
            return False
        try:
            _sid, data = dev.run(dev.record_and_sync(6), timeout=60)
            counted = logread.parse_session(data)["count"] > 0
        except Exception:  # a request unanswered (its code did not fit), or the device crashed
            counted = False
        try:
            dev.close()
        except Exception:
            counted = False
        return counted


def heap_figures() -> None:
    from host_tools.bench.pipeline import BOARDS, runtimes, smallest

    # (this host reads no live values: Bumble would log every notification it did not subscribe to)
    logging.getLogger("bumble.gatt_client").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="fascia-bench-") as tmp:
        trace, _ = jumprope.generate("basic", 1, 400, Path(tmp) / "rope", duration_s=8)
        print("heap for a session started, stopped and synced over BLE (smallest -X heapsize):")
        for label, binary in runtimes().items():
            lo, hi = (40, 104) if label == "32-bit" else (80, 208)
            for views, config in (("", None), (" + BTHome and CSC on", STANDARD_VIEWS)):
                figures = []
                for board in BOARDS:

                    def works(kib: int, binary: str = binary, board: str = board, config=config) -> bool:
                        return _session_and_sync(binary, board, kib, trace, config)

                    figures.append(f"{board} {smallest(works, lo, hi)} KiB")
                print(f"  {label:<8}{'  '.join(figures)}{views}")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=8.0, help="live session length")
    p.add_argument("--kbytes", type=int, default=24, help="size of the session file synced")
    p.add_argument("--no-heap", action="store_true", help="skip the heap bisection (minutes)")
    args = p.parse_args(argv)
    asyncio.run(bench(args.seconds, args.kbytes))
    if not args.no_heap:
        heap_figures()


if __name__ == "__main__":
    main()
