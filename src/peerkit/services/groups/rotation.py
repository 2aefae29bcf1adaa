"""Fair rotation: who takes the hot seat, who facilitates and who keeps time.

Hot seat: those with the fewest *attended* turns in the group's history go first (a
turn missed through absence does not count, so the member gets the next one); ties go
to whoever has waited longest since their last turn, then to the longest-standing member.
Facilitator and timekeeper rotate the same way among members who opted in; without
volunteers the group's facilitator keeps the role.
"""

from __future__ import annotations

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


def _earlier_meetings(session: Session, meeting: Meeting) -> list[Meeting]:
    return list(
        session.exec(
            select(Meeting).where(
                Meeting.group_id == meeting.group_id,
                Meeting.status != MeetingStatus.CANCELLED,
                col(Meeting.start) < meeting.start,
            )
        )
    )


def _absences(session: Session, meeting_ids: list[int]) -> set[tuple[int, int]]:
    if not meeting_ids:
        return set()
    rows = session.exec(
        select(Attendance).where(
            col(Attendance.meeting_id).in_(meeting_ids),
            Attendance.status == AttendanceStatus.ABSENT,
        )
    )
    return {(a.meeting_id, a.member_id) for a in rows}


def hot_seat_order(
    session: Session, meeting: Meeting, candidates: list[tuple[Membership, Member]]
) -> list[int]:
    """Candidate member ids, the fairest next hot seats first."""
    earlier = {id_of(m): m for m in _earlier_meetings(session, meeting)}
    absent = _absences(session, list(earlier))
    turns: dict[int, int] = {}
    last: dict[int, datetime] = {}
    if earlier:
        seats = session.exec(select(HotSeat).where(col(HotSeat.meeting_id).in_(list(earlier))))
        for seat in seats:
            if (seat.meeting_id, seat.member_id) in absent:
                continue
            turns[seat.member_id] = turns.get(seat.member_id, 0) + 1
            when = earlier[seat.meeting_id].start
            last[seat.member_id] = max(last.get(seat.member_id, NEVER), when)

    def key(item: tuple[Membership, Member]) -> tuple[int, datetime, date, int]:
        membership, member = item
        me = id_of(member)
        return (turns.get(me, 0), last.get(me, NEVER), membership.joined, me)

    return [id_of(p) for _, p in sorted(candidates, key=key)]


def _role_order(session: Session, meeting: Meeting, field: str, pool: list[int]) -> list[int]:
    earlier = _earlier_meetings(session, meeting)
    count: dict[int, int] = {}
    last: dict[int, datetime] = {}
    for m in earlier:
        who = getattr(m, field)
        if who is not None:
            count[who] = count.get(who, 0) + 1
            last[who] = max(last.get(who, NEVER), m.start)
    return sorted(pool, key=lambda i: (count.get(i, 0), last.get(i, NEVER), pool.index(i)))


def choose(session: Session, group: Group, meeting: Meeting, seats: int, on: date) -> Roles:
    """Hot seats (everyone takes turns, facilitators too), the facilitator (volunteers in
    strict turn, else the group's facilitator), and a timekeeper off the hot seat if possible."""
    candidates = eligible(session, group, on)
    hot = hot_seat_order(session, meeting, candidates)[:seats]
    facilitator = _facilitator(session, group, meeting, candidates)
    return Roles(hot, facilitator, _timekeeper(session, meeting, candidates, facilitator, hot))


def _facilitator(
    session: Session,
    group: Group,
    meeting: Meeting,
    candidates: list[tuple[Membership, Member]],
) -> int | None:
    volunteers = [id_of(p) for m, p in candidates if m.rotates]
    if volunteers:
        return _role_order(session, meeting, "facilitator_id", volunteers)[0]
    lead = groups_svc.facilitator(session, group)
    present = {p.id for _m, p in candidates}
    return lead.id if lead is not None and lead.id in present else None


def _timekeeper(
    session: Session,
    meeting: Meeting,
    candidates: list[tuple[Membership, Member]],
    facilitator: int | None,
    hot: list[int],
) -> int | None:
    volunteers = [p.id for m, p in candidates if m.rotates and p.id not in (None, facilitator)]
    free = [v for v in volunteers if v not in hot] or volunteers
    return (
        _role_order(session, meeting, "timekeeper_id", [v for v in free if v is not None])[0]
        if free
        else None
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
    fresh = hot_seat_order(session, meeting, pool)[: len(stale)]
    if lost_facilitator:
        meeting.facilitator_id = _facilitator(session, group, meeting, candidates)
    for seat in seats:
        session.delete(seat)
    session.flush()
    for position, member_id in enumerate([*kept, *fresh], start=1):
        session.add(HotSeat(meeting_id=id_of(meeting), member_id=member_id, position=position))
    doubled = meeting.facilitator_id is not None and meeting.timekeeper_id == meeting.facilitator_id
    if lost_timekeeper or doubled:
        meeting.timekeeper_id = _timekeeper(
            session, meeting, candidates, meeting.facilitator_id, [*kept, *fresh]
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
