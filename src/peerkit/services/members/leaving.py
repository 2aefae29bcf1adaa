"""A member leaves the community: by choice (`member remove`) or by erasure (`member forget`).

Both go through `_depart`, the one rule for what leaving undoes: their active mentorships end
(check-ins to come are cancelled), and their seats and waitlist places at events to come are
given up, the waitlist moving up in order. Their group memberships are kept, so that a member
who comes back (`member resume`) is in their groups again, and the history stays true.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, select

from peerkit.enums import CheckinStatus
from peerkit.models import Answer, Event, Member, MentorCheckin, Mentorship, PairRule, id_of
from peerkit.services.common import changelog
from peerkit.services.events import seats
from peerkit.services.members import profiles

# The tables an erasure rewrites: vacuumed afterwards, so no old row version keeps the data.
ERASED_TABLES = ("member", "mentorship", "mentor_checkin", "change_log")


@dataclass(frozen=True)
class MovedUp:
    """A member who got the seat freed at an event."""

    event: Event
    member: Member


@dataclass
class Departure:
    changed: bool  # False: they had already left, nothing was done
    moved_up: list[MovedUp] = field(default_factory=list)


def remove(session: Session, member: Member, today: date, now: datetime) -> Departure:
    """`member remove`: the status becomes left; their history is kept."""
    if not profiles.remove(session, member, today):
        return Departure(changed=False)
    return Departure(True, _depart(session, member, today, now, erase=False))


def forget(session: Session, member: Member, today: date, now: datetime) -> Departure:
    """`member forget`: personal data erased in place, and they leave as with `remove`.
    Their answers to invitations (what they replied, and the replies' Message-IDs) and the
    pair rules naming them go, and the change log keeps its entries about them without their
    personal data."""
    name, email = member.name, member.email
    profiles.forget(session, member, today)
    answers = Answer.__table__  # type: ignore[attr-defined]
    session.connection().execute(sa.delete(answers).where(answers.c.member_id == member.id))
    rules = PairRule.__table__  # type: ignore[attr-defined]
    mine = sa.or_(rules.c.member_a == member.id, rules.c.member_b == member.id)
    session.connection().execute(sa.delete(rules).where(mine))  # their note may say why
    departure = Departure(True, _depart(session, member, today, now, erase=True))
    changelog.erase(session, id_of(member), email, name)
    return departure


def _depart(
    session: Session, member: Member, today: date, now: datetime, *, erase: bool
) -> list[MovedUp]:
    """What leaving undoes, whichever way they leave. Returns who moved up at events."""
    close_mentoring(session, member, today, erase=erase)
    moved = []
    for event, promoted in seats.release(session, member, now):
        for member_id in promoted:
            person = session.get(Member, member_id)
            if person is not None:
                moved.append(MovedUp(event, person))
    return moved


def close_mentoring(session: Session, member: Member, today: date, *, erase: bool) -> None:
    """End the member's active mentorships and cancel their planned check-ins.

    On erasure every mentorship loses its topic (it may tell what they needed) and every
    planned check-in is cancelled, past ones too, without its place.
    """
    mine = session.exec(
        select(Mentorship).where(
            sa.or_(col(Mentorship.mentor_id) == member.id, col(Mentorship.mentee_id) == member.id)
        )
    )
    for item in mine:
        if erase:
            item.topic = None
        elif item.ended is not None:
            continue
        if item.ended is None:
            item.ended = today
        session.add(item)
        _cancel_checkins(session, item, today, erase=erase)


def _cancel_checkins(session: Session, item: Mentorship, today: date, *, erase: bool) -> None:
    planned = session.exec(
        select(MentorCheckin).where(
            MentorCheckin.mentorship_id == item.id,
            MentorCheckin.status == CheckinStatus.PLANNED,
        )
    )
    for checkin in planned:
        if not erase and checkin.start.astimezone(ZoneInfo(checkin.timezone)).date() < today:
            continue  # it has happened: leaving does not undo it
        checkin.status = CheckinStatus.CANCELLED
        checkin.sequence += 1
        if erase:
            checkin.location = None
        session.add(checkin)
