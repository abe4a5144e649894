"""The web page's files (web/) and `fascia web`, without a browser (tests/test_web_browser.py has one)."""

from __future__ import annotations

import re
import urllib.request

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
