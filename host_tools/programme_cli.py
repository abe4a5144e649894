"""`fascia plan`, `export`, `plot`: the programme check, exports and charts over the session store.

Thin commands over `host_tools.plan`, `host_tools.export` and `host_tools.plot`, which work on plain
lists of session records; the only store calls are `Store(db, write=False).sessions(...)` and `.get(id)`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from fascia.detect import ACTIVITIES
from host_tools.errors import UserError
from host_tools.history import since_arg


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def _sessions(
    db: str | None, since: int | None = None, activity: str | None = None, series: bool = False
) -> list[dict[str, Any]]:
    """Session records; `series`: with events_ms and progress (decoded from each raw log, so only
    for the commands that use them)."""
    from host_tools.store import Store

    with Store(db, write=False) as store:
        return store.sessions(since=since, activity=activity, series=series)


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
    console = Console()
    table = Table(title=f"Fascia programme, week of {report.week_start:%a %d %b %Y}", title_justify="left")
    table.add_column("activity", no_wrap=True)
    table.add_column("this week", no_wrap=True)
    table.add_column("today", no_wrap=True)
    table.add_column("volume", justify="right", no_wrap=True)
    table.add_column("prev. avg", justify="right", no_wrap=True)
    for a in report.activities:
        style = _STATE_STYLE.get(a.today, "white")
        table.add_row(
            a.label,
            f"{_week_cells(a, report.week_start, today)} {len(a.done_days)}/{a.target_days}",
            f"[{style}]{a.advice}[/]",
            f"{a.volume:.0f} {a.unit}",
            "-" if a.baseline is None else f"{a.baseline:.0f}",
        )
    console.print(table)
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


def _cmd_export(args: argparse.Namespace) -> None:
    from host_tools import export
    from host_tools.store import Store

    out = Path(args.out)
    with Store(args.db, write=False) as store:  # records streamed from the store: constant memory
        selection = {"since": args.since, "activity": args.activity}
        if not store.count(**selection):
            raise UserError("no sessions to export (check --since / --activity, or run `fascia sync`)")
        records = store.iter_sessions(**selection, series=args.format != "csv")
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


def _cmd_plot(args: argparse.Namespace) -> None:
    from host_tools import plot

    out = Path(args.output)
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
    p.add_argument("out", help="output file (csv/json; fit: a .fit file for one session, else a directory)")
    p.add_argument("--format", "-f", choices=("csv", "json", "fit"), default="csv")
    p.add_argument("--since", type=since_arg, help="from this date (YYYY-MM-DD) or N days ago (e.g. 7d)")
    p.add_argument("--activity", "-a", choices=ACTIVITIES)
    p.add_argument("--db", help=db_help)
    p.set_defaults(func=_cmd_export)

    p = subparsers.add_parser("plot", help="PNG chart of one session, or of the training trend")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("id", nargs="?", type=int, help="the session's id, as `fascia sessions` lists it")
    what.add_argument("--trend", action="store_true", help="daily counts and weekly programme compliance")
    p.add_argument("-o", "--output", required=True, help="PNG file to write")
    p.add_argument("--weeks", type=int, default=8, help="trend: how many weeks (default 8)")
    p.add_argument("--today", type=_date, help="trend: last day shown (default: today)")
    p.add_argument("--rules", help="trend: " + rules_help)
    p.add_argument("--db", help=db_help)
    p.set_defaults(func=_cmd_plot)
