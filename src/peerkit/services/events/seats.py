"""Events for the wider community: create, edit, cancel them; answers; a waitlist served in order.

A seat that frees goes to the first active member on the waitlist. When the event has
`claim_hours`, that seat is an offer: the member has that many hours to accept it
(:func:`accept_offer`, by `event rsvp` or a reply); an offer not accepted in time lapses
(:func:`expire_offers`, run by `peerkit remind`) and the seat is offered to the next.

The event in calendars is in notices.py; its invitations and reminders in services/outbox.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, func, select

from peerkit.enums import EventKind, EventStatus, MemberStatus, RsvpStatus
from peerkit.errors import Conflict, InvalidValue
from peerkit.models import Event, Member, Rsvp, id_of, utcnow
from peerkit.services.common import lookup, schedule, validate
from peerkit.text import describe_char, find_control

MAX_CLAIM_HOURS = 24 * 14
MAX_DESCRIPTION = 4000
MAX_REASON = 500
MAX_CAPACITY = 100_000


@dataclass(frozen=True)
class EventFields:
    title: str
    start: datetime  # aware, in the event's zone
    duration: int = 120
    kind: str = EventKind.NETWORKING  # as typed: checked by create
    location: str | None = None
    capacity: int | None = None
    description: str | None = None
    claim_hours: int | None = None


def create(session: Session, fields: EventFields) -> Event:
    zone = getattr(fields.start.tzinfo, "key", None)
    if zone is None:
        raise InvalidValue("an event needs a start in a named time zone.")
    _check_duration(fields.duration)
    if fields.capacity is not None and not 1 <= fields.capacity <= MAX_CAPACITY:
        raise InvalidValue(f"--capacity {fields.capacity}: use a number from 1, or leave it out.")
    event = Event(
        title=validate.name(fields.title),
        kind=validate.word(fields.kind, EventKind, "kind"),
        start=fields.start,
        timezone=zone,
        duration=fields.duration,
        location=validate.optional_line(fields.location, "the location"),
        capacity=fields.capacity,
        description=description(fields.description),
        claim_hours=_claim_hours(fields.claim_hours, clears=False),
        uid=f"{uuid.uuid4()}@peerkit",
    )
    session.add(event)
    session.flush()
    return event


def _check_duration(minutes: int) -> None:
    if not 15 <= minutes <= 24 * 60:
        raise InvalidValue(f"--duration {minutes}: use 15 to 1440 minutes.")


def _claim_hours(hours: int | None, *, clears: bool) -> int | None:
    """Hours to accept an offered seat; 0 (when editing) takes the deadline away."""
    if hours is None or (clears and hours == 0):
        return None
    if not 1 <= hours <= MAX_CLAIM_HOURS:
        low = 0 if clears else 1
        raise InvalidValue(f"--claim-hours {hours}: use {low} to {MAX_CLAIM_HOURS} hours.")
    return hours


def description(value: str | None) -> str | None:
    """Free text over several lines, said in the invitations; control characters refused."""
    if value is None:
        return None
    text = value.replace("\r\n", "\n").replace("\r", "\n").strip(" \n")
    bad = find_control(text, allow_newlines=True)
    if bad is not None:
        raise InvalidValue(
            f"the description cannot contain control characters (found {describe_char(bad)})."
        )
    if len(text) > MAX_DESCRIPTION:
        raise InvalidValue(
            f"the description is {len(text)} characters long; the limit is {MAX_DESCRIPTION}."
        )
    return text or None


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
        "status": event.status,
        "start": start.isoformat(),
        "end": local_start_of(event.start + timedelta(minutes=event.duration), event).isoformat(),
        "timezone": event.timezone,
        "location": event.location,
        "capacity": event.capacity,
        **counts(session, event),
    }


# --- one event in full: `event show` ------------------------------------------------------


def details(session: Session, event: Event) -> dict[str, Any]:
    """The event, then who is going, the waitlist in order and who declined."""
    shown = {k: v for k, v in to_dict(session, event).items() if k not in ("going", "waitlist")}
    shown |= {
        "description": event.description,
        "claim_hours": event.claim_hours,
        "cancel_reason": event.cancel_reason,
        "going": [],
        "waitlist": [],
        "declined": [],
    }
    rows = session.exec(
        select(Rsvp, Member)
        .join(Member, col(Member.id) == Rsvp.member_id)
        .where(Rsvp.event_id == event.id)
        .order_by(col(Rsvp.position), col(Rsvp.id))
    ).all()
    for answer, member in rows:
        person: dict[str, Any] = {
            "member_id": member.id,
            "name": member.name,
            "email": member.email,
            "answered_at": answer.answered_at.isoformat(),
        }
        if answer.status == RsvpStatus.GOING:
            until = offer_deadline(event, answer)
            person["offer_until"] = local_start_of(until, event).isoformat() if until else None
        elif answer.status == RsvpStatus.WAITLIST:
            person = {"position": len(shown["waitlist"]) + 1, **person}
        else:
            person["offer_lapsed"] = answer.offer_until is not None
        shown[str(answer.status)].append(person)
    return shown


# --- answers and the waitlist -----------------------------------------------------------


@dataclass
class Answer:
    status: RsvpStatus
    changed: bool
    promoted: list[int]  # members moved from the waitlist to a seat
    withdrawn: bool = False  # they had a seat and gave it up: their invitation is withdrawn
    accepted: bool = False  # they accepted a seat offered from the waitlist


def rsvp(session: Session, event: Event, member: Member, going: bool, now: datetime) -> Answer:
    """Record a member's answer; a freed seat goes to the first on the waitlist.

    Yes from a member offered a seat accepts the offer (:func:`accept_offer`)."""
    if going:
        return accept_offer(session, event, member, now)
    _check_open(event, member, now, going=False)
    mine = answer_of(session, event, member)
    if mine is not None and mine.status == RsvpStatus.DECLINED:
        return Answer(RsvpStatus.DECLINED, False, [])
    had_seat = mine is not None and mine.status == RsvpStatus.GOING
    mine = _record(session, event, member, mine, RsvpStatus.DECLINED, now)
    if had_seat:
        _withdraw(mine)
        session.add(mine)
        session.flush()
    promoted = promote(session, event, now) if had_seat else []
    return Answer(RsvpStatus.DECLINED, True, promoted, withdrawn=had_seat)


def accept_offer(session: Session, event: Event, member: Member, now: datetime) -> Answer:
    """A member says yes: a seat offered to them from the waitlist becomes theirs for good.

    The one rule for accepting, called by `event rsvp` and by replies. An offer still open
    is accepted even past its deadline, until `peerkit remind` has passed the seat on.
    Without an open offer, the answer is an ordinary yes: a seat while there are seats,
    the end of the waitlist after that, nothing new for a member already going or waiting.
    """
    _check_open(event, member, now, going=True)
    mine = answer_of(session, event, member)
    if mine is not None and mine.status == RsvpStatus.GOING:
        if mine.offer_until is None:
            return Answer(RsvpStatus.GOING, False, [])
        mine.offer_until = None
        mine.answered_at = now
        session.add(mine)
        session.flush()
        return Answer(RsvpStatus.GOING, True, [], accepted=True)
    if mine is not None and mine.status == RsvpStatus.WAITLIST:
        return Answer(RsvpStatus.WAITLIST, False, [])
    status = RsvpStatus.GOING if _has_seat(session, event) else RsvpStatus.WAITLIST
    mine = _record(session, event, member, mine, status, now)
    if status == RsvpStatus.GOING:
        _seat(mine, offer_until=None)
        session.add(mine)
        session.flush()
    return Answer(status, True, [])


def _check_open(event: Event, member: Member, now: datetime, *, going: bool) -> None:
    if member.status == MemberStatus.LEFT or member.forgotten_at is not None:
        raise Conflict(f"{member.describe()} is not active: they left the community.")
    if event.status == EventStatus.CANCELLED:
        raise Conflict(f"event {event.id} is cancelled.")
    if event.start <= now:
        raise Conflict(f"event {event.id} has already started; answers are closed.")
    if going and member.status_on(now.date()) != MemberStatus.ACTIVE:
        raise Conflict(f"{member.describe()} is not active.")


def answer_of(session: Session, event: Event, member: Member) -> Rsvp | None:
    """The member's answer to the event, if they gave one."""
    return session.exec(
        select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.member_id == member.id)
    ).first()


def _record(
    session: Session,
    event: Event,
    member: Member,
    mine: Rsvp | None,
    status: RsvpStatus,
    now: datetime,
) -> Rsvp:
    """A new answer, at the end of the line (the waitlist is served in this order)."""
    if mine is None:
        mine = Rsvp(event_id=id_of(event), member_id=id_of(member), status=status, position=0)
    mine.status = status
    mine.offer_until = None
    mine.position = _next_position(session, event)
    mine.answered_at = now
    session.add(mine)
    session.flush()
    return mine


def _seat(answer: Rsvp, *, offer_until: datetime | None) -> None:
    """The member has a seat; after a withdrawal, their new invitation is a newer version."""
    answer.status = RsvpStatus.GOING
    answer.offer_until = offer_until
    if answer.revision % 2 == 1:  # odd: their invitation stands withdrawn
        answer.revision += 1


def _withdraw(answer: Rsvp) -> None:
    """Their invitation is withdrawn: the cancellation is a newer version than it."""
    if answer.revision % 2 == 0:
        answer.revision += 1


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


def promote(session: Session, event: Event, now: datetime) -> list[int]:
    """Give free seats to the waitlist, first come first served; returns who got one.

    With the event's `claim_hours`, each seat is an offer to accept by a deadline."""
    promoted: list[int] = []
    if event.status != EventStatus.PLANNED or event.start <= now:
        return promoted
    waiting = session.exec(
        select(Rsvp, Member)
        .join(Member, col(Member.id) == Rsvp.member_id)
        .where(Rsvp.event_id == event.id, Rsvp.status == RsvpStatus.WAITLIST)
        .order_by(col(Rsvp.position), col(Rsvp.id))
    ).all()
    until = now + timedelta(hours=event.claim_hours) if event.claim_hours else None
    for answer, member in waiting:
        if not _has_seat(session, event):
            break
        if member.status_on(now.date()) != MemberStatus.ACTIVE:
            continue  # paused or gone: they keep their place, the seat goes on
        _seat(answer, offer_until=until)
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
        answer.offer_until = None
        session.add(answer)
        session.flush()
        if had_seat:
            promoted = promote(session, event, now)
            if promoted:
                moved.append((event, promoted))
    return moved


# --- offers with a deadline -------------------------------------------------------------


def offer_deadline(event: Event, answer: Rsvp) -> datetime | None:
    """When an open offer lapses (never after the event starts); None: no open offer."""
    if answer.status != RsvpStatus.GOING or answer.offer_until is None:
        return None
    return min(answer.offer_until, event.start)


@dataclass(frozen=True)
class Lapsed:
    """An offer not accepted in time: the member lost the seat, and who was offered it."""

    event: Event
    member: Member
    promoted: list[int] = field(default_factory=list)


def lapsed_offers(session: Session, now: datetime) -> list[tuple[Rsvp, Event, Member]]:
    """Open offers whose deadline has passed, at events still to come (in order)."""
    rows = session.exec(
        select(Rsvp, Event, Member)
        .join(Event, col(Event.id) == Rsvp.event_id)
        .join(Member, col(Member.id) == Rsvp.member_id)
        .where(
            Rsvp.status == RsvpStatus.GOING,
            col(Rsvp.offer_until).is_not(None),
            col(Rsvp.offer_until) <= now,
            Event.status == EventStatus.PLANNED,
            col(Event.start) > now,
        )
        .order_by(col(Event.start), col(Event.id), col(Rsvp.position), col(Rsvp.id))
    ).all()
    return [
        (answer, event, member)
        for answer, event, member in rows
        if (until := offer_deadline(event, answer)) is not None and until <= now
    ]


def expire_offers(session: Session, now: datetime) -> list[Lapsed]:
    """Offers not accepted by their deadline lapse: the member is off the list (their
    invitation withdrawn), and the seat is offered to the next on the waitlist.

    Run by `peerkit remind` (and by `replies fetch`); a second run changes nothing more."""
    found: list[Lapsed] = []
    for answer, event, member in lapsed_offers(session, now):
        answer.status = RsvpStatus.DECLINED  # offer_until is kept: the offer lapsed
        _withdraw(answer)
        session.add(answer)
        session.flush()
        found.append(Lapsed(event, member, promote(session, event, now)))
    return found


# --- editing and cancelling -------------------------------------------------------------


@dataclass(frozen=True)
class Changes:
    """`event edit`: what to change (None: keep it; "" clears a location or description,
    0 clears the capacity or the claim hours)."""

    title: str | None = None
    start: str | None = None  # local "YYYY-MM-DD HH:MM"
    timezone: str | None = None
    duration: int | None = None
    location: str | None = None
    capacity: int | None = None
    description: str | None = None
    claim_hours: int | None = None


# What the invitations say: a change to any of these is a new version (SEQUENCE + 1).
VERSIONED = ("title", "start", "timezone", "duration", "location", "description")


@dataclass
class Edited:
    changed: list[str]  # the fields changed, by name
    new_version: bool  # the invitations say something new: everyone with a seat is told
    promoted: list[int]  # members given a seat by a higher capacity


def edit(session: Session, event: Event, changes: Changes, now: datetime) -> Edited:
    """Change an event to come. A lower capacity than the seats taken is refused: nobody
    loses a seat they were given; a higher one gives the new seats to the waitlist."""
    if event.status == EventStatus.CANCELLED:
        raise Conflict(f"event {event.id} is cancelled; a cancelled event cannot be edited.")
    if event.start <= now:
        raise Conflict(f"event {event.id} has already started; it cannot be edited.")
    new = _new_values(event, changes)
    if "start" in new and new["start"] <= now:
        when = local_start_of(new["start"], event).strftime("%Y-%m-%d %H:%M")
        raise InvalidValue(f"--start {when}: that time has passed.")
    if "capacity" in new and new["capacity"] is not None:
        going = counts(session, event)["going"]
        if new["capacity"] < going:
            raise Conflict(
                f"--capacity {new['capacity']}: {going} members have a seat at event {event.id}, "
                "and peerkit takes no seat back. Keep the capacity at "
                f"{going} or more, or free seats first (peerkit event rsvp {event.id} REF --no)."
            )
    changed = [name for name, value in new.items() if getattr(event, name) != value]
    for name in changed:
        setattr(event, name, new[name])
    if "claim_hours" in changed and event.claim_hours is None:
        _close_offers(session, event)  # no deadline any more: the offered seats are theirs
    new_version = any(name in VERSIONED for name in changed)
    if new_version:
        event.sequence += 1
        event.updated_at = _later(event.updated_at, utcnow())
    session.add(event)
    session.flush()
    promoted = promote(session, event, now) if "capacity" in changed else []
    return Edited(changed, new_version, promoted)


def _new_values(event: Event, changes: Changes) -> dict[str, Any]:
    """The fields CHANGES gives, checked, as they would be stored."""
    new: dict[str, Any] = {}
    if changes.title is not None:
        new["title"] = validate.name(changes.title)
    zone = event.timezone
    if changes.timezone is not None:
        zone = validate.timezone(changes.timezone)
        new["timezone"] = zone
    if changes.start is not None:
        new["start"] = schedule.parse_local(changes.start, zone)
    elif zone != event.timezone:  # the same wall-clock time, in the new zone
        shown = local_start(event).strftime("%Y-%m-%d %H:%M")
        new["start"] = schedule.parse_local(shown, zone)
    if changes.duration is not None:
        _check_duration(changes.duration)
        new["duration"] = changes.duration
    if changes.location is not None:
        new["location"] = validate.optional_line(changes.location, "the location")
    if changes.capacity is not None:
        if not 0 <= changes.capacity <= MAX_CAPACITY:
            raise InvalidValue(
                f"--capacity {changes.capacity}: use a number from 1, or 0 for no limit."
            )
        new["capacity"] = changes.capacity or None
    if changes.description is not None:
        new["description"] = description(changes.description)
    if changes.claim_hours is not None:
        new["claim_hours"] = _claim_hours(changes.claim_hours, clears=True)
    return new


def _close_offers(session: Session, event: Event) -> None:
    open_offers = session.exec(
        select(Rsvp).where(
            Rsvp.event_id == event.id,
            Rsvp.status == RsvpStatus.GOING,
            col(Rsvp.offer_until).is_not(None),
        )
    )
    for answer in open_offers:
        answer.offer_until = None
        session.add(answer)


def _later(previous: datetime, now: datetime) -> datetime:
    """NOW, but at least a second after PREVIOUS, so that the new version's DTSTAMP (written
    to the second) is later too (as services/groups/meetings.py `later`)."""
    return max(now, previous.replace(microsecond=0) + timedelta(seconds=1))


def cancel(session: Session, event: Event, reason: str | None, now: datetime) -> bool:
    """Cancel an event to come: a new version with STATUS:CANCELLED for everyone who has a
    seat. The answers are kept, as history; nothing more is answered, moved or reminded.
    Returns False when it was cancelled already (nothing changes)."""
    if event.status == EventStatus.CANCELLED:
        return False
    if event.start <= now:
        raise Conflict(f"event {event.id} has already started; it cannot be cancelled.")
    if reason is not None:
        text = validate.single_line(reason, "the reason", max_len=MAX_REASON, required=False)
        event.cancel_reason = text or None
    event.status = EventStatus.CANCELLED
    event.sequence += 1
    event.updated_at = _later(event.updated_at, utcnow())
    session.add(event)
    session.flush()
    return True


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


def seated(session: Session, event: Event) -> list[tuple[Member, Rsvp]]:
    """Everyone with a seat (an offer still open included), with their answer, in order."""
    rows = session.exec(
        select(Member, Rsvp)
        .join(Rsvp, col(Rsvp.member_id) == Member.id)
        .where(Rsvp.event_id == event.id, Rsvp.status == RsvpStatus.GOING)
        .order_by(col(Rsvp.position), col(Rsvp.id))
    )
    return [(m, r) for m, r in rows]


def going_to(session: Session, member_id: int) -> list[Event]:
    rows = session.exec(
        select(Event)
        .join(Rsvp, col(Rsvp.event_id) == Event.id)
        .where(Rsvp.member_id == member_id, Rsvp.status == RsvpStatus.GOING)
        .order_by(col(Event.start))
    )
    return list(rows)
