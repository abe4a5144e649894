"""Resampler and magnitude: shared detector building blocks, identical on both runtimes."""


def test_resampler_decimates_holds_and_flags_gaps(dual):
    slots, mags = dual("filters_driver")
    # 1 kHz: slot [0,10) closes at t=10 with the mean of x=0..9
    assert slots[0] == [10, 1, 4, -5, 1000, False]
    assert slots[1] == [20, 1, 14, -15, 1000, False]
    # 12.5 Hz: the 80 ms step completes several 10 ms slots, holding the last mean
    assert slots[3][1] == 8
    # the 2 s gap is reported once, not bridged
    gap = [s for s in slots if s[5]]
    assert len(gap) == 1 and gap[0][0] == 2400 and gap[0][1] == 1
    assert all(abs(m - ref) <= ref * 0.065 for m, ref in zip(mags, (1000, 1000, 999, 27713), strict=True))
