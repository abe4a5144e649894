"""Duty-cycle benchmark (`make bench-duty`): how often the device's main loop wakes, idle and training.

`fascia.app.main.run` steps the app, then sleeps until the time `App.step` returns (its next
deadline: the buttons' 20 ms poll, the next FIFO chunk, a frame, the Bluetooth service's next
update) instead of stepping every 2 ms. This runs the unchanged firmware on the simulated board the
same way (sim_run's `step_ms` 0), 10 s idle then a generated 20 s jump-rope session, and prints:
- wakes per second idle and training, against 500 for a loop that spins on sleep_ms(2);
- the share of wall time the unix port spent inside `step` (x64, the simulated chips included:
  an upper bound of what an ESP32 spends awake, not its figure);
- the count, which must equal the 2 ms loop's (the same samples reach the counter).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from host_tools.gen import jumprope
from host_tools.sim.run import simulate

IDLE_MS = 10_000
SECONDS = 20


def measure(step_ms: int, trace: Path) -> dict:
    rows: list[dict] = []
    duration = SECONDS * 1000
    extra = {"trace_start_ms": IDLE_MS, "end_ms": IDLE_MS + duration + 3_000, "step_ms": step_ms}
    result = simulate(trace, "jump_rope", board="devkit", extra=extra, on_status=rows.append)
    idle = [r for r in rows if r["t"] <= IDLE_MS and not r.get("final")]
    final = rows[-1]
    idle_wakes = idle[-1]["wakes"] / (idle[-1]["t"] / 1000)
    training_ms = final["t"] - idle[-1]["t"]
    training_wakes = (final["wakes"] - idle[-1]["wakes"]) / (training_ms / 1000)
    return {
        "count": result.summary["count"],
        "idle_wakes_per_s": idle_wakes,
        "training_wakes_per_s": training_wakes,
        "busy_share": final["busy_us"] / 1000 / final["t"],
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        trace, _truth = jumprope.generate("basic", 3, 400, Path(tmp) / "rope", duration_s=SECONDS)
        spin = measure(2, trace)
        sleep = measure(0, trace)
    print("main loop duty cycle, devkit, 10 s idle then a 20 s jump-rope session (unix port, x64):")
    print(f"  {'':28}{'spin (sleep_ms(2))':>20}{'sleep to deadline':>20}")
    for key, label in (
        ("idle_wakes_per_s", "wakes per second, idle"),
        ("training_wakes_per_s", "wakes per second, training"),
    ):
        print(f"  {label:28}{spin[key]:>20.0f}{sleep[key]:>20.0f}")
    print(f"  {'time awake (x64 bound)':28}{spin['busy_share']:>19.1%}{sleep['busy_share']:>19.1%}")
    print(f"  {'count':28}{spin['count']:>20}{sleep['count']:>20}")


if __name__ == "__main__":
    main()
