"""`db check`: what is wrong with a database, in words, one line per problem.

Nothing here writes, and no file is created: an SQLite file is opened with `mode=rw` (which
never creates one) and `query_only`, or read-only when peerkit may not write it. Checked
in order: that the file is an SQLite database, SQLite's `integrity_check` and
`foreign_key_check`, the schema revision, and the schema against the models (tables,
columns, indexes, unique constraints and references, see `schema`); on PostgreSQL, whose
server looks after its files and references, the revision, the schema, and constraints
or indexes the server holds as not valid.
"""

from __future__ import annotations

import os
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from peerkit import connections
from peerkit.config import Settings
from peerkit.errors import PeerkitError
from peerkit.services.common import schema

SHOWN_ROWS = 5  # row ids named per broken reference; the rest are counted
SHOWN_DAMAGE = 20  # lines of SQLite's integrity check shown; the rest are counted


def check(settings: Settings) -> list[str]:
    """The problems found; an empty list means healthy. Refuses a file that is not there."""
    if settings.is_sqlite:
        return check_file(settings.db_path)
    return check_server(settings)


# --- SQLite ------------------------------------------------------------------------------


def check_file(path: Path) -> list[str]:
    """An SQLite file: readable as a database, undamaged, references whole, schema current."""
    _refuse_missing(path)
    if path.stat().st_size == 0:
        return ["the file is empty: it holds no peerkit tables yet (nothing to check)"]
    uri = connections.inspect_uri(path)
    try:
        conn = _connect(uri)
    except sqlite3.Error as exc:
        return [f"cannot open the file as a database: {exc}"]
    try:
        problems = _file_problems(conn)
    finally:
        conn.close()
    if problems:
        return problems  # a damaged file: its schema cannot be trusted to read
    engine = sa.create_engine(
        "sqlite://", creator=lambda: _connect(uri), poolclass=sa.pool.NullPool
    )
    try:
        return schema_problems(engine)
    except (sa.exc.DatabaseError, UnicodeDecodeError) as exc:
        return [_unreadable(str(getattr(exc, "orig", exc)))]
    finally:
        engine.dispose()


def _refuse_missing(path: Path) -> None:
    if not path.exists():
        raise PeerkitError(
            f"there is no database at {path} (nothing was created); check --db or "
            "PEERKIT_DB (peerkit db path shows the file peerkit uses)."
        )
    if path.is_dir():
        raise PeerkitError(f"{path} is a folder, not a database file.")
    if not os.access(path, os.R_OK):
        raise PeerkitError(f"cannot read {path}: permission denied. Check the file's mode.")


def _connect(uri: str) -> sqlite3.Connection:
    conn = sqlite3.connect(
        uri, uri=True, timeout=connections.BUSY_TIMEOUT_MS / 1000, check_same_thread=False
    )
    # A damaged file can hold bytes that are not UTF-8 where text should be.
    conn.text_factory = lambda data: data.decode("utf-8", "replace")
    conn.execute("PRAGMA query_only = ON")
    return conn


def _file_problems(conn: sqlite3.Connection) -> list[str]:
    steps: list[Callable[[sqlite3.Connection], list[str]]] = [_integrity, _foreign_keys]
    for step in steps:
        try:
            found = step(conn)
        except sqlite3.DatabaseError as exc:
            return [_unreadable(str(exc))]
        except UnicodeDecodeError:  # SQLite's message quotes the damaged bytes
            return [_unreadable("malformed database schema: bytes that are not text")]
        if found:
            return found
    return []


def _unreadable(text: str) -> str:
    if "not a database" in text:
        return "the file is not an SQLite database (or its first page is destroyed)"
    if "malformed" in text:
        return f"the file is damaged and cannot be read ({text}); restore a backup"
    return f"the file cannot be read as a database: {text}"


def _integrity(conn: sqlite3.Connection) -> list[str]:
    rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
    if rows == ["ok"]:
        return []
    # One row may hold several lines, under a heading such as "*** in database main ***".
    lines = [ln for row in rows for ln in row.splitlines() if ln and not ln.startswith("***")]
    found = [f"damage found by SQLite's integrity check: {ln}" for ln in lines[:SHOWN_DAMAGE]]
    if len(lines) > SHOWN_DAMAGE:
        found.append(f"and {len(lines) - SHOWN_DAMAGE} more damage report(s); restore a backup")
    return found


def _foreign_keys(conn: sqlite3.Connection) -> list[str]:
    broken: dict[tuple[str, str], list[int]] = defaultdict(list)
    for table, rowid, parent, _fkid in conn.execute("PRAGMA foreign_key_check"):
        broken[(table, parent)].append(rowid)
    return [_broken_reference(table, parent, rows) for (table, parent), rows in broken.items()]


def _broken_reference(table: str, parent: str, rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in sorted(rows)[:SHOWN_ROWS])
    more = f" and {len(rows) - SHOWN_ROWS} more" if len(rows) > SHOWN_ROWS else ""
    return (
        f"foreign key: {len(rows)} row(s) of table {table} refer to a missing row of "
        f"{parent} (row id {shown}{more})"
    )


# --- any database ---------------------------------------------------------------------------


def schema_problems(engine: sa.Engine) -> list[str]:
    """The revision, then (at the current revision) the schema against the models."""
    with engine.connect() as conn:
        found, comparable = schema.revision_problems(conn)
        if comparable:
            found += schema.differences(conn)
        if conn.dialect.name == "postgresql":
            found += _not_valid(conn)
    return found


# --- PostgreSQL --------------------------------------------------------------------------

NOT_VALID = """
SELECT 'constraint ' || c.conname || ' on table ' || c.conrelid::regclass::text
  FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
 WHERE NOT c.convalidated AND n.nspname = current_schema()
UNION ALL
SELECT 'index ' || i.indexrelid::regclass::text
  FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
 WHERE NOT i.indisvalid AND n.nspname = current_schema()
"""


def _not_valid(conn: sa.Connection) -> list[str]:
    rows = conn.exec_driver_sql(NOT_VALID).scalars()
    return [f"{what} is not valid (the server does not enforce or use it)" for what in rows]


def check_server(settings: Settings) -> list[str]:
    """A database on a server: reached, then its revision and schema."""
    from peerkit.db import current_revision, make_engine

    engine = make_engine(settings)
    try:
        current_revision(engine)  # a server that cannot be reached is an error, not a problem
        return schema_problems(engine)
    finally:
        engine.dispose()
