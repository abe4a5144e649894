"""The device's Bluetooth LE service: the fascia GATT profile (fascia.spec.gatt) on `bluetooth.BLE`.

`BleService(ble, app)` registers the services and advertises; the app calls `poll(now)` from its
loop. The IRQ handler only records what happened (a connection, the MTU, a copy of a written
request) and all work is done in `poll`, between FIFO drains, so BLE never stalls sampling:
a request costs one flash read of at most gatt.LOG_WINDOW bytes, a live update one struct pack.

What it needs from the App: `start(now)`, `stop(now)`, `pause(now)`, `resume(now)`,
`select(activity, mode)`, `ask(title, lines, answer)`, `session`, `det`, `activity`, `mode`,
`config`, `view`, `result`, `battery`, `boot`, `store`, `rate_per_min()`, `board` (name,
device_id, path(), and an optional `rtc` with machine.RTC's `datetime(tuple)`).
"""

import struct
import time
from binascii import hexlify, unhexlify

from micropython import const

from fascia import VERSION, unload
from fascia.app.logstore import unix_time
from fascia.spec import gatt, log

_IRQ_CENTRAL_CONNECT = const(1)
_IRQ_CENTRAL_DISCONNECT = const(2)
_IRQ_GATTS_WRITE = const(3)
_IRQ_GATTS_INDICATE_DONE = const(20)
_IRQ_MTU_EXCHANGED = const(21)

_QUEUE = const(4)  # control-point requests waiting for poll (a client sends one at a time)
_INDICATE_TIMEOUT_MS = const(2000)
_MIN_MTU = const(23)
_SUMMARY = const(2)  # fascia.app.main.SUMMARY

_F_READ = const(0x0002)
_F_WRITE = const(0x0008)
_F_NOTIFY = const(0x0010)
_F_INDICATE = const(0x0020)


def _uuid128_le(text: str) -> bytes:
    """A 128-bit UUID string as advertising data carries it (little-endian)."""
    raw = unhexlify(text.replace("-", ""))
    return bytes(raw[i] for i in range(15, -1, -1))


def advertising_payloads(name: str):
    """(advertising data, scan response): flags + the fascia service UUID (+ name); the complete name."""
    raw = name.encode()
    named = bytes((len(raw) + 1, 0x09)) + raw
    adv = b"\x02\x01\x06" + bytes((17, 0x07)) + _uuid128_le(gatt.SERVICE)
    if len(adv) + len(named) <= 31:  # a short name fits beside the UUID (passive scanners see it)
        adv += named
    return adv, named


def _code_name(table: dict, code: int):
    for name in table:
        if table[name] == code:
            return name
    return None


class BleService:
    def __init__(self, ble, app):
        self.ble = ble
        self.app = app
        self.conn = -1  # connection handle, -1 when none
        self.mtu = _MIN_MTU
        self._requests = []  # control-point requests copied by the IRQ handler
        self._time_written = None  # a Current Time write, waiting for poll
        self._indicating = 0  # ms when the pending indication was sent; 0 = none
        self._readvertise = True
        self._live = bytearray(gatt.LIVE_BYTES)
        self._last_live = bytearray(gatt.LIVE_BYTES)
        self._last_count = -1
        self._next_live = 0
        self._sent_at = -gatt.LIVE_IDLE_MS
        self._next_time = 0
        self._battery = -1
        self._confirm_until = 0  # an on-screen question from a host request expires then
        import bluetooth  # here, not at the top: the module imports on ports without a radio

        ble.active(True)
        ble.config(gap_name=app.config["device_name"])
        ble.irq(self._irq)
        fascia_svc = (
            bluetooth.UUID(gatt.SERVICE),
            (
                (bluetooth.UUID(gatt.LIVE), _F_READ | _F_NOTIFY),
                (bluetooth.UUID(gatt.CONTROL), _F_WRITE | _F_INDICATE),
                (bluetooth.UUID(gatt.LOG), _F_READ),
            ),
        )
        battery_svc = (
            bluetooth.UUID(gatt.BATTERY_SERVICE),
            ((bluetooth.UUID(gatt.BATTERY_LEVEL), _F_READ | _F_NOTIFY),),
        )
        info_svc = (
            bluetooth.UUID(gatt.DEVICE_INFO_SERVICE),
            (
                (bluetooth.UUID(gatt.MANUFACTURER), _F_READ),
                (bluetooth.UUID(gatt.MODEL), _F_READ),
                (bluetooth.UUID(gatt.SERIAL), _F_READ),
                (bluetooth.UUID(gatt.FIRMWARE_REV), _F_READ),
            ),
        )
        time_svc = (
            bluetooth.UUID(gatt.CURRENT_TIME_SERVICE),
            ((bluetooth.UUID(gatt.CURRENT_TIME), _F_READ | _F_WRITE | _F_NOTIFY),),
        )
        handles = ble.gatts_register_services((fascia_svc, battery_svc, info_svc, time_svc))
        self.h_live, self.h_control, self.h_log = handles[0]
        self.h_battery = handles[1][0]
        h_manufacturer, h_model, h_serial, h_firmware = handles[2]
        self.h_time = handles[3][0]
        ble.gatts_set_buffer(self.h_control, gatt.CONTROL_MAX)
        ble.gatts_set_buffer(self.h_log, gatt.LOG_WINDOW)
        ble.gatts_set_buffer(self.h_time, gatt.CURRENT_TIME_BYTES)
        board = app.board
        ble.gatts_write(h_manufacturer, gatt.MANUFACTURER_NAME.encode())
        ble.gatts_write(h_model, board.name.encode())
        ble.gatts_write(h_serial, hexlify(board.device_id[:16]))
        ble.gatts_write(h_firmware, ("%s ble %d" % (VERSION, gatt.VERSION)).encode())
        self._adv = advertising_payloads(app.config["device_name"])

    # -- IRQ: record only ---------------------------------------------------------------------------
    def _irq(self, event, data):
        if event == _IRQ_GATTS_WRITE:
            handle = data[1]
            if handle == self.h_control:
                if len(self._requests) < _QUEUE:
                    self._requests.append(self.ble.gatts_read(handle))
            elif handle == self.h_time:
                self._time_written = self.ble.gatts_read(handle)
        elif event == _IRQ_CENTRAL_CONNECT:
            self.conn = data[0]
            self.mtu = _MIN_MTU
            self._last_count = -1
        elif event == _IRQ_CENTRAL_DISCONNECT:
            if data[0] == self.conn:
                self.conn = -1
                self._indicating = 0
                self._readvertise = True
        elif event == _IRQ_GATTS_INDICATE_DONE:
            self._indicating = 0
        elif event == _IRQ_MTU_EXCHANGED:
            self.mtu = data[1]

    # -- the app loop's share -----------------------------------------------------------------------
    def poll(self, now: int) -> None:
        """Advertise when nobody is connected, answer requests, send live updates."""
        if self._readvertise and self.conn < 0:
            self._readvertise = False
            self.ble.gap_advertise(gatt.ADV_INTERVAL_US, adv_data=self._adv[0], resp_data=self._adv[1])
        if self._time_written is not None:
            value = self._time_written
            self._time_written = None
            self._set_time(value)
            self._next_time = now
        if self._indicating and now - self._indicating > _INDICATE_TIMEOUT_MS:
            self._indicating = 0  # the client never confirmed: do not wait forever
        if self._requests and not self._indicating:
            self._control(now, self._requests.pop(0))
        if self._confirm_until and now >= self._confirm_until:
            self._confirm_until = 0
            self.app.ask_cancel()
        if now >= self._next_time:
            self._next_time = now + 1000
            self.ble.gatts_write(self.h_time, _current_time())
        self._update_live(now)
        if self.app.battery != self._battery:
            self._battery = self.app.battery
            self.ble.gatts_write(self.h_battery, bytes((self._battery,)))
            self._notify(self.h_battery, None)

    def _notify(self, handle, data) -> None:
        if self.conn >= 0:
            try:
                if data is None:
                    self.ble.gatts_notify(self.conn, handle)
                else:
                    self.ble.gatts_notify(self.conn, handle, data)
            except OSError:
                pass  # out of buffers or just disconnected: the next update follows soon

    # -- LIVE -----------------------------------------------------------------------------------------
    def _update_live(self, now: int) -> None:
        """Notify every LIVE_PERIOD_MS while training and at once on a new count (at most every
        LIVE_MIN_MS); between sessions only when something changed, or every LIVE_IDLE_MS."""
        app = self.app
        count = app.det.count
        fresh = count != self._last_count and now - self._sent_at >= gatt.LIVE_MIN_MS
        if now < self._next_live and not fresh:
            return
        self._next_live = now + gatt.LIVE_PERIOD_MS
        self._pack_live(now)
        if app.session is None and self._live == self._last_live and now - self._sent_at < gatt.LIVE_IDLE_MS:
            return
        self._sent_at = now
        self._last_count = count
        self._last_live[:] = self._live
        self.ble.gatts_write(self.h_live, self._live)
        self._notify(self.h_live, self._live)

    def _pack_live(self, now: int) -> None:
        app = self.app
        s = app.session
        det = app.det
        count = det.count
        flags = 0
        state = gatt.STATE_READY
        elapsed = 0
        rate = 0
        left = gatt.NONE_LEFT
        rnd = 0
        if s is not None:
            state = s.state
            elapsed = s.elapsed_ms(now)
            rate = app.rate_per_min()
            rnd = s.round
            if s.phase == 1:  # session.REST
                flags |= gatt.FLAG_REST
            rem = s.remaining(now, count)
            if rem >= 0:
                left = rem if app.mode == "countdown_count" else (rem + 999) // 1000
        elif app.view == _SUMMARY and app.result is not None:
            flags |= gatt.FLAG_SUMMARY
            elapsed = app.result[1]
        struct.pack_into(
            gatt.LIVE_FMT,
            self._live,
            0,
            log.ACTIVITY_CODES[app.activity],
            state,
            log.MODE_CODES[app.mode],
            flags,
            count,
            elapsed,
            min(rate, 0xFFFF),
            min(max(self._figure(), 0), 0xFFFF),
            min(left, gatt.NONE_LEFT),
            app.battery,
            rnd,
        )

    def _figure(self) -> int:
        """The activity's second number: trips (rope), tempo x10 (clubbell), cadence (walk)."""
        app = self.app
        if app.session is None and app.view != _SUMMARY:
            return 0
        extras = app.det.extras()
        if app.activity == "jump_rope":
            return extras.get("trips", 0)
        if app.activity == "swing":
            return extras.get("tempo_x10", 0)
        return extras.get("cadence_spm", 0)

    # -- CONTROL ----------------------------------------------------------------------------------------
    def _control(self, now: int, req: bytes) -> None:
        op = req[0] if req else 0
        try:
            result, extra = self._handle(now, op, req)
        except Exception:  # a bug must not take the device down: the host gets a failure
            result, extra = gatt.OPERATION_FAILED, b""
        answer = struct.pack(gatt.RESPONSE_HEAD, gatt.RESPONSE_CODE, op, result) + extra
        self._next_live = 0  # a change shows in LIVE right away (this very poll)
        self.ble.gatts_write(self.h_control, answer)
        if self.conn >= 0:
            try:
                self.ble.gatts_indicate(self.conn, self.h_control)
                self._indicating = now or 1
            except OSError:
                pass

    def _handle(self, now: int, op: int, req: bytes):
        """(result code, response parameters) of one request; changes nothing unless SUCCESS."""
        app = self.app
        if op == gatt.SELECT:
            return self._select(req), b""
        fmt = gatt.REQUEST_FMT.get(op)
        if fmt is None:
            return gatt.OPCODE_NOT_SUPPORTED, b""
        if len(req) != 1 + struct.calcsize(fmt):
            return gatt.INVALID_PARAMETER, b""
        args = struct.unpack_from(fmt, req, 1)
        s = app.session
        if op == gatt.START:
            if s is not None:
                return gatt.NOT_ALLOWED_NOW, b""
            return (gatt.SUCCESS if app.start(now) else gatt.OPERATION_FAILED), b""
        if op in (gatt.PAUSE, gatt.RESUME, gatt.STOP):
            if s is None or (op == gatt.PAUSE and s.state != gatt.STATE_RUNNING):
                return gatt.NOT_ALLOWED_NOW, b""
            if op == gatt.RESUME and s.state != gatt.STATE_PAUSED:
                return gatt.NOT_ALLOWED_NOW, b""
            if op == gatt.PAUSE:
                app.pause(now)
            elif op == gatt.RESUME:
                app.resume(now)
            else:
                app.stop(now)
            return gatt.SUCCESS, b""
        if op == gatt.SET_USER:
            return self._configure({"weight_kg": args[0], "daily_jump_goal": args[1]}), b""
        if op == gatt.CLOCK_INFO:
            clock = (app.boot, now // 1000, unix_time(), app.store.next_id())
            return gatt.SUCCESS, struct.pack(gatt.RESPONSE_FMT[op], *clock)
        if op == gatt.LIST_SESSIONS:
            return self._list(args[0])
        if op == gatt.FACTORY_RESET:
            return self._confirm(now, "FACTORY RESET?", self._factory_reset), b""
        return self._log_op(now, op, args)

    def _select(self, req: bytes) -> int:
        if len(req) < 3:
            return gatt.INVALID_PARAMETER
        app = self.app
        activity = _code_name(log.ACTIVITY_CODES, req[1])
        mode = _code_name(log.MODE_CODES, req[2])
        if activity is None or mode is None:
            return gatt.INVALID_PARAMETER
        fields = log.MODE_FIELDS[mode]
        if len(req) != 3 + 4 * len(fields):
            return gatt.INVALID_PARAMETER
        if app.session is not None:
            return gatt.NOT_ALLOWED_NOW
        changes = {"activity": activity, "mode": mode}
        for i in range(len(fields)):
            changes[fields[i]] = struct.unpack_from(gatt.MODE_PARAM_FMT, req, 3 + 4 * i)[0]
        result = self._configure(changes)
        if result == gatt.SUCCESS:
            app.select(activity, mode)
        return result

    def _configure(self, changes: dict) -> int:
        """Validate the changed settings with the config schema; apply and save only if all are fine."""
        from fascia.spec import config as cfg  # (only for a change: not kept in RAM)

        app = self.app
        merged = dict(app.config)
        merged.update(changes)
        try:
            new, problems = cfg.validate(merged)
            if problems:
                return gatt.INVALID_PARAMETER
            app.config.update(new)
            with open(app.board.path(cfg.CONFIG_FILE), "w") as f:
                f.write(cfg.dumps(app.config))
        except OSError:
            return gatt.OPERATION_FAILED
        finally:
            unload("fascia.spec.config")
        app.show_changes()
        return gatt.SUCCESS

    def _list(self, first: int):
        window = bytearray()
        n = 0
        for sid, synced, size in self.app.store.list_sessions():
            if sid >= first and n < gatt.LIST_MAX:
                window += struct.pack(gatt.LIST_ENTRY_FMT, sid, size, gatt.LIST_SYNCED if synced else 0)
                n += 1
        self.ble.gatts_write(self.h_log, window)
        return gatt.SUCCESS, struct.pack(gatt.RESPONSE_FMT[gatt.LIST_SESSIONS], n)

    def _log_op(self, now: int, op: int, args):
        store = self.app.store
        sid = args[0]
        if sid == 0 and op == gatt.DELETE_SYNCED:
            return self._confirm(now, "DELETE SYNCED?", lambda: self._delete(0)), b""
        entry = None
        for each in store.list_sessions():
            if each[0] == sid:
                entry = each
        if entry is None:
            return gatt.NO_SUCH_SESSION, b""
        _, synced, size = entry
        if op == gatt.SESSION_INFO:
            return gatt.SUCCESS, struct.pack(
                gatt.RESPONSE_FMT[op], size, store.crc32(sid), 1 if synced else 0
            )
        if op == gatt.READ_LOG:
            offset, length = args[1], args[2]
            if not 0 < length <= gatt.LOG_WINDOW:
                return gatt.INVALID_PARAMETER, b""
            data = store.read(sid, offset, length)
            self.ble.gatts_write(self.h_log, data)
            return gatt.SUCCESS, struct.pack(gatt.RESPONSE_FMT[op], offset, len(data))
        if op == gatt.ACK_SYNCED:
            if sid == store.session_id:
                return gatt.NOT_ALLOWED_NOW, b""
            store.mark_synced(sid)
            return gatt.SUCCESS, b""
        if op == gatt.DELETE_SYNCED:
            if not synced:
                return gatt.NOT_SYNCED, b""
            return self._confirm(now, "DELETE SYNCED?", lambda: self._delete(sid)), b""
        return gatt.OPCODE_NOT_SUPPORTED, b""

    # -- confirmation on the device -------------------------------------------------------------------
    def _confirm(self, now: int, title: str, action) -> int:
        """Refuse now, and ask the person: button A within CONFIRM_MS carries the action out."""
        if self.app.session is not None:
            return gatt.NOT_ALLOWED_NOW

        def answer(yes):
            self._confirm_until = 0
            if yes:
                action()

        self.app.ask(title, ("Requested over Bluetooth.", "A: yes  B: no"), answer)
        self._confirm_until = now + gatt.CONFIRM_MS
        return gatt.CONFIRM_ON_DEVICE

    def _delete(self, sid: int) -> None:
        store = self.app.store
        for each, synced, _ in store.list_sessions():
            if synced and (sid == 0 or each == sid):
                store.delete(each)

    def _factory_reset(self) -> None:
        """Settings and daily totals back to defaults; synced sessions deleted (unsynced ones kept)."""
        import os

        from fascia.spec import config as cfg  # (only for a reset: not kept in RAM)

        self._delete(0)
        for name in (cfg.CONFIG_FILE, "days.json"):
            try:
                os.remove(self.app.board.path(name))
            except OSError:
                pass
        self.app.config.update(cfg.defaults())
        unload("fascia.spec.config")
        self.app.show_changes()

    # -- Current Time -------------------------------------------------------------------------------------
    def _set_time(self, value: bytes) -> None:
        """Set the RTC from a Current Time write; a short or impossible date changes nothing."""
        if len(value) != gatt.CURRENT_TIME_BYTES:
            return
        y, mo, d, h, mi, s, _, _, _ = struct.unpack(gatt.CURRENT_TIME_FMT, value)
        if not (2020 <= y <= 2099 and 1 <= mo <= 12 and 1 <= d <= 31 and h < 24 and mi < 60 and s < 60):
            return
        t = time.gmtime(time.mktime((y, mo, d, h, mi, s, 0, 0)))
        if t[1] != mo or t[2] != d:  # e.g. 30 February
            return
        rtc = getattr(self.app.board, "rtc", None)
        if rtc is None:
            import machine

            rtc = machine.RTC()
        rtc.datetime((y, mo, d, t[6], h, mi, s, 0))


def _current_time() -> bytes:
    t = time.gmtime()
    return struct.pack(gatt.CURRENT_TIME_FMT, t[0], t[1], t[2], t[3], t[4], t[5], t[6] + 1, 0, 0)
