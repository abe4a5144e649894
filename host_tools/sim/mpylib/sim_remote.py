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
OP_READ = const(0x72)  # "r": I2C plain read
OP_WRITE = const(0x77)  # "w": I2C plain write
OP_SCAN = const(0x53)  # "S"
OP_PIN = const(0x50)  # "P": a pin the firmware drives (reg = level)
OP_SPI = const(0x58)  # "X": SPI write
OP_TRACE = const(0x54)  # "T": has the trace ended? (answer: finished u8, end_ms u32)
OP_FRAME = const(0x46)  # "F": save the display frame to a path (reg 1: only if it changed)


class Link:
    def __init__(self, port, clock):
        self.clock = clock
        self.sock = socket.socket()
        self.sock.connect(socket.getaddrinfo("127.0.0.1", port)[0][-1])

    def _recv(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise OSError(5)  # EIO: the host side has gone
            data += chunk
        return data

    def call(self, op, addr=0, reg=0, payload=b"", n=0):
        """One transaction; returns the answer's bytes or raises OSError(errno) as a bus would."""
        size = len(payload) if payload else n
        self.sock.send(struct.pack(REQUEST, op, addr, reg, self.clock.now, size) + payload)
        status, length = struct.unpack(ANSWER, self._recv(3))
        data = self._recv(length) if length else b""
        if status:
            raise OSError(status)
        return data


class RemoteI2C:
    """machine.I2C's methods that the drivers use, carried out by the host's models."""

    def __init__(self, link):
        self.link = link

    def readfrom_mem_into(self, addr, memaddr, buf, *, addrsize=8):
        data = self.link.call(OP_READ_MEM, addr, memaddr, n=len(buf))
        for i in range(len(data)):
            buf[i] = data[i]

    def readfrom_mem(self, addr, memaddr, nbytes, *, addrsize=8):
        return self.link.call(OP_READ_MEM, addr, memaddr, n=nbytes)

    def writeto_mem(self, addr, memaddr, buf, *, addrsize=8):
        self.link.call(OP_WRITE_MEM, addr, memaddr, bytes(buf))

    def writeto(self, addr, buf, stop=True):
        self.link.call(OP_WRITE, addr, 0, bytes(buf))
        return len(buf)

    def writevto(self, addr, vector, stop=True):
        data = b"".join(bytes(b) for b in vector)
        self.link.call(OP_WRITE, addr, 0, data)
        return len(data)

    def readfrom_into(self, addr, buf, stop=True):
        data = self.link.call(OP_READ, addr, 0, n=len(buf))
        for i in range(len(data)):
            buf[i] = data[i]

    def readfrom(self, addr, nbytes, stop=True):
        return self.link.call(OP_READ, addr, 0, n=nbytes)

    def scan(self):
        return list(self.link.call(OP_SCAN))


class RemoteSPI:
    def __init__(self, link):
        self.link = link

    def init(self, *args, **kw):
        pass

    def write(self, buf):
        self.link.call(OP_SPI, 0, 0, bytes(buf))


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
