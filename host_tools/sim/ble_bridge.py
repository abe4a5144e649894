"""The simulated device's radio: a Bumble peripheral on a virtual link, driven by the firmware.

`VirtualRadio` is one Bumble `LocalLink`: simulated devices and the host's central (the bleak
backend in host_tools.ble.bumble_backend) attach to it in one asyncio loop, so nothing needs a
real radio. `PeripheralBridge` listens on 127.0.0.1 for the MicroPython `bluetooth` stand-in
(host_tools/sim/mpylib/bluetooth.py) and plays the BLE stack for the unchanged firmware: it
builds the GATT database the firmware registers, answers reads from the values the firmware
wrote, refuses writes longer than the attribute's buffer with ATT_INVALID_LENGTH (as NimBLE
does), and forwards connections, writes, MTU changes and indication confirmations as IRQ events.

`simulated_device(...)` runs a whole simulated device with its radio: bridge + `simulate()`.
`PeripheralBridge.on_att`, if set, hears every ATT read and write the device answers (the fault
suite drops the link after the k-th).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from bumble import att
from bumble.controller import Controller
from bumble.core import UUID
from bumble.device import Connection, Device
from bumble.gatt import Characteristic, CharacteristicValue, Service
from bumble.hci import Address
from bumble.host import Host
from bumble.link import LocalLink
from bumble.transport.common import AsyncPipeSink

log = logging.getLogger(__name__)

DEFAULT_BUFFER = 20  # MicroPython's default attribute buffer size
DEVICE_ADDRESS = "F0:FA:5C:00:00:01"


class VirtualRadio:
    """A virtual BLE link: every Device made here can see and connect to the others."""

    def __init__(self) -> None:
        self.link = LocalLink()
        self._count = 0
        self._central: Device | None = None

    def device(self, name: str, address: str | None = None) -> Device:
        """A new (not yet powered) Bumble device with its own virtual controller on this link."""
        self._count += 1
        address = address or f"C0:00:00:00:00:{self._count:02X}"
        controller = Controller(f"{name}-controller", link=self.link, public_address=address)
        return Device(name=name, address=Address(address), host=Host(controller, AsyncPipeSink(controller)))

    async def central(self) -> Device:
        """The host's own radio (one per link, shared by scanners and clients), powered on."""
        if self._central is None:
            self._central = self.device("host")
            await self._central.power_on()
        return self._central


def _uuid(text: str) -> UUID:
    return UUID.from_16_bits(int(text, 16)) if len(text) == 4 else UUID(text)


class PeripheralBridge:
    """One simulated device's BLE stack: a TCP server for the firmware's `bluetooth` stand-in."""

    def __init__(self, radio: VirtualRadio, address: str = DEVICE_ADDRESS) -> None:
        self.radio = radio
        self.address = address
        self.name = "MPY"
        self.device: Device | None = None
        self.port = 0
        self.advertising = asyncio.Event()
        self.closed = asyncio.Event()
        self._server: asyncio.base_events.Server | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._chars: dict[int, Characteristic] = {}
        self._values: dict[int, bytes] = {}
        self._buffers: dict[int, int] = {}
        self._conns: dict[int, Connection] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self.result: Any = None  # simulated_device: the SimResult once the device is off
        self.status: list[dict] = []  # simulated_device: the device's status lines so far
        self.on_att: Callable[[], None] | None = None  # called after each ATT read/write answered

    async def start(self) -> int:
        """Listen on 127.0.0.1 (a free port, returned) for the simulated device."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def close(self) -> None:
        """Power the device off (its stand-in exits) and stop serving."""
        if self._writer is not None and not self._writer.is_closing():
            with contextlib.suppress(ConnectionError):
                self._send({"ev": "off"})
                await self._writer.drain()
            self._writer.close()
        if self._server is not None:
            self._server.close()
        for conn in list(self._conns.values()):
            with contextlib.suppress(Exception):
                await conn.disconnect()
        if self.device is not None:
            with contextlib.suppress(Exception):
                await self.device.stop_advertising()

    # -- the firmware's side -------------------------------------------------------------------------
    def _send(self, msg: dict[str, Any]) -> None:
        if self._writer is not None and not self._writer.is_closing():
            self._writer.write((json.dumps(msg) + "\n").encode())

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writer = writer
        try:
            while line := await reader.readline():
                try:
                    msg = json.loads(line)
                except ValueError:  # cut short: the device failed while sending (its error follows)
                    log.debug("unreadable line from the device: %r", line[:80])
                    continue
                if "m" in msg:  # {"v": hex value, "m": the message} (bluetooth.py streams the value first)
                    msg = {**msg["m"], "v": msg["v"]}
                await self._op(msg)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self.closed.set()

    async def _op(self, msg: dict[str, Any]) -> None:
        op = msg["op"]
        if op == "name":
            self.name = msg["name"]
        elif op == "register":
            await self._register(msg["services"])
        elif op == "buffer":
            self._buffers[msg["h"]] = msg["n"]
        elif op == "write":
            self._values[msg["h"]] = bytes.fromhex(msg["v"])
            if msg.get("update"):
                self._spawn(self._notify_all(msg["h"]))
        elif op in ("notify", "indicate"):
            self._spawn(self._send_update(op, msg["c"], msg["h"], bytes.fromhex(msg["v"])))
        elif op == "advertise":
            await self._advertise(msg)
        elif op == "disconnect" and msg["c"] in self._conns:
            self._spawn(self._conns[msg["c"]].disconnect())

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _register(self, services: list[dict[str, Any]]) -> None:
        device = self.radio.device(self.name, self.address)
        for svc in services:
            chars = []
            for ch in svc["chars"]:
                handle = ch["h"]
                self._values[handle] = b""
                perms = Characteristic.Permissions(0)
                if ch["flags"] & 0x02:
                    perms |= Characteristic.Permissions.READABLE
                if ch["flags"] & 0x0C:
                    perms |= Characteristic.Permissions.WRITEABLE
                value = CharacteristicValue(
                    read=lambda _conn, h=handle: self._on_read(h),
                    write=lambda conn, v, h=handle: self._on_write(conn, h, v),
                )
                char = Characteristic(_uuid(ch["uuid"]), Characteristic.Properties(ch["flags"]), perms, value)
                self._chars[handle] = char
                chars.append(char)
            device.add_service(Service(_uuid(svc["uuid"]), chars))
        device.on("connection", self._on_connection)
        await device.power_on()
        self.device = device

    def _on_read(self, handle: int) -> bytes:
        if self.on_att is not None:
            self.on_att()
        return self._values[handle]

    def _on_write(self, conn: Connection, handle: int, value: bytes) -> None:
        if self.on_att is not None:
            self.on_att()
        if len(value) > self._buffers.get(handle, DEFAULT_BUFFER):
            raise att.ATT_Error(att.ATT_INVALID_ATTRIBUTE_LENGTH_ERROR)
        self._values[handle] = bytes(value)
        self._send({"ev": "write", "c": conn.handle, "h": handle, "v": bytes(value).hex()})

    def _on_connection(self, conn: Connection) -> None:
        self._conns[conn.handle] = conn
        peer = conn.peer_address
        info = {"c": conn.handle, "at": peer.address_type, "a": bytes(peer.address_bytes).hex()}
        self._send({"ev": "connect", **info})
        conn.on("disconnection", lambda _reason: self._on_disconnection(conn, info))
        conn.on(
            "connection_att_mtu_update",
            lambda: self._send({"ev": "mtu", "c": conn.handle, "mtu": conn.att_mtu}),
        )

    def _on_disconnection(self, conn: Connection, info: dict[str, Any]) -> None:
        self._conns.pop(conn.handle, None)
        self.advertising.clear()
        self._send({"ev": "disconnect", **info})

    async def _advertise(self, msg: dict[str, Any]) -> None:
        assert self.device is not None, "gap_advertise before gatts_register_services"
        if msg["interval_us"] is None:
            await self.device.stop_advertising()
            self.advertising.clear()
            return
        interval_ms = max(msg["interval_us"] / 1000, 20.0)
        await self.device.start_advertising(
            advertising_data=bytes.fromhex(msg["adv"]),
            scan_response_data=bytes.fromhex(msg["resp"]) or None,
            advertising_interval_min=interval_ms,
            advertising_interval_max=interval_ms,
        )
        self.advertising.set()

    async def _send_update(self, kind: str, conn_handle: int, handle: int, value: bytes) -> None:
        conn = self._conns.get(conn_handle)
        assert self.device is not None
        if conn is None:
            return
        char = self._chars[handle]
        if kind == "notify":
            await self.device.notify_subscriber(conn, char, value, force=True)
            return
        status = 0
        try:
            await self.device.indicate_subscriber(conn, char, value, force=True)
        except Exception:  # timeout or disconnection: the firmware hears a failure status
            status = 1
        self._send({"ev": "indicated", "c": conn_handle, "h": handle, "status": status})

    async def _notify_all(self, handle: int) -> None:
        for conn in list(self._conns.values()):
            await self._send_update("notify", conn.handle, handle, self._values[handle])


@contextlib.asynccontextmanager
async def simulated_device(
    radio: VirtualRadio,
    flash_dir: Path,
    trace: Path | None = None,
    *,
    activity: str = "jump_rope",
    board: str = "m5stickc",
    speed: float = 1,
    end_ms: int = 600_000,
    config: dict | None = None,
    extra: dict | None = None,
    **device: Any,
) -> AsyncIterator[PeripheralBridge]:
    """Run the unchanged firmware on a simulated board whose radio is on `radio`; yields the bridge
    once the device advertises. Sessions are started over BLE (or by `extra` settings). `device`:
    more of simulate's options (heapsize, remote_chips, micropython: a device-sized heap). On exit
    the device is powered off; `bridge.result` then holds the simulator's SimResult."""
    from host_tools.sim.run import simulate

    bridge = PeripheralBridge(radio)
    port = await bridge.start()
    settings = {"ble_port": port, "start_on_trace": False, "end_ms": end_ms, **(extra or {})}
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = simulate(
                trace,
                activity,
                board=board,
                speed=speed,
                flash_dir=flash_dir,
                config=config,
                extra=settings,
                on_status=bridge.status.append,
                **device,
            )
        except Exception as e:  # reported to the caller below
            outcome["error"] = e

    thread = threading.Thread(target=run, name="fascia-sim", daemon=True)
    thread.start()
    try:
        waiter = asyncio.ensure_future(bridge.advertising.wait())
        while not waiter.done():
            await asyncio.wait([waiter], timeout=0.2)
            if not thread.is_alive():
                waiter.cancel()
                raise RuntimeError(f"the simulated device stopped before advertising: {outcome.get('error')}")
        yield bridge
    finally:
        await bridge.close()
        await asyncio.to_thread(thread.join, 30)
        bridge.result = outcome.get("result")
        if "error" in outcome:
            raise outcome["error"]
