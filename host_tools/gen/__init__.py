"""Physics-based generators of accelerometer traces with ground truth, in the canonical format.

There is no public jump-rope data with counts, so we synthesise it (and clubbell swings, and
zero-count "not training" traces) from simple mechanical models. Each generator builds a
continuous acceleration function plus a list of truth events; `sensor.sample` turns that into
what a real part delivers (rate, clock error, jitter, FIFO gaps, noise, quantisation, clipping)
and `write_trace` stores the pair of files described in ../shared/data/FORMAT.md.
"""
