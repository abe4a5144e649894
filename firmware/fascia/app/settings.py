"""What is changed from outside the device: its settings (config.json, through the schema of
fascia.spec.config) and its real-time clock, each in one place. The clock is set here for USB sync
(fascia.app.sync) and for Bluetooth's Current Time write (fascia.app.host), with one rule for what
is believable. Loaded for a change and dropped again (fascia.app.host), as changes are rare.
"""

import time

from fascia import unload
from fascia.app.logstore import _UNIX_OFFSET  # (the port's epoch: 1970, or 2000 on the ESP32)

_EARLIEST = 1577836800  # 2020-01-01: an earlier time is a host's mistake
_LATEST = 4102444799  # 2099-12-31 23:59:59


def from_fields(y: int, mo: int, d: int, h: int, mi: int, s: int) -> int:
    """Unix seconds of a UTC date and time, or -1 if there is no such time (30 February)."""
    if not (2000 <= y <= 2099 and 1 <= mo <= 12 and 1 <= d <= 31):
        return -1
    if not (0 <= h < 24 and 0 <= mi < 60 and 0 <= s < 60):
        return -1
    yy = y - 1 if mo <= 2 else y  # days since 1970 (the civil-calendar count from March)
    doy = (153 * (mo - 3 if mo > 2 else mo + 9) + 2) // 5 + d - 1
    days = yy * 365 + yy // 4 - yy // 100 + yy // 400 + doy - 719468
    epoch = days * 86400 + h * 3600 + mi * 60 + s
    t = time.gmtime(epoch - _UNIX_OFFSET)
    return epoch if t[1] == mo and t[2] == d else -1


def set_utc(epoch: int, rtc=None) -> bool:
    """Set the clock to `epoch` (Unix seconds, UTC) through `rtc` (machine.RTC's `datetime`; None:
    machine.RTC()); False, and nothing changed, for a time outside 2020-2099 or a port with no RTC
    (the unix port's clock already is the host's)."""
    if not _EARLIEST <= epoch <= _LATEST:
        return False
    if rtc is None:
        try:
            from machine import RTC
        except ImportError:
            return False
        rtc = RTC()
    t = time.gmtime(epoch - _UNIX_OFFSET)
    rtc.datetime((t[0], t[1], t[2], t[6], t[3], t[4], t[5], 0))
    return True


def configure(config: dict, board, changes: dict) -> None:
    """Apply `changes` to `config` and save it in the board's config.json, all or none: ValueError
    if the config schema refuses one, OSError if the file cannot be written."""
    from fascia.spec import config as cfg  # (only for a change: not kept in RAM)

    merged = dict(config)
    merged.update(changes)
    try:
        new, problems = cfg.validate(merged)
        if problems:
            raise ValueError(problems[0])
        config.update(new)
        cfg.save(board.path(cfg.CONFIG_FILE), config)
    finally:
        unload("fascia.spec.config")


def forget(config: dict, board) -> None:
    """Settings and daily totals back to their defaults (a factory reset)."""
    import os

    from fascia.spec import config as cfg

    for name in (cfg.CONFIG_FILE, "days.json"):
        try:
            os.remove(board.path(name))
        except OSError:
            pass
    config.update(cfg.defaults())
    unload("fascia.spec.config")
