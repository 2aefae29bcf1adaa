"""Member CSV: the columns export writes are exactly those import reads.

This module reads and checks a file (every problem, with its line number);
:mod:`peerkit.services.members.importing` applies a checked file to the database. The
file is written by :func:`peerkit.output.emit` (cells: :func:`peerkit.text.csv_cell`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from peerkit.enums import MemberStatus
from peerkit.errors import InvalidValue, PeerkitError
from peerkit.services.common import validate
from peerkit.text import restore_cell

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
# What a checked cell holds: text, a number, a date, a list (a tuple once cached) or nothing.
Cell = str | int | date | list[str] | tuple[str, ...] | None

# --- reading --------------------------------------------------------------------------


@dataclass
class Row:
    line: int
    values: dict[str, Any]  # column -> checked Cell; each column has its own type
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
            row.id = value if isinstance(value, int) else None
        else:
            row.values[column] = value
    if not plan.update and "name" not in row.values:
        problems.append("name: a new member needs a name.")
    if row.values.get("paused_until"):
        # A pause end date implies a pause; any other status contradicts it.
        status = row.values.setdefault("status", MemberStatus.PAUSED)
        if status != MemberStatus.PAUSED:
            problems.append("paused_until: only a paused member can have one.")
    if problems:
        plan.errors.extend(f"line {line}: {p}" for p in problems)
    else:
        plan.rows.append(row)


def _required(check: Callable[[str], Cell]) -> Callable[[str], Cell]:
    def run(text: str) -> Cell:
        if not text.strip():
            raise InvalidValue("is empty.")
        return check(text)

    return run


def _cached(check: Callable[[str], Cell]) -> Callable[[str], Cell]:
    """Values such as time zones, languages and windows repeat across rows: parse each once.

    Lists come back as tuples, so that the cached value cannot be changed by a caller.
    """
    return lru_cache(maxsize=8192)(lambda text: _frozen(check(text)))


def _frozen(value: Cell) -> Cell:
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


def _optional_status(text: str) -> MemberStatus | None:
    return validate.status(text) if text.strip() else None


# Empty cells in these columns mean "the default", not "empty".
_DEFAULTED = {"name", "timezone", "locale", "mentor_capacity", "status", "joined", "id"}
_CHECKS: dict[str, Callable[[str], Cell]] = {
    "id": _positive_int,
    "name": validate.name,
    "email": _required(validate.email),
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
