"""peerkit plan week: the weekly chores for every active group, cron-friendly."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from peerkit.commands._options import DryRunOpt, FormatOpt
from peerkit.context import AppContext, app_context
from peerkit.errors import catch_errors
from peerkit.output import Format, emit, message, warning

app = typer.Typer(help="Plan the week for every active group.", no_args_is_help=True)

COLUMNS = ("group", "session", "start", "status", "hot_seat", "facilitator", "invited", "written")
PROGRESS_FROM = 8


def default_out(app_ctx: AppContext) -> Path:
    """Beside the SQLite database (or in the data folder): DIR/outbox."""
    from peerkit.config import data_dir

    settings = app_ctx.settings
    return (settings.db_path.parent if settings.is_sqlite else data_dir()) / "outbox"


@app.command("week")
@catch_errors
def plan_week(
    ctx: typer.Context,
    week: Annotated[
        str | None,
        typer.Option(
            "--week", help="ISO week, e.g. 2026-W49 (default: this week).", show_default=False
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Where the files go (default: outbox/ beside the database).",
            show_default=False,
            file_okay=False,
        ),
    ] = None,
    send: Annotated[
        bool, typer.Option("--send", help="Also send the invitations by e-mail.")
    ] = False,
    dry_run: DryRunOpt = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Plan the week: meetings, hot seats, facilitators, agendas, .ics and invitations."""
    from peerkit.services.common import schedule
    from peerkit.services.groups import planning

    app_ctx = app_context(ctx)
    target = None
    if send and not dry_run:
        from peerkit.commands.invite import smtp_target

        target = smtp_target(app_ctx)  # a bad setting stops us before anything is written
    label = (
        schedule.week_label(schedule.iso_week(week)[0])
        if week is not None
        else schedule.week_label(app_ctx.today())
    )
    output = planning.Output(folder=(out or default_out(app_ctx)).expanduser(), dry_run=dry_run)
    db = app_ctx.db()
    scope = db.dry_run() if dry_run else db.write()
    with scope as session, _progress(len_groups(session)) as tick:
        results = planning.plan_week(session, label, output, progress=tick, today=app_ctx.today())
    rows = [_row(r.as_dict()) for r in results]
    emit(rows, fmt, COLUMNS, empty=f"No active groups: nothing to plan for {label}.")
    for text in dict.fromkeys(output.warnings):
        warning(text)
    if target is not None:
        send_week(app_ctx, target, results)
    files = [f["status"] for r in results for f in r.files]
    changed = sum(1 for s in files if s != "unchanged")
    verb = "would write" if dry_run else "wrote"
    message(
        f"{label}: {verb} {changed} file(s), {len(files) - changed} unchanged, "
        f"under {output.folder / label}."
    )


def send_week(app_ctx: AppContext, target: Any, results: list[Any]) -> None:
    """Send the week's invitations (and cancellations of meetings invited to before)."""
    from peerkit.commands.invite import deliver
    from peerkit.services.groups import meetings
    from peerkit.services.outbox import invitations

    for result in results:
        if result.session is None or not (result.invited or result.status == "cancelled"):
            continue
        with app_ctx.db().read() as session:
            meeting = meetings.resolve(session, result.session)
            method = "cancel" if meeting.status == "cancelled" else "request"
            if method == "cancel" and not invitations.was_invited(session, meeting):
                continue
            prepared = invitations.prepare(session, meeting, method)
            pending = invitations.not_yet_sent(session, meeting, prepared)
        message(f"{result.group}: sending {len(pending)} {method} message(s).")
        deliver(app_ctx, target, meeting.id or 0, pending, len(prepared))


def len_groups(session: Any) -> int:
    from peerkit.services.groups import roster

    return len(roster.list_groups(session))


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
