"""The host's side of the fascia GATT profile (fascia.spec.gatt), on bleak.

`scan()` finds devices and `FasciaClient` talks to one (live values, control point, log access);
`host_tools.ble.sync.BleDevice` runs `fascia sync` over it. All of it takes an optional `BleBackend`:
None uses bleak's platform backend (BlueZ, CoreBluetooth, WinRT); the tests and the simulator pass
`host_tools.ble.bumble_backend.backend_for(radio)`, so the same bleak calls run on a virtual radio.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from bleak import BleakClient, BleakScanner
from bleak.exc import BleakError

from fascia.spec import control, gatt, log
from host_tools.errors import UserError

ACTIVITY_NAMES = {code: name for name, code in log.ACTIVITY_CODES.items()}
MODE_NAMES = {code: name for name, code in log.MODE_CODES.items()}
STATE_NAMES = ("ready", "running", "paused", "done")
RESULT_NAMES = {  # the control point's result codes (fascia.spec.gatt), for people
    control.SUCCESS: "success",
    control.OPCODE_NOT_SUPPORTED: "opcode not supported",
    control.INVALID_PARAMETER: "invalid parameter",
    control.OPERATION_FAILED: "operation failed",
    control.NOT_ALLOWED_NOW: "not allowed now",
    control.NO_SUCH_SESSION: "no such session",
    control.NOT_SYNCED: "session not synced",
    control.CONFIRM_ON_DEVICE: "confirm on the device",
    control.NOT_BONDED: "not bonded: pair with the passkey the device shows",
    control.OTHER_HOST: "another host's session (acknowledge: read it first; delete: its acknowledger's)",
}
ATT_INSUFFICIENT_AUTHENTICATION = 0x05  # ATT error: the value needs a bonded (passkey) link
ATT_INVALID_LENGTH = 0x0D  # ATT error: a write longer than the characteristic's buffer
ADJUST_MANUAL = 1  # Current Time's adjust reason: set by hand (here: by the host)
LIST_ENTRY_BYTES = struct.calcsize(control.LIST_ENTRY_FMT)
DISCONNECT_S = 10.0  # the longest a client waits for its disconnection to be answered


def sig_uuid(short: int) -> str:
    return f"0000{short:04x}-0000-1000-8000-00805f9b34fb"


@dataclass(frozen=True)
class BleBackend:
    """bleak backend classes to use instead of the platform's (see bumble_backend)."""

    scanner: Any
    client: Any
    client_options: tuple[tuple[str, Any], ...] = ()


class ControlError(Exception):
    """The device answered a control-point request with an error result."""

    def __init__(self, opcode: int, result: int) -> None:
        self.opcode = opcode
        self.result = result
        super().__init__(f"request 0x{opcode:02x}: {RESULT_NAMES.get(result, f'result 0x{result:02x}')}")


@dataclass
class Live:
    """One LIVE notification, decoded."""

    activity: str
    state: str
    mode: str
    rest: bool
    summary: bool
    count: int
    elapsed_ms: int
    rate_per_min: int
    figure: int  # trips (rope), tempo x10 (clubbell), cadence (walk)
    left: int | None  # seconds or reps to go
    battery: int
    round: int

    @classmethod
    def decode(cls, data: bytes | bytearray) -> Live:
        """A LIVE value; BleakError (one sentence) if it is not one (too short: not a fascia device)."""
        if len(data) < gatt.LIVE_BYTES:
            raise BleakError(f"the live value has {len(data)} bytes, a fascia device sends {gatt.LIVE_BYTES}")
        act, state, mode, flags, count, elapsed, rate, figure, left, battery, rnd = struct.unpack(
            gatt.LIVE_FMT, bytes(data[: gatt.LIVE_BYTES])
        )
        return cls(
            activity=ACTIVITY_NAMES.get(act, str(act)),
            state=STATE_NAMES[state] if state < len(STATE_NAMES) else str(state),
            mode=MODE_NAMES.get(mode, str(mode)),
            rest=bool(flags & gatt.FLAG_REST),
            summary=bool(flags & gatt.FLAG_SUMMARY),
            count=count,
            elapsed_ms=elapsed,
            rate_per_min=rate,
            figure=figure,
            left=None if left == gatt.NONE_LEFT else left,
            battery=battery,
            round=rnd,
        )


class SessionEntry(NamedTuple):
    """One session of LIST_SESSIONS: its id, its size in bytes and whether a host acknowledged it."""

    session_id: int
    size: int
    synced: bool


class Clock(NamedTuple):
    """CLOCK_INFO: what logread.resolve_start needs, and the id the next session will get."""

    boot: int
    uptime_s: int
    epoch: int
    next_id: int


@dataclass
class Found:
    address: str
    name: str | None
    rssi: int
    battery: int | None = None


async def scan(timeout: float = 5.0, backend: BleBackend | None = None) -> list[Found]:
    """Devices advertising the fascia service, strongest first."""
    kw: dict[str, Any] = {"backend": backend.scanner} if backend else {}
    seen = await BleakScanner.discover(timeout=timeout, service_uuids=[gatt.SERVICE], return_adv=True, **kw)
    found = [Found(dev.address, adv.local_name or dev.name, adv.rssi) for dev, adv in seen.values()]
    return sorted(found, key=lambda f: -f.rssi)


class FasciaClient:
    """A connection to one device: `async with FasciaClient(address, backend) as dev: ...`.

    Everything but the live values and the battery needs a bond: `pair` (default) pairs on the
    first connection (the person types in the passkey the device shows) and encrypts with the bond
    afterwards. With `pair=False` and no bond, protected requests fail (ControlError NOT_BONDED, or
    an ATT Insufficient Authentication error)."""

    def __init__(
        self,
        address: str,
        backend: BleBackend | None = None,
        timeout: float = 10.0,
        pair: bool = True,
        **options: Any,
    ):
        kw: dict[str, Any] = dict(options, pair=pair)
        if backend is not None:
            kw = {**dict(backend.client_options), **kw, "backend": backend.client}
        self.client = BleakClient(address, timeout=timeout, **kw)
        self._answers: asyncio.Queue[bytes] = asyncio.Queue()
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> FasciaClient:
        try:
            await self.client.connect()
        except (BleakError, TimeoutError) as e:
            raise UserError(f"cannot connect to {self.client.address}: {str(e) or 'timed out'}") from None
        await self.client.start_notify(gatt.CONTROL, lambda _c, data: self._answers.put_nowait(bytes(data)))
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.client.is_connected:
            # bounded: leaving after Ctrl-C or a dead peer must not wait for an answer forever
            with contextlib.suppress(TimeoutError, BleakError):
                await asyncio.wait_for(self.client.disconnect(), DISCONNECT_S)

    @property
    def mtu(self) -> int:
        return self.client.mtu_size

    # -- reads --------------------------------------------------------------------------------------
    async def read_text(self, short_uuid: int) -> str:
        return bytes(await self.client.read_gatt_char(sig_uuid(short_uuid))).decode(errors="replace")

    async def battery(self) -> int:
        return (await self.client.read_gatt_char(sig_uuid(gatt.BATTERY_LEVEL)))[0]

    async def live(self) -> Live:
        return Live.decode(await self.client.read_gatt_char(gatt.LIVE))

    async def subscribe_live(self, callback: Callable[[Live], None]) -> None:
        await self.client.start_notify(gatt.LIVE, lambda _c, data: callback(Live.decode(data)))

    async def set_time(self, year: int, month: int, day: int, hour: int, minute: int, second: int) -> None:
        """Set the device clock through the Current Time characteristic (UTC)."""
        import datetime as dt

        weekday = dt.date(year, month, day).isoweekday()
        value = struct.pack(
            gatt.CURRENT_TIME_FMT, year, month, day, hour, minute, second, weekday, 0, ADJUST_MANUAL
        )
        await self.client.write_gatt_char(sig_uuid(gatt.CURRENT_TIME), value, response=True)

    async def set_time_now(self) -> None:
        import datetime as dt

        t = dt.datetime.now(dt.UTC)
        await self.set_time(t.year, t.month, t.day, t.hour, t.minute, t.second)

    # -- control point ----------------------------------------------------------------------------------
    async def request(self, payload: bytes, timeout: float = 5.0, check: bool = True) -> tuple[int, bytes]:
        """Write one control-point request and wait for its indication: (result code, parameters).
        With `check`, anything but SUCCESS raises ControlError."""
        async with self._lock:
            while not self._answers.empty():
                self._answers.get_nowait()
            await self.client.write_gatt_char(gatt.CONTROL, payload, response=True)
            answer = await asyncio.wait_for(self._answers.get(), timeout)
        code, opcode, result = struct.unpack_from(control.RESPONSE_HEAD, answer)
        if code != control.RESPONSE_CODE or (payload and opcode != payload[0]):
            raise BleakError(f"unexpected control-point answer {answer.hex()}")
        if check and result != control.SUCCESS:
            raise ControlError(opcode, result)
        return result, answer[3:]

    async def command(self, opcode: int, *args: int) -> bytes:
        fmt = control.REQUEST_FMT[opcode]
        return (await self.request(bytes((opcode,)) + struct.pack(fmt, *args)))[1]

    async def start(self) -> None:
        await self.command(control.START)

    async def pause(self) -> None:
        await self.command(control.PAUSE)

    async def resume(self) -> None:
        await self.command(control.RESUME)

    async def stop(self) -> None:
        await self.command(control.STOP)

    async def select(self, activity: str, mode: str, params: dict[str, int] | None = None) -> None:
        """Choose activity and mode; `params` by config name (countdown_s, interval_rounds, ...)."""
        params = params or {}
        body = struct.pack(control.SELECT_HEAD, log.ACTIVITY_CODES[activity], log.MODE_CODES[mode])
        for name in log.MODE_FIELDS[mode]:
            body += struct.pack(control.MODE_PARAM_FMT, params[name])
        await self.request(bytes((control.SELECT,)) + body)

    async def set_user(self, weight_kg: int, daily_goal: int) -> None:
        await self.command(control.SET_USER, weight_kg, daily_goal)

    async def clock_info(self) -> Clock:
        return Clock(
            *struct.unpack(control.RESPONSE_FMT[control.CLOCK_INFO], await self.command(control.CLOCK_INFO))
        )

    # -- log ---------------------------------------------------------------------------------------------
    async def list_sessions(self) -> list[SessionEntry]:
        """Every session on the device, oldest first."""
        out: list[SessionEntry] = []
        first = 0
        while True:
            (n,) = struct.unpack(
                control.RESPONSE_FMT[control.LIST_SESSIONS], await self.command(control.LIST_SESSIONS, first)
            )
            if not n:
                return out
            window = bytes(await self.client.read_gatt_char(gatt.LOG))
            for i in range(n):
                sid, size, flags = struct.unpack_from(control.LIST_ENTRY_FMT, window, i * LIST_ENTRY_BYTES)
                out.append(SessionEntry(sid, size, bool(flags & control.LIST_SYNCED)))
            first = out[-1].session_id + 1
            if n < control.LIST_MAX:
                return out

    async def session_info(self, sid: int) -> tuple[int, int, bool]:
        """(size, CRC-32, synced) of one session file."""
        size, crc, synced = struct.unpack(
            control.RESPONSE_FMT[control.SESSION_INFO], await self.command(control.SESSION_INFO, sid)
        )
        return size, crc, bool(synced)

    async def read_session(
        self, sid: int, window: int = gatt.LOG_WINDOW, progress: Callable[[int, int], None] | None = None
    ) -> tuple[bytes, int]:
        """A session file's bytes, checked against the device's CRC-32: (data, crc)."""
        size, crc, _ = await self.session_info(sid)
        data = await self.read_bytes(sid, size, window, progress)
        if zlib.crc32(data) != crc:
            raise BleakError(f"session {sid}: CRC mismatch after transfer")
        return data, crc

    async def read_bytes(
        self,
        sid: int,
        size: int,
        window: int = gatt.LOG_WINDOW,
        progress: Callable[[int, int], None] | None = None,
    ) -> bytes:
        """The first `size` bytes of a session file (fewer if it is shorter), window by window."""
        data = bytearray()
        while len(data) < size:
            chunk = await self.read_log(sid, len(data), min(window, size - len(data)))
            if not chunk:
                break
            data += chunk
            if progress:
                progress(len(data), size)
        return bytes(data)

    async def read_log(self, sid: int, offset: int, length: int) -> bytes:
        """One READ_LOG window: up to `length` (<= LOG_WINDOW) bytes from `offset`; b"" past the end."""
        got, n = struct.unpack(
            control.RESPONSE_FMT[control.READ_LOG], await self.command(control.READ_LOG, sid, offset, length)
        )
        if got != offset:
            raise BleakError(f"session {sid}: asked for offset {offset}, the device sent {got}")
        if n == 0:
            return b""
        chunk = bytes(await self.client.read_gatt_char(gatt.LOG))
        if len(chunk) != n:
            raise BleakError(f"session {sid}: read {len(chunk)} bytes of a {n}-byte window")
        return chunk

    async def ack_synced(self, sid: int) -> None:
        await self.command(control.ACK_SYNCED, sid)
