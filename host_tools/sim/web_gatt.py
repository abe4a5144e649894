"""Web Bluetooth on the simulated device: the page's GATT operations, forwarded over a local
WebSocket to a bleak client (the Bumble backend) connected to the simulated device.

`web_shim.js` (beside this file) replaces `navigator.bluetooth` in the browser with an object that
sends each operation (connect, read, write, start notifications, disconnect) as one JSON message
and turns the answers and notifications back into Web Bluetooth's objects and events. So the
page's own protocol code runs unchanged against the real firmware on the virtual radio; the
browser tests (tests/test_web_browser.py) use it.

Messages: `{"id", "op": "connect"|"read"|"write"|"notify"|"disconnect", "uuid", "value": hex}` ->
`{"id", "value": hex}` or `{"id", "error": text}`; pushed: `{"ev": "value", "uuid", "value"}`,
`{"ev": "disconnected"}`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
from typing import Any

from bleak import BleakClient

from host_tools.ble import BleBackend

SHIM_JS = Path(__file__).with_name("web_shim.js")


class GattProxy:
    """A WebSocket server (on the caller's asyncio loop) serving one browser at a time."""

    def __init__(self, address: str, backend: BleBackend, name: str = "fascia") -> None:
        self.address = address
        self.backend = backend
        self.name = name
        self.port = 0
        self.ops = 0  # GATT operations forwarded so far
        self.drop_at = 0  # when ops reaches this, the link drops instead (a person walking away)
        self.client: BleakClient | None = None
        self._server: Any = None

    async def start(self) -> int:
        import websockets

        self._server = await websockets.serve(self._serve, "127.0.0.1", 0)
        self.port = next(iter(self._server.sockets)).getsockname()[1]
        return self.port

    async def close(self) -> None:
        await self._drop()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _drop(self) -> None:
        client, self.client = self.client, None
        if client is not None and client.is_connected:
            with contextlib.suppress(Exception):
                await client.disconnect()

    async def _serve(self, ws: Any) -> None:
        loop = asyncio.get_running_loop()

        def push(msg: dict[str, Any]) -> None:
            loop.create_task(ws.send(json.dumps(msg)))

        try:
            async for text in ws:
                msg = json.loads(text)
                try:
                    value = await self._op(msg, push)
                    reply: dict[str, Any] = {"id": msg["id"]}
                    if value is not None:
                        reply["value"] = bytes(value).hex()
                except Exception as e:  # the page sees a failed promise, as with a real radio
                    reply = {"id": msg["id"], "error": f"{type(e).__name__}: {e}"}
                await ws.send(json.dumps(reply))
        finally:
            await self._drop()

    async def _op(self, msg: dict[str, Any], push) -> Any:
        op = msg["op"]
        self.ops += 1
        if self.drop_at and self.ops >= self.drop_at:
            self.drop_at = 0
            await self._drop()
            push({"ev": "disconnected"})
        if op == "connect":
            await self._drop()
            client = BleakClient(
                self.address,
                disconnected_callback=lambda _c: push({"ev": "disconnected"}),
                backend=self.backend.client,
                # the device lets only a bonded host read its logs: the browser (the OS) pairs once,
                # the person typing the passkey the device shows (read off the simulated screen)
                pair=True,
                **dict(self.backend.client_options),
            )
            await client.connect()
            self.client = client
            return self.name.encode()
        if op == "disconnect":
            await self._drop()
            return None
        client = self.client
        if client is None or not client.is_connected:
            raise ConnectionError("GATT Server is disconnected")
        if op == "read":
            return await client.read_gatt_char(msg["uuid"])
        if op == "write":
            await client.write_gatt_char(msg["uuid"], bytes.fromhex(msg["value"]), response=True)
            return None
        if op == "notify":
            uuid = msg["uuid"]
            await client.start_notify(
                uuid, lambda _c, data: push({"ev": "value", "uuid": uuid, "value": data.hex()})
            )
            return None
        raise ValueError(f"unknown operation {op!r}")
