"""The simulated board's chips in the host process, served to the firmware over a local socket.

`HardwareServer(settings)` builds the same models the in-process simulator uses (host_tools/sim/
mpylib: the MPU FIFO model fed by the trace, the SSD1306 or ST7789 display model) and answers the
bus transactions that `sim_remote` sends from the micropython process (wire format and ops:
sim_remote's docstring). Each request carries the virtual time, so the sensor produces exactly the
samples it would have by then. With the chips out of its heap, the firmware's memory use can be
measured as it is on a board.
"""

from __future__ import annotations

import errno
import socket
import struct
import sys
import threading
from pathlib import Path

import fascia  # noqa: F401  (registers the `micropython` stand-in that the shared models import)
from host_tools import mpy

if str(mpy.SIM_LIB) not in sys.path:
    sys.path.append(str(mpy.SIM_LIB))  # the models are shared with the in-process simulator

import sim_remote as wire  # noqa: E402
from sim_i2c import SimI2C  # noqa: E402
from sim_mpu import SimMPU  # noqa: E402
from sim_trace import TracePlayer  # noqa: E402

_REQ = struct.Struct(wire.REQUEST)
_ANS = struct.Struct(wire.ANSWER)


class Hardware:
    """The chips of one simulated board and the virtual time of the last transaction."""

    def __init__(self, settings: dict):
        self.now = 0
        kind = settings.get("board", "m5stickc")
        self.trace = TracePlayer(settings.get("trace"), settings.get("trace_start_ms", 0))
        self.mpu = SimMPU(
            "mpu6886" if kind == "m5stickc" else "mpu6050",
            source=self.trace,
            clock=lambda: self.now,
            fail_after_ms=settings.get("fail_after_ms"),
            stuck_after_ms=settings.get("stuck_after_ms"),
        )
        self.i2c = SimI2C()
        self.i2c.add(0x68, self.mpu)
        if kind == "m5stickc":
            from sim_st7789 import SimST7789

            lcd = SimST7789()
            self.display, self.spi, self.pins = lcd, lcd.spi, (lcd.dc, lcd.cs, lcd.rst)
        else:
            from sim_ssd1306 import SimSSD1306

            self.display, self.spi, self.pins = self.i2c.add(0x3C, SimSSD1306()), None, ()
        self._last_frame = b""

    def frame(self) -> bytes:
        return bytes(self.display.glass())

    def handle(self, op: int, addr: int, reg: int, payload: bytes, n: int) -> bytes:
        if op == wire.OP_READ_MEM:
            return self.i2c.readfrom_mem(addr, reg, n)
        if op == wire.OP_WRITE_MEM:
            self.i2c.writeto_mem(addr, reg, payload)
            return b""
        if op == wire.OP_PIN:
            self.pins[addr].value(reg)
            return b""
        if op == wire.OP_SPI and self.spi is not None:
            self.spi.write(payload)
            return b""
        if op == wire.OP_TRACE:
            return struct.pack("<BI", self.trace.finished, self.trace.end_ms or 0)
        if op == wire.OP_FRAME:
            frame = self.frame()
            if reg and frame == self._last_frame:
                return b"\x00"
            Path(payload.decode()).write_bytes(frame)
            self._last_frame = frame
            return b"\x01"
        raise OSError(errno.EINVAL)


class HardwareServer:
    """Listens on 127.0.0.1 (an ephemeral port: `.port`) and serves one firmware process."""

    def __init__(self, settings: dict):
        self.hw = Hardware(settings)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.transactions = 0
        self._thread = threading.Thread(target=self._serve, name="sim-hardware", daemon=True)

    def __enter__(self) -> HardwareServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._listener.close()
        self._thread.join(timeout=5)

    def _serve(self) -> None:
        try:
            conn, _ = self._listener.accept()
        except OSError:  # closed before the firmware connected (it crashed early)
            return
        with conn:
            f = conn.makefile("rwb", buffering=0)
            while True:
                head = _read(f, _REQ.size)
                if head is None:
                    return  # the firmware process ended
                op, addr, reg, now, n = _REQ.unpack(head)
                writes = op in (wire.OP_WRITE_MEM, wire.OP_SPI, wire.OP_FRAME)
                payload = (_read(f, n) or b"") if writes and n else b""
                self.hw.now = now
                self.transactions += 1
                try:
                    data = self.hw.handle(op, addr, reg, payload, n)
                    status = 0
                except OSError as e:
                    data, status = b"", (e.args[0] if e.args and isinstance(e.args[0], int) else errno.EIO)
                f.write(_ANS.pack(status, len(data)) + data)


def _read(f, n: int) -> bytes | None:
    data = b""
    while len(data) < n:
        chunk = f.read(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data
