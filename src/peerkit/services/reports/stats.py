"""Community health: how groups meet, who is drifting away, and the balance of give and take.

A meeting counts as held once its attendance was taken (MeetingStatus.DONE). A member is at risk
when they missed two or more of their group's last four held meetings, the usual mastermind
norm. A no-show is a held meeting a member said they would come to (their answer, from their
reply: services/replies) and was marked absent at. Giving is mentoring someone, or facilitating
or keeping time at a meeting; receiving is a turn on the hot seat, or being mentored.

Fair hours (services/groups/fairness.py): a member's held meetings (those they were marked at)
that were outside 08:00-21:00 in their own zone, costed in Python from each held meeting's UTC
start, read with its row, and the member's zone, read with their row (once per meeting and zone).

The counting is done by the database (GROUP BY, conditional counts, a window for "the group's last
four"), in SQLAlchemy Core that SQLite and PostgreSQL both run: what comes back is one row per
group, per member or per held meeting, never one per attendance mark (the marks each member's row
lists come with their meeting's row: the ids of those present, and of those absent). The rules
judged on the held meetings (at risk, a turn taken) are queries of their own, in `held`. In a
session of Database.read(snapshot=True) (the `stats` command), the counting statements
(`_Counting`) run on a second connection while the marks are read (connections.beside).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Set
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, col

from peerkit.connections import beside
from peerkit.enums import AnswerAbout, AnswerKind, AttendanceStatus, CommitmentStatus
from peerkit.models import (
    Answer,
    Attendance,
    Commitment,
    Group,
    Meeting,
    Member,
    Membership,
    Mentorship,
    id_of,
)
from peerkit.services.groups import fairness
from peerkit.services.groups import roster as groups_svc
from peerkit.services.reports.held import (
    at_risk_query,
    chosen_groups,
    held_meetings,
    ids_marked,
    seats_and_absences,
    turn_taken,
)

BATCH = 1_000  # held meetings fetched at a time

Promised = tuple[int, int, int]  # commitments done, open, dropped
# Per held meeting, oldest first: those present, and those marked (two lists of numbers, not a
# tuple per meeting: tens of thousands of tuples would wake Python's full garbage collection).
Tally = tuple[list[int], list[int]]


@dataclass(frozen=True)
class Counts:
    """What the database counted, for the chosen groups and period."""

    meetings: dict[int, Tally]  # group -> present and marked at each held meeting
    group_turns: dict[int, int]  # group -> hot seats taken
    member_turns: dict[int, int]  # member -> hot seats taken
    group_promised: dict[int, Promised]  # group -> commitments of the people listed
    member_promised: dict[int, Promised]  # member -> commitments in the groups or in none
    led: dict[int, int]  # member -> held meetings facilitated or timed
    given: dict[int, int]  # member -> mentorships as mentor
    received: dict[int, int]  # member -> mentorships as mentee
    risky: set[int]  # members at risk
    no_shows: dict[int, int]  # member -> held meetings they said yes to and missed


def compute(
    session: Session, group: Group | None, since: date | None, today: date
) -> dict[str, Any]:
    chosen = [group] if group is not None else groups_svc.list_groups(session)
    held = held_meetings(group, since, today)
    counting = _Counting.of(group, held, (since, today))  # built here, run beside the marks
    counted = beside(session, counting.run)
    meetings, histories, times = _marks(session, held)
    people = _people(session, group, histories.keys())
    ids = {me for me, _name, _zone in people}
    counts = _count(counted(), ids, meetings)
    groups_out = [_group_row(g, counts) for g in chosen]
    outside = _Outside(times)
    members_out = [
        _member_row(me, name, histories.get(me, []), counts, outside.count(me, zone))
        for me, name, zone in people
    ]
    return {
        "groups": groups_out,
        "members": members_out,
        "give_and_take": {
            "only_receive": [m["member"] for m in members_out if m["receives"] and not m["gives"]],
            "only_give": [m["member"] for m in members_out if m["gives"] and not m["receives"]],
        },
        "since": since.isoformat() if since else None,
    }


@dataclass(frozen=True)
class _Counted:
    """What the counting statements return, before the people listed are known."""

    given: dict[int, int]
    received: dict[int, int]
    turns: tuple[dict[int, int], dict[int, int]]
    promised: dict[tuple[int | None, int], Promised]
    led: dict[int, int]
    risky: set[int]
    no_shows: dict[int, int]


class _Counting(NamedTuple):
    """The counting statements of a report, built in the thread that asks for them (they
    read the chosen group's id), and how to run them on a connection (connections.beside)."""

    mentors: sa.Executable
    mentees: sa.Executable
    turns: sa.Executable
    promised: sa.Executable
    led: sa.Executable
    risky: sa.Executable
    no_shows: sa.Executable

    @classmethod
    def of(
        cls, group: Group | None, held: sa.Subquery, period: tuple[date | None, date]
    ) -> _Counting:
        since, today = period
        mentors, mentees = _mentoring_queries(since, today)
        return cls(
            mentors=mentors,
            mentees=mentees,
            turns=_turns_query(held),
            promised=_commitments_query(group, since),
            led=_led_query(held),
            risky=at_risk_query(held),
            no_shows=_no_shows_query(held),
        )

    def run(self, conn: sa.Connection) -> _Counted:
        return _Counted(
            given=dict(_rows(conn, self.mentors)),
            received=dict(_rows(conn, self.mentees)),
            turns=_turns(_rows(conn, self.turns)),
            promised={(g, m): (done, open_, dropped)
                      for g, m, done, open_, dropped in _rows(conn, self.promised)},
            led=_led(_rows(conn, self.led)),
            risky=set(conn.execute(self.risky).scalars()),
            no_shows=dict(_rows(conn, self.no_shows)),
        )  # fmt: skip


def _count(counted: _Counted, people: set[int], meetings: dict[int, Tally]) -> Counts:
    by_group: dict[int, Promised] = {}
    by_member: dict[int, Promised] = {}
    for (g, m), promised in counted.promised.items():
        if g is not None and m in people:  # a group counts the commitments of those listed
            by_group[g] = _plus(by_group.get(g), promised)
        by_member[m] = _plus(by_member.get(m), promised)
    return Counts(
        meetings=meetings,
        group_turns=counted.turns[0],
        member_turns=counted.turns[1],
        group_promised=by_group,
        member_promised=by_member,
        led=counted.led,
        given=counted.given,
        received=counted.received,
        risky=counted.risky,
        no_shows=counted.no_shows,
    )


def _plus(total: Promised | None, more: Promised) -> Promised:
    if total is None:
        return more
    return (total[0] + more[0], total[1] + more[1], total[2] + more[2])


def _rows(conn: sa.Connection, query: sa.Executable) -> list[Any]:
    """The rows of QUERY, fetched at once (few: counts per group, member or meeting)."""
    return list(conn.execute(query).all())


def _turns_query(held: sa.Subquery) -> sa.Executable:
    """Hot seats taken, per group and member (counted, not filtered: see
    `seats_and_absences`)."""
    seats = seats_and_absences(held).subquery("seats")
    return sa.select(
        seats.c.group_id, seats.c.member_id, sa.func.count(sa.case((turn_taken(seats), 1)))
    ).group_by(seats.c.group_id, seats.c.member_id)


def _turns(rows: list[Any]) -> tuple[dict[int, int], dict[int, int]]:
    """Hot seats taken per group and per member, from the rows of `_turns_query`."""
    by_group: dict[int, int] = defaultdict(int)
    by_member: dict[int, int] = defaultdict(int)
    for g, m, n in rows:
        by_group[g] += n
        by_member[m] += n
    return by_group, by_member


def _no_shows_query(held: sa.Subquery) -> sa.Executable:
    """member, held meetings they answered they would come to and were marked absent at."""
    absent = sa.and_(
        col(Attendance.meeting_id) == held.c.id,
        col(Attendance.status) == AttendanceStatus.ABSENT,
    )
    said_yes = sa.and_(
        col(Answer.about) == AnswerAbout.MEETING,
        col(Answer.about_id) == held.c.id,
        col(Answer.member_id) == col(Attendance.member_id),
        col(Answer.answer) == AnswerKind.ACCEPTED,
    )
    return (
        sa.select(col(Attendance.member_id), sa.func.count())
        .select_from(held)
        .join(Attendance, absent)
        .join(Answer, said_yes)
        .group_by(col(Attendance.member_id))
    )


def _led_query(held: sa.Subquery) -> sa.Executable:
    """facilitator, timekeeper, and how many held meetings they led together."""
    lead, keeper = held.c.facilitator_id, held.c.timekeeper_id
    return sa.select(lead, keeper, sa.func.count()).group_by(lead, keeper)


def _led(rows: list[Any]) -> dict[int, int]:
    """member -> held meetings they facilitated or kept time at (both at once count once),
    from one row per facilitator and timekeeper pair."""
    led: dict[int, int] = defaultdict(int)
    for facilitator, timekeeper, n in rows:
        if facilitator is not None:
            led[facilitator] += n
        if timekeeper is not None and timekeeper != facilitator:
            led[timekeeper] += n
    return led


def _commitments_query(group: Group | None, since: date | None) -> sa.Executable:
    """group, member, done, open, dropped: for the chosen groups and those of no group."""
    status = col(Commitment.status)
    query = (
        sa.select(
            col(Commitment.group_id),
            col(Commitment.member_id),
            *(sa.func.count(sa.case((status == s, 1))) for s in _PROMISE_ORDER),
        )
        .select_from(Commitment)
        .where(
            sa.or_(
                col(Commitment.group_id).is_(None),
                chosen_groups(col(Commitment.group_id), group),
            )
        )
        .group_by(col(Commitment.group_id), col(Commitment.member_id))
    )
    if since is not None:
        query = query.outerjoin(Meeting, col(Meeting.id) == col(Commitment.meeting_id))
        query = query.where(_made_from(since))
    return query


_PROMISE_ORDER = (CommitmentStatus.DONE, CommitmentStatus.OPEN, CommitmentStatus.DROPPED)


def _made_from(since: date) -> sa.ColumnElement[bool]:
    """Made from SINCE: dated by the meeting it was made at; one made outside a meeting (or
    whose meeting is gone) by the day, in UTC, it was added."""
    midnight = datetime.combine(since, time(), UTC)
    return sa.or_(
        sa.and_(col(Meeting.id).is_not(None), col(Meeting.slot_date) >= since),
        sa.and_(col(Meeting.id).is_(None), col(Commitment.created_at) >= midnight),
    )


def _mentoring_queries(since: date | None, today: date) -> tuple[sa.Executable, sa.Executable]:
    """member, mentorships as mentor; and as mentee: begun by TODAY, not ended before SINCE."""
    active = [col(Mentorship.started) <= today]
    if since is not None:
        active.append(sa.or_(col(Mentorship.ended).is_(None), col(Mentorship.ended) >= since))
    mentor, mentee = col(Mentorship.mentor_id), col(Mentorship.mentee_id)
    return (
        sa.select(mentor, sa.func.count()).where(*active).group_by(mentor),
        sa.select(mentee, sa.func.count()).where(*active).group_by(mentee),
    )


@dataclass
class Times:
    """Each held meeting's UTC start and duration (in the order `_marks` reads them), and per
    member (the id as the row has it) the positions of the meetings they were marked at."""

    meetings: list[tuple[datetime, int]]
    marked: dict[str, list[int]]


class _Outside:
    """Members' held meetings outside 08:00-21:00 in their zone (fairness.cost), each meeting
    costed once per zone."""

    def __init__(self, times: Times) -> None:
        self.times = times
        # zone -> per meeting: 1 outside the hours, 0 inside, None not costed yet
        self.hard: dict[str, list[int | None]] = {}
        self.costs = fairness.Costs()

    def count(self, member: int, zone: str) -> int:
        at = self.times.marked.get(str(member))
        if not at:
            return 0
        hard = self.hard.get(zone)
        if hard is None:
            hard = self.hard[zone] = [None] * len(self.times.meetings)
        flags = list(map(hard.__getitem__, at))
        if None in flags:  # cost the meetings this zone has not met yet
            meetings, cost = self.times.meetings, self.costs.cost
            for n in at:
                if hard[n] is None:
                    start, duration = meetings[n]
                    hard[n] = int(cost(start, duration, zone).hard)
            flags = list(map(hard.__getitem__, at))
        return sum(flags)  # type: ignore[arg-type]


def _marks(
    session: Session, held: sa.Subquery
) -> tuple[dict[int, Tally], dict[int, list[AttendanceStatus]], Times]:
    """Per group, (present, marked) for each held meeting; per member, their marks at the held
    meetings; both oldest first, from one row per held meeting.

    A meeting's row lists the ids of those present and of those absent, each as one string,
    in any order (a member has one mark per meeting); the meetings come in order.
    """
    query = (
        sa.select(held.c.group_id, ids_marked(AttendanceStatus.PRESENT),
                  ids_marked(AttendanceStatus.ABSENT), held.c.start, held.c.duration)
        .select_from(held)
        .outerjoin(Attendance, col(Attendance.meeting_id) == held.c.id)
        .group_by(held.c.id, held.c.group_id, held.c.slot_date, held.c.start, held.c.duration)
        .order_by(held.c.slot_date, held.c.id)
        .execution_options(yield_per=BATCH)
    )  # fmt: skip
    present, absent = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT
    meetings: dict[int, Tally] = defaultdict(lambda: ([], []))
    by_text: dict[str, list[AttendanceStatus]] = defaultdict(list)  # the id as the row has it
    times = Times([], defaultdict(list))
    held_at, marked = times.meetings, times.marked
    for group_id, here, away, start, duration in session.connection().execute(query):
        at = len(held_at)
        held_at.append((start, duration))
        here_ids = here.split(",") if here else []
        away_ids = away.split(",") if away else []
        here_n, (heres, marks) = len(here_ids), meetings[group_id]
        heres.append(here_n)
        marks.append(here_n + len(away_ids))
        for text in here_ids:
            by_text[text].append(present)
            marked[text].append(at)
        for text in away_ids:
            by_text[text].append(absent)
            marked[text].append(at)
    return meetings, {int(text): marks for text, marks in by_text.items()}, times


def _people(session: Session, group: Group | None, marked: Set[int]) -> list[tuple[int, str, str]]:
    """(id, name, zone) of the current members of the groups, and of anyone MARKED (with a mark at
    their held meetings, as `_marks` found them); not those forgotten.

    Every member's row is read, a few milliseconds for thousands of members: asking the
    database instead which members have a mark at those meetings costs a pass over every mark
    (SQLite), or leads PostgreSQL's planner astray (seconds, or a JIT compilation longer than
    the query), depending on the form of the question and on --group and --since.
    """
    current = sa.select(col(Membership.member_id)).where(
        col(Membership.left_on).is_(None), chosen_groups(col(Membership.group_id), group)
    )
    query = (
        sa.select(col(Member.id), col(Member.name), col(Member.id).in_(current),
                  col(Member.timezone))
        .where(col(Member.forgotten_at).is_(None))
        .order_by(col(Member.id))
    )  # fmt: skip
    rows = _rows(session.connection(), query)
    return [(me, name, zone) for me, name, now, zone in rows if now or me in marked]


def _group_row(group: Group, counts: Counts) -> dict[str, Any]:
    me = id_of(group)
    heres, marks = counts.meetings.get(me, ([], []))
    present, marked = sum(heres), sum(marks)
    done, open_, dropped = counts.group_promised.get(me, (0, 0, 0))
    return {
        "group": group.slug,
        "name": group.name,
        "sessions": len(heres),
        "attendance_rate": _rate(present, marked),
        "hot_seats": counts.group_turns.get(me, 0),
        "commitments_done": done,
        "commitments_open": open_,
        "commitments_dropped": dropped,
        "commitments_kept": _rate(done, done + dropped),
        "attendance_trend": list(map(_rate, heres, marks)),
    }


def _member_row(
    me: int, name: str, history: list[AttendanceStatus], counts: Counts, outside: int
) -> dict[str, Any]:
    hot = counts.member_turns.get(me, 0)
    done, open_, _dropped = counts.member_promised.get(me, (0, 0, 0))
    roles = counts.led.get(me, 0)
    given, received = counts.given.get(me, 0), counts.received.get(me, 0)
    return {
        "member": me,
        "name": name,
        "attended": history.count(AttendanceStatus.PRESENT),
        "missed": history.count(AttendanceStatus.ABSENT),
        "no_shows": counts.no_shows.get(me, 0),
        "hot_seats": hot,
        "commitments_done": done,
        "commitments_open": open_,
        "mentoring_given": given,
        "mentoring_received": received,
        "facilitated": roles,
        "gives": given + roles,
        "receives": hot + received,
        "at_risk": me in counts.risky,
        "attendance": history,
        "outside_hours": outside,
    }


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None
