"""Cost benchmark (`make bench-cost`): each detector's x86 instructions per sample under MicroPython.

Counted with `valgrind --tool=callgrind`, which is deterministic: the same script runs twice with
N1 and N2 samples and the difference divided by N2 - N1 cancels start-up. A bare loop that only
reads the same samples is measured the same way, so the ratio says how much the detector adds.
Also prints the bytes the per-sample path allocates (gc disabled, 10,000 samples after warm-up).
Figures go to out/bench/cost.json. Target: <= 10,000 instructions per sample, 0 bytes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from fascia.detect import ACTIVITIES
from host_tools import mpy
from host_tools.bench.accuracy import OUT

N1, N2 = 2_000, 12_000

FEED = Path(__file__).with_name("mpy_feed.py")


# the counters measured, each on a realistic input (generator, scenario); an activity without a
# generator of its own (yoga, dance: the move counter) is left out and said so
INPUTS = {
    "jump_rope": ("jump_rope", "basic"),
    "swing": ("clubbell", "light"),
    "walk": ("walk", "brisk"),
}


def sample_file(activity: str, tmp: Path) -> Path:
    """A realistic input for `activity`: a generated trace (what the repo ships), as plain int lines."""
    from host_tools import demo

    source, scenario = INPUTS[activity]
    return demo.generate(source, scenario, tmp / f"{activity}_input", seed=7, rate_hz=400)


def instructions(args: list[str], tmp: Path) -> int:
    """Total instructions callgrind counts for one micropython run."""
    out = tmp / "callgrind.out"
    cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", mpy.micropython_binary(), *args]
    env = dict(os.environ, MICROPYPATH=mpy.micropypath(), PYTHONHASHSEED="0")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-800:])
    for line in out.read_text().splitlines():
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    raise RuntimeError("no totals in callgrind output")


def per_sample(what: str, inputs: Path, tmp: Path) -> float:
    i1 = instructions([str(FEED), what, str(inputs), "cost", str(N1)], tmp)
    i2 = instructions([str(FEED), what, str(inputs), "cost", str(N2)], tmp)
    return (i2 - i1) / (N2 - N1)


def allocated(what: str, inputs: Path) -> int:
    """Bytes the per-sample path allocates over 10,000 samples (gc disabled, after warm-up)."""
    return int(mpy.check(mpy.run([str(FEED), what, str(inputs), "alloc"])).strip().splitlines()[-1])


def main() -> int:
    if not shutil.which("valgrind"):
        print("valgrind not found: install it (apt-get install valgrind) to measure instructions")
        return 0
    figures = {}
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        header = f"{'detector':<10} {'instr/sample':>13} {'bare':>10} {'ratio':>6} {'net':>8} {'alloc B':>8}"
        print(header)
        for activity in ACTIVITIES:
            if activity not in INPUTS:
                print(f"{activity:<10} (no generated input to measure it on)")
                continue
            inputs = sample_file(activity, tmp)
            det = per_sample(activity, inputs, tmp)
            bare = per_sample("bare", inputs, tmp)
            alloc = allocated(activity, inputs)
            figures[activity] = {
                "instructions_per_sample": round(det),
                "bare_loop_per_sample": round(bare),
                "ratio_to_bare": round(det / bare, 2),
                "net_per_sample": round(det - bare),
                "bytes_allocated_10k_samples": alloc,
            }
            f = figures[activity]
            print(
                f"{activity:<10} {f['instructions_per_sample']:>13,} {f['bare_loop_per_sample']:>10,} "
                f"{f['ratio_to_bare']:>6} {f['net_per_sample']:>8,} {alloc:>8}"
            )
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "cost.json").write_text(json.dumps(figures, indent=1) + "\n")
    print(f"written: {OUT / 'cost.json'} (target: <= 10,000 instructions per sample, 0 bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
