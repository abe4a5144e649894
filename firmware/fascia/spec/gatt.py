"""The fascia GATT profile: the one table of UUIDs, byte layouts, opcodes and result codes.

The firmware (fascia.app.ble) serves it and the host (host_tools.ble) speaks it; docs/ble.md shows
the same as tables. All integers are little-endian; every layout is a `struct` format here.

fascia service (128-bit UUIDs, `fa5cNNNN-5e1f-4d6a-8b7c-666173636961`, the tail spells "fascia"):

    LIVE     read, notify   LIVE_FMT: what the display shows, ~4 Hz while training and on every
                            count change (at most every LIVE_MIN_MS); on change only when idle
    CONTROL  write, indicate  request: u8 opcode + parameters (REQUEST_FMT[opcode]);
                            answer (indication): RESPONSE_CODE, opcode, result (+ RESPONSE_FMT[opcode])
    LOG      read           the window loaded by the last LIST_SESSIONS / READ_LOG (<= LOG_WINDOW bytes;
                            longer than one PDU: the client reads it with Read Blob, at any MTU)

Standard services: Battery (level, notify), Device Information (manufacturer, model = board
profile, firmware revision, serial = device id), Current Time (writable: the host sets the clock).

Safety: a write longer than a characteristic's buffer fails with the ATT error Invalid Attribute
Value Length (0x0D; the BLE stack enforces it); a control-point request that is short, too long,
unknown or out of range is answered with a result code and changes nothing. Deleting sessions
(only ones acknowledged as synced) and a factory reset are refused with CONFIRM_ON_DEVICE: the
device then asks the person, who confirms with button A within CONFIRM_MS.

The device loads this module, so it holds what the device uses (every name here costs its heap);
what only the host needs (result names, ATT error codes) is in host_tools.ble.
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
# activity code, session state, mode code, flags, count, elapsed ms, rate per min,
# figure (jump rope: trips, swing: tempo x10, walk: cadence), left (s or reps; NONE_LEFT), battery %, round
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

# ---------------------------------------------------------------- CONTROL
RESPONSE_CODE = const(0x80)
CONTROL_MAX = const(20)  # request buffer: longer writes get ATT error 0x0D

START = const(0x01)
PAUSE = const(0x02)
RESUME = const(0x03)
STOP = const(0x04)
SELECT = const(0x05)  # u8 activity, u8 mode, then the mode's MODE_PARAMS (log.MODE_PARAMS) as u32
SET_USER = const(0x06)  # u16 weight kg, u32 daily jump goal
LIST_SESSIONS = const(0x10)  # u32 first id: LOG <- LIST_ENTRY_FMT for ids >= first (at most LIST_MAX)
SESSION_INFO = const(0x11)  # u32 id -> u32 size, u32 CRC-32 of the whole file, u8 synced
READ_LOG = const(0x12)  # u32 id, u32 offset, u16 length: LOG <- the bytes -> u32 offset, u16 n
ACK_SYNCED = const(0x13)  # u32 id: the host has it; it may be deleted later
DELETE_SYNCED = const(0x14)  # u32 id (0 = every synced session): needs confirmation on the device
FACTORY_RESET = const(0x15)  # needs confirmation on the device
CLOCK_INFO = const(0x16)  # -> u16 boot, u32 uptime s, u32 epoch s (logread.resolve_start), u32 next id

REQUEST_FMT = {  # parameters after the opcode; SELECT's length depends on the mode
    START: "<",
    PAUSE: "<",
    RESUME: "<",
    STOP: "<",
    SET_USER: "<HI",
    LIST_SESSIONS: "<I",
    SESSION_INFO: "<I",
    READ_LOG: "<IIH",
    ACK_SYNCED: "<I",
    DELETE_SYNCED: "<I",
    FACTORY_RESET: "<",
    CLOCK_INFO: "<",
}
SELECT_HEAD = "<BB"
MODE_PARAM_FMT = "<I"
RESPONSE_HEAD = "<BBB"
RESPONSE_FMT = {SESSION_INFO: "<IIB", READ_LOG: "<IH", CLOCK_INFO: "<HIII", LIST_SESSIONS: "<B"}

LOG_WINDOW = const(512)  # the most an attribute value may hold (ATT)
LIST_ENTRY_FMT = "<IIB"  # id, size bytes, flags (bit 0: synced)
LIST_MAX = const(56)  # entries per LIST_SESSIONS window (56 x 9 bytes <= 512)
LIST_SYNCED = const(1)
CONFIRM_MS = const(30000)

# result codes
SUCCESS = const(0x01)
OPCODE_NOT_SUPPORTED = const(0x02)
INVALID_PARAMETER = const(0x03)  # wrong length or a value out of range
OPERATION_FAILED = const(0x04)  # e.g. flash full, sensor down
NOT_ALLOWED_NOW = const(0x05)  # e.g. SELECT during a session, PAUSE with none
NO_SUCH_SESSION = const(0x06)
NOT_SYNCED = const(0x07)  # delete of a session the host has not acknowledged
CONFIRM_ON_DEVICE = const(0x08)  # refused: the person must confirm on the device (button A)

# ---------------------------------------------------------------- Current Time (0x2A2B)
# year, month, day, hours, minutes, seconds, day of week (1 = Monday), fractions256, adjust reason
CURRENT_TIME_FMT = "<HBBBBBBBB"
CURRENT_TIME_BYTES = const(10)

ADV_INTERVAL_US = const(250000)
