"""fascia.ringbuf on both runtimes: same numbers from CPython and the real MicroPython."""


def test_ring(dual):
    ring, filled, err = dual("ringbuf_driver")
    # window of 4: after pushing 5, -3, 12, 7, 1000, -2000
    assert ring[3] == [0, 7, 5]
    assert ring[4] == [5, 1000, -3]
    assert ring[5] == [-3, -2000, 12]
    assert filled == [9, 9]
    assert err == "size must be >= 1"
