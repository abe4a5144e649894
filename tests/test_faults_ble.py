"""The fault suite's Bluetooth families, quick profile (`make faults` runs the full counts): hostile
writes on one simulated device (malformed control-point requests, Current Time writes of any length
and content, over-long writes) and strangers without a bond. The rig and the strategies are in
host_tools/bench/faults_ble.py; what the device must answer, and what must not change, is here.
"""

from __future__ import annotations

import datetime as dt
import math
import struct
import time

from fascia.spec import control, gatt
from host_tools.bench import faults
from host_tools.bench import faults_ble as ble
from host_tools.bench import faults_input as hostile
from host_tools.ble import ATT_INVALID_LENGTH, RESULT_NAMES

PROFILE_NAME, PROFILE = faults.profile()
SEED = faults.seed()
REFUSALS = (control.OPCODE_NOT_SUPPORTED, control.INVALID_PARAMETER)  # what a malformed request may get
REFUSED_UNBONDED = ("insufficient authentication", "dropped", "pairing failed")


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


def answer_problem(target: str, answer: dict) -> str | None:
    """A request is refused with a refusal code; an over-long write fails with ATT_INVALID_LENGTH; a
    Current Time write that fits is accepted (and only applied if valid: see the clock checks)."""
    if "raised" in answer:
        return answer["raised"]
    if target == "control":
        result = answer["result"]
        return None if result in REFUSALS else f"answered {RESULT_NAMES.get(result, hex(result))}"
    if target.startswith("long"):
        return None if answer.get("att_error") == ATT_INVALID_LENGTH else f"not refused: {answer}"
    return None if answer.get("accepted") else f"ATT error 0x{answer['att_error']:02x}"


def test_hostile_ble_writes_are_refused_and_change_nothing(tmp_path, fault_report):
    """After each batch of hostile writes: every answer as documented; LIVE (state, mode, activity,
    count), the session list and the flash (byte for byte) unchanged; the clock only ever a time a
    valid Current Time write set, and at the end the last one. The device is still running."""
    fam = faults.Family("hostile: BLE writes", lost_unit="changes")
    rig = ble.Rig(tmp_path)
    kinds: dict[str, int] = {}
    valid_clocks = [None, ble.Rig.OWNER_RTC]  # (before the owner set it, the first status lines)
    stored = rig.stored()
    rig.new_clocks()
    problems: list[str] = []

    def check(writes) -> None:  # a hostile_batch()
        answers, before, after = rig.dev.run(rig.batch(writes))
        fam.cases += len(writes)
        example = f"example {fam.cases // ble.WRITES_PER_EXAMPLE}"
        for (target, value), answer in zip(writes, answers, strict=True):
            kinds[target] = kinds.get(target, 0) + 1
            if wrong := answer_problem(target, answer):
                problems.append(f"{example}: {target} {value.hex()}: {wrong}")
            if target == "time" and valid_time(value) is not None:
                valid_clocks.append(valid_time(value))
        if before[0] != after[0]:
            problems.append(f"{example}: LIVE changed: {before[0]} -> {after[0]}")
        now = rig.stored()
        if before[1] != after[1] or now != stored:
            fam.lost += 1
            changed = sorted(k for k in set(now) | set(stored) if now.get(k) != stored.get(k))
            problems.append(f"{example}: stored data changed: {changed or 'session list'}")
            stored.clear()
            stored.update(now)
        problems.extend(f"{example}: the clock became {c}" for c in rig.new_clocks() if c not in valid_clocks)

    t0 = time.monotonic()
    try:
        hostile.run_examples(
            check, ble.hostile_batch(), math.ceil(PROFILE["examples"] / ble.WRITES_PER_EXAMPLE), SEED
        )
        settled = rig.settled_clock()
        if settled != valid_clocks[-1]:
            problems.append(f"the clock is {settled}, the last valid time written {valid_clocks[-1]}")
    finally:
        seconds = time.monotonic() - t0
        problems += rig.close()
        fam.figures.update(
            {
                "writes_per_example": ble.WRITES_PER_EXAMPLE,
                "writes": dict(sorted(kinds.items())),
                "valid_times_set": len(valid_clocks) - 2,
                "reconnects": rig.reconnects,
                "writes_per_s": round(fam.cases / max(seconds, 1e-9), 1),
            }
        )
        fault_report(fam)
    assert problems == []
    assert fam.lost == 0
    assert fam.cases >= PROFILE["examples"] and fam.cases % ble.WRITES_PER_EXAMPLE == 0
    assert set(kinds) == {"control", "time", "long control", "long time"}


def test_unbonded_centrals_are_refused_every_protected_operation(tmp_path, fault_report):
    """A stranger without a bond, one pairing Just Works and one typing a wrong passkey: every
    protected operation refused; the flash and the owner's clock unchanged; the device still running."""
    fam = ble.unbonded_central(tmp_path, seed=SEED)
    fault_report(fam)
    ref = fam.reference
    accepted = [
        f"{seen['case']}: {seen['outcome']}"
        for seen in fam.observed
        if seen["outcome"] not in REFUSED_UNBONDED
    ]
    assert accepted == []
    assert {seen["who"] for seen in fam.observed} == set(fam.figures["attackers"])
    assert fam.cases >= 3 * 80
    assert ref["stored_after"] == ref["stored_before"] and fam.lost == 0
    assert all(clock in (None, ble.Rig.OWNER_RTC) for clock in ref["clocks"]), ref["clocks"]
    assert ref["settled_clock"] == ble.Rig.OWNER_RTC
    assert ref["end"] == []


def test_the_clock_oracle_knows_impossible_dates():
    good = struct.pack(gatt.CURRENT_TIME_FMT, 2026, 2, 28, 23, 59, 59, 6, 0, 0)
    assert valid_time(good) == [2026, 2, 28, 5, 23, 59, 59, 0]
    assert valid_time(struct.pack(gatt.CURRENT_TIME_FMT, 2026, 2, 30, 0, 0, 0, 1, 0, 0)) is None
    assert valid_time(struct.pack(gatt.CURRENT_TIME_FMT, 2100, 1, 1, 0, 0, 0, 1, 0, 0)) is None
    assert valid_time(good[:-1]) is None
