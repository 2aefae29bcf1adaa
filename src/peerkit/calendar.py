"""Meetings as iCalendar objects: built with icalendar, never with templates.

A meeting is one VEVENT with a UID that never changes, DTSTART/DTEND in the meeting's
own zone (with its VTIMEZONE), SEQUENCE raised by every change and DTSTAMP taken from
the last change, so exporting twice gives the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from icalendar import Alarm, Calendar, Event, vCalAddress, vText

from peerkit import __version__
from peerkit.models import Meeting

PRODID = f"-//peerkit//peerkit {__version__}//EN"


@dataclass(frozen=True)
class Person:
    name: str
    email: str | None


def _address(person: Person, **params: str) -> vCalAddress | None:
    if not person.email:
        return None
    address = vCalAddress(f"mailto:{person.email}")
    address.params["CN"] = vText(person.name)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def event(
    meeting: Meeting,
    summary: str,
    *,
    description: str | None = None,
    organiser: Person | None = None,
    attendees: list[Person] | None = None,
    local_start: Any,
) -> Event:
    """One meeting as a VEVENT (local_start: the aware start in the meeting's zone)."""
    ev = Event()
    ev.add("uid", meeting.uid)
    ev.add("dtstamp", meeting.updated_at)
    ev.add("sequence", meeting.sequence)
    ev.add("summary", summary)
    ev.add("dtstart", local_start)
    ev.add("dtend", local_start + timedelta(minutes=meeting.duration))
    ev.add("status", "CANCELLED" if meeting.status == "cancelled" else "CONFIRMED")
    if meeting.location:
        is_url = meeting.location.startswith(("https://", "http://"))
        ev.add("url" if is_url else "location", meeting.location)
        if is_url:
            ev.add("location", meeting.location)
    if description:
        ev.add("description", description)
    if organiser is not None and (org := _address(organiser)) is not None:
        ev.add("organizer", org)
    for person in attendees or []:
        attendee = _address(
            person,
            ROLE="REQ-PARTICIPANT",
            PARTSTAT="NEEDS-ACTION",
            RSVP="TRUE",
            CUTYPE="INDIVIDUAL",
        )
        if attendee is not None:
            ev.add("attendee", attendee)
    if meeting.status != "cancelled":
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", timedelta(minutes=-30))
        ev.add_component(alarm)
    return ev


def calendar(events: list[Event], method: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    for ev in events:
        cal.add_component(ev)
    cal.add_missing_timezones()
    return cal


def to_bytes(cal: Calendar) -> bytes:
    return bytes(cal.to_ical())
