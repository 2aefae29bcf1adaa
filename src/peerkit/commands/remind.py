"""peerkit remind: cron-friendly reminders for meetings starting soon."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from peerkit.commands._options import EMPTY_FOLDER, DryRunOpt
from peerkit.context import AppContext, app_context
from peerkit.errors import catch_errors
from peerkit.output import data_line, message, warning
from peerkit.text import examples

REMIND_EXAMPLES = examples(
    "peerkit remind",
    "peerkit remind --within 72 --dry-run",
    "peerkit remind --send",
)


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
            **EMPTY_FOLDER,
        ),
    ] = None,
) -> None:
    """Remind members of meetings and events starting soon; writes .eml files, or sends with
    --send (each member once per meeting or event). First, seats offered from an event's
    waitlist and not accepted in time go to the next on it."""
    from peerkit.services.outbox import delivery, reminders
    from peerkit.services.outbox.message import EVENT

    reminders.check_hours(within)
    app_ctx = app_context(ctx)
    target = delivery.smtp_target(app_ctx.settings.smtp_url) if send and not dry_run else None
    window = reminders.Window(app_ctx.now(), app_ctx.today(), within)
    place = delivery.Place(out, app_ctx.settings.outbox_dir)
    held = _sweep_offers(app_ctx, place.folder() / "events", target, dry_run)
    for step in reminders.remind(app_ctx.db(), window, place, dry_run, target):
        if isinstance(step, delivery.Written):
            for path in step.paths:
                data_line(path)
        elif isinstance(step, reminders.Reminded):
            verb = "Would write" if dry_run else "Wrote"
            message(
                f"{verb} {step.count} reminder(s) for {step.meetings} meeting(s) and "
                f"{step.events} event(s) in the next {within:g} hours."
            )
        elif step.about == EVENT:
            message(f"Sent {step.count} event reminder(s) through {step.server}.")
        else:
            message(step.describe())
    if held:
        raise delivery.held_back(held, after=True)


def _sweep_offers(app_ctx: AppContext, folder: Path, target: Any, dry_run: bool) -> list[Any]:
    """Offers past their deadline lapse: withdrawals and new offers written (and sent).
    Returns the messages held back by their check, named at the end (the reminders go on)."""
    from peerkit.services.outbox import delivery, events

    held: list[Any] = []
    for step in events.sweep(app_ctx.db, app_ctx.now(), folder, target, dry_run, held):
        if isinstance(step, events.Waiting):
            warning(step.describe())
        elif isinstance(step, events.Lapse):
            message(step.describe(dry_run))
        elif isinstance(step, delivery.Written):
            for path in step.paths:
                data_line(path)
        else:
            message(step.describe())
    return held
