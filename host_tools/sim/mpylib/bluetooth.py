"""`bluetooth` for the simulator: MicroPython's `bluetooth.BLE` API, bridged to a Bumble radio.

The unix port has no `bluetooth` module. This one implements the subset the firmware uses
(fascia.app.ble) and forwards it over a local TCP socket to host_tools/sim/ble_bridge.py, which
serves the GATT database from a Bumble device on a virtual link. As with the real stack, the
bridge answers reads and enforces buffer sizes itself; the firmware hears about connections,
writes, MTU changes and indication confirmations through its `irq` handler.

Nothing here blocks: `pump()` (called by the simulator's loop, like the radio running beside the
app) handles whatever the bridge sent and calls the IRQ handler; sends are small lines on a
local socket. Messages are one JSON object per line; bytes travel as hex (an attribute value sent
to the bridge wraps its message: {"v": hex, "m": message}).

Security is the stack's too: the bridge pairs (Bumble's SMP) with the settings of
`config(bond=, mitm=, le_secure=, io=)` and asks the firmware, as NimBLE does, for a passkey to
show (_IRQ_PASSKEY_ACTION, answered with `gap_passkey`) and for the secrets it keeps
(_IRQ_GET_SECRET / _IRQ_SET_SECRET, answered by the handler's return value, which goes back to
the bridge). `Radio.on_screen(path)`, set by the simulated board, saves the display when the host
side asks (a test reading the passkey off the screen).
"""

import json
import select
import socket
from binascii import hexlify, unhexlify

FLAG_BROADCAST = 0x0001
FLAG_READ = 0x0002
FLAG_WRITE_NO_RESPONSE = 0x0004
FLAG_WRITE = 0x0008
FLAG_NOTIFY = 0x0010
FLAG_INDICATE = 0x0020

_IRQ_CENTRAL_CONNECT = 1
_IRQ_CENTRAL_DISCONNECT = 2
_IRQ_GATTS_WRITE = 3
_IRQ_GATTS_INDICATE_DONE = 20
_IRQ_MTU_EXCHANGED = 21
_IRQ_ENCRYPTION_UPDATE = 28
_IRQ_GET_SECRET = 29
_IRQ_SET_SECRET = 30
_IRQ_PASSKEY_ACTION = 31

_DEFAULT_BUFFER = 20  # MicroPython's default attribute buffer (MP_BLUETOOTH_DEFAULT_ATTR_LEN)
_RECV_BYTES = 256  # read from the bridge per pump (the device's heap pays for it)
_HEX_PIECE = 32  # bytes of a value hexlified at a time when sent to the bridge


def UUID(value):
    """A UUID, as the text the bridge wants ("180f", or the 128-bit form in lower case). The
    firmware only hands UUIDs back to gatts_register_services: a str is all it needs, and as small
    in the heap as the stack's C object."""
    return "%04x" % value if isinstance(value, int) else str(value).lower()


def _hex(data):
    return hexlify(bytes(data)).decode()


class Radio:
    """The link to the bridge; `pump()` delivers its events to the BLE object's IRQ handler."""

    def __init__(self, port, host="127.0.0.1"):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.connect(socket.getaddrinfo(host, port)[0][-1])
        self.poller = select.poll()
        self.poller.register(self.sock, select.POLLIN)
        self.rx = b""
        self.ble = None
        self.on_screen = None  # save the display to a path (the simulated board sets it)
        self.on_press = None  # press a button now (button, hold ms) -> virtual ms (the board sets it)

    def send(self, msg, value=None):
        """One JSON line; `value` (bytes) rides along as its "v" field, in hex. Both are streamed
        in small pieces: the real stack copies a value into its own buffer, not into new objects."""
        sock = self.sock
        try:
            if value is not None:
                sock.write(b'{"v": "')
                view = memoryview(value)
                for i in range(0, len(value), _HEX_PIECE):
                    sock.write(hexlify(view[i : i + _HEX_PIECE]))
                sock.write(b'", "m": ')
            json.dump(msg, sock)
            sock.write(b"}\n" if value is not None else b"\n")
        except OSError as e:
            if e.args and e.args[0] in (32, 104):  # EPIPE, ECONNRESET: the bridge closed as we spoke
                raise SystemExit(0)  # as in pump(): the simulated device powers off
            raise

    def pump(self):
        """Handle what the bridge has sent; returns at once when there is nothing. Called every
        few ms, so it allocates nothing then (ipoll), as the real stack's idle radio doesn't, and
        little when there is something (events are short lines; more is read at the next call)."""
        for _ in self.poller.ipoll(0):
            chunk = self.sock.recv(_RECV_BYTES)
            if not chunk:
                raise SystemExit(0)  # the bridge is gone: the simulated device powers off
            self.rx += chunk
            while b"\n" in self.rx:
                line, self.rx = self.rx.split(b"\n", 1)
                msg = json.loads(line)
                if msg["ev"] == "off":
                    raise SystemExit(0)
                if msg["ev"] == "screen":
                    if self.on_screen is not None:
                        self.on_screen(msg["path"], False)
                    self.send({"op": "answer", "id": msg["id"]})
                elif msg["ev"] == "press":  # a person pressing a button when the test says so
                    t = self.on_press(msg["b"], msg["hold"]) if self.on_press is not None else -1
                    self.send({"op": "answer", "id": msg["id"], "t": t})
                elif self.ble is not None:
                    self.ble._event(msg)


_radio = None


def connect_bridge(port):
    """Attach this process to the bridge listening on 127.0.0.1:`port`; returns the Radio to pump."""
    global _radio
    _radio = Radio(port)
    return _radio


class BLE:
    def __init__(self):
        if _radio is None:
            raise OSError("bluetooth: no bridge (call bluetooth.connect_bridge(port) first)")
        self._radio = _radio
        _radio.ble = self
        self._active = False
        self._handler = None
        self._values = {}
        self._name = "MPY"
        self._next_handle = 1

    def active(self, state=None):
        if state is not None:
            self._active = bool(state)
        return self._active

    def config(self, *query, **settings):
        if query:
            if query[0] == "gap_name":
                return self._name
            if query[0] == "mac":
                return (1, b"\xf0\xfa\x5c\x00\x00\x01")
            raise ValueError("unknown config param")
        if "gap_name" in settings:
            self._name = settings["gap_name"]
            self._radio.send({"op": "name", "name": self._name})
        security = {k: settings[k] for k in ("bond", "mitm", "le_secure", "io") if k in settings}
        if security:
            self._radio.send({"op": "security", "settings": security})

    def irq(self, handler):
        self._handler = handler

    def gatts_register_services(self, services):
        """Handles numbered as NimBLE does: service, then declaration + value (+ CCCD) per characteristic."""
        out = []
        spec = []
        for svc_uuid, chars in services:
            self._next_handle += 1
            handles = []
            cs = []
            for ch in chars:
                uuid, flags = ch[0], ch[1]
                value_handle = self._next_handle + 1
                self._next_handle += 2
                if flags & (FLAG_NOTIFY | FLAG_INDICATE):
                    self._next_handle += 1
                self._values[value_handle] = b""
                handles.append(value_handle)
                cs.append({"uuid": uuid, "flags": flags, "h": value_handle})
            out.append(tuple(handles))
            spec.append({"uuid": svc_uuid, "chars": cs})
        self._radio.send({"op": "register", "services": spec})
        return tuple(out)

    def gatts_set_buffer(self, handle, size, append=False):
        self._radio.send({"op": "buffer", "h": handle, "n": size})

    def gatts_write(self, handle, data, send_update=False):
        self._values[handle] = bytes(data)
        self._radio.send({"op": "write", "h": handle, "update": bool(send_update)}, self._values[handle])

    def gatts_read(self, handle):
        return self._values[handle]

    def gatts_notify(self, conn, handle, data=None):
        value = self._values[handle] if data is None else bytes(data)
        self._radio.send({"op": "notify", "c": conn, "h": handle}, value)

    def gatts_indicate(self, conn, handle, data=None):
        value = self._values[handle] if data is None else bytes(data)
        self._radio.send({"op": "indicate", "c": conn, "h": handle}, value)

    def gap_advertise(self, interval_us, adv_data=None, resp_data=None, connectable=True):
        msg = {"op": "advertise", "interval_us": interval_us, "connectable": connectable}
        msg["adv"] = _hex(adv_data or b"")
        msg["resp"] = _hex(resp_data or b"")
        self._radio.send(msg)

    def gap_passkey(self, conn, action, passkey):
        self._radio.send({"op": "passkey", "c": conn, "action": action, "passkey": passkey})

    def gap_disconnect(self, conn):
        self._radio.send({"op": "disconnect", "c": conn})
        return True

    def _event(self, msg):
        ev = msg["ev"]
        h = self._handler
        if ev == "write":
            self._values[msg["h"]] = unhexlify(msg["v"])
            if h:
                h(_IRQ_GATTS_WRITE, (msg["c"], msg["h"]))
        elif ev == "connect" and h:
            h(_IRQ_CENTRAL_CONNECT, (msg["c"], msg["at"], memoryview(unhexlify(msg["a"]))))
        elif ev == "disconnect" and h:
            h(_IRQ_CENTRAL_DISCONNECT, (msg["c"], msg["at"], memoryview(unhexlify(msg["a"]))))
        elif ev == "indicated" and h:
            h(_IRQ_GATTS_INDICATE_DONE, (msg["c"], msg["h"], msg["status"]))
        elif ev == "mtu" and h:
            h(_IRQ_MTU_EXCHANGED, (msg["c"], msg["mtu"]))
        elif ev == "encryption" and h:
            h(_IRQ_ENCRYPTION_UPDATE, (msg["c"], msg["enc"], msg["auth"], msg["bonded"], msg["key_size"]))
        elif ev == "passkey" and h:
            h(_IRQ_PASSKEY_ACTION, (msg["c"], msg["action"], msg["passkey"]))
        elif ev == "get_secret":
            key = memoryview(unhexlify(msg["k"])) if msg["k"] is not None else None
            value = h(_IRQ_GET_SECRET, (msg["t"], msg["i"], key)) if h else None
            self._radio.send({"op": "answer", "id": msg["id"]}, value)
        elif ev == "set_secret":
            value = memoryview(unhexlify(msg["v"])) if msg["v"] is not None else None
            done = h(_IRQ_SET_SECRET, (msg["t"], memoryview(unhexlify(msg["k"])), value)) if h else False
            self._radio.send({"op": "answer", "id": msg["id"], "ok": bool(done)})
