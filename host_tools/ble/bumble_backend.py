"""A bleak backend on a Bumble central: the host's real bleak code, on a virtual radio.

Upstream bleak has no Bumble backend. `backend_for(radio)` returns a `BleBackend` whose scanner
and client classes (subclasses of bleak's BaseBleakScanner / BaseBleakClient) use one Bumble
central device on `radio` (host_tools.sim.ble_bridge.VirtualRadio). Pass them to bleak as
`BleakScanner(backend=b.scanner)` / `BleakClient(address, backend=b.client)`; the host code in
host_tools.ble takes a `BleBackend` (None = the platform's own backend) and does exactly that.

The client negotiates the ATT MTU it is given (`BleakClient(..., mtu=23)`; default 247), so
tests cover the smallest MTU as well as a typical phone's.

Pairing as an operating system does it: `backend_for(radio, host=NAME)` is one host (its own
radio address and bonds, kept for the radio's lifetime). Connecting to a device it has a bond with
encrypts the link with that bond; `BleakClient(..., pair=True)` (or `pair()`) pairs first if there
is none: LE Secure Connections, the host typing in the passkey the device shows. `passkey`
(async, the device's address -> the number) is the person at the keyboard; by default the
passkey is read off the simulated device's screen (host_tools.sim.ble_bridge.screen_passkey).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from bleak.args import SizedBuffer
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, BaseBleakScanner
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import BleakError, BleakGATTProtocolError
from bumble import att
from bumble.core import AdvertisingData, BaseBumbleError
from bumble.device import Advertisement, Connection, Device, Peer
from bumble.hci import Address, HCI_LE_Create_Connection_Cancel_Command
from bumble.keys import KeyStore
from bumble.pairing import PairingConfig, PairingDelegate

from host_tools.ble import BleBackend
from host_tools.sim.ble_bridge import IDENTITY, VirtualRadio, screen_passkey

PasskeySource = Callable[[str], Awaitable[int]]

DEFAULT_MTU = 247


def _bleak_uuid(uuid: Any) -> str:
    """Bumble UUID -> bleak's lower-case 128-bit string."""
    text = uuid.to_hex_str("-").lower()
    if len(text) == 4:
        text = f"0000{text}-0000-1000-8000-00805f9b34fb"
    return text


def _properties(flags: int) -> list[Any]:
    names = [
        (0x01, "broadcast"),
        (0x02, "read"),
        (0x04, "write-without-response"),
        (0x08, "write"),
        (0x10, "notify"),
        (0x20, "indicate"),
        (0x40, "authenticated-signed-writes"),
        (0x80, "extended-properties"),
    ]
    return [name for bit, name in names if flags & bit]


def _advertisement_data(adv: Advertisement) -> AdvertisementData:
    data = adv.data
    name = data.get(AdvertisingData.Type.COMPLETE_LOCAL_NAME) or data.get(
        AdvertisingData.Type.SHORTENED_LOCAL_NAME
    )
    uuids: list[str] = []
    for kind in (
        AdvertisingData.Type.COMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS,
        AdvertisingData.Type.INCOMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS,
        AdvertisingData.Type.COMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS,
        AdvertisingData.Type.INCOMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS,
    ):
        for group in data.get_all(kind):
            uuids += [_bleak_uuid(u) for u in group]
    tx = data.get(AdvertisingData.Type.TX_POWER_LEVEL)
    service_data = {  # (BTHome: fascia.spec.bthome)
        _bleak_uuid(uuid): bytes(value)
        for uuid, value in data.get_all(AdvertisingData.Type.SERVICE_DATA_16_BIT_UUID)
    }
    return AdvertisementData(
        local_name=name if isinstance(name, str) else None,
        manufacturer_data={},
        service_data=service_data,
        service_uuids=uuids,
        tx_power=tx if isinstance(tx, int) else None,
        rssi=adv.rssi,
        platform_data=(adv,),
    )


async def _security_step(step: Awaitable[Any], timeout: float) -> None:
    """Pair or encrypt; a step the stack cancels (the device dropped the link, e.g. after a
    failed passkey) fails like any other (BleakError), not as this task's cancellation."""
    task = asyncio.ensure_future(step)
    try:
        await asyncio.wait_for(asyncio.shield(task), timeout)
    except asyncio.CancelledError:
        if task.cancelled():
            raise BleakError("the device dropped the link while pairing") from None
        task.cancel()
        raise
    except TimeoutError:
        task.cancel()
        raise


def _keystore(central: Device) -> KeyStore:
    assert central.keystore is not None  # (VirtualRadio.central gives every host one)
    return central.keystore


class _Keyboard(PairingDelegate):
    """The host's side of pairing: it can type the passkey the device shows."""

    def __init__(self, source: PasskeySource, address: str, io: PairingDelegate.IoCapability) -> None:
        super().__init__(io_capability=io)
        self.source = source
        self.address = address

    async def get_number(self) -> int | None:
        return await self.source(self.address)


def backend_for(
    radio: VirtualRadio,
    host: str = "host",
    passkey: PasskeySource | None = None,
    io: PairingDelegate.IoCapability = PairingDelegate.IoCapability.KEYBOARD_INPUT_ONLY,
) -> BleBackend:
    """Scanner and client classes bound to the central of `host` on `radio`. `io`: what the host
    can do when pairing (an attacker's NO_OUTPUT_NO_INPUT gets a Just Works pairing)."""

    async def from_screen(address: str) -> int:
        return await screen_passkey(radio.bridges[address])

    source = passkey or from_screen

    async def central_device() -> Device:
        central = await radio.central(host)
        central.pairing_config_factory = lambda conn: PairingConfig(
            sc=True,
            mitm=True,
            bonding=True,
            delegate=_Keyboard(source, str(conn.peer_address).split("/")[0], io),
            identity_address_type=IDENTITY,
        )
        return central

    class BumbleScanner(BaseBleakScanner):
        def __init__(
            self,
            detection_callback: Any,
            service_uuids: list[str] | None,
            scanning_mode: str = "active",
            **kwargs: Any,
        ) -> None:
            super().__init__(detection_callback, service_uuids)
            self._active = scanning_mode == "active"
            self._central: Device | None = None

        def _on_advertisement(self, adv: Advertisement) -> None:
            data = _advertisement_data(adv)
            if not self.is_allowed_uuid(data.service_uuids):
                return
            address = str(adv.address).split("/")[0]
            device = self.create_or_update_device(address, address, data.local_name, adv, data)
            self.call_detection_callbacks(device, data)

        async def start(self) -> None:
            self.seen_devices = {}
            self._central = await radio.central(host)
            self._central.on("advertisement", self._on_advertisement)
            await self._central.start_scanning(active=self._active, filter_duplicates=False)

        async def stop(self) -> None:
            if self._central is not None:
                await self._central.stop_scanning()
                self._central.remove_listener("advertisement", self._on_advertisement)

    class BumbleClient(BaseBleakClient):
        def __init__(
            self,
            address_or_ble_device: BLEDevice | str,
            *,
            disconnected_callback: Callable[[], None] | None = None,
            timeout: float = 10.0,
            mtu: int = DEFAULT_MTU,
            **kwargs: Any,
        ) -> None:
            super().__init__(
                address_or_ble_device, disconnected_callback=disconnected_callback, timeout=timeout
            )
            self._want_mtu = mtu
            self._conn: Connection | None = None
            self._peer: Peer | None = None
            self._lost: asyncio.Event | None = None  # set when the link drops
            self._subscribers: dict[int, Callable[[bytes], None]] = {}

        @property
        def name(self) -> str:
            return self.address

        @property
        def mtu_size(self) -> int:
            return self._conn.att_mtu if self._conn is not None else att.ATT_DEFAULT_MTU

        @property
        def is_connected(self) -> bool:
            return self._conn is not None

        async def connect(self, pair: bool, **kwargs: Any) -> None:
            central = await central_device()
            target = Address(self.address, Address.RANDOM_DEVICE_ADDRESS)
            try:  # (Bumble's own timeout does not bound the search for a bonded peer's address)
                conn = await asyncio.wait_for(central.connect(target), self._timeout)
            except TimeoutError:
                # a busy device does not advertise: end the attempt in the controller too, or it
                # connects when the device next advertises, to a host that gave up on it
                await central.host.send_command(HCI_LE_Create_Connection_Cancel_Command())
                raise
            self._conn = conn
            self._lost = asyncio.Event()
            conn.on("disconnection", self._on_disconnection)
            peer = Peer(conn)
            self._peer = peer
            try:
                if await _keystore(central).get(str(conn.peer_address)) is not None:
                    await _security_step(conn.encrypt(), self._timeout)  # bonded: the bond's key
                elif pair:
                    await _security_step(conn.pair(), self._timeout)
                    bridge = radio.bridges.get(self.address)
                    if bridge is not None:  # (the simulated device: until it has taken the bond too)
                        await bridge.pairing_ended()
            except (BaseBumbleError, BleakError, TimeoutError) as e:
                with contextlib.suppress(Exception):
                    await self.disconnect()
                raise BleakError(f"pairing with {self.address} failed: {type(e).__name__} {e}") from e
            if self._want_mtu != att.ATT_DEFAULT_MTU:
                await peer.request_mtu(self._want_mtu)
            await peer.discover_all()
            self.services = self._collect(peer)

        def _collect(self, peer: Peer) -> BleakGATTServiceCollection:
            services = BleakGATTServiceCollection()
            for svc in peer.services:
                bsvc = BleakGATTService(svc, svc.handle, _bleak_uuid(svc.uuid))
                services.add_service(bsvc)
                for ch in svc.characteristics:
                    bch = BleakGATTCharacteristic(
                        ch,
                        ch.handle,
                        _bleak_uuid(ch.uuid),
                        _properties(int(ch.properties)),
                        lambda: self.mtu_size - 3,
                        bsvc,
                    )
                    services.add_characteristic(bch)
                    for desc in ch.descriptors:
                        services.add_descriptor(
                            BleakGATTDescriptor(desc, desc.handle, _bleak_uuid(desc.type), bch)
                        )
            return services

        def _on_disconnection(self, _reason: int) -> None:
            self._conn = None
            self._peer = None
            if self._lost is not None:
                self._lost.set()  # requests still in flight fail now, as on a real radio
            if self._disconnected_callback is not None:
                self._disconnected_callback()

        def _need_peer(self) -> Peer:
            if self._peer is None:
                raise BleakError("not connected")
            return self._peer

        async def disconnect(self) -> None:
            conn = self._conn
            if conn is not None:
                self._disconnected_callback = None  # a requested disconnection is not news
                await conn.disconnect()
                self._conn = None
                self._peer = None

        async def pair(self, *args: Any, **kwargs: Any) -> None:
            """Pair (again) with the device: a new bond, made with the passkey it shows."""
            conn = self._conn
            if conn is None:
                raise BleakError("not connected")
            try:
                await _security_step(conn.pair(), self._timeout)
            except (BaseBumbleError, TimeoutError) as e:
                raise BleakError(f"pairing with {self.address} failed: {type(e).__name__} {e}") from e

        async def unpair(self) -> None:
            """Forget this host's bond with the device (the device keeps its own until told)."""
            central = await radio.central(host)
            keystore = _keystore(central)
            for name, _ in await keystore.get_all():
                if name.split("/")[0] == self.address:
                    await keystore.delete(name)
            await self.disconnect()

        async def _gatt(self, request: Callable[[Peer], Awaitable[Any]]) -> Any:
            """Run one GATT request the way bleak reports outcomes: an ATT error code as
            BleakGATTProtocolError; a link lost before the answer, or any other failure of the
            stack, as BleakError (a request is never left waiting on a dead connection)."""
            peer = self._need_peer()
            lost = self._lost
            op = asyncio.ensure_future(request(peer))
            gone = asyncio.ensure_future(lost.wait()) if lost is not None else None
            try:
                await asyncio.wait({op, *([gone] if gone else [])}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                if gone is not None:
                    gone.cancel()
            if not op.done():
                op.cancel()
                raise BleakError("disconnected while waiting for the device's answer")
            try:
                return op.result()
            except att.ATT_Error as e:
                raise BleakGATTProtocolError(e.error_code) from e
            except BaseBumbleError as e:
                raise BleakError(f"{type(e).__name__}: {e}") from e

        async def read_gatt_char(
            self, characteristic: BleakGATTCharacteristic, *, use_cached: bool = False, **kwargs: Any
        ) -> bytearray:
            return bytearray(await self._gatt(lambda peer: peer.read_value(characteristic.obj)))

        async def read_gatt_descriptor(
            self, descriptor: BleakGATTDescriptor, *, use_cached: bool = False, **kwargs: Any
        ) -> bytearray:
            return bytearray(await self._gatt(lambda peer: peer.read_value(descriptor.obj)))

        async def write_gatt_char(
            self, characteristic: BleakGATTCharacteristic, data: SizedBuffer, response: bool
        ) -> None:
            await self._gatt(
                lambda peer: peer.write_value(characteristic.obj, bytes(data), with_response=response)
            )

        async def write_gatt_descriptor(self, descriptor: BleakGATTDescriptor, data: SizedBuffer) -> None:
            await self._gatt(lambda peer: peer.write_value(descriptor.obj, bytes(data), with_response=True))

        async def start_notify(
            self, characteristic: BleakGATTCharacteristic, callback: NotifyCallback, **kwargs: Any
        ) -> None:
            def on_value(value: bytes) -> None:
                callback(bytearray(value))

            self._subscribers[characteristic.handle] = on_value
            await self._need_peer().subscribe(characteristic.obj, on_value)

        async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
            on_value = self._subscribers.pop(characteristic.handle, None)
            await self._need_peer().unsubscribe(characteristic.obj, on_value)

    return BleBackend(scanner=BumbleScanner, client=BumbleClient)
