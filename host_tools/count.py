"""`fascia count`: replay a canonical trace through the firmware's detector, on CPython or MicroPython.

Both runtimes run the same `fascia.detect.replay.replay`, so `--runtime micropython` shows what
the device itself would count. Bad input becomes a `CountError` naming the file and line.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from fascia.detect import ACTIVITIES
from fascia.detect.replay import ReplayError, replay
from host_tools import mpy
from host_tools.errors import UserError

RUNTIMES = ("cpython", "micropython")

# The activity names of recordings (../shared/data/FORMAT.md) that one of the three counters counts:
# steps in any walking or daily-life recording, reps in any kettlebell-style lift.
ALIASES = {
    "run": "walk",
    "mixed": "walk",
    "transport": "walk",
    "static": "walk",
    "other": "walk",
    "snatch": "swing",
    "clean": "swing",
    "jerk": "swing",
    # what people call the exercises (the programme's words)
    "walking": "walk",
    "power_walking": "walk",
    "clubbell": "swing",
    "kettlebell": "swing",
    "skipping": "jump_rope",
}
ACTIVITY_CHOICES = ACTIVITIES + tuple(sorted(ALIASES))


def detector_for(activity: str) -> str:
    """The counter (one of ACTIVITIES) for an activity name (one of ACTIVITY_CHOICES)."""
    if activity in ACTIVITIES:
        return activity
    if activity in ALIASES:
        return ALIASES[activity]
    raise CountError(f"unknown activity {activity!r} (choose from {', '.join(ACTIVITY_CHOICES)})")


# Runs inside micropython: prints the result, or the replay error, as one JSON object.
_MPY_REPLAY = """
import sys, json
from fascia.detect.replay import replay, ReplayError
try:
    print(json.dumps(replay(sys.argv[1], sys.argv[2])))
except ReplayError as e:
    print(json.dumps({"error": e.reason, "line": e.line_no}))
"""


class CountError(Exception):
    """A user-facing problem with the input: one line, no traceback."""


def count_file(path: Path | str, activity: str, runtime: str = "cpython") -> dict:
    """Count `activity` (a counter's name or an alias of one) in the trace at `path`."""
    path = Path(path)
    activity = detector_for(activity)
    if path.is_dir():
        raise CountError(f"{path}: is a directory, not a trace file")
    if not path.is_file():
        raise CountError(f"{path}: no such file")
    if runtime == "cpython":
        try:
            return host_view(replay(str(path), activity))
        except ReplayError as e:
            raise CountError(f"{path}:{e.line_no}: {e.reason}") from None
        except UnicodeDecodeError:
            raise CountError(f"{path}: not a text file") from None
    if runtime == "micropython":
        proc = mpy.run(["-c", _MPY_REPLAY, str(path.resolve()), activity], timeout=1800)
        if proc.returncode != 0:
            last = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            raise CountError(f"{path}: micropython failed: {last[0]}")
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        if "error" in result:
            raise CountError(f"{path}:{result['line']}: {result['error']}")
        return host_view(result)
    raise CountError(f"unknown runtime {runtime!r} (choose from {', '.join(RUNTIMES)})")


def host_view(result: dict) -> dict:
    """The device's integer extras as a person reads them: swing tempo by name, reps per move
    (a `count` result, or a session as the device's log gives it back)."""
    if result.get("activity") == "swing":
        from fascia.detect.swing import MOVE_EXTRAS
        from fascia.spec.activities import TEMPO_NAMES

        result["tempo"] = TEMPO_NAMES[result.get("tempo", 0)]
        result["moves"] = {move: result.pop(name, 0) for move, name in MOVE_EXTRAS}
    return result


def describe(result: dict) -> str:
    """One human line for a count result: '412 jumps (trips 3, double-unders 1, ...)', '12 reps
    (light-fast, rep 1.1 s, cast 12)'."""
    from host_tools.vocabulary import count_unit, figures_text

    activity = result["activity"]
    numbers = {k: v for k, v in result.items() if isinstance(v, int) and k != "count"}
    words = [result["tempo"]] if isinstance(result.get("tempo"), str) else []  # (host_view's name)
    words += [figures_text(activity, numbers)] if numbers else []
    words += [f"{move} {n}" for move, n in result.get("moves", {}).items() if n]
    details = ", ".join(w for w in words if w)
    return f"{result['count']} {count_unit(activity)}" + (f" ({details})" if details else "")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "count", help="count jumps, swings or steps in a trace CSV (t_ms,x,y,z in milli-g)"
    )
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
        choices=RUNTIMES,
        default="cpython",
        help="run the firmware detector on CPython (default) or inside the real MicroPython binary",
    )
    p.set_defaults(func=_cmd_count)


def _cmd_count(args: argparse.Namespace) -> None:
    try:
        result = count_file(args.file, args.activity, args.runtime)
    except CountError as e:
        raise UserError(str(e)) from None
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{args.file}: {describe(result)}")
