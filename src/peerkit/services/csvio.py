"""Member CSV: the columns export writes are exactly those import reads.

Import is all-or-nothing: every row is checked first, every problem reported with
its line number, and only a clean file is written, in one bulk statement.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from peerkit.errors import InvalidValue, PeerkitError
from peerkit.models import Member, MemberHistory, UTCDateTime, utcnow
from peerkit.services import validate
from peerkit.text import neutralise_cell, restore_cell, terminal_safe

COLUMNS = (
    "id",
    "name",
    "email",
    "timezone",
    "locale",
    "skills",
    "needs",
    "stage",
    "industry",
    "bio",
    "availability",
    "mentor_capacity",
    "status",
    "paused_until",
    "joined",
)
REQUIRED = ("email",)
LIST_COLUMNS = ("skills", "needs", "availability")
LIST_SEPARATOR = "; "
MEMBER_TABLE: sa.Table = Member.__table__  # type: ignore[attr-defined]
MAX_ERRORS_SHOWN = 50


# --- writing --------------------------------------------------------------------------


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = LIST_SEPARATOR.join(str(v) for v in value)
    # Control characters other than newline and tab are shown as escapes (\x1b), so that
    # a CSV printed to a terminal is harmless and a stray CR cannot split a record.
    return neutralise_cell(terminal_safe(str(value), keep_newlines=True))


def write_rows(
    out: io.TextIOBase | Any, rows: list[dict[str, Any]], columns: tuple[str, ...]
) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(row.get(c)) for c in columns])


# --- reading --------------------------------------------------------------------------


@dataclass
class Row:
    line: int
    values: dict[str, Any]
    id: int | None = None


@dataclass
class ImportPlan:
    columns: list[str]
    update: bool = False
    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _open_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise PeerkitError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise PeerkitError(f"{path} is a folder; give a CSV file.") from None
    except OSError as exc:
        raise PeerkitError(f"cannot read {path}: {exc.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PeerkitError(
            f"{path} is not UTF-8 text (byte {exc.start}). Save it as 'CSV UTF-8' and try again."
        ) from None


def _dialect(text: str) -> str:
    """Comma, or semicolon as written by spreadsheets in Italian and other locales."""
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def read(path: Path, today: date, *, update: bool = False) -> ImportPlan:
    """Parse and check every row; without --update every row is a new member."""
    text = _open_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_dialect(text), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise PeerkitError(f"{path} is empty; the first line must name the columns.") from None
    except csv.Error as exc:
        raise PeerkitError(f"{path}, line 1: {exc}") from None
    columns = [h.strip().lower() for h in header]
    _check_header(columns, path)
    plan = ImportPlan(columns=columns, update=update)
    line = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            plan.errors.append(f"line {line}: {exc}")
            break
        if any(c.strip() for c in cells):
            _read_row(plan, line, cells, today)
        line = reader.line_num + 1
    _check_duplicates(plan)
    return plan


def _check_header(columns: list[str], path: Path) -> None:
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        raise PeerkitError(
            f"{path}: unknown column(s) {', '.join(repr(c) for c in unknown)}. "
            f"Known columns: {', '.join(COLUMNS)}."
        )
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise PeerkitError(f"{path}: a column named {' and '.join(missing)} is required.")
    dupes = sorted({c for c in columns if columns.count(c) > 1})
    if dupes:
        raise PeerkitError(f"{path}: the column(s) {', '.join(dupes)} appear more than once.")


def _read_row(plan: ImportPlan, line: int, cells: list[str], today: date) -> None:
    if len(cells) != len(plan.columns):
        plan.errors.append(
            f"line {line}: {len(cells)} cells, but the header names {len(plan.columns)} columns."
        )
        return
    row = Row(line=line, values={})
    problems: list[str] = []
    for column, text in zip(plan.columns, cells, strict=True):
        if column in _DEFAULTED and not text.strip():
            continue
        if text[:1] == "'":
            text = restore_cell(text)
        try:
            value = _CHECKS[column](text)
        except InvalidValue as err:
            problems.append(f"{column}: {err.message}")
            continue
        if column == "id":
            row.id = value
        else:
            row.values[column] = value
    if not plan.update and "name" not in row.values:
        problems.append("name: a new member needs a name.")
    if row.values.get("paused_until"):
        # A pause end date implies a pause; any other status contradicts it.
        status = row.values.setdefault("status", "paused")
        if status != "paused":
            problems.append("paused_until: only a paused member can have one.")
    if problems:
        plan.errors.extend(f"line {line}: {p}" for p in problems)
    else:
        plan.rows.append(row)


def _required(check: Callable[[str], Any], column: str) -> Callable[[str], Any]:
    def run(text: str) -> Any:
        if not text.strip():
            raise InvalidValue("is empty.")
        return check(text)

    return run


def _cached(check: Callable[[str], Any]) -> Callable[[str], Any]:
    """Values such as time zones, languages and windows repeat across rows: parse each once.

    Lists come back as tuples, so that the cached value cannot be changed by a caller.
    """
    return lru_cache(maxsize=8192)(lambda text: _frozen(check(text)))


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _positive_int(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        raise InvalidValue(f"must be a positive whole number, not '{text}'.")
    return int(text)


def _optional_date(what: str) -> Callable[[str], date | None]:
    return lambda text: validate.iso_date(text, what) if text.strip() else None


def _optional_status(text: str) -> str | None:
    return validate.status(text) if text.strip() else None


# Empty cells in these columns mean "the default", not "empty".
_DEFAULTED = {"name", "timezone", "locale", "mentor_capacity", "status", "joined", "id"}
_CHECKS: dict[str, Callable[[str], Any]] = {
    "id": _positive_int,
    "name": validate.name,
    "email": _required(validate.email, "email"),
    "timezone": _cached(validate.timezone),
    "locale": _cached(validate.locale),
    "skills": _cached(lambda v: validate.tags(v, "skills")),
    "needs": _cached(lambda v: validate.tags(v, "needs")),
    "stage": _cached(validate.stage),
    "industry": _cached(lambda v: validate.optional_line(v, "the industry")),
    "bio": validate.bio,
    "availability": _cached(validate.availability),
    "mentor_capacity": _cached(validate.capacity),
    "status": _cached(_optional_status),
    "paused_until": _optional_date("paused_until"),
    "joined": _cached(_optional_date("joined")),
}


def _check_duplicates(plan: ImportPlan) -> None:
    seen_email: dict[str, int] = {}
    seen_id: dict[int, int] = {}
    for row in plan.rows:
        email = row.values["email"]
        if email in seen_email:
            plan.errors.append(
                f"line {row.line}: email: {email} is also on line {seen_email[email]}."
            )
        seen_email.setdefault(email, row.line)
        if row.id is not None:
            if row.id in seen_id:
                plan.errors.append(
                    f"line {row.line}: id: {row.id} is also on line {seen_id[row.id]}."
                )
            seen_id.setdefault(row.id, row.line)


# --- applying -------------------------------------------------------------------------


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
    status = get("status") or "active"
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
            enc.date(today) if status == "left" else None,
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
