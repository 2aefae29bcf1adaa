"""Applying a checked member CSV: all rows or none, in bulk.

Rows are matched against the database (new, update, or conflict), every problem is
reported with its line number, and only then is anything written: one executemany
per shape of row straight to the driver, never one ORM object per row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from peerkit.enums import MemberStatus
from peerkit.errors import PeerkitError
from peerkit.models import Member, MemberHistory, UTCDateTime, utcnow
from peerkit.services.members import csvio
from peerkit.services.members.csvio import ImportPlan, Row

MEMBER_TABLE: sa.Table = Member.__table__  # type: ignore[attr-defined]
MAX_ERRORS_SHOWN = 50


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def apply(
    session: Session,
    plan: ImportPlan,
    *,
    update: bool,
    defaults: dict[str, str],
    today: date,
    dry_run: bool = False,
) -> ImportResult:
    """Check the rows against the database, then insert/update them in bulk."""
    existing = {
        mid: email
        for mid, email in session.exec(select(col(Member.id), col(Member.email)))
        if mid is not None
    }
    by_email = {email: mid for mid, email in existing.items() if email}
    inserts: list[Insert] = []
    enc = _Encoder()
    updates: list[tuple[int, dict[str, Any]]] = []
    errors: list[str] = []
    for row in plan.rows:
        target = _target(row, existing, by_email, update, errors)
        if target is None and "name" not in row.values:
            errors.append(f"line {row.line}: name: a new member needs a name.")
        elif target is None:
            inserts.append(_insert_values(row, defaults, today, enc))
        elif target > 0:
            updates.append((target, row.values))
    errors.extend(plan.errors)
    if errors:
        raise import_error(sorted(errors, key=_line_key))
    result = ImportResult(created=len(inserts), updated=len(updates))
    if dry_run:
        return result
    if inserts:
        _bulk_insert(session, inserts)
        _sync_sequence(session, inserts)
    _apply_updates(session, updates)
    _record_history(session, [member_id for member_id, _ in updates])
    return result


def _record_history(session: Session, updated: list[int]) -> None:
    """'imported' for every member without history (the new ones), 'edited' for the rest."""
    conn = session.connection()
    now = utcnow()
    history = MemberHistory.__table__  # type: ignore[attr-defined]
    conn.execute(
        history.insert().from_select(
            ["member_id", "action", "at"],
            sa.select(
                MEMBER_TABLE.c.id,
                sa.literal("imported"),
                sa.literal(now, UTCDateTime()),
            ).where(~sa.exists().where(history.c.member_id == MEMBER_TABLE.c.id)),
        )
    )
    if updated:
        conn.execute(
            history.insert(),
            [{"member_id": mid, "action": "edited", "at": now} for mid in updated],
        )


def _line_key(message: str) -> int:
    head = message.split(":", 1)[0]
    return int(head.removeprefix("line ")) if head.startswith("line ") else 0


def read(path: Path, today: date, *, update: bool, stored: bool) -> ImportPlan:
    """The file's rows, checked. `stored`: whether a database with members exists yet.

    Without a database every row is a new member, --update or not, and there is nothing to
    clash with: problems are reported at once, before a database is created.
    """
    plan = csvio.read(path, today, update=update and stored)
    if plan.errors and not stored:
        raise import_error(plan.errors)
    return plan


def import_error(errors: list[str]) -> PeerkitError:
    shown = errors[:MAX_ERRORS_SHOWN]
    more = len(errors) - len(shown)
    details = shown + ([f"... and {more} more"] if more else [])
    noun = "problem" if len(errors) == 1 else "problems"
    return PeerkitError(
        f"nothing was imported: the file has {len(errors)} {noun}. Fix them and run again:",
        details=details,
    )


def _target(
    row: Row,
    existing: dict[int, str | None],
    by_email: dict[str, int],
    update: bool,
    errors: list[str],
) -> int | None:
    """None: insert; an id: update that member; -1: skip (error recorded)."""
    email = row.values["email"]
    owner = by_email.get(email)
    if row.id is not None and row.id in existing:
        if not update:
            errors.append(
                f"line {row.line}: id: member #{row.id} already exists; use --update to change it."
            )
            return -1
        if owner is not None and owner != row.id:
            errors.append(
                f"line {row.line}: email: {email} belongs to member #{owner}, not #{row.id}."
            )
            return -1
        return row.id
    if owner is not None:
        if not update:
            errors.append(
                f"line {row.line}: email: {email} is already member #{owner}; "
                "use --update to change it."
            )
            return -1
        if row.id is not None:
            errors.append(f"line {row.line}: id: {email} is member #{owner}, not #{row.id}.")
            return -1
        return owner
    return None


INSERT_COLUMNS = (
    "name", "email", "timezone", "locale", "skills", "needs", "stage", "industry", "bio",
    "availability", "mentor_capacity", "status", "paused_until", "joined", "left_on",
    "forgotten_at",
)  # fmt: skip


@dataclass
class Insert:
    """A new member as the database stores it: lists as JSON text, dates as ISO text."""

    id: int | None
    values: tuple[Any, ...]


class _Encoder:
    """JSON of repeated lists and ISO text of repeated dates are computed once."""

    def __init__(self) -> None:
        self._cache: dict[Any, str] = {}

    def json(self, value: tuple[str, ...]) -> str:
        text = self._cache.get(value)
        if text is None:
            text = self._cache[value] = json.dumps(list(value))
        return text

    def date(self, value: date | None) -> str | None:
        if value is None:
            return None
        text = self._cache.get(value)
        if text is None:
            text = self._cache[value] = value.isoformat()
        return text


def _insert_values(row: Row, defaults: dict[str, str], today: date, enc: _Encoder) -> Insert:
    v = row.values
    get = v.get
    status = get("status") or MemberStatus.ACTIVE
    return Insert(
        row.id,
        (
            v["name"],
            v["email"],
            get("timezone") or defaults.get("timezone", "UTC"),
            get("locale") or defaults.get("locale", "en"),
            enc.json(get("skills", ())),
            enc.json(get("needs", ())),
            get("stage"),
            get("industry"),
            get("bio"),
            enc.json(get("availability", ())),
            get("mentor_capacity", 0),
            status,
            enc.date(get("paused_until")),
            enc.date(get("joined") or today),
            enc.date(today) if status == MemberStatus.LEFT else None,
            None,
        ),
    )


def _bulk_insert(session: Session, rows: list[Insert]) -> None:
    """One executemany per shape of row, straight to the driver (no per-row ORM work).

    Both SQLite and PostgreSQL accept JSON text and ISO dates for these columns.
    """
    conn = session.connection()
    with_id = [(r.id, *r.values) for r in rows if r.id is not None]
    without_id = [r.values for r in rows if r.id is None]
    if with_id:
        conn.exec_driver_sql(_insert_sql(conn, "member", ("id", *INSERT_COLUMNS)), with_id)
    if without_id:
        conn.exec_driver_sql(_insert_sql(conn, "member", INSERT_COLUMNS), without_id)


def _insert_sql(conn: sa.Connection, table: str, columns: tuple[str, ...]) -> str:
    quote = conn.dialect.identifier_preparer.quote
    style = conn.dialect.paramstyle
    if style == "qmark":
        marks = ["?"] * len(columns)
    elif style in ("format", "pyformat"):
        marks = ["%s"] * len(columns)
    elif style == "numeric":
        marks = [f":{i}" for i in range(1, len(columns) + 1)]
    else:  # pragma: no cover - no supported driver uses "named" positionally
        raise PeerkitError(f"bulk import does not support the {style!r} parameter style")
    names = ", ".join(quote(c) for c in columns)
    return f"INSERT INTO {quote(table)} ({names}) VALUES ({', '.join(marks)})"


def _sync_sequence(session: Session, inserts: list[Insert]) -> None:
    """Explicit ids do not advance a PostgreSQL sequence: move it past them."""
    if session.get_bind().dialect.name != "postgresql" or all(r.id is None for r in inserts):
        return
    session.execute(
        sa.text(
            "SELECT setval(pg_get_serial_sequence('member', 'id'), "
            "(SELECT COALESCE(MAX(id), 1) FROM member))"
        )
    )


def _apply_updates(session: Session, updates: list[tuple[int, dict[str, Any]]]) -> int:
    if not updates:
        return 0
    table = MEMBER_TABLE
    count = 0
    # Group rows by the set of columns they change, one executemany per group.
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for member_id, values in updates:
        keys = tuple(sorted(values))
        groups.setdefault(keys, []).append(
            {"b_id": member_id, **{f"b_{k}": values[k] for k in keys}}
        )
    for keys, params in groups.items():
        stmt = (
            sa.update(table)
            .where(table.c.id == sa.bindparam("b_id"))
            .values({k: sa.bindparam(f"b_{k}") for k in keys})
        )
        session.execute(stmt, params)
        count += len(params)
    return count
