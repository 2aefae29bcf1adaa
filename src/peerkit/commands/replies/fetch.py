"""peerkit replies fetch: the replies in the IMAP mailbox of PEERKIT_IMAP_URL.

`register(app)` adds the command to the `replies` group (commands/replies.py). The messages
are read and recorded exactly as `replies import` records files (the replies core's `run`:
the answers in one transaction, then the agendas and invitations they change), a batch at a
time; with --move-to the replies of a batch are moved after it was committed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

from peerkit.commands._options import DryRunOpt, FormatOpt, WideOpt
from peerkit.context import AppContext, app_context
from peerkit.errors import catch_errors
from peerkit.output import Column, Format, emit, message, warning
from peerkit.text import examples

if TYPE_CHECKING:
    from peerkit.services.replies.imap import Answered, Skipped, Source

KEYS = ("source", "kind", "member", "target", "answer", "action", "reason")
COLUMNS = (
    Column("source", priority=3),
    Column("kind", priority=4),
    Column("member"),
    Column("target", priority=2),
    Column("answer"),
    Column("action"),
    Column("reason", priority=2, wrap=True),
)


FETCH_EXAMPLES = examples(
    "peerkit replies fetch --dry-run",
    "peerkit replies fetch",
    "peerkit replies fetch --folder INBOX --move-to Answered",
)


def register(app: typer.Typer) -> None:
    """Add `fetch` to the `replies` group."""
    app.command("fetch", epilog=FETCH_EXAMPLES)(fetch)


@catch_errors
def fetch(
    ctx: typer.Context,
    folder: Annotated[
        str | None,
        typer.Option(
            "--folder",
            help="The folder to read (default: the one in PEERKIT_IMAP_URL, else INBOX).",
            show_default=False,
            metavar="FOLDER",
        ),
    ] = None,
    move_to: Annotated[
        str | None,
        typer.Option(
            "--move-to",
            help="Move the messages that were replies to this folder (it must exist).",
            show_default=False,
            metavar="FOLDER",
        ),
    ] = None,
    dry_run: DryRunOpt = False,
    fmt: FormatOpt = Format.table,
    wide: WideOpt = False,
) -> None:
    """Read the replies in the IMAP mailbox of PEERKIT_IMAP_URL (imaps://user@host/INBOX) and
    record them as `replies import` does; the password comes from PEERKIT_IMAP_PASSWORD or
    the system keyring."""
    from peerkit.services.replies import imap

    app_ctx = app_context(ctx)
    mailbox = imap.target(app_ctx.settings.imap_url, folder)
    secret = imap.password(mailbox)
    warnings: list[str] = []
    with imap.open_mailbox(mailbox, secret, readonly=dry_run) as box:
        done = imap.fetch_replies(box, _recorder(app_ctx, dry_run, warnings), move_to=move_to)
    rows = [*map(_row, done.outcomes), *map(_skipped_row, done.skipped)]
    emit(rows, fmt, COLUMNS, csv_columns=KEYS, empty="No messages in that folder.", wide=wide)
    where = f"'{mailbox.folder}' of {mailbox.describe()}"
    summary = f"Read {done.read} message(s) from {where}"
    if done.skipped:
        summary += f"; skipped {len(done.skipped)} too large to be a reply"
    if move_to is not None and dry_run:
        summary += f"; would move {imap.would_move(done.outcomes)} reply(ies) to '{move_to}'"
    elif move_to is not None:
        summary += f"; moved {done.moved} reply(ies) to '{move_to}'"
    message(summary + (". Nothing was changed (dry run)." if dry_run else "."))
    for note in dict.fromkeys([*warnings, *done.notes]):
        warning(note)
    _pass_on_lapsed_offers(app_ctx, dry_run)


def _pass_on_lapsed_offers(app_ctx: AppContext, dry_run: bool) -> None:
    """Event seats offered and not taken in time go to the next on the waitlist, as `remind`
    does (the messages written to the outbox; `remind --send` sends them)."""
    from peerkit.services.outbox import delivery, events

    folder = app_ctx.settings.outbox_dir / "events"
    for step in events.sweep(app_ctx.db, app_ctx.now(), folder, None, dry_run):
        if isinstance(step, events.Waiting):
            warning(step.describe())
        elif isinstance(step, events.Lapse):
            message(step.describe(dry_run))
        elif isinstance(step, delivery.Written):
            message(f"Wrote {len(step.paths)} file(s) under {step.folder}.")


def _recorder(
    app_ctx: AppContext, dry_run: bool, warnings: list[str]
) -> Callable[[list[Source]], Sequence[Answered]]:
    """Each batch recorded as `replies import` records (one transaction, rolled back in a dry
    run; then what the answers changed is written); the database is opened only when there
    is something to record. The core's warnings are collected in WARNINGS."""

    def record(batch: list[Source]) -> Sequence[Answered]:
        from peerkit.services.replies import run

        outbox = app_ctx.settings.outbox_dir
        done = run(app_ctx.db(), batch, app_ctx.now(), outbox=outbox, dry_run=dry_run)
        warnings.extend(done.warnings)
        outcomes: Sequence[Answered] = done
        return outcomes

    return record


def _row(outcome: Any) -> dict[str, Any]:
    import dataclasses

    if hasattr(outcome, "as_dict"):
        return dict(outcome.as_dict())
    if dataclasses.is_dataclass(outcome) and not isinstance(outcome, type):
        return dataclasses.asdict(outcome)
    return {key: getattr(outcome, key, None) for key in KEYS}


def _skipped_row(skipped: Skipped) -> dict[str, Any]:
    return dict.fromkeys(KEYS) | {
        "source": skipped.label, "kind": "message", "action": "skipped", "reason": skipped.reason,
    }  # fmt: skip
