# Driver for test_session.py: modes and config validation on both runtimes, JSON lines out.
import json

from fascia.app.session import Session, energy_kcal_x10
from fascia.spec import config

cfg, problems = config.validate(
    {
        "countdown_s": 20,
        "countdown_count": 30,
        "interval_work_s": 10,
        "interval_rest_s": 5,
        "interval_rounds": 2,
    }
)


def play(mode, counts_per_s, pause=None, stop_at=None):
    """Run a session in 100 ms ticks; returns the trace of (t, state, phase, round, counting, remaining)."""
    s = Session("jump_rope", mode, cfg)
    s.start(1000)
    count = 0
    events = []
    for i in range(1, 600):
        now = 1000 + i * 100
        if pause and now == pause[0]:
            s.pause(now)
        if pause and now == pause[1]:
            s.resume(now)
        if stop_at and now == stop_at:
            s.stop(now)
        if s.counting and i % 10 == 0:
            count += counts_per_s
        if s.update(now, count) or (i % 50 == 0):
            events.append(
                {
                    "t": now,
                    "state": s.state,
                    "phase": s.phase,
                    "round": s.round,
                    "counting": s.counting,
                    "left": s.remaining(now, count),
                }
            )
        if s.state == 3:
            break
    return {
        "events": events,
        "elapsed": s.elapsed_ms(now),
        "active": s.active_ms(now),
        "count": count,
        "reason": s.end_reason,
    }


print(json.dumps(problems))
print(json.dumps(play("countdown_time", 2, pause=(5000, 8000))))
print(json.dumps(play("countdown_count", 3)))
print(json.dumps(play("interval", 2)))
print(json.dumps(play("free", 2, stop_at=13000)))
print(json.dumps(energy_kcal_x10("jump_rope", 70, 600000)))
print(
    json.dumps(
        config.parse('{"weight_kg": "heavy", "mode": "interval", "zzz": 1, "device_name": "rope\\u0001"}')
    )
)
print(json.dumps(config.parse("{not json")[1]))
