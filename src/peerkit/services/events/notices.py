"""An event in calendars: its VEVENT, the published feed, and the events due for a reminder.

The messages themselves (invitations and reminders) are built and sent by services/outbox.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import icalendar
from sqlmodel import Session, col, select

from peerkit import calendar as ical
from peerkit.enums import EventStatus
from peerkit.models import Event, Member
from peerkit.services.common import community as community_svc
from peerkit.services.events.seats import local_start


class _Occasion:
    """An event as the calendar builder sees it (SEQUENCE and status as one member's copy)."""

    def __init__(self, event: Event, sequence: int, status: str) -> None:
        self.uid = event.uid
        self.updated_at = event.updated_at
        self.sequence = sequence
        self.duration = event.duration
        self.status = status
        self.location = event.location


def vevent(
    session: Session,
    event: Event,
    attendee: Member | None = None,
    description: str | None = None,
    *,
    revision: int = 0,
    withdrawn: bool = False,
) -> icalendar.Event:
    """The event's VEVENT; for one attendee, at their own version (the event's SEQUENCE
    plus their REVISION). WITHDRAWN: their invitation is taken back while the event goes
    on: asks for no reply and, as RFC 5546 says of removing an attendee, has no STATUS."""
    people = [ical.Person(attendee.name, attendee.email)] if attendee is not None else None
    status = EventStatus.CANCELLED if withdrawn else event.status
    ev = ical.event(
        _Occasion(event, event.sequence + revision, status),
        event.title,
        description=description,
        organiser=community_svc.calendar_organiser(session),
        attendees=people,
        local_start=local_start(event),
    )
    if withdrawn:
        del ev["STATUS"]
    return ev


def ics(session: Session, events: list[Event]) -> bytes:
    """A published feed (no attendee addresses)."""
    items = [vevent(session, e) for e in events]
    return ical.to_bytes(ical.calendar(items, method="PUBLISH"))


def due(session: Session, now: datetime, hours: float) -> list[Event]:
    """Planned events starting from now to now + hours."""
    query = (
        select(Event)
        .where(
            Event.status == EventStatus.PLANNED,
            col(Event.start) >= now,
            col(Event.start) <= now + timedelta(hours=hours),
        )
        .order_by(col(Event.start), col(Event.id))
    )
    return list(session.exec(query))
