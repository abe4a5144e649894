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

# In the order `fascia --help` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "host_tools.count",  # count
    "host_tools.demo",  # gen, demo
    "host_tools.sim.cli",  # sim
    "host_tools.flash",
    "host_tools.history",
    "host_tools.programme_cli",
    "host_tools.ble.cli",
    "host_tools.web",
)


def build_parser() -> argparse.ArgumentParser:
    parser = commands.build_parser(
        COMMAND_MODULES, description="fascia: smart jump rope & clubbell - count, simulate, sync and train."
    )
    parser.add_argument("--version", action="version", version=f"fascia {VERSION}")
    return parser


def main(argv: list[str] | None = None) -> int:
    return commands.run(build_parser(), sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
