"""peerkit remind: cron-friendly reminders for meetings starting soon."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from peerkit.commands._options import DryRunOpt
from peerkit.context import app_context
from peerkit.errors import InvalidValue, catch_errors
from peerkit.output import data_line, message


@catch_errors
def remind(
    ctx: typer.Context,
    within: Annotated[
        float,
        typer.Option("--within", help="Meetings starting within HOURS from now.", metavar="HOURS"),
    ] = 24,
    send: Annotated[
        bool, typer.Option("--send", help="Send them (each member once per meeting).")
    ] = False,
    dry_run: DryRunOpt = False,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Outbox folder (default: outbox/ beside the database).",
            show_default=False,
            file_okay=False,
        ),
    ] = None,
) -> None:
    """Remind members of meetings starting soon; writes .eml files, or sends with --send."""
    from peerkit.commands.invite import deliver, smtp_target
    from peerkit.commands.plan import default_out
    from peerkit.services import groups, invitations, planning, reminders, schedule

    if not 0 < within <= reminders.MAX_HOURS:
        raise InvalidValue(f"--within is in hours, between 0 and {reminders.MAX_HOURS}.")
    app_ctx = app_context(ctx)
    target = smtp_target(app_ctx) if send and not dry_run else None
    root = (out or default_out(app_ctx)).expanduser()
    batches: list[tuple[int, list[Any], int]] = []
    with app_ctx.db().read() as session:
        for meeting in reminders.due(session, app_ctx.now(), within):
            prepared = reminders.prepare(session, meeting)
            pending = invitations.not_yet_sent(session, meeting, prepared)
            group = groups.resolve(session, str(meeting.group_id))
            folder = root / schedule.week_label(meeting.slot_date) / group.slug
            output = planning.Output(folder=folder, dry_run=dry_run)
            for item in pending:
                data_line(
                    output.put(folder / item.filename, item.outgoing.message.as_bytes())["path"]
                )
            batches.append((meeting.id or 0, pending, len(prepared)))
    count = sum(len(p) for _m, p, _t in batches)
    verb = "Would write" if dry_run else "Wrote"
    message(
        f"{verb} {count} reminder(s) for {len(batches)} meeting(s) in the next {within:g} hours."
    )
    if target is not None:
        for meeting_id, pending, total in batches:
            deliver(app_ctx, target, meeting_id, pending, total)
