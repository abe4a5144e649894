"""`fascia web`: the Web Bluetooth page (web/) served on localhost, and its one generated file.

The page is static (no build step; any static host serves web/ as it is). What it shares with the
device and the host tools, the GATT profile, the control point, the session log's layouts, the
CSV columns and the FIT messages of `fascia export`, is not written again in JavaScript:
`spec_js()` writes web/spec.js from fascia.spec, host_tools.export and host_tools.fit's FIT table
(`fascia web --write-spec` after a change; tests/test_web.py fails while the file is stale), and
the page's code reads every number and `struct` format from it.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import threading
import webbrowser
from pathlib import Path
from typing import Any

from fascia.spec import bthome, control, csc, gatt, log
from host_tools import export
from host_tools.ble import RESULT_NAMES
from host_tools.errors import UserError

WEB_DIR = Path(__file__).resolve().parents[1] / "web"
SPEC_FILE = WEB_DIR / "spec.js"
DEFAULT_PORT = 8742


def _fit_profile() -> dict[str, Any]:
    """The FIT messages, fields (number, base type, size, scale, offset) and values `fascia export`
    writes: host_tools.fit's one table."""
    from host_tools import fit

    messages = {
        name: {
            "num": number,
            "fields": {
                f: [n, base, fit.BASE_SIZE[base], scale, offset]
                for f, (n, base, scale, offset) in fields.items()
            },
        }
        for name, (number, fields) in fit.MESSAGES.items()
    }
    return {
        "messages": messages,
        "sport": {activity: list(export.SPORTS[activity]) for activity in log.ACTIVITY_CODES},
        "values": dict(fit.VALUES),
        "epoch_s": fit.EPOCH_S,
        "protocol_version": fit.PROTOCOL_VERSION,
        "profile_version": fit.PROFILE_VERSION,
    }


def spec() -> dict[str, Any]:
    """Everything the page needs from fascia.spec and host_tools.export, as plain data."""
    return {
        "gatt": {
            "version": gatt.VERSION,
            "service": gatt.SERVICE,
            "live": gatt.LIVE,
            "control": gatt.CONTROL,
            "log": gatt.LOG,
            "battery_service": gatt.BATTERY_SERVICE,
            "battery_level": gatt.BATTERY_LEVEL,
            "device_info_service": gatt.DEVICE_INFO_SERVICE,
            "model": gatt.MODEL,
            "serial": gatt.SERIAL,
            "firmware_rev": gatt.FIRMWARE_REV,
            "current_time_service": gatt.CURRENT_TIME_SERVICE,
            "current_time": gatt.CURRENT_TIME,
            "current_time_fmt": gatt.CURRENT_TIME_FMT,
            "live_fmt": gatt.LIVE_FMT,
            "live_bytes": gatt.LIVE_BYTES,
            "flag_rest": gatt.FLAG_REST,
            "flag_summary": gatt.FLAG_SUMMARY,
            "none_left": gatt.NONE_LEFT,
            "states": ["ready", "running", "paused"],
            "log_window": gatt.LOG_WINDOW,
            "csc_service": csc.SERVICE,
            "bthome_uuid16": bthome.UUID16,
        },
        "control": {
            "opcodes": {name: getattr(control, name) for name in _OPCODES},
            "success": control.SUCCESS,
            "confirm_on_device": control.CONFIRM_ON_DEVICE,
            "result_names": {str(code): text for code, text in RESULT_NAMES.items()},
            "request_fmt": {str(op): fmt for op, fmt in control.REQUEST_FMT.items()},
            "response_fmt": {str(op): fmt for op, fmt in control.RESPONSE_FMT.items()},
            "response_head": control.RESPONSE_HEAD,
            "response_code": control.RESPONSE_CODE,
            "select_head": control.SELECT_HEAD,
            "mode_param_fmt": control.MODE_PARAM_FMT,
            "list_entry_fmt": control.LIST_ENTRY_FMT,
            "list_max": control.LIST_MAX,
            "list_synced": control.LIST_SYNCED,
        },
        "log": {
            "format_version": log.FORMAT_VERSION,
            "magic": list(log.MAGIC),
            "max_payload": log.MAX_PAYLOAD,
            "types": {"header": log.HEADER, "progress": log.PROGRESS, "events": log.EVENTS, "end": log.END},
            "activity_codes": log.ACTIVITY_CODES,
            "modes": list(log.MODES),
            "mode_params": {k: list(v) for k, v in log.MODE_PARAMS.items()},
            "mode_fields": {k: list(v) for k, v in log.MODE_FIELDS.items()},
            "end_reasons": list(log.END_REASONS),
            "extras": _extras_by_code(),
            "named_extra": log.NAMED_EXTRA,
            "flag_clock_synced": log.FLAG_CLOCK_SYNCED,
            "header_fixed": log.HEADER_FIXED,
        },
        "export": {"csv_fields": list(export.CSV_FIELDS), "extra_prefix": export.EXTRA_PREFIX},
        "fit": _fit_profile(),
    }


def _extras_by_code() -> list[str]:
    """The log's extras names indexed by their codes (fascia.spec.activities; "" for a reserved code)."""
    from fascia.spec.logread import EXTRAS

    return [EXTRAS.get(code, "") for code in range(max(EXTRAS) + 1)]


_OPCODES = (  # the control point's requests the page makes (values: fascia.spec.control)
    "START",
    "PAUSE",
    "RESUME",
    "STOP",
    "LIST_SESSIONS",
    "SESSION_INFO",
    "READ_LOG",
    "ACK_SYNCED",
    "CLOCK_INFO",
)


def spec_js() -> str:
    """The text of web/spec.js."""
    body = json.dumps(spec(), indent=1, sort_keys=True)
    return (
        "// GENERATED by `fascia web --write-spec` from fascia.spec, host_tools.export and host_tools.fit\n"
        "// (host_tools/web.py). Do not edit: tests/test_web.py fails when it is stale.\n"
        f"export const SPEC = {body};\n"
    )


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {  # noqa: RUF012 (the base class's own attribute)
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".webmanifest": "application/manifest+json",
    }

    def log_message(self, format: str, *args: Any) -> None:  # quiet: one line per request is noise
        pass


def serve(port: int = DEFAULT_PORT, host: str = "127.0.0.1") -> http.server.ThreadingHTTPServer:
    """Serve web/ (in a daemon thread); localhost counts as a secure context for Web Bluetooth."""
    handler = functools.partial(_Handler, directory=str(WEB_DIR))
    try:
        server = http.server.ThreadingHTTPServer((host, port), handler)
    except OSError as e:
        raise UserError(f"cannot serve on {host}:{port}: {e.strerror or e}") from None
    threading.Thread(target=server.serve_forever, name="fascia-web", daemon=True).start()
    return server


def _cmd_web(args: argparse.Namespace) -> None:
    if args.write_spec:
        SPEC_FILE.write_text(spec_js())
        print(f"wrote {SPEC_FILE}")
        return
    if SPEC_FILE.read_text() != spec_js():
        raise UserError(f"{SPEC_FILE} is out of date: run `fascia web --write-spec`")
    server = serve(args.port)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    print(f"fascia web page: {url}  (Chrome or Edge; Ctrl-C to stop)")
    if not args.no_browser:
        webbrowser.open(url)
    try:
        threading.Event().wait()
    finally:
        server.shutdown()


def _port(text: str) -> int:
    port = int(text)
    if not 0 <= port <= 65535:
        raise ValueError(text)
    return port


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("web", help="serve the Web Bluetooth page (web/) on localhost")
    p.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help=f"TCP port (default {DEFAULT_PORT}; 0: any)"
    )
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")
    p.add_argument(
        "--write-spec", action="store_true", help="regenerate web/spec.js from fascia.spec and exit"
    )
    p.set_defaults(func=_cmd_web)
