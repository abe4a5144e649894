"""The device's Bluetooth LE service: the fascia GATT profile (fascia.spec.gatt) on `bluetooth.BLE`.

`BleService(ble, app)` registers the services (fascia.app.blesetup, boot-time code loaded once)
and advertises; the app calls `poll(now)` from its loop. The IRQ handler only records what
happened (a connection, the MTU, a copy of a written request) and all work is done in `poll`,
between FIFO drains, so BLE never stalls sampling:
a request costs one flash read of at most gatt.LOG_WINDOW bytes, a live update one struct pack.
What a connected host asks (control point, clock) is answered by fascia.app.blerequests, whose
code is loaded for the host's first request and dropped when it disconnects.

Security: the stack pairs with LE Secure Connections and MITM protection; the device makes up a
random 6-digit passkey and shows it (a PAIRING notice), the host types it in. Its bonds are kept
on flash by fascia.app.bonds (the stack's secrets). `secure` is True only while the connected
host's link is encrypted by such a bond: only then do requests, log reads and clock writes work
(the GATT flags make the stack refuse them otherwise; blerequests checks again). Without a bond a
host can read the live values and the battery, unless config `ble_open_live` is 0. One host at a
time: a second central is disconnected.

What it uses of the app: only `app`, its host interface (fascia.app.host.Host). `poll(now)`
returns when it next has something to send (the app's loop sleeps until then at most).
"""

import gc
import struct
import time

from micropython import const

from fascia import unload
from fascia.app.bonds import BONDS_FILE, SEC_PEER, Bonds
from fascia.spec import gatt, log

_IRQ_CENTRAL_CONNECT = const(1)
_IRQ_CENTRAL_DISCONNECT = const(2)
_IRQ_GATTS_WRITE = const(3)
_IRQ_GATTS_INDICATE_DONE = const(20)
_IRQ_MTU_EXCHANGED = const(21)
_IRQ_ENCRYPTION_UPDATE = const(28)
_IRQ_GET_SECRET = const(29)
_IRQ_SET_SECRET = const(30)
_IRQ_PASSKEY_ACTION = const(31)
_PASSKEY_DISPLAY = const(3)  # the stack asks for a passkey to show (display-only IO capability)
_KEY_BYTES = const(16)  # a bond's encryption key size: nothing shorter is trusted

_QUEUE = const(4)  # control-point requests waiting for poll (a client sends one at a time)
_INDICATE_TIMEOUT_MS = const(2000)
_MIN_MTU = const(23)


class BleService:
    def __init__(self, ble, app):
        self.ble = ble
        self.app = app
        self.conn = -1  # connection handle, -1 when none
        self.mtu = _MIN_MTU
        # control-point requests, copied by the IRQ handler into slots made here (a ring): what it
        # allocates does not depend on when a host writes
        self._slots = [bytearray(gatt.CONTROL_MAX) for _ in range(_QUEUE)]
        self._slot_len = bytearray(_QUEUE)
        self._written = 0  # requests the IRQ handler copied (only it counts them)
        self._answered = 0  # requests poll answered (only it counts them): no count has two writers
        self._settle = False  # a host came or went: collect at the next poll (see poll)
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
        self.confirm_until = 0  # an on-screen question from a host request expires then
        self._host_loaded = False  # fascia.app.blerequests is loaded
        self.secure = False  # the connected host's link is encrypted by a passkey bond
        self.peer = b""  # the connected host's address type + address, as it connected
        # the connected host's bond, as the stack keys it (its identity address type + address): the
        # host a session's reads and acknowledgements are recorded for (fascia.app.blerequests)
        self.bond = b""
        self._bond_key = b""  # the bond whose keys the stack last looked up on this connection
        self.read_through = None  # (host, session id, bytes read from its start): blerequests
        self._passkey = -1  # a passkey to show (set by the IRQ handler), -1: none
        self._pairing_over = False  # take the passkey off the screen
        # a host that bonded without the passkey (Just Works): its keys, forgotten at the next poll
        # even if it has left by then (the key the stack just stored, else its address)
        self._weak_bond = b""
        self._new_key = b""  # the key of the bond the stack stored during this connection
        settings = app.settings
        self.open_live = settings["ble_open_live"]
        self.bonds = Bonds(app.board.path(BONDS_FILE))
        self.h_live = self.h_control = self.h_log = self.h_battery = self.h_time = -1
        ble.irq(self._irq)  # first: the stack may ask for its secrets as soon as it is active
        from fascia.app import blesetup  # boot-time code: run once, then dropped

        handles, self._adv = blesetup.register(ble, app)
        unload("fascia.app.blesetup")
        self.h_live, self.h_control, self.h_log, self.h_battery, self.h_time = handles[:5]
        if settings["bthome"] or settings["csc"]:  # BTHome / CSC: their code only when one is on
            from fascia.app.blestandard import StandardViews

            StandardViews(self, handles[5] if len(handles) > 5 else None)
        ble.irq(self._irq)

    # -- IRQ: record only ---------------------------------------------------------------------------
    def _irq(self, event, data):
        if event == _IRQ_GATTS_WRITE:
            handle = data[1]
            if data[0] != self.conn or not self.secure:
                return  # (the stack refuses these writes already)
            if handle == self.h_control:
                if self._written - self._answered < _QUEUE:
                    value = self.ble.gatts_read(handle)  # (at most CONTROL_MAX: the stack's buffer)
                    i = self._written % _QUEUE
                    self._slots[i][: len(value)] = value
                    self._slot_len[i] = len(value)
                    self._written += 1
            elif handle == self.h_time:
                self._time_written = self.ble.gatts_read(handle)
        elif event == _IRQ_GET_SECRET:
            key = None if data[2] is None else bytes(data[2])
            value = self.bonds.get(data[0], data[1], key)
            if value is not None and key is not None and data[0] == SEC_PEER and self.conn >= 0:
                self._bond_key = key  # (the keys that encrypt this link, looked up by the host's identity)
            return value
        elif event == _IRQ_SET_SECRET:
            if data[0] == SEC_PEER and data[2] is not None and self.conn >= 0:
                self._new_key = bytes(data[1])
            return self.bonds.set(data[0], data[1], data[2])
        elif event == _IRQ_ENCRYPTION_UPDATE:
            conn, encrypted, authenticated, bonded, key_size = data
            if conn == self.conn:
                self.secure = bool(encrypted and authenticated and bonded and key_size >= _KEY_BYTES)
                self._pairing_over = True
                if self.secure:
                    self.bond = self._new_key or self._bond_key or self.peer
                    self._new_key = b""  # a bond made with the passkey: kept
                elif bonded:  # Just Works: kept by the stack, not by us
                    self._weak_bond = self._new_key or self.peer
        elif event == _IRQ_PASSKEY_ACTION:
            conn, action, _ = data
            if action == _PASSKEY_DISPLAY and conn == self.conn:
                import os

                passkey = int.from_bytes(os.urandom(4), "little") % 1000000  # (the ESP32's hardware RNG)
                self.ble.gap_passkey(conn, action, passkey)
                self._passkey = passkey
        elif event == _IRQ_CENTRAL_CONNECT:
            if self.conn >= 0:  # one host at a time: a second central is turned away
                self.ble.gap_disconnect(data[0])
                return
            self.conn = data[0]
            self._settle = True
            self.peer = bytes((data[1],)) + bytes(data[2])
            self.bond = self._new_key = self._bond_key = b""
            self.secure = False
            self.mtu = _MIN_MTU
            self._last_count = -1
        elif event == _IRQ_CENTRAL_DISCONNECT:
            if data[0] == self.conn:
                if self._new_key:  # a bond stored on a link that never became secure: not kept
                    self._weak_bond = self._new_key
                    self._new_key = b""
                self.conn = -1
                self.secure = False
                self.peer = self.bond = b""
                self._indicating = 0
                self._readvertise = True
                self._pairing_over = True
        elif event == _IRQ_GATTS_INDICATE_DONE:
            self._indicating = 0
        elif event == _IRQ_MTU_EXCHANGED:
            self.mtu = data[1]

    # -- the app loop's share -----------------------------------------------------------------------
    def poll(self, now: int) -> int:
        """Advertise when nobody is connected, answer requests, send live updates; returns when
        it next has something to do (a request written meanwhile waits for the app's next step)."""
        if self._passkey >= 0:
            self.app.show_passkey(self._passkey)
            self._passkey = -1
        elif self._pairing_over:
            self._pairing_over = False
            self.app.end_notice("PAIRING")
        if self._weak_bond:
            key = self._weak_bond
            self._weak_bond = b""
            self.forget(key)  # (a stranger must not fill the device's few bond slots)
        if self._readvertise and self.conn < 0:
            self._readvertise = False
            self.ble.gap_advertise(gatt.ADV_INTERVAL_US, adv_data=self._adv[0], resp_data=self._adv[1])
        if self._time_written is not None:
            value = self._time_written
            self._time_written = None
            try:
                self._host_code().set_time(self.app, value)
            except Exception:  # (MemoryError) the clock stays as it was
                pass
            self._next_time = now
        if self._indicating and now - self._indicating > _INDICATE_TIMEOUT_MS:
            self._indicating = 0  # the client never confirmed: do not wait forever
        if self._settle:
            # a host came or went: what pairing, its requests and their code keep for the
            # connection is then placed in a heap without garbage, the same whenever it happens
            self._settle = False
            gc.collect()
        if self._written != self._answered and not self._indicating:
            i = self._answered % _QUEUE
            self._control(now, bytes(memoryview(self._slots[i])[: self._slot_len[i]]))
            self._answered += 1
        if self.confirm_until and now >= self.confirm_until:
            self.confirm_until = 0
            self.app.ask_cancel()
        if self._host_loaded and self.conn < 0 and not self.confirm_until:
            self._host_loaded = False  # the host left: its code goes (an import brings it back)
            unload("fascia.app.blerequests")
            unload("fascia.spec.control")
            self._settle = True  # (its room is free at the next poll)
        if now >= self._next_time:
            self._next_time = now + 1000
            self.ble.gatts_write(self.h_time, _current_time())
        self._update_live(now)
        if self.app.battery() != self._battery:
            self._battery = self.app.battery()
            self.ble.gatts_write(self.h_battery, bytes((self._battery,)))
            self._notify(self.h_battery, None)
        due = min(self._next_time, self._sent_at + gatt.LIVE_IDLE_MS)
        if self.conn >= 0 and self.app.state():
            due = min(due, self._next_live)
        if self.confirm_until:
            due = min(due, self.confirm_until)
        return due

    def forget(self, key) -> None:
        """Forget a bonded host (the device's menu); if it is the one connected, drop its link."""
        self.bonds.forget(key)
        if self.conn >= 0 and key in (self.peer, self.bond):
            self.secure = False
            self.ble.gap_disconnect(self.conn)

    def _notify(self, handle, data) -> None:
        if self.conn >= 0 and (self.secure or self.open_live):
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
        count = app.counter().count
        fresh = count != self._last_count and now - self._sent_at >= gatt.LIVE_MIN_MS
        if now < self._next_live and not fresh:
            return
        self._next_live = now + gatt.LIVE_PERIOD_MS
        self._pack_live(now)
        if not app.state() and self._live == self._last_live and now - self._sent_at < gatt.LIVE_IDLE_MS:
            return
        self._sent_at = now
        self._last_count = count
        self._last_live[:] = self._live
        self.ble.gatts_write(self.h_live, self._live)
        self._notify(self.h_live, self._live)

    def _pack_live(self, now: int) -> None:
        app = self.app
        state, phase, count, elapsed, rate, figure, left, rnd = app.live(now)
        flags = gatt.FLAG_REST if phase else 0  # (phase: fascia.app.session's WORK 0, REST 1)
        if left >= 0 and app.activity()[1] != "countdown_count":
            left = (left + 999) // 1000  # ms: whole seconds, rounded up as the screen shows them
        elif left < 0:
            left = gatt.NONE_LEFT
        result = app.summary_shown()
        if not state and result is not None:
            flags |= gatt.FLAG_SUMMARY
            elapsed = result[1]
        activity, mode = app.activity()
        struct.pack_into(
            gatt.LIVE_FMT,
            self._live,
            0,
            log.ACTIVITY_CODES[activity],
            state,
            log.MODE_CODES[mode],
            flags,
            count,
            elapsed,
            min(rate, 0xFFFF),
            min(max(figure, 0), 0xFFFF),
            min(left, gatt.NONE_LEFT),
            app.battery(),
            rnd,
        )

    # -- CONTROL ----------------------------------------------------------------------------------------
    def _host_code(self):
        """fascia.app.blerequests: loaded for a host's first request, dropped when the host leaves.
        Its import needs a few KiB in one piece: a collection first gives it the best chance."""
        if not self._host_loaded:
            gc.collect()
        from fascia.app import blerequests

        self._host_loaded = True
        return blerequests

    def _control(self, now: int, req: bytes) -> None:
        try:
            answer = self._host_code().answer(self, now, req)
        except Exception:  # (MemoryError) no room for its code: nothing changed; the host hears so
            try:
                answer = _failed(req)
            except MemoryError:  # not even for that: the host's request times out
                return
        self._next_live = 0  # a change shows in LIVE right away (this very poll)
        self.ble.gatts_write(self.h_control, answer)
        if self.conn >= 0:
            try:
                self.ble.gatts_indicate(self.conn, self.h_control)
                self._indicating = now or 1
            except OSError:
                pass


def _failed(req: bytes) -> bytes:
    """OPERATION_FAILED for `req`, built without blerequests (whose import just failed)."""
    from fascia.spec import control

    return struct.pack(
        control.RESPONSE_HEAD, control.RESPONSE_CODE, req[0] if req else 0, control.OPERATION_FAILED
    )


def _current_time() -> bytes:
    t = time.gmtime()
    return struct.pack(gatt.CURRENT_TIME_FMT, t[0], t[1], t[2], t[3], t[4], t[5], t[6] + 1, 0, 0)
