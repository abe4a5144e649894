"""The BLE service's boot-time half: registers the GATT table (fascia.spec.gatt), fills Device
Information and builds the advertising payloads. fascia.app.ble runs it once and drops it: its
code is not needed again while the device runs.
"""

from binascii import hexlify, unhexlify

from micropython import const

from fascia import VERSION
from fascia.spec import gatt

_F_READ = const(0x0002)
_F_WRITE = const(0x0008)
_F_NOTIFY = const(0x0010)
_F_INDICATE = const(0x0020)
_F_READ_SECURE = const(0x0600)  # _FLAG_READ_ENCRYPTED | _FLAG_READ_AUTHENTICATED: a bonded (MITM) link only
_F_WRITE_SECURE = const(0x3000)  # _FLAG_WRITE_ENCRYPTED | _FLAG_WRITE_AUTHENTICATED
_IO_DISPLAY_ONLY = const(0)  # the device shows a passkey; the host types it in


def register(ble, app) -> tuple:
    """Start the radio with the fascia profile: ((live, control, log, battery, time handles[, CSC
    handles]), (advertising data, scan response))."""
    import bluetooth  # here, not at the top: the module imports on ports without a radio

    settings = app.settings

    ble.active(True)
    ble.config(gap_name=settings["device_name"])
    # LE Secure Connections with bonding and MITM protection: pairing needs the passkey the device
    # shows (fascia.app.ble), and the protected values below refuse any other link
    ble.config(bond=True, mitm=True, le_secure=True, io=_IO_DISPLAY_ONLY)
    uuid = bluetooth.UUID
    public = 0 if settings["ble_open_live"] else _F_READ_SECURE
    fascia_svc = (
        uuid(gatt.SERVICE),
        (
            (uuid(gatt.LIVE), _F_READ | _F_NOTIFY | public),
            (uuid(gatt.CONTROL), _F_WRITE | _F_INDICATE | _F_WRITE_SECURE),
            (uuid(gatt.LOG), _F_READ | _F_READ_SECURE),
        ),
    )
    battery_svc = (uuid(gatt.BATTERY_SERVICE), ((uuid(gatt.BATTERY_LEVEL), _F_READ | _F_NOTIFY | public),))
    # Device Information: a bonded host's only, as everything but the live count and battery (the
    # model and firmware revision tell a stranger which device, and which flaws, it faces; the
    # serial number is the device id); no standard this device serves needs it open
    info = _F_READ | _F_READ_SECURE
    info_svc = (
        uuid(gatt.DEVICE_INFO_SERVICE),
        (
            (uuid(gatt.MANUFACTURER), info),
            (uuid(gatt.MODEL), info),
            (uuid(gatt.SERIAL), info),
            (uuid(gatt.FIRMWARE_REV), info),
        ),
    )
    # the clock: set and read by a bonded host only (a stranger has no use for it)
    clock_flags = _F_READ | _F_WRITE | _F_NOTIFY | _F_READ_SECURE | _F_WRITE_SECURE
    time_svc = (uuid(gatt.CURRENT_TIME_SERVICE), ((uuid(gatt.CURRENT_TIME), clock_flags),))
    services = (fascia_svc, battery_svc, info_svc, time_svc)
    if settings["csc"]:  # Cycling Speed and Cadence, served by fascia.app.blestandard
        from fascia.spec import csc

        services += ((uuid(csc.SERVICE), ((uuid(csc.MEASUREMENT), _F_NOTIFY), (uuid(csc.FEATURE), _F_READ))),)
    handles = ble.gatts_register_services(services)
    (live, control, log), (battery,), dis, (clock,) = handles[:4]
    ble.gatts_set_buffer(control, gatt.CONTROL_MAX)
    ble.gatts_set_buffer(log, gatt.LOG_WINDOW)
    ble.gatts_set_buffer(clock, gatt.CURRENT_TIME_BYTES)
    board = app.board
    ble.gatts_write(dis[0], gatt.MANUFACTURER_NAME.encode())
    ble.gatts_write(dis[1], board.name.encode())
    ble.gatts_write(dis[2], hexlify(board.device_id[:16]))
    ble.gatts_write(dis[3], ("%s ble %d" % (VERSION, gatt.VERSION)).encode())
    extra = handles[4:]  # ((CSC measurement, feature),) when on
    return (live, control, log, battery, clock) + extra, advertising_payloads(settings["device_name"])


def advertising_payloads(name: str) -> tuple:
    """(advertising data, scan response): flags + the fascia service UUID (+ name); the complete name."""
    raw = name.encode()
    named = bytes((len(raw) + 1, 0x09)) + raw
    uuid = unhexlify(gatt.SERVICE.replace("-", ""))
    adv = b"\x02\x01\x06" + bytes((17, 0x07)) + bytes(uuid[i] for i in range(15, -1, -1))  # little-endian
    if len(adv) + len(named) <= 31:  # a short name fits beside the UUID (passive scanners see it)
        adv += named
    return adv, named
