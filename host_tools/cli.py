"""The `fascia` command: argument parsing only; every command lives in its own module.

Each module in COMMAND_MODULES has `register(subparsers)` and raises `UserError` for user mistakes
(missing file, bad CSV, unknown activity), which print one line to stderr and exit 2; anything else
is a bug and keeps its traceback (host_tools.commands).
"""

from __future__ import annotations

import argparse
import sys

from fascia import VERSION
from host_tools import commands

# Each command and the module that registers it, in the order `fascia --help` lists them. A run
# imports only its command's module (`fascia count` starts in ~0.1 s, not the ~0.4 s that importing
# every command's libraries took: rich, asyncio, bleak, http.server); help and mistakes get them all.
# tests/test_cli.py checks this table against what each module registers.
COMMANDS: dict[str, str] = {
    "count": "host_tools.count",
    "gen": "host_tools.demo",
    "demo": "host_tools.demo",
    "sim": "host_tools.sim.cli",
    "flash": "host_tools.flash",
    "sync": "host_tools.history",
    "sessions": "host_tools.history",
    "show": "host_tools.history",
    "stats": "host_tools.history",
    "log": "host_tools.programme_cli",
    "plan": "host_tools.programme_cli",
    "export": "host_tools.programme_cli",
    "plot": "host_tools.programme_cli",
    "devices": "host_tools.ble.cli",
    "live": "host_tools.ble.cli",
    "web": "host_tools.web",
}
COMMAND_MODULES: tuple[str, ...] = tuple(dict.fromkeys(COMMANDS.values()))


def build_parser(modules: tuple[str, ...] | None = None) -> argparse.ArgumentParser:
    """The `fascia` parser with the commands of `modules` (default: every command)."""
    parser = commands.build_parser(
        COMMAND_MODULES if modules is None else modules,
        description="fascia: smart jump rope & clubbell - count, simulate, sync and train.",
    )
    parser.add_argument("--version", action="version", version=f"fascia {VERSION}")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    command = next((a for a in args if not a.startswith("-")), None)
    module = COMMANDS.get(command or "")
    only = (module,) if module in COMMAND_MODULES else None  # (tests may register fewer modules)
    return commands.run(build_parser(only), args)


if __name__ == "__main__":
    sys.exit(main())
