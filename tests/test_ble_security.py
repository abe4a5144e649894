"""Nobody in radio range may read, change or delete the owner's data (issue 17, item 1).

The unchanged firmware on the simulator, its radio a Bumble peripheral whose SMP pairs with LE
Secure Connections; hosts are bleak clients on Bumble centrals. The owner's host types in the
passkey it reads off the simulated screen; a second host without a bond (or with a Just Works
pairing, or the wrong passkey) is refused every protected operation and changes nothing.
"""

from __future__ import annotations

import asyncio
import struct
import sys
import time
from pathlib import Path

import pytest
from bleak.exc import BleakError, BleakGATTProtocolError
from bumble.pairing import PairingDelegate

from fascia.app.bonds import Bonds
from fascia.spec import config, control, gatt
from host_tools.ble import ATT_INSUFFICIENT_AUTHENTICATION, FasciaClient, Live, sig_uuid
from host_tools.ble.bumble_backend import backend_for
from host_tools.errors import UserError
from host_tools.gen import jumprope
from host_tools.sim.ble_bridge import VirtualRadio, screen_passkey, simulated_device
from host_tools.sim.ble_device import BackgroundDevice
from host_tools.sim.run import LONG_MS, PRESS_MS

# every control-point request, well formed (SELECT: jump rope, free mode)
REQUESTS = {
    op: bytes((op,)) + (struct.pack(fmt, *([1] * (len(fmt) - 1))) if len(fmt) > 1 else b"")
    for op, fmt in control.REQUEST_FMT.items()
} | {control.SELECT: bytes((control.SELECT, 1, 0))}
ATT_WRITE_NOT_PERMITTED = 0x03
DEVICE_INFO = {
    "manufacturer": gatt.MANUFACTURER,
    "model": gatt.MODEL,
    "serial": gatt.SERIAL,
    "firmware": gatt.FIRMWARE_REV,
}
CLOCK_2021 = struct.pack(gatt.CURRENT_TIME_FMT, 2021, 1, 1, 0, 0, 0, 5, 0, 1)


def _flash(flash: Path) -> dict[str, bytes]:
    return {str(p.relative_to(flash)): p.read_bytes() for p in sorted(flash.rglob("*")) if p.is_file()}


async def _refused(call) -> bool:
    try:
        await call
    except BleakGATTProtocolError as e:
        return e.code == ATT_INSUFFICIENT_AUTHENTICATION
    except BleakError as e:  # the device dropped the link (a bond made without the passkey): refused
        return "connected" in str(e) or "disconnected" in str(e)
    return False


@pytest.fixture(scope="module")
def device(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("blesec")
    trace, _ = jumprope.generate("basic", 1, 400, tmp / "rope", duration_s=10)
    dev = BackgroundDevice(tmp / "flash", trace, board="devkit", extra={"trace_start_ms": 2500})
    yield dev
    dev.close()


def test_pairing_shows_a_passkey_the_host_types_in(device):
    seen: list[int] = []

    async def person(address: str) -> int:  # reads the screen, remembers what it read
        seen.append(await screen_passkey(device.bridge))
        return seen[-1]

    async def go():
        async with FasciaClient(device.bridge.address, backend_for(device.radio, "owner", person)) as dev:
            await dev.start()
            await asyncio.sleep(7)
            await dev.stop()
            await asyncio.sleep(0.5)
            return await dev.list_sessions()

    sessions = device.run(go())
    assert len(seen) == 1 and 0 <= seen[0] <= 999_999
    assert sessions and sessions[-1].synced is False  # recorded, not yet synced
    assert device.flash.joinpath("bonds").exists()


def test_an_unbonded_central_is_refused_every_protected_operation(device):
    """The attacks of issue 17: read the logs, set weight and goal, switch the mode, set the clock,
    acknowledge and delete every session, factory reset. All refused; nothing changes."""

    async def go():
        async with device.client() as owner:  # the owner's session exists (made by the test above or now)
            if not await owner.list_sessions():
                await owner.start()
                await asyncio.sleep(1)
                await owner.stop()
        await asyncio.sleep(0.5)
        before = _flash(device.flash)
        stranger = backend_for(device.radio, "stranger")
        async with FasciaClient(device.bridge.address, stranger, pair=False) as dev:
            allowed = [(await dev.live()).state, await dev.battery()]  # (open_live: on by default)
            refused = {
                op: await _refused(dev.client.write_gatt_char(gatt.CONTROL, req, response=True))
                for op, req in REQUESTS.items()
            }
            refused["log"] = await _refused(dev.client.read_gatt_char(gatt.LOG))
            refused["read clock"] = await _refused(dev.client.read_gatt_char(sig_uuid(gatt.CURRENT_TIME)))
            for name, info in DEVICE_INFO.items():  # which device and firmware: a bonded host's only
                refused[f"read {name}"] = await _refused(dev.client.read_gatt_char(sig_uuid(info)))
            clock = dev.client.write_gatt_char(sig_uuid(gatt.CURRENT_TIME), CLOCK_2021, response=True)
            refused["clock"] = await _refused(clock)
        await asyncio.sleep(1)
        return allowed, refused, before, _flash(device.flash)

    allowed, refused, before, after = device.run(go())
    assert allowed[0] == "ready" and 0 <= allowed[1] <= 100
    assert all(refused.values()), [k for k, v in refused.items() if not v]
    assert after == before
    assert "rtc" not in device.bridge.status[-1]  # the clock was never set


def test_just_works_or_a_wrong_passkey_gives_no_access(device):
    async def wrong(_address: str) -> int:
        return (await screen_passkey(device.bridge) + 1) % 1_000_000

    async def go():
        results = []
        for backend in (
            backend_for(device.radio, "guesser", wrong),
            backend_for(device.radio, "justworks", io=PairingDelegate.IoCapability.NO_OUTPUT_NO_INPUT),
        ):
            try:
                async with FasciaClient(device.bridge.address, backend) as dev:
                    results.append(await _refused(dev.client.read_gatt_char(gatt.LOG)))
            except (UserError, BleakError, asyncio.CancelledError):  # the pairing failed, or the
                results.append(True)  # device dropped the link it made without the passkey
        return results

    hosts_before = Bonds(str(device.flash / "bonds")).hosts()
    assert device.run(go()) == [True, True]
    # neither keeps a bond on the device (a Just Works bond is forgotten: strangers must not fill
    # its few bond slots, nor replace a bonded host's keys with ones made without the passkey); the
    # device forgets it in its own loop after the link is gone, so the file is read until it settles
    deadline = time.monotonic() + 10
    while Bonds(str(device.flash / "bonds")).hosts() != hosts_before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert Bonds(str(device.flash / "bonds")).hosts() == hosts_before


def test_only_the_host_that_read_a_session_acknowledges_it_and_only_its_acknowledger_deletes_it(tmp_path):
    """Hosts A and B are both bonded. A records two sessions and reads both to their end, then
    acknowledges the first. B, which never read them (or read only their tail), may neither
    acknowledge nor delete them: OTHER_HOST, nothing changes on the flash. After a reboot of the
    device (same flash) the same holds, and A acknowledges the second in this later connection
    (as the web page does) and may delete the first (confirmed on the device)."""
    flash = tmp_path / "flash"

    def notes() -> dict[str, bytes]:  # the sessions' names and the hosts recorded beside them
        return {k: v for k, v in _flash(flash).items() if k.startswith("log/") and k[-4:] != ".tmp"}

    async def attempt(client: FasciaClient, op: int, sid: int) -> int:
        result, _ = await client.request(struct.pack("<BI", op, sid), check=False)
        return result

    async def by_b(b: FasciaClient, first: int, second: int) -> dict[str, int]:
        before = notes()
        size = (await b.session_info(second))[0]
        await b.read_log(second, max(size - 64, 1), 64)  # only the tail: not a copy of the session
        seen = {
            "ack unread": await attempt(b, control.ACK_SYNCED, second),
            "ack acknowledged by A": await attempt(b, control.ACK_SYNCED, first),
            "delete acknowledged by A": await attempt(b, control.DELETE_SYNCED, first),
        }
        await asyncio.sleep(0.3)
        seen["flash unchanged"] = notes() == before
        return seen

    async def go():
        radio = VirtualRadio()
        host_a, host_b = backend_for(radio, "host-a"), backend_for(radio, "host-b")
        async with simulated_device(radio, flash, board="devkit") as br:
            async with FasciaClient(br.address, host_a) as a:
                for _ in range(2):
                    await a.start()
                    await asyncio.sleep(1.2)
                    await a.stop()
                    await asyncio.sleep(0.3)
                first, second = [s.session_id for s in await a.list_sessions()][-2:]
                for sid in (first, second):
                    await a.read_session(sid)
                await a.ack_synced(first)
            async with FasciaClient(br.address, host_b) as b:
                before_reboot = await by_b(b, first, second)
        async with simulated_device(radio, flash, board="devkit") as br:
            async with FasciaClient(br.address, host_b, pair=False) as b:
                after_reboot = await by_b(b, first, second)
            async with FasciaClient(br.address, host_a, pair=False) as a:
                by_a = {
                    "ack read before the reboot": await attempt(a, control.ACK_SYNCED, second),
                    "delete acknowledged": await attempt(a, control.DELETE_SYNCED, first),
                }
            async with FasciaClient(br.address, host_b, pair=False) as b:
                await b.read_session(first)  # B copies the first itself: it may acknowledge it, but
                b_copied = {  # its deletion is still A's
                    "ack after reading it": await attempt(b, control.ACK_SYNCED, first),
                    "delete acknowledged by A": await attempt(b, control.DELETE_SYNCED, first),
                }
        return before_reboot, after_reboot, by_a, b_copied

    before_reboot, after_reboot, by_a, b_copied = asyncio.run(go())
    refused = {
        "ack unread": control.OTHER_HOST,
        "ack acknowledged by A": control.OTHER_HOST,
        "delete acknowledged by A": control.OTHER_HOST,
        "flash unchanged": True,
    }
    assert before_reboot == refused
    assert after_reboot == refused
    assert by_a == {
        "ack read before the reboot": control.SUCCESS,
        "delete acknowledged": control.CONFIRM_ON_DEVICE,
    }
    assert b_copied == {
        "ack after reading it": control.SUCCESS,
        "delete acknowledged by A": control.OTHER_HOST,
    }


def test_live_values_can_be_closed_to_unbonded_hosts(tmp_path):
    async def go():
        radio = VirtualRadio()
        async with (
            simulated_device(radio, tmp_path / "flash", board="devkit", config={"ble_open_live": 0}) as br,
            FasciaClient(br.address, backend_for(radio, "stranger"), pair=False) as dev,
        ):
            return [await _refused(dev.live()), await _refused(dev.battery())]

    assert asyncio.run(go()) == [True, True]


def test_a_bond_survives_a_reboot_and_is_forgotten_from_the_menu(tmp_path):
    """Pair; power the device off and on (same flash): the host gets in with its bond, no passkey.
    Then hold A (bonds menu), press A (forget the only host), A (yes): the bond is gone."""
    flash = tmp_path / "flash"

    async def no_passkey(_address: str) -> int:
        raise AssertionError("a bonded host was asked for a passkey")

    async def go():
        radio = VirtualRadio()
        owner = backend_for(radio, "owner")
        async with (
            simulated_device(radio, flash, board="devkit") as br,
            FasciaClient(br.address, owner) as dev,
        ):
            first = await dev.clock_info()
        again = backend_for(radio, "owner", no_passkey)
        async with simulated_device(radio, flash, board="devkit") as br:
            async with FasciaClient(br.address, again, pair=False) as dev:
                second = await dev.clock_info()
            # the person, once the host has been in (not at scripted times, which a loaded machine's
            # slow reconnection could miss): each press when the device has taken the one before
            for button, hold in (("a", LONG_MS), ("a", PRESS_MS), ("a", PRESS_MS)):
                down = await br.press(button, long=hold == LONG_MS)
                while (br.status[-1]["t"] if br.status else 0) < down + hold + 1000:
                    await asyncio.sleep(0.05)
            try:
                async with FasciaClient(br.address, again, pair=False) as dev:
                    return first, second, await _refused(dev.client.read_gatt_char(gatt.LOG))
            except (UserError, BleakError):  # its key no longer works at all: refused too
                return first, second, True

    first, second, refused_after_forget = asyncio.run(go())
    assert second.boot == first.boot + 1  # a reboot in between, and the bond still worked
    assert refused_after_forget
    assert not (flash / "bonds").read_bytes().strip()  # forgotten on the device


def test_read_only_values_refuse_writes_and_a_short_live_value_is_a_clear_error(device):
    async def go():
        async with device.client() as dev:
            codes = []
            for uuid in (gatt.LIVE, gatt.LOG, sig_uuid(gatt.BATTERY_LEVEL), sig_uuid(gatt.MODEL)):
                try:
                    await dev.client.write_gatt_char(uuid, b"\x01", response=True)
                    codes.append(None)
                except BleakGATTProtocolError as e:
                    codes.append(e.code)
            return codes, (await dev.live()).state

    codes, state = device.run(go())
    assert codes == [ATT_WRITE_NOT_PERMITTED] * 4 and state == "ready"
    with pytest.raises(BleakError, match="2 bytes"):
        Live.decode(b"\x01\x02")


@pytest.mark.parametrize("second_host", ["owner", "other"])
def test_a_second_central_is_turned_away_and_the_first_keeps_working(device, second_host):
    async def go():
        async with device.client() as first:
            try:
                async with FasciaClient(
                    device.bridge.address, backend_for(device.radio, second_host), timeout=2
                ):
                    second = "connected"
            except UserError:
                second = "refused"
            return second, await first.clock_info()

    second, clock = device.run(go())
    assert second == "refused" and clock.boot >= 1
    assert device.bridge.result is None and not device.bridge.closed.is_set()  # the radio still runs


async def _outcome(call) -> str | int:
    """ "done", or the ATT error code the stack answered."""
    try:
        await call
    except BleakGATTProtocolError as e:
        return e.code
    return "done"


@pytest.mark.parametrize("flags", ["as registered", "weakened to encrypted only"])
def test_the_radio_tells_an_encrypted_link_from_an_authenticated_one(tmp_path, monkeypatch, flags):
    """A Just Works pairing encrypts the link with a key that has no MITM protection. The values the
    firmware flags *_AUTHENTICATED are refused to it at the ATT level. Weakened to *_ENCRYPTED only
    (in what the radio registers), the stack serves them, as NimBLE would: the log read goes through
    and the control-point write reaches the firmware, whose own check (a link is secure only when
    its encryption update says encrypted, authenticated and bonded) ignores it: no session starts.
    (The radio keeps no bond for the pairing here, as for a host that pairs without bonding: the
    device drops a link it must forget a Just Works bond for, which would race with the reads.)"""
    from host_tools.sim.ble_bridge import FirmwareKeyStore, PeripheralBridge

    async def not_kept(store, name, keys):
        store.bridge.known_keys[name] = None

    monkeypatch.setattr(FirmwareKeyStore, "update", not_kept)
    register = PeripheralBridge._register

    async def weakened(bridge, services):
        for svc in services:
            for char in svc["chars"]:
                char["flags"] &= ~(READ_AUTHENTICATED | WRITE_AUTHENTICATED)
        await register(bridge, services)

    if flags != "as registered":
        monkeypatch.setattr(PeripheralBridge, "_register", weakened)
    flash = tmp_path / "flash"

    async def go():
        radio = VirtualRadio()
        just_works = backend_for(radio, "justworks", io=PairingDelegate.IoCapability.NO_OUTPUT_NO_INPUT)
        async with (
            simulated_device(radio, flash, board="devkit") as br,
            FasciaClient(br.address, just_works) as dev,
        ):
            seen = {
                "link": br._links[next(iter(br._conns))],  # (encrypted, with a MITM key)
                "log read": await _outcome(dev.client.read_gatt_char(gatt.LOG)),
                "start written": await _outcome(
                    dev.client.write_gatt_char(gatt.CONTROL, REQUESTS[control.START], response=True)
                ),
            }
            await asyncio.sleep(1)
            seen["still connected"] = dev.client.is_connected
            seen["state"] = (await dev.live()).state
            return seen

    seen = asyncio.run(go())
    assert seen["link"] == (True, False) and seen["still connected"]
    assert seen["state"] == "ready" and not list(flash.glob("log/*.fs?"))  # no session started
    expected = ATT_INSUFFICIENT_AUTHENTICATION if flags == "as registered" else "done"
    assert (seen["log read"], seen["start written"]) == (expected, expected)


# bluetooth.FLAG_* (MicroPython): NimBLE refuses by these before the firmware hears anything
READ_ENCRYPTED, READ_AUTHENTICATED, WRITE_ENCRYPTED, WRITE_AUTHENTICATED = 0x0200, 0x0400, 0x1000, 0x2000


@pytest.mark.parametrize("open_live", [1, 0])
def test_protected_values_ask_the_stack_for_a_passkey_link_not_only_encryption(open_live, monkeypatch):
    """What the firmware registers (fascia.app.blesetup): LE Secure Connections, bonding, MITM and
    a display-only device; the log, the control point, the clock and Device Information need
    *_AUTHENTICATED (a key made with the passkey), not only *_ENCRYPTED, which a Just Works key
    satisfies on NimBLE (and on the virtual radio: the test above); the live value and battery are
    open unless `ble_open_live` is 0."""
    import types

    from fascia.app import blesetup

    monkeypatch.setitem(sys.modules, "bluetooth", types.SimpleNamespace(UUID=lambda uuid: uuid))

    class Radio:  # the part of bluetooth.BLE that register() uses
        def __init__(self):
            self.configured: dict = {}
            self.flags: dict = {}

        def active(self, on):
            pass

        def config(self, **settings):
            self.configured.update(settings)

        def gatts_register_services(self, services):
            self.flags = {uuid: flags for _, chars in services for uuid, flags in chars}
            return tuple(tuple(range(len(chars))) for _, chars in services)

        def gatts_set_buffer(self, handle, size):
            pass

        def gatts_write(self, handle, value):
            pass

    radio = Radio()
    settings = dict(config.defaults(), ble_open_live=open_live)
    app = types.SimpleNamespace(
        settings=settings, board=types.SimpleNamespace(name="devkit", device_id=b"\x01" * 16)
    )
    blesetup.register(radio, app)
    assert {k: radio.configured[k] for k in ("bond", "mitm", "le_secure", "io")} == {
        "bond": True,
        "mitm": True,
        "le_secure": True,
        "io": 0,  # display only: the device shows the passkey
    }
    flags = radio.flags
    for read in (gatt.LOG, gatt.CURRENT_TIME, *DEVICE_INFO.values()):
        assert flags[read] & (READ_ENCRYPTED | READ_AUTHENTICATED) == READ_ENCRYPTED | READ_AUTHENTICATED
    for written in (gatt.CONTROL, gatt.CURRENT_TIME):
        assert (
            flags[written] & (WRITE_ENCRYPTED | WRITE_AUTHENTICATED) == WRITE_ENCRYPTED | WRITE_AUTHENTICATED
        )
    for public in (gatt.LIVE, gatt.BATTERY_LEVEL):
        need = flags[public] & (READ_ENCRYPTED | READ_AUTHENTICATED)
        assert need == (0 if open_live else READ_ENCRYPTED | READ_AUTHENTICATED), hex(flags[public])
