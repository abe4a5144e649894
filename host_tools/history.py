"""`fascia sync`, `sessions`, `show`, `stats`: the training history kept on the laptop.

Thin commands over `host_tools.sync` (the sync engine: USB, or Bluetooth LE through
`host_tools.ble.sync`) and `host_tools.store` (SQLite). Tables go
to the terminal through rich; `--json` prints one JSON value for scripts. Also runnable on its own:
`python -m host_tools.history sync --port /dev/ttyUSB0`.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

from fascia.app.ui import clock_text
from fascia.detect import ACTIVITIES
from host_tools.errors import UserError
from host_tools.store import Store, default_path, summarize
from host_tools.vocabulary import TEMPO_NAMES, counts_time, figures_text, per_minute

WEEK_S = 7 * 86400
MONTH_S = 30 * 86400


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "sync", help="copy new sessions from the device (USB or Bluetooth) into the local store"
    )
    p.add_argument("--port", "-p", help="serial port (default: the first MicroPython device found)")
    p.add_argument("--ble", action="store_true", help="over Bluetooth LE instead of USB")
    p.add_argument("--address", help="with --ble: the device's address (default: the one in range)")
    p.add_argument(
        "--simulated",
        action="store_true",
        help="sync the simulated device over a virtual Bluetooth radio (the one `fascia sim` and"
        " `fascia live --simulated` record on)",
    )
    p.add_argument(
        "--flash",
        metavar="DIR",
        type=Path,
        help="with --simulated: its flash folder (default: the shared one)",
    )
    p.add_argument(
        "--keep", action="store_true", help="keep the sessions on the device (only mark them synced)"
    )
    p.add_argument(
        "--baud",
        type=_baud_arg,
        help="USB: stream the files at this rate (default: 1500000 behind a CH9102/CP210x bridge, else "
        "115200; 115200 never switches); a rate that fails falls back to 115200",
    )
    _db_json(p)
    p.set_defaults(func=cmd_sync)

    p = subparsers.add_parser("sessions", help="list the sessions in the local store")
    p.add_argument("--since", type=since_arg, help="from this date (YYYY-MM-DD) or N days ago (e.g. 7d)")
    p.add_argument("--activity", "-a", choices=ACTIVITIES)
    p.add_argument(
        "--limit",
        type=_count_arg,
        default=SESSIONS_SHOWN,
        help=f"show the newest N sessions (default {SESSIONS_SHOWN}; 0: all)",
    )
    p.add_argument("--page", type=_page_arg, default=1, help="page P of --limit sessions, 1 the newest")
    _db_json(p)
    p.set_defaults(func=cmd_sessions)

    p = subparsers.add_parser("show", help="one session in detail")
    p.add_argument("id", type=session_id, help="the session's id, as `fascia sessions` lists it")
    _db_json(p)
    p.set_defaults(func=cmd_show)

    p = subparsers.add_parser("stats", help="totals per activity: count, time, rate, calories and more")
    period = p.add_mutually_exclusive_group()
    period.add_argument("--week", action="store_true", help="the last 7 days")
    period.add_argument("--month", action="store_true", help="the last 30 days")
    _db_json(p)
    p.set_defaults(func=cmd_stats)


def _db_json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", help=f"the session database (default: {default_path()})")
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")


def since_arg(text: str) -> int:
    """'2026-05-01' (local midnight) or '7d' (7 days ago) -> epoch seconds."""
    if text.endswith("d") and text[:-1].isdigit():
        return int(time.time()) - int(text[:-1]) * 86400
    try:
        return int(dt.datetime.fromisoformat(text).timestamp())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD or Nd, got {text!r}") from None


# ---------------------------------------------------------------- formatting


def _when(epoch: int | None) -> str:
    return dt.datetime.fromtimestamp(epoch).strftime("%Y-%m-%d %H:%M") if epoch is not None else "unknown"


def _rate(count: int, ms: int, activity: str | None = None) -> str:
    rate = per_minute(count, ms)
    return "-" if rate is None or counts_time(activity or "") else f"{rate:.0f}"


def _params(params: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(params.items()))


def _stats_group(record: dict) -> str:
    """`stats` keeps clubbell sessions of each tempo apart: a light-fast and a heavy-slow session
    train different things, and their rep periods do not average."""
    act = record["activity"] or "unknown"
    tempo = (record.get("extras") or {}).get("tempo")
    if act == "swing" and tempo is not None:
        return f"swing {TEMPO_NAMES[tempo] if 0 <= tempo < len(TEMPO_NAMES) else tempo}"
    return act


def _print_json(value) -> None:
    print(json.dumps(value, indent=1))


# ---------------------------------------------------------------- commands


def _baud_arg(text: str) -> int:
    if not text.isdigit() or not 9600 <= int(text) <= 5_000_000:
        raise argparse.ArgumentTypeError(f"{text!r} is not a baud rate (9600 to 5000000)")
    return int(text)


def cmd_sync(args: argparse.Namespace) -> None:
    from host_tools.sync import Device, sync

    ble = args.ble or args.address or args.simulated
    if ble and (args.port or args.baud):
        raise UserError("--port/--baud are for USB, --ble/--address/--simulated for Bluetooth: choose one")
    if args.flash and not args.simulated:
        raise UserError("--flash is for the simulated device (--simulated)")
    say_now = None if args.json else lambda line: print(f"fascia: {line}", file=sys.stderr)
    with Store(args.db, say=say_now) as store, contextlib.ExitStack() as stack:
        status = None if args.json else stack.enter_context(rich_console(stderr=True).status("connecting"))

        def say(line: str) -> None:
            if status is not None:
                status.update(line)

        if ble:
            from host_tools.ble.sync import open_ble_device

            def progress(done: int, total: int) -> None:
                say(f"copying over Bluetooth: {done} of {total} bytes")

            flash = None
            if args.simulated:
                from host_tools.sim.run import simulated_flash

                flash = simulated_flash(args.flash)
                if not (flash / "log").is_dir():
                    raise UserError(
                        f"{flash}: no simulated device there yet (record one: `fascia sim TRACE`)"
                    )
            device = stack.enter_context(open_ble_device(args.address, flash, progress))
        else:
            device = Device(args.port, baud=args.baud)
        report = sync(store, device, keep=args.keep, say=say)
    if args.json:
        _print_json(report.as_dict())
    else:
        _show_report(report, args.keep)
    if report.failed:
        ids = ", ".join(str(f["session_id"]) for f in report.failed)
        raise UserError(f"session(s) {ids} could not be synced (kept on the device): run `fascia sync` again")


def _show_report(report, keep: bool) -> None:
    console = rich_console()
    who = report.device_id or "device"
    clock = "clock set" if report.clock_set else "clock not set (no RTC)"
    console.print(f"{who} (firmware {report.firmware}, {clock}): {report.on_device} session file(s)")
    if report.imported:
        table = rich_table("id", "device session", "activity", "count", "status", title="imported")
        for s in report.imported:
            table.add_row(
                str(s["id"]), str(s["session_id"]), s["activity"] or "?", str(s["count"]), s["status"]
            )
        console.print(table)
    for s in report.imported:
        for error in s["errors"]:
            console.print(f"[yellow]session {s['session_id']}: damaged record skipped: {error}")
    for sid in report.repaired:
        console.print(f"[yellow]session {sid}: the store's copy was damaged: replaced by the device's")
    for f in report.failed:
        console.print(f"[red]session {f['session_id']}: {f['reason']}")
    for sid, reason in report.device_errors:
        console.print(f"[yellow]session {sid}: {reason}")
    if report.recording:
        console.print(f"still recording, left for the next sync: {report.recording}")
    if report.restart_error:
        console.print(
            f"[yellow]the device's app did not restart ({report.restart_error}): press its reset button"
            " or unplug it"
        )
    gone = "kept on the device" if keep else f"{len(report.deleted)} deleted from the device"
    if report.left:
        gone = (
            f"{len(report.left)} acknowledged and left on the device (Bluetooth does not delete: the"
            " device deletes synced sessions, oldest first, when it needs the room; `fascia sync` over"
            " USB deletes them now)"
        )
    counts = f"{len(report.imported)} imported, {len(report.already)} already here"
    console.print(f"{counts}, {gone} ({report.seconds:.1f} s)")


SESSIONS_SHOWN = 30  # `fascia sessions` shows this many of the newest by default: ten years are 7,000+


def _count_arg(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= 0")
    return int(text)


def _page_arg(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a page number (1, 2, ...)")
    return int(text)


def cmd_sessions(args: argparse.Namespace) -> None:
    """One page of sessions (the newest --limit, oldest first), and how many more there are."""
    with Store(args.db, write=False) as store:
        total = store.count(since=args.since, activity=args.activity)
        newest, skip = (args.limit, (args.page - 1) * args.limit) if args.limit else (None, 0)
        records = list(
            store.iter_sessions(
                since=args.since, activity=args.activity, series=False, newest=newest, skip=skip
            )
        )
        logged = store.logged(since=args.since, activity=args.activity)
    older = max(0, total - skip - len(records))
    more = ""
    if records and (older or skip):
        more = f"sessions {total - skip - len(records) + 1}-{total - skip} of {total}"
        if older:
            more += f"; {older} older: --page {args.page + 1}, or --limit 0 for all"
    # entries logged by hand (`fascia log`) join the page whose time span holds them
    lo = records[0]["start_utc"] if older and records else None
    hi = records[-1]["start_utc"] if skip and records else None
    logged = [
        r for r in logged if (lo is None or r["start_utc"] >= lo) and (hi is None or r["start_utc"] <= hi)
    ]
    records = sorted(records + logged, key=lambda r: (r["start_utc"] is None, r["start_utc"] or 0))
    if args.json:
        _print_json(records)
        if more:
            print(f"fascia: {more}", file=sys.stderr)
        return
    table = rich_table("id", "start", "activity", "mode", "count", "time", "/min", "kcal", "status")
    for s in records:
        table.add_row(
            str(s["id"]) if s["id"] is not None else f"log {s['log_id']}",
            _when(s["start_utc"]),
            s["activity"] or "?",
            s["mode"] or "?",
            str(s["count"]),
            clock_text(s["duration_ms"]),
            _rate(s["count"], s["duration_ms"], s["activity"]),
            f"{s['kcal']:.1f}",
            "ok" if s["status"] == "complete" and not s["errors"] else s["status"],
        )
    if not records:
        if total:
            empty = f"no sessions on page {args.page} ({total} in all)"
        elif args.since is not None or args.activity:
            empty = "no sessions match --since/--activity (`fascia sessions` lists them all)"
        else:
            empty = "no sessions yet: connect the device and run `fascia sync` (or `fascia log yoga`)"
        rich_console().print(empty)
        return
    console = rich_console()
    console.print(table)
    if more:
        console.print(more)


def session_id(text: str) -> int:
    """argparse type: a store id (SQLite integers are 64-bit: a bigger one is a typing mistake)."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text[:40]!r} is not a session id (see `fascia sessions`)"
        ) from None
    if not 1 <= n < 2**63:
        raise argparse.ArgumentTypeError(f"no session {text[:40]} (see `fascia sessions`)")
    return n


def cmd_show(args: argparse.Namespace) -> None:
    with Store(args.db, write=False) as store:
        rec = store.get(args.id)
    if rec is None:
        raise UserError(f"no session {args.id} (see `fascia sessions`)")
    if args.json:
        _print_json(rec)
        return
    table = rich_table("", "", show_header=False, title=f"session {rec['id']}")
    rows = [
        ("start", _when(rec["start_utc"]) + ("" if rec["clock_synced"] else " (from the device's uptime)")),
        ("activity", f"{rec['activity']}, {rec['mode']} {_params(rec['params'])}".rstrip()),
        ("count", str(rec["count"])),
        ("time", clock_text(rec["duration_ms"])),
        (
            "rate",
            f"{_rate(rec['count'], rec['duration_ms'], rec['activity'])} /min (per minute of session time)",
        ),
        ("energy", f"{rec['kcal']:.1f} kcal"),
        ("figures", figures_text(rec["activity"], rec["extras"])),
        ("ended", rec["end_reason"] or "-"),
        ("status", rec["status"]),
        ("device", f"{rec['device_id']} session {rec['session_id']}, {rec['raw_size']} bytes"),
        ("recorded", f"{len(rec['progress'])} progress points, {len(rec['events_ms'])} event times"),
    ]
    for key, value in rows:
        table.add_row(key, value)
    for error in rec["errors"]:
        table.add_row("[yellow]damaged", error)
    rich_console().print(table)


DAYS_SHOWN = 14  # all time: the per-day table shows this many recent training days (--json has all)


def cmd_stats(args: argparse.Namespace) -> None:
    span = WEEK_S if args.week else MONTH_S if args.month else None
    since = int(time.time()) - span if span else None
    with Store(args.db, write=False) as store:
        records = store.sessions(since=since, series=False) + store.logged(since=since)
        totals = summarize(records, key=_stats_group)
        days = store.daily_totals(since=since, records=records)
    if args.json:
        _print_json({"since": since, "activities": totals, "days": days})
        return
    console = rich_console()
    period = "last 7 days" if args.week else "last 30 days" if args.month else "all time"
    if not totals:
        console.print(f"no sessions ({period})")
        return
    table = rich_table(
        "activity", "sessions", "count", "time", "/min", "kcal", "figures", title=f"totals, {period}"
    )
    for act, t in sorted(totals.items()):
        figures = figures_text(act.split()[0], {k: v for k, v in t["extras"].items() if k != "tempo"})
        table.add_row(
            act,
            str(t["sessions"]),
            str(t["count"]),
            clock_text(t["duration_ms"]),
            "-" if counts_time(act) else f"{t['rate_per_min']:.0f}",
            f"{t['kcal']:.1f}",
            figures,
        )
    console.print(table)
    shown_days = sorted({d["day"] for d in days})[-DAYS_SHOWN:]  # the table stays readable after years
    title = "per day" if span else f"per day, the last {len(shown_days)} days with training"
    daily = rich_table("day", "activity", "sessions", "count", "time", "kcal", title=title)
    for d in (d for d in days if d["day"] in shown_days):
        daily.add_row(
            d["day"],
            d["activity"],
            str(d["sessions"]),
            str(d["count"]),
            clock_text(d["duration_ms"]),
            f"{d['kcal']:.1f}",
        )
    console.print(daily)


def rich_console(**options: Any) -> Any:
    """A rich Console, rich imported only when a command draws (~40 ms that `--json` and `export` save)."""
    from rich.console import Console

    return Console(**options)


def rich_table(*columns: str, **options: Any) -> Any:
    """A rich Table (imported as `rich_console`)."""
    from rich.table import Table

    return Table(*columns, **options)


def main(argv: list[str] | None = None) -> int:
    """These commands without the rest of `fascia` (scripts, tests): exit 2 on a UserError."""
    parser = argparse.ArgumentParser(prog="fascia")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except UserError as e:
        print(f"fascia: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
