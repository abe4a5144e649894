"""The simulated device's radio: a Bumble peripheral on a virtual link, driven by the firmware.

`VirtualRadio` is one Bumble `LocalLink`: simulated devices and the host's central (the bleak
backend in host_tools.ble.bumble_backend) attach to it in one asyncio loop, so nothing needs a
real radio. `PeripheralBridge` listens on 127.0.0.1 for the MicroPython `bluetooth` stand-in
(host_tools/sim/mpylib/bluetooth.py) and plays the BLE stack for the unchanged firmware: it
builds the GATT database the firmware registers, answers reads from the values the firmware
wrote, refuses writes longer than the attribute's buffer with ATT_INVALID_LENGTH (as NimBLE
does), and forwards connections, writes, MTU changes and indication confirmations as IRQ events.

Security as on the device's stack (NimBLE): pairing is Bumble's SMP (LE Secure Connections) with
the settings the firmware gives `ble.config(bond=, mitm=, le_secure=, io=)`; the passkey a
display-only device shows comes from the firmware (_IRQ_PASSKEY_ACTION / `gap_passkey`), and the
bonds live in the firmware's flash: `FirmwareKeyStore` is Bumble's key store asking the firmware
for its secrets (_IRQ_GET_SECRET / _IRQ_SET_SECRET). As NimBLE checks a value's flags: one flagged
*_ENCRYPTED needs an encrypted link (a Just Works key will do), one flagged *_AUTHENTICATED a link
encrypted with a key made with MITM protection (the passkey); otherwise ATT Insufficient
Authentication. "Authenticated" is the key's own flag (Bumble's PairingKeys.Key.authenticated:
not Just Works), not Bumble's `Connection.authenticated`, which any pairing or encryption sets.
The firmware hears _IRQ_ENCRYPTION_UPDATE (encrypted, authenticated, bonded, key size).
`screen_passkey(bridge)` reads the passkey off the simulated screen, as a person would.
`bridge.press(button)` presses a button at the moment a test chooses (not at a scripted time).

`simulated_device(...)` runs a whole simulated device with its radio: bridge + `simulate()`.
`PeripheralBridge.on_att`, if set, hears every ATT read and write the device answers (the fault
suite drops the link after the k-th).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import tempfile
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from bumble import att, hci
from bumble.controller import Controller
from bumble.core import UUID
from bumble.device import Connection, Device
from bumble.gatt import Characteristic, CharacteristicValue, Service
from bumble.hci import Address, AddressType
from bumble.host import Host
from bumble.keys import KeyStore, MemoryKeyStore, PairingKeys
from bumble.link import LocalLink
from bumble.pairing import PairingConfig, PairingDelegate
from bumble.transport.common import AsyncPipeSink

from host_tools.sim import frames as fr

log = logging.getLogger(__name__)

DEFAULT_BUFFER = 20  # MicroPython's default attribute buffer size
DEVICE_ADDRESS = "F0:FA:5C:00:00:01"
SEC_PEER = 2  # the secret type of a peer's keys (NimBLE's BLE_STORE_OBJ_TYPE_PEER_SEC; fascia.app.bonds)
PASSKEY_DISPLAY = 3  # _IRQ_PASSKEY_ACTION's action for a device that shows the passkey
READ_ENCRYPTED, READ_AUTHENTICATED = 0x0200, 0x0400  # bluetooth.FLAG_READ_*: need encryption / a MITM key
WRITE_ENCRYPTED, WRITE_AUTHENTICATED = 0x1000, 0x2000  # bluetooth.FLAG_WRITE_*
ANSWER_S = 5.0  # the firmware answers the stack's questions (secrets, passkey) within this
PAIRING_S = 10.0  # a read or write during pairing waits this long for it to finish
CLOSE_STEP_S = 5.0  # each step of closing the bridge (a Ctrl-C may have left the other side dead)
IDENTITY = PairingConfig.AddressType.RANDOM  # the virtual radio's devices use (static) random addresses
PASSKEY_LINE = (0, 14)  # where the device draws the first line of a notice (fascia.app.ui.message)


class _Controller(Controller):
    """Bumble's virtual controller, whose LE Create Connection Cancel cancels. Bumble's answers the
    cancel and keeps the attempt pending: a central that gave up connecting (a second host turned
    away, whose connect timed out while the device was busy and not advertising) was connected the
    next time the device advertised, a link its host knew nothing of (Bumble's host asserts on it)
    and which kept the device busy for the next host. As the Core spec has it (Vol 4 Part E
    7.8.13), the attempt ends with an LE Connection Complete, status Unknown Connection Identifier."""

    def on_hci_le_create_connection_cancel_command(self, command: Any) -> Any:
        pending = self.pending_le_connection
        if pending is None:
            return hci.HCI_StatusReturnParameters(hci.HCI_ErrorCode.COMMAND_DISALLOWED_ERROR)
        self.pending_le_connection = None
        ended = hci.HCI_LE_Connection_Complete_Event(
            status=hci.HCI_ErrorCode.UNKNOWN_CONNECTION_IDENTIFIER_ERROR,
            connection_handle=0,
            role=hci.Role.CENTRAL,
            peer_address_type=pending.peer_address.address_type,
            peer_address=pending.peer_address,
            connection_interval=0,
            peripheral_latency=0,
            supervision_timeout=0,
            central_clock_accuracy=0,
        )
        asyncio.get_running_loop().call_soon(self.send_hci_packet, ended)  # (after the command's answer)
        return super().on_hci_le_create_connection_cancel_command(command)


class VirtualRadio:
    """A virtual BLE link: every Device made here can see and connect to the others."""

    def __init__(self) -> None:
        self.link = LocalLink()
        self._count = 0
        self._centrals: dict[str, Device] = {}
        self._controllers: dict[int, Controller] = {}
        self.bridges: dict[str, PeripheralBridge] = {}  # simulated devices on this link, by address

    def device(self, name: str, address: str | None = None) -> Device:
        """A new (not yet powered) Bumble device with its own virtual controller on this link."""
        self._count += 1
        address = address or f"C0:00:00:00:00:{self._count:02X}"
        controller = _Controller(f"{name}-controller", link=self.link, public_address=address)
        device = Device(name=name, address=Address(address), host=Host(controller, AsyncPipeSink(controller)))
        self._controllers[id(device)] = controller
        return device

    def remove(self, device: Device) -> None:
        """Take a powered-off device's controller off the link (a rebooted device takes its place)."""
        controller = self._controllers.pop(id(device), None)
        if controller is not None:
            self.link.remove_controller(controller)

    async def central(self, host: str = "host") -> Device:
        """A host's own radio (one per host name, shared by its scanners and clients), powered on.
        Each host has its own address and keeps its bonds in memory for the radio's lifetime."""
        if host not in self._centrals:
            central = self.device(host)
            central.keystore = MemoryKeyStore()
            await central.power_on()
            self._centrals[host] = central
        return self._centrals[host]


def _uuid(text: str) -> UUID:
    return UUID.from_16_bits(int(text, 16)) if len(text) == 4 else UUID(text)


def _secret_key(name: str) -> bytes:
    """A peer's key store name -> the secret's key: address type + address (as NimBLE keys bonds)."""
    address = Address(name)
    return bytes((address.address_type,)) + bytes(address.address_bytes)


def _ltk(keys: PairingKeys | None) -> PairingKeys.Key | None:
    return None if keys is None else (keys.ltk or keys.ltk_peripheral)


def _authenticated(keys: PairingKeys | None) -> bool:
    """Keys made with a passkey (MITM protection), not Just Works."""
    ltk = _ltk(keys)
    return bool(ltk is not None and ltk.authenticated)


class FirmwareKeyStore(KeyStore):
    """Bumble's key store, kept by the firmware: every access is a secret IRQ on the device."""

    def __init__(self, bridge: PeripheralBridge) -> None:
        self.bridge = bridge

    @staticmethod
    def _decode(answer: dict[str, Any]) -> tuple[str, PairingKeys] | None:
        """A stored value: the peer's key (7 bytes), flags (bit 0: made with a passkey), LTK and IRK
        (16 bytes each; a compact blob, as NimBLE's, for a device-sized heap)."""
        try:
            value = bytes.fromhex(answer["v"])
        except (KeyError, TypeError, ValueError):
            return None
        if len(value) != 7 + 1 + 32:
            return None  # not one of ours: no bond
        address_type = AddressType(value[0])
        address = Address(value[1:7], address_type)
        authenticated = bool(value[7] & 1)
        keys = PairingKeys()
        keys.address_type = address_type
        keys.ltk = PairingKeys.Key(value=value[8:24], authenticated=authenticated)
        keys.irk = PairingKeys.Key(value=value[24:40], authenticated=authenticated)
        return str(address), keys

    async def get(self, name: str) -> PairingKeys | None:
        answer = await self.bridge.ask(
            {"ev": "get_secret", "t": SEC_PEER, "i": 0, "k": _secret_key(name).hex()}
        )
        found = self._decode(answer)
        keys = found[1] if found else None
        self.bridge.known_keys[name] = keys
        return keys

    async def update(self, name: str, keys: PairingKeys) -> None:
        ltk = _ltk(keys)
        if ltk is None:
            raise RuntimeError("no long-term key to keep")
        irk = keys.irk.value if keys.irk is not None else bytes(16)
        value = _secret_key(name) + bytes((1 if ltk.authenticated else 0,)) + ltk.value + irk
        msg = {"ev": "set_secret", "t": SEC_PEER, "k": _secret_key(name).hex(), "v": value.hex()}
        kept = bool((await self.bridge.ask(msg)).get("ok"))
        self.bridge.known_keys[name] = keys if kept else None
        if not kept:
            raise RuntimeError("the device did not keep the bond (full: forget a host in its menu)")
        # the pairing is complete (Bumble stores the keys last): tell the firmware now, as NimBLE
        # does right after storing them, before anything else can reach it; Bumble's own pairing
        # event follows this await, and a host that leaves at once was gone first, so the firmware
        # took the bond it had just stored for one made on a link that never became secure
        for conn in list(self.bridge._conns.values()):
            if conn.handle in self.bridge._pairing and _secret_key(str(conn.peer_address)) == _secret_key(
                name
            ):
                self.bridge._paired(conn, keys)

    async def delete(self, name: str) -> None:
        await self.bridge.ask({"ev": "set_secret", "t": SEC_PEER, "k": _secret_key(name).hex(), "v": None})
        self.bridge.known_keys[name] = None

    async def get_all(self) -> list[tuple[str, PairingKeys]]:
        out = []
        for i in range(64):  # (the device keeps a handful)
            answer = await self.bridge.ask({"ev": "get_secret", "t": SEC_PEER, "i": i, "k": None})
            if not answer.get("v"):
                break
            found = self._decode(answer)
            if found:
                out.append(found)
        return out

    async def delete_all(self) -> None:
        for name, _ in await self.get_all():
            await self.delete(name)


class FirmwareDelegate(PairingDelegate):
    """The device's side of pairing: its IO capability, and the passkey the firmware shows."""

    def __init__(self, bridge: PeripheralBridge, conn: Connection, io: int) -> None:
        super().__init__(io_capability=PairingDelegate.IoCapability(io))
        self.bridge = bridge
        self.conn = conn

    async def generate_passkey(self) -> int:
        return await self.bridge.passkey_from_device(self.conn.handle)

    async def display_number(self, number: int, digits: int) -> None:
        pass  # the firmware shows it (it chose it)

    async def get_number(self) -> int | None:
        return None  # a display-only device types nothing in


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
        self.last_att: bytes | None = None  # ... whose written value this is (None: a read)
        self.security: dict[str, Any] = {}  # the firmware's ble.config(bond=, mitm=, le_secure=, io=)
        self.known_keys: dict[str, PairingKeys | None] = {}  # the firmware's answers, by peer name
        self._flags: dict[int, int] = {}
        self._links: dict[int, tuple[bool, bool]] = {}  # connection handle -> (encrypted, with a MITM key)
        self._pairing: dict[int, asyncio.Event] = {}  # connection handle -> set when pairing ends
        self._answers: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._passkeys: dict[int, asyncio.Future[int]] = {}
        self._next_question = 0
        self._screens = Path(tempfile.mkdtemp(prefix="fascia-screen-"))
        radio.bridges[address] = self

    async def start(self) -> int:
        """Listen on 127.0.0.1 (a free port, returned) for the simulated device."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def close(self) -> None:
        """Power the device off (its stand-in exits) and stop serving. Each wait is bounded: a close
        after Ctrl-C, with the client's side cancelled, must not wait for an answer forever."""
        if self._writer is not None and not self._writer.is_closing():
            with contextlib.suppress(ConnectionError, TimeoutError):
                self._send({"ev": "off"})
                await asyncio.wait_for(self._writer.drain(), CLOSE_STEP_S)
            self._writer.close()
        if self._server is not None:
            self._server.close()
        for conn in list(self._conns.values()):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.disconnect(), CLOSE_STEP_S)
        if self.device is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.device.stop_advertising(), CLOSE_STEP_S)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.device.power_off(), CLOSE_STEP_S)
            self.radio.remove(self.device)
        if self.radio.bridges.get(self.address) is self:
            del self.radio.bridges[self.address]

    # -- the firmware's side -------------------------------------------------------------------------
    def _send(self, msg: dict[str, Any]) -> None:
        if self._writer is not None and not self._writer.is_closing():
            self._writer.write((json.dumps(msg) + "\n").encode())

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Read the device's lines: answers to the stack's questions at once (a question may be
        asked while an operation waits, e.g. power-on reading the bonds), the rest in order."""
        self._writer = writer
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        worker = asyncio.ensure_future(self._work(queue))
        try:
            while line := await reader.readline():
                try:
                    msg = json.loads(line)
                except ValueError:  # cut short: the device failed while sending (its error follows)
                    log.debug("unreadable line from the device: %r", line[:80])
                    continue
                if "m" in msg:  # {"v": hex value, "m": the message} (bluetooth.py streams the value first)
                    msg = {**msg["m"], "v": msg["v"]}
                if msg["op"] == "answer":
                    future = self._answers.pop(msg["id"], None)
                    if future is not None and not future.done():
                        future.set_result(msg)
                elif msg["op"] == "passkey":
                    waiting = self._passkeys.pop(msg["c"], None)
                    if waiting is not None and not waiting.done():
                        waiting.set_result(int(msg["passkey"]))
                else:
                    queue.put_nowait(msg)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            queue.put_nowait(None)
            await worker
            self.closed.set()

    async def _work(self, queue: asyncio.Queue[dict[str, Any] | None]) -> None:
        while (msg := await queue.get()) is not None:
            try:
                await self._op(msg)
            except Exception:  # one bad request from the device must not stop its radio
                log.exception("bridge operation %r failed", msg.get("op"))

    async def ask(self, msg: dict[str, Any]) -> dict[str, Any]:
        """Ask the firmware (a secret IRQ, or the screen) and wait for its answer."""
        self._next_question += 1
        key = self._next_question
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._answers[key] = future
        self._send({**msg, "id": key})
        try:
            return await asyncio.wait_for(future, ANSWER_S)
        finally:
            self._answers.pop(key, None)

    async def pairing_ended(self, timeout: float = PAIRING_S) -> None:
        """Wait until no link is pairing (the device has kept, or refused, its keys). Bumble's
        central ends its side of a pairing first: a host that went on and left at once could be
        gone before the device had its bond (and the device drops a bond it never saw finish)."""
        for done in list(self._pairing.values()):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), timeout)

    async def passkey_from_device(self, conn_handle: int) -> int:
        """_IRQ_PASSKEY_ACTION (display): the firmware makes one up, shows it, and gives it back."""
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._passkeys[conn_handle] = future
        self._send({"ev": "passkey", "c": conn_handle, "action": PASSKEY_DISPLAY, "passkey": 0})
        return await asyncio.wait_for(future, ANSWER_S)

    async def press(self, button: str, long: bool = False) -> int:
        """Press button "a" or "b" on the device now (held as `fascia sim`'s button scripts hold it);
        returns the virtual ms it went down: wait for that plus the hold before looking at the result."""
        from host_tools.sim.run import LONG_MS, PRESS_MS

        answer = await self.ask({"ev": "press", "b": button, "hold": LONG_MS if long else PRESS_MS})
        return int(answer["t"])

    async def screen(self) -> fr.Pixels:
        """What the device's display shows now."""
        self._next_question += 1
        path = self._screens / f"screen_{self._next_question}.raw"
        await self.ask({"ev": "screen", "path": str(path)})
        data = path.read_bytes()
        path.unlink()
        if len(data) == 128 * 64 // 8:
            return fr.decode(data, "vlsb", 128, 64)
        return fr.decode(data, "rgb565", 135, 240)

    async def _op(self, msg: dict[str, Any]) -> None:
        op = msg["op"]
        if op == "name":
            self.name = msg["name"]
        elif op == "security":
            self.security = msg["settings"]
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
                self._flags[handle] = ch["flags"]
                perms = Characteristic.Permissions(0)
                if ch["flags"] & 0x02:
                    perms |= Characteristic.Permissions.READABLE
                if ch["flags"] & 0x0C:
                    perms |= Characteristic.Permissions.WRITEABLE
                value = CharacteristicValue(
                    read=lambda conn, h=handle: self._on_read(conn, h),
                    write=lambda conn, v, h=handle: self._on_write(conn, h, v),
                )
                props = Characteristic.Properties(ch["flags"] & 0xFF)  # (the rest are permissions)
                char = Characteristic(_uuid(ch["uuid"]), props, perms, value)
                self._chars[handle] = char
                chars.append(char)
            device.add_service(Service(_uuid(svc["uuid"]), chars))
        device.keystore = FirmwareKeyStore(self)
        sec = self.security
        if sec:
            device.pairing_config_factory = lambda conn: PairingConfig(
                sc=bool(sec.get("le_secure")),
                mitm=bool(sec.get("mitm")),
                bonding=bool(sec.get("bond")),
                delegate=FirmwareDelegate(self, conn, int(sec.get("io", 3))),
                identity_address_type=IDENTITY,
            )
        device.on("connection", self._on_connection)
        await device.power_on()
        self.device = device

    async def _allowed(self, conn: Connection, handle: int, encrypted: int, authenticated: int) -> None:
        """As NimBLE does for a protected value (ble_att_svr_check_perms): flag `encrypted` needs an
        encrypted link, flag `authenticated` one encrypted with a MITM key; otherwise ATT
        Insufficient Authentication (a request during pairing waits for it to end)."""
        flags = self._flags.get(handle, 0)
        if not flags & (encrypted | authenticated):
            return
        pairing = self._pairing.get(conn.handle)
        if pairing is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(pairing.wait(), PAIRING_S)
        is_encrypted, with_mitm_key = self._links.get(conn.handle, (False, False))
        if not is_encrypted or (flags & authenticated and not with_mitm_key):
            raise att.ATT_Error(att.ATT_INSUFFICIENT_AUTHENTICATION_ERROR)

    async def _on_read(self, conn: Connection, handle: int) -> bytes:
        self.last_att = None
        if self.on_att is not None:
            self.on_att()
        await self._allowed(conn, handle, READ_ENCRYPTED, READ_AUTHENTICATED)
        return self._values[handle]

    async def _on_write(self, conn: Connection, handle: int, value: bytes) -> None:
        self.last_att = bytes(value)
        if self.on_att is not None:
            self.on_att()
        await self._allowed(conn, handle, WRITE_ENCRYPTED, WRITE_AUTHENTICATED)
        if not self._flags.get(handle, 0) & 0x0C:  # a read-only value: the stack refuses the write
            raise att.ATT_Error(att.ATT_WRITE_NOT_PERMITTED_ERROR)
        if len(value) > self._buffers.get(handle, DEFAULT_BUFFER):
            raise att.ATT_Error(att.ATT_INVALID_ATTRIBUTE_LENGTH_ERROR)
        self._values[handle] = bytes(value)
        self._send({"ev": "write", "c": conn.handle, "h": handle, "v": bytes(value).hex()})

    def _on_connection(self, conn: Connection) -> None:
        self._conns[conn.handle] = conn
        self._links[conn.handle] = (False, False)
        peer = conn.peer_address
        info = {"c": conn.handle, "at": peer.address_type, "a": bytes(peer.address_bytes).hex()}
        self._send({"ev": "connect", **info})
        conn.on("disconnection", lambda _reason: self._on_disconnection(conn, info))
        conn.on(
            "connection_att_mtu_update",
            lambda: self._send({"ev": "mtu", "c": conn.handle, "mtu": conn.att_mtu}),
        )
        conn.on("pairing_start", lambda: self._pairing.setdefault(conn.handle, asyncio.Event()))
        conn.on("pairing", lambda keys: self._paired(conn, keys))
        conn.on("pairing_failure", lambda _reason: self._paired(conn, None))
        conn.on("connection_encryption_change", lambda: self._encrypted(conn))

    def _encrypted(self, conn: Connection) -> None:
        """Encryption on: with a bond's key (a reconnection) its keys say how it was made; during
        pairing nothing is trusted until the pairing ends."""
        if conn.handle in self._pairing:
            self._report(conn, False, False)
            return
        keys = self.known_keys.get(str(conn.peer_address))  # (the firmware just gave its LTK)
        self._report(conn, keys is not None, _authenticated(keys))

    def _paired(self, conn: Connection, keys: PairingKeys | None) -> None:
        stored = _ltk(self.known_keys.get(str(conn.peer_address)))  # the firmware kept this pairing's key
        bonded = stored is not None and stored.value == getattr(_ltk(keys), "value", None)
        self._report(conn, bonded, _authenticated(keys))
        done = self._pairing.pop(conn.handle, None)
        if done is not None:
            done.set()

    def _report(self, conn: Connection, bonded: bool, authenticated: bool) -> None:
        """The link's security now, for the stack's checks and the firmware: `authenticated` is the
        key's MITM flag (a passkey pairing), not Bumble's connection flag (see the module doc)."""
        encrypted = bool(conn.encryption)
        self._links[conn.handle] = (encrypted, encrypted and authenticated)
        msg = {"ev": "encryption", "c": conn.handle, "enc": encrypted, "auth": encrypted and authenticated}
        key_size = conn.encryption_key_size or (16 if encrypted else 0)  # (the virtual controller says 0)
        self._send({**msg, "bonded": bonded, "key_size": key_size})

    def _on_disconnection(self, conn: Connection, info: dict[str, Any]) -> None:
        self._conns.pop(conn.handle, None)
        self._links.pop(conn.handle, None)
        done = self._pairing.pop(conn.handle, None)
        if done is not None:
            done.set()
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


async def screen_passkey(bridge: PeripheralBridge, timeout: float = 10.0) -> int:
    """The 6-digit passkey the device shows while a host pairs, read off its screen as a person
    would (the first line of its PAIRING notice, in the device's 8x8 font)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        digits = fr.read_text(await bridge.screen(), *PASSKEY_LINE, 6)
        if digits is not None:
            return int(digits)
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("no passkey on the device's screen")
        await asyncio.sleep(0.05)


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
