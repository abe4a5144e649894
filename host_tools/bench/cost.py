"""Cost benchmark (`make bench-cost`): each detector's x86 instructions per sample under MicroPython.

Counted with `valgrind --tool=callgrind`, which is deterministic. Each detector is fed a whole
generated session (long enough for a walk's 10 s confirmation and a whole jump-rope set), as the
device feeds it: in blocks of 32 samples through `fascia.detect.feed_block`. The samples are
loaded as binary int32 words first; a run that only loads them is subtracted, so the figure is
the feeding's own cost over the whole trace. A bare loop that copies the same blocks and feeds
nothing is measured the same way (net = detector - bare). Each detector's figure is taken RUNS
times and the spread (max - min over the mean) printed: the bench must be stable to 0.5 %. Also prints the
bytes the per-sample path allocates (gc disabled, the whole trace after a 2,000-sample warm-up).
Figures go to out/bench/cost.json. Target: <= 2,000 instructions per sample, 0 bytes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from array import array
from pathlib import Path

from fascia.detect import ACTIVITIES
from fascia.detect.replay import read_trace
from host_tools import mpy
from host_tools.bench.accuracy import OUT

RATE_HZ = 400
RUNS = 3  # each figure this many times: the spread shows the bench is stable
STABLE = 0.005  # the largest spread allowed (0.5 %)

FEED = Path(__file__).with_name("mpy_feed.py")


def _jump_rope(stem: Path) -> Path:
    from host_tools.gen import jumprope

    return jumprope.generate("basic", 7, RATE_HZ, stem, duration_s=60.0)[0]


def _swing(stem: Path) -> Path:
    from host_tools.gen import clubbell

    return clubbell.generate("light", 7, RATE_HZ, stem)[0]


def _walk(stem: Path) -> Path:
    from host_tools.gen import walk

    return walk.generate("brisk", 7, RATE_HZ, stem, duration_s=40.0)[0]


# the counters measured, each on a whole realistic session; an activity without a generator of its
# own (yoga, dance: the move counter) is left out and said so
INPUTS = {"jump_rope": _jump_rope, "swing": _swing, "walk": _walk}


def write_samples(trace: Path, out: Path) -> int:
    """The trace as mpy_feed reads it (int32 words: the count, then t, x, y, z each); returns the count."""
    words = array("i")
    with trace.open() as f:
        for sample in read_trace(f):
            words.extend(sample)
    head = array("i", [len(words) // 4])
    if sys.byteorder != "little":
        head.byteswap()
        words.byteswap()
    out.write_bytes(head.tobytes() + words.tobytes())
    return head[0]


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


def per_sample(what: str, samples: Path, n: int, tmp: Path, runs: int = RUNS) -> list[float]:
    """`runs` measurements of the instructions per sample of feeding the whole trace (less loading)."""
    loaded = instructions([str(FEED), what, str(samples), "load"], tmp)
    return [(instructions([str(FEED), what, str(samples), "cost"], tmp) - loaded) / n for _ in range(runs)]


def spread(figures: list[float]) -> float:
    """(max - min) / mean."""
    return (max(figures) - min(figures)) / (sum(figures) / len(figures))


def allocated(what: str, samples: Path) -> tuple[int, int]:
    """Bytes the per-sample path allocates over the trace after warm-up (gc disabled), and the samples."""
    out = mpy.check(mpy.run([str(FEED), what, str(samples), "alloc"])).strip().splitlines()[-1]
    nbytes, n = out.split()
    return int(nbytes), int(n)


def main() -> int:
    if not shutil.which("valgrind"):
        print("valgrind not found: install it (apt-get install valgrind) to measure instructions")
        return 0
    figures = {}
    worst = 0.0
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        print(f"whole generated sessions at {RATE_HZ} Hz, fed in blocks of 32 (fascia.detect.feed_block)")
        header = (
            f"{'detector':<10} {'samples':>8} {'instr/sample':>13} {'spread':>7} {'bare':>7}"
            f" {'net':>7} {'alloc B':>8}"
        )
        print(header)
        for activity in ACTIVITIES:
            if activity not in INPUTS:
                print(f"{activity:<10} (no generated input to measure it on)")
                continue
            samples = tmp / f"{activity}.bin"
            n = write_samples(INPUTS[activity](tmp / f"{activity}_input"), samples)
            det_runs = per_sample(activity, samples, n, tmp)
            bare = per_sample("bare", samples, n, tmp, runs=1)
            alloc, alloc_n = allocated(activity, samples)
            det = sum(det_runs) / len(det_runs)
            bare_mean = sum(bare) / len(bare)
            worst = max(worst, spread(det_runs))
            figures[activity] = {
                "samples": n,
                "instructions_per_sample": round(det),
                "runs": [round(f, 1) for f in det_runs],
                "spread": round(spread(det_runs), 5),
                "bare_loop_per_sample": round(bare_mean),
                "net_per_sample": round(det - bare_mean),
                "bytes_allocated": alloc,
                "samples_allocation_measured_on": alloc_n,
            }
            f = figures[activity]
            print(
                f"{activity:<10} {n:>8,} {f['instructions_per_sample']:>13,} {spread(det_runs):>7.3%}"
                f" {f['bare_loop_per_sample']:>7,} {f['net_per_sample']:>7,} {alloc:>8}"
            )
            print(f"{'':<10} runs: {', '.join(f'{r:,.1f}' for r in det_runs)}")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "cost.json").write_text(json.dumps(figures, indent=1) + "\n")
    verdict = "stable" if worst <= STABLE else "NOT stable"
    print(f"largest spread over {RUNS} runs: {worst:.3%} ({verdict}: the goal is <= 0.5 %)")
    print(f"written: {OUT / 'cost.json'} (target: <= 2,000 instructions per sample, 0 bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
