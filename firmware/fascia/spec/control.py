"""The fascia control point (fascia.spec.gatt.CONTROL): requests, answers and result codes.

Every request needs a bonded link (LE Secure Connections, passkey shown on the device's screen):
the CONTROL characteristic only takes writes on one, and the device answers NOT_BONDED otherwise.
ACK_SYNCED is taken only from a bonded host that read the session to its end (READ_LOG) and
remembers which host acknowledged; DELETE_SYNCED only deletes that host's (OTHER_HOST otherwise).

A request is a write: u8 opcode + parameters (REQUEST_FMT[opcode]; SELECT's length depends on the
mode). The answer is an indication: RESPONSE_HEAD = RESPONSE_CODE, the request's opcode, a result
code, then RESPONSE_FMT[opcode] for the requests that return figures. A request that is short, too
long, unknown or out of range is answered with a result code and changes nothing. Deleting
sessions (only ones acknowledged as synced) and a factory reset are refused with
CONFIRM_ON_DEVICE: the device then asks the person, who confirms with button A within CONFIRM_MS.

Apart from gatt, so that the device loads it only while a host is sending requests (the firmware's
fascia.app.blerequests); the host (host_tools.ble) uses both. docs/ble.md shows it as tables.
"""

from micropython import const

RESPONSE_CODE = const(0x80)

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

LIST_ENTRY_FMT = "<IIB"  # id, size bytes, flags (bit 0: synced)
LIST_MAX = const(56)  # entries per LIST_SESSIONS window (56 x 9 bytes <= gatt.LOG_WINDOW)
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
NOT_BONDED = const(0x09)  # the link is not encrypted by a bond made with the passkey on the screen
# acknowledge of a session this host has not read to its end; delete of one another host (or USB) acknowledged
OTHER_HOST = const(0x0A)
