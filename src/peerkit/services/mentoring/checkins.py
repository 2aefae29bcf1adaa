"""Mentorship check-ins: planned like meetings, and their calendar events.

Their invitations and cancellations are built, written and sent by services/outbox.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from sqlmodel import Session, col, select

from peerkit import calendar as ical
from peerkit.enums import CheckinStatus, MemberStatus
from peerkit.errors import Conflict, InvalidValue
from peerkit.models import Member, MentorCheckin, Mentorship, id_of, utcnow
from peerkit.services.common import community as community_svc
from peerkit.services.common import lookup, validate


def plan(
    session: Session,
    item: Mentorship,
    start: datetime,
    duration: int,
    location: str | None,
) -> MentorCheckin:
    """A check-in at an aware local start (its zone is kept for the calendar)."""
    if item.ended is not None:
        raise Conflict(f"mentorship {item.id} ended on {item.ended.isoformat()}.")
    for member_id in (item.mentor_id, item.mentee_id):
        person = session.get(Member, member_id)
        if person is None or person.status == MemberStatus.LEFT:
            raise Conflict(
                f"member #{member_id} has left; end the mentorship: peerkit mentor end {item.id}"
            )
    if not 10 <= duration <= 480:
        raise InvalidValue(f"--duration {duration}: use 10 to 480 minutes.")
    zone = getattr(start.tzinfo, "key", None)
    if zone is None:
        raise InvalidValue("a check-in needs a start in a named time zone.")
    checkin = MentorCheckin(
        mentorship_id=id_of(item),
        start=start,
        timezone=zone,
        duration=duration,
        location=validate.optional_line(location, "the location"),
        uid=f"{uuid.uuid4()}@peerkit",
    )
    session.add(checkin)
    session.flush()
    return checkin


def find_or_plan(
    session: Session,
    item: Mentorship,
    start: datetime,
    duration: int,
    location: str | None,
) -> MentorCheckin:
    """The planned check-in of this mentorship at this instant, or a new one.

    Running the same command twice must not plan (and send) the check-in twice.
    """
    same = session.exec(
        select(MentorCheckin).where(
            MentorCheckin.mentorship_id == item.id,
            MentorCheckin.start == start,
            MentorCheckin.status == CheckinStatus.PLANNED,
        )
    ).first()
    if same is None:
        return plan(session, item, start, duration, location)
    text = validate.optional_line(location, "the location")
    if (same.duration, same.location) != (duration, text):
        same.duration, same.location = duration, text
        same.sequence += 1
        same.updated_at = utcnow()
        session.add(same)
    return same


def resolve(session: Session, ref: str) -> MentorCheckin:
    """A mentoring check-in by id."""
    return lookup.find(session, FINDER, ref)


FINDER = lookup.Finder(MentorCheckin, "check-in", "peerkit mentor checkins")


def cancel(session: Session, checkin: MentorCheckin) -> None:
    if checkin.status == CheckinStatus.CANCELLED:
        raise Conflict(f"check-in {checkin.id} is already cancelled.")
    checkin.status = CheckinStatus.CANCELLED
    checkin.sequence += 1
    checkin.updated_at = utcnow()
    session.add(checkin)


def of_mentorship(session: Session, item: Mentorship) -> list[MentorCheckin]:
    query = (
        select(MentorCheckin)
        .where(MentorCheckin.mentorship_id == item.id)
        .order_by(col(MentorCheckin.start))
    )
    return list(session.exec(query))


def local_start(checkin: MentorCheckin, zone: str | None = None) -> datetime:
    return checkin.start.astimezone(ZoneInfo(zone or checkin.timezone))


def _people(session: Session, checkin: MentorCheckin) -> tuple[Mentorship, Member, Member]:
    item = session.get(Mentorship, checkin.mentorship_id)
    assert item is not None
    mentor = session.get(Member, item.mentor_id)
    mentee = session.get(Member, item.mentee_id)
    assert mentor is not None
    assert mentee is not None
    return item, mentor, mentee


def summary(mentor: Member, mentee: Member) -> str:
    return f"Mentoring: {mentor.name} & {mentee.name}"


def event(
    session: Session,
    checkin: MentorCheckin,
    description: str | None = None,
    to: Member | None = None,
) -> icalendar.Event:
    """The check-in as a VEVENT: organiser the community; attendees mentor and mentee (the
    organiser's copy), or only TO in the invitation sent to TO, so that neither member's
    address is shown to the other (as with meeting invitations)."""
    _item, mentor, mentee = _people(session, checkin)
    people = [to] if to is not None else [mentor, mentee]
    return ical.event(
        checkin,
        summary(mentor, mentee),
        description=description,
        organiser=community_svc.calendar_organiser(session),
        attendees=[ical.Person(p.name, p.email) for p in people],
        local_start=local_start(checkin),
    )


def of_member(session: Session, member_id: int) -> list[MentorCheckin]:
    """Check-ins of the mentorships a member is in (as mentor or mentee)."""
    query = (
        select(MentorCheckin)
        .join(Mentorship, col(Mentorship.id) == MentorCheckin.mentorship_id)
        .where((Mentorship.mentor_id == member_id) | (Mentorship.mentee_id == member_id))
        .order_by(col(MentorCheckin.start))
    )
    return list(session.exec(query))


def feed_event(session: Session, checkin: MentorCheckin) -> icalendar.Event:
    """For a published feed: no attendee addresses."""
    _item, mentor, mentee = _people(session, checkin)
    return ical.event(
        checkin,
        summary(mentor, mentee),
        organiser=community_svc.calendar_organiser(session),
        local_start=local_start(checkin),
    )


def ics(session: Session, checkin: MentorCheckin) -> bytes:
    method = "CANCEL" if checkin.status == CheckinStatus.CANCELLED else "REQUEST"
    return ical.to_bytes(ical.calendar([event(session, checkin)], method=method))


def end_of(checkin: MentorCheckin) -> datetime:
    return checkin.start + timedelta(minutes=checkin.duration)
