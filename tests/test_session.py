"""Session modes and config validation: the rules the device applies, on both runtimes."""


def test_modes(dual):
    problems, countdown, count_mode, interval, free, kcal, bad_cfg, bad_json = dual("session_driver")
    assert problems == []

    # countdown_time 20 s with a 3 s pause: done at 23 s of wall time, target reached
    assert countdown["reason"] == 1 and countdown["elapsed"] == 20000
    last = countdown["events"][-1]
    assert last["t"] == 1000 + 23000 and last["state"] == 3  # DONE

    # countdown_count 30 at 3 per second: stops at 10 s
    assert count_mode["count"] == 30 and count_mode["elapsed"] == 10000 and count_mode["reason"] == 1

    # interval 2 x (10 s work + 5 s rest): work, rest, work, done; no counting during rest
    phases = [(e["phase"], e["round"]) for e in interval["events"] if e["state"] == 1]  # RUNNING
    assert (1, 1) in phases and (0, 2) in phases
    assert interval["elapsed"] == 25000 and interval["active"] == 20000
    assert interval["count"] == 2 * 20

    # free: runs until stopped by the user
    assert free["reason"] == 0 and free["elapsed"] == 12000 and free["events"][-1]["left"] == -1

    assert kcal == 118 * 70 * 600000 // 3600000


def test_config_rejects_bad_values_keeps_defaults(dual):
    *_, bad_cfg, bad_json = dual("session_driver")
    cfg, problems = bad_cfg
    assert cfg["weight_kg"] == 70 and cfg["mode"] == "interval" and cfg["device_name"] == "fascia"
    assert problems == [
        "device_name must be 1 to 20 plain characters",
        "weight_kg must be a whole number",
        "unknown setting 'zzz' ignored",
    ]
    assert bad_json == ["config.json is not valid JSON: defaults used"]
