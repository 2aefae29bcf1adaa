"""Attendance over time: each group's last held meetings, and who was marked at each.

`stats` draws it as a chart per group, a bar per meeting and a row per member; the community
page draws only the group's bars (no member is named there). The statements do not grow with
the number of groups: the last meetings of every group at once (a window over the held
meetings, as the at-risk rule reads them), then the groups' current members, then the names of
anyone else marked at those meetings (someone who has left the group since).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from peerkit.enums import AttendanceStatus
from peerkit.models import Attendance, Group, Member, Membership, id_of
from peerkit.services.groups import roster
from peerkit.services.reports.held import chosen_groups, held_meetings, ids_marked

LAST = 12  # the meetings drawn for each group, the latest


@dataclass(frozen=True)
class Held:
    """One held meeting: its date, and the ids of those marked present and absent."""

    day: date
    present: frozenset[int]
    absent: frozenset[int]

    @property
    def rate(self) -> float | None:
        """The share of those marked who were present (None: nobody was marked)."""
        return _rate(len(self.present), len(self.present) + len(self.absent))


@dataclass(frozen=True)
class Line:
    """A member's marks at the group's meetings drawn, oldest first (None: no mark)."""

    member: int
    name: str
    current: bool  # still in the group (or marked at these meetings only)
    marks: tuple[AttendanceStatus | None, ...]

    @property
    def attended(self) -> int:
        return self.marks.count(AttendanceStatus.PRESENT)

    @property
    def marked(self) -> int:
        return sum(1 for mark in self.marks if mark is not None)


@dataclass(frozen=True)
class Timeline:
    """A group's last held meetings, oldest first, and a line per member (when asked for)."""

    group: Group
    meetings: list[Held]
    lines: list[Line]

    @property
    def rate(self) -> float | None:
        """Present over marked, at the meetings drawn."""
        present = sum(len(m.present) for m in self.meetings)
        return _rate(present, present + sum(len(m.absent) for m in self.meetings))


def attendance(
    session: Session,
    group: Group | None,
    since: date | None,
    today: date,
    *,
    members: bool = True,
    last: int = LAST,
) -> list[Timeline]:
    """GROUP's (or every active group's) last LAST meetings held up to TODAY, from SINCE, with
    a line per current member, then per former member marked at them (not those forgotten).
    Without MEMBERS, the meetings only (the community page)."""
    chosen = [group] if group is not None else roster.list_groups(session)
    meetings = _last_meetings(session, held_meetings(group, since, today), last)
    lines = _lines(session, group, meetings) if members else {}
    return [Timeline(g, meetings.get(id_of(g), []), lines.get(id_of(g), [])) for g in chosen]


def _last_meetings(session: Session, held: sa.Subquery, last: int) -> dict[int, list[Held]]:
    """group id -> its last LAST held meetings, oldest first, from one statement."""
    latest_first = (held.c.slot_date.desc(), held.c.id.desc())
    recent = sa.select(
        held.c.id,
        held.c.group_id,
        held.c.slot_date,
        sa.func.row_number()
        .over(partition_by=held.c.group_id, order_by=latest_first)
        .label("back"),
    ).subquery("recent")
    query = (
        sa.select(recent.c.group_id, recent.c.slot_date, ids_marked(AttendanceStatus.PRESENT),
                  ids_marked(AttendanceStatus.ABSENT))
        .select_from(recent)
        .outerjoin(Attendance, col(Attendance.meeting_id) == recent.c.id)
        .where(recent.c.back <= last)
        .group_by(recent.c.id, recent.c.group_id, recent.c.slot_date)
        .order_by(recent.c.group_id, recent.c.slot_date, recent.c.id)
    )  # fmt: skip
    found: dict[int, list[Held]] = defaultdict(list)
    for group_id, day, here, away in session.connection().execute(query):
        found[group_id].append(Held(_day(day), _ids(here), _ids(away)))
    return found


def _lines(
    session: Session, group: Group | None, meetings: dict[int, list[Held]]
) -> dict[int, list[Line]]:
    """group id -> a line per current member (in the order they joined), then per member
    marked at the meetings drawn who has left the group since (by name)."""
    query = (
        sa.select(col(Membership.group_id), col(Membership.member_id), col(Member.name))
        .join(Member, col(Member.id) == col(Membership.member_id))
        .where(
            col(Membership.left_on).is_(None),
            col(Member.forgotten_at).is_(None),
            chosen_groups(col(Membership.group_id), group),
        )
        .order_by(col(Membership.group_id), col(Membership.joined), col(Membership.id))
    )
    current: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for group_id, member, name in session.connection().execute(query):
        current[group_id].append((member, name))
    former: dict[int, set[int]] = {}
    for group_id, held in meetings.items():
        marked = {m for h in held for m in h.present | h.absent}
        former[group_id] = marked - {member for member, _ in current.get(group_id, [])}
    names = _names(session, set().union(*former.values()) if former else set())
    lines: dict[int, list[Line]] = {}
    for group_id in current.keys() | meetings.keys():
        held = meetings.get(group_id, [])
        gone = sorted((names[m], m) for m in former.get(group_id, set()) if m in names)
        lines[group_id] = [
            Line(member, name, True, _marks(member, held))
            for member, name in current.get(group_id, [])
        ] + [Line(member, name, False, _marks(member, held)) for name, member in gone]
    return lines


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    """id -> name of the members IDS, but those forgotten (no statement for none)."""
    if not ids:
        return {}
    query = sa.select(col(Member.id), col(Member.name)).where(
        col(Member.id).in_(sorted(ids)), col(Member.forgotten_at).is_(None)
    )
    return dict(list(session.connection().execute(query)))  # (a Result has keys())


def _marks(member: int, held: list[Held]) -> tuple[AttendanceStatus | None, ...]:
    return tuple(
        AttendanceStatus.PRESENT
        if member in h.present
        else AttendanceStatus.ABSENT
        if member in h.absent
        else None
        for h in held
    )


def _ids(text: str | None) -> frozenset[int]:
    return frozenset(int(part) for part in text.split(",")) if text else frozenset()


def _day(value: Any) -> date:
    """A date as the database gives it back (SQLite may give the text of one)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None
