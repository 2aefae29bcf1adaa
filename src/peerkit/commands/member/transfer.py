"""peerkit member import / member export: the member CSV (and JSON) in and out."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from peerkit.commands._options import DryRunOpt, ForceOpt, OutputOpt, complete_member
from peerkit.errors import catch_errors
from peerkit.output import Format, emit_rows, message, to_json, write_csv
from peerkit.text import examples

IMPORT_EXAMPLES = examples(
    "peerkit member export --output members.csv",
    "peerkit member import members.csv --update --dry-run",
    "peerkit member import members.csv --update",
)
EXPORT_EXAMPLES = examples(
    "peerkit member export --output members.csv",
    'peerkit member export "Giulia Rossi" --output giulia.json',
)


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"


def csv_columns() -> tuple[str, ...]:
    from peerkit.services.members.csvio import COLUMNS

    return COLUMNS


@catch_errors
def member_import(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="A CSV file with a header line (member export writes one).",
            show_default=False,
            metavar="FILE",
        ),
    ],
    dry_run: DryRunOpt = False,
    update: Annotated[
        bool,
        typer.Option(
            "--update", help="Update members that already exist (matched by id, then e-mail)."
        ),
    ] = False,
    max_size: Annotated[
        str | None,
        typer.Option(
            "--max-size",
            metavar="SIZE",
            help="The largest file read, e.g. 500MB or 2GB. Default: 100MB.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Import members from CSV: all rows or none; every bad row is reported with its line."""
    from peerkit.context import app_context, community_defaults, many_rows
    from peerkit.services.common import community
    from peerkit.services.members import bulk, importing, source

    app_ctx = app_context(ctx)
    stored = app_ctx.settings.database_exists()
    limit = source.parse_size(max_size) if max_size is not None else source.MAX_BYTES
    job = importing.Import(
        file, app_ctx.today(), update=update, stored=stored, dry_run=dry_run, max_bytes=limit
    )
    with many_rows(), job:
        if not stored:
            job.check()  # a file with problems does not create the database
        db = app_ctx.db()
        # A file this command has just created: a rollback journal, not WAL (bulk.new_file).
        fresh = bulk.new_file(db.engine) if not stored and not dry_run else nullcontext()
        with fresh, db.write() as session:
            defaults = community.member_defaults(session, community_defaults(app_ctx.settings))
            result = job.apply(session, defaults)
    verb = "Would add" if dry_run else "Added"
    changed = "would update" if dry_run else "updated"
    message(f"{verb} {_count(result.created, 'new member')}, {changed} {result.updated}.")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


@catch_errors
def member_export(
    ctx: typer.Context,
    ref: Annotated[
        str | None,
        typer.Argument(
            help="One member: everything held about them.",
            show_default=False,
            metavar="REF",
            autocompletion=complete_member,
        ),
    ] = None,
    fmt: Annotated[
        ExportFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="csv or json. Default: csv, or json with REF.",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """Export members as CSV (what import reads back) or JSON."""
    from peerkit.context import app_context, many_rows
    from peerkit.services.members import access

    app_ctx = app_context(ctx)
    chosen = Format(fmt.value) if fmt else (Format.json if ref else Format.csv)
    with app_ctx.db().read() as session, many_rows():
        data = access.export(session, ref, app_ctx.today())
        if output is None:
            _write(data, chosen, sys.stdout)
            return
        from peerkit.files import private_file

        with private_file(output, overwrite=force) as (handle, path):
            _write(data, chosen, handle)
    message(f"Wrote {path} (readable only by you).")


def _write(data: Any, fmt: Format, out: IO[str]) -> None:
    """One member's record, or every member as they are read from the database."""
    if isinstance(data, dict) and fmt is Format.json:
        out.write(to_json(data) + "\n")
    elif isinstance(data, dict):
        write_csv(out, [data["member"]], csv_columns())
    else:
        emit_rows(data, fmt, (), csv_columns=csv_columns(), out=out)
