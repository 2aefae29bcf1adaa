"""peerkit invite SESSION: one iMIP invitation (or cancellation) per attendee."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from peerkit.commands._options import EMPTY_FOLDER, SessionRef
from peerkit.context import app_context
from peerkit.errors import catch_errors
from peerkit.output import data_line, message
from peerkit.text import examples

INVITE_EXAMPLES = examples(
    "peerkit invite 4",
    "peerkit session cancel 5 && peerkit invite 5 --method cancel",
    "peerkit invite 4 --send",
)


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
            **EMPTY_FOLDER,
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
    from peerkit.services.outbox import delivery, invitations

    app_ctx = app_context(ctx)
    # A bad mail setting stops us before anything is written.
    target = delivery.smtp_target(app_ctx.settings.smtp_url) if send else None
    place = delivery.Place(out, app_ctx.settings.outbox_dir)
    steps = invitations.invite(app_ctx.db(), session_id, method.value, place, target, app_ctx.now())
    for step in steps:
        if isinstance(step, delivery.Written):
            for path in step.paths:
                data_line(path)
            message(
                f"Session {session_id}: {step.count} {method.value} message(s) in {step.folder}."
            )
        else:
            message(step.describe())
