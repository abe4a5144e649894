"""The web page (web/) in a real browser, against the real firmware.

Headless Chromium (the system's, Debian's `chromium`) driven by Playwright. `navigator.bluetooth`
is replaced by host_tools/sim/web_shim.js, which forwards each GATT operation over a local
WebSocket (host_tools.sim.web_gatt) to the simulated device on the Bumble virtual radio: the page's
own protocol code (web/ble.js, web/session.js) talks to the unchanged firmware. Screenshots of the
live view and the session list go to out/web/ for review.

The tests share one device per worker: a session recorded from the page, downloaded and marked
copied (the `recorded` fixture); a download whose link drops; then the device is switched off and
its flash synced over USB to compare bytes, CSV and FIT with what the page saved.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from host_tools import web
from host_tools.gen import jumprope
from host_tools.sim.web_gatt import SHIM_JS, GattProxy

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = Path(__file__).resolve().parents[1] / "out" / "web"
TRACE_START_MS = 5000  # the rope starts then (virtual ms after boot); the page starts the session before
ROPE_S = 12

if CHROMIUM is None:
    print(
        "\ntest_web_browser: skipped: no system Chromium (Debian: apt-get install chromium; `make setup-web`)"
    )
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no system Chromium (apt-get install chromium)")


@pytest.fixture(scope="module")
def rig(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    from host_tools.sim.ble_device import BackgroundDevice

    tmp = tmp_path_factory.mktemp("web")
    trace, _ = jumprope.generate("basic", 7, 400, tmp / "rope", duration_s=ROPE_S + 4)
    dev = BackgroundDevice(tmp / "flash", trace, extra={"trace_start_ms": TRACE_START_MS})
    proxy = GattProxy(dev.bridge.address, dev.backend)
    dev.run(proxy.start())
    server = web.serve(0)
    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
    state = SimpleNamespace(
        dev=dev,
        proxy=proxy,
        browser=browser,
        flash=tmp / "flash",
        tmp=tmp,
        url=f"http://127.0.0.1:{server.server_address[1]}/",
        closed=False,
    )
    yield state
    browser.close()
    pw.stop()
    server.shutdown()
    server.server_close()
    if not state.closed:
        dev.run(proxy.close())
        dev.close()


def new_page(rig, shim: bool = True, **context):
    ctx = rig.browser.new_context(accept_downloads=True, viewport={"width": 430, "height": 900}, **context)
    if shim:
        ctx.add_init_script(
            f"window.FASCIA_GATT_WS = 'ws://127.0.0.1:{rig.proxy.port}';\n" + SHIM_JS.read_text()
        )
    page = ctx.new_page()
    page.goto(rig.url)
    return page


def number(page, selector: str) -> int:
    return int(page.text_content(selector) or "0")


def save(page, row, fmt: str) -> bytes:
    with page.expect_download() as info:
        row.locator(f"button[data-f={fmt}]").click()
    return Path(info.value.path()).read_bytes()


def test_page_says_what_to_use_without_web_bluetooth(rig):
    page = new_page(rig, shim=False)
    assert page.is_visible("#unsupported") and page.is_disabled("#connect")
    text = page.text_content("#unsupported") or ""
    assert "Chrome or Edge" in text and "fascia sync" in text
    page.context.close()


@pytest.fixture(scope="module")
def recorded(rig) -> dict:
    """A session recorded from the page (live count, start, pause, stop), saved in every format and
    marked copied: {"sid", "count", "fss", "csv", "fit"}. A fixture, not a test the others follow:
    `pytest -n` may run this file's tests on different workers, each with its own device."""
    page = new_page(rig)
    page.click("#connect")
    page.wait_for_selector("#live-view", state="visible")
    assert "m5stickc" in (page.text_content("#status") or "")
    page.click("#start")
    page.wait_for_function("document.getElementById('state').textContent === 'running'")
    page.wait_for_function("Number(document.getElementById('count').textContent) >= 8", timeout=30000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "live.png"))
    page.click("#refresh")  # the session being recorded is listed: saved so far, never marked copied
    open_row = page.locator("#sessions tbody tr").last
    open_row.wait_for()
    save(page, open_row, "fss")
    assert "still recording" in (open_row.locator(".progress").text_content() or "")
    assert open_row.locator(".ack").is_disabled()
    counts = []
    while rig.dev.virtual_ms() < TRACE_START_MS + ROPE_S * 1000:
        counts.append(number(page, "#count"))
        time.sleep(0.3)
    assert counts == sorted(counts), "the live count never goes back"
    page.click("#pause")
    page.wait_for_function("document.getElementById('state').textContent === 'paused'")
    page.click("#stop")
    page.wait_for_function("document.getElementById('state').textContent === 'finished'")
    final = number(page, "#count")
    page.click("#refresh")
    row = page.locator("#sessions tbody tr").last
    row.wait_for()
    sid = int(row.get_attribute("data-id") or "0")
    ack = row.locator(".ack")
    assert ack.is_disabled(), "nothing can be marked copied before it is saved"
    row.scroll_into_view_if_needed()
    assert "No sessions" not in (page.text_content("#sessions-note") or "")
    page.screenshot(path=str(SHOTS / "sessions.png"))
    raw = save(page, row, "fss")
    saved = {
        "sid": sid,
        "count": final,
        "fss": raw,
        "csv": save(page, row, "csv"),
        "fit": save(page, row, "fit"),
    }
    assert ack.is_enabled()
    ack.click()
    page.wait_for_function(
        f"document.querySelector('#sessions tr[data-id=\"{sid}\"] td:nth-child(3)').textContent === 'copied'"
    )
    assert (rig.flash / "log" / f"{sid:05d}.fss").exists(), "acknowledged on the device"
    page.context.close()
    return saved


def test_live_count_start_stop_and_downloads(recorded, rig):
    assert recorded["count"] >= 8 and recorded["fss"]
    assert (rig.flash / "log" / f"{recorded['sid']:05d}.fss").exists(), "acknowledged on the device"


def test_a_dropped_link_mid_download_saves_and_acknowledges_nothing(recorded, rig):
    page = new_page(rig)
    page.click("#connect")
    page.wait_for_selector("#sessions tbody tr")
    row = page.locator("#sessions tbody tr").first
    rig.proxy.drop_at = rig.proxy.ops + 4  # SESSION_INFO, then the first READ_LOG window's request...
    row.locator("button[data-f=fss]").click()
    page.wait_for_selector("#connect-view", state="visible")
    assert "disconnected" in (page.text_content("#message") or "")
    page.wait_for_timeout(300)
    assert page.evaluate("localStorage.getItem('fascia-saved')") is None, "a broken download is not saved"
    page.click("#connect")  # again: the session is still there and whole
    page.wait_for_selector("#sessions tbody tr")
    row = page.locator(f'#sessions tbody tr[data-id="{recorded["sid"]}"]')
    assert save(page, row, "fss") == recorded["fss"]
    page.context.close()


def test_offline_once_loaded_and_follows_the_dark_setting(rig):
    page = new_page(rig, color_scheme="dark")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function(
        "navigator.serviceWorker.controller !== null || (location.reload(), false)", timeout=10000
    )
    page.context.set_offline(True)
    page.reload()
    assert (
        page.is_visible("#connect")
        and page.evaluate("typeof navigator.bluetooth.requestDevice") == "function"
    )
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(16, 19, 18)"
    page.context.close()


def test_downloads_match_a_usb_sync_of_the_same_session(recorded, rig):
    from garmin_fit_sdk import Decoder, Stream

    from host_tools import export
    from host_tools.sim.serial_bridge import SerialBridge
    from host_tools.store import Store
    from host_tools.sync import Device, sync

    rig.dev.run(rig.proxy.close())
    rig.dev.close()
    rig.closed = True
    db = rig.tmp / "usb.sqlite3"
    with SerialBridge(rig.flash) as bridge, Store(db) as store:
        sync(store, Device(bridge.port), keep=True)
    with Store(db, write=False) as store:
        record = next(r for r in store.sessions() if r["session_id"] == recorded["sid"])
        raw = store.raw(record["id"])
        record = store.get(record["id"])
    assert raw == recorded["fss"]
    assert record is not None and record["count"] == recorded["count"] >= 8
    export.write_csv([record], rig.tmp / "usb.csv")
    assert recorded["csv"] == (rig.tmp / "usb.csv").read_bytes()
    export.write_fit_file(record, rig.tmp / "usb.fit")

    def messages(data: bytes) -> Any:
        decoded, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
        assert not errors
        return decoded

    assert messages(recorded["fit"]) == messages((rig.tmp / "usb.fit").read_bytes())
