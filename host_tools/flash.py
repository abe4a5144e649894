"""`fascia flash`: from a board in its box to a board running fascia.

The port is found as mpremote finds it (the first USB serial device) unless -p/--port names one;
a port that does not exist, that this user may not open (the dialout group) and one that another
program holds are three different sentences. Steps, each printed (and only printed with --dry-run,
which ends with the command to run next):
0. with --micropython, for a new board: MicroPython's image for the board, downloaded by mpflash
   (MicroPython's own download-and-flash tool, when installed; offline: a printed recipe), or the
   .bin given with --firmware-image;
1. check the image with esptool's Python API (a valid ESP32 app image, checksums right), then
   erase the flash and write it at the board's offset with esptool;
2. compile the firmware to .mpy for the ESP32 (xtensawin) with mpy-cross;
3. copy it with mpremote: /lib/fascia, /lib/boards, /main.py, /board.py naming the board profile,
   and a default /config.json ONLY if the device has none (logs and config are never touched);
4. soft-reset, check that the firmware answers with the version just copied, then reset the board
   so that the app runs (mpremote leaves it at the REPL).
"""

from __future__ import annotations

import argparse
import errno
import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from fascia import VERSION
from fascia.spec import config as cfg
from host_tools import build, mpy
from host_tools.errors import UserError
from host_tools.sync import RESET_CODE

BOARDS = {"m5stickc": "esp32", "devkit": "esp32"}  # board profile -> esptool chip
APP_OFFSET = 0x1000  # MicroPython's combined image on the (original) ESP32 starts at 0x1000


APP_IN_FILE = 0x10000 - APP_OFFSET  # where the application image sits inside a merged .bin
# MicroPython's build for each board (micropython.org/download/<id>): the M5StickC Plus2's ESP32-PICO-V3-02
# has 2 MB of PSRAM (the SPIRAM variant uses it); a DevKitC is the generic ESP32
MICROPYTHON_BOARDS = {"m5stickc": "ESP32_GENERIC-SPIRAM", "devkit": "ESP32_GENERIC"}
DOWNLOAD_PAGE = "https://micropython.org/download/ESP32_GENERIC/"


# ---------------------------------------------------------------- the serial port


def find_port() -> str | None:
    """The board's port as `mpremote connect auto` finds it: the first USB serial device."""
    try:
        from serial.tools import list_ports
    except ImportError:  # (pyserial comes with mpremote)
        return None
    for port in sorted(list_ports.comports()):
        if port.vid is not None and port.pid is not None:
            return port.device
    return None


def port_problem(port: str, error: OSError) -> str:
    """The sentence for a port that cannot be opened: missing, not ours, or held by another program."""
    if error.errno in (errno.ENOENT, errno.ENODEV, errno.ENXIO):
        return f"{port}: no such port (is the board plugged in, with a data cable? without -p it is found)"
    if error.errno in (errno.EACCES, errno.EPERM):
        return (
            f"{port}: permission denied: add yourself to the dialout group "
            "(sudo usermod -aG dialout $USER), then log out and in again"
        )
    if error.errno in (errno.EBUSY, errno.EAGAIN, errno.EWOULDBLOCK):
        return f"{port}: in use by another program (a serial monitor, mpremote, an IDE?): close it first"
    return f"{port}: cannot open the port ({error.strerror})"


def check_port(port: str) -> None:
    """Open the port as esptool and mpremote will (read/write, exclusive lock): UserError if not."""
    try:
        fd = os.open(port, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    except OSError as e:
        raise UserError(port_problem(port, e)) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # pyserial's exclusive open takes this lock
    except OSError as e:
        raise UserError(port_problem(port, e)) from None
    finally:
        os.close(fd)


# ---------------------------------------------------------------- MicroPython itself


def firmware_cache() -> Path:
    import platformdirs

    return platformdirs.user_cache_path("fascia") / "micropython"


def recipe(board: str, port: str) -> str:
    """What to do by hand when the image cannot be downloaded here (offline, or no mpflash)."""
    name = MICROPYTHON_BOARDS[board]
    return "\n".join(
        [
            f"To put MicroPython on the {board} by hand:",
            f"  1. on a computer with internet, download the latest {name} .bin from {DOWNLOAD_PAGE}",
            "     (or: pip install mpflash; mpflash download --board " + name + " --version stable)",
            f"  2. fascia flash -p {port} --board {board} --micropython --firmware-image THAT.bin",
        ]
    )


def download_micropython(board: str, log: Callable[[str], None], dry_run: bool = False) -> Path | None:
    """MicroPython's latest stable image for `board`, downloaded (or found in the cache) by mpflash;
    None where it cannot be had (no mpflash, offline): the caller prints the recipe."""
    name = MICROPYTHON_BOARDS[board]
    folder = firmware_cache()
    mpflash = shutil.which("mpflash", path=str(Path(sys.executable).parent)) or shutil.which("mpflash")
    cmd = [
        mpflash or "mpflash",
        "-q",
        "-x",
        "-d",
        str(folder),
        "download",
        "--board",
        name,
        "--version",
        "stable",
    ]
    log(f"download MicroPython: {' '.join(cmd)}")
    if dry_run:
        return folder / f"{name}.bin"
    if mpflash is None:
        log("mpflash is not installed (pip install mpflash)")
        return None
    subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    found = sorted(folder.rglob(f"{name}*.bin"), key=lambda p: p.stat().st_mtime)
    return found[-1] if found else None


def check_image(path: Path, chip: str) -> str:
    """Validate a firmware image with esptool's own loader (header, segments, checksum, hash);
    a merged MicroPython .bin is checked at the bootloader and, when present, at the app offset."""
    from esptool.bin_image import LoadFirmwareImage

    try:
        data = path.read_bytes()
    except OSError as e:
        raise UserError(f"{path}: {e.strerror}") from None
    if data[:1] != b"\xe9":
        raise UserError(f"{path}: not an ESP firmware image (no 0xE9 magic byte at the start)")
    parts = [("image", 0)]
    if len(data) > APP_IN_FILE and data[APP_IN_FILE] == 0xE9:
        parts = [("bootloader", 0), ("application", APP_IN_FILE)]
    found = []
    for name, offset in parts:
        try:
            image = LoadFirmwareImage(chip, data[offset:])
            image.verify()
        except Exception as e:  # esptool raises FatalError and friends for a damaged image
            raise UserError(f"{path}: not a valid {chip} {name}: {e}") from None
        # the checks `esptool image-info` prints (it exits 0 either way): checksum and SHA-256
        if image.checksum != image.calculate_checksum():
            raise UserError(f"{path}: {chip} {name} checksum does not match: damaged image")
        stored, calculated = getattr(image, "stored_digest", None), getattr(image, "calc_digest", None)
        if getattr(image, "append_digest", False) and stored != calculated:
            raise UserError(f"{path}: {chip} {name} SHA-256 does not match: damaged image")
        found.append(f"{name} of {len(image.segments)} segments")
    return f"{chip}: " + ", ".join(found)


class Flasher:
    """Runs (or, dry, only prints) the steps; `log` receives one line per step."""

    def __init__(
        self,
        port: str,
        board: str,
        *,
        dry_run: bool = False,
        march: str = build.ARCH_ESP32,
        log: Callable[[str], None] = print,
    ):
        if board not in BOARDS:
            raise UserError(f"unknown board {board!r} (choose from {', '.join(BOARDS)})")
        self.port = port
        self.board = board
        self.dry_run = dry_run
        self.march = march
        self.log = log

    def _run(self, what: str, cmd: list[str]) -> str:
        self.log(f"{what}: {' '.join(cmd)}")
        if self.dry_run:
            return ""
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            raise UserError(f"{what} failed: {tail[0]}")
        return proc.stdout

    def _mpremote(self, what: str, *args: str) -> str:
        return self._run(what, [mpy.tool("mpremote"), "connect", self.port, *args])

    def write_image(self, image: Path) -> None:
        chip = BOARDS[self.board]
        if self.dry_run and not image.exists():
            self.log(f"check image: {image}, once downloaded")
        else:
            self.log(f"check image: {check_image(image, chip)}")
        esptool = [sys.executable, "-m", "esptool", "--chip", chip, "--port", self.port]
        self._run("erase flash", [*esptool, "erase-flash"])
        self._run("write image", [*esptool, "write-flash", f"0x{APP_OFFSET:x}", str(image)])

    def install(self, build_dir: Path) -> None:
        lib = build_dir / "lib"
        self.log(f"compile firmware for {self.march} with mpy-cross into {lib}")
        if not self.dry_run:
            build.compile_tree(mpy.FIRMWARE / "fascia", lib / "fascia", self.march)
            build.compile_tree(mpy.FIRMWARE / "boards", lib / "boards", self.march)
            (build_dir / "main.py").write_bytes((mpy.FIRMWARE / "main.py").read_bytes())
            (build_dir / "board.py").write_text(
                f'"""Written by `fascia flash`: this device is a {self.board}."""\n\n'
                f"from boards.{self.board} import make  # noqa: F401\n"
            )
            (build_dir / cfg.CONFIG_FILE).write_text(cfg.dumps(cfg.defaults()))
        self._mpremote("make /lib", "exec", "import os\ntry:\n os.mkdir('lib')\nexcept OSError:\n pass")
        # into :lib/ (trailing slash): a second flash updates lib/fascia instead of nesting a copy
        self._mpremote("copy firmware", "fs", "cp", "-r", str(lib / "fascia"), str(lib / "boards"), ":lib/")
        self._mpremote("copy entry point", "fs", "cp", str(build_dir / "main.py"), ":main.py")
        self._mpremote("copy board profile", "fs", "cp", str(build_dir / "board.py"), ":board.py")
        has_config = self._mpremote(
            "look for a config", "exec", f"import os; print({cfg.CONFIG_FILE!r} in os.listdir())"
        )
        if self.dry_run or has_config.strip() == "False":
            self._mpremote(
                "copy default config", "fs", "cp", str(build_dir / cfg.CONFIG_FILE), f":{cfg.CONFIG_FILE}"
            )
        else:
            self.log("keep the device's config.json")

    def probe(self) -> None:
        """Is MicroPython on the board? A new board has none: say what to do, not mpremote's error."""
        try:
            self._mpremote("look for MicroPython", "exec", "import sys; print(sys.implementation.name)")
        except UserError:
            raise UserError(
                f"no MicroPython answers on {self.port}: a new board needs it first "
                f"(fascia flash -p {self.port} --board {self.board} --micropython)"
            ) from None

    def verify(self) -> None:
        self._mpremote("soft reset", "soft-reset")
        out = self._mpremote("check version", "exec", "import fascia; print(fascia.VERSION)")
        if not self.dry_run and out.strip() != VERSION:
            raise UserError(f"the device answers version {out.strip()!r}, expected {VERSION!r}")
        # mpremote leaves the board at its REPL: reset it, so the app runs as at power-on
        self._mpremote("start the app", "exec", "--no-follow", RESET_CODE)
        done = "(dry run: nothing was written)" if self.dry_run else "answers, and runs"
        self.log(f"fascia {VERSION} on the {self.board} at {self.port}: {done}")
        if self.dry_run:
            self.log(f"next: fascia flash -p {self.port} --board {self.board}   (the same, for real)")
        else:
            self.log("next: press A to start a session, then `fascia sync` (see hardware/README.md)")


def flash(
    port: str,
    board: str,
    *,
    image: Path | None = None,
    micropython: bool = False,
    dry_run: bool = False,
    march: str = build.ARCH_ESP32,
    log: Callable[[str], None] = print,
) -> None:
    f = Flasher(port, board, dry_run=dry_run, march=march, log=log)
    if micropython and image is None:
        image = download_micropython(board, log, dry_run)
        if image is None:
            log(recipe(board, port))
            raise UserError("could not download MicroPython here (offline?): follow the recipe above")
    if image is not None:
        f.write_image(image)
    else:
        f.probe()
    with tempfile.TemporaryDirectory(prefix="fascia-build-") as tmp:
        f.install(Path(tmp))
    f.verify()


def register(sub) -> None:
    p = sub.add_parser(
        "flash", help="install the firmware on a board (a new board: MicroPython itself first)"
    )
    p.add_argument("--port", "-p", help="the board's serial port (default: found as mpremote finds it)")
    p.add_argument("--board", default="m5stickc", choices=sorted(BOARDS))
    p.add_argument(
        "--micropython",
        action="store_true",
        help="a new board: put MicroPython on it first (downloaded with mpflash; erases the board)",
    )
    p.add_argument(
        "--firmware-image", type=Path, help="the MicroPython .bin to write first (erases the board)"
    )
    p.add_argument("--dry-run", action="store_true", help="print every step without touching a device")
    # the simulated device is MicroPython's unix port: `--march x64` flashes it (tests, demos)
    p.add_argument("--march", default=build.ARCH_ESP32, help=argparse.SUPPRESS)
    p.set_defaults(func=_cmd_flash)


def _cmd_flash(args: argparse.Namespace) -> None:
    port = args.port or find_port()
    if port is None:
        if not args.dry_run:
            raise UserError(
                "no board found on USB: plug it in (a data cable, not a charge-only one) or give -p PORT"
            )
        port = "PORT"
        print("(no board found on USB: the steps below name it PORT)")
    elif not args.dry_run:
        check_port(port)
    flash(
        port,
        args.board,
        image=args.firmware_image,
        micropython=args.micropython,
        dry_run=args.dry_run,
        march=args.march,
    )
