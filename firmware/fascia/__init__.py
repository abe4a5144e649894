"""fascia: smart jump rope & clubbell firmware.

This package is the firmware. The device runs it from /lib; the host tools import the very same
modules (formats in `fascia.spec`, counters in `fascia.detect`), so device and laptop never drift.
On CPython the `micropython` module does not exist: `_cpython` registers a small stand-in so that
`from micropython import const` and `@micropython.native` work unchanged there.

    fascia.detect   the counters: one per activity, pure integer Python, no hardware
    fascia.drivers  hardware drivers, one file per chip; each takes its bus and pins from the board
    fascia.spec     the formats device and host share: session log, BLE profile, config.json
    fascia.app      the device application: main loop, modes, screens, log store, BLE service

app/, drivers/ and spec/ have no __init__.py (MicroPython and CPython import such directories
as packages): on the device each one would be a module more in the heap, for a docstring.
"""

import sys

VERSION = "0.1.0"

if sys.implementation.name != "micropython":
    from fascia import _cpython  # noqa: F401  (registers the `micropython` stand-in)


def unload(name: str) -> None:
    """Forget module `name` so that the GC can free its code: for code a device needs only once
    (at boot) or only for a while (one activity's counter). A later import loads it again."""
    sys.modules.pop(name, None)
    parent, _, leaf = name.rpartition(".")
    if parent in sys.modules and hasattr(sys.modules[parent], leaf):
        delattr(sys.modules[parent], leaf)
