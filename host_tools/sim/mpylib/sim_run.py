"""The simulated device's "power on": build the simulated board, run the unchanged app on a virtual clock.

Usage (inside micropython, cwd = the simulated flash): sim_run.py SETTINGS.json
settings, beyond sim_board's:
    end_ms        stop the simulation at this virtual time (required)
    step_ms       main-loop period (default 2); 0: as the device's loop (fascia.app.main.run) runs,
                  stepping again only when the app said it next has work (the "wakes" in the
                  status lines count its steps, "busy_us" the wall time they took)
    speed         0 = as fast as possible, else N x real time (1 = real time)
    frames_dir    where the final display frame is saved (raw model bytes)
    frames_every_ms  also save every changed frame, at most this often (0 = final frame only)
    start_on_trace  begin a session at trace_start_ms without button presses (exact alignment
                  of the trace with the session clock, for comparisons with `fascia count`)
    stop_after_trace_ms  end the session this long after the trace's last row (default 1000)
    report_modules  add "modules" (the firmware's modules loaded) to the status lines
Prints one JSON line per virtual second ({"t", "view", "count", "state"}) and one at the end.
"""

import json
import sys
import time

from sim_board import make


def main(path):
    with open(path) as f:
        settings = json.load(f)
    board = make(settings)  # first, as firmware/main.py does: the frame buffers go into an empty heap
    from fascia.app.main import App

    clock = board.sim_clock
    app = App(board)
    end = settings["end_ms"]
    step = settings.get("step_ms", 2)
    speed = settings.get("speed", 0)
    frames_dir = settings.get("frames_dir")
    frames_every = settings.get("frames_every_ms", 0)
    start_on_trace = settings.get("start_on_trace", False)
    trace_start = settings.get("trace_start_ms", 0)
    stop_after = settings.get("stop_after_trace_ms", 1000)
    modules = settings.get("report_modules", False)
    kind = "rgb565" if board.name == "m5stickc" else "vlsb"
    last_frame_t = -1000
    frame_no = 0
    next_status = 1000
    wall0 = time.ticks_ms()
    started = False
    stopped = False
    wakes = 0
    busy_us = 0
    due = 0
    while clock.now < end:
        if step:
            clock.now += step
        else:  # sleep until the app's next deadline (but wake for the trace's start, as a button would)
            nxt = max(clock.now + 1, due)
            if start_on_trace and not started and clock.now < trace_start < nxt:
                nxt = trace_start
            clock.now = nxt
        if start_on_trace and not started and clock.now >= trace_start:
            started = app.start(clock.now)
        if board.sim_radio is not None:  # the radio runs beside the app
            board.sim_radio.pump()
        t0 = time.ticks_us()
        due = app.step(clock.now)
        busy_us += time.ticks_diff(time.ticks_us(), t0)
        wakes += 1
        board.sim_wdt.check()
        player = board.sim_trace
        if (
            started
            and not stopped
            and player.finished
            and clock.now >= trace_start + player.end_ms + stop_after
        ):
            app.stop(clock.now)
            app.draw(clock.now)
            stopped = True
        if frames_dir and frames_every and clock.now - last_frame_t >= frames_every:
            path = "%s/frame_%05d_%08d.%s" % (frames_dir, frame_no + 1, clock.now, kind)
            if board.sim_save_frame(path, True):
                frame_no += 1
                last_frame_t = clock.now
        if clock.now >= next_status:
            next_status = (clock.now // 1000 + 1) * 1000
            _status(app, clock.now, modules, wakes=wakes, busy_us=busy_us)
        if speed:
            ahead = int(clock.now / speed) - time.ticks_diff(time.ticks_ms(), wall0)  # (speed may be 1.5)
            if ahead > 0:
                time.sleep_ms(ahead)
        if stopped and start_on_trace:
            break
    if frames_dir:
        board.sim_save_frame("%s/final.%s" % (frames_dir, kind), False)
    _status(app, clock.now, modules, final=True, wakes=wakes, busy_us=busy_us)


def _status(app, now, modules, final=False, wakes=0, busy_us=0):
    t = app.trainer
    s = t.session
    out = {
        "t": now,
        "view": app.view,
        "count": t.det.count,
        "state": s.state if s is not None else -1,
        "activity": t.activity,
        "gaps": t.recorder.gaps,
        "wakes": wakes,
        "busy_us": busy_us,
    }
    if modules:
        out["modules"] = sorted(name for name in sys.modules if name.startswith("fascia"))
    if app.board.rtc.set_to is not None:  # the time the host set
        out["rtc"] = list(app.board.rtc.set_to)
    if final:
        out["final"] = True
        out["sensor_error"] = t.sensor_error
        out["watchdog_feeds"] = app.board.sim_wdt.feeds
    json.dump(out, sys.stdout)  # streamed: the harness shares the device's heap
    print()


main(sys.argv[1])
