"""Members as `profiles.to_dict` shows them, straight from the database, a batch at a time.

`member list` and `member export` of a large community stream through here: plain rows (no
ORM objects), lists kept as their JSON text in the query and decoded once per distinct
value, so that 100,000 members are never all in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any, cast

import sqlalchemy as sa
from sqlmodel import Session, col

from peerkit.enums import MemberStatus, Stage
from peerkit.models import Group, Member
from peerkit.services.members import profiles

BATCH = 1000  # rows fetched at a time
_AS_TEXT = ("skills", "needs", "availability", "stage", "status")
# What to_dict reads; lists and words as the text they are stored as.
COLUMNS = [
    sa.cast(column, sa.Text).label(name) if name in _AS_TEXT else column
    for name in ("id", "name", "email", "timezone", "locale", "skills", "needs", "stage",
                 "industry", "bio", "availability", "mentor_capacity", "status", "paused_until",
                 "joined")
    for column in [col(getattr(Member, name))]
]  # fmt: skip
_STATUSES = {s.value: s for s in MemberStatus}
_STAGES: dict[str | None, Stage | None] = {None: None, **{s.value: s for s in Stage}}


def members(
    session: Session, status: MemberStatus | None, today: date, group: Group | None = None
) -> Iterator[dict[str, Any]]:
    """`to_dict` of each of `profiles.list_members`, in the same order."""
    return shown(session, profiles.listed(sa.select(*COLUMNS), status, today, group), today)


def shown(session: Session, query: Any, today: date) -> Iterator[dict[str, Any]]:
    """`profiles.to_dict` of each row of QUERY (a select of COLUMNS), as the rows come.

    They come BATCH at a time (a server-side cursor on PostgreSQL).
    """
    lists, stored = _Lists(), _Stored()
    result = session.connection().execute(query.execution_options(yield_per=BATCH))
    for batch in result.partitions():
        for row in batch:
            yield _shown(row, lists, stored, today)


class _Stored:
    """What Member.status_on reads, for one row at a time."""

    __slots__ = ("paused_until", "status")
    status: str
    paused_until: date | None


def _shown(row: Any, lists: _Lists, stored: _Stored, today: date) -> dict[str, Any]:
    (member_id, name, email, zone, locale, skills, needs, stage, industry, bio, windows,
     capacity, stored.status, stored.paused_until, joined) = row  # fmt: skip
    status = _STATUSES[Member.status_on(cast(Member, stored), today)]
    paused = stored.paused_until if status == MemberStatus.PAUSED else None
    return {
        "id": member_id,
        "name": name,
        "email": email,
        "timezone": zone,
        "locale": locale,
        "skills": list(lists[skills]),
        "needs": list(lists[needs]),
        "stage": _STAGES[stage],
        "industry": industry,
        "bio": bio,
        "availability": list(lists[windows]),
        "mentor_capacity": capacity,
        "status": status,
        "paused_until": paused.isoformat() if paused else None,
        "joined": joined.isoformat(),
    }


class _Lists(dict[str, tuple[Any, ...]]):
    """A stored JSON list as a tuple, each distinct text decoded once (a copy is a list)."""

    LIMIT = 1 << 14

    def __missing__(self, text: str) -> tuple[Any, ...]:
        if len(self) >= self.LIMIT:
            self.clear()
        found = self[text] = tuple(json.loads(text))
        return found
