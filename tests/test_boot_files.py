"""A damaged file on the device's flash never stops it from booting (issue 17, item 2)."""

from fascia.spec import config


def test_damaged_boot_files_mean_defaults_and_a_notice(dual, tmp_path):
    *cases, saved = dual("boot_files", str(tmp_path))
    default_kg = config.defaults()["weight_kg"]
    for weight, problems, boot, sid, days, next_id in cases[:-1]:
        assert weight == default_kg and problems >= 1  # defaults, and a complaint for the screen
        assert boot == 1 and sid == 1 and next_id == 2  # the damaged counters start again
        assert days == 0
    assert cases[-1][:2] == [80, 0]
    assert saved == [[dict(config.defaults(), weight_kg=90), []], ["config.json", "days.json", "log"]]


def test_device_boots_on_damaged_files_says_config_and_records(tmp_path):
    """The whole device under MicroPython: invalid UTF-8 in config.json, garbage in the log's
    counters and days.json -> a CONFIG notice on screen, defaults, and the session is recorded."""
    from host_tools.bench import faults

    traces = faults.Traces(faults.OUT.parent / "faults" / "traces")
    rope = traces.rope("basic", 2, 20)
    sessions, end = faults.plan([(rope, "jump_rope")])
    flash = tmp_path / "flash"
    (flash / "log").mkdir(parents=True)
    (flash / config.CONFIG_FILE).write_bytes(b'{"weight_kg": 80, "device_name": "\xff\xfe"}')
    for name in ("log/boots", "log/next_id", "days.json"):
        (flash / name).write_bytes(b"\x80garbage" + b"9" * 300)
    r = faults.run_device(flash, {"sessions": sessions, "end_ms": end})
    assert not r.crashed(), r.crashed()
    assert r.ev("start")[0]["title"] == "CONFIG"
    (end_event,) = r.ev("end")
    assert end_event["count"] == faults.expected_count(rope, "jump_rope") > 0
    assert sorted(faults.sessions_on(flash)) == ["00001.fsl"]
