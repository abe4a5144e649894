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
import sys
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
        print("fascia: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `fascia ... | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return 0


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
