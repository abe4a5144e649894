"""SimI2C: a stand-in for `machine.I2C` that routes transactions to device models by address.

Runs inside the MicroPython process (and on CPython). A device model implements the two halves of
an I2C transfer as the chip sees them:
    write(data)      one write transaction (the bytes after the address byte)
    read_into(buf)   one read transaction
so `readfrom_mem_into(addr, reg, buf)` is exactly what the wire carries: a write of the register
number, then a repeated-start read. An absent address NACKs: OSError(ENODEV), as on the ESP32.
"""

import errno


class SimI2C:
    def __init__(self, devices=None):
        self.devices = dict(devices or {})
        self.transactions = 0

    def add(self, addr, device):
        self.devices[addr] = device
        return device

    def _dev(self, addr):
        self.transactions += 1
        dev = self.devices.get(addr)
        if dev is None:
            raise OSError(errno.ENODEV)
        return dev

    def scan(self):
        return sorted(self.devices)

    def writeto(self, addr, buf, stop=True):
        self._dev(addr).write(bytes(buf))
        return len(buf)

    def writevto(self, addr, vector, stop=True):
        data = b"".join(bytes(b) for b in vector)
        self._dev(addr).write(data)
        return len(data)

    def readfrom_into(self, addr, buf, stop=True):
        self._dev(addr).read_into(buf)

    def readfrom(self, addr, nbytes, stop=True):
        buf = bytearray(nbytes)
        self._dev(addr).read_into(buf)
        return bytes(buf)

    def writeto_mem(self, addr, memaddr, buf, *, addrsize=8):
        self._dev(addr).write(bytes((memaddr,)) + bytes(buf))

    def readfrom_mem_into(self, addr, memaddr, buf, *, addrsize=8):
        dev = self._dev(addr)
        dev.write(bytes((memaddr,)))
        dev.read_into(buf)

    def readfrom_mem(self, addr, memaddr, nbytes, *, addrsize=8):
        buf = bytearray(nbytes)
        self.readfrom_mem_into(addr, memaddr, buf)
        return bytes(buf)
