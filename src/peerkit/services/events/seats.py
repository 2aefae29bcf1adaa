"""Events for the wider community: create them, answer them, a waitlist served in order.

The event in calendars is in notices.py; its invitations and reminders in services/outbox.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, func, select

from peerkit.enums import EventKind, EventStatus, MemberStatus, RsvpStatus
from peerkit.errors import Conflict, InvalidValue
from peerkit.models import Event, Member, Rsvp, id_of, utcnow
from peerkit.services.common import lookup, validate


@dataclass(frozen=True)
class EventFields:
    title: str
    start: datetime  # aware, in the event's zone
    duration: int = 120
    kind: str = EventKind.NETWORKING  # as typed: checked by create
    location: str | None = None
    capacity: int | None = None


def create(session: Session, fields: EventFields) -> Event:
    zone = getattr(fields.start.tzinfo, "key", None)
    if zone is None:
        raise InvalidValue("an event needs a start in a named time zone.")
    if not 15 <= fields.duration <= 24 * 60:
        raise InvalidValue(f"--duration {fields.duration}: use 15 to 1440 minutes.")
    if fields.capacity is not None and not 1 <= fields.capacity <= 100_000:
        raise InvalidValue(f"--capacity {fields.capacity}: use a number from 1, or leave it out.")
    event = Event(
        title=validate.name(fields.title),
        kind=validate.word(fields.kind, EventKind, "kind"),
        start=fields.start,
        timezone=zone,
        duration=fields.duration,
        location=validate.optional_line(fields.location, "the location"),
        capacity=fields.capacity,
        uid=f"{uuid.uuid4()}@peerkit",
    )
    session.add(event)
    session.flush()
    return event


def resolve(session: Session, ref: str) -> Event:
    """An event by id."""
    return lookup.find(session, FINDER, ref)


FINDER = lookup.Finder(Event, "event", "peerkit event list")


def listing(session: Session) -> list[Event]:
    return list(session.exec(select(Event).order_by(col(Event.start), col(Event.id))))


def local_start(event: Event, zone: str | None = None) -> datetime:
    return event.start.astimezone(ZoneInfo(zone or event.timezone))


def local_start_of(moment: datetime, event: Event) -> datetime:
    return moment.astimezone(ZoneInfo(event.timezone))


def counts(session: Session, event: Event) -> dict[str, int]:
    rows = session.exec(
        select(Rsvp.status, func.count()).where(Rsvp.event_id == event.id).group_by(Rsvp.status)
    )
    found = dict(rows.all())
    return {"going": found.get(RsvpStatus.GOING, 0), "waitlist": found.get(RsvpStatus.WAITLIST, 0)}


def to_dict(session: Session, event: Event) -> dict[str, Any]:
    start = local_start(event)
    return {
        "id": event.id,
        "title": event.title,
        "kind": event.kind,
        "start": start.isoformat(),
        "end": local_start_of(event.start + timedelta(minutes=event.duration), event).isoformat(),
        "timezone": event.timezone,
        "location": event.location,
        "capacity": event.capacity,
        **counts(session, event),
    }


# --- answers and the waitlist -----------------------------------------------------------


@dataclass
class Answer:
    status: RsvpStatus
    changed: bool
    promoted: list[int]  # members moved from the waitlist to a seat


def rsvp(session: Session, event: Event, member: Member, going: bool, now: datetime) -> Answer:
    """Record a member's answer; a freed seat goes to the first on the waitlist."""
    if member.status == MemberStatus.LEFT or member.forgotten_at is not None:
        raise Conflict(f"{member.describe()} is not active: they left the community.")
    if event.status == EventStatus.CANCELLED:
        raise Conflict(f"event {event.id} is cancelled.")
    if event.start <= now:
        raise Conflict(f"event {event.id} has already started; answers are closed.")
    if going and member.status_on(now.date()) != MemberStatus.ACTIVE:
        raise Conflict(f"{member.describe()} is not active.")
    mine = session.exec(
        select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.member_id == member.id)
    ).first()
    if going:
        if mine is not None and mine.status in (RsvpStatus.GOING, RsvpStatus.WAITLIST):
            return Answer(mine.status, False, [])
        status = RsvpStatus.GOING if _has_seat(session, event) else RsvpStatus.WAITLIST
    else:
        if mine is not None and mine.status == RsvpStatus.DECLINED:
            return Answer(RsvpStatus.DECLINED, False, [])
        status = RsvpStatus.DECLINED
    freed = mine is not None and mine.status == RsvpStatus.GOING and status == RsvpStatus.DECLINED
    if mine is None:
        mine = Rsvp(event_id=id_of(event), member_id=id_of(member), status=status, position=0)
    mine.status = status
    mine.position = _next_position(session, event)
    mine.answered_at = utcnow()
    session.add(mine)
    session.flush()
    promoted = promote(session, event, now.date()) if freed else []
    return Answer(status, True, promoted)


def _has_seat(session: Session, event: Event) -> bool:
    """Whether a seat is free, counted under a lock on the event's row (PostgreSQL's
    SELECT ... FOR UPDATE; SQLite's write transactions take turns already), so that two
    answers at once for the last seat give it to one of them."""
    if event.capacity is None:
        return True
    session.exec(select(Event.id).where(Event.id == event.id).with_for_update())
    return counts(session, event)["going"] < event.capacity


def _next_position(session: Session, event: Event) -> int:
    top = session.exec(select(func.max(Rsvp.position)).where(Rsvp.event_id == event.id)).one()
    return int(top or 0) + 1


def promote(session: Session, event: Event, today: date) -> list[int]:
    """Give free seats to the waitlist, first come first served; returns who got one."""
    promoted: list[int] = []
    waiting = session.exec(
        select(Rsvp, Member)
        .join(Member, col(Member.id) == Rsvp.member_id)
        .where(Rsvp.event_id == event.id, Rsvp.status == RsvpStatus.WAITLIST)
        .order_by(col(Rsvp.position), col(Rsvp.id))
    ).all()
    for answer, member in waiting:
        if not _has_seat(session, event):
            break
        if member.status_on(today) != MemberStatus.ACTIVE:
            continue  # paused or gone: they keep their place, the seat goes on
        answer.status = RsvpStatus.GOING
        session.add(answer)
        session.flush()
        promoted.append(answer.member_id)
    return promoted


def release(session: Session, member: Member, now: datetime) -> list[tuple[Event, list[int]]]:
    """A member who leaves gives up their seats and places at events to come.

    Returns, per event whose seat went to the waitlist, who moved up.
    """
    moved = []
    answers = session.exec(
        select(Rsvp, Event)
        .join(Event, col(Event.id) == Rsvp.event_id)
        .where(
            Rsvp.member_id == member.id,
            col(Rsvp.status).in_([RsvpStatus.GOING, RsvpStatus.WAITLIST]),
            Event.status == EventStatus.PLANNED,
            col(Event.start) > now,
        )
    ).all()
    for answer, event in answers:
        had_seat = answer.status == RsvpStatus.GOING
        answer.status = RsvpStatus.DECLINED
        session.add(answer)
        session.flush()
        if had_seat:
            promoted = promote(session, event, now.date())
            if promoted:
                moved.append((event, promoted))
    return moved


def attendees(
    session: Session, event: Event, status: RsvpStatus = RsvpStatus.GOING
) -> list[Member]:
    rows = session.exec(
        select(Member)
        .join(Rsvp, col(Rsvp.member_id) == Member.id)
        .where(Rsvp.event_id == event.id, Rsvp.status == status)
        .order_by(col(Rsvp.position))
    )
    return list(rows)


def going_to(session: Session, member_id: int) -> list[Event]:
    rows = session.exec(
        select(Event)
        .join(Rsvp, col(Rsvp.event_id) == Event.id)
        .where(Rsvp.member_id == member_id, Rsvp.status == RsvpStatus.GOING)
        .order_by(col(Event.start))
    )
    return list(rows)
