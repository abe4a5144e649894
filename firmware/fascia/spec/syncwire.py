"""The USB sync stream: how the device sends session files to the host in one exchange.

The host (host_tools.sync.Device) execs `fascia.app.sync.stream(root, wanted, chunk)` in the raw
REPL, `wanted` a list of [session id, offset, size]: the bytes [offset, size) of each file. The
device answers with frames only, binary, back to back, then ends the exec as any raw REPL exec does.
Every integer little-endian::

    offset  size  field
    0       2     magic FA 53 (MAGIC)
    2       1     kind: DATA, EOF, GONE or END (below)
    3       4     session id
    7       4     offset in the file of the payload's first byte
    11      2     n = payload length, at most MAX_CHUNK
    13      4     CRC-32 (zlib / binascii.crc32) of bytes 0 .. 13 and of the payload
    17      n     payload

    DATA  the file's bytes from `offset` (n >= 1; chunks follow each other in file order)
    EOF   the file's last frame: `offset` is where the device stopped (`size`, or the file's end if
          it is shorter: the host then sees it changed); n = 0
    GONE  no such file; the payload is the reason, UTF-8
    END   no more frames (id, offset 0; n = 0)
    BAUD  (first, only if the host asked for a faster rate and the device can switch its REPL UART)
          `offset` is the new rate: every later frame comes at that rate; after END the device
          waits SETTLE_MS and is back at REPL_BAUD before the exec ends (id 0, n = 0)

A frame that fails its CRC, a wrong magic or a silence ends the attempt: the host interrupts the
device, drains the line and asks again for what it lacks, from the first byte it has not checked
(resuming, at most RESUME_ATTEMPTS times), at REPL_BAUD if the fast rate was in use (the
fallback). Nothing is acknowledged before the whole file has the CRC-32 that `info` listed and the
store has committed it (host_tools.sync).
"""

from micropython import const

MAGIC = b"\xfa\x53"
HEAD_FMT = "<2sBIIHI"  # magic, kind, session id, offset, n, CRC-32
HEAD_SIZE = const(17)
CRC_AT = const(13)  # the CRC field's offset: the CRC covers the head before it, then the payload

DATA = const(1)
EOF = const(2)
GONE = const(3)
END = const(4)
BAUD = const(5)

REPL_BAUD = const(115200)  # the rate mpremote and the ESP32's REPL use
FAST_BAUD = const(1500000)  # what CH9102 and CP210x bridges and the ESP32's UART do (80 MHz / 53.3)
SETTLE_MS = const(20)  # the device waits this long around a switch (its UART FIFO empties, the host follows)

CHUNK = const(4096)  # payload bytes per DATA frame: a CRC each, one write on the device
MAX_CHUNK = const(16384)  # a device refuses larger (its buffer is allocated once per stream)
RESUME_ATTEMPTS = const(3)
