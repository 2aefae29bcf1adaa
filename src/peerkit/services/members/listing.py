"""Members as `profiles.to_dict` shows them, straight from the database, a batch at a time.

`member list` and `member export` of a large community stream through here: plain rows (no
ORM objects), lists kept as their JSON text in the query and decoded once per distinct
value, so that 100,000 members are never all in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any, cast

import sqlalchemy as sa
from sqlmodel import Session

from peerkit.enums import MemberStatus, Stage
from peerkit.models import Member
from peerkit.services.members import profiles

if TYPE_CHECKING:
    from peerkit.models import Group

BATCH = 1000  # rows fetched at a time
# The keys of `profiles.to_dict`, in its order: the columns read, and what a row becomes.
KEYS = ("id", "name", "email", "timezone", "locale", "skills", "needs", "stage", "industry",
        "bio", "availability", "mentor_capacity", "status", "paused_until", "joined")  # fmt: skip
_AS_TEXT = ("skills", "needs", "availability", "stage", "status")
# What to_dict reads; lists and words as the text they are stored as.
# (The table's columns, not Member's attributes: see profiles.MEMBERS.)
COLUMNS = [
    sa.cast(column, sa.Text).label(name) if name in _AS_TEXT else column
    for name in KEYS
    for column in [profiles.MEMBERS.c[name]]
]
_STATUSES = {s.value: s for s in MemberStatus}
_STAGES: dict[str | None, Stage | None] = {None: None, **{s.value: s for s in Stage}}


def members(
    session: Session, status: MemberStatus | None, today: date, group: Group | None = None
) -> Iterator[dict[str, Any]]:
    """`to_dict` of each of `profiles.list_members`, in the same order."""
    return shown(session, profiles.listed(sa.select(*COLUMNS), status, today, group), today)


def shown(session: Session, query: Any, today: date) -> Members:
    """`profiles.to_dict` of each row of QUERY (a select of COLUMNS), as the rows come.

    They come BATCH at a time (a server-side cursor on PostgreSQL), each batch a column at
    a time (see `Members`).
    """
    return Members(_batches(session, query, today))


class Members(Iterator[dict[str, Any]]):
    """Members as `profiles.to_dict` shows them: a dict each, one after the other, or
    `column_batches()`: KEYS and batches of columns (one list per key), for writers that work
    a column at a time (peerkit.output) and so need no dict per member. One or the other."""

    def __init__(self, batches: Iterator[list[list[Any]]]) -> None:
        self._batches = batches
        self._rows: Iterator[dict[str, Any]] | None = None

    def column_batches(self) -> tuple[tuple[str, ...], Iterator[list[list[Any]]]]:
        return KEYS, self._batches

    def __next__(self) -> dict[str, Any]:
        if self._rows is None:
            self._rows = (
                dict(zip(KEYS, values, strict=True))
                for columns in self._batches
                for values in zip(*columns, strict=True)
            )
        return next(self._rows)


def _batches(session: Session, query: Any, today: date) -> Iterator[list[list[Any]]]:
    lists, stored = _Lists(), _Stored()
    result = session.connection().execute(query.execution_options(yield_per=BATCH))
    for batch in result.partitions():
        yield _columns(batch, lists, stored, today)


class _Stored:
    """What Member.status_on reads, for one row at a time."""

    __slots__ = ("paused_until", "status")
    status: str
    paused_until: date | None


def _columns(batch: Any, lists: _Lists, stored: _Stored, today: date) -> list[list[Any]]:
    """A batch of rows of COLUMNS as the columns of KEYS."""
    (ids, names, emails, zones, locales, skills, needs, stages, industries, bios, windows,
     capacities, statuses, pauses, joined) = zip(*batch, strict=True)  # fmt: skip
    shown = [_status(s, p, stored, today) for s, p in zip(statuses, pauses, strict=True)]
    paused = MemberStatus.PAUSED
    return [
        list(ids), list(names), list(emails), list(zones), list(locales),
        [list(lists[t]) for t in skills], [list(lists[t]) for t in needs],
        [_STAGES[s] for s in stages], list(industries), list(bios),
        [list(lists[t]) for t in windows], list(capacities), shown,
        [p.isoformat() if s == paused and p else None for s, p in zip(shown, pauses, strict=True)],
        [day.isoformat() for day in joined],
    ]  # fmt: skip


def _status(status: str, paused_until: date | None, stored: _Stored, today: date) -> MemberStatus:
    stored.status, stored.paused_until = status, paused_until
    return _STATUSES[Member.status_on(cast(Member, stored), today)]


class _Lists(dict[str, tuple[Any, ...]]):
    """A stored JSON list as a tuple, each distinct text decoded once (a copy is a list)."""

    LIMIT = 1 << 14

    def __missing__(self, text: str) -> tuple[Any, ...]:
        if len(self) >= self.LIMIT:
            self.clear()
        found = self[text] = tuple(json.loads(text))
        return found
