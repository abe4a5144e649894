"""Session log: the shared format (fascia.spec.log) and the device store, on both runtimes."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DRIVERS
from fascia.app.logstore import FLASH_FULL
from fascia.detect import ACTIVITIES
from fascia.spec import log, logread
from host_tools import mpy

INCOMPLETE = "incomplete (no END record: power lost?)"


def test_every_record_type_round_trips(dual):
    hexdata, sizes, session, *_ = dual("log_records")
    assert session["status"] == "complete" and session["errors"] == []
    assert session["header"] == {
        "version": log.FORMAT_VERSION,
        "activity": "jump_rope",
        "mode": "interval",
        "params": {"work_s": 30, "rest_s": 10, "rounds": 5},
        "clock_synced": True,
        "session_id": 12,
        "start": 1700000000,
        "boot": 3,
        "user_weight_g": 72000,
        "load_g": 250,
        "device_id": "a4cf12345678",
    }
    assert session["progress"] == [
        {"elapsed_ms": 5000, "count": 12, "extras": {"trips": 1, "max_streak": 11, "custom_figure": -5}},
        {"elapsed_ms": 10000, "count": 25, "extras": {"trips": 2, "max_streak": 13}},
    ]
    # the 69.3 s gap does not fit a u16 delta: a second EVENTS batch carries on
    assert session["events_ms"] == [100, 400, 700, 70000]
    assert session["end"] == {
        "duration_ms": 60000,
        "count": 100,
        "kcal_x10": 123,
        "reason": "target",
        "extras": {"double_unders": 4, "trips": 2},
    }
    assert (session["count"], session["duration_ms"]) == (100, 60000)
    # the reader on this side (CPython) reads the bytes that runtime wrote identically
    assert logread.parse_session(bytes.fromhex(hexdata)) == session
    assert len(bytes.fromhex(hexdata)) == sum(sizes)


def test_damage_is_reported_and_the_rest_is_read(dual):
    _, sizes, _, flipped, cuts, garbage, huge, unknown, undecodable, newer, clock = dual("log_records")
    types = [log.HEADER, log.PROGRESS, log.EVENTS, log.EVENTS, log.PROGRESS, log.END]
    # a bit flip costs exactly the record it hit
    assert [t for _, t, _ in flipped] == [log.HEADER, log.CORRUPT, *types[2:]]
    assert flipped[1][0] == sizes[0] and "CRC mismatch" in flipped[1][2] and "PROGRESS" in flipped[1][2]
    # inserted garbage, an absurd length, a future record type, an undecodable payload: all skipped
    assert [t for _, t, _ in garbage] == [log.HEADER, log.CORRUPT, *types[1:]]
    assert garbage[1][2] == "11 bytes that are not a record"
    assert [t for _, t, _ in huge] == [log.HEADER, log.CORRUPT, *types[2:]]
    assert "payload length 65535 exceeds the maximum 1024" in huge[1][2]
    assert "unknown record type 9" in unknown[1][2] and [t for _, t, _ in unknown][2:] == types[1:]
    assert undecodable[1][2] == "PROGRESS record: payload too short"
    assert newer == ["format version 2 is newer than this reader (1): update fascia"]
    header, same_boot, earlier_boot = clock
    assert header["clock_synced"] is False and same_boot == 1700000000 - 400 and earlier_boot is None


def test_truncation_loses_only_the_record_being_written(dual):
    hexdata, _, _, _, cuts, *_ = dual("log_records")
    data = bytes.fromhex(hexdata)
    frame_ends = [offset for offset, _, _ in logread.iter_records(data)][1:] + [len(data)]
    assert len(cuts) == len(data) + 1
    for cut, good, status, errors in cuts:
        assert good == sum(1 for end in frame_ends if end <= cut), cut
        if cut == 0 or cut in frame_ends:
            assert errors == [], cut
        else:
            assert len(errors) == 1 and errors[0].endswith("(write cut short: power lost?)"), (cut, errors)
        if cut == len(data):
            assert status == "complete"
        elif cut >= frame_ends[0]:
            assert status == INCOMPLETE


def test_store_writes_lists_syncs_and_deletes(dual, tmp_path):
    (out,) = dual("log_store", str(tmp_path))
    assert out["boots"] == [1, 2, 1]
    assert abs(out["unix_time"] - time.time()) < 60  # the ESP32's 2000 epoch is not leaked into logs
    assert out["while_open"] == [
        1,
        ["LogError", "session 1 is still being recorded"],
        ["LogError", "session 1 is still open"],
    ]
    assert out["after_reboot"] == [2, [[1, False, 112], [2, False, 53]]]
    assert out["refused"] == [
        ["LogError", "session 1 is not synced yet: sync it before deleting"],
        ["LogError", "no session 7"],
        ["LogError", "no session 7"],
    ]
    assert out["synced"] == [[1, True, 112], [2, False, 53]]
    assert out["chunked"] == [True, True, "00001.fss"]
    assert out["readers"] == [["b2", "c3", "d4", "e5"], []]
    assert out["acked_by"] == "c3" and out["damaged_readers"] == []
    assert out["deleted"] == [[2, False, 53]] and out["notes_left"] == []  # its notes go with it
    assert out["bad_counter"] == out["no_counter"] == 3  # recovered from the directory listing
    assert out["new_id"] == [3, 4]
    # statvfs with an unreachable reserve: refused with the display sentence, nothing deleted
    assert out["full"] == [FLASH_FULL, ["LogFull", FLASH_FULL], [2, 3]]
    assert out["small"] == [64, FLASH_FULL]
    # once session 3 is synced it is deleted to make room; the open (unsynced) session 2 stays
    assert out["room"] == [None, [2], 4]
    # the CPython reader reads what this runtime's store wrote
    s2 = logread.parse_session((tmp_path / "00002.fsl").read_bytes())
    assert s2["status"] == INCOMPLETE and s2["errors"] == [] and s2["count"] == 2
    assert s2["header"]["device_id"] == "0102" and s2["header"]["activity"] == "walk"


def _powercut_cmd(runtime: str, root: Path):
    script = DRIVERS / "log_powercut.py"
    if runtime == "micropython":
        env = dict(os.environ, MICROPYPATH=mpy.micropypath([DRIVERS]))
        return [mpy.micropython_binary(), str(script), str(root)], env
    return [sys.executable, str(script), str(root)], dict(os.environ, PYTHONPATH=str(mpy.FIRMWARE))


@pytest.mark.parametrize("kill_after", [1, 40, 300])
def test_power_cut_keeps_every_complete_record(runtime, tmp_path, kill_after):
    cmd, env = _powercut_cmd(runtime, tmp_path)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    acknowledged = 0
    while acknowledged < kill_after and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        acknowledged = int(line)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert acknowledged >= kill_after, proc.stderr.read() if proc.stderr else ""
    (path,) = tmp_path.glob("*.fsl")
    session = logread.parse_session(path.read_bytes())
    assert session["status"] == INCOMPLETE
    assert len(session["errors"]) <= 1  # only the record being written may be lost
    counts = [p["count"] for p in session["progress"]]
    assert counts == list(range(1, len(counts) + 1)) and len(counts) >= acknowledged - 1


def test_activity_codes_cover_the_detectors():
    assert set(ACTIVITIES) <= set(log.ACTIVITY_CODES)
    assert set(log.MODE_CODES) == set(log.MODE_PARAMS)
    assert len(set(log.ACTIVITY_CODES.values())) == len(log.ACTIVITY_CODES)


def test_writer_rejects_bad_fields():
    with pytest.raises(ValueError, match="unknown activity"):
        log.pack_header(1, "tennis", "free")
    with pytest.raises(ValueError, match="takes parameters"):
        log.pack_header(1, "walk", "countdown_time", {"count": 3})
    with pytest.raises(ValueError, match="device id"):
        log.pack_header(1, "walk", "free", device_id="abc")
    with pytest.raises(ValueError, match="exceeds 1024"):
        log.pack_progress(0, 0, {f"a_rather_long_figure_name_{i:02d}": i for i in range(40)})
    # out-of-range figures saturate rather than crash the session end
    big = logread.parse_session(log.pack_end(1, 1, 10**6, "stop", {"trips": 2**40}))["end"]
    assert big["kcal_x10"] == 0xFFFF and big["extras"]["trips"] == 2**31 - 1


# ---------------------------------------------------------------- hostile input never crashes the reader


def _session_bytes(draw_counts: list[int], extras_value: int) -> bytes:
    records = [
        log.pack_header(5, "swing", "countdown_time", {"seconds": 90}, 77, False, 1, "ff00", 80000, 16000)
    ]
    for i, c in enumerate(draw_counts):
        records.append(log.pack_progress(1000 * (i + 1), c, {"swings": c, "tempo": extras_value}))
    records.append(log.pack_events(sorted(draw_counts) or [0]))
    records.append(
        log.pack_end(1000 * len(draw_counts), max(draw_counts, default=0), 50, "stop", {"odd_name": -1})
    )
    return b"".join(records)


def _check_reader(data: bytes) -> list:
    records = list(logread.iter_records(data))
    offset = 0
    for o, t, fields in records:
        assert o == offset  # records and damaged regions tile the input exactly
        if t == log.CORRUPT:
            assert isinstance(fields["error"], str) and fields["skipped"] > 0
            offset += fields["skipped"]
        else:
            offset = o + len(_reframe(data, o))
    assert offset == len(data)
    session = logread.parse_session(data)
    assert isinstance(session["status"], str)
    assert all(isinstance(e, str) for e in session["errors"])
    return records


def _reframe(data: bytes, offset: int) -> bytes:
    n = int.from_bytes(data[offset + 3 : offset + 5], "little")
    return data[offset : offset + 9 + n]


FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.binary(max_size=3000))
def test_random_bytes_never_raise(data):
    _check_reader(data)


@FAST
@given(st.binary(max_size=400), st.integers(0, 2**16 - 1))
def test_random_frames_never_raise(payload, rtype_and_len):
    """Valid CRCs around arbitrary payloads: the decoders themselves meet hostile fields."""
    data = log.frame(rtype_and_len % 6, payload) + log.frame(log.HEADER, payload[: rtype_and_len % 64])
    _check_reader(data)


@FAST
@given(st.lists(st.integers(0, 2**32 - 1), max_size=12), st.integers(-(2**31), 2**31 - 1), st.data())
def test_bit_flips_cost_only_the_record_hit(counts, value, data):
    clean = _session_bytes(counts, value)
    good = [(o, t) for o, t, _ in logread.iter_records(clean)]
    bit = data.draw(st.integers(0, len(clean) * 8 - 1))
    flipped = bytearray(clean)
    flipped[bit // 8] ^= 1 << (bit % 8)
    survivors = [(o, t) for o, t, _ in _check_reader(bytes(flipped)) if t != log.CORRUPT]
    hit = max(o for o, _ in good if o <= bit // 8)
    assert survivors == [r for r in good if r[0] != hit]


@FAST
@given(st.lists(st.integers(0, 10**6), max_size=12), st.data())
def test_truncation_and_wrong_lengths_never_raise(counts, data):
    clean = _session_bytes(counts, 7)
    cut = data.draw(st.integers(0, len(clean)))
    _check_reader(clean[:cut])
    at = data.draw(st.integers(0, max(len(clean) - 2, 0)))
    forged = bytearray(clean)
    forged[at : at + 2] = data.draw(st.binary(min_size=2, max_size=2))
    _check_reader(bytes(forged))
