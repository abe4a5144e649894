"""`fascia flash` as a user runs it: dry run, image checks, and a real install over mpremote into
the simulated device (MicroPython's unix port, so the firmware is compiled for x64 there)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from esptool.bin_image import ELFSection, ESP32FirmwareImage

from fascia import VERSION
from fascia.spec import config as cfg
from host_tools.errors import UserError
from host_tools.flash import check_image, flash
from host_tools.gen import clubbell
from host_tools.sim.run import simulate
from host_tools.sim.serial_bridge import SerialBridge


def fascia(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "host_tools.cli", *args], capture_output=True, text=True)


def _image(path: Path) -> Path:
    """A small but valid ESP32 app image, made with esptool's own classes."""
    img = ESP32FirmwareImage()
    img.segments = [
        ELFSection(b".dram0.data", 0x3FFB0000, bytes(range(64)), 0),
        ELFSection(b".iram0.text", 0x40080000, bytes(128), 0),
    ]
    img.entrypoint = 0x40080004
    img.save(str(path))
    return path


def test_dry_run_prints_every_step_and_touches_nothing(tmp_path):
    image = _image(tmp_path / "micropython.bin")
    proc = fascia(
        "flash",
        "--dry-run",
        "--port",
        "/dev/does-not-exist",
        "--board",
        "devkit",
        "--firmware-image",
        str(image),
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for step in (
        "check image",
        "erase flash",
        "write image",
        "compile firmware",
        "copy firmware",
        "copy board profile",
        "soft reset",
        "check version",
        "dry run",
    ):
        assert step in out, step
    assert "write-flash 0x1000" in out


def test_damaged_image_is_refused(tmp_path):
    image = _image(tmp_path / "ok.bin")
    assert "2 segments" in check_image(image, "esp32")
    data = bytearray(image.read_bytes())
    data[40] ^= 0xFF
    bad = tmp_path / "bad.bin"
    bad.write_bytes(bytes(data))
    with pytest.raises(UserError, match="checksum"):
        check_image(bad, "esp32")
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"hello")
    proc = fascia("flash", "--dry-run", "--firmware-image", str(junk))
    assert proc.returncode == 2 and "not an ESP firmware image" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_flash_to_the_simulated_device_then_record_a_session(tmp_path):
    device = tmp_path / "flash"
    log: list[str] = []
    with SerialBridge(device) as dev:
        flash(dev.port, "devkit", march="x64", log=log.append)
    assert any(f"fascia {VERSION}" in line and "answers" in line for line in log)
    assert (device / "lib" / "fascia" / "app" / "main.mpy").exists()
    assert "boards.devkit" in (device / "board.py").read_text()
    assert json.loads((device / "config.json").read_text()) == cfg.defaults()

    # the flashed firmware records a session; a second flash keeps config and logs
    trace = clubbell.generate("heavy", 5, 100.0, tmp_path / "heavy")[0]
    result = simulate(trace, "swing", board="devkit", flash_dir=device, config={"weight_kg": 82})
    assert result.summary["status"] == "complete" and result.summary["count"] > 0
    logs = sorted((device / "log").glob("*.fs?"))
    before = {p.name: p.read_bytes() for p in logs}
    (device / "config.json").write_text(json.dumps({"weight_kg": 82}))
    with SerialBridge(device) as dev:
        flash(dev.port, "devkit", march="x64", log=log.append)
    assert "keep the device's config.json" in log
    assert json.loads((device / "config.json").read_text()) == {"weight_kg": 82}
    assert {p.name: p.read_bytes() for p in sorted((device / "log").glob("*.fs?"))} == before


def test_compile_tree_mirrors_the_sources(tmp_path):
    """A module deleted from the sources leaves the compiled tree too (else a board or the simulator
    would still import it); tracebacks name modules."""
    from host_tools import build

    src, out = tmp_path / "src", tmp_path / "out"
    (src / "pkg").mkdir(parents=True)
    (src / "pkg" / "kept.py").write_text("def f():\n    raise ValueError\n")
    (src / "pkg" / "gone.py").write_text("X = 1\n")
    build.compile_tree(src, out, "x64")
    assert sorted(p.name for p in (out / "pkg").iterdir()) == ["gone.mpy", "kept.mpy"]
    (src / "pkg" / "gone.py").unlink()
    written = build.compile_tree(src, out, "x64")
    assert written == [out / "pkg" / "kept.mpy"]
    assert sorted(p.name for p in (out / "pkg").iterdir()) == ["kept.mpy"]
    assert b"pkg.kept" in written[0].read_bytes()


def test_ports_told_apart(tmp_path):
    import errno
    import fcntl
    import os
    import pty

    from host_tools.flash import check_port, port_problem

    with pytest.raises(UserError, match="no such port"):
        check_port(str(tmp_path / "ttyUSB9"))
    main, sub = pty.openpty()
    try:
        name = os.ttyname(sub)
        check_port(name)  # a serial port nobody holds: fine
        held = os.open(name, os.O_RDWR | os.O_NOCTTY)
        fcntl.flock(held, fcntl.LOCK_EX)  # as an open serial monitor (pyserial) holds it
        try:
            with pytest.raises(UserError, match="in use by another program"):
                check_port(name)
        finally:
            os.close(held)
    finally:
        os.close(main)
        os.close(sub)
    # (root opens any device node: the sentence for a user without the dialout group, from its errno)
    denied = port_problem("/dev/ttyUSB0", PermissionError(errno.EACCES, "Permission denied"))
    assert "dialout group" in denied and "usermod -aG dialout" in denied
    proc = fascia("flash", "-p", str(tmp_path / "ttyACM7"))
    assert proc.returncode == 2 and "no such port" in proc.stderr and proc.stderr.count("\n") == 1


def test_a_new_board_gets_micropython_first_or_a_recipe(tmp_path, monkeypatch):
    from host_tools import flash as fl

    proc = fascia("flash", "--dry-run", "-p", "/dev/ttyUSB0", "--board", "devkit", "--micropython")
    assert proc.returncode == 0, proc.stderr
    steps = [line.split(":")[0] for line in proc.stdout.splitlines()]
    assert steps[:4] == ["download MicroPython", "check image", "erase flash", "write image"]
    assert "--board ESP32_GENERIC --version stable" in proc.stdout and "write-flash 0x1000" in proc.stdout
    assert proc.stdout.splitlines()[-1].startswith("next: fascia flash -p /dev/ttyUSB0 --board devkit")
    # offline (or no mpflash): the recipe, then one error line
    monkeypatch.setattr(fl, "download_micropython", lambda board, log, dry_run=False: None)
    log: list[str] = []
    with pytest.raises(UserError, match="could not download MicroPython"):
        fl.flash("/dev/ttyUSB0", "m5stickc", micropython=True, log=log.append)
    assert "ESP32_GENERIC-SPIRAM" in log[-1] and "--firmware-image THAT.bin" in log[-1]

    # a board without MicroPython: what to do, not mpremote's error
    def no_answer(self, what, *args):
        raise UserError(f"{what} failed: could not enter raw repl")

    monkeypatch.setattr(fl.Flasher, "_mpremote", no_answer)
    with pytest.raises(UserError, match="a new board needs it first .*--micropython"):
        fl.flash("/dev/ttyUSB0", "devkit", log=log.append)
