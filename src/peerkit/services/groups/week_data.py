"""What `plan week` reads and writes, for every active group at once: a fixed number of
statements.

Each function is one statement over all the active groups (or the meetings given), whatever
their number; services/groups/planning.py plans the week in memory from what they return.
Writes are executemany statements on the tables (the ORM would send one per row here).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from peerkit import rowversions
from peerkit.enums import (
    AnswerAbout,
    AttendanceStatus,
    CommitmentStatus,
    GroupStatus,
    MeetingStatus,
)
from peerkit.models import (
    Answer,
    Attendance,
    Break,
    Commitment,
    Community,
    Group,
    HotSeat,
    Meeting,
    Member,
    Membership,
    id_of,
)
from peerkit.services.groups import breaks, rotation

ACTIVE = Group.status == GroupStatus.ACTIVE


def community_and_breaks(
    session: Session, first: date, last: date
) -> tuple[Community | None, list[Break]]:
    """The community row and the breaks near FIRST..LAST (breaks.touching), in one
    statement: the community outer-joined to those breaks (a row per break, or one)."""
    rows = session.exec(
        select(Community, Break)
        .outerjoin(Break, sa.and_(*breaks.touching(first, last)))
        .order_by(col(Community.id), col(Break.id))
    ).all()
    if not rows:  # no community row yet: the breaks alone
        return None, breaks.overlapping(session, first, last)
    community = rows[0][0]
    return community, [b for c, b in rows if b is not None and c is community]


def memberships(
    session: Session, group_ids: Iterable[int] | None = None
) -> dict[int, list[rotation.Seat]]:
    """Group id -> its current memberships with their members (roster.current_memberships);
    of every active group, or of GROUP_IDS only."""
    query = (
        select(Membership, Member)
        .join(Member, col(Member.id) == Membership.member_id)
        .join(Group, col(Group.id) == Membership.group_id)
        .where(ACTIVE, col(Membership.left_on).is_(None))
    )
    if group_ids is not None:
        query = query.where(col(Membership.group_id).in_(list(group_ids)))
    rows = session.exec(query.order_by(col(Membership.joined), col(Membership.id)))
    found: dict[int, list[rotation.Seat]] = defaultdict(list)
    for membership, member in rows:
        found[membership.group_id].append((membership, member))
    return found


def meetings_between(session: Session, first: date, last: date) -> dict[tuple[int, date], Meeting]:
    """(group id, cadence date) -> the active groups' meetings of those dates."""
    rows = session.exec(
        select(Meeting)
        .join(Group, col(Group.id) == Meeting.group_id)
        .where(ACTIVE, col(Meeting.slot_date) >= first, col(Meeting.slot_date) <= last)
    )
    return {(m.group_id, m.slot_date): m for m in rows}


def insert_meetings(session: Session, meetings: list[Meeting]) -> None:
    """New meetings, in one statement (read them back for their ids)."""
    rows = [m.model_dump(exclude={"id"}) for m in meetings]
    session.connection().execute(sa.insert(Meeting.__table__), rows)  # type: ignore[attr-defined]


def hot_seats(session: Session, meeting_ids: Iterable[int]) -> dict[int, list[int]]:
    """Meeting id -> its hot seats' member ids in order."""
    rows = session.exec(
        select(HotSeat.meeting_id, HotSeat.member_id)
        .where(col(HotSeat.meeting_id).in_(list(meeting_ids)))
        .order_by(col(HotSeat.meeting_id), col(HotSeat.position))
    )
    found: dict[int, list[int]] = defaultdict(list)
    for meeting_id, member_id in rows:
        found[meeting_id].append(member_id)
    return found


class RoleChange(NamedTuple):
    """Roles to store on a meeting, and its updated_at afterwards."""

    meeting: Meeting
    roles: rotation.Roles
    updated_at: datetime


def save_roles(session: Session, changes: list[RoleChange], replaced: list[int]) -> None:
    """Store the roles (rotation.assign and refresh for many meetings): the hot seats of
    REPLACED meetings go, the new ones come, the meetings are updated, one statement each."""
    conn = session.connection()
    seat = HotSeat.__table__  # type: ignore[attr-defined]
    table = Meeting.__table__  # type: ignore[attr-defined]
    if replaced:
        conn.execute(sa.delete(seat).where(seat.c.meeting_id.in_(replaced)))
    seats = [
        {"meeting_id": c.meeting.id, "member_id": who, "position": n}
        for c in changes
        for n, who in enumerate(c.roles.hot_seat, start=1)
    ]
    if seats:
        conn.execute(sa.insert(seat), seats)
    if not changes:
        return
    conn.execute(
        sa.update(table)
        .where(table.c.id == sa.bindparam("b_id"))
        .values(
            facilitator_id=sa.bindparam("b_facilitator"),
            timekeeper_id=sa.bindparam("b_timekeeper"),
            updated_at=sa.bindparam("b_updated_at"),
        ),
        [
            {"b_id": c.meeting.id, "b_facilitator": c.roles.facilitator,
             "b_timekeeper": c.roles.timekeeper, "b_updated_at": c.updated_at}
            for c in changes
        ],
    )  # fmt: skip
    rowversions.updated_by_core(session, [c.meeting for c in changes])
    for change in changes:  # the loaded rows as stored, without another UPDATE at flush
        for key, value in (("facilitator_id", change.roles.facilitator),
                           ("timekeeper_id", change.roles.timekeeper),
                           ("updated_at", change.updated_at)):  # fmt: skip
            set_committed_value(change.meeting, key, value)


def attendance(session: Session, meeting_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Meeting id -> its attendance marks by member id (meetings.attendance)."""
    rows = session.exec(
        select(Attendance)
        .where(col(Attendance.meeting_id).in_(list(meeting_ids)))
        .order_by(col(Attendance.meeting_id), col(Attendance.member_id))
    )
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        found[row.meeting_id].append({"member": row.member_id, "status": row.status})
    return found


def answers(session: Session, meeting_ids: Iterable[int]) -> dict[int, list[Answer]]:
    """Meeting id -> what members answered to its invitation (meetings.answers)."""
    ids = list(meeting_ids)
    if not ids:
        return {}
    rows = session.exec(
        select(Answer)
        .where(Answer.about == AnswerAbout.MEETING, col(Answer.about_id).in_(ids))
        .order_by(col(Answer.about_id), col(Answer.member_id))
    )
    found: dict[int, list[Answer]] = defaultdict(list)
    for row in rows:
        found[row.about_id].append(row)
    return found


def members(session: Session, ids: set[int]) -> dict[int, Member]:
    if not ids:
        return {}
    return {id_of(m): m for m in session.exec(select(Member).where(col(Member.id).in_(ids)))}


class Open(NamedTuple):
    """An open commitment, its owner, and the group and start of the meeting it was made at."""

    commitment: Commitment
    member: Member
    group_id: int | None
    made_at: datetime | None


def open_commitments(session: Session) -> list[Open]:
    """Every open commitment, ordered as agenda.open_commitments orders them."""
    rows = session.exec(
        select(Commitment, Member, Meeting.group_id, Meeting.start)
        .join(Member, col(Member.id) == Commitment.member_id)
        .outerjoin(Meeting, col(Meeting.id) == Commitment.meeting_id)
        .where(Commitment.status == CommitmentStatus.OPEN)
        .order_by(col(Member.name), col(Commitment.id))
    )
    return [Open(c, m, g, s) for c, m, g, s in rows]


def by_group(items: list[Open]) -> dict[int | None, list[Open]]:
    """Open commitments by the group they belong to (their meeting's, else their own)."""
    found: dict[int | None, list[Open]] = defaultdict(list)
    for item in items:
        made_for = item.group_id if item.commitment.meeting_id is not None else None
        found[made_for if made_for is not None else item.commitment.group_id].append(item)
    return found


def owed_at(
    items: dict[int | None, list[Open]], meeting: Meeting
) -> list[tuple[Commitment, Member]]:
    """The open commitments a meeting's agenda lists (agenda.open_commitments): made at
    the group's earlier meetings, or for the group before the meeting."""
    return [
        (i.commitment, i.member)
        for i in items.get(meeting.group_id, [])
        if _made(i) < meeting.start
    ]


def _made(item: Open) -> datetime:
    """When a commitment counts from: its meeting's start, else when it was made."""
    if item.commitment.meeting_id is not None and item.made_at is not None:
        return item.made_at
    return item.commitment.created_at


def histories(session: Session, targets: list[Meeting]) -> dict[int, rotation.History]:
    """Meeting id -> rotation.History of each target meeting, counted in the database: one
    statement for them all, a row per target, member and what they did (a hot-seat turn
    taken, facilitating, keeping time) with how many times and the latest start."""
    if not targets:
        return {}
    table = Meeting.__table__  # type: ignore[attr-defined]
    seat, marks = HotSeat.__table__, Attendance.__table__  # type: ignore[attr-defined]
    t = (
        sa.select(table.c.id, table.c.group_id, table.c.start)
        .where(table.c.id.in_([id_of(m) for m in targets]))
        .cte("target")
    )
    m = table.alias("past")
    earlier = t.join(m, sa.and_(m.c.group_id == t.c.group_id, m.c.start < t.c.start,
                                m.c.status != MeetingStatus.CANCELLED))  # fmt: skip
    absent = sa.exists().where(
        marks.c.meeting_id == m.c.id,
        marks.c.member_id == seat.c.member_id,
        marks.c.status == AttendanceStatus.ABSENT,
    )  # the absent-turn rule (rotation.taken_turns)

    def tally(kind: str, who: Any, source: Any, *where: Any) -> Any:
        return (
            sa.select(sa.literal(kind), t.c.id, who, sa.func.count(), sa.func.max(m.c.start))
            .select_from(source)
            .where(*where)
            .group_by(t.c.id, who)
        )

    turns = tally("turns", seat.c.member_id, earlier.join(seat, seat.c.meeting_id == m.c.id),
                  ~absent)  # fmt: skip
    roles = [tally(r, m.c[r], earlier, m.c[r].is_not(None))
             for r in ("facilitator_id", "timekeeper_id")]  # fmt: skip
    found = {id_of(x): rotation.History() for x in targets}
    for kind, target, who, count, last in session.connection().execute(sa.union_all(turns, *roles)):
        counted: rotation.Tally = getattr(found[target], kind)
        counted.count[who], counted.last[who] = count, last
    return found
