"""`fascia sim`: the unchanged firmware on a simulated board, fed by a trace."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from fascia.detect import ACTIVITIES
from fascia.spec.config import MODES
from host_tools.commands import writable_dir
from host_tools.count import ACTIVITY_CHOICES
from host_tools.errors import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("sim", help="run the unchanged firmware on a simulated board, fed by a trace")
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
