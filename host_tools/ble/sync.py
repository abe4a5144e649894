"""`fascia sync --ble`: the sync engine (host_tools.sync.sync) over Bluetooth LE instead of USB.

`BleDevice` is a `host_tools.sync.SyncDevice` built on the GATT profile (fascia.spec.gatt), so the
same engine, store and guarantees (CRC-checked copies, commit before acknowledge, reruns safe after
a drop at any point) hold over both links:

    info   Device Information (firmware, serial = device id, model), a Current Time write (the
           clock), CLOCK_INFO (boot, uptime, epoch, next id), LIST_SESSIONS, and per session
           SESSION_INFO (size, CRC-32) and READ_LOG at offset 0 (the first bytes: the store's key)
    copy   READ_LOG windows up to the size `info` saw (a session still being recorded keeps its CRC)
    ack    ACK_SYNCED per session
    delete not over Bluetooth (`can_delete` False): the device wants the person to confirm deletes
           with its button, so acknowledged sessions stay until then (or a USB sync deletes them)

bleak and Bumble objects belong to the asyncio loop they were made in; the engine is blocking, so
every call runs its coroutine on one loop in a background thread and waits for it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

from bleak.exc import BleakError

from fascia.app.logstore import SYNCED_EPOCH
from fascia.spec import control, gatt
from host_tools.ble import RESULT_NAMES, BleBackend, ControlError, FasciaClient, scan
from host_tools.errors import UserError
from host_tools.sync import SyncError

HEAD_BYTES = 64  # the session's first bytes the store keys on (as fascia.app.sync sends over USB)
MIN_PROFILE = 2  # CLOCK_INFO carries next_id from profile version 2 on
CLOCK_SLACK_S = 2  # the clock counts as set if CLOCK_INFO reads back within this of what was written
CALL_TIMEOUT_S = 600  # one engine step (e.g. copying every session) at worst
SCAN_S = 5.0

Progress = Callable[[int, int], None]


class LoopThread:
    """An asyncio event loop running in a daemon thread; `run(coro)` waits for a coroutine there."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="fascia-ble", daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, Any], timeout: float | None = CALL_TIMEOUT_S) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()


def _path(sid: int, synced: bool) -> str:
    """The session's file name as the device stores it (the engine names copies after it)."""
    return f"log/{sid:05d}.{'fss' if synced else 'fsl'}"


class BleDevice:
    """One device over Bluetooth LE, for `host_tools.sync.sync` (`with BleDevice(...) as dev:`).

    `loop` is the event loop (running in another thread) that `backend`'s radio lives in; None =
    a loop of its own. `progress(done, total)` hears the bytes copied so far."""

    can_delete = False

    def __init__(
        self,
        address: str,
        backend: BleBackend | None = None,
        *,
        loop: asyncio.AbstractEventLoop | None = None,
        progress: Progress | None = None,
        **client_options: Any,
    ) -> None:
        self.address = address
        self.backend = backend
        self.progress = progress
        self._options = client_options
        self._own: LoopThread | None = None
        if loop is None:
            self._own = LoopThread()
            loop = self._own.loop
        self._loop = loop
        self._client: FasciaClient | None = None
        self._sizes: dict[int, int] = {}  # session id -> size when `info` read its CRC

    def __enter__(self) -> BleDevice:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._call(self._client.__aexit__(None, None, None), timeout=10)
            self._client = None
        if self._own is not None:
            self._own.close()
            self._own = None

    def _call(self, coro: Coroutine[Any, Any, Any], timeout: float = CALL_TIMEOUT_S) -> Any:
        """Run one step on the loop; a lost link or an unexpected answer becomes a SyncError (Bumble
        cancels what was waiting on a connection that drops)."""
        try:
            return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)
        except (
            BleakError,
            ControlError,
            TimeoutError,
            ConnectionError,
            concurrent.futures.CancelledError,
        ) as e:
            self._client = None  # whatever is left of the connection is not reused
            reason = str(e) or type(e).__name__
            raise SyncError(
                f"Bluetooth link to {self.address} lost ({reason}): nothing is lost, run the sync again"
            ) from None

    async def _connected(self) -> FasciaClient:
        if self._client is None or not self._client.client.is_connected:
            client = FasciaClient(self.address, self.backend, **self._options)
            try:
                await client.__aenter__()
            except OSError as e:  # e.g. no Bluetooth service on this computer (BlueZ over D-Bus)
                raise UserError(f"Bluetooth is not available here: {e}") from None
            self._client = client
        return self._client

    # -- SyncDevice ---------------------------------------------------------------------------------
    def info(self, set_epoch: int | None = None) -> dict:
        """As host_tools.sync.Device.info: identity, clock (set first to `set_epoch`), sessions."""
        return self._call(self._info(set_epoch))

    async def _info(self, set_epoch: int | None) -> dict:
        dev = await self._connected()
        firmware, _, profile = (await dev.read_text(gatt.FIRMWARE_REV)).partition(" ble ")
        if not profile.isdigit() or int(profile) < MIN_PROFILE:
            raise SyncError(
                f"{self.address}: firmware {firmware} speaks Bluetooth profile {profile or '?'}, sync needs "
                f"{MIN_PROFILE} or later: update the firmware (`fascia flash`) or sync over USB"
            )
        if set_epoch is not None:
            await dev.set_time(*time.gmtime(set_epoch)[:6])
        clock = await dev.clock_info()  # the device applies a Current Time write before answering
        sessions = []
        self._sizes = {}
        for sid, _, synced in await dev.list_sessions():
            size, crc, synced = await dev.session_info(sid)
            head = await dev.read_log(sid, 0, HEAD_BYTES)
            self._sizes[sid] = size
            sessions.append(
                {
                    "id": sid,
                    "path": _path(sid, synced),
                    "synced": synced,
                    "size": size,
                    "crc32": crc,
                    "head": head.hex(),
                }
            )
        return {
            "device_id": await dev.read_text(gatt.SERIAL),
            "firmware": firmware,
            "platform": await dev.read_text(gatt.MODEL),
            "boot": clock.boot,
            "uptime_s": clock.uptime_s,
            "epoch": clock.epoch,
            "clock_set": set_epoch is not None and abs(clock.epoch - set_epoch) <= CLOCK_SLACK_S,
            "clock_synced": clock.epoch >= SYNCED_EPOCH,
            "next_id": clock.next_id,
            "sessions": sessions,
        }

    def copy(self, paths: list[str], dest: Path) -> None:
        """Read each session (as `info` listed it) into `dest`, named as on the device."""
        if paths:
            self._call(self._copy(paths, dest))

    async def _copy(self, paths: list[str], dest: Path) -> None:
        dev = await self._connected()
        ids = [int(Path(p).stem) for p in paths]
        total = sum(self._sizes[sid] for sid in ids)
        before = 0
        for sid, path in zip(ids, paths, strict=True):

            def step(done: int, _size: int, before: int = before) -> None:
                if self.progress:
                    self.progress(before + done, total)

            data = await dev.read_bytes(sid, self._sizes[sid], progress=step)
            (dest / Path(path).name).write_bytes(data)
            before += self._sizes[sid]

    def ack(self, ids: list[int]) -> dict:
        """ACK_SYNCED each: {"acked": [id], "errors": [[id, sentence]]} (as over USB)."""
        return self._call(self._ack(ids)) if ids else {"acked": [], "errors": []}

    async def _ack(self, ids: list[int]) -> dict:
        dev = await self._connected()
        acked: list[int] = []
        errors: list[list] = []
        for sid in ids:
            try:
                try:
                    await dev.ack_synced(sid)
                except ControlError as e:
                    if e.result != control.OTHER_HOST:
                        raise
                    # the store had it (copied by USB or another host) but this host never read it
                    # over the radio, and the device takes acknowledgements only from a host that did
                    await dev.read_session(sid)
                    await dev.ack_synced(sid)
                acked.append(sid)
            except ControlError as e:  # e.g. the session being recorded, or gone
                errors.append([sid, f"not acknowledged: {RESULT_NAMES.get(e.result, hex(e.result))}"])
        return {"acked": acked, "errors": errors}

    def delete(self, ids: list[int]) -> dict:
        raise SyncError("deleting over Bluetooth needs a confirmation on the device (button A)")

    def restart(self) -> bool:
        """Nothing to do: over Bluetooth the app itself answers, so it never stopped."""
        return False


async def _only_device(backend: BleBackend | None) -> str:
    try:
        found = await scan(SCAN_S, backend)
    except (BleakError, OSError) as e:
        raise UserError(f"Bluetooth is not available here: {e}") from None
    if not found:
        raise UserError("no fascia device found over Bluetooth (is it on and in range?)")
    if len(found) > 1:
        listed = ", ".join(f"{f.name or '?'} {f.address}" for f in found)
        raise UserError(f"several fascia devices in range ({listed}): choose one with --address")
    return found[0].address


@contextlib.asynccontextmanager
async def _simulated(flash: Path) -> AsyncIterator[tuple[BleBackend, str]]:
    from host_tools.ble.bumble_backend import backend_for
    from host_tools.sim.ble_bridge import VirtualRadio, simulated_device

    radio = VirtualRadio()
    async with simulated_device(radio, flash) as bridge:
        yield backend_for(radio), bridge.address


@contextlib.contextmanager
def open_ble_device(
    address: str | None = None, simulated: Path | None = None, progress: Progress | None = None
) -> Iterator[BleDevice]:
    """The device to sync over Bluetooth: `address`, else the one fascia device in range; or, with
    `simulated`, a simulated device on a virtual radio whose flash is that folder."""
    loop = LoopThread()
    try:
        if simulated is None:
            chosen: str = address or loop.run(_only_device(None))
            with BleDevice(chosen, loop=loop.loop, progress=progress) as device:
                yield device
            return
        if not (simulated / "log").is_dir():
            raise UserError(f"{simulated}: not a simulated device's flash (no log folder)")
        sim = _simulated(simulated)
        backend, sim_address = loop.run(sim.__aenter__())
        try:
            with BleDevice(address or sim_address, backend, loop=loop.loop, progress=progress) as device:
                yield device
        finally:
            loop.run(sim.__aexit__(None, None, None))
    finally:
        loop.close()
