"""Copying the whole community to another database (SQLite <-> PostgreSQL), and proving it.

Every table of the models (their metadata, so a table added later is copied with no change
here) goes over a batch at a time, ids kept, parents before children, and is then read back
from the target and held to the source by row count and a checksum over normalised values.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from peerkit.config import Settings, check_database_url, mask_url, mask_urls
from peerkit.db import Database, create_schema_on, current_revision, current_revision_on
from peerkit.errors import Conflict, InvalidValue, PeerkitError

BATCH = 2_000  # rows read, written and checked at a time: a big community is never held whole


@dataclass(frozen=True)
class TableCopy:
    """What one table's copy gave: its rows, its checksum, whether the target's agree."""

    table: str
    rows: int
    checksum: str
    ok: bool

    def as_row(self) -> dict[str, Any]:
        return {"table": self.table, "rows": self.rows, "checksum": self.checksum, "ok": self.ok}


@dataclass(frozen=True)
class Copied:
    """The result of `copy_database`: one entry per table, the revision, where it went."""

    tables: list[TableCopy]
    revision: str
    target: str  # the target's URL or file, its password masked

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


# --- the target ---------------------------------------------------------------------------


def target_settings(url: str) -> Settings:
    """Settings for TARGET_URL, checked as --database-url is: an SQLite URL names a file."""
    text = url.strip()
    if not text:
        raise InvalidValue("the target database URL is empty; give one, e.g. sqlite:///copy.db.")
    check_database_url(text)
    try:
        parsed = make_url(text)
    except sa.exc.ArgumentError:
        raise InvalidValue(
            f"cannot use the database URL '{mask_url(text)}': it is not a database URL "
            "(for example sqlite:///copy.db or postgresql+psycopg://user@host/dbname)."
        ) from None
    if parsed.get_backend_name() != "sqlite":
        return Settings(db_path=Path("unused"), database_url=text)
    name = parsed.database or ""
    if name in ("", ":memory:") or name.startswith("file:"):
        raise InvalidValue(
            f"the target '{mask_url(text)}' names no file; give one, e.g. sqlite:///copy.db "
            "(a path relative to this folder) or sqlite:////home/me/copy.db."
        )
    return Settings(db_path=Path(name).expanduser())


def _where(settings: Settings) -> str:
    return str(settings.db_path) if settings.database_url is None else mask_url(settings.url)


def same_database(source: Settings, target: Settings) -> bool:
    """Whether TARGET is the SOURCE database itself (its file, or its server and database)."""
    if source.is_sqlite != target.is_sqlite:
        return False
    if source.is_sqlite:
        a, b = source.db_path, target.db_path
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    one, two = make_url(source.url), make_url(target.url)
    return _server(one) == _server(two)


LOCAL = frozenset({"", "localhost", "127.0.0.1", "::1", "[::1]"})


def _server(url: sa.URL) -> tuple[str, str, int | None, str]:
    host = (url.host or "").lower()
    port = url.port or (5432 if url.get_backend_name() == "postgresql" else None)
    return (url.get_backend_name(), "local" if host in LOCAL else host, port, url.database or "")


# --- normalised values and checksums -------------------------------------------------------


def normalised(value: Any) -> Any:
    """VALUE as the same JSON value on SQLite and PostgreSQL: datetimes in UTC without a zone,
    dates and times in ISO 8601, decimals without trailing zeros, bytes in hex, enums as
    their values; booleans, numbers, strings, lists and objects as they are."""
    if value is None or isinstance(value, bool | int | float | str):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, Enum):
        return normalised(value.value)
    if isinstance(value, list | tuple):
        return [normalised(v) for v in value]
    if isinstance(value, dict):
        return {str(k): normalised(v) for k, v in value.items()}
    if isinstance(value, UUID):
        return str(value)
    return str(value)


# Values whose JSON is already the same from either database (a StrEnum is written as its text).
PLAIN = frozenset({int, str, float, bool, type(None)})
ROW_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class Checksum:
    """SHA-256 over a table's rows in primary-key order, each row one line of normalised JSON."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self.rows = 0

    def add(self, row: Sequence[Any]) -> None:
        values = [v if type(v) in PLAIN else normalised(v) for v in row]
        self._hash.update(ROW_JSON.encode(values).encode("utf-8", "surrogatepass") + b"\n")
        self.rows += 1

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def _order(table: sa.Table, dialect: sa.Dialect) -> list[Any]:
    """The primary key (or every comparable column), strings in byte order on both sides."""
    columns = list(table.primary_key.columns) or [
        c for c in table.columns if not isinstance(c.type, sa.JSON)
    ]
    if dialect.name != "postgresql":
        return columns
    return [c.collate("C") if isinstance(c.type, sa.String) else c for c in columns]


def _batches(conn: sa.Connection, table: sa.Table) -> Iterator[Sequence[sa.Row[Any]]]:
    query = sa.select(table).order_by(*_order(table, conn.dialect))
    result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(query)
    yield from result.partitions()


def checksum_of(conn: sa.Connection, table: sa.Table) -> Checksum:
    """The rows and checksum of TABLE as CONN sees it."""
    summed = Checksum()
    for batch in _batches(conn, table):
        for row in batch:
            summed.add(row)
    return summed


# --- the copy -----------------------------------------------------------------------------


# A server's logins and what each may do (`peerkit access`): they belong to the database
# server, not to the community, and mean nothing on another server: not copied (a --force
# copy empties them on the target, whose groups they would name); grant them again there.
SERVER_TABLES = frozenset({"access_login", "access_group"})


def tables(*, server: bool = False) -> list[sa.Table]:
    """Every table of the community, parents before the tables that refer to them (with
    SERVER, the server's own access tables too)."""
    from sqlmodel import SQLModel

    from peerkit import models

    models.load_all()
    return [t for t in SQLModel.metadata.sorted_tables if server or t.name not in SERVER_TABLES]


Progress = Callable[[str], None]  # told "copying member", "checking member", ...


def copy_database(
    source: Database, target_url: str, *, force: bool = False, progress: Progress | None = None
) -> Copied:
    """Copy every table of SOURCE to TARGET_URL in one transaction on the target, verified.

    The target gets the schema at the source's revision first (an empty database) or must
    already be at it; one holding any peerkit row is refused unless FORCE, which empties it
    in the same transaction. On any failure, a mismatch included, the target is left as it
    was (a target file this copy created is removed).
    """
    settings = target_settings(target_url)
    if same_database(source.settings, settings):
        raise InvalidValue(
            "the target is the database being copied; give another database as TARGET_URL."
        )
    created = settings.is_sqlite and not settings.db_path.exists()
    done = False
    try:
        target = _open_target(settings)
        try:
            result = _copy(source, target, force=force, progress=progress or _quiet)
        finally:
            target.dispose()
        done = True
        return result
    finally:
        if created and not done:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{settings.db_path}{suffix}").unlink(missing_ok=True)


def _open_target(settings: Settings) -> Database:
    from peerkit.db import open_database

    target = open_database(settings, migrate=False)
    try:
        target.refuse_if_read_only("db copy writes the whole community into it")
        current_revision(target.engine)  # a server that cannot be reached: said in one line
    except BaseException:
        target.dispose()
        raise
    return target


def _quiet(_doing: str) -> None:
    return None


def _copy(source: Database, target: Database, *, force: bool, progress: Progress) -> Copied:
    where = _where(target.settings)
    with _snapshot(source) as src:
        revision = current_revision_on(src)
        if revision is None:
            raise PeerkitError("the database being copied has no schema revision; nothing to copy.")
        try:
            with target.engine.connect().execution_options(peerkit_write=True) as dst, dst.begin():
                _prepare(dst, tables(server=True), revision, where, force=force)
                summary = _fill(src, dst, where, progress)
        except sa.exc.StatementError as exc:
            raise _failed(exc, where) from None
    return Copied(summary, revision, where)


def _fill(
    src: sa.Connection, dst: sa.Connection, where: str, progress: Progress
) -> list[TableCopy]:
    """Every table copied into DST's transaction, then read back and held to what was read."""
    copied = []
    for table in tables():
        progress(f"copying {table.name}")
        copied.append(_copy_table(src, dst, table))
    _move_sequences(dst, tables())
    checked = []
    for table, summed in copied:
        progress(f"checking {table.name}")
        checked.append((table, summed, checksum_of(dst, table)))
    wrong = [_mismatch(t.name, a, b) for t, a, b in checked if not _agree(a, b)]
    if wrong:
        raise PeerkitError(
            f"the copy does not match the source in {', '.join(wrong)}; "
            f"nothing was written to {where}."
        )
    return [TableCopy(t.name, a.rows, a.hexdigest(), ok=True) for t, a, _ in checked]


def _agree(source: Checksum, target: Checksum) -> bool:
    return source.rows == target.rows and source.hexdigest() == target.hexdigest()


def _mismatch(table: str, source: Checksum, target: Checksum) -> str:
    if source.rows != target.rows:
        return f"table {table} ({source.rows} rows copied, {target.rows} read back)"
    return f"table {table} (its checksum differs)"


def _snapshot(source: Database) -> sa.Connection:
    """A connection that sees the source as it was when the copy began, throughout."""
    conn = source.engine.connect()
    if source.engine.dialect.name == "postgresql":
        conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    return conn


def _prepare(
    conn: sa.Connection, every: list[sa.Table], revision: str, where: str, *, force: bool
) -> None:
    """The target's schema at REVISION, and no row in it (emptied only with FORCE)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    found = current_revision_on(conn)
    if found is None:
        if set(sa.inspect(conn).get_table_names()) - {"alembic_version"}:
            raise Conflict(
                f"{where} holds tables but is not a peerkit database; "
                "copy into an empty database or a peerkit one."
            )
        create_schema_on(conn, revision)
        return
    if found != revision:
        raise Conflict(
            f"{where} is at schema revision {found}, not {revision} as the database being "
            f"copied is; bring both to the same peerkit version first (peerkit db upgrade), "
            "or copy into an empty database."
        )
    full = [
        t.name
        for t in every
        if conn.execute(sa.select(sa.literal(1)).select_from(t).limit(1)).first()
    ]
    if not full:
        return
    if not force:
        raise Conflict(
            f"{where} already holds a peerkit community (rows in {_some(full)}); "
            "copy into an empty database, or add --force to replace what it holds."
        )
    for table in reversed(every):
        conn.execute(table.delete())


def _some(names: list[str], shown: int = 4) -> str:
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {more} more tables" if more > 0 else "")


def _copy_table(
    src: sa.Connection, dst: sa.Connection, table: sa.Table
) -> tuple[sa.Table, Checksum]:
    keys = [c.key for c in table.columns]
    insert = table.insert().values(
        {c.key: sa.bindparam(c.key, type_=_bind_type(c)) for c in table.columns}
    )
    summed = Checksum()
    try:
        for batch in _batches(src, table):
            rows = []
            for row in batch:
                summed.add(row)
                rows.append(dict(zip(keys, row, strict=True)))
            dst.execute(insert, rows)
    except (ValueError, TypeError, LookupError) as exc:  # a stored value its column refuses
        raise PeerkitError(
            f"cannot copy table {table.name}: a row holds a value peerkit cannot read ({exc}); "
            "check the database with peerkit db check. Nothing was written to the target."
        ) from None
    return table, summed


def _bind_type(column: sa.Column[Any]) -> Any:
    """The column's type; a nullable JSON column's None is SQL NULL, as it was read."""
    kind = column.type
    if isinstance(kind, sa.JSON) and column.nullable and not kind.none_as_null:
        nullable = copy.copy(kind)
        nullable.none_as_null = True
        return nullable
    return kind


def _move_sequences(conn: sa.Connection, every: list[sa.Table]) -> None:
    """PostgreSQL: each id sequence past the copied ids, so the next insert gets a new one."""
    if conn.dialect.name != "postgresql":
        return
    quote = conn.dialect.identifier_preparer
    for table in every:
        key = list(table.primary_key.columns)
        if len(key) != 1 or not isinstance(key[0].type, sa.Integer):
            continue
        name, column = quote.format_table(table), quote.quote(key[0].name)
        conn.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence(:table, :column), "
                f"COALESCE(MAX({column}), 0) + 1, false) FROM {name}"
            ),
            {"table": name, "column": key[0].name},
        )


def _failed(exc: sa.exc.StatementError, where: str) -> PeerkitError:
    reason = mask_urls(str(getattr(exc, "orig", exc)).strip().splitlines()[0] or type(exc).__name__)
    table = _table_of(exc)
    what = f"cannot copy table {table} to {where}" if table else f"cannot copy to {where}"
    return PeerkitError(f"{what}: {reason}; nothing was written there.")


def _table_of(exc: sa.exc.StatementError) -> str | None:
    statement = exc.statement or ""
    for table in tables():
        if f"INSERT INTO {table.name} " in statement or f'INSERT INTO "{table.name}" ' in statement:
            return table.name
    return None
