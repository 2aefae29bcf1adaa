"""Row versions: how many times a row people edit was changed, by whom and when; no lost updates.

Every table people edit by read-modify-write (member, peer_group, meeting, commitment, mentorship,
community_event, community) has ``version`` (1 when made), ``changed_by`` (the actor's label, or
null when unknown) and ``changed_at`` (UTC). SQLAlchemy's ``version_id_col`` (the models' mapper
args) raises the version on every ORM UPDATE with ``WHERE version = :read``; the engine listener
here does the same for Core UPDATEs of those tables. A flow that reads in one transaction and
writes in another carries the version it read and calls :func:`expect`; an UPDATE that finds the
row changed under it (two writers on PostgreSQL) ends in ``StaleDataError``, which
:func:`stale_conflict` turns into the same one-line refusal.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.orm.attributes import flag_modified, set_committed_value

from peerkit.columns import UTCDateTime, utcnow
from peerkit.config import ACTING_KEY, ACTOR_KEY
from peerkit.errors import Conflict

VERSIONED = frozenset(
    {"member", "peer_group", "meeting", "commitment", "mentorship", "community_event", "community"}
)
NOW_KEY = "peerkit_changed_at"  # the time of the write transaction, on session and connection
READ_KEY = "peerkit_versions_read"  # the versioned rows a flush updates: (class, id, version)
# how a refusal names a row: the word, then the attribute (or None: "#id")
NOUNS = {
    "member": ("member", "name"),
    "peer_group": ("group", "slug"),
    "meeting": ("session", None),
    "commitment": ("commitment", None),
    "mentorship": ("mentorship", None),
    "community_event": ("event", "title"),
    "community": ("community", "name"),
}


@cache
def version_column(table: str) -> sa.Column[int]:
    """The ``version`` column of TABLE (one object: the field and ``version_id_col`` share it)."""
    assert table in VERSIONED, table
    return sa.Column("version", sa.Integer, nullable=False, default=1, server_default=sa.text("1"))


def mapper_args(table: str) -> dict[str, Any]:
    return {"version_id_col": version_column(table)}


def _table_of(obj: Any) -> str | None:
    name = getattr(type(obj), "__tablename__", None)
    return name if name in VERSIONED else None


def _actor_label(info: dict[str, Any], *, resolve: bool = False) -> str | None:
    """Who is acting, as the command line or config.toml named them; with RESOLVE, whoever
    the domain finds when nobody did (the session's ACTING_KEY: the database login's person,
    the community's organiser, ...), read on the session's connection."""
    actor = info.get(ACTOR_KEY)
    if actor is not None:
        return str(actor.label())
    finder = info.get(ACTING_KEY) if resolve else None
    return str(finder()) if callable(finder) else None


# --- stamping: who and when, on every change ---------------------------------------------


@event.listens_for(Session, "after_begin")
def _began(session: Session, _transaction: Any, connection: Connection) -> None:
    now = utcnow()
    session.info[NOW_KEY] = now
    connection.info[NOW_KEY] = now
    connection.info[ACTOR_KEY] = _actor_label(session.info)


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _ended(connection: Connection) -> None:
    """The pooled connection forgets the session's actor (a later plain connection is nobody)."""
    if connection.invalidated or connection.closed:  # (Ctrl-C mid-statement): nothing to forget
        return
    connection.info.pop(ACTOR_KEY, None)
    connection.info.pop(NOW_KEY, None)


@event.listens_for(Session, "before_flush")
def _stamp(session: Session, _flush: UOWTransaction, _instances: Any) -> None:
    now = session.info.get(NOW_KEY) or utcnow()
    changing = any(_table_of(o) is not None for o in (*session.new, *session.dirty))
    by = _actor_label(session.info, resolve=changing)
    read: list[tuple[type[Any], Any, int]] = []
    for obj in session.new:
        if _table_of(obj) is not None:
            obj.changed_by = by
            obj.changed_at = now
    for obj in session.dirty:
        if _table_of(obj) is None or not session.is_modified(obj, include_collections=False):
            continue
        obj.changed_by = by
        obj.changed_at = now
        read.append((type(obj), obj.id, obj.version))
    session.info[READ_KEY] = read


@event.listens_for(Engine, "before_execute", retval=True)
def _core_update(
    conn: Connection, clause: Any, multiparams: Any, params: Any, options: Any
) -> tuple[Any, Any, Any]:
    """A Core UPDATE that sets values of a versioned table raises its version and stamps it.

    (The ORM's own UPDATEs carry no ``.values()``: ``version_id_col`` handles them.)"""
    if not isinstance(clause, sa.Update) or not clause._values:
        return clause, multiparams, params
    table = clause.table
    columns = getattr(table, "c", None)
    if getattr(table, "name", None) not in VERSIONED or columns is None or "version" not in columns:
        return clause, multiparams, params  # (a migration's table before 0014 has no version)
    names = {getattr(k, "key", k) for k in clause._values}
    if "version" in names:
        return clause, multiparams, params
    now = conn.info.get(NOW_KEY) or utcnow()
    extra: dict[str, Any] = {"version": table.c.version + 1}
    if "changed_at" not in names:
        extra["changed_at"] = sa.literal(now, UTCDateTime())
    if "changed_by" not in names:
        extra["changed_by"] = sa.literal(conn.info.get(ACTOR_KEY), sa.String())
    return clause.values(extra), multiparams, params


def updated_by_core(session: Session, rows: Iterable[Any]) -> None:
    """Loaded ROWS were just changed by a Core UPDATE (which raised their versions): the
    session holds them as stored, so that a later ORM flush of one compares the right version."""
    now = session.info.get(NOW_KEY)
    by = _actor_label(session.info)
    for row in rows:
        set_committed_value(row, "version", row.version + 1)
        set_committed_value(row, "changed_at", now)
        set_committed_value(row, "changed_by", by)


def touch(session: Session, row: Any) -> None:
    """ROW changes though none of its columns does (a group whose members change): its
    version goes up at the next flush, unless this transaction already changed it."""
    now = session.info.get(NOW_KEY)
    if row.changed_at is not None and now is not None and row.changed_at == now:
        return
    flag_modified(row, "changed_at")
    session.add(row)


# --- refusing: a row changed since it was read --------------------------------------------


def expect(session: Session, row: Any, version: int | None) -> None:
    """Refuse (Conflict) when ROW, loaded in this transaction, is no longer at the VERSION read
    earlier (None: nothing was read, nothing to compare)."""
    if version is not None and row.version != version:
        raise Conflict(changed_message(session, row))


def expect_all(session: Session, model: Any, read: dict[int, int]) -> None:
    """Every row of MODEL read earlier (id -> version) is still at that version, or a refusal
    naming the first that is not (or is gone)."""
    if not read:
        return
    ids = sorted(read)
    found: dict[int, int] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        query = sa.select(model.id, model.version).where(model.id.in_(chunk))
        found.update((i, v) for i, v in session.execute(query))
    for i in ids:
        if i not in found:
            raise Conflict(_removed_message(model.__tablename__, i))
        if found[i] != read[i]:
            row = session.get(model, i)
            raise Conflict(changed_message(session, row))


def stamp(row: Any) -> dict[str, Any]:
    """What `show --format json` says of a row's versions (ISO 8601 time, UTC)."""
    at = row.changed_at
    return {
        "version": row.version,
        "changed_by": row.changed_by,
        "changed_at": at.replace(microsecond=0).isoformat() if at is not None else None,
    }


def versions_of(rows: Iterable[Any]) -> dict[int, int]:
    return {row.id: row.version for row in rows}


def _name(table: str, row: Any) -> str:
    noun, attr = NOUNS[table]
    named = getattr(row, attr, None) if attr else None
    return f"{noun} {named}" if named else f"{noun} {row.id}"


def _removed_message(table: str, row_id: Any) -> str:
    noun = NOUNS[table][0]
    return f"{noun} {row_id} was removed since you read it; run the command again."


def changed_message(session: Session, row: Any) -> str:
    """'member Marco Rossi was changed by Giulia Ferri <giulia@example.org> at 2026-12-07 10:32
    since you read it; run the command again' (the time in the community's zone)."""
    table = _table_of(row) or ""
    by = f" by {row.changed_by}" if row.changed_by else ""
    at = f" at {_local(session, row.changed_at)}" if row.changed_at else ""
    return f"{_name(table, row)} was changed{by}{at} since you read it; run the command again."


def _local(session: Session, when: datetime) -> str:
    zone = session.execute(sa.text("SELECT timezone FROM community LIMIT 1")).scalar()
    try:
        tz = ZoneInfo(zone or "UTC")
    except (KeyError, ValueError):
        tz = ZoneInfo("UTC")
    return when.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def stale_conflict(read_session: Session, flushed: list[tuple[type[Any], Any, int]]) -> Conflict:
    """The refusal for a StaleDataError: the first row the failed flush updated whose version is
    no longer the one it read (looked up in READ_SESSION, a new transaction)."""
    for model, row_id, version in flushed:
        row = read_session.get(model, row_id)
        if row is None:
            return Conflict(_removed_message(model.__tablename__, row_id))
        if row.version != version:
            return Conflict(changed_message(read_session, row))
    return Conflict("a row was changed by someone else since you read it; run the command again.")
