"""Remote hardware for the simulated board: bus objects whose devices live in the host process.

With `hw_port` in the settings, sim_board builds the board on these instead of on in-process
models: `RemoteI2C`, `RemoteSPI` and `remote_pin` send each bus transaction, stamped with the
virtual time, over a local socket to host_tools/sim/hw_server.py, which runs the same register
and display models and answers. The firmware's heap then holds only the firmware (plus these few
small classes), as on a board, where the sensor and the display are chips, not Python objects.
Wire format (little-endian): request op u8, addr u8, reg u16, now_ms u32, n u16, then n payload
bytes for writes; answer status u8 (0 ok, else an errno), n u16, then n bytes.
"""

import socket
import struct

from micropython import const

REQUEST = "<BBHIH"  # op, addr, reg, now_ms, n
ANSWER = "<BH"  # status, n

# ops: the one table of the wire; host_tools/sim/hw_server.py (the other end) imports it
OP_READ_MEM = const(0x52)  # "R": I2C register read
OP_WRITE_MEM = const(0x57)  # "W": I2C register write
OP_PIN = const(0x50)  # "P": a pin the firmware drives (reg = level)
OP_SPI = const(0x58)  # "X": SPI write
OP_TRACE = const(0x54)  # "T": has the trace ended? (answer: finished u8, end_ms u32)
OP_FRAME = const(0x46)  # "F": save the display frame to a path (reg 1: only if it changed)


class Link:
    """The socket to hw_server. Transactions allocate nothing on the way (preallocated head and
    answer buffers, reads straight into the caller's buffer), as a real bus costs the firmware no
    heap: the simulation must not make the firmware's memory figures worse than a board's."""

    def __init__(self, port, clock):
        self.clock = clock
        self.sock = socket.socket()
        self.sock.connect(socket.getaddrinfo("127.0.0.1", port)[0][-1])
        self.sock.setsockopt(6, 1, 1)  # IPPROTO_TCP, TCP_NODELAY: a request's two parts go out at once
        self._head = bytearray(struct.calcsize(REQUEST))
        self._answer = bytearray(struct.calcsize(ANSWER))

    def _read_into(self, buf):
        if self.sock.readinto(buf) != len(buf):  # (a blocking stream reads the whole buffer)
            raise OSError(5)  # EIO: the host side has gone

    def call(self, op, addr=0, reg=0, payload=None, n=0, into=None):
        """One transaction: sends `payload`, or asks for `n` bytes (or len(into), read into `into`).
        Returns the answer's bytes (or `into`); raises OSError(errno) as a bus would."""
        size = len(payload) if payload is not None else (len(into) if into is not None else n)
        struct.pack_into(REQUEST, self._head, 0, op, addr, reg, self.clock.now, size)
        self.sock.sendall(self._head)
        if payload:  # sent apart: a display band joined to the head would be a copy in the heap
            self.sock.sendall(payload)
        self._read_into(self._answer)
        status = self._answer[0]
        length = self._answer[1] | self._answer[2] << 8
        if into is not None and length == len(into):
            self._read_into(into)
            data = into
        elif length:
            data = bytearray(length)
            self._read_into(data)
        else:
            data = b""
        if status:
            raise OSError(status)
        return data


class RemoteI2C:
    """The machine.I2C methods the drivers use, carried out by the host's models."""

    def __init__(self, link):
        self.link = link

    def readfrom_mem_into(self, addr, memaddr, buf, *, addrsize=8):
        self.link.call(OP_READ_MEM, addr, memaddr, into=buf)

    def writeto_mem(self, addr, memaddr, buf, *, addrsize=8):
        self.link.call(OP_WRITE_MEM, addr, memaddr, buf)


class RemoteSPI:
    def __init__(self, link):
        self.link = link

    def init(self, *args, **kw):
        pass

    def write(self, buf):
        self.link.call(OP_SPI, 0, 0, buf)


def remote_pin(link, pin_id, level):
    """An output pin wired to a host-side device (the display's DC, CS, RST): a SimPin whose
    level changes travel to the host."""
    from sim_pins import SimPin

    return SimPin(level, on_change=lambda v: link.call(OP_PIN, pin_id, v))


class RemoteTrace:
    """What sim_run needs to know of the trace the host plays: has it ended, and when."""

    def __init__(self, link):
        self.link = link
        self._finished = False
        self.end_ms = 0

    @property
    def finished(self):
        if not self._finished:
            data = self.link.call(OP_TRACE)
            self._finished = bool(data[0])
            self.end_ms = struct.unpack("<I", data[1:5])[0]
        return self._finished


def save_frame(link, path, only_if_changed):
    """Ask the host to write the display's frame to `path`; True if it did."""
    return link.call(OP_FRAME, 0, 1 if only_if_changed else 0, path.encode())[0] == 1


def chips(s, clock, kind, drivers):
    """(imu, display, save_frame, trace, None: no sensor model here) for sim_board.make: the
    chips in the host process (host_tools/sim/hw_server.py), reached over a socket."""
    link = Link(s["hw_port"], clock)
    bus = (RemoteSPI(link), remote_pin(link, 0, 0), remote_pin(link, 1, 1), remote_pin(link, 2, 1))
    imu, display = drivers(kind, RemoteI2C(link), bus)

    def frames(path, only_if_changed):
        return save_frame(link, path, only_if_changed)

    return imu, display, frames, RemoteTrace(link), None
