"""`fascia devices` and `fascia live`: the device over Bluetooth LE (bleak).

`--simulated` runs the unchanged firmware on a simulated board whose radio is a Bumble virtual
link (host_tools.sim.ble_bridge), and talks to it through the same bleak code with the Bumble
backend: a demo, and a test of the commands without hardware.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import logging
import signal
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

from bleak.exc import BleakError
from rich.console import Console
from rich.live import Live as RichLive
from rich.table import Table

from host_tools.ble import BleBackend, FasciaClient, Found, Live, scan
from host_tools.commands import leave_on_ctrl_c
from host_tools.errors import UserError
from host_tools.vocabulary import figure_text, live_figure


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("devices", help="scan for fascia devices over Bluetooth LE")
    p.add_argument("--timeout", type=float, default=5.0, help="seconds to scan (default 5)")
    p.add_argument("--json", action="store_true", help="one JSON object per device")
    p.add_argument("--simulated", action="store_true", help="scan the simulated device on a virtual radio")
    p.set_defaults(func=_cmd_devices)

    p = subparsers.add_parser("live", help="live count, time and rate from a device (Ctrl-C to leave)")
    p.add_argument("--address", help="device address (default: the strongest fascia device found)")
    p.add_argument("--start", action="store_true", help="start a session first (stop it on leaving)")
    p.add_argument("--seconds", type=float, help="leave after this many seconds")
    p.add_argument("--json", action="store_true", help="print each update as a JSON line")
    p.add_argument("--simulated", action="store_true", help="the simulated device, on a virtual radio")
    p.add_argument("--trace", type=Path, help="with --simulated: a trace CSV its accelerometer plays")
    p.add_argument(
        "--flash",
        metavar="DIR",
        type=Path,
        help="with --simulated: its flash folder (default: the one `fascia sim` and `sync --simulated` use)",
    )
    p.set_defaults(func=_cmd_live)


@contextlib.asynccontextmanager
async def _radio(
    simulated: bool, flash: Path | None = None, trace: Path | None = None
) -> AsyncIterator[tuple[BleBackend | None, str | None]]:
    """(backend, address): the platform's radio, or the simulated device on a virtual one (its
    flash in `flash`, else a temporary folder), its accelerometer playing `trace`."""
    if not simulated:
        yield None, None
        return
    from host_tools.ble.bumble_backend import backend_for
    from host_tools.sim.ble_bridge import VirtualRadio, simulated_device

    # the virtual radio's stack logs its own races (a reply to a request cancelled by Ctrl-C) as
    # warnings: not the user's business, who gets one line for a Ctrl-C
    logging.getLogger("bumble").setLevel(logging.ERROR)
    radio = VirtualRadio()
    if trace is not None and not trace.is_file():
        raise UserError(f"{trace}: no such file")
    with contextlib.ExitStack() as stack:
        folder = flash or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="fascia-ble-")))
        async with simulated_device(radio, folder, trace) as bridge:
            yield backend_for(radio), bridge.address


async def _devices(args: argparse.Namespace) -> list[Found]:
    async with _radio(args.simulated) as (backend, _):
        found = await scan(args.timeout, backend)
        for f in found:
            with contextlib.suppress(UserError, Exception):
                async with FasciaClient(f.address, backend, timeout=5) as dev:
                    f.battery = await dev.battery()
        return found


def _cmd_devices(args: argparse.Namespace) -> None:
    if not args.json:
        print(f"scanning for fascia devices ({args.timeout:g} s)...", file=sys.stderr, flush=True)
    found = _run(_devices(args)) or []
    if args.json:
        for f in found:
            print(json.dumps(dataclasses.asdict(f)))
        return
    if not found:
        raise UserError("no fascia device found (is it on and in range?)")
    table = Table("name", "address", "RSSI", "battery")
    for f in found:
        table.add_row(
            f.name or "?", f.address, f"{f.rssi} dBm", "?" if f.battery is None else f"{f.battery} %"
        )
    Console().print(table)


def _view(live: Live | None, address: str) -> Table:
    table = Table(title=f"fascia {address}", show_header=False, min_width=36)
    if live is None:
        table.add_row("waiting for the device...")
        return table
    minutes, seconds = divmod(live.elapsed_ms // 1000, 60)
    figure = figure_text(live_figure(live.activity), live.figure)  # (fascia.spec.activities)
    table.add_row("activity", f"{live.activity} ({live.mode})")
    table.add_row(
        "state", live.state + (" (rest)" if live.rest else "") + (" (summary)" if live.summary else "")
    )
    table.add_row("count", f"[bold]{live.count}[/bold]")
    table.add_row("time", f"{minutes}:{seconds:02d}")
    table.add_row("rate", f"{live.rate_per_min} /min (last 10 s)")
    table.add_row("figure", figure)
    if live.left is not None:
        table.add_row("to go", str(live.left))
    table.add_row("battery", f"{live.battery} %")
    return table


async def _live(args: argparse.Namespace) -> None:
    if (args.flash or args.trace) and not args.simulated:
        raise UserError("--flash and --trace are for the simulated device (--simulated)")
    flash = None
    if args.simulated:
        from host_tools.sim.run import simulated_flash

        flash = simulated_flash(args.flash)
        flash.mkdir(parents=True, exist_ok=True)
    async with _radio(args.simulated, flash, args.trace) as (backend, sim_address):
        address = args.address or sim_address
        if address is None:
            found = await scan(5.0, backend)
            if not found:
                raise UserError("no fascia device found (is it on and in range?)")
            address = found[0].address
        updates: asyncio.Queue[Live] = asyncio.Queue()
        async with FasciaClient(address, backend) as dev:
            await dev.subscribe_live(updates.put_nowait)
            if args.start:
                await dev.start()
            deadline = time.monotonic() + args.seconds if args.seconds else None
            try:
                if args.json:
                    await _follow(updates, deadline, _print_json)
                else:
                    with RichLive(_view(None, address), refresh_per_second=8) as screen:
                        await _follow(updates, deadline, lambda lv: screen.update(_view(lv, address)))
            finally:
                if args.start and dev.client.is_connected:
                    with contextlib.suppress(Exception):
                        await dev.stop()
                        result = await dev.live()  # the session's summary: its final count
                        if args.json:
                            _print_json(result)
                        else:
                            Console().print(_view(result, address))


def _print_json(live: Live) -> None:
    print(json.dumps(dataclasses.asdict(live)), flush=True)


async def _follow(updates: asyncio.Queue[Live], deadline: float | None, show) -> None:
    while deadline is None or time.monotonic() < deadline:
        timeout = None if deadline is None else max(deadline - time.monotonic(), 0.01)
        try:
            show(await asyncio.wait_for(updates.get(), timeout))
        except TimeoutError:
            return


def _cmd_live(args: argparse.Namespace) -> None:
    _run(_live(args))


def _run(coro):
    """Run a command; Ctrl-C closes the connection on the way out and reaches `fascia`'s main (one
    line, exit 130), and a computer without Bluetooth (no BlueZ / D-Bus) gets one line, not a traceback."""

    async def guarded():
        previous = leave_on_ctrl_c()  # (inside the loop: wraps asyncio's own Ctrl-C handler)
        try:
            return await coro
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)

    try:
        return asyncio.run(guarded())
    except (BleakError, OSError) as e:
        raise UserError(f"Bluetooth is not available here: {e}") from None
