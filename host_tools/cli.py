"""The `fascia` command: thin argument parsing over the host_tools modules.

User mistakes (missing file, bad CSV, unknown activity) print one line to stderr and exit 2;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from fascia import VERSION
from fascia.detect import ACTIVITIES
from fascia.spec.config import MODES
from host_tools.count import ACTIVITY_CHOICES
from host_tools.errors import UserError

# Modules that add their own subcommands: each has `register(subparsers)` and raises UserError.
COMMAND_MODULES: tuple[str, ...] = (
    "host_tools.flash",
    "host_tools.history",
    "host_tools.programme_cli",
    "host_tools.ble.cli",
    "host_tools.web",
)


def _cmd_count(args: argparse.Namespace) -> None:
    from host_tools.count import CountError, count_file, describe

    try:
        result = count_file(args.file, args.activity, args.runtime)
    except CountError as e:
        raise UserError(str(e)) from None
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{args.file}: {describe(result)}")


def _cmd_gen(args: argparse.Namespace) -> None:
    from host_tools import demo

    try:
        csv_path = demo.generate(
            args.source, args.scenario, args.out, seed=args.seed, rate_hz=args.rate, placement=args.placement
        )
    except ValueError as e:
        raise UserError(str(e)) from None
    print(csv_path)


def sim_activity(trace: Path, given: str | None) -> str:
    """The activity to simulate: -a, else the one the trace's sidecar (TRACE.json) names; a trace
    without either is refused (counting a clubbell trace as jump rope helps nobody)."""
    from host_tools.count import CountError, detector_for

    if given:
        return detector_for(given)
    sidecar = trace.with_suffix(".json")
    try:
        named = json.loads(sidecar.read_text()).get("activity")
        return detector_for(str(named))
    except (OSError, ValueError, AttributeError, CountError):
        pass
    choices = ", ".join(ACTIVITIES)
    raise UserError(f"{trace}: which activity? give -a ({choices}); no sidecar {sidecar.name} names one")


def check_trace(trace: Path) -> None:
    """The trace must be a canonical CSV before a device is simulated on it: one line, not the
    simulated device's traceback."""
    from fascia.detect.replay import ReplayError, read_trace

    try:
        with trace.open() as f:
            for _ in read_trace(f):
                pass
    except ReplayError as e:
        raise UserError(f"{trace}:{e.line_no}: {e.reason}") from None
    except UnicodeDecodeError:
        raise UserError(f"{trace}: not a text file") from None
    except OSError as e:
        raise UserError(f"{trace}: {e.strerror}") from None


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


def _cmd_sim(args: argparse.Namespace) -> None:
    from host_tools.sim import live
    from host_tools.sim.run import SimError, simulated_flash

    trace = Path(args.trace)
    check_trace(trace)
    activity = sim_activity(trace, args.activity)
    buttons = None
    if args.buttons:
        try:
            buttons = Path(args.buttons).read_text()
        except OSError as e:
            raise UserError(f"{args.buttons}: {e.strerror}") from None
    frames = writable_dir(args.frames, "frames")
    flash = writable_dir(str(simulated_flash(args.flash)), "simulated flash")
    try:
        live.run_and_show(
            trace,
            activity,
            board=args.board,
            mode=args.mode,
            speed=1.0 if args.realtime else args.speed,
            buttons=buttons,
            frames_dir=frames,
            all_frames=bool(args.frames),
            flash_dir=flash,
            as_json=args.json,
        )
    except SimError as e:
        raise UserError(str(e)) from None


def _cmd_demo(args: argparse.Namespace) -> None:
    from host_tools import demo

    demo.run(writable_dir(args.out, "demo's files") or Path(args.out))


class OneLineParser(argparse.ArgumentParser):
    """A usage mistake is one line (and exit 2), naming the command and where to read more."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="fascia",
        description="fascia: smart jump rope & clubbell - count, simulate, sync and train.",
    )
    parser.add_argument("--version", action="version", version=f"fascia {VERSION}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("count", help="count jumps, swings or steps in a trace CSV (t_ms,x,y,z in milli-g)")
    p.add_argument("file", help="canonical trace CSV")
    p.add_argument(
        "--activity",
        "-a",
        required=True,
        choices=ACTIVITY_CHOICES,
        help="what to count: jump_rope, swing or walk; recordings' names are understood too "
        "(run, mixed, ... count steps; snatch, clean, jerk count reps)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object (count, events_ms, extras)")
    p.add_argument(
        "--runtime",
        choices=("cpython", "micropython"),
        default="cpython",
        help="run the firmware detector on CPython (default) or inside the real MicroPython binary",
    )
    p.set_defaults(func=_cmd_count)

    p = sub.add_parser("gen", help="generate a synthetic trace with ground truth (CSV + JSON sidecar)")
    p.add_argument("source", choices=("jump_rope", "clubbell", "idle", "walk"), help="which generator")
    p.add_argument("scenario", help="the generator's scenario (an unknown one lists the choices)")
    p.add_argument("out", help="output file stem (writes STEM.csv and STEM.json)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--rate", type=float, default=400.0, help="sample rate in Hz")
    p.add_argument(
        "--placement",
        choices=("handle", "wrist", "pocket", "waist", "hand"),
        help="where the sensor is. jump_rope: handle (default), wrist = a watch, pocket = phone in a "
        "trouser pocket, waist = clipped to the belt (same skipper and truth for the same seed); "
        "walk: wrist (default) or hand",
    )
    p.set_defaults(func=_cmd_gen)

    p = sub.add_parser("sim", help="run the unchanged firmware on a simulated board, fed by a trace")
    p.add_argument("trace", help="canonical trace CSV the simulated accelerometer plays")
    p.add_argument(
        "--activity",
        "-a",
        choices=ACTIVITY_CHOICES,
        help="what to count, as for `count` (default: the trace's sidecar TRACE.json)",
    )
    p.add_argument("--board", default="m5stickc", choices=("m5stickc", "devkit"))
    p.add_argument("--mode", default="free", choices=MODES)
    pace = p.add_mutually_exclusive_group()
    pace.add_argument("--speed", type=float, default=0, help="N x real time (default: as fast as possible)")
    pace.add_argument("--realtime", action="store_true", help="run at the speed of the real device")
    p.add_argument(
        "--buttons", help="button script: lines '<t_ms> <a|b> <press|long>' (default: start with the trace)"
    )
    p.add_argument(
        "--frames", help="save display frames as PNG here (default: only the final frame, in out/sim)"
    )
    p.add_argument(
        "--flash",
        help="the device's flash folder (default: the simulated device's, kept between runs; "
        "`fascia sync --simulated` syncs it)",
    )
    p.add_argument(
        "--json", action="store_true", help="print the session read back from the device's log as JSON"
    )
    p.set_defaults(func=_cmd_sim)

    p = sub.add_parser("demo", help="a generated jump-rope session through the simulated device")
    p.add_argument("--out", default="out/demo", help="where to write the trace and results")
    p.set_defaults(func=_cmd_demo)

    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        parser.print_help()
        return 0
    args = parser.parse_args(argv)
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


if __name__ == "__main__":
    sys.exit(main())
