"""peerkit log: who changed what in the community's record, and when (newest first)."""

from __future__ import annotations

from typing import Annotated

import typer

from peerkit.commands._options import FormatOpt, WideOpt, date_option, group_option, member_option
from peerkit.context import app_context
from peerkit.errors import catch_errors
from peerkit.output import Column, Format, emit_rows
from peerkit.text import examples

LOG_EXAMPLES = examples(
    "peerkit log",
    'peerkit log --member "Giulia Rossi" --since 2026-11-01',
    "peerkit log --group mastermind-del-martedi --format json",
)
COLUMNS = (Column("at"), Column("said", wrap=True, header="change"))
CSV_COLUMNS = ("at", "by", "action", "entity", "id", "before", "after", "entry", "by_email",
               "member_id", "group_id")  # fmt: skip


@catch_errors
def log(
    ctx: typer.Context,
    member: Annotated[
        str | None, member_option("--member", "Only changes about this member.")
    ] = None,
    group: Annotated[str | None, group_option("Only changes about this group.")] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="WHO",
            show_default=False,
            help="Only changes made by WHO (part of their name, or their e-mail).",
        ),
    ] = None,
    since: Annotated[
        str | None, date_option("--since", "Only changes from DATE (YYYY-MM-DD) on.")
    ] = None,
    fmt: FormatOpt = Format.table,
    wide: WideOpt = False,
) -> None:
    """Who changed what, and when: every change to the community's record, newest first.

    The table says each change in words; JSON and CSV give the fields before and after.
    """
    from peerkit.services.reports import changes

    app_ctx = app_context(ctx)
    with app_ctx.db().read() as session:
        rows = changes.read(session, member=member, group=group, by=by, since=since)
        if fmt is Format.table:
            rows = ({**row, "at": row["at"][:19].replace("T", " ") + "Z"} for row in rows)
        emit_rows(
            rows, fmt, COLUMNS, csv_columns=CSV_COLUMNS, empty="No changes recorded.", wide=wide
        )
