"""`fascia plan`, `export`, `plot`: the programme check, exports and charts over the session store.

Thin commands over `host_tools.plan`, `host_tools.export` and `host_tools.plot`, which work on plain
lists of session records; the only store calls are `Store(db, write=False).sessions(...)` and `.get(id)`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import sys
from pathlib import Path
from typing import Any

from fascia.detect import ACTIVITIES
from host_tools.errors import UserError
from host_tools.history import rich_console, rich_table, since_arg
from host_tools.vocabulary import MANUAL_ACTIVITIES


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def _sessions(
    db: str | None, since: int | None = None, activity: str | None = None, series: bool = False
) -> list[dict[str, Any]]:
    """Session records, the device's and those logged by hand (`fascia log`), oldest first (unknown
    start times last); `series`: with events_ms and progress (decoded from each raw log, so only for
    the commands that use them)."""
    from host_tools.store import Store

    with Store(db, write=False) as store:
        records = store.sessions(since=since, activity=activity, series=series)
        records += store.logged(since=since, activity=activity)
    return sorted(records, key=lambda r: (r["start_utc"] is None, r["start_utc"] or 0))


# ---------------------------------------------------------------- log (yoga, dance by hand)


def _cmd_log(args: argparse.Namespace) -> None:
    from host_tools.plan import DEFAULT_RULES
    from host_tools.store import Store

    if args.undo:
        if args.activity or args.minutes is not None or args.date or args.note:
            raise UserError("--undo takes nothing else: it removes the entry logged last")
        with Store(args.db) as store:
            gone = store.undo_log()
        if gone is None:
            raise UserError("nothing logged to undo")
        print(f"removed: {_logged_line(gone)}")
        return
    if not args.activity:
        raise UserError(f"what did you do? `fascia log {'|'.join(MANUAL_ACTIVITIES)}` (or --undo)")
    minutes = DEFAULT_RULES[args.activity].min_minutes if args.minutes is None else args.minutes
    if not 0 < minutes <= 600:
        raise UserError(f"--minutes must be between 0 and 600, not {minutes:g}")
    now = dt.datetime.now().astimezone()
    if args.date is None:
        start = now - dt.timedelta(minutes=minutes)
    elif args.date > now.date():
        raise UserError(f"--date {args.date} is in the future")
    else:
        start = dt.datetime.combine(args.date, dt.time(12)).astimezone()  # noon: the day is what counts
    with Store(args.db) as store:
        entry = store.log_activity(args.activity, int(start.timestamp()), minutes, args.note or "")
    print(f"logged: {_logged_line(entry)} (undo: `fascia log --undo`)")


def _logged_line(entry: dict[str, Any]) -> str:
    day = dt.datetime.fromtimestamp(entry["start_utc"]).strftime("%a %d %b %Y")
    note = f" ({entry['note']})" if entry["note"] else ""
    return f"{entry['activity']} {entry['duration_ms'] / 60000:g} min on {day}{note}"


def _rules(path: str | None):
    from host_tools.plan import PlanConfigError, load_rules

    try:
        return load_rules(Path(path) if path else None)
    except PlanConfigError as e:
        raise UserError(str(e)) from None


# ---------------------------------------------------------------- plan

_STATE_STYLE = {"done": "green", "week done": "green", "due": "bold yellow", "rest": "cyan", "open": "white"}


def _week_cells(status, week_start: dt.date, today: dt.date) -> str:
    """'M✔T·W✔T F S S ': a tick per programme day, a dot for a past day without; today reversed."""
    cells = []
    for i in range(7):
        d = week_start + dt.timedelta(days=i)
        mark = "[green]✔[/]" if d in status.done_days else ("[dim]·[/]" if d < today else " ")
        name = "MTWTFSS"[i]
        cells.append(f"[reverse]{name}[/]{mark}" if d == today else f"{name}{mark}")
    return "".join(cells)


def _cmd_plan(args: argparse.Namespace) -> None:
    from host_tools.plan import evaluate

    rules = _rules(args.rules)
    today = args.today or dt.date.today()
    report = evaluate(_sessions(args.db), today, rules)
    if args.json:
        print(json.dumps(report.to_dict(), indent=1))
        return
    console = rich_console()
    table = rich_table(
        title=f"Fascia programme, week of {report.week_start:%a %d %b %Y}", title_justify="left"
    )
    table.add_column("activity", no_wrap=True)
    table.add_column("this week", no_wrap=True)
    table.add_column("today")
    table.add_column("volume (before)", justify="right")
    for a in report.activities:
        style = _STATE_STYLE.get(a.today, "white")
        table.add_row(
            a.label,
            f"{_week_cells(a, report.week_start, today)} {len(a.done_days)}/{a.target_days}",
            f"[{style}]{a.advice}[/] ({a.today_text})",
            f"{a.volume:.0f} {a.unit}" + ("" if a.baseline is None else f" ({a.baseline:.0f})"),
        )
    console.print(table)
    for a in report.activities:
        for short in a.short_days:
            when = "today so far" if short["day"] == today else f"{short['day']:%a %d %b}: did not count"
            console.print(f"{a.label}, {when}: {short['reason']}")
    for a in report.activities:
        if a.phase != "built up":
            console.print(f"{a.label}: {a.phase}, {a.target_days} days a week with a rest day between.")
    c = report.challenge
    if c.completed:
        line = f"[green]{c.days}x{c.jumps_per_day} challenge complete: {c.streak} days in a row[/]"
    else:
        today_note = "done today" if c.today_done else f"{c.today_jumps}/{c.jumps_per_day} jumps today"
        line = (
            f"{c.days}x{c.jumps_per_day} challenge: day {c.streak} of {c.days} ({today_note}, best {c.best})"
        )
    console.print(line)
    for w in report.warnings:
        console.print(f"[bold red]build-up:[/] {w}")
    if report.undated:
        console.print(f"[dim]{report.undated} session(s) with an unknown start time are not counted.[/]")


# ---------------------------------------------------------------- export


def export_format(out: Path, given: str | None) -> str:
    """The format the file name says (.csv, .json, .fit); a folder is FIT (one file a session).
    A --format that disagrees with the extension is refused: a .json full of CSV helps nobody."""
    from host_tools.export import FORMATS

    suffix = out.suffix.lower().lstrip(".")
    if suffix in FORMATS:
        if given and given != suffix:
            raise UserError(f"{out} is a .{suffix} file but --format is {given}: make them agree")
        return suffix
    if suffix:
        raise UserError(f"{out}: unknown extension .{suffix} (use .csv, .json or .fit, or a folder for FIT)")
    if given not in (None, "fit"):
        raise UserError(f"{out} has no extension: name a .{given} file (a folder holds FIT files)")
    return "fit"


def _cmd_export(args: argparse.Namespace) -> None:
    from host_tools import export
    from host_tools.store import Store

    out = Path(args.out)
    if out.is_file() and not args.force:
        raise UserError(f"{out} already exists (--force to overwrite it)")
    args.format = export_format(out, args.format)
    with Store(args.db, write=False) as store:  # records streamed from the store: constant memory
        selection = {"since": args.since, "activity": args.activity}
        logged = store.logged(**selection)  # (yoga, dance logged by hand: a few small records)
        if not store.count(**selection) and not logged:
            raise UserError("no sessions to export (check --since / --activity, or run `fascia sync`)")
        series = store.iter_sessions(**selection, series=args.format != "csv", encoded=True)
        records = itertools.chain(series, logged)
        try:
            if args.format == "fit":
                files, warnings = export.write_fit(records, out)
                for w in warnings:
                    print(f"fascia: warning: {w}", file=sys.stderr)
                print(f"{len(files)} FIT file(s) written to {out}")
                return
            if args.format == "csv":
                n = export.write_csv(records, out, store.extra_names(**selection))
            else:
                n = export.write_json(records, out)
        except (OSError, ValueError) as e:
            raise UserError(str(e)) from None
    print(f"{n} session(s) written to {out}")


# ---------------------------------------------------------------- plot


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def _cmd_plot(args: argparse.Namespace) -> None:
    from host_tools import plot

    out = Path(args.output)
    plot.image_format(out)  # (UserError: an extension matplotlib cannot write)
    try:
        if args.trend:
            today = args.today or dt.date.today()
            plot.plot_trend(_sessions(args.db), out, today, weeks=args.weeks, rules=_rules(args.rules))
        else:
            from host_tools.store import Store

            with Store(args.db, write=False) as store:
                record = store.get(args.id)
            if record is None:
                raise UserError(f"no session with id {args.id} (see `fascia sessions`)")
            plot.plot_session(record, out)
    except OSError as e:
        raise UserError(f"{out}: {e.strerror}") from None
    print(out)


def register(subparsers) -> None:
    from host_tools.plan import default_config_path
    from host_tools.store import default_path

    db_help = f"the session database (default: {default_path()})"
    rules_help = f"programme rules file, TOML or JSON (default: {default_config_path()}, if it exists)"

    p = subparsers.add_parser("log", help="record yoga or a dance done without the device (undo: --undo)")
    p.add_argument("activity", nargs="?", choices=MANUAL_ACTIVITIES, help="what you did")
    p.add_argument(
        "--minutes", "-m", type=float, help="how long (default: the programme's minimum: yoga 5, dance 3)"
    )
    p.add_argument("--date", "-d", type=_date, help="the day it was done (YYYY-MM-DD; default: today)")
    p.add_argument("--note", "-n", help="a few words to remember it by")
    p.add_argument("--undo", action="store_true", help="remove the entry logged last")
    p.add_argument("--db", help=db_help)
    p.set_defaults(func=_cmd_log)

    p = subparsers.add_parser(
        "plan", help="this week of the fascia programme: done, due, 10x10 streak, build-up"
    )
    p.add_argument("--json", action="store_true", help="print the report as one JSON object")
    p.add_argument("--db", help=db_help)
    p.add_argument("--today", type=_date, help="evaluate as of this date (YYYY-MM-DD; default: today)")
    p.add_argument(
        "--rules", help="programme rules file, TOML or JSON (default: plan.toml in the config dir)"
    )
    p.set_defaults(func=_cmd_plan)

    p = subparsers.add_parser("export", help="write sessions as CSV, JSON or FIT files")
    p.add_argument(
        "out", help="output: a .csv, .json or .fit file (one session), or a folder (a FIT file per session)"
    )
    p.add_argument(
        "--format", "-f", choices=("csv", "json", "fit"), help="optional: the extension decides; must agree"
    )
    p.add_argument("--since", type=since_arg, help="from this date (YYYY-MM-DD) or N days ago (e.g. 7d)")
    p.add_argument("--activity", "-a", choices=ACTIVITIES)
    p.add_argument("--db", help=db_help)
    p.add_argument("--force", action="store_true", help="overwrite OUT if it exists")
    p.set_defaults(func=_cmd_export)

    p = subparsers.add_parser("plot", help="chart of one session, or of the training trend")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("id", nargs="?", type=int, help="the session's id, as `fascia sessions` lists it")
    what.add_argument("--trend", action="store_true", help="daily counts and weekly programme compliance")
    p.add_argument("-o", "--output", required=True, help="image to write: .png, .svg, .pdf, .jpg...")
    p.add_argument("--weeks", type=_positive, default=8, help="trend: how many weeks (default 8)")
    p.add_argument("--today", type=_date, help="trend: last day shown (default: today)")
    p.add_argument("--rules", help="trend: " + rules_help)
    p.add_argument("--db", help=db_help)
    p.set_defaults(func=_cmd_plot)
