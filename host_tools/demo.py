"""`make demo` / `fascia demo`, and `fascia gen`: the product's main job on data the repo makes itself.

Users who clone the repo have no recordings, so the demo generates a short jump-rope trace with
the physics-based generator (fixed seed), then counts it with the firmware's detector on both
runtimes and compares with the generator's ground truth.
"""

from __future__ import annotations

import argparse
import importlib
import json
from pathlib import Path

from rich.console import Console

from host_tools import commands
from host_tools.count import count_file
from host_tools.errors import UserError

GENERATORS = {
    "jump_rope": "host_tools.gen.jumprope",
    "clubbell": "host_tools.gen.clubbell",
    "idle": "host_tools.gen.idle",
    "walk": "host_tools.gen.walk",
}
PLACEMENTS = {"jump_rope": ("handle", "wrist", "pocket", "waist"), "walk": ("wrist", "hand")}
MAX_RATE_HZ = 4000  # generated traces: 4x the fastest accelerometer rate the boards use (1 kHz)
# The commands the demo runs after the session (sync, stats, plan, plot) and the modules that define them.
REVIEW_COMMANDS = ("host_tools.history", "host_tools.programme_cli")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("gen", help="generate a synthetic trace with ground truth (CSV + JSON sidecar)")
    p.add_argument("source", choices=tuple(GENERATORS), help="which generator")
    p.add_argument("scenario", help="the generator's scenario (an unknown one lists the choices)")
    p.add_argument("out", help="output file stem (writes STEM.csv and STEM.json)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--rate", type=_rate_hz, default=400.0, help=f"sample rate in Hz (1-{MAX_RATE_HZ})")
    p.add_argument(
        "--placement",
        choices=("handle", "wrist", "pocket", "waist", "hand"),
        help="where the sensor is. jump_rope: handle (default), wrist = a watch, pocket = phone in a "
        "trouser pocket, waist = clipped to the belt (same skipper and truth for the same seed); "
        "walk: wrist (default) or hand",
    )
    p.set_defaults(func=_cmd_gen)

    p = subparsers.add_parser("demo", help="a generated jump-rope session through the simulated device")
    p.add_argument("--out", default="out/demo", help="where to write the trace and results")
    p.set_defaults(func=_cmd_demo)


def _rate_hz(text: str) -> float:
    """argparse type for --rate: a number of Hz a trace can be made at (0 divides, 1e8 fills memory)."""
    try:
        rate = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a number") from None
    if not 1 <= rate <= MAX_RATE_HZ:  # (also refuses nan and inf)
        raise argparse.ArgumentTypeError(f"the rate must be between 1 and {MAX_RATE_HZ} Hz, got {text[:40]}")
    return rate


def _cmd_gen(args: argparse.Namespace) -> None:
    try:
        csv_path = generate(
            args.source, args.scenario, args.out, seed=args.seed, rate_hz=args.rate, placement=args.placement
        )
    except ValueError as e:
        raise UserError(str(e)) from None
    print(csv_path)


def _cmd_demo(args: argparse.Namespace) -> None:
    run(commands.writable_dir(args.out, "demo's files") or Path(args.out))


def generate(
    source: str,
    scenario: str,
    out_stem: str | Path,
    *,
    seed: int = 1,
    rate_hz: float = 400.0,
    placement: str | None = None,
) -> Path:
    """Write OUT_STEM.csv/.json with generator `source`; returns the CSV path.

    `placement`: jump_rope "handle" (default), "wrist", "pocket" or "waist"; walk "wrist" (default)
    or "hand".
    """
    if source not in GENERATORS:
        raise ValueError(f"unknown generator {source!r} (choose from {', '.join(GENERATORS)})")
    module = importlib.import_module(GENERATORS[source])
    if placement is None:
        module.generate(scenario, seed, rate_hz, Path(out_stem))
    elif placement in PLACEMENTS.get(source, ()):
        module.generate(scenario, seed, rate_hz, Path(out_stem), placement=placement)
    else:
        raise ValueError(f"--placement {placement} is not for the {source} generator")
    return Path(out_stem).with_suffix(".csv")


def run(out_dir: Path, console: Console | None = None) -> dict:
    """Generate the demo trace, play it through the simulated M5StickC, show what the device logged."""
    import shutil

    from host_tools.gen import jumprope
    from host_tools.sim import live

    console = console or Console()
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / "demo_jump_rope"
    jumprope.demo_trace(stem)
    trace = stem.with_suffix(".csv")
    truth = json.loads(stem.with_suffix(".json").read_text())
    console.print(f"[bold]fascia demo[/bold]: a generated 30 s jump-rope session ({trace})")
    console.print(f"  ground truth: {truth['count']} jumps, {truth.get('trips', 0)} trip(s)")
    console.print("  playing it through the unchanged firmware on a simulated M5StickC Plus2 ...")
    flash = out_dir / "flash"
    shutil.rmtree(flash, ignore_errors=True)  # a factory-fresh device each time
    result = live.run_and_show(
        trace, "jump_rope", board="m5stickc", frames_dir=out_dir / "frames", flash_dir=flash
    )
    offline = count_file(trace, "jump_rope")
    console.print(
        f"  device log: {result.summary['count']} jumps; `fascia count` on the trace: {offline['count']}; "
        f"truth: {truth['count']}"
    )
    plot = sync_and_review(flash, out_dir, console)
    return {
        "truth": truth,
        "device": result.summary,
        "offline": offline,
        "final_png": result.final_png,
        "plot": plot,
    }


def sync_and_review(flash: Path, out_dir: Path, console: Console) -> Path:
    """What the user does next on the laptop: sync over USB (the simulated device's serial port,
    real mpremote) into a fresh store, then stats, the programme plan and a plot of the session."""
    from host_tools.sim.serial_bridge import SerialBridge

    parser = commands.build_parser(REVIEW_COMMANDS)

    db = out_dir / "fascia.db"
    db.unlink(missing_ok=True)
    png = out_dir / "session.png"
    console.rule("sync over USB (mpremote) into a fresh SQLite store")
    with SerialBridge(flash) as device:
        commands.run(parser, ["sync", "--port", device.port, "--db", str(db)])
    console.rule("fascia stats")
    commands.run(parser, ["stats", "--db", str(db)])
    console.rule("fascia plan")
    commands.run(parser, ["plan", "--db", str(db)])
    commands.run(parser, ["plot", "1", "-o", str(png), "--db", str(db)])
    console.print(f"plot of the session: {png}")
    return png
