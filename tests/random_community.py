"""Random communities with a history, for comparing reports (a seeded generator, no stored file).

A few groups (one sometimes archived), members who join, leave, pause or are forgotten, weekly
meetings done, cancelled or planned (some "done" ones after today, some marks at meetings that
were not held), attendance with gaps, hot seats (also on absent members and on people outside
the group), facilitators and timekeepers (sometimes the same person, sometimes none),
commitments in every status, with and without a meeting or a group, dated around the days a
report may start from, and mentorships that start and end at any time.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from peerkit.enums import (
    AnswerAbout,
    AnswerKind,
    AnswerSource,
    AttendanceStatus,
    CommitmentStatus,
    GroupStatus,
    MeetingStatus,
    MemberStatus,
)
from peerkit.models import (
    Answer,
    Attendance,
    Commitment,
    Group,
    HotSeat,
    Meeting,
    Member,
    Membership,
    Mentorship,
    id_of,
)

TODAY = date(2026, 11, 27)
FIRST = date(2026, 7, 6)  # a Monday: the first week of meetings
WEEKS = 24  # a few of them after TODAY


def since_options(rng: random.Random) -> list[date]:
    """Days a report may start from: meeting days, days between them, before and after all."""
    picked = {FIRST - timedelta(days=3), TODAY, TODAY + timedelta(days=1)}
    picked.update(FIRST + timedelta(days=rng.randrange(WEEKS * 7)) for _ in range(3))
    return sorted(picked)


def build(session: Any, rng: random.Random) -> None:
    """Fill an empty database (SESSION, to be committed by the caller)."""
    members = _members(session, rng)
    groups = _groups(session, rng)
    rosters = {id_of(g): _memberships(session, rng, g, members) for g in groups}
    meetings = []
    for group in groups:
        meetings += _meetings(session, rng, group, rosters[id_of(group)], members)
    for meeting in meetings:
        _marks(session, rng, meeting, rosters[meeting.group_id], members)
    _commitments(session, rng, members, groups, meetings)
    _mentorships(session, rng, members)
    # answers last, from a generator of their own: what came before is as it always was
    _answers(session, random.Random(rng.random()), meetings, rosters)
    session.flush()


def _answers(
    session: Any, rng: random.Random, meetings: list[Meeting], rosters: dict[int, list[Member]]
) -> None:
    """Some members answered some invitations (replies): yes, no or maybe."""
    kinds = [AnswerKind.ACCEPTED] * 3 + [AnswerKind.DECLINED, AnswerKind.TENTATIVE]
    for meeting in meetings:
        for person in rosters[meeting.group_id]:
            if rng.random() < 0.4:
                session.add(
                    Answer(
                        about=AnswerAbout.MEETING,
                        about_id=id_of(meeting),
                        member_id=id_of(person),
                        answer=rng.choice(kinds),
                        dtstamp=meeting.start - timedelta(days=rng.randint(1, 6)),
                        source=rng.choice([AnswerSource.ITIP, AnswerSource.MAIL]),
                    )
                )


def _members(session: Any, rng: random.Random) -> list[Member]:
    found = []
    for n in range(rng.randint(8, 16)):
        status = rng.choice([MemberStatus.ACTIVE] * 4 + [MemberStatus.PAUSED, MemberStatus.LEFT])
        member = Member(
            name=f"Member {n} {rng.choice(['Ada', 'Bruno', 'Chiara', 'Dario'])}",
            email=f"m{n}@example.com",
            status=status,
            joined=FIRST - timedelta(days=rng.randrange(60)),
        )
        if rng.random() < 0.12:  # forgotten: kept as a bare row, with their history
            member.name, member.email = "(forgotten)", None
            member.status = MemberStatus.LEFT
            member.forgotten_at = datetime(2026, 11, 1, tzinfo=UTC)
        found.append(member)
    session.add_all(found)
    session.flush()
    return found


def _groups(session: Any, rng: random.Random) -> list[Group]:
    found = []
    for n in range(rng.randint(1, 4)):
        archived = n > 0 and rng.random() < 0.25
        found.append(
            Group(
                slug=f"group-{n}",
                name=f"Group {n}",
                day=n % 7,
                anchor=FIRST + timedelta(days=n % 7),
                status=GroupStatus.ARCHIVED if archived else GroupStatus.ACTIVE,
            )
        )
    rng.shuffle(found)  # ids not in the order of the slugs
    session.add_all(found)
    session.flush()
    return found


def _memberships(
    session: Any, rng: random.Random, group: Group, members: list[Member]
) -> list[Member]:
    """The group's members, past and present (some left it, some joined late)."""
    chosen = rng.sample(members, rng.randint(0, min(7, len(members))))
    for member in chosen:
        joined = FIRST + timedelta(days=rng.choice([0, 0, 0, 30, 60, 150]))
        left = joined + timedelta(days=rng.randrange(10, 120)) if rng.random() < 0.25 else None
        session.add(Membership(group_id=id_of(group), member_id=id_of(member), joined=joined,
                               left_on=left))  # fmt: skip
    return chosen


def _meetings(
    session: Any, rng: random.Random, group: Group, roster: list[Member], members: list[Member]
) -> list[Meeting]:
    found = []
    for week in range(WEEKS):
        if rng.random() < 0.1:
            continue  # no meeting that week
        slot = group.anchor + timedelta(weeks=week)
        past = slot <= TODAY
        status = rng.choices(
            [MeetingStatus.DONE, MeetingStatus.CANCELLED, MeetingStatus.PLANNED],
            [8, 1, 1] if past else [1, 1, 6],
        )[0]
        found.append(
            Meeting(
                group_id=id_of(group),
                slot_date=slot,
                start=datetime.combine(slot, time(17, 30), UTC),
                timezone="Europe/Rome",
                duration=90,
                status=status,
                uid=f"{group.slug}-{week}@test",
                facilitator_id=_someone(rng, roster, members),
                timekeeper_id=_someone(rng, roster, members),
            )
        )
    session.add_all(found)
    session.flush()
    return found


def _someone(rng: random.Random, roster: list[Member], members: list[Member]) -> int | None:
    """Mostly a member of the group, sometimes someone else, sometimes nobody."""
    pool = roster if roster and rng.random() < 0.8 else members
    return None if rng.random() < 0.2 else id_of(rng.choice(pool))


def _marks(
    session: Any, rng: random.Random, meeting: Meeting, roster: list[Member], members: list[Member]
) -> None:
    held = meeting.status == MeetingStatus.DONE
    if not held and rng.random() < 0.8:
        return
    people = [m for m in roster if rng.random() < 0.85]
    if rng.random() < 0.15:
        people.append(rng.choice(members))  # a guest, or someone who left the group
    words = [AttendanceStatus.PRESENT] * 3 + [AttendanceStatus.ABSENT]
    marked = {id_of(person): rng.choice(words) for person in people}
    for who, status in marked.items():
        session.add(Attendance(meeting_id=id_of(meeting), member_id=who, status=status))
    seats = [*marked, id_of(rng.choice(members))]  # the last one may have no mark
    picked = rng.sample(seats, rng.randint(0, min(3, len(seats))))
    for position, who in enumerate(dict.fromkeys(picked), 1):
        session.add(HotSeat(meeting_id=id_of(meeting), member_id=who, position=position))


def _commitments(
    session: Any,
    rng: random.Random,
    members: list[Member],
    groups: list[Group],
    meetings: list[Meeting],
) -> None:
    for n in range(rng.randint(0, 40)):
        meeting = rng.choice(meetings) if meetings and rng.random() < 0.7 else None
        if meeting is not None:
            group_id: int | None = meeting.group_id if rng.random() < 0.9 else None
        else:
            group_id = id_of(rng.choice(groups)) if rng.random() < 0.6 else None
        day = FIRST + timedelta(days=rng.randrange(WEEKS * 7))
        moment = rng.choice([time(0, 0), time(0, 0, 0, 1), time(12, 0), time(23, 59, 59)])
        session.add(
            Commitment(
                member_id=id_of(rng.choice(members)),
                meeting_id=None if meeting is None else id_of(meeting),
                group_id=group_id,
                text=f"promise {n}",
                status=rng.choice(list(CommitmentStatus)),
                created_at=datetime.combine(day, moment, UTC),
            )
        )


def _mentorships(session: Any, rng: random.Random, members: list[Member]) -> None:
    for _ in range(rng.randint(0, 8)):
        mentor, mentee = rng.sample(members, 2)
        started = FIRST + timedelta(days=rng.randrange(-30, WEEKS * 7))
        ended = started + timedelta(days=rng.randrange(1, 120)) if rng.random() < 0.4 else None
        session.add(Mentorship(mentor_id=id_of(mentor), mentee_id=id_of(mentee),
                               started=started, ended=ended))  # fmt: skip
