"""The terminal side of `fascia sim`: a live count while the simulated device runs, then its summary."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console
from rich.live import Live
from rich.table import Table

from host_tools.count import host_view
from host_tools.sim import frames as fr
from host_tools.sim.run import SimResult, simulate

STATES = {-1: "ready", 0: "ready", 1: "running", 2: "paused", 3: "done"}


def _status_line(status: dict) -> str:
    t = status["t"] / 1000
    return (
        f"[bold]{status['activity']}[/bold]  device time {int(t // 60)}:{t % 60:04.1f}  "
        f"{STATES.get(status['state'], '?'):<7}  count [bold cyan]{status['count']}[/bold cyan]"
    )


def run_and_show(
    trace: Path,
    activity: str,
    *,
    as_json: bool = False,
    frames_dir: Path | None = None,
    all_frames: bool = False,
    console: Console | None = None,
    **kw,
) -> SimResult:
    console = console or Console()
    out_dir = frames_dir or Path("out/sim")
    if as_json:
        result = simulate(trace, activity, frames_dir=out_dir, all_frames=False, **kw)
        print(json.dumps(host_view(dict(result.summary))))
        return result
    with Live(console=console, refresh_per_second=10, transient=True) as live:
        result = simulate(
            trace,
            activity,
            frames_dir=out_dir,
            all_frames=all_frames,
            on_status=lambda s: live.update(_status_line(s)),
            **kw,
        )
    if result.final_rows:
        console.print(fr.to_terminal(result.final_rows), style="cyan", highlight=False)
    show_summary(result, console)
    return result


def show_summary(result: SimResult, console: Console) -> None:
    s = host_view(dict(result.summary))
    table = Table(title="session read back from the device's log", show_header=False)
    for key, value in s.items():
        if key not in ("log_file", "errors"):
            table.add_row(key, str(value))
    console.print(table)
    for err in s.get("errors", []):
        console.print(f"[yellow]log: {err}[/yellow]")
    if result.final_png:
        console.print(f"final display frame: {result.final_png}")
    if result.frames:
        console.print(f"{len(result.frames)} frames in {result.frames[0].parent}")
