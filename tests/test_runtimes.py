"""Every dual-runtime driver prints the same lines on CPython and on the real MicroPython binary:
the drivers with fixed inputs, and each counter's replay on generated and (where the counter has
them) real recordings. What each counter counts is checked in its own test file."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import recordings, run_driver
from host_tools.gen import idle, jumprope

# (driver, its arguments, whether it needs the simulated chips)
DRIVERS = [
    ("drv_mpu", ("mpu6886",), True),
    ("drv_display", (), True),
    ("drv_inputs", (), True),
    ("filters_driver", (), False),
    ("log_records", (), False),
    ("ringbuf_driver", (), False),
    ("session_driver", (), False),
]


@pytest.mark.parametrize("name,args,sim", DRIVERS, ids=[d[0] for d in DRIVERS])
def test_runtimes_agree(name, args, sim):
    assert run_driver("cpython", name, *args, sim=sim) == run_driver("micropython", name, *args, sim=sim)


def _rope(tmp_path: Path) -> list[str]:
    """Generated jump-rope sets at 100, 1000 and 53 Hz (the last a population's double bounce)."""
    made = [
        jumprope.generate(scenario, 308, rate, tmp_path / f"{scenario}_{rate}", duration_s=20.0)[0]
        for scenario, rate in (("mixed", 100), ("trips", 1000))
    ]
    made.append(
        jumprope.generate(
            "double_bounce", 308, 53, tmp_path / "double_bounce", duration_s=20.0, population=True
        )[0]
    )
    return [str(path) for path in made]


def _handling(tmp_path: Path) -> list[str]:
    """Handling the device (yoga/dance counter), and a synthetic still-then-moving trace."""
    csv, _ = idle.generate("handling", 10002, 50.0, tmp_path / "handling", duration_s=30)
    return [str(csv), "synthetic:25:5:10:300"]


def _recorded(*ids: str):
    """Real recordings by id (../shared/data), in that order."""

    def paths(_tmp: Path) -> list[str]:
        found = {row["id"]: str(row["csv"]) for row in recordings()}
        return [found[i] for i in ids]

    return paths


# counter: (its replay driver, the inputs it replays, whether they are real recordings)
COUNTERS = {
    "jump_rope": ("jump_replay", _rope, False),
    "move": ("move_driver", _handling, False),
    "swing": ("swing_replay", _recorded("ktbl_1_swing", "kettlebox_swing_both_0"), True),
    "walk": (
        "step_replay",
        _recorded(
            "oxford_samsung_jamie_hard_inhand_1",  # 100 Hz
            "oxford_nexus_jamie_hard_inhand_1",  # 200 Hz
            "oxford_pixel_jamie_hard_backpocket_1",  # 400 Hz
        ),
        True,
    ),
}


@pytest.mark.parametrize("counter", sorted(COUNTERS))
def test_counters_agree_across_runtimes(counter, tmp_path, request):
    driver, inputs, real = COUNTERS[counter]
    if real:
        request.getfixturevalue("shared_data")  # (fails when the recordings are missing)
    args = inputs(tmp_path)
    cpython = run_driver("cpython", driver, *args)
    assert cpython == run_driver("micropython", driver, *args)
    assert any(result["count"] > 0 for result in cpython), "inputs a counter counts nothing in prove little"
