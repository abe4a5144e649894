"""Every dual-runtime driver with fixed inputs prints the same lines on CPython and on the real
MicroPython binary (drivers that replay generated or recorded traces compare in their own tests)."""

import pytest

from conftest import run_driver

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
