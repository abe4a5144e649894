"""Fault injection for the reliability suite (simulator only: the firmware never imports this).

Usage (inside micropython, cwd = the simulated flash): sim_faults.py SETTINGS.json

Runs the unchanged App on the simulated board (sim_board) through a schedule of sessions, with
faults put in from outside the firmware:

- Flash writes: the `open` the firmware's flash writers (fascia.app.logstore, fascia.app.progress)
  see is replaced by one whose files count every `write` call. `cut` = {"write": k, "keep": n,
  "erase": bool}: the k-th write puts only its first n bytes on the flash (then, with "erase",
  0xFF bytes for the rest of it: a NOR page that was allocated but never programmed), flushes, and
  the process is SIGKILLed (`kill -9` of itself, through os.system, as the unix port has no
  os._exit): a power cut at an exact byte. `enospc` = {"from_write": k, "after_ms": t,
  "until_ms": u} (each optional): from the k-th write / time t on, until time u, every write
  raises OSError(ENOSPC) and writes nothing (the flash is full; `until_ms`: a sync freed it).
  `trace_writes`: print one line per completed write ({"w": k, "file", "off", "n", "crc"}), so
  the host knows what was committed.
- Bus: `i2c_glitch` = [from_ms, until_ms]: the sensor does not answer (OSError ETIMEDOUT) in that
  window only (sim_board's fail_after_ms is for good). `slow_read_ms` makes every sensor read
  take that long (a slow CPU or a stretched I2C clock): the virtual clock advances inside the
  read, and the watchdog is checked there, so a main loop that never returns is caught as a
  watchdog reset instead of hanging the simulator.
- Speed: the sensor model skips samples that could only overflow its FIFO (exactly what the chip
  keeps), so long idle stretches cost nothing; `no_display` skips the display's bus transfer.

settings (beyond sim_board's; times are virtual ms):
    end_ms        stop here (required)
    step_ms       main-loop period while recording (64: one FIFO chunk at 500 Hz, so every read
                  gets whole fresh chunks and counts equal `fascia count` on device_view samples)
    idle_step_ms  main-loop period while no session is open (default step_ms)
    sessions      [{"activity", "mode", "trace", "start_ms", "stop_ms"}]: the activity is chosen
                  100 ms before start_ms, the trace plays from start_ms (the sensor lies still
                  otherwise), the session is stopped at stop_ms (if it is still open)
    workload      "app" (default) or "store": LogStore alone writing every record type, EVENTS
                  included (the App writes no EVENTS), for the power-cut suite
    configure     [{"t_ms", "changes"}]: at t_ms a host changes settings, as over Bluetooth
                  (fascia.app.blerequests' config.json write, cut like any other write)
    heap_every_ms also print the live heap this often (it is printed at every session end)
    final_frame   save the last display frame (raw model bytes) here
Prints JSON lines: {"ev": "start"|"end"|"heap"|"final", ...}, plus the write trace and {"cut": ...}.
"""

import gc
import io
import json
import os
import sys
from binascii import crc32

from sim_board import make
from sim_trace import TracePlayer

_STILL = (0, 0, 1000)  # lying still, screen up
_ENOSPC = 28  # (the unix port's errno module has no ENOSPC; 28 on the ESP32's littlefs too)
_ETIMEDOUT = 110
_real_open = open


def _emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")


class FaultyFile(io.IOBase):  # an IOBase, so json.dump (days.json) can write to it
    """A flash file whose writes go through FlashFaults."""

    def __init__(self, faults, path, f):
        self._faults = faults
        self._path = path
        self._f = f
        self._pos = 0

    def write(self, data):
        n = self._faults.write(self, data)
        self._pos += n
        return n

    def flush(self):
        self._f.flush()

    def close(self):
        self._f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._f.close()


class FlashFaults:
    """The `open` seen by the firmware's flash writers: counts, traces, cuts or refuses writes."""

    def __init__(self, settings, clock):
        self.clock = clock
        self.cut = settings.get("cut")
        self.full = settings.get("enospc")
        self.trace = settings.get("trace_writes", False)
        self.writes = 0
        self.refused = 0

    def install(self, modules):
        for m in modules:
            m.open = self.open

    def open(self, path, mode="r", *args):
        f = _real_open(path, mode, *args)
        if "w" in mode or "a" in mode:
            return FaultyFile(self, path, f)
        return f

    def write(self, file, data):
        full = self.full
        now = self.clock.now
        if (
            full is not None
            and self.writes + 1 >= full.get("from_write", 1)
            and full.get("after_ms", 0) <= now < full.get("until_ms", now + 1)
        ):
            self.refused += 1
            raise OSError(_ENOSPC)
        raw = data if isinstance(data, (bytes, bytearray)) else data.encode()
        self.writes += 1
        cut = self.cut
        if cut is not None and self.writes == cut["write"]:
            keep = min(cut["keep"], len(raw))
            part = bytes(raw[:keep])
            if cut.get("erase"):
                part += b"\xff" * (len(raw) - keep)
            file._f.write(part)  # (MicroPython's text files take bytes too)
            file._f.flush()
            _emit({"cut": self.writes, "file": file._path, "off": file._pos, "n": len(raw), "keep": keep})
            os.system("kill -9 $PPID")  # the shell's parent is this process: power off, now
            while True:  # never carry on past the cut, even if the kill were slow
                pass
        n = file._f.write(data)
        if self.trace:
            _emit({"w": self.writes, "file": file._path, "off": file._pos, "n": len(raw), "crc": crc32(raw)})
        return n if n is not None else len(raw)


class Schedule:
    """The world the accelerometer sees: each session's trace from its start, still in between."""

    def __init__(self, sessions):
        self.sessions = sessions
        self.i = 0
        self.player = None

    def __call__(self, t_ms):
        sessions = self.sessions
        while self.i < len(sessions) and t_ms >= sessions[self.i]["stop_ms"]:
            self.i += 1
            self.player = None
        if self.i == len(sessions) or t_ms < sessions[self.i]["start_ms"]:
            return _STILL
        if self.player is None:
            s = sessions[self.i]
            self.player = TracePlayer(s["trace"], s["start_ms"]) if s.get("trace") else _still_player
        return self.player(t_ms)


def _still_player(t_ms):
    return _STILL


def _fast_forward(mpu):
    """Make the sensor model skip the samples its FIFO could not keep anyway (same FIFO, same
    overflow flag), so hours of idle time cost what a FIFO-full costs."""
    advance = mpu.advance_to
    keep = 1024 // mpu.sample_bytes + 2

    def advance_to(t_ms):
        period = mpu.period_us()
        due = (t_ms * 1000 - mpu._next_us) // period
        if due > keep:
            mpu._next_us += (due - keep) * period
        advance(t_ms)

    mpu.advance_to = advance_to


def _sensor_model(board):
    """The SimMPU behind the board's IMU driver (on its simulated I2C bus)."""
    return board.sim_sensor


def _slow_bus(board, ms):
    """Every sensor read takes `ms` of virtual time; the watchdog is checked while it waits."""
    mpu = _sensor_model(board)
    clock = board.sim_clock
    read_into = mpu.read_into

    def slow_read_into(buf):
        clock.now += ms
        board.sim_wdt.check()
        read_into(buf)

    mpu.read_into = slow_read_into


def _i2c_glitch(mpu, start, until):
    transaction = mpu._transaction

    def glitchy():
        transaction()
        if start * 1000 <= mpu.now_us < until * 1000:
            raise OSError(_ETIMEDOUT)

    mpu._transaction = glitchy


def _heap():
    gc.collect()
    return gc.mem_alloc()


def _log_bytes():
    total = 0
    for name in os.listdir("log"):
        total += os.stat("log/" + name)[6]
    return total


def run_app(settings, faults, board):
    from fascia.app.main import App

    clock = board.sim_clock
    sessions = settings.get("sessions", [])
    mpu = _sensor_model(board)
    mpu._fn = Schedule(sessions)
    mpu._rows = None
    _fast_forward(mpu)
    if settings.get("i2c_glitch"):
        _i2c_glitch(mpu, settings["i2c_glitch"][0], settings["i2c_glitch"][1])
    if settings.get("slow_read_ms"):
        _slow_bus(board, settings["slow_read_ms"])
    if settings.get("no_display"):
        board.display.show = _nothing
    app = App(board)
    step = settings.get("step_ms", 64)
    idle_step = settings.get("idle_step_ms", step)
    heap_every = settings.get("heap_every_ms", 0)
    next_heap = heap_every
    events = []
    for i, s in enumerate(sessions):
        events.append((s["start_ms"] - 100, 0, i))  # 0 select, 1 start (before the step), 2 stop (after)
        events.append((s["start_ms"], 1, i))
        events.append((s["stop_ms"], 2, i))
    for k, c in enumerate(settings.get("configure", [])):
        events.append((c["t_ms"], 3, k))
    events.sort()
    end = settings["end_ms"]
    open_session = -1
    now = 0
    while now < end:
        nxt = now + (step if app.trainer.session is not None else idle_step)
        if events and events[0][0] < nxt:
            nxt = events[0][0]
        now = clock.now = max(nxt, clock.now)  # (a slow bus may have moved the clock on)
        while events and events[0][0] <= now and events[0][1] != 2:
            _, kind, i = events.pop(0)
            if kind == 3:
                _configure(app, faults, settings["configure"][i]["changes"])
                continue
            s = sessions[i]
            if kind == 0:
                if app.trainer.session is None:
                    app.select(s["activity"], s.get("mode", "free"))
            else:
                ok = app.start(now)
                if ok:
                    open_session = i
                _emit({"ev": "start", "i": i, "t": now, "ok": ok, "title": app.notice_title})
        was_open = app.trainer.session is not None
        app.step(now)
        board.sim_wdt.check()
        while events and events[0][0] <= now and events[0][1] == 2:
            events.pop(0)
            app.stop(now)
        if was_open and app.trainer.session is None:
            _emit(
                {
                    "ev": "end",
                    "i": open_session,
                    "t": now,
                    "count": app.trainer.det.count,
                    "heap": _heap(),
                    "log_bytes": _log_bytes(),
                    "gaps": app.trainer.recorder.gaps,
                    "title": app.notice_title,
                }
            )
        if heap_every and now >= next_heap:
            next_heap += heap_every
            _emit({"ev": "heap", "t": now, "heap": _heap(), "log_bytes": _log_bytes()})
    app.draw(now)
    if settings.get("final_frame"):
        board.sim_save_frame(settings["final_frame"], False)
    _emit(
        {
            "ev": "final",
            "t": now,
            "view": app.view,
            "title": app.notice_title,
            "lines": list(app.notice_lines),
            "sensor_error": app.trainer.sensor_error,
            "watchdog_feeds": board.sim_wdt.feeds,
            "writes": faults.writes,
            "refused": faults.refused,
            "heap": _heap(),
        }
    )


def _configure(app, faults, changes):
    """A host's settings change (the control point's SET_USER / SELECT path), its write faulted."""
    import fascia.spec.config  # (blerequests imports it and unloads it again: this is the module it gets)
    from fascia.app import blerequests
    from fascia.app.host import Host

    faults.install((fascia.spec.config,))
    result = blerequests._configure(Host(app), changes)
    _emit({"ev": "configure", "t": app.board.sim_clock.now, "result": result})


def _nothing():
    pass


def run_store(settings):
    """LogStore on its own, writing every record type (EVENTS batches of 1..300 events included)."""
    from fascia.app.logstore import LogStore

    store = LogStore("log")
    store.count_boot()
    for k in range(2):
        store.begin("jump_rope", "interval", {"work_s": 30, "rest_s": 10, "rounds": 3}, start=k * 100, boot=1)
        t = 0
        for i in range(1, 5):
            store.progress(i * 5000, i * 11, {"trips": i, "max_streak": 3 * i})
            n = (1, 17, 300, 5)[i - 1]
            store.events([t + 333 * j for j in range(n)])
            t += 333 * n
        store.end(20000, 44, 123, "stop", {"trips": 4, "double_unders": 2, "gaps": 1})
    _emit({"ev": "final", "writes": 0})


def main(path):
    with _real_open(path) as f:
        settings = json.load(f)
    board = make(dict(settings, trace=None))
    faults = FlashFaults(settings, board.sim_clock)
    import fascia.app.logstore
    import fascia.app.progress

    faults.install((fascia.app.logstore, fascia.app.progress))
    if settings.get("workload", "app") == "store":
        run_store(settings)
    else:
        run_app(settings, faults, board)


if __name__ == "__main__":
    main(sys.argv[1])
