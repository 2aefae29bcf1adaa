"""peerkit replies ...: members' answers to invitations, read from their replies."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from peerkit.commands._options import DryRunOpt, FormatOpt, WideOpt
from peerkit.context import app_context
from peerkit.errors import UsageProblem, catch_errors
from peerkit.output import Column, Format, emit, message, warning
from peerkit.text import examples

app = typer.Typer(
    help="Replies to invitations: read members' answers from their mail and record them.",
    epilog=examples("peerkit replies import ~/Maildir --dry-run", "peerkit replies fetch"),
    no_args_is_help=True,
)

COLUMNS = (
    Column("source", priority=3),
    Column("member"),
    Column("target", priority=2),
    Column("answer"),
    Column("action"),
    Column("reason", priority=2, wrap=True),
)
CSV_COLUMNS = ("source", "kind", "member", "target", "answer", "action", "reason")


@app.command(
    "import",
    epilog=examples(
        "peerkit replies import ~/Maildir --dry-run",
        "peerkit replies import ~/Maildir",
        "peerkit replies import reply.eml --format json",
    ),
)
@catch_errors
def replies_import(
    ctx: typer.Context,
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Mail to read: .eml or .ics files, folders of them, maildir folders, mbox files.",
            show_default=False,
            metavar="PATH...",
        ),
    ],
    dry_run: DryRunOpt = False,
    fmt: FormatOpt = Format.table,
    wide: WideOpt = False,
) -> None:
    """Record what members answered to invitations: calendar replies (accept, decline,
    tentative) and plain answers ("yes", "no", "maybe", "sì", "non posso"...). Importing the
    same mail again changes nothing; an older reply never overwrites a newer one."""
    from peerkit.services import replies

    app_ctx = app_context(ctx)
    if any(not p for p in paths):
        raise UsageProblem("a PATH is empty; give a file or a folder (. for the current one).")
    found = [Path(p).expanduser() for p in paths]
    replies.check_paths(found)
    done = replies.run(
        app_ctx.db(),
        replies.sources(found),
        app_ctx.now(),
        outbox=app_ctx.settings.outbox_dir,
        dry_run=dry_run,
    )
    emit([o.as_dict() for o in done], fmt, COLUMNS, csv_columns=CSV_COLUMNS,
         empty="No messages found.", wide=wide)  # fmt: skip
    for text in dict.fromkeys(done.warnings):
        warning(text)
    counts: dict[str, int] = {}
    for outcome in done:
        counts[outcome.action] = counts.get(outcome.action, 0) + 1
    summary = ", ".join(f"{n} {action}" for action, n in counts.items())
    message(f"{len(done)} answer(s) read: {summary or 'none'}.")


from peerkit.commands.replies.fetch import register  # noqa: E402  (the same Typer app)

register(app)
