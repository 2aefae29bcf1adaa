"""peerkit invite SESSION: one iMIP invitation (or cancellation) per attendee."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from peerkit.commands._options import SessionRef
from peerkit.context import AppContext, app_context
from peerkit.errors import PeerkitError, catch_errors
from peerkit.output import data_line, message


class Method(StrEnum):
    request = "request"
    cancel = "cancel"


@catch_errors
def invite(
    ctx: typer.Context,
    session_id: SessionRef,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Folder for the .eml files (default: the week's folder in the outbox).",
            show_default=False,
            file_okay=False,
        ),
    ] = None,
    send: Annotated[
        bool, typer.Option("--send", help="Send them through PEERKIT_SMTP_URL (each once).")
    ] = False,
    method: Annotated[
        Method,
        typer.Option(
            "--method", help="request (invite or update) or cancel.", case_sensitive=False
        ),
    ] = Method.request,
) -> None:
    """Write one invitation e-mail per attendee (.eml); with --send, deliver them."""
    from peerkit.commands.plan import default_out
    from peerkit.services.common import schedule
    from peerkit.services.groups import meetings, planning, roster
    from peerkit.services.outbox import invitations

    app_ctx = app_context(ctx)
    target = smtp_target(app_ctx) if send else None  # a bad setting stops us before writing
    with app_ctx.db().read() as session:
        meeting = meetings.resolve(session, session_id)
        prepared = invitations.prepare(session, meeting, method.value)
        group = roster.resolve(session, str(meeting.group_id))
        folder = out or default_out(app_ctx) / schedule.week_label(meeting.slot_date) / group.slug
        pending = invitations.not_yet_sent(session, meeting, prepared) if send else []
    output = planning.Output(folder=folder.expanduser())
    for item in prepared:
        written = output.put(output.folder / item.filename, item.outgoing.message.as_bytes())
        data_line(written["path"])
    message(f"Session {session_id}: {len(prepared)} {method.value} message(s) in {output.folder}.")
    if target is not None:
        deliver(app_ctx, target, meeting.id or 0, pending, len(prepared))


def deliver(
    app_ctx: AppContext, target: Any, meeting_id: int, pending: list[Any], total: int
) -> None:
    """Send what has not been sent yet, and record what the server accepted."""
    from peerkit import mail
    from peerkit.services.outbox import invitations

    sent: list[Any] = []
    outgoing = [p.outgoing for p in pending]
    try:
        mail.send_all(target, mail.smtp_password(target), outgoing, sent)
    finally:
        accepted = [p for p in pending if p.outgoing in sent]
        if accepted:
            with app_ctx.db().write() as session:
                invitations.record(session, meeting_id, accepted)
    skipped = total - len(pending)
    message(
        f"Sent {len(sent)} through {target.describe()}"
        + (f"; {skipped} had been sent before." if skipped else ".")
    )


def smtp_target(app_ctx: AppContext) -> Any:
    from peerkit import mail

    url = os.environ.get("PEERKIT_SMTP_URL") or app_ctx.settings.default("smtp_url")
    if not url:
        raise PeerkitError(
            "--send needs a mail server: set PEERKIT_SMTP_URL (e.g. smtp+starttls://you@host:587) "
            "or smtp_url in config.toml."
        )
    return mail.parse_smtp_url(url)
