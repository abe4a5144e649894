"""The fascia GATT profile: the one table of UUIDs, byte layouts and timings (the control point's
opcodes and result codes: fascia.spec.control).

The firmware (fascia.app.ble) serves it and the host (host_tools.ble) speaks it; docs/ble.md shows
the same as tables. All integers are little-endian; every layout is a `struct` format here.

fascia service (128-bit UUIDs, `fa5cNNNN-5e1f-4d6a-8b7c-666173636961`, the tail spells "fascia"):

    LIVE     read, notify   LIVE_FMT: what the display shows, ~4 Hz while training and on every
                            count change (at most every LIVE_MIN_MS); on change only when idle
    CONTROL  write, indicate  requests and their answers: fascia.spec.control
    LOG      read           the window loaded by the last LIST_SESSIONS / READ_LOG (<= LOG_WINDOW bytes;
                            longer than one PDU: the client reads it with Read Blob, at any MTU)

Standard services: Battery (level, notify), Device Information (manufacturer, model = board
profile, firmware revision, serial = device id), Current Time (writable: the host sets the clock).

Safety: a write longer than a characteristic's buffer fails with the ATT error Invalid Attribute
Value Length (0x0D; the BLE stack enforces it).

The device keeps this module loaded while its radio is on, so it holds only what the device uses
(every name costs heap): the control point's protocol is fascia.spec.control, loaded when a host
sends requests, and what only the host needs (result names, ATT error codes) is in host_tools.ble.
"""

from micropython import const

VERSION = const(2)  # profile version, FIRMWARE_REV's "ble N" suffix (2: CLOCK_INFO carries next_id)

SERVICE = "fa5c0001-5e1f-4d6a-8b7c-666173636961"
LIVE = "fa5c0002-5e1f-4d6a-8b7c-666173636961"
CONTROL = "fa5c0003-5e1f-4d6a-8b7c-666173636961"
LOG = "fa5c0004-5e1f-4d6a-8b7c-666173636961"

# Standard (Bluetooth SIG) 16-bit UUIDs
BATTERY_SERVICE = const(0x180F)
BATTERY_LEVEL = const(0x2A19)
DEVICE_INFO_SERVICE = const(0x180A)
MANUFACTURER = const(0x2A29)
MODEL = const(0x2A24)
SERIAL = const(0x2A25)
FIRMWARE_REV = const(0x2A26)
CURRENT_TIME_SERVICE = const(0x1805)
CURRENT_TIME = const(0x2A2B)

MANUFACTURER_NAME = "fascia project"

# ---------------------------------------------------------------- LIVE
# activity code, session state, mode code, flags, count, elapsed ms, rate per min over the last 10 s,
# figure (the activity's live figure in fascia.spec.activities), left (s or reps; NONE_LEFT),
# battery %, round
LIVE_FMT = "<BBBBIIHHHBB"  # 20 bytes: fits a notification at the minimum MTU (23)
LIVE_BYTES = const(20)
LIVE_PERIOD_MS = const(250)  # notify this often while training (4 Hz)
LIVE_MIN_MS = const(50)  # a count change notifies at once, but not more often than this
LIVE_IDLE_MS = const(5000)  # between sessions: on change, and at least this often
FLAG_REST = const(1)  # interval rest phase
FLAG_SUMMARY = const(2)  # the summary of the last session is on screen
NONE_LEFT = const(0xFFFF)
STATE_READY = const(0)  # no session (fascia.app.session state codes otherwise: 1 running, 2 paused)
STATE_RUNNING = const(1)
STATE_PAUSED = const(2)

# ---------------------------------------------------------------- CONTROL and LOG buffers
CONTROL_MAX = const(20)  # request buffer: longer writes get ATT error 0x0D
LOG_WINDOW = const(512)  # the most an attribute value may hold (ATT)

# ---------------------------------------------------------------- Current Time (0x2A2B)
# year, month, day, hours, minutes, seconds, day of week (1 = Monday), fractions256, adjust reason
CURRENT_TIME_FMT = "<HBBBBBBBB"
CURRENT_TIME_BYTES = const(10)

ADV_INTERVAL_US = const(250000)
