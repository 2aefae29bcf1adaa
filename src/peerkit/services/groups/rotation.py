"""Fair rotation: who takes the hot seat, who facilitates and who keeps time.

Hot seat: those with the fewest *attended* turns in the group's history go first (a
turn missed through absence does not count, so the member gets the next one); ties go
to whoever has waited longest since their last turn, then to the longest-standing member.
Facilitator and timekeeper rotate the same way among members who opted in; without
volunteers the group's facilitator keeps the role.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Protocol

from sqlmodel import Session, col, select

from peerkit.enums import AttendanceStatus, MeetingStatus, MemberStatus, Role
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


Seat = tuple[Membership, Member]


def eligible(session: Session, group: Group, on: date) -> list[Seat]:
    """Current members who are active on that date (not paused, not gone)."""
    return eligible_among(groups_svc.current_memberships(session, group), on)


def eligible_among(current: Iterable[Seat], on: date) -> list[Seat]:
    """Of a group's current memberships (in their order), those active on that date."""
    return [
        (m, p)
        for m, p in current
        if members_svc.effective_status(p, on) == MemberStatus.ACTIVE and m.joined <= on
    ]


def lead_of(current: Iterable[Seat]) -> Member | None:
    """The group's facilitator among its current memberships (roster.facilitator)."""
    return next((p for m, p in current if m.role == Role.FACILITATOR), None)


class Past(Protocol):
    """What the rotation reads of an earlier meeting (a Meeting, or a row of one)."""

    @property
    def start(self) -> datetime: ...
    @property
    def facilitator_id(self) -> int | None: ...
    @property
    def timekeeper_id(self) -> int | None: ...


@dataclass
class Tally:
    """Per member: how many times (a hot-seat turn, a role), and the latest start of them."""

    count: dict[int, int] = field(default_factory=dict)
    last: dict[int, datetime] = field(default_factory=dict)

    def add(self, who: int, when: datetime) -> None:
        self.count[who] = self.count.get(who, 0) + 1
        self.last[who] = max(self.last.get(who, NEVER), when)


@dataclass
class History:
    """What the rotation reads of a group's meetings before the one being planned
    (cancelled ones left out): per member, the hot-seat turns taken at them (taken_turns)
    and the times as facilitator and as timekeeper, each with the latest."""

    turns: Tally = field(default_factory=Tally)
    facilitator_id: Tally = field(default_factory=Tally)
    timekeeper_id: Tally = field(default_factory=Tally)


def tallied(meetings: Mapping[int, Past], turns: Mapping[int, Iterable[int]]) -> History:
    """The History of those MEETINGS (id -> meeting) and the TURNS taken at them."""
    found = History()
    for meeting_id, members in turns.items():
        when = meetings[meeting_id].start
        for member_id in members:
            found.turns.add(member_id, when)
    for m in meetings.values():
        for role, tally in (("facilitator_id", found.facilitator_id),
                            ("timekeeper_id", found.timekeeper_id)):  # fmt: skip
            who = getattr(m, role)
            if who is not None:
                tally.add(who, m.start)
    return found


def taken_turns(
    seats: Mapping[int, Iterable[int]], marks: Mapping[int, Mapping[int, str]]
) -> dict[int, list[int]]:
    """The absent-turn rule, shared by the rotation and the stats: a hot seat is a turn
    unless the member was marked absent at that meeting (no mark yet still counts).
    SEATS is meeting id -> hot-seat member ids, MARKS meeting id -> member id -> status."""
    none: Mapping[int, str] = {}
    turns: dict[int, list[int]] = {}
    for meeting, members in seats.items():
        here = marks.get(meeting, none)
        turns[meeting] = (
            [who for who in members if here.get(who) != AttendanceStatus.ABSENT]
            if here
            else list(members)
        )
    return turns


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
        return History()
    seats: dict[int, list[int]] = defaultdict(list)
    for seat in session.exec(select(HotSeat).where(col(HotSeat.meeting_id).in_(list(meetings)))):
        seats[seat.meeting_id].append(seat.member_id)
    return tallied(meetings, taken_turns(seats, _absences(session, list(meetings))))


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
    turns, last = past.turns.count, past.turns.last

    def key(item: tuple[Membership, Member]) -> tuple[int, datetime, date, int]:
        membership, member = item
        me = id_of(member)
        return (turns.get(me, 0), last.get(me, NEVER), membership.joined, me)

    return [id_of(p) for _, p in sorted(candidates, key=key)]


def _role_order(past: History, role: str, pool: list[int]) -> list[int]:
    tally: Tally = getattr(past, role)
    count, last = tally.count, tally.last
    return sorted(pool, key=lambda i: (count.get(i, 0), last.get(i, NEVER), pool.index(i)))


def choose(session: Session, group: Group, meeting: Meeting, seats: int, on: date) -> Roles:
    """Hot seats (everyone takes turns, facilitators too), the facilitator (volunteers in
    strict turn, else the group's facilitator), and a timekeeper off the hot seat if possible."""
    current = groups_svc.current_memberships(session, group)
    return choose_from(
        history(session, meeting), eligible_among(current, on), lead_of(current), seats
    )


def choose_from(past: History, candidates: list[Seat], lead: Member | None, seats: int) -> Roles:
    """choose, on what has been read already: the history, who can come, the group's lead."""
    hot = hot_seat_order(past, candidates)[:seats]
    facilitator = _facilitator(lead, past, candidates)
    return Roles(hot, facilitator, _timekeeper(past, candidates, facilitator, hot))


def _facilitator(lead: Member | None, past: History, candidates: list[Seat]) -> int | None:
    volunteers = [id_of(p) for m, p in candidates if m.rotates]
    if volunteers:
        return _role_order(past, "facilitator_id", volunteers)[0]
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
    current = groups_svc.current_memberships(session, group)
    seats = list(
        session.exec(
            select(HotSeat).where(HotSeat.meeting_id == meeting.id).order_by(col(HotSeat.position))
        )
    )
    roles = refreshed(
        meeting,
        [s.member_id for s in seats],
        eligible_among(current, on),
        lead_of(current),
        lambda: history(session, meeting),
    )
    if roles is None:
        return False
    for seat in seats:
        session.delete(seat)
    session.flush()
    replace(session, meeting, roles)
    session.flush()
    return True


def refreshed(
    meeting: Meeting,
    seat_ids: list[int],
    candidates: list[Seat],
    lead: Member | None,
    past_of: Callable[[], History],
) -> Roles | None:
    """The roles once those who can no longer come are replaced; None: nobody is lost.
    SEAT_IDS are the hot seats as they stand; the history is read only when needed."""
    if not loses(meeting, seat_ids, candidates):
        return None
    present = {p.id for _m, p in candidates}
    stale = [s for s in seat_ids if s not in present]
    lost_facilitator = meeting.facilitator_id is not None and meeting.facilitator_id not in present
    lost_timekeeper = meeting.timekeeper_id is not None and meeting.timekeeper_id not in present
    kept = [s for s in seat_ids if s not in stale]
    pool = [c for c in candidates if c[1].id not in kept]
    past = past_of()
    hot = [*kept, *hot_seat_order(past, pool)[: len(stale)]]
    facilitator = (
        _facilitator(lead, past, candidates) if lost_facilitator else meeting.facilitator_id
    )
    timekeeper = meeting.timekeeper_id
    if lost_timekeeper or (facilitator is not None and timekeeper == facilitator):
        timekeeper = _timekeeper(past, candidates, facilitator, hot)
    return Roles(hot, facilitator, timekeeper)


def loses(meeting: Meeting, seat_ids: list[int], candidates: list[Seat]) -> bool:
    """Whether someone holding a role (hot seat, facilitator, timekeeper) can no longer come."""
    present = {p.id for _m, p in candidates}
    held = [*seat_ids, meeting.facilitator_id, meeting.timekeeper_id]
    return any(who is not None and who not in present for who in held)


def replace(session: Session, meeting: Meeting, roles: Roles) -> None:
    """Store refreshed roles (the old hot seats deleted and flushed first): a change."""
    for position, member_id in enumerate(roles.hot_seat, start=1):
        session.add(HotSeat(meeting_id=id_of(meeting), member_id=member_id, position=position))
    meeting.facilitator_id = roles.facilitator
    meeting.timekeeper_id = roles.timekeeper
    meeting.updated_at = utcnow()
    session.add(meeting)


def assign(session: Session, meeting: Meeting, roles: Roles) -> None:
    """Store the roles on a meeting that has none yet (planning never reshuffles)."""
    store(session, meeting, roles)
    session.flush()


def store(session: Session, meeting: Meeting, roles: Roles) -> None:
    """assign, left for the next flush."""
    for position, member_id in enumerate(roles.hot_seat, start=1):
        session.add(HotSeat(meeting_id=id_of(meeting), member_id=member_id, position=position))
    meeting.facilitator_id = roles.facilitator
    meeting.timekeeper_id = roles.timekeeper
    session.add(meeting)


def has_roles(session: Session, meeting: Meeting) -> bool:
    seat = session.exec(select(HotSeat).where(HotSeat.meeting_id == meeting.id)).first()
    return seat is not None or meeting.facilitator_id is not None
