"""A database's schema against peerkit's: its revision, and what differs from the models.

Used by `db check` (services/common/health.py). The comparison is Alembic's
`compare_metadata`, the one a test holds the migrations to; each difference is said in words.
"""

from __future__ import annotations

import warnings
from typing import Any

import sqlalchemy as sa

NOT_PEERKIT = "the table alembic_version is missing: this is not a peerkit database, or it was"


def revision_problems(conn: sa.Connection) -> tuple[list[str], bool]:
    """What is wrong with the stored revision, and whether to compare the schema."""
    from peerkit.migrations import HEAD
    from peerkit.migrations.runner import known_revisions

    tables = set(sa.inspect(conn).get_table_names())
    if "alembic_version" not in tables:
        if not tables:
            return ["the database is empty: it holds no peerkit tables"], False
        return [f"{NOT_PEERKIT} dropped (peerkit cannot tell its schema revision)"], True
    stored = [r[0] for r in conn.exec_driver_sql("SELECT version_num FROM alembic_version")]
    if len(stored) != 1:
        found = ", ".join(stored) or "none"
        return [f"the schema revision should be one row of alembic_version, found: {found}"], True
    (current,) = stored
    if current == HEAD:
        return [], True
    if current not in known_revisions():
        return [
            f"the schema is at revision {current}, which this peerkit does not know: a newer "
            "peerkit wrote it (pip install -U peerkit)"
        ], False
    return [
        f"the schema is at revision {current}, older than this peerkit's {HEAD}: "
        "run peerkit db upgrade (it takes a backup first)"
    ], False


def differences(conn: sa.Connection) -> list[str]:
    """Each way the schema differs from the models, in words."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    from peerkit import models

    models.load_all()
    context = MigrationContext.configure(conn, opts={"compare_type": True})
    diffs: list[tuple[Any, ...]] = []
    with warnings.catch_warnings():  # reflection's notes are not the user's problem
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        found = compare_metadata(context, SQLModel.metadata)
    for diff in found:
        # Changes to one column come as a list of (modify_..., ...) tuples.
        diffs.extend(diff if isinstance(diff, list) else [diff])
    missing = {d[1].name for d in diffs if d[0] == "add_table"}
    # A missing table's indexes and constraints are missing too: said once, with the table.
    return [describe(d) for d in diffs if d[0] == "add_table" or _table_of(d) not in missing]


def _table_of(diff: tuple[Any, ...]) -> str | None:
    if diff[0] in INDEXES:
        return str(diff[1].table.name)
    if diff[0] in COLUMNS or diff[0].startswith("modify_"):
        return str(diff[2])
    return None


def describe(diff: tuple[Any, ...]) -> str:
    """One difference Alembic found, in words (the models are what peerkit expects)."""
    kind = diff[0]
    if kind in TABLES:
        return f"table {diff[1].name} {TABLES[kind]}"
    if kind in COLUMNS:
        return f"table {diff[2]} {COLUMNS[kind]} {diff[3].name}"
    if kind in INDEXES:
        return f"{_index(diff[1])} {INDEXES[kind]}"
    if kind.startswith("modify_"):
        _, _, table, column, _, existing, expected = diff
        what = kind.removeprefix("modify_").replace("_", " ")
        return f"column {table}.{column}: its {what} is {existing!s}, expected {expected!s}"
    return f"the schema differs from peerkit's: {diff!r}"


TABLES = {
    "add_table": "is missing",
    "remove_table": "is not one of peerkit's tables",
}
COLUMNS = {
    "add_column": "has no column",
    "remove_column": "has a column peerkit does not know:",
}
INDEXES = {
    "add_index": "is missing",
    "remove_index": "is not one of peerkit's",
    "add_constraint": "is missing",
    "remove_constraint": "is not one of peerkit's",
    "add_fk": "is missing",
    "remove_fk": "is not one of peerkit's",
}


def _index(item: Any) -> str:
    """An index, unique constraint or reference, named by its table and columns."""
    table = item.table.name
    columns = ", ".join(c.name for c in item.columns) if hasattr(item, "columns") else ""
    if isinstance(item, sa.ForeignKeyConstraint):
        target = item.referred_table.name
        return f"the reference from {table}({columns}) to {target}"
    if isinstance(item, sa.Index):
        unique = "unique " if item.unique else ""
        return f"the {unique}index {item.name} on {table}({columns})"
    return f"the unique constraint on {table}({columns})"
