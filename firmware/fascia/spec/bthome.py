"""BTHome v2 advertisement: the session count, battery and whether a session runs, as service data
that Home Assistant's BTHome integration (the `bthome-ble` library) shows with no set-up.

One AD structure (service data, 16-bit UUID 0xFCD2), carried in the scan response beside the
device name (the advertising data holds the fascia service UUID and has no room left; Home
Assistant scans actively by default, so it sees the scan response). All integers little-endian::

    offset  size  field
    0       1     AD length (13: the bytes that follow)
    1       1     AD type 0x16 (service data, 16-bit UUID)
    2       2     UUID 0xFCD2 (BTHome)
    4       1     device information 0x40: BTHome v2, not encrypted, sent at regular intervals
    5       1     object 0x01 battery, then u8 percent
    7       1     object 0x22 moving, then u8: 1 while a session runs (not paused), else 0
    9       1     object 0x3E count, then u32: the count of the current or last session

Objects are in ascending id order, as BTHome requires.
"""

import struct

from micropython import const

UUID16 = const(0xFCD2)
AD_SERVICE_DATA = const(0x16)
DEVICE_INFO = const(0x40)  # bit 6: version 2; bit 0 (encryption) and bit 2 (trigger based) clear
OBJ_BATTERY = const(0x01)
OBJ_MOVING = const(0x22)
OBJ_COUNT = const(0x3E)  # count, u32
AD_FMT = "<BBHBBBBBBI"
AD_BYTES = const(14)
MIN_INTERVAL_MS = const(2000)  # the advertisement changes at most this often


def pack_into(buf, offset: int, battery: int, running: int, count: int) -> None:
    """Write the AD structure (AD_BYTES) into `buf` at `offset` (no allocation); `running` 0 or 1."""
    struct.pack_into(
        AD_FMT,
        buf,
        offset,
        AD_BYTES - 1,
        AD_SERVICE_DATA,
        UUID16,
        DEVICE_INFO,
        OBJ_BATTERY,
        battery,
        OBJ_MOVING,
        running,
        OBJ_COUNT,
        count,
    )
