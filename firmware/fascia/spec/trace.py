"""The canonical accelerometer trace format (CSV), as read by `fascia count` and the simulator.

    t_ms,x,y,z
    0.0,49,488,832
    19.7,94,444,709

`t_ms`: milliseconds, integer or with one decimal, non-decreasing; readers rebase them to the first
sample (fascia.detect.replay.read_trace), so a trace stamped in epoch ms or by a device up for
weeks counts exactly as the same trace from 0. A trace spans at most MAX_SPAN_MS.
`x, y, z`: integer milli-g (at most MAX_MG either way), gravity included, sensor frame. One
sample per line, `\\n` line ends.
Times are rounded to whole ms (half up) with integer arithmetic, so CPython and MicroPython agree.
"""

from micropython import const

HEADER = "t_ms,x,y,z"
MAX_MG = const(1000000)  # 1000 g: a bigger reading is a broken file (detectors keep 32-bit sums)
MAX_SPAN_MS = const(0x3FFFFFFF)  # ~12 days: times since the first sample stay small ints (30 bits)


class TraceError(ValueError):
    """A line that is not a valid sample; the message says why (the caller adds file and line)."""


_SHOWN = 40  # characters of a bad cell an error message repeats (a cell may be a whole 200 MB line)


def _shown(cell: str) -> str:
    return repr(cell[:_SHOWN]) + ("... (%d characters)" % len(cell) if len(cell) > _SHOWN else "")


def _int(cell: str, name: str) -> int:
    try:
        value = int(cell)
    except ValueError:
        raise TraceError("%s is not an integer: %s" % (name, _shown(cell)))
    if not -MAX_MG <= value <= MAX_MG:
        raise TraceError(
            "%s is beyond +-%d mg (no accelerometer reads that): %s" % (name, MAX_MG, _shown(cell))
        )
    return value


def parse_time_ms(cell: str) -> int:
    """'19.7' -> 20, '19' -> 19: decimal ms text to whole ms, exactly (no float rounding)."""
    whole, dot, frac = cell.partition(".")
    if not whole or (dot and not frac) or not (whole.isdigit() and (not frac or frac.isdigit())):
        raise TraceError("t_ms is not a non-negative number: %s" % _shown(cell))
    try:
        ms = int(whole)
        if frac and int(frac[0]) >= 5:
            ms += 1
    except ValueError:  # isdigit() accepts digits int() does not, e.g. "²"
        raise TraceError("t_ms is not a non-negative number: %s" % _shown(cell))
    return ms


def parse_line(line: str):
    """One CSV line -> (t_ms, x, y, z) as ints, or TraceError."""
    cells = line.strip().split(",")
    if len(cells) != 4:
        raise TraceError("expected 4 comma-separated values, got %d" % len(cells))
    return (
        parse_time_ms(cells[0]),
        _int(cells[1], "x"),
        _int(cells[2], "y"),
        _int(cells[3], "z"),
    )


def check_header(line: str) -> None:
    if line.strip() != HEADER:
        raise TraceError("header must be %r, got %r" % (HEADER, line.strip()[:40]))


def format_line(t_ms, x: int, y: int, z: int) -> str:
    """Inverse of parse_line (t_ms may be int or float; floats keep one decimal)."""
    if isinstance(t_ms, float):
        return "%.1f,%d,%d,%d\n" % (t_ms, x, y, z)
    return "%d,%d,%d,%d\n" % (t_ms, x, y, z)
