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
full profile's 10,000 writes take minutes, not hours. Here the rig and the strategies; what the
device must answer is judged in tests/test_faults_ble.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct
import time
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from fascia.spec import config as cfg
from fascia.spec import control, gatt, log
from host_tools.bench.faults import Family
from host_tools.ble import sig_uuid

WRITES_PER_EXAMPLE = 10  # hostile_batch() makes this many
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


class Rig:
    """The simulated device with a few sessions and a clock its owner set, one connection to it, and
    what a test compares before and after hostile writes (`stored`, `state`, the status lines)."""

    OWNER_TIME = (2026, 3, 1, 12, 0, 0)  # the clock the owner sets while preparing
    OWNER_RTC = [2026, 3, 1, 6, 12, 0, 0, 0]  # ... as the simulator reports it (a Sunday)

    def __init__(self, work: Path) -> None:
        from host_tools.sim.ble_device import BackgroundDevice

        logging.getLogger("bumble").setLevel(logging.CRITICAL)  # refused writes are logged as errors
        self.flash = work / "flash"
        self.dev = BackgroundDevice(self.flash, end_ms=24 * 3_600_000)
        self.client: Any = None
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
        first = (await self.client.list_sessions())[0].session_id
        await self.client.read_session(first)  # (only a host that read a session may acknowledge it)
        await self.client.ack_synced(first)
        await self.client.set_time(*self.OWNER_TIME)

    def stored(self) -> dict[str, bytes]:
        return {
            str(p.relative_to(self.flash)): p.read_bytes()
            for p in sorted(self.flash.rglob("*"))
            if p.is_file()
        }

    async def _state(self) -> tuple:
        live = await self.client.live()
        return (live.state, live.mode, live.activity, live.count), await self.client.list_sessions()

    async def _write(self, target: str, value: bytes) -> dict:
        """One hostile write; the device's answer: {"result": a control-point result code},
        {"att_error": code} or {"accepted": True}."""
        from bleak.exc import BleakGATTProtocolError

        if target == "control":
            result, _ = await self.client.request(value, check=False)
            return {"result": result}
        uuid = gatt.CONTROL if target.endswith("control") else sig_uuid(gatt.CURRENT_TIME)
        try:
            await self.client.client.write_gatt_char(uuid, value, response=True)
        except BleakGATTProtocolError as e:
            return {"att_error": e.code}
        return {"accepted": True}

    async def batch(self, writes: list[tuple[str, bytes]]) -> tuple[list[dict], tuple, tuple]:
        """Send the writes; (each one's answer, state before, state after). The state read ends
        with a request, so the device has applied every time write by then."""
        if not self.client.client.is_connected:
            await self._connect()
        before = await self._state()
        answers = []
        for target, value in writes:
            try:
                answers.append(await self._write(target, value))
            except Exception as e:  # no answer or a dropped link: noted, then carry on
                answers.append({"raised": f"{type(e).__name__}: {e}"})
                if not self.client.client.is_connected:
                    await self._connect()
        return answers, before, await self._state()

    def new_clocks(self) -> list[list[int]]:
        """The clock of every status line since the last call."""
        lines = self.dev.bridge.status[self.status_seen :]
        self.status_seen += len(lines)
        return [line.get("rtc") for line in lines]

    def settled_clock(self) -> list[int] | None:
        """The clock two fresh status lines later (every write has landed by then)."""
        seen = len(self.dev.bridge.status)
        deadline = time.monotonic() + 10
        while len(self.dev.bridge.status) < seen + 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.dev.bridge.status[-1].get("rtc")

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
        *[
            (f"read device information 0x{info:04x}", f"read {sig_uuid(info)}", b"")
            for info in (gatt.MANUFACTURER, gatt.MODEL, gatt.SERIAL, gatt.FIRMWARE_REV)
        ],
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
    try every protected operation (read the log and Device Information, every control request, set
    the clock). Observed
    per operation: how the device answered ("insufficient authentication", "dropped": the link
    went, "pairing failed": the whole attempt, "accepted", or an ATT error); in `reference` the
    flash before and after, and the clock of every status line ("changes": the flash changed)."""
    import random

    from bleak.exc import BleakError, BleakGATTProtocolError
    from bumble.pairing import PairingDelegate

    from host_tools.ble import ATT_INSUFFICIENT_AUTHENTICATION, FasciaClient
    from host_tools.ble.bumble_backend import backend_for
    from host_tools.errors import UserError
    from host_tools.sim.ble_bridge import screen_passkey

    fam = Family("unbonded central", lost_unit="changes")
    work.mkdir(parents=True, exist_ok=True)
    rig = Rig(work)  # (its owner paired, recorded two sessions, acknowledged one, set the clock)
    rng = random.Random(seed)
    dev = rig.dev
    rig.dev.run(rig.client.__aexit__(None, None, None))
    stored = rig.stored()
    rig.new_clocks()

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

    def saw(who: str, name: str, outcome: str) -> None:
        fam.observed.append({"case": f"{who}: {name}", "who": who, "outcome": outcome})

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
            for name, _, _ in _protected_operations(rng):
                saw(who, name, "pairing failed")
            return
        try:
            with contextlib.suppress(BleakError, asyncio.CancelledError):  # (a dropped Just Works link)
                await client.live()
                await client.battery()
            for name, target, value in _protected_operations(rng):
                if not client.client.is_connected:  # the device dropped the link
                    saw(who, name, "dropped")
                    continue
                try:
                    if target == "log":
                        await client.client.read_gatt_char(gatt.LOG)
                    elif target.startswith("read "):
                        await client.client.read_gatt_char(target[5:])
                    else:
                        uuid = gatt.CONTROL if target == "control" else sig_uuid(gatt.CURRENT_TIME)
                        await client.client.write_gatt_char(uuid, value, response=True)
                except BleakGATTProtocolError as e:
                    insufficient = e.code == ATT_INSUFFICIENT_AUTHENTICATION
                    saw(
                        who,
                        name,
                        "insufficient authentication" if insufficient else f"ATT error 0x{e.code:02x}",
                    )
                    continue
                except (BleakError, asyncio.CancelledError):
                    task = asyncio.current_task()
                    if client.client.is_connected or (task is not None and task.cancelling()):
                        raise
                    saw(who, name, "dropped")  # by the device, mid-request
                    continue
                saw(who, name, "accepted")
        finally:
            with contextlib.suppress(BleakError, asyncio.CancelledError):
                await client.__aexit__(None, None, None)

    try:
        for who in attackers:
            try:
                dev.run(attack(who))
            except Exception as e:  # what stopped an attacker is observed, and judged by the test
                saw(who, "the attack", f"raised {type(e).__name__}: {e}")
        time.sleep(1.5)  # (two status lines: a clock set would show)
        fam.reference.update(stored_before=stored, stored_after=rig.stored(), clocks=rig.new_clocks())
        fam.reference["settled_clock"] = rig.settled_clock()
        fam.lost += stored != fam.reference["stored_after"]
    finally:
        rig.client = None
        fam.reference["end"] = rig.close()
    fam.cases = len(fam.observed)
    outcomes: dict[str, int] = {}
    for seen in fam.observed:
        outcomes[seen["outcome"]] = outcomes.get(seen["outcome"], 0) + 1
    fam.figures.update({"outcomes": outcomes, "attackers": list(attackers)})
    return fam
