"""peerkit db ...: where the database is, backups, checks, schema upgrades and copies."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from peerkit.commands._options import EMPTY_FILE, FormatOpt
from peerkit.context import app_context
from peerkit.errors import PeerkitError, catch_errors
from peerkit.output import Column, Format, data_line, doing, done_doing, emit, message
from peerkit.text import examples

app = typer.Typer(
    help="The database: its path, backups, integrity checks, upgrades and copies.",
    epilog=examples("peerkit db path", "peerkit db backup", "peerkit db check"),
    no_args_is_help=True,
)


@app.command(
    "path",
    epilog=examples("peerkit db path", "peerkit --db peerkit-demo/peerkit.db db path"),
)
@catch_errors
def db_path(ctx: typer.Context) -> None:
    """Print where the database is (a URL's password is masked)."""
    data_line(app_context(ctx).settings.describe_location())


@app.command(
    "backup", epilog=examples("peerkit db backup", "peerkit db backup before-the-import.db")
)
@catch_errors
def db_backup(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Argument(
            help="Where to write the copy. Default: backups/ beside the database.",
            show_default=False,
            metavar="FILE",
            **EMPTY_FILE,
        ),
    ] = None,
) -> None:
    """Write an online, consistent copy of the database (mode 0600)."""
    from datetime import UTC, datetime

    from peerkit.db import backup

    app_ctx = app_context(ctx)
    if not app_ctx.settings.is_sqlite:
        raise PeerkitError(
            "db backup works on SQLite databases; for PostgreSQL use pg_dump "
            "(for example: pg_dump --format=custom DBNAME > peerkit.dump)."
        )
    db = app_ctx.db()
    if file is None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = db.settings.db_path
        file = path.parent / "backups" / f"{path.stem}-{stamp}-manual.db"
    written = backup(db, file)
    data_line(str(written))
    message("Backup written (readable only by you).")


@app.command("check", epilog=examples("peerkit db check"))
@catch_errors
def db_check(ctx: typer.Context) -> None:
    """Check integrity, foreign keys, the schema and its version. Changes nothing."""
    from peerkit.services.common import health

    settings = app_context(ctx).settings
    problems = health.check(settings)
    if problems:
        raise PeerkitError(
            f"{settings.describe_location()} has {len(problems)} problem(s):", details=problems
        )
    message("ok: integrity, foreign keys and schema are fine.")


@app.command("upgrade", epilog=examples("peerkit db upgrade", "peerkit db check"))
@catch_errors
def db_upgrade(ctx: typer.Context) -> None:
    """Apply schema migrations (after a backup). peerkit also does this when it opens a database."""
    from peerkit.db import current_revision, open_database, upgrade
    from peerkit.migrations import HEAD

    app_ctx = app_context(ctx)
    db = open_database(app_ctx.settings, migrate=False, announce=message)
    try:
        before = current_revision(db.engine)
        if before == HEAD:
            message(f"Already up to date (schema revision {HEAD}).")
            return
        saved = upgrade(db, before)
    finally:
        db.dispose()
    if saved is not None:
        message(f"Backed up the database to {saved}.")
    message(f"Upgraded the schema from {before or 'empty'} to {HEAD}.")


COPY_COLUMNS = (
    Column("table"),
    Column("rows", right=True),
    Column("checksum", priority=2),
    Column("ok"),
)


@app.command(
    "copy",
    epilog=examples(
        "peerkit db copy sqlite:///copy.db",
        "peerkit --db copy.db db check",
        "peerkit db copy sqlite:///copy.db --force --format json",
    ),
)
@catch_errors
def db_copy(
    ctx: typer.Context,
    target_url: Annotated[
        str,
        typer.Argument(
            help="The database to copy into: sqlite:///FILE or postgresql+psycopg://USER@HOST/DB.",
            metavar="TARGET_URL",
            show_default=False,
        ),
    ],
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace what the target holds (emptied in the same go)."),
    ] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Copy the whole community to another database (SQLite <-> PostgreSQL), verified.

    Every table, ids kept, in one transaction on the target; then each table's rows are
    read back and held to the source by count and checksum. A target that holds a
    community is refused unless --force. On any failure the target is left as it was.
    """
    from peerkit.services.common import copying

    # what it is doing, on one line of a terminal (a big community takes minutes)
    try:
        copied = copying.copy_database(
            app_context(ctx).db(),
            target_url,
            force=force,
            progress=lambda what: doing(f"{what[0].upper()}{what[1:]}..."),
        )
    finally:
        done_doing()
    rows = [t.as_row() for t in copied.tables]
    if fmt is Format.table:
        rows = [{**row, "checksum": row["checksum"][:12]} for row in rows]
    emit(rows, fmt, COPY_COLUMNS)
    message(
        f"Copied {copied.rows} rows in {len(copied.tables)} tables to {copied.target} "
        f"(schema revision {copied.revision}); every count and checksum agrees."
    )
