"""Events for the wider community: create them, answer them, a waitlist served in order."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, func, select

from peerkit import calendar as ical
from peerkit import mail, render
from peerkit.errors import Conflict, InvalidValue
from peerkit.i18n import N_, format_when, gettext_for
from peerkit.models import EVENT_KINDS, Event, Member, Rsvp, utcnow
from peerkit.services.common import lookup, validate
from peerkit.services.groups import planning
from peerkit.services.groups.roster import slugify
from peerkit.services.members import profiles as members_svc

SUBJECT = N_("Invitation: %(event)s, %(when)s")
REMINDER_SUBJECT = N_("Reminder: %(event)s, %(when)s")


@dataclass(frozen=True)
class EventFields:
    title: str
    start: datetime  # aware, in the event's zone
    duration: int = 120
    kind: str = "networking"
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
        kind=validate.choice(fields.kind, EVENT_KINDS, "kind"),
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
    return {"going": found.get("going", 0), "waitlist": found.get("waitlist", 0)}


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
    status: str  # going, waitlist, declined
    changed: bool
    promoted: list[int]  # members moved from the waitlist to a seat


def rsvp(session: Session, event: Event, member: Member, going: bool, now: datetime) -> Answer:
    """Record a member's answer; a freed seat goes to the first on the waitlist."""
    if event.status == "cancelled":
        raise Conflict(f"event {event.id} is cancelled.")
    if event.start <= now:
        raise Conflict(f"event {event.id} has already started; answers are closed.")
    if going and members_svc.effective_status(member, now.date()) != "active":
        raise Conflict(f"{members_svc.describe(member)} is not active.")
    mine = session.exec(
        select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.member_id == member.id)
    ).first()
    if going:
        if mine is not None and mine.status in ("going", "waitlist"):
            return Answer(mine.status, False, [])
        status = "going" if _has_seat(session, event) else "waitlist"
    else:
        if mine is not None and mine.status == "declined":
            return Answer("declined", False, [])
        status = "declined"
    freed = mine is not None and mine.status == "going" and status == "declined"
    if mine is None:
        mine = Rsvp(event_id=event.id or 0, member_id=member.id or 0, status=status, position=0)
    mine.status = status
    mine.position = _next_position(session, event)
    mine.answered_at = utcnow()
    session.add(mine)
    session.flush()
    promoted = promote(session, event, now.date()) if freed else []
    return Answer(status, True, promoted)


def _has_seat(session: Session, event: Event) -> bool:
    return event.capacity is None or counts(session, event)["going"] < event.capacity


def _next_position(session: Session, event: Event) -> int:
    top = session.exec(select(func.max(Rsvp.position)).where(Rsvp.event_id == event.id)).one()
    return int(top or 0) + 1


def promote(session: Session, event: Event, today: date) -> list[int]:
    """Give free seats to the waitlist, first come first served; returns who got one."""
    promoted: list[int] = []
    waiting = session.exec(
        select(Rsvp, Member)
        .join(Member, col(Member.id) == Rsvp.member_id)
        .where(Rsvp.event_id == event.id, Rsvp.status == "waitlist")
        .order_by(col(Rsvp.position), col(Rsvp.id))
    ).all()
    for answer, member in waiting:
        if not _has_seat(session, event):
            break
        if members_svc.effective_status(member, today) != "active":
            continue  # paused or gone: they keep their place, the seat goes on
        answer.status = "going"
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
            col(Rsvp.status).in_(["going", "waitlist"]),
            Event.status == "planned",
            col(Event.start) > now,
        )
    ).all()
    for answer, event in answers:
        had_seat = answer.status == "going"
        answer.status = "declined"
        session.add(answer)
        session.flush()
        if had_seat:
            promoted = promote(session, event, now.date())
            if promoted:
                moved.append((event, promoted))
    return moved


def attendees(session: Session, event: Event, status: str = "going") -> list[Member]:
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
        .where(Rsvp.member_id == member_id, Rsvp.status == "going")
        .order_by(col(Event.start))
    )
    return list(rows)


# --- calendar and mail -----------------------------------------------------------------------


class _Occasion:
    """An event as the calendar builder sees it."""

    def __init__(self, event: Event) -> None:
        self.uid = event.uid
        self.updated_at = event.updated_at
        self.sequence = event.sequence
        self.duration = event.duration
        self.status = event.status
        self.location = event.location


def vevent(
    session: Session, event: Event, attendee: Member | None = None, description: str | None = None
) -> Any:
    people = [ical.Person(attendee.name, attendee.email)] if attendee is not None else None
    return ical.event(
        _Occasion(event),
        event.title,
        description=description,
        organiser=planning.organiser(session),
        attendees=people,
        local_start=local_start(event),
    )


def ics(session: Session, events: list[Event]) -> bytes:
    """A published feed (no attendee addresses)."""
    items = [vevent(session, e) for e in events]
    return ical.to_bytes(ical.calendar(items, method="PUBLISH"))


@dataclass
class Message:
    member_id: int
    filename: str
    outgoing: mail.Outgoing


def due(session: Session, now: datetime, hours: float) -> list[Event]:
    """Planned events starting from now to now + hours."""
    query = (
        select(Event)
        .where(
            Event.status == "planned",
            col(Event.start) >= now,
            col(Event.start) <= now + timedelta(hours=hours),
        )
        .order_by(col(Event.start), col(Event.id))
    )
    return list(session.exec(query))


def reminders(session: Session, event: Event, today: date) -> list[Message]:
    """A plain reminder for each member going who was not reminded of this version yet."""
    sender = planning.organiser(session)
    if sender is None or sender.email is None:
        return []
    done = {
        a.member_id
        for a in session.exec(select(Rsvp).where(Rsvp.event_id == event.id))
        if a.reminded_sequence == event.sequence
    }
    out = []
    for member in attendees(session, event):
        if not member.email or member.id in done:
            continue
        if members_svc.effective_status(member, today) != "active":
            continue  # paused or gone: no reminder, as for meetings
        locale = member.locale or "en"
        when = format_when(local_start(event, member.timezone), locale)
        context = _context(event, member, sender, when, reminder=True)
        subject = gettext_for(locale).gettext(REMINDER_SUBJECT) % {
            "event": event.title,
            "when": when,
        }
        msg = mail.plain(
            sender=mail.Address(sender.name, sender.email),
            recipient=mail.Address(member.name, member.email),
            subject=subject,
            text=render.render("event.txt.j2", context, locale),
            sent=event.updated_at,
            mid=mail.message_id(event.uid, "reminder", str(event.sequence), member.email),
        )
        out.append(
            Message(
                member.id or 0,
                f"event-reminder-{event.id}-{member.id}-{slugify(member.name)}.eml",
                mail.Outgoing(msg, sender.email, member.email),
            )
        )
    return out


def mark_reminded(session: Session, event: Event, member_ids: list[int]) -> None:
    for answer in session.exec(
        select(Rsvp).where(Rsvp.event_id == event.id, col(Rsvp.member_id).in_(member_ids))
    ):
        answer.reminded_sequence = event.sequence
        session.add(answer)


def _context(
    event: Event, member: Member, sender: ical.Person, when: str, reminder: bool
) -> dict[str, Any]:
    return {
        "recipient": {"name": member.name, "locale": member.locale or "en",
                      "timezone": member.timezone, "when": when},
        "event": {"title": event.title, "kind": event.kind},
        "location": event.location,
        "reminder": reminder,
        "organiser": {"name": sender.name, "email": sender.email},
    }  # fmt: skip


def invitation(session: Session, event: Event, member: Member) -> Message:
    """An iMIP REQUEST for one member who has a seat."""
    sender = planning.organiser(session)
    if sender is None or sender.email is None:
        raise Conflict(
            "invitations need an organiser: peerkit init --organiser-name NAME "
            "--organiser-email ADDRESS"
        )
    if not member.email:
        raise Conflict(f"{members_svc.describe(member)} has no e-mail address.")
    locale = member.locale or "en"
    when = format_when(local_start(event, member.timezone), locale)
    context = _context(event, member, sender, when, reminder=False)
    text = render.render("event.txt.j2", context, locale)
    subject = gettext_for(locale).gettext(SUBJECT) % {"event": event.title, "when": when}
    ev = vevent(session, event, attendee=member, description=text)
    msg = mail.invitation(
        sender=mail.Address(sender.name, sender.email),
        recipient=mail.Address(member.name, member.email),
        subject=subject,
        text=text,
        html=render.render("event.html.j2", context, locale),
        ics=ical.to_bytes(ical.calendar([ev], method="REQUEST")),
        method="REQUEST",
        sent=event.updated_at,
        mid=mail.message_id(event.uid, "REQUEST", str(event.sequence), member.email),
    )
    return Message(
        member.id or 0,
        f"event-{event.id}-{member.id}-{slugify(member.name)}.eml",
        mail.Outgoing(msg, sender.email, member.email),
    )


def mark_invited(session: Session, event: Event, member_ids: list[int]) -> None:
    for answer in session.exec(
        select(Rsvp).where(Rsvp.event_id == event.id, col(Rsvp.member_id).in_(member_ids))
    ):
        answer.invited_sequence = event.sequence
        session.add(answer)


def was_invited(session: Session, event: Event, member_id: int) -> bool:
    answer = session.exec(
        select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.member_id == member_id)
    ).first()
    return answer is not None and answer.invited_sequence == event.sequence
