"""What every `fascia` command module shares: the parser that makes a usage mistake one line, the
runner that turns a `UserError` into one line and exit 2, and argument helpers.

A command module has `register(subparsers)`, which adds its subcommands with `set_defaults(func=...)`;
`host_tools.cli` lists the modules. Other code that runs a command (the demo) calls `run` with the few
modules it needs, so no module imports the CLI that imports it.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from host_tools.errors import UserError


class OneLineParser(argparse.ArgumentParser):
    """A usage mistake is one line (and exit 2), naming the command and where to read more."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def build_parser(modules: Iterable[str], **parser_args) -> argparse.ArgumentParser:
    """The `fascia` parser with the subcommands of `modules` (module names, each with `register`)."""
    parser = OneLineParser(prog="fascia", **parser_args)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in modules:
        importlib.import_module(name).register(sub)
    return parser


def run(parser: argparse.ArgumentParser, argv: Sequence[str]) -> int:
    """Parse `argv` and run its command: 0, or 2 (one line on stderr) for a user mistake."""
    if not argv:
        parser.print_help()
        return 0
    args = parser.parse_args(list(argv))
    if args.command is None:
        parser.print_help()
        return 0
    try:
        args.func(args)
    except UserError as e:
        print(f"fascia: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        _said_interrupted()
        return 130
    except BrokenPipeError:  # `fascia ... | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return 0


LEAVE_S = 10.0  # after a Ctrl-C, the longest the clean-up may take before the process just ends
_interrupted = threading.Event()  # Ctrl-C pressed
_said = threading.Event()  # "fascia: interrupted" printed


def _said_interrupted() -> None:
    if not _said.is_set():
        _said.set()
        print("fascia: interrupted", file=sys.stderr, flush=True)


def leave_on_ctrl_c():
    """Called inside a command's event loop: Ctrl-C still does what the loop's handler does (asyncio
    cancels the command, and the command cleans up), and also starts a watchdog, so a clean-up that
    hangs (a library that swallows the cancellation, a wait on a peer that is gone) cannot keep the
    program from ending, with one line and status 130, within LEAVE_S. The store never depends on a
    clean-up for safety (SQLite rolls an unfinished transaction back). Returns the handler it
    wrapped, for `signal.signal` to put back (None: none set: not the main thread, or Ctrl-C ignored)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    previous = signal.getsignal(signal.SIGINT)
    if not callable(previous):  # SIGINT ignored by whoever started us (a background job): leave it so
        return None

    def on_sigint(signum, frame):
        if not _interrupted.is_set():
            _interrupted.set()
            threading.Thread(target=_end_after_grace, name="fascia-leave", daemon=True).start()
        previous(signum, frame)

    signal.signal(signal.SIGINT, on_sigint)
    return previous


def _end_after_grace() -> None:
    time.sleep(LEAVE_S)
    _said_interrupted()
    sys.stderr.flush()
    os._exit(130)


def writable_dir(path: str | None, what: str) -> Path | None:
    """`path` made (if need be) as a folder, or one line saying why it cannot be."""
    if path is None:
        return None
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".fascia-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as e:
        raise UserError(f"{folder}: cannot write the {what} there ({e.strerror})") from None
    return folder
