"""Held meetings, and what is judged on them: who is at risk, which hot seats were turns.

A meeting counts as held once its attendance was taken (MeetingStatus.DONE). A member is at risk
when they missed two or more of their group's last four held meetings, the usual mastermind
norm. A hot seat is a turn taken unless its member was marked absent at that meeting. Each rule
is one query (SQLAlchemy Core that SQLite and PostgreSQL both run), which the report (`stats`)
counts with.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from peerkit.enums import AttendanceStatus, GroupStatus, MeetingStatus
from peerkit.models import Attendance, Group, HotSeat, Meeting, id_of

RECENT = 4  # meetings looked at for "at risk"
MISSED_FOR_RISK = 2


def chosen_groups(column: Any, group: Group | None) -> sa.ColumnElement[bool]:
    """COLUMN is GROUP's id, or, without one, that of a group `roster.list_groups` lists."""
    if group is not None:
        return sa.and_(column == id_of(group))
    return sa.and_(
        column.in_(sa.select(col(Group.id)).where(col(Group.status) == GroupStatus.ACTIVE))
    )


def held_meetings(group: Group | None, since: date | None, today: date) -> sa.Subquery:
    """The held meetings of GROUP (or of every active group) up to TODAY, from SINCE:
    id, group_id, slot_date, facilitator_id, timekeeper_id, start, duration."""
    query = sa.select(
        col(Meeting.id),
        col(Meeting.group_id),
        col(Meeting.slot_date),
        col(Meeting.facilitator_id),
        col(Meeting.timekeeper_id),
        col(Meeting.start),
        col(Meeting.duration),
    ).where(
        col(Meeting.status) == MeetingStatus.DONE,
        col(Meeting.slot_date) <= today,
        chosen_groups(col(Meeting.group_id), group),
    )
    if since is not None:
        query = query.where(col(Meeting.slot_date) >= since)
    return query.subquery("held")


def ids_marked(status: AttendanceStatus) -> sa.ColumnElement[str]:
    """Grouped by meeting: the ids of the members marked STATUS at it, as one comma-separated
    string in any order (NULL: none)."""
    marked = sa.case((col(Attendance.status) == status, col(Attendance.member_id)))
    return sa.func.aggregate_strings(sa.cast(marked, sa.String), ",")


def at_risk_query(held: sa.Subquery) -> sa.Select[int]:
    """THE at-risk rule: the members who missed MISSED_FOR_RISK or more of the last RECENT
    held meetings of one group (HELD, as from `held_meetings`)."""
    return _missed_recently(_recent(held), col(Attendance.member_id)).distinct()


def at_risk_why_query(held: sa.Subquery) -> sa.Select[int, int, int, int]:
    """The at-risk rule with its reasons: member_id, group_id, how many of the group's last
    RECENT meetings they missed, and how many meetings the group has held (fewer than RECENT
    in a young group); a row per member and group where they are at risk."""
    recent = _recent(held, sa.func.count().over(partition_by=held.c.group_id).label("held"))
    return _missed_recently(
        recent,
        col(Attendance.member_id),
        recent.c.group_id,
        sa.func.count().label("missed"),
        sa.func.max(recent.c.held).label("held"),
    )


def _recent(held: sa.Subquery, *more: Any) -> sa.Subquery:
    """HELD numbered from each group's latest (`back`: 1 for the latest), with MORE columns."""
    latest_first = (held.c.slot_date.desc(), held.c.id.desc())
    return sa.select(
        held.c.id,
        held.c.group_id,
        sa.func.row_number()
        .over(partition_by=held.c.group_id, order_by=latest_first)
        .label("back"),
        *more,
    ).subquery("recent")


def _missed_recently(recent: sa.Subquery, *columns: Any) -> sa.Select[Any]:
    """COLUMNS (the first: the member's id) of the absences at the last RECENT meetings of
    RECENT (`_recent`), per group and member, where they are MISSED_FOR_RISK or more."""
    return (
        sa.select(*columns)
        .join(recent, recent.c.id == col(Attendance.meeting_id))
        .where(recent.c.back <= RECENT, col(Attendance.status) == AttendanceStatus.ABSENT)
        .group_by(recent.c.group_id, col(Attendance.member_id))
        .having(sa.func.count() >= MISSED_FOR_RISK)
    )


def at_risk(session: Session, group: Group | None, since: date | None, today: date) -> set[int]:
    """The ids of the members at risk in GROUP (or in any active group), judged on the held
    meetings up to TODAY, from SINCE."""
    query = at_risk_query(held_meetings(group, since, today))
    return set(session.connection().execute(query).scalars())


def taken_turns_query(held: sa.Subquery) -> sa.Select[int, int, Any]:
    """The hot seats of the HELD meetings that were taken: meeting_id, member_id, group_id.

    The absent-turn rule in SQL (`turn_taken`): a hot seat counts unless that member's
    attendance at that meeting is 'absent' (no mark yet still counts). It MUST agree with
    `peerkit.services.groups.rotation.taken_turns`, the same rule in Python that the rotation
    uses; tests/test_stats_sql.py checks that both agree on random histories.
    """
    seats = seats_and_absences(held).subquery("seats")
    return sa.select(seats.c.meeting_id, seats.c.member_id, seats.c.group_id).where(
        turn_taken(seats)
    )


def seats_and_absences(held: sa.Subquery) -> sa.Select[int, int, Any, Any]:
    """The hot seats of the HELD meetings: meeting_id, member_id, group_id, and `missed`, set
    when that member's mark at that meeting is 'absent' (NULL when present or not marked).

    An outer join, not NOT EXISTS: PostgreSQL guesses an anti-join leaves about one row, and
    then plans the rest of the query for one row (tens of seconds at 800 groups).
    """
    absent = sa.and_(
        col(Attendance.meeting_id) == col(HotSeat.meeting_id),
        col(Attendance.member_id) == col(HotSeat.member_id),
        col(Attendance.status) == AttendanceStatus.ABSENT,
    )  # at most one mark: a member has one per meeting
    return (
        sa.select(col(HotSeat.meeting_id), col(HotSeat.member_id), held.c.group_id,
                  col(Attendance.meeting_id).label("missed"))
        .select_from(HotSeat)
        .join(held, held.c.id == col(HotSeat.meeting_id))
        .outerjoin(Attendance, absent)
    )  # fmt: skip


def turn_taken(seats: sa.Subquery) -> sa.ColumnElement[bool]:
    """Of a row of SEATS (`seats_and_absences`): the seat is a turn taken."""
    return seats.c.missed.is_(None)
