"""What a connected host asks of the device: control-point requests and Current Time writes.

fascia.app.ble loads this module for a host's first request and drops it when the host leaves,
so a session watched over BLE (or nobody connected) does not hold its code. `answer` builds the
indication for one request (fascia.spec.control); it changes nothing unless the result is SUCCESS,
and a bug in it answers OPERATION_FAILED instead of taking the device down.

Uses from the BleService `svc`: `app` (only its host interface, fascia.app.main), `ble`, `h_log`,
`secure` and `bond` (the bonded host), `read_through` (how far that host has read a session from its
start), `bonds`, `conn`, and `confirm_until` (the on-screen question's deadline, which the
service's poll enforces).

A session belongs to the bonded hosts that read it: one that reads it from its first byte to its
last (READ_LOG windows without a gap) is recorded as its reader in a note beside it on the flash
(NNNNN.rd, one host a line), and only a reader may acknowledge it (OTHER_HOST otherwise); only the
host that acknowledged it may then delete it. So another bonded host cannot make a session it never
copied look synced (which the space reclaim would then take), nor delete one another host holds.
"""

import struct
from binascii import hexlify

from micropython import const

from fascia.app.logstore import unix_time
from fascia.spec import control, gatt, log

_MAX_READERS = const(4)  # (fascia.app.bonds.MAX_BONDS) the latest hosts to read a session are kept
READ_BY = ".rd"  # the note beside a session naming them (LogStore.delete deletes it with the session)


def answer(svc, now: int, req: bytes) -> bytes:
    """The indication that answers request `req`: RESPONSE_HEAD + response parameters."""
    op = req[0] if req else 0
    try:
        result, extra = _handle(svc, now, op, req)
    except Exception:  # a bug must not take the device down: the host gets a failure
        result, extra = control.OPERATION_FAILED, b""
    return struct.pack(control.RESPONSE_HEAD, control.RESPONSE_CODE, op, result) + extra


def _handle(svc, now: int, op: int, req: bytes):
    """(result code, response parameters) of one request."""
    app = svc.app
    if not svc.secure:  # (the stack already refuses writes from a link without a bond)
        return control.NOT_BONDED, b""
    if op == control.SELECT:
        return _select(app, req), b""
    fmt = control.REQUEST_FMT.get(op)
    if fmt is None:
        return control.OPCODE_NOT_SUPPORTED, b""
    if len(req) != 1 + struct.calcsize(fmt):
        return control.INVALID_PARAMETER, b""
    args = struct.unpack_from(fmt, req, 1)
    state = app.state()
    if op == control.START:
        if state != gatt.STATE_READY:
            return control.NOT_ALLOWED_NOW, b""
        return (control.SUCCESS if app.start(now) else control.OPERATION_FAILED), b""
    if op in (control.PAUSE, control.RESUME, control.STOP):
        if state == gatt.STATE_READY or (op == control.PAUSE and state != gatt.STATE_RUNNING):
            return control.NOT_ALLOWED_NOW, b""
        if op == control.RESUME and state != gatt.STATE_PAUSED:
            return control.NOT_ALLOWED_NOW, b""
        if op == control.PAUSE:
            app.pause(now)
        elif op == control.RESUME:
            app.resume(now)
        else:
            app.stop(now)
        return control.SUCCESS, b""
    if op == control.SET_USER:
        return _configure(app, {"weight_kg": args[0], "daily_jump_goal": args[1]}), b""
    if op == control.CLOCK_INFO:
        clock = (app.boot(), now // 1000, unix_time(), app.log().next_id())
        return control.SUCCESS, struct.pack(control.RESPONSE_FMT[op], *clock)
    if op == control.LIST_SESSIONS:
        return _list(svc, args[0])
    if op == control.FACTORY_RESET:
        return _confirm(svc, now, "FACTORY RESET?", lambda: _factory_reset(svc)), b""
    return _log_op(svc, now, op, args)


def _code_name(table: dict, code: int):
    for name in table:
        if table[name] == code:
            return name
    return None


def _select(app, req: bytes) -> int:
    if len(req) < 3:
        return control.INVALID_PARAMETER
    activity = _code_name(log.ACTIVITY_CODES, req[1])
    mode = _code_name(log.MODE_CODES, req[2])
    if activity is None or mode is None:
        return control.INVALID_PARAMETER
    fields = log.MODE_FIELDS[mode]
    if len(req) != 3 + 4 * len(fields):
        return control.INVALID_PARAMETER
    if app.state() != gatt.STATE_READY:
        return control.NOT_ALLOWED_NOW
    changes = {"activity": activity, "mode": mode}
    for i in range(len(fields)):
        changes[fields[i]] = struct.unpack_from(control.MODE_PARAM_FMT, req, 3 + 4 * i)[0]
    result = _configure(app, changes)
    if result == control.SUCCESS:
        app.select(activity, mode)
    return result


def _configure(app, changes: dict) -> int:
    """Apply and save the changed settings, only if the config schema takes them all."""
    try:
        app.configure(changes)
    except ValueError:
        return control.INVALID_PARAMETER
    except OSError:
        return control.OPERATION_FAILED
    return control.SUCCESS


def _list(svc, first: int):
    window = bytearray()
    n = 0
    for sid, synced, size in svc.app.log().list_sessions():
        if sid >= first and n < control.LIST_MAX:
            window += struct.pack(control.LIST_ENTRY_FMT, sid, size, control.LIST_SYNCED if synced else 0)
            n += 1
    svc.ble.gatts_write(svc.h_log, window)
    return control.SUCCESS, struct.pack(control.RESPONSE_FMT[control.LIST_SESSIONS], n)


def _log_op(svc, now: int, op: int, args):
    store = svc.app.log()
    sid = args[0]
    host = _host(svc)
    if sid == 0 and op == control.DELETE_SYNCED:
        return _confirm(svc, now, "DELETE SYNCED?", lambda: _delete(store, 0, host)), b""
    entry = None
    for each in store.list_sessions():
        if each[0] == sid:
            entry = each
    if entry is None:
        return control.NO_SUCH_SESSION, b""
    _, synced, size = entry
    if op == control.SESSION_INFO:
        info = struct.pack(control.RESPONSE_FMT[op], size, store.crc32(sid), 1 if synced else 0)
        return control.SUCCESS, info
    if op == control.READ_LOG:
        offset, length = args[1], args[2]
        if not 0 < length <= gatt.LOG_WINDOW:
            return control.INVALID_PARAMETER, b""
        data = store.read(sid, offset, length)
        svc.ble.gatts_write(svc.h_log, data)
        _note_read(svc, store, host, sid, offset, len(data), size)
        return control.SUCCESS, struct.pack(control.RESPONSE_FMT[op], offset, len(data))
    if op == control.ACK_SYNCED:
        if sid == store.session_id:
            return control.NOT_ALLOWED_NOW, b""
        if host not in readers(store, sid):  # this host never copied it: not its to acknowledge
            return control.OTHER_HOST, b""
        store.mark_synced(sid, host)
        return control.SUCCESS, b""
    if op == control.DELETE_SYNCED:
        if not synced:
            return control.NOT_SYNCED, b""
        if store.acked_by(sid) != host:
            return control.OTHER_HOST, b""
        return _confirm(svc, now, "DELETE SYNCED?", lambda: _delete(store, sid, host)), b""
    return control.OPCODE_NOT_SUPPORTED, b""


def _note_read(svc, store, host: str, sid: int, offset: int, n: int, size: int) -> None:
    """Follow `host` reading session `sid` from its start; once it has had every byte, record it as
    a reader (on the flash: it may acknowledge the session in a later connection, after a reboot)."""
    held = svc.read_through
    upto = held[2] if held is not None and held[0] == host and held[1] == sid else 0
    if offset > upto:
        return  # a window past a gap (or not from the start): not a copy of the whole session
    upto = max(upto, offset + n)
    svc.read_through = (host, sid, upto)
    if upto >= size and sid != store.session_id:  # (the session being recorded still grows)
        note_reader(store, sid, host)


def note_reader(store, sid: int, host: str) -> None:
    """`host` has read the whole of session `sid`: add it to the note beside it (the latest
    _MAX_READERS; written to a temporary file and renamed: a power cut keeps one list or the other)."""
    known = readers(store, sid)
    if host not in known:
        store._write_text("%05d%s" % (sid, READ_BY), "\n".join((known + [host])[-_MAX_READERS:]) + "\n")


def readers(store, sid: int) -> list:
    """The bonded hosts that read session `sid` to its end, from the note beside it ([] if none, or
    the note is damaged: then a host reads the session again)."""
    try:
        with open(store.root + "/%05d%s" % (sid, READ_BY), "rb") as f:
            return f.read(_MAX_READERS * 33).decode().split()
    except (OSError, UnicodeError):
        return []


# -- confirmation on the device ---------------------------------------------------------------------
def _confirm(svc, now: int, title: str, action) -> int:
    """Refuse now, and ask the person: button A within CONFIRM_MS carries the action out."""
    if svc.app.state() != gatt.STATE_READY:
        return control.NOT_ALLOWED_NOW

    def on_answer(yes):
        svc.confirm_until = 0
        if yes:
            action()

    svc.app.ask(title, ("Requested over Bluetooth.", "A: yes  B: no"), on_answer)
    svc.confirm_until = now + control.CONFIRM_MS
    return control.CONFIRM_ON_DEVICE


def _host(svc) -> str:
    """The connected bonded host, as its reads and acknowledgements are recorded: its bond's key in
    hex (identity address type + address, as the stack keys the bond)."""
    return hexlify(svc.bond or svc.peer).decode()


def _delete(store, sid: int, host) -> None:
    """Delete synced session `sid` (0: every one) acknowledged by `host` (None: by anyone)."""
    for each, synced, _ in store.list_sessions():
        if synced and (sid == 0 or each == sid) and (host is None or store.acked_by(each) == host):
            store.delete(each)


def _factory_reset(svc) -> None:
    """Settings and daily totals back to defaults, every bond forgotten (this host's too: the link
    is dropped), synced sessions deleted (unsynced ones kept)."""
    svc.bonds.clear()
    svc.secure = False
    if svc.conn >= 0:
        svc.ble.gap_disconnect(svc.conn)
    _delete(svc.app.log(), 0, None)
    svc.app.forget_settings()


# -- Current Time -----------------------------------------------------------------------------------
def set_time(app, value: bytes) -> None:
    """Set the clock from a Current Time write (fascia.app.settings); a short or impossible date
    changes nothing."""
    if len(value) != gatt.CURRENT_TIME_BYTES:
        return
    from fascia.app.settings import from_fields  # (only when a host sets the clock)

    y, mo, d, h, mi, s, _, _, _ = struct.unpack(gatt.CURRENT_TIME_FMT, value)
    epoch = from_fields(y, mo, d, h, mi, s)
    if epoch >= 0:
        app.set_clock(epoch)
