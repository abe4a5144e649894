"""fascia: smart jump rope & clubbell firmware.

This package is the firmware. The device runs it from /lib; the host tools import the very same
modules (formats in `fascia.spec`, counters in `fascia.detect`), so device and laptop never drift.
On CPython the `micropython` module does not exist: `_cpython` registers a small stand-in so that
`from micropython import const` and `@micropython.native` work unchanged there.
"""

import sys

VERSION = "0.1.0"

if sys.implementation.name != "micropython":
    from fascia import _cpython  # noqa: F401  (registers the `micropython` stand-in)
