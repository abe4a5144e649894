"""Interrupted sync, quick profile (`make faults` runs 100+ cuts each: host_tools/bench/faults.py).

`fascia sync` over USB (real mpremote over the SerialBridge) killed at a seeded byte on the serial
line or a seeded time, and a Bluetooth sync whose link drops after a seeded ATT operation; the
rerun must store every session exactly once, and nothing may leave the device uncommitted. The
harness reports what the device and the store held after each cut and rerun; the oracle is here.
"""

from __future__ import annotations

import subprocess
import threading

from fascia.spec import logread
from host_tools import mpy
from host_tools.bench import faults
from host_tools.sim.serial_bridge import SerialBridge

PROFILE_NAME, PROFILE = faults.profile()
SEED = faults.seed()


def after_cut_problems(originals: dict[int, bytes], snap: dict) -> list[str]:
    """After the interruption the device's files are unchanged, and every session the device no
    longer holds, or has acknowledged (.fss), is committed in the store."""
    problems = []
    for sid, raw in originals.items():
        committed = raw in [copy for copy, _ in snap["stored"].get(sid, [])]
        held = snap["on_device"].get(sid)
        if held is not None and held[1] != raw:
            problems.append(f"session {sid} changed on the device")
        if held is None and not committed:
            problems.append(f"session {sid} deleted from the device before it was stored")
        elif held is not None and held[0] == ".fss" and not committed:
            problems.append(f"session {sid} acknowledged on the device before it was stored")
    return problems


def after_rerun_problems(originals: dict[int, bytes], snap: dict, left: str) -> list[str]:
    """After the rerun each session is stored exactly once, with its exact bytes and the count the
    reader parses from them, and no other; on the device none is left (`left` "") or each
    acknowledged (`left` "fss")."""
    problems = []
    for sid, raw in originals.items():
        copies = [copy for copy, _ in snap["stored"].get(sid, [])]
        if copies != [raw]:
            problems.append(f"session {sid} stored {len(copies)} time(s), bytes equal: {raw in copies}")
        want = logread.parse_session(raw)["count"]
        if any(count != want for _, count in snap["stored"].get(sid, [])):
            problems.append(f"session {sid}: counts {snap['stored'][sid]}, the log says {want}")
    if extra := set(snap["stored"]) - set(originals):
        problems.append(f"sessions stored that the device never had: {sorted(extra)}")
    on_device = sorted(f"{sid:05d}{suffix}" for sid, (suffix, _) in snap["on_device"].items())
    expected = [f"{sid:05d}.{left}" for sid in sorted(originals)] if left else []
    if on_device != expected:
        problems.append(f"left on the device: {on_device}, expected {expected}")
    return problems


def sync_problems(fam: faults.Family) -> list[str]:
    """Every cut judged: after the cut, how the sync stopped (a one-line SyncError, if it did not
    finish), the rerun, and after the rerun."""
    originals, left = fam.reference["originals"], fam.reference["left"]
    problems = []
    for seen in fam.observed:
        wrong = after_cut_problems(originals, seen["after_cut"])
        if seen["stop"] and not seen["stop"]["sync_error"]:
            wrong.append(
                f"stopped by {seen['stop']['type']} (not the one-line SyncError): {seen['stop']['message']}"
            )
        if seen["rerun_failed"]:
            wrong.append(f"the rerun failed: {seen['rerun_failed']}")
        wrong += after_rerun_problems(originals, seen["after_rerun"], left)
        problems += [f"{seen['case']}: {p}" for p in wrong]
    return problems


def test_usb_sync_killed_at_seeded_points_then_rerun(tmp_path, fault_report):
    fam = faults.interrupted_sync_usb(tmp_path, PROFILE["sync_cuts"], SEED)
    fault_report(fam)
    assert fam.cases == PROFILE["sync_cuts"]
    assert sync_problems(fam) == []
    assert fam.lost == 0


def test_ble_link_dropped_at_seeded_points_then_rerun(tmp_path, fault_report):
    fam = faults.interrupted_sync_ble(tmp_path, PROFILE["sync_cuts"], SEED)
    fault_report(fam)
    assert fam.cases == PROFILE["sync_cuts"]
    assert sync_problems(fam) == []
    assert fam.lost == 0
    assert fam.figures["full_sync_att_ops"] > fam.figures["sessions"] * 3  # info, copy and ack were counted
    # the commit/acknowledge window is cut, not only the copying before anything is stored
    assert fam.figures["cuts_in_commit_ack_window"] >= 0.3 * fam.cases
    assert any(not where.startswith("stored 0,") for where in fam.figures["after_cut"]), fam.figures


def test_the_sync_oracle_catches_an_acknowledged_session_the_store_lacks():
    originals = {1: b"one", 2: b"two"}
    snap = {"on_device": {1: (".fss", b"one"), 2: (".fsl", b"two")}, "stored": {}}
    assert after_cut_problems(originals, snap) == [
        "session 1 acknowledged on the device before it was stored"
    ]
    snap = {"on_device": {}, "stored": {1: [(b"one", 0)], 2: [(b"two", 0), (b"two", 0)]}}
    assert after_rerun_problems(originals, snap, "") == ["session 2 stored 2 time(s), bytes equal: True"]


def test_the_bridge_pulls_the_cable_after_n_bytes(tmp_path):
    """The USB injection itself: 40 bytes cross, then the host is killed; plugged back in, it works."""
    cut = threading.Event()
    with SerialBridge(tmp_path) as bridge:
        command = [mpy.tool("mpremote"), "connect", bridge.port, "exec", "print(6 * 7)"]
        bridge.cut_after(40, cut.set)
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert cut.wait(timeout=30)
        proc.kill()
        proc.wait()
        assert bridge.passed == 40
        bridge.cut_after(None)
        again = subprocess.run(command, capture_output=True, timeout=30)
    assert again.stdout.strip() == b"42"
