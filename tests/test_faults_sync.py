"""Interrupted sync, quick profile (`make faults` runs 100+ cuts each: host_tools/bench/faults.py).

`fascia sync` over USB (real mpremote over the SerialBridge) killed at a seeded byte on the serial
line or a seeded time, and a Bluetooth sync whose link drops after a seeded ATT operation; the
rerun must store every session exactly once, and nothing may leave the device uncommitted.
"""

from __future__ import annotations

import os
import subprocess
import threading

from host_tools import mpy
from host_tools.bench import faults
from host_tools.sim.serial_bridge import SerialBridge

PROFILE = faults.PROFILES[os.environ.get("FASCIA_FAULTS", "quick")]
SEED = 20261128


def _ok(fam: faults.Family) -> None:
    assert fam.cases == PROFILE["sync_cuts"]
    assert fam.failures == [], "\n".join(fam.failures[:5])
    assert fam.lost == 0


def test_usb_sync_killed_at_seeded_points_then_rerun(tmp_path):
    _ok(faults.interrupted_sync_usb(tmp_path, PROFILE["sync_cuts"], SEED))


def test_ble_link_dropped_at_seeded_points_then_rerun(tmp_path):
    fam = faults.interrupted_sync_ble(tmp_path, PROFILE["sync_cuts"], SEED)
    _ok(fam)
    assert fam.figures["full_sync_att_ops"] > fam.figures["sessions"] * 3  # info, copy and ack were counted
    # the commit/acknowledge window is cut, not only the copying before anything is stored
    assert fam.figures["cuts_in_commit_ack_window"] >= 0.3 * fam.cases
    assert any(not where.startswith("stored 0,") for where in fam.figures["after_cut"]), fam.figures


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
