"""CPython stand-in for MicroPython's `micropython` module (host side only).

MicroPython folds `const()` at compile time and compiles `@micropython.native` and `viper`
functions to machine code; on CPython they are plain pass-throughs, and viper's `ptr32` and `ptr8`
casts (a pointer to an array's 32-bit words, a buffer's bytes) are the object itself, so the same
source runs on either runtime. Importing this module under MicroPython does nothing.
"""

import sys

if sys.implementation.name != "micropython" and "micropython" not in sys.modules:
    import builtins
    import types

    def _identity(value):
        return value

    _module = types.ModuleType("micropython")
    _module.const = _identity  # type: ignore[attr-defined]
    _module.native = _identity  # type: ignore[attr-defined]
    _module.viper = _identity  # type: ignore[attr-defined]
    sys.modules["micropython"] = _module
    builtins.ptr8 = _identity  # type: ignore[attr-defined]
    builtins.ptr32 = _identity  # type: ignore[attr-defined]
