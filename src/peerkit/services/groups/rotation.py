"""Fair rotation: who takes the hot seat, who facilitates and who keeps time.

Hot seat: those with the fewest *attended* turns in the group's history go first (a
turn missed through absence does not count, so the member gets the next one); ties go
to whoever has waited longest since their last turn, then to the longest-standing member.
Facilitator and timekeeper rotate the same way among members who opted in; without
volunteers the group's facilitator keeps the role.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlmodel import Session, col, select

from peerkit.enums import AttendanceStatus, MeetingStatus, MemberStatus
from peerkit.models import (
    Attendance,
    Group,
    HotSeat,
    Meeting,
    Member,
    Membership,
    id_of,
    utcnow,
)
from peerkit.services.groups import roster as groups_svc
from peerkit.services.members import profiles as members_svc

NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass
class Roles:
    hot_seat: list[int]
    facilitator: int | None
    timekeeper: int | None


def eligible(session: Session, group: Group, on: date) -> list[tuple[Membership, Member]]:
    """Current members who are active on that date (not paused, not gone)."""
    return [
        (m, p)
        for m, p in groups_svc.current_memberships(session, group)
        if members_svc.effective_status(p, on) == MemberStatus.ACTIVE and m.joined <= on
    ]


@dataclass
class History:
    """A group's meetings before the one being planned (cancelled ones left out), read once,
    and the hot-seat turns taken at them: meeting id -> the members whose seat counted."""

    meetings: dict[int, Meeting]
    turns: dict[int, list[int]]


def taken_turns(
    seats: Mapping[int, Iterable[int]], marks: Mapping[int, Mapping[int, str]]
) -> dict[int, list[int]]:
    """The absent-turn rule, shared by the rotation and the stats: a hot seat is a turn
    unless the member was marked absent at that meeting (no mark yet still counts).
    SEATS is meeting id -> hot-seat member ids, MARKS meeting id -> member id -> status."""
    return {
        meeting: [
            who for who in members if marks.get(meeting, {}).get(who) != AttendanceStatus.ABSENT
        ]
        for meeting, members in seats.items()
    }


def history(session: Session, meeting: Meeting) -> History:
    earlier = session.exec(
        select(Meeting).where(
            Meeting.group_id == meeting.group_id,
            Meeting.status != MeetingStatus.CANCELLED,
            col(Meeting.start) < meeting.start,
        )
    )
    meetings = {id_of(m): m for m in earlier}
    if not meetings:
        return History({}, {})
    seats: dict[int, list[int]] = defaultdict(list)
    for seat in session.exec(select(HotSeat).where(col(HotSeat.meeting_id).in_(list(meetings)))):
        seats[seat.meeting_id].append(seat.member_id)
    return History(meetings, taken_turns(seats, _absences(session, list(meetings))))


def _absences(session: Session, meeting_ids: list[int]) -> dict[int, dict[int, str]]:
    rows = session.exec(
        select(Attendance).where(
            col(Attendance.meeting_id).in_(meeting_ids),
            Attendance.status == AttendanceStatus.ABSENT,
        )
    )
    marks: dict[int, dict[int, str]] = defaultdict(dict)
    for row in rows:
        marks[row.meeting_id][row.member_id] = row.status
    return marks


def hot_seat_order(past: History, candidates: list[tuple[Membership, Member]]) -> list[int]:
    """Candidate member ids, the fairest next hot seats first."""
    turns: dict[int, int] = {}
    last: dict[int, datetime] = {}
    for meeting_id, members in past.turns.items():
        when = past.meetings[meeting_id].start
        for member_id in members:
            turns[member_id] = turns.get(member_id, 0) + 1
            last[member_id] = max(last.get(member_id, NEVER), when)

    def key(item: tuple[Membership, Member]) -> tuple[int, datetime, date, int]:
        membership, member = item
        me = id_of(member)
        return (turns.get(me, 0), last.get(me, NEVER), membership.joined, me)

    return [id_of(p) for _, p in sorted(candidates, key=key)]


def _role_order(past: History, field: str, pool: list[int]) -> list[int]:
    count: dict[int, int] = {}
    last: dict[int, datetime] = {}
    for m in past.meetings.values():
        who = getattr(m, field)
        if who is not None:
            count[who] = count.get(who, 0) + 1
            last[who] = max(last.get(who, NEVER), m.start)
    return sorted(pool, key=lambda i: (count.get(i, 0), last.get(i, NEVER), pool.index(i)))


def choose(session: Session, group: Group, meeting: Meeting, seats: int, on: date) -> Roles:
    """Hot seats (everyone takes turns, facilitators too), the facilitator (volunteers in
    strict turn, else the group's facilitator), and a timekeeper off the hot seat if possible."""
    candidates = eligible(session, group, on)
    past = history(session, meeting)
    hot = hot_seat_order(past, candidates)[:seats]
    facilitator = _facilitator(session, group, past, candidates)
    return Roles(hot, facilitator, _timekeeper(past, candidates, facilitator, hot))


def _facilitator(
    session: Session,
    group: Group,
    past: History,
    candidates: list[tuple[Membership, Member]],
) -> int | None:
    volunteers = [id_of(p) for m, p in candidates if m.rotates]
    if volunteers:
        return _role_order(past, "facilitator_id", volunteers)[0]
    lead = groups_svc.facilitator(session, group)
    present = {p.id for _m, p in candidates}
    return lead.id if lead is not None and lead.id in present else None


def _timekeeper(
    past: History,
    candidates: list[tuple[Membership, Member]],
    facilitator: int | None,
    hot: list[int],
) -> int | None:
    volunteers = [p.id for m, p in candidates if m.rotates and p.id not in (None, facilitator)]
    free = [v for v in volunteers if v not in hot] or volunteers
    return (
        _role_order(past, "timekeeper_id", [v for v in free if v is not None])[0] if free else None
    )


def refresh(session: Session, group: Group, meeting: Meeting, on: date) -> bool:
    """Replace roles held by members who can no longer come (paused, left the group).

    Everyone else keeps their role: planning again never reshuffles a meeting.
    """
    candidates = eligible(session, group, on)
    present = {p.id for _m, p in candidates}
    seats = list(
        session.exec(
            select(HotSeat).where(HotSeat.meeting_id == meeting.id).order_by(col(HotSeat.position))
        )
    )
    stale = [s for s in seats if s.member_id not in present]
    lost_facilitator = meeting.facilitator_id is not None and meeting.facilitator_id not in present
    lost_timekeeper = meeting.timekeeper_id is not None and meeting.timekeeper_id not in present
    if not (stale or lost_facilitator or lost_timekeeper):
        return False
    kept = [s.member_id for s in seats if s not in stale]
    pool = [c for c in candidates if c[1].id not in kept]
    past = history(session, meeting)
    fresh = hot_seat_order(past, pool)[: len(stale)]
    if lost_facilitator:
        meeting.facilitator_id = _facilitator(session, group, past, candidates)
    for seat in seats:
        session.delete(seat)
    session.flush()
    for position, member_id in enumerate([*kept, *fresh], start=1):
        session.add(HotSeat(meeting_id=id_of(meeting), member_id=member_id, position=position))
    doubled = meeting.facilitator_id is not None and meeting.timekeeper_id == meeting.facilitator_id
    if lost_timekeeper or doubled:
        meeting.timekeeper_id = _timekeeper(
            past, candidates, meeting.facilitator_id, [*kept, *fresh]
        )
    meeting.updated_at = utcnow()
    session.add(meeting)
    session.flush()
    return True


def assign(session: Session, meeting: Meeting, roles: Roles) -> None:
    """Store the roles on a meeting that has none yet (planning never reshuffles)."""
    for position, member_id in enumerate(roles.hot_seat, start=1):
        session.add(HotSeat(meeting_id=id_of(meeting), member_id=member_id, position=position))
    meeting.facilitator_id = roles.facilitator
    meeting.timekeeper_id = roles.timekeeper
    session.add(meeting)
    session.flush()


def has_roles(session: Session, meeting: Meeting) -> bool:
    seat = session.exec(select(HotSeat).where(HotSeat.meeting_id == meeting.id)).first()
    return seat is not None or meeting.facilitator_id is not None
