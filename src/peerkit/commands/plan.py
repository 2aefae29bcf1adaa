"""peerkit plan week: the weekly chores for every active group, cron-friendly."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from peerkit.commands._options import EMPTY_FOLDER, DryRunOpt, FormatOpt, WideOpt, complete_week
from peerkit.context import app_context
from peerkit.errors import catch_errors
from peerkit.output import Column, Format, emit, message, warning
from peerkit.text import examples

WEEK_EXAMPLES = examples(
    "peerkit plan week",
    "peerkit plan week --week 2026-W50 --dry-run",
    "peerkit plan week --send",
)
app = typer.Typer(
    help="Plan the week for every active group.", epilog=WEEK_EXAMPLES, no_args_is_help=True
)

COLUMNS = (
    Column("group"),
    Column("session"),  # the id the next command (agenda, invite) is typed with
    Column("start"),
    Column("status", priority=4),
    Column("hot_seat", wrap=True, min_width=8),
    Column("facilitator", priority=3),
    Column("invited", priority=3),
    Column("written", priority=5),
)
PROGRESS_FROM = 8


@app.command("week", epilog=WEEK_EXAMPLES)
@catch_errors
def plan_week(
    ctx: typer.Context,
    week: Annotated[
        str | None,
        typer.Option(
            "--week",
            help="ISO week, e.g. 2026-W49 (default: this week).",
            show_default=False,
            metavar="WEEK",
            autocompletion=complete_week,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Where the files go (default: outbox/ beside the database).",
            show_default=False,
            file_okay=False,
            **EMPTY_FOLDER,
        ),
    ] = None,
    send: Annotated[
        bool, typer.Option("--send", help="Also send the invitations by e-mail.")
    ] = False,
    dry_run: DryRunOpt = False,
    fmt: FormatOpt = Format.table,
    wide: WideOpt = False,
) -> None:
    """Plan the week: meetings, hot seats, facilitators, agendas, .ics and invitations."""
    from peerkit.services.common import schedule
    from peerkit.services.outbox import delivery, invitations

    app_ctx = app_context(ctx)
    today = app_ctx.today()
    # A bad mail setting stops us before anything is written.
    target = delivery.smtp_target(app_ctx.settings.smtp_url) if send and not dry_run else None
    label = (
        schedule.week_label(schedule.iso_week(week)[0])
        if week is not None
        else schedule.week_label(today)
    )
    place = delivery.Place(out, app_ctx.settings.outbox_dir)
    output = delivery.Output(folder=place.folder(), dry_run=dry_run)
    db = app_ctx.db()
    results, (clock, names, notices) = _plan(db, label, output, today)
    rows = [
        _row(r.for_people(clock, names) if fmt is Format.table else r.as_dict()) for r in results
    ]
    empty = f"No active groups: nothing to plan for {label}."
    emit(rows, fmt, COLUMNS, empty=empty, wide=wide)
    for text in dict.fromkeys(output.warnings):
        warning(text)
    for text in notices:  # holidays and breaks: skipped, moved, cancelled; members' holidays
        message(text)
    for step in invitations.send_week(db, target, results) if target is not None else []:
        if isinstance(step, invitations.Sending):
            message(f"{step.group}: sending {step.count} {step.method} message(s).")
        else:
            message(step.describe())
    files = [f["status"] for r in results for f in r.files]
    changed = sum(1 for s in files if s != "unchanged")
    verb = "would write" if dry_run else "wrote"
    message(
        f"{label}: {verb} {changed} file(s), {len(files) - changed} unchanged, "
        f"under {output.folder / label}."
    )


def _plan(db: Any, label: str, output: Any, today: date) -> tuple[list[Any], Any]:
    """Plan the week and write its files (a dry run: show what would be written); the
    results, and how a table shows them (`_view`)."""
    from peerkit.services.groups import planning
    from peerkit.services.outbox import week as week_svc

    if output.dry_run:
        with db.dry_run() as session:
            planned = planning.plan(session, label, today=today)
            view = _view(planned, today)
            with _progress(_groups(planned)) as tick:
                done = week_svc.write_week(planned, label, output, progress=tick, today=today)
                return done, view
    # The plan is committed first, then its files are written: a run stopped half-way
    # (Ctrl-C) leaves no file for a meeting that was rolled back, and a re-run writes the
    # files that are missing.
    with db.write() as session:
        planned = planning.plan(session, label, today=today)
        view = _view(planned, today)
    with _progress(_groups(planned)) as tick:
        return week_svc.write_week(planned, label, output, progress=tick, today=today), view


def _view(planned: Any, today: date) -> tuple[Any, dict[int, str], list[str]]:
    """The community's clock and the names of the members the week's meetings name, read
    from the planned week (no query): the table shows names and "Tue 8 Dec 18:30"; and
    what holidays and breaks did to the week, in words."""
    from peerkit.services.common import community
    from peerkit.services.outbox import week as week_svc

    clock = community.clock_of(planned.community, today)
    return clock, week_svc.names_of(planned), week_svc.notices_of(planned)


def _groups(planned: Any) -> int:
    """The groups of the planned week (the progress bar's length), without asking again."""
    return len({item.group.slug for item in planned.slots})


def _row(result: dict[str, Any]) -> dict[str, Any]:
    files = result["files"]
    result["written"] = sum(1 for f in files if f["status"] != "unchanged")
    return result


class _progress:
    """A Rich progress bar on stderr when there are many groups and a terminal to show it."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.bar: Any = None

    def __enter__(self) -> Any:
        if self.total < PROGRESS_FROM or not sys.stderr.isatty():
            return None
        from rich.console import Console
        from rich.progress import Progress

        self.bar = Progress(console=Console(stderr=True), transient=True)
        self.bar.start()
        task = self.bar.add_task("Planning", total=self.total)
        return lambda _slug: self.bar.advance(task)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
