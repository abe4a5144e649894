"""Hostile Bluetooth LE writes (fault suite family "hostile: BLE writes").

One simulated device (the unchanged firmware, its radio on a Bumble virtual link) holds a few
sessions; hypothesis (seeded, no deadline) makes batches of hostile writes that go over one
connection: malformed control-point requests (unknown opcodes, wrong lengths, unknown codes,
values out of the config range), Current Time writes of any length and content (impossible dates
of the right length too), and writes longer than the characteristic's buffer. After each batch:
every request was answered with a refusal code, every over-long write failed with
ATT_INVALID_LENGTH, and nothing changed: LIVE (state, mode, activity, count), the session list,
the flash (session files and config.json, byte for byte) and the clock, which only a valid
Current Time write may set. The device must still be running at the end.

A case is one hostile write; `WRITES_PER_EXAMPLE` of them make one hypothesis example, so the
full profile's 10,000 writes take minutes, not hours.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import math
import struct
import time
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from fascia.spec import config as cfg
from fascia.spec import control, gatt, log
from host_tools.bench.faults import Family, _hypothesis
from host_tools.ble import ATT_INVALID_LENGTH, RESULT_NAMES, sig_uuid

WRITES_PER_EXAMPLE = 10  # hostile_batch() makes this many
REFUSALS = (control.OPCODE_NOT_SUPPORTED, control.INVALID_PARAMETER)  # what a malformed request may get
MAX_WRITE = 244  # the longest write at the client's MTU (247)
_KNOWN = set(control.REQUEST_FMT) | {control.SELECT}


def _out_of_range(name: str) -> st.SearchStrategy[int]:
    _, low, high = cfg.FIELDS[name]
    return st.integers(0, low - 1) | st.integers(high + 1, 2**32 - 1)


def _bad_values() -> st.SearchStrategy[bytes]:
    """Well-formed SET_USER and SELECT requests with at least one value outside the config range."""
    weight = _out_of_range("weight_kg").filter(lambda w: w <= 0xFFFF)
    set_user = st.one_of(
        st.tuples(weight, st.integers(0, 2**32 - 1)),
        st.tuples(st.integers(0, 0xFFFF), _out_of_range("daily_jump_goal")),
    ).map(lambda t: bytes((control.SET_USER,)) + struct.pack(control.REQUEST_FMT[control.SET_USER], *t))

    def select(mode: str) -> st.SearchStrategy[bytes]:
        fields = log.MODE_FIELDS[mode]
        head = st.sampled_from(sorted(log.ACTIVITY_CODES.values())).map(
            lambda act: bytes((control.SELECT, act, log.MODE_CODES[mode]))
        )
        bad = st.integers(0, len(fields) - 1)
        values = bad.flatmap(
            lambda i: st.tuples(
                *(_out_of_range(f) if j == i else st.integers(0, 2**32 - 1) for j, f in enumerate(fields))
            )
        )
        return st.tuples(head, values).map(lambda t: t[0] + b"".join(struct.pack("<I", v) for v in t[1]))

    return set_user | st.sampled_from([m for m in log.MODE_FIELDS if log.MODE_FIELDS[m]]).flatmap(select)


def malformed_requests() -> st.SearchStrategy[bytes]:
    """Control-point requests that must be refused (OPCODE_NOT_SUPPORTED or INVALID_PARAMETER):
    unknown opcodes, wrong lengths, unknown activity/mode codes, values out of the config range."""
    unknown = st.tuples(st.integers(0, 255).filter(lambda op: op not in _KNOWN), st.binary(max_size=19)).map(
        lambda t: bytes((t[0],)) + t[1]
    )

    def wrong_length(op: int) -> st.SearchStrategy[bytes]:
        good = struct.calcsize(control.REQUEST_FMT[op])
        return st.binary(max_size=19).filter(lambda b: len(b) != good).map(lambda b: bytes((op,)) + b)

    known = st.sampled_from(sorted(control.REQUEST_FMT)).flatmap(wrong_length)
    bad_select = st.tuples(st.integers(0, 255), st.integers(0, 255), st.binary(max_size=17)).filter(
        lambda t: t[0] not in log.ACTIVITY_CODES.values() or t[1] not in log.MODE_CODES.values()
    )
    select = bad_select.map(lambda t: bytes((control.SELECT, t[0], t[1])) + t[2])
    return st.one_of(st.just(b""), unknown, known, select, _bad_values())


def time_writes() -> st.SearchStrategy[bytes]:
    """Current Time values that fit the buffer: any bytes, and 10-byte dates around the edges of
    what is possible (month 13, 30 February, 24:00, year 2019 / 2100, ...)."""
    near = st.tuples(
        st.integers(2018, 2101) | st.integers(0, 0xFFFF),
        st.integers(0, 14) | st.integers(0, 255),
        st.integers(0, 32) | st.integers(0, 255),
        st.integers(0, 25) | st.integers(0, 255),
        st.integers(0, 61) | st.integers(0, 255),
        st.integers(0, 61) | st.integers(0, 255),
        st.integers(0, 255),
        st.integers(0, 255),
        st.integers(0, 255),
    ).map(lambda t: struct.pack(gatt.CURRENT_TIME_FMT, *t))
    return st.binary(max_size=gatt.CURRENT_TIME_BYTES) | near


def hostile_batch() -> st.SearchStrategy[list[tuple[str, bytes]]]:
    """WRITES_PER_EXAMPLE (target, value) in a shuffled order: half control-point requests, 30 %
    Current Time writes that fit ("control", "time"), 20 % over-long ones ("long control", "long time")."""
    kinds = {
        "control": malformed_requests(),
        "time": time_writes(),
        "long control": st.binary(min_size=gatt.CONTROL_MAX + 1, max_size=MAX_WRITE),
        "long time": st.binary(min_size=gatt.CURRENT_TIME_BYTES + 1, max_size=MAX_WRITE),
    }
    shares = ["control"] * 5 + ["time"] * 3 + ["long control", "long time"]
    writes = st.tuples(*(kinds[kind].map(lambda value, kind=kind: (kind, value)) for kind in shares))
    return writes.flatmap(st.permutations)


def valid_time(value: bytes) -> list[int] | None:
    """The RTC tuple a Current Time write may set (as the simulator reports it), or None if the
    device must ignore it (wrong length, impossible date, year outside 2020-2099)."""
    if len(value) != gatt.CURRENT_TIME_BYTES:
        return None
    y, mo, d, h, mi, s, _, _, _ = struct.unpack(gatt.CURRENT_TIME_FMT, value)
    if not 2020 <= y <= 2099:
        return None
    try:
        when = dt.datetime(y, mo, d, h, mi, s)
    except ValueError:
        return None
    return [y, mo, d, when.weekday(), h, mi, s, 0]


class _Rig:
    """The simulated device, one connection to it, and what must not change."""

    def __init__(self, work: Path) -> None:
        from host_tools.sim.ble_device import BackgroundDevice

        logging.getLogger("bumble").setLevel(logging.CRITICAL)  # refused writes are logged as errors
        self.flash = work / "flash"
        self.dev = BackgroundDevice(self.flash, end_ms=24 * 3_600_000)
        self.client: Any = None
        self.rtc: list[int] | None = None  # the clock the device must report: the last valid time set
        self.valid_rtcs: list[list[int] | None] = [None]
        self.status_seen = 0
        self.reconnects = 0
        self.dev.run(self._prepare())

    async def _connect(self) -> None:
        if self.client is not None:
            self.reconnects += 1
        self.client = self.dev.client()
        await self.client.__aenter__()

    async def _prepare(self) -> None:
        """Two sessions on the flash (one acknowledged as synced) and a clock that was set."""
        await self._connect()
        for _ in range(2):
            await self.client.start()
            await asyncio.sleep(1.2)
            await self.client.stop()
            await asyncio.sleep(0.3)
        await self.client.ack_synced((await self.client.list_sessions())[0][0])
        await self.client.set_time(2026, 3, 1, 12, 0, 0)
        self.rtc = [2026, 3, 1, 6, 12, 0, 0, 0]
        self.valid_rtcs.append(self.rtc)

    def stored(self) -> dict[str, bytes]:
        return {
            str(p.relative_to(self.flash)): p.read_bytes()
            for p in sorted(self.flash.rglob("*"))
            if p.is_file()
        }

    async def _state(self) -> tuple:
        live = await self.client.live()
        return (live.state, live.mode, live.activity, live.count), await self.client.list_sessions()

    async def _write(self, target: str, value: bytes) -> str | None:
        """One hostile write; what was wrong with the device's answer, or None."""
        from bleak.exc import BleakGATTProtocolError

        uuid = gatt.CONTROL if target.endswith("control") else sig_uuid(gatt.CURRENT_TIME)
        if target == "control":
            result, _ = await self.client.request(value, check=False)
            return None if result in REFUSALS else f"answered {RESULT_NAMES.get(result, hex(result))}"
        try:
            await self.client.client.write_gatt_char(uuid, value, response=True)
        except BleakGATTProtocolError as e:
            if target.startswith("long") and e.code == ATT_INVALID_LENGTH:
                return None
            return f"ATT error 0x{e.code:02x}"
        if target.startswith("long"):
            return "accepted"
        if valid_time(value) is not None:
            self.rtc = valid_time(value)
            self.valid_rtcs.append(self.rtc)
        return None

    async def batch(self, writes: list[tuple[str, bytes]]) -> tuple[list[str], tuple, tuple]:
        """Send the writes; (problems, state before, state after). The state read ends with a
        request, so the device has applied every time write by then."""
        if not self.client.client.is_connected:
            await self._connect()
        before = await self._state()
        problems = []
        for target, value in writes:
            try:
                wrong = await self._write(target, value)
            except Exception as e:  # no answer or a dropped link: a failure, then carry on
                wrong = f"{type(e).__name__}: {e}"
                if not self.client.client.is_connected:
                    await self._connect()
            if wrong:
                problems.append(f"{target} {value.hex()}: {wrong}")
        return problems, before, await self._state()

    def clock_problems(self, writes_sent: list[bytes]) -> list[str]:
        """Every status line since the last check shows a clock some valid write set."""
        lines = self.dev.bridge.status[self.status_seen :]
        self.status_seen += len(lines)
        problems = []
        for line in lines:
            rtc = line.get("rtc")
            if rtc not in self.valid_rtcs:
                culprit = [v.hex() for v in writes_sent if struct.unpack_from("<HBB", v) == tuple(rtc[:3])]
                problems.append(f"the clock became {rtc} (writes {culprit[:3]})")
        return problems

    def settle(self) -> list[str]:
        """Two fresh status lines later the clock is the last valid time written."""
        seen = len(self.dev.bridge.status)
        deadline = time.monotonic() + 10
        while len(self.dev.bridge.status) < seen + 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        last = self.dev.bridge.status[-1].get("rtc")
        return [] if last == self.rtc else [f"the clock is {last}, the last valid time written {self.rtc}"]

    def close(self) -> list[str]:
        """Disconnect and power off; what shows the device did not survive."""
        problems = []
        if self.dev.bridge.closed.is_set() or self.dev.bridge.result is not None:
            problems.append("the device process ended during the run")
        if self.client is not None and self.client.client.is_connected:
            self.dev.run(self.client.__aexit__(None, None, None))
        try:
            self.dev.close()
        except Exception as e:
            problems.append(f"power off: {type(e).__name__}: {e}")
        return problems


def hostile_ble(examples: int, seed: int, work: Path) -> Family:
    """`examples` hostile BLE writes (cases), WRITES_PER_EXAMPLE per hypothesis example, one device."""
    fam = Family("hostile: BLE writes", lost_unit="changes")
    work.mkdir(parents=True, exist_ok=True)
    rig = _Rig(work)
    kinds: dict[str, int] = {}
    time_sent: list[bytes] = []
    stored = rig.stored()
    rig.clock_problems([])

    def check(writes) -> None:  # a hostile_batch()
        problems, before, after = rig.dev.run(rig.batch(writes))
        fam.cases += len(writes)
        for target, value in writes:
            kinds[target] = kinds.get(target, 0) + 1
            if target == "time" and len(value) == gatt.CURRENT_TIME_BYTES:
                time_sent.append(value)
        if before[0] != after[0]:
            problems.append(f"LIVE changed: {before[0]} -> {after[0]}")
        now = rig.stored()
        if before[1] != after[1] or now != stored:
            fam.lost += 1
            changed = sorted(k for k in set(now) | set(stored) if now.get(k) != stored.get(k))
            problems.append(f"stored data changed: {changed or 'session list'}")
            stored.clear()
            stored.update(now)
        problems += rig.clock_problems(time_sent)
        for p in problems:
            fam.fail(f"example {fam.cases // WRITES_PER_EXAMPLE}", p)

    t0 = time.monotonic()
    try:
        _, crashed = _hypothesis(check, hostile_batch(), math.ceil(examples / WRITES_PER_EXAMPLE), seed)
        for p in crashed:
            fam.fail("hypothesis", p)
        for p in rig.settle():
            fam.fail("end", p)
    finally:
        seconds = time.monotonic() - t0
        for p in rig.close():
            fam.fail("end", p)
    fam.figures.update(
        {
            "writes_per_example": WRITES_PER_EXAMPLE,
            "writes": dict(sorted(kinds.items())),
            "valid_times_set": len(rig.valid_rtcs) - 2,
            "reconnects": rig.reconnects,
            "writes_per_s": round(fam.cases / max(seconds, 1e-9), 1),
        }
    )
    return fam


# ---------------------------------------------------------------- unbonded central


def _protected_operations(rng) -> list[tuple[str, str, bytes]]:
    """(name, target, value): every protected operation once (well formed), then more requests of
    every opcode with random parameters, each a write or read a stranger would try."""
    ops = [
        (f"request 0x{op:02x}", "control", bytes((op,)) + bytes(struct.calcsize(fmt)))
        for op, fmt in control.REQUEST_FMT.items()
    ]
    ops += [
        ("select", "control", bytes((control.SELECT, 1, 0))),
        ("read log", "log", b""),
        ("set clock 2021", "time", struct.pack(gatt.CURRENT_TIME_FMT, 2021, 1, 1, 0, 0, 0, 5, 0, 1)),
        ("ack session 1", "control", bytes((control.ACK_SYNCED,)) + struct.pack("<I", 1)),
        ("delete all synced", "control", bytes((control.DELETE_SYNCED,)) + struct.pack("<I", 0)),
        (
            "weight 250 kg, goal 100000",
            "control",
            bytes((control.SET_USER,)) + struct.pack("<HI", 250, 100000),
        ),
    ]
    known = sorted(set(control.REQUEST_FMT) | {control.SELECT})
    for _ in range(64):
        op = rng.choice(known)
        ops.append(
            (f"request 0x{op:02x} random", "control", bytes((op,)) + rng.randbytes(rng.randint(0, 12)))
        )
    return ops


def unbonded_central(work: Path, seed: int = 1) -> Family:
    """Strangers in radio range against a device with sessions and a bonded owner: a central
    without a bond, one that pairs Just Works (no keyboard), and one that types a wrong passkey
    try every protected operation (read the log, every control request, set the clock). Every
    one must be refused (ATT Insufficient Authentication), the live count and battery stay
    readable, and nothing on the flash or the clock changes ("changes": anything changed)."""
    import random

    from bleak.exc import BleakError, BleakGATTProtocolError
    from bumble.pairing import PairingDelegate

    from host_tools.ble import ATT_INSUFFICIENT_AUTHENTICATION, FasciaClient
    from host_tools.ble.bumble_backend import backend_for
    from host_tools.errors import UserError
    from host_tools.sim.ble_bridge import screen_passkey

    fam = Family("unbonded central", lost_unit="changes")
    work.mkdir(parents=True, exist_ok=True)
    rig = _Rig(work)  # (its owner paired, recorded two sessions, acknowledged one, set the clock)
    rng = random.Random(seed)
    dev = rig.dev
    rig.dev.run(rig.client.__aexit__(None, None, None))
    stored = rig.stored()
    rig.clock_problems([])

    async def wrong(_address: str) -> int:
        return (await screen_passkey(dev.bridge) + 1 + rng.randrange(999_998)) % 1_000_000

    attackers = {
        "no bond": (backend_for(dev.radio, "stranger"), False),
        "just works": (
            backend_for(dev.radio, "justworks", io=PairingDelegate.IoCapability.NO_OUTPUT_NO_INPUT),
            True,
        ),
        "wrong passkey": (backend_for(dev.radio, "guesser", wrong), True),
    }
    refused: dict[str, int] = {}

    async def attack(who: str) -> None:
        backend, pair = attackers[who]
        try:
            client = FasciaClient(dev.bridge.address, backend, pair=pair)
            await client.__aenter__()
        except (UserError, BleakError, asyncio.CancelledError):
            # the pairing failed (a wrong passkey), or the device dropped the link it made without
            # the passkey while the host set up (the stack cancels what was waiting on it)
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise  # (this task itself is being cancelled)
            ops = _protected_operations(rng)
            fam.cases += len(ops)
            refused[who] = refused.get(who, 0) + len(ops)
            return
        try:
            with contextlib.suppress(BleakError, asyncio.CancelledError):  # (a dropped Just Works link)
                await client.live()
                await client.battery()
            for name, target, value in _protected_operations(rng):
                fam.cases += 1
                if not client.client.is_connected:  # the device dropped the link: refused
                    refused[who] = refused.get(who, 0) + 1
                    continue
                try:
                    if target == "log":
                        await client.client.read_gatt_char(gatt.LOG)
                    else:
                        uuid = gatt.CONTROL if target == "control" else sig_uuid(gatt.CURRENT_TIME)
                        await client.client.write_gatt_char(uuid, value, response=True)
                except BleakGATTProtocolError as e:
                    if e.code == ATT_INSUFFICIENT_AUTHENTICATION:
                        refused[who] = refused.get(who, 0) + 1
                        continue
                    fam.fail(f"{who}: {name}", f"ATT error 0x{e.code:02x}, not Insufficient Authentication")
                    continue
                except (BleakError, asyncio.CancelledError):
                    task = asyncio.current_task()
                    if client.client.is_connected or (task is not None and task.cancelling()):
                        raise
                    refused[who] = refused.get(who, 0) + 1  # dropped by the device mid-request
                    continue
                fam.fail(f"{who}: {name}", "accepted")
        finally:
            with contextlib.suppress(BleakError, asyncio.CancelledError):
                await client.__aexit__(None, None, None)

    try:
        for who in attackers:
            try:
                dev.run(attack(who))
            except Exception as e:  # an unexpected failure fails the family
                fam.fail(who, f"{type(e).__name__}: {e}")
        time.sleep(1.5)  # (two status lines: a clock set would show)
        now = rig.stored()
        if now != stored:
            fam.lost += 1
            changed = sorted(k for k in set(now) | set(stored) if now.get(k) != stored.get(k))
            fam.fail("flash", f"changed: {changed}")
        for p in rig.clock_problems([]) + rig.settle():
            fam.fail("clock", p)
    finally:
        rig.client = None
        for p in rig.close():
            fam.fail("end", p)
    fam.figures.update({"refused": refused, "attackers": list(attackers)})
    return fam
