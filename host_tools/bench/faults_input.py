"""The fault suite's hostile input (`make faults`, tests/test_faults.py): the hypothesis runner and the
strategies that make damaged session logs, hostile trace CSV and config.json, and the runs that
put the worst of them through MicroPython's json and a device boot. What each must do is checked
by the tests (tests/test_faults.py: the oracles); here only what makes and feeds the input.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fascia.spec import log, logread
from host_tools import mpy
from host_tools.bench.faults import KNOWN_COUNT_S, Traces, expected_count, plan, run_device

HOSTILE_KINDS = ("invalid_utf8", "huge_number", "long_line")  # inputs a test must see (count_hostile_kinds)


def run_examples(check: Callable[[Any], None], strategy, examples: int, seed: int) -> int:
    """Run `check` on `examples` generated inputs (seeded, no deadline, no example database); returns
    the examples run. A failing check raises hypothesis's shrunk counterexample."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hseed

    ran = [0]

    @hseed(seed)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
        print_blob=False,
    )
    @given(strategy)
    def prop(value) -> None:
        ran[0] += 1
        check(value)

    prop()
    return ran[0]


# -- log records


def log_strategy():
    from hypothesis import strategies as st

    u32 = st.integers(0, 2**32 - 1)
    extras = st.dictionaries(
        st.sampled_from(sorted(logread.EXTRAS.values())) | st.text("abcxyz_", min_size=1, max_size=8),
        st.integers(-(2**40), 2**40),
        max_size=5,
    )
    header = st.builds(
        lambda sid, act, mode, start, synced, boot, dev, w, load: log.pack_header(
            sid,
            act,
            mode,
            {name: 7 for name in log.MODE_PARAMS[mode]},
            start=start,
            clock_synced=synced,
            boot=boot,
            device_id=dev.hex(),
            user_weight_g=w,
            load_g=load,
        ),
        u32,
        st.sampled_from(sorted(log.ACTIVITY_CODES)),
        st.sampled_from(sorted(log.MODE_CODES)),
        u32,
        st.booleans(),
        st.integers(0, 0xFFFF),
        st.binary(max_size=16).filter(lambda b: b != b"\xee" * 16),
        u32,
        u32,
    )
    progress = st.builds(log.pack_progress, st.integers(0, 2**32 - 1), u32, extras)
    events = st.lists(st.integers(0, 70_000), min_size=1, max_size=300).map(
        lambda gaps: log.pack_events([sum(gaps[: i + 1]) for i in range(len(gaps))])
    )
    end = st.builds(log.pack_end, u32, u32, st.integers(-5, 70_000), st.sampled_from(log.END_REASONS), extras)
    records = st.tuples(header, st.lists(progress | events, max_size=8), end).map(
        lambda t: [t[0], *t[1], t[2]]
    )
    mutation = st.one_of(
        st.tuples(st.just("flip"), st.integers(0, 10**6), st.integers(0, 7)),
        st.tuples(st.just("length"), st.integers(0, 10**6), st.integers(0, 0xFFFF)),
        st.tuples(st.just("garbage"), st.integers(0, 10**6), st.binary(min_size=1, max_size=40)),
        st.tuples(st.just("reframe"), st.integers(0, 10**6), st.binary(max_size=60)),
        st.tuples(st.just("duplicate"), st.integers(0, 10**6), st.just(0)),
    )
    return st.tuples(records, st.lists(mutation, max_size=4), st.integers(0, 10**6) | st.none())


def mutate(records: list[bytes], mutations, truncate) -> tuple[bytes, list[tuple[int, bytes]]]:
    """Damage a session: returns (bytes, [(offset, record)] of the records left whole)."""
    segments: list[tuple[bool, bytes]] = [(True, r) for r in records]  # (still whole, bytes)
    for kind, at, arg in mutations:
        i = at % len(segments)
        whole, seg = segments[i]
        if kind == "flip":
            pos = at % len(seg)
            seg = seg[:pos] + bytes([seg[pos] ^ (1 << arg)]) + seg[pos + 1 :]
            segments[i] = (False, seg)
        elif kind == "length" and len(seg) >= 5:  # a wrong (maybe huge) length, CRC not updated
            seg = seg[:3] + arg.to_bytes(2, "little") + seg[5:]
            segments[i] = (seg == segments[i][1] and whole, seg)
        elif kind == "garbage":
            segments.insert(i, (False, arg))
        elif kind == "reframe" and whole:  # a valid frame with an undecodable payload (a writer bug)
            segments[i] = (False, log.frame(seg[2], arg))
        elif kind == "duplicate":
            segments.insert(i, (whole, seg))
    data = b"".join(seg for _, seg in segments)
    if truncate is not None:
        data = data[: truncate % (len(data) + 1)]
    kept, off = [], 0
    for whole, seg in segments:
        if whole and off + len(seg) <= len(data):
            kept.append((off, seg))
        off += len(seg)
    return data, kept


def invalid_utf8(data: bytes):
    """`data` with bytes no UTF-8 text holds (a stray continuation, a cut sequence, 0xFF) put in."""
    from hypothesis import strategies as st

    bad = st.sampled_from((b"\x80", b"\xc3", b"\xe2\x82", b"\xff\xfe", b"\xed\xa0\x80"))
    return st.tuples(st.integers(0, len(data)), bad).map(lambda t: data[: t[0]] + t[1] + data[t[0] :])


def count_hostile_kinds(data: bytes, kinds: dict[str, int]) -> None:
    """Count the inputs a fuzzer made that a test must see: invalid UTF-8, a number of 20+ digits
    (beyond any machine word), a line of 1,000+ bytes."""
    try:
        data.decode()
    except UnicodeError:
        kinds["invalid_utf8"] += 1
    if re.search(rb"[0-9]{20}", data):
        kinds["huge_number"] += 1
    if max(map(len, data.split(b"\n"))) >= 1000:
        kinds["long_line"] += 1


def trace_strategy():
    from hypothesis import strategies as st

    cell = st.one_of(
        st.integers(-40_000, 40_000).map(str),
        st.integers(-(2**70), 2**70).map(str),  # beyond 2^31, 2^32, 2^63: epoch ms and worse
        st.integers(20, 400).map(lambda n: "9" * n),  # a number longer than any machine word
        st.from_regex(r"\A-?[0-9]{0,6}(\.[0-9]{0,3})?\Z"),
        st.text("0123456789.,-+eE _x\t\r\x00²٣１\u2028", max_size=8),
        st.text(max_size=6),
    )
    line = st.one_of(
        st.lists(cell, min_size=4, max_size=4).map(",".join),
        st.integers(1_000, 200_000).map(lambda n: "1," * n),  # a line far longer than any sample
        st.lists(cell, max_size=6).map(",".join),
        st.just("t_ms,x,y,z"),
        st.just(""),
    )
    text = st.tuples(
        st.sampled_from(("t_ms,x,y,z", "t_ms,x,y", "", "T_MS,X,Y,Z")), st.lists(line, max_size=40)
    ).map(lambda t: "\n".join([t[0], *t[1]]) + "\n")
    return st.one_of(
        text.map(str.encode),
        text.map(str.encode).flatmap(invalid_utf8),
        text.map(lambda s: s.encode("utf-16")),
        st.binary(max_size=300),
    ), st.sampled_from(("jump_rope", "swing", "walk"))


def config_strategy():
    from hypothesis import strategies as st

    from fascia.spec import config as cfg

    json_value = st.recursive(
        st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=25),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
        max_leaves=8,
    )
    good = {
        name: st.integers(spec[1], spec[2]) if len(spec) == 3 else st.sampled_from(spec[1] or ("ok",))
        for name, spec in cfg.FIELDS.items()
    }
    field_value = st.sampled_from(sorted(cfg.FIELDS)).flatmap(
        lambda n: st.tuples(st.just(n), good[n] | json_value)
    )
    obj = st.tuples(
        st.lists(field_value, max_size=8), st.dictionaries(st.text(max_size=6), json_value, max_size=2)
    )
    as_json = obj.map(lambda t: json.dumps({**dict(t[0]), **t[1]}, allow_nan=True))
    text = st.one_of(
        as_json,
        as_json.flatmap(lambda s: st.integers(0, len(s)).map(lambda n: s[:n])),  # cut short
        st.integers(20, 5000).map(lambda n: '{"weight_kg": ' + "9" * n + "}"),  # a huge number
        st.integers(100, 10_000).map(lambda n: '{"device_name": "' + "x" * n + '"}'),  # a long line
        st.integers(1, 100_000).map(lambda n: "[" * n),  # nesting beyond any stack
        st.integers(1, 3000).map(lambda n: '{"weight_kg": ' * n),
        json_value.map(json.dumps),
        st.text(max_size=60),
    )
    return st.one_of(text.map(str.encode), text.map(str.encode).flatmap(invalid_utf8))


WORST_CONFIGS = [  # the worst shapes, through MicroPython's json and a device boot
    "[" * 100_000,
    '{"weight_kg": ' * 5000,
    '{"device_name": "\\ud800"}',
    "\x00" * 100,
    "{" + "1" * 5000,
]
BOOT_CONFIGS = [t.encode() for t in WORST_CONFIGS] + [
    b'{"weight_kg": "heavy", "mode": "sprint", "activity": 3}',
    b'{"weight_kg": 80, "device_name": "caf\xc3"}',  # invalid UTF-8: a cut sequence
    b'{"weight_kg": 1' + b"0" * 400 + b"}",  # a huge number
    b'{"device_name": "' + b"x" * 5000 + b'"}',  # a long line, over the size limit
]


# Runs inside micropython: config.parse on each text of a JSON list, one JSON line per text.
_MPY_CONFIGS = """
import sys, json
from fascia.spec import config as cfg
for t in json.load(open(sys.argv[1])):
    try:
        print(json.dumps(cfg.parse(t)))
    except Exception as e:
        print(json.dumps({"raised": repr(e)}))
"""


def parse_under_micropython(texts: list[str], work: Path) -> list:
    """config.parse of each text under MicroPython (its json differs from CPython's): per text its
    [config, problems], or {"raised": repr}. Raises if the batch did not run to the end."""
    batch = work / "configs.json"
    work.mkdir(parents=True, exist_ok=True)
    batch.write_text(json.dumps(texts))
    proc = mpy.run(["-c", _MPY_CONFIGS, str(batch)], timeout=600)
    lines = [json.loads(x) for x in proc.stdout.splitlines() if x.startswith(("[", "{"))]
    if proc.returncode != 0 or len(lines) != len(texts):
        raise RuntimeError("MicroPython batch: " + (proc.stderr or proc.stdout).strip()[-300:])
    return lines


def boot_with_configs(traces: Traces, work: Path, configs: list[bytes] = BOOT_CONFIGS) -> list[dict]:
    """The device boots with each config.json and records a session: per config what it showed at the
    start, what it counted and the count offline."""
    from fascia.spec import config as cfg

    rope = traces.rope("basic", 2, KNOWN_COUNT_S)
    sessions, end = plan([(rope, "jump_rope")])
    offline = expected_count(rope, "jump_rope")
    observed = []
    for k, text in enumerate(configs):
        flash = work / f"boot{k}"
        shutil.rmtree(flash, ignore_errors=True)
        flash.mkdir(parents=True)
        (flash / cfg.CONFIG_FILE).write_bytes(text)
        r = run_device(flash, {"sessions": sessions, "end_ms": end})
        starts = r.ev("start")
        observed.append(
            {
                "case": f"boot with config {text[:30]!r}",
                "crashed": r.crashed(),
                "title": starts[0]["title"] if starts else None,
                "counts": [e["count"] for e in r.ev("end")],
                "offline": offline,
            }
        )
    return observed
