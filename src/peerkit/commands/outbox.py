"""peerkit outbox check: every .eml and .ics written, read back and held to the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from peerkit.commands._options import EMPTY_FOLDER, FormatOpt
from peerkit.context import app_context
from peerkit.errors import catch_errors
from peerkit.output import Format, data_line, emit, message
from peerkit.text import examples

CHECK_EXAMPLES = examples(
    "peerkit outbox check",
    "peerkit plan week && peerkit outbox check && peerkit plan week --send",
    "peerkit outbox check --format json",
)
app = typer.Typer(
    help="The messages peerkit wrote: check them before they are sent.",
    epilog=CHECK_EXAMPLES,
    no_args_is_help=True,
)

COLUMNS = ("path", "kind", "about", "recipient", "ok", "problems")


@app.command("check", epilog=CHECK_EXAMPLES)
@catch_errors
def outbox_check(
    ctx: typer.Context,
    folder: Annotated[
        Path | None,
        typer.Argument(
            help="Folder to check (with its sub-folders), or one .eml or .ics file "
            "(default: the outbox beside the database).",
            show_default=False,
            metavar="DIR",
            **EMPTY_FOLDER,
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Check every .eml and .ics written, before anything is sent.

    Each must parse, match the database, go to one member only, and carry the right METHOD,
    SEQUENCE, DTSTAMP and Message-ID. One line per problem; exit 1 when any file has one.
    """
    from peerkit.services.outbox import check

    app_ctx = app_context(ctx)
    paths = check.files_under(folder if folder is not None else app_ctx.settings.outbox_dir)
    with app_ctx.db().read() as session:
        verdicts = check.check_files(session, paths, app_ctx.now())
    if fmt is Format.table:
        for verdict in verdicts:
            for problem in verdict.problems:
                data_line(f"{verdict.path}: {problem}")
    else:
        emit([v.as_dict() for v in verdicts], fmt, COLUMNS)
    message(check.summary(verdicts))
    if not all(v.ok for v in verdicts):
        raise typer.Exit(1)
