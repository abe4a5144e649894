"""`config.json` on the device: the user's settings, with defaults, limits and validation.

One table (`FIELDS`) is the whole schema, used by the firmware when it boots and by the host
when it writes a config. Bad values never stop the device: `validate` keeps the default for
each bad field and returns a readable complaint for it.

    {"weight_kg": 70, "daily_jump_goal": 100, "activity": "jump_rope", "mode": "free",
     "countdown_s": 60, "countdown_count": 100, "interval_work_s": 30, "interval_rest_s": 30,
     "interval_rounds": 5, "device_name": "fascia", "brisk_spm": 120,
     "brisk_swing_mg": 500, "bthome": 0, "csc": 0,
     "ble_open_live": 1}
"""

import json
import os

from micropython import const

from fascia.detect import ACTIVITIES
from fascia.spec.log import MODES

# name: (default, minimum, maximum) for ints; (default, choices) for strings
FIELDS = {
    "weight_kg": (70, 25, 250),
    "daily_jump_goal": (100, 10, 100000),
    "countdown_s": (60, 10, 7200),
    "countdown_count": (100, 10, 100000),
    "interval_work_s": (30, 5, 3600),
    "interval_rest_s": (30, 5, 3600),
    "interval_rounds": (5, 1, 99),
    "activity": ("jump_rope", ACTIVITIES),
    "mode": ("free", MODES),
    "device_name": ("fascia", None),  # 1..20 printable ASCII characters
    # walking: a minute is brisk at this cadence (steps/min) with this arm swing (mg RMS): the defaults
    # are fascia.detect.step.BRISK_SPM and BRISK_SWING_MG (not imported: a device loads one counter)
    "brisk_spm": (120, 60, 200),
    "brisk_swing_mg": (500, 0, 4000),
    "bthome": (0, 0, 1),  # 1: advertise the count and battery for Home Assistant (fascia.spec.bthome)
    "csc": (0, 0, 1),  # 1: serve Cycling Speed and Cadence, counts as crank turns (fascia.spec.csc)
    "ble_open_live": (1, 0, 1),  # 1: live count and battery readable without a bond; 0: bonded only
}

CONFIG_FILE = "config.json"
CONFIG_MAX_BYTES = const(4096)  # a longer file is damaged (the canonical text is ~300 bytes): defaults


def defaults() -> dict:
    return {name: spec[0] for name, spec in FIELDS.items()}


def _check(name: str, value):
    """None if `value` is fine for field `name`, else the complaint."""
    spec = FIELDS[name]
    if len(spec) == 3:
        if type(value) is not int:  # bool is not an int here
            return "%s must be a whole number" % name
        if not spec[1] <= value <= spec[2]:
            return "%s must be between %d and %d" % (name, spec[1], spec[2])
        return None
    if not isinstance(value, str):
        return "%s must be text" % name
    if spec[1] is None:
        if not 1 <= len(value) <= 20 or not all(" " <= c <= "~" for c in value):
            return "%s must be 1 to 20 plain characters" % name
        return None
    if value not in spec[1]:
        return "%s must be one of %s" % (name, ", ".join(spec[1]))
    return None


def validate(data) -> tuple:
    """(config, problems): every known field checked; bad or missing fields keep their default."""
    config = defaults()
    problems = []
    if not isinstance(data, dict):
        return config, ["config must be a JSON object"]
    for name in sorted(data):  # sorted: the same complaints in the same order on every runtime
        value = data[name]
        if name not in FIELDS:
            problems.append("unknown setting %r ignored" % name)
            continue
        why = _check(name, value)
        if why:
            problems.append(why)
        else:
            config[name] = value
    return config, problems


def parse(text: str) -> tuple:
    """config.json text -> (config, problems); never raises on bad text."""
    try:
        data = json.loads(text)
    except (ValueError, RuntimeError, MemoryError):  # (nesting too deep for the parser's stack: boot anyway)
        return defaults(), ["config.json is not valid JSON: defaults used"]
    return validate(data)


def load(path: str = CONFIG_FILE) -> tuple:
    """Read the config file; a missing file means defaults (no complaint). Anything else wrong with
    it (too long, not UTF-8, not JSON, bad values) means defaults for what is wrong and a complaint:
    a damaged file must never stop the device from booting. (One sentence for the unreadable cases:
    every literal the device loads is interned for good.)"""
    try:
        if os.stat(path)[6] <= CONFIG_MAX_BYTES:  # (asked first: a read of the limit is a block that big)
            with open(path, "rb") as f:
                return parse(f.read().decode())
    except OSError:
        return defaults(), []
    except (UnicodeError, MemoryError):
        pass
    return defaults(), ["config.json is unreadable: defaults used"]


def save(path: str, config: dict) -> None:
    """Write `config` to `path` atomically: a temporary file, then a rename over the old one, so a
    power cut leaves either the old settings or the new ones, never half a file."""
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(dumps(config))
    os.rename(tmp, path)


def dumps(config: dict) -> str:
    """Canonical text of a config (sorted keys), as the host writes it."""
    return json.dumps({name: config[name] for name in sorted(config)})
