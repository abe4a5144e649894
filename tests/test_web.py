"""The web page's files (web/) and `fascia web`, without a browser (tests/test_web_browser.py has one)."""

from __future__ import annotations

import re
import urllib.request
from typing import Any

import pytest

from host_tools import cli, web


def test_spec_js_is_generated_from_fascia_spec():
    """The page reads every UUID, layout and FIT field from web/spec.js: it must be today's."""
    assert web.SPEC_FILE.read_text() == web.spec_js(), "run `fascia web --write-spec`"


def test_the_pages_protocol_code_spells_no_uuid_or_layout_of_its_own():
    """ble.js takes every UUID and GATT / control-point format from spec.js. (session.js reads the
    log's record payloads, which fascia.spec.log documents but does not name; test_web_browser
    checks what it makes against the Python on real session bytes.)"""
    spec = web.spec()
    formats = {spec["gatt"]["live_fmt"], spec["gatt"]["current_time_fmt"], spec["control"]["list_entry_fmt"]}
    formats |= set(spec["control"]["response_fmt"].values())
    for path in web.WEB_DIR.glob("*.js"):
        if path.name == "spec.js":
            continue
        text = path.read_text()
        assert not re.search(r"fa5c000\d|5e1f-4d6a", text), path.name
        if path.name == "ble.js":
            assert not any(f'"{fmt}"' in text for fmt in formats if len(fmt) > 2), path.name


def test_every_file_the_service_worker_caches_exists():
    sw = (web.WEB_DIR / "sw.js").read_text()
    files = re.findall(r'"([\w.]+\.(?:html|css|js|webmanifest))"', sw)
    assert files and all((web.WEB_DIR / f).exists() for f in files)
    served = {p.name for p in web.WEB_DIR.iterdir()} - {"sw.js"}
    assert served <= set(files), "a file of the page is not cached for offline use"


def test_serve_answers_on_localhost():
    server = web.serve(0)
    try:
        port = server.server_address[1]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/spec.js") as r:
            assert r.headers["Content-Type"].startswith("text/javascript")
            assert r.read().decode() == web.spec_js()
    finally:
        server.shutdown()
        server.server_close()


def test_web_command_refuses_a_port_in_use(capsys):
    server = web.serve(0)
    try:
        code = cli.main(["web", "--no-browser", "--port", str(server.server_address[1])])
    finally:
        server.shutdown()
        server.server_close()
    assert code == 2
    assert capsys.readouterr().err.count("\n") == 1


@pytest.mark.parametrize("bad", ["--port=-1", "--port=x"])
def test_web_command_rejects_a_bad_port(bad, capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(["web", "--no-browser", bad])
    assert e.value.code == 2


def test_the_pages_fit_rounds_halves_as_the_python_export_does(tmp_path):
    """A session of 2.5 kcal whose first jump comes at 62.5 per minute: the page's FIT (web/session.js,
    run by Node) holds what `fascia export` writes. Python's round() takes a half to the even
    neighbour, JavaScript's Math.round up; a recorded session's kcal falls on such a half now and
    then, which made test_web_browser's comparison of the downloads differ on the FIT alone."""
    import json
    import shutil
    import subprocess

    from garmin_fit_sdk import Decoder, Stream

    from host_tools import export

    node = shutil.which("node")
    if node is None:
        pytest.skip("no Node.js to run the page's code")
    record = {
        "device_id": "ab12",
        "session_id": 3,
        "activity": "jump_rope",
        "mode": "free",
        "start_utc": 1_764_000_000,
        "duration_ms": 2880,
        "count": 4,
        "kcal": 2.5,
        "end_reason": "stop",
        "status": "complete",
        "extras": {},
        "events_ms": [960, 1920, 2400, 2880],  # 60000 / 960 = 62.5 per minute
        "progress": [],
    }
    script = tmp_path / "fit.mjs"
    script.write_text(
        "const m = await import(process.argv[2]);\n"
        "process.stdout.write(Buffer.from(m.toFit(JSON.parse(process.argv[3]))).toString('hex'));\n"
    )
    session_js = (web.WEB_DIR / "session.js").resolve().as_uri()
    proc = subprocess.run(
        [node, str(script), session_js, json.dumps(record)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    export.write_fit_file(record, tmp_path / "py.fit")

    def messages(data: bytes) -> Any:
        decoded, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
        assert not errors
        return decoded

    page, python = messages(bytes.fromhex(proc.stdout)), messages((tmp_path / "py.fit").read_bytes())
    assert python["session_mesgs"][0]["total_calories"] == 2
    assert [m.get("cadence") for m in python["record_mesgs"]][:2] == [None, 62]
    assert page == python
