"""The yoga/dance counter (fascia.detect.move): active seconds from the accelerometer, on both runtimes."""

import pytest

from conftest import run_driver
from host_tools.gen import idle


def test_still_then_moving_counts_the_moving_seconds(dual):
    # 10 s still, 20 s of a 400 mg sway; at 50 Hz (the device's rate), 100 Hz and 12.5 Hz (80 ms)
    for rate, result in zip(
        (50, 100, 12),
        dual("move_driver", "synthetic:50:10:20:400", "synthetic:100:10:20:400", "synthetic:12:10:20:400"),
        strict=True,
    ):
        assert 19 <= result["count"] <= 21, (rate, result)
        assert all(e > 10000 for e in result["events_ms"]), "no second of the still part counts"
        assert 60 <= result["active_pct"] <= 70, (rate, result)


def test_a_held_pose_is_not_movement(dual):
    (result,) = dual("move_driver", "synthetic:50:30:0:0")
    assert result["count"] == 0 and result["active_pct"] == 0


@pytest.mark.parametrize("kind", ["still", "table"])
def test_generated_rest_is_not_movement(kind, tmp_path, dual):
    csv, _ = idle.generate(kind, 10001, 50.0, tmp_path / kind, duration_s=30)
    (result,) = dual("move_driver", str(csv))
    assert result["count"] <= 1, result


def test_handling_the_device_is_movement(tmp_path):
    """(Both runtimes agree on this trace: tests/test_runtimes.py.)"""
    csv, _ = idle.generate("handling", 10002, 50.0, tmp_path / "handling", duration_s=30)
    (result,) = run_driver("cpython", "move_driver", str(csv))
    assert result["count"] > 0, "handling the device moves it"
