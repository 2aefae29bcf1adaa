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
        typer.Option(
            "--within", help="Meetings and events starting within HOURS.", metavar="HOURS"
        ),
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
    """Remind members of meetings and events starting soon; writes .eml files, or sends with
    --send (each member once per meeting or event)."""
    from peerkit.commands.invite import deliver, smtp_target
    from peerkit.commands.plan import default_out
    from peerkit.services.common import schedule
    from peerkit.services.events import seats
    from peerkit.services.groups import planning, roster
    from peerkit.services.outbox import invitations, reminders

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
            group = roster.resolve(session, str(meeting.group_id))
            folder = root / schedule.week_label(meeting.slot_date) / group.slug
            output = planning.Output(folder=folder, dry_run=dry_run)
            for item in pending:
                data_line(
                    output.put(folder / item.filename, item.outgoing.message.as_bytes())["path"]
                )
            batches.append((meeting.id or 0, pending, len(prepared)))
        happenings = []
        for event in seats.due(session, app_ctx.now(), within):
            pending_events = seats.reminders(session, event, app_ctx.today())
            output = planning.Output(folder=root / "events" / f"event-{event.id}", dry_run=dry_run)
            for reminder in pending_events:
                path = output.folder / reminder.filename
                data_line(output.put(path, reminder.outgoing.message.as_bytes())["path"])
            happenings.append((event.id or 0, pending_events))
    count = sum(len(p) for _m, p, _t in batches) + sum(len(p) for _e, p in happenings)
    verb = "Would write" if dry_run else "Wrote"
    message(
        f"{verb} {count} reminder(s) for {len(batches)} meeting(s) and {len(happenings)} "
        f"event(s) in the next {within:g} hours."
    )
    if target is not None:
        for meeting_id, pending, total in batches:
            deliver(app_ctx, target, meeting_id, pending, total)
        for event_id, pending_events in happenings:
            if pending_events:
                _send_event(app_ctx, target, event_id, pending_events)


def _send_event(app_ctx: Any, target: Any, event_id: int, pending: list[Any]) -> None:
    from peerkit.commands._delivery import send_recorded
    from peerkit.services.events import seats

    def record(session: Any, accepted: list[int]) -> None:
        seats.mark_reminded(session, seats.resolve(session, str(event_id)), accepted)

    sent = send_recorded(app_ctx, target, pending, record)
    message(f"Sent {sent} event reminder(s) through {target.describe()}.")
