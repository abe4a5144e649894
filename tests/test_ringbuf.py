"""fascia.ringbuf on both runtimes: same numbers from CPython and the real MicroPython."""

import math

from conftest import run_driver


def test_ring_and_isqrt(dual):
    ring, roots, err = dual("ringbuf_driver")
    # window of 4: after pushing 5, -3, 12, 7, 1000, -2000
    assert ring[3] == [0, 21, 5, 7, 5]
    assert ring[4] == [5, 1016, 254, 1000, -3]
    assert ring[5] == [-3, -981, -246, -2000, 12]
    ns = (0, 1, 2, 3, 4, 15, 16, 17, 999999, 1000000, 3 * 16000 * 16000)
    assert roots == [math.isqrt(n) for n in ns]
    assert err == "size must be >= 1"


def test_runtimes_agree():
    assert run_driver("cpython", "ringbuf_driver") == run_driver("micropython", "ringbuf_driver")
