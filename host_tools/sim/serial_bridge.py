"""A serial port for the simulated device: a pty that speaks MicroPython's raw REPL to `mpremote`.

The unix port has a raw REPL, but Ctrl-D in raw REPL (a soft reset on a board) ends its process.
This bridge sits between the pty that mpremote opens and a `micropython` process running on a
second pty: it forwards bytes both ways, and when the process ends it starts a new one, prints
the "soft reboot" banner and puts it back in raw REPL, which is what mpremote expects of a board.
The process runs with the simulated flash directory as its cwd, so `mpremote fs ...` sees the
device's files, and with the firmware's /lib on MICROPYPATH.

`cut_after(n, on_cut)` pulls the cable after the next n bytes (either way): the fault suite kills
the host side there (`on_cut`) and plugs it back in with `cut_after(None)`.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import threading
import time
import tty
from collections.abc import Callable
from pathlib import Path

from host_tools import mpy

_RAW_BANNER = b"raw REPL; CTRL-B to exit\r\n>"
_FRIENDLY_PROMPT = b">>> "


class SerialBridge:
    """`SerialBridge(flash_dir).start()` -> `.port` is the device path to give to mpremote."""

    def __init__(self, flash_dir: Path | str, extra_path: list[str] | None = None):
        self.flash_dir = Path(flash_dir)
        self.extra_path = extra_path or []
        self.port = ""
        self.boots = 0
        self._outer_master = -1
        self._outer_slave = -1
        self._proc: subprocess.Popen | None = None
        self._inner_master = -1
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.passed = 0  # bytes forwarded (both ways) since start
        self.to_device = 0  # of which host -> device
        self.round_trips = 0  # times the device answered after the host had written: each waits for the line
        self._host_spoke = False
        self._budget: int | None = None  # bytes left before the cable is pulled; None: plugged in
        self._on_cut: Callable[[], None] | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> SerialBridge:
        self.flash_dir.mkdir(parents=True, exist_ok=True)
        self._outer_master, self._outer_slave = pty.openpty()
        tty.setraw(self._outer_slave)  # no echo, no OPOST: bytes pass unchanged
        self.port = os.ttyname(self._outer_slave)
        self._spawn()
        self._thread = threading.Thread(target=self._pump, name="serial-bridge", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
        self._kill()
        for fd in (self._outer_master, self._outer_slave):
            if fd >= 0:
                os.close(fd)
        self._outer_master = self._outer_slave = -1

    def __enter__(self) -> SerialBridge:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- the micropython process -----------------------------------------------------------------
    def _spawn(self) -> None:
        master, slave = pty.openpty()
        tty.setraw(slave)
        lib = self.flash_dir / "lib"
        env = dict(
            os.environ, MICROPYPATH=":".join([".frozen", str(lib), *self.extra_path, str(mpy.FIRMWARE)])
        )
        self._proc = subprocess.Popen(
            [mpy.micropython_binary()],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=self.flash_dir,
            env=env,
            close_fds=True,
            start_new_session=True,
        )
        os.close(slave)
        self._inner_master = master
        self.boots += 1

    def _kill(self) -> None:
        if self._proc and self._proc.poll() is None:
            self._proc.kill()
        if self._proc:
            self._proc.wait()
        if self._inner_master >= 0:
            os.close(self._inner_master)
            self._inner_master = -1

    def _reboot_into_raw_repl(self) -> None:
        """The process ended (soft reset): start again and come back in raw REPL, like a board."""
        self._kill()
        self._spawn()
        seen = self._read_until(_FRIENDLY_PROMPT, timeout=10)
        if not seen.endswith(_FRIENDLY_PROMPT):
            return
        os.write(self._outer_master, b"MPY: soft reboot\r\n")
        os.write(self._inner_master, b"\x01")

    def _read_until(self, ending: bytes, timeout: float) -> bytes:
        data = b""
        deadline = time.monotonic() + timeout
        while not data.endswith(ending) and time.monotonic() < deadline:
            r, _, _ = select.select([self._inner_master], [], [], 0.05)
            if r:
                try:
                    data += os.read(self._inner_master, 1024)
                except OSError:
                    break
        return data

    # -- forwarding --------------------------------------------------------------------------------
    def cut_after(self, n: int | None, on_cut: Callable[[], None] | None = None) -> None:
        """Let `n` more bytes through, then drop everything and call `on_cut` (once, from the
        forwarding thread); `n` None plugs the cable back in."""
        self._on_cut = on_cut
        self._budget = n

    def _through(self, data: bytes, to_device: bool) -> bytes:
        """What of `data` crosses the cable."""
        kept = data if self._budget is None else data[: self._budget]
        self.passed += len(kept)
        if to_device:
            self.to_device += len(kept)
            self._host_spoke = self._host_spoke or bool(kept)
        elif kept and self._host_spoke:
            self.round_trips += 1
            self._host_spoke = False
        if self._budget is None:
            return data
        self._budget -= len(kept)
        if self._budget == 0 and self._on_cut is not None:
            on_cut, self._on_cut = self._on_cut, None
            on_cut()
        return kept

    def _pump(self) -> None:
        while not self._stop.is_set():
            fds = [self._outer_master, self._inner_master]
            r, _, _ = select.select(fds, [], [], 0.05)
            if self._outer_master in r:
                data = self._through(os.read(self._outer_master, 4096), to_device=True)
                if data:
                    os.write(self._inner_master, data)
            if self._inner_master in r:
                try:
                    data = os.read(self._inner_master, 4096)
                except OSError:  # EIO: the process has gone (Ctrl-D in raw REPL)
                    data = b""
                if data:
                    data = self._through(data, to_device=False)
                    if data:
                        os.write(self._outer_master, data)
                else:
                    self._reboot_into_raw_repl()
            elif self._proc and self._proc.poll() is not None:
                self._reboot_into_raw_repl()
