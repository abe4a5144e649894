"""A simulated device with its radio, served by an event loop in a background thread.

Tests and the fault suite drive it from ordinary (synchronous) code: `dev.run(coro)` runs a
coroutine on the device's loop, where the Bumble virtual radio and the bleak clients live.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from host_tools.ble import FasciaClient
from host_tools.ble.bumble_backend import backend_for
from host_tools.ble.sync import BleDevice, LoopThread
from host_tools.sim.ble_bridge import VirtualRadio, simulated_device


class BackgroundDevice:
    """`simulated_device(radio, flash, trace, **options)` kept running until `close()`."""

    def __init__(self, flash: Path, trace: Path | None = None, **options: Any) -> None:
        self.flash = flash
        self.loop = LoopThread()
        self._cm: Any = None
        self.bridge: Any = None
        self.loop.run(self._start(trace, options), timeout=120)

    async def _start(self, trace: Path | None, options: dict[str, Any]) -> None:
        self.radio = VirtualRadio()
        self.backend = backend_for(self.radio)
        self._cm = simulated_device(self.radio, self.flash, trace, **options)
        self.bridge = await self._cm.__aenter__()

    def run(self, coro: Coroutine[Any, Any, Any], timeout: float = 120) -> Any:
        return self.loop.run(coro, timeout)

    def client(self, **options: Any) -> FasciaClient:
        return FasciaClient(self.bridge.address, self.backend, **options)

    def ble_device(self, **options: Any) -> BleDevice:
        return BleDevice(self.bridge.address, self.backend, loop=self.loop.loop, **options)

    def virtual_ms(self) -> int:
        return self.bridge.status[-1]["t"] if self.bridge.status else 0

    async def until(self, t_ms: int) -> None:
        """Wait for the device's virtual clock (its status lines come once a virtual second)."""
        while self.virtual_ms() < t_ms:
            await asyncio.sleep(0.05)

    async def record_and_sync(self, seconds: float) -> tuple[int, bytes]:
        """As a phone would: start a session over BLE, let it run `seconds`, stop it, then sync it
        (read, checked against the device's CRC-32, and acknowledged). (session id, its bytes)"""
        async with self.client() as client:
            await client.start()
            await asyncio.sleep(seconds)
            await client.stop()
            await asyncio.sleep(0.5)
            sid = (await client.list_sessions())[-1].session_id
            data, _crc = await client.read_session(sid)
            await client.ack_synced(sid)
            return sid, data

    def close(self) -> None:
        """Power the device off (its SimResult is then in `bridge.result`) and stop the loop."""
        self.run(self._cm.__aexit__(None, None, None))
        self.loop.close()
