"""`make demo` / `fascia demo`, and `fascia gen`: the product's main job on data the repo makes itself.

Users who clone the repo have no recordings, so the demo generates a short jump-rope trace with
the physics-based generator (fixed seed), then counts it with the firmware's detector on both
runtimes and compares with the generator's ground truth.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

from rich.console import Console

from host_tools.count import count_file, describe

GENERATORS = {
    "jump_rope": "host_tools.gen.jumprope",
    "clubbell": "host_tools.gen.clubbell",
    "idle": "host_tools.gen.idle",
}


def generate(
    source: str, scenario: str, out_stem: str | Path, *, seed: int = 1, rate_hz: float = 400.0
) -> Path:
    """Write OUT_STEM.csv/.json with generator `source`; returns the CSV path."""
    if source not in GENERATORS:
        raise ValueError(f"unknown generator {source!r} (choose from {', '.join(GENERATORS)})")
    module = importlib.import_module(GENERATORS[source])
    module.generate(scenario, seed, rate_hz, Path(out_stem))
    return Path(out_stem).with_suffix(".csv")


def run(out_dir: Path, console: Console | None = None) -> dict:
    from host_tools.gen import jumprope

    console = console or Console()
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / "demo_jump_rope"
    jumprope.demo_trace(stem)
    truth = json.loads(stem.with_suffix(".json").read_text())
    console.print(f"[bold]fascia demo[/bold]: generated jump-rope trace {stem.with_suffix('.csv')}")
    console.print(f"  ground truth: {truth['count']} jumps ({truth.get('notes', '')[:80]})")
    results = {}
    for runtime in ("cpython", "micropython"):
        result = count_file(stem.with_suffix(".csv"), "jump_rope", runtime)
        results[runtime] = result
        console.print(f"  counted on {runtime:<11}: {describe(result)}")
    same = results["cpython"] == results["micropython"]
    console.print(f"  CPython and MicroPython agree: {'yes' if same else 'NO'}")
    return results
