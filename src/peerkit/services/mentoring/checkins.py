"""Mentorship check-ins: planned like meetings, sent as iMIP invitations and .ics files."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from peerkit import calendar as ical
from peerkit import mail, render
from peerkit.errors import Conflict, InvalidValue, PeerkitError
from peerkit.i18n import N_, format_when, gettext_for
from peerkit.models import Member, MentorCheckin, Mentorship, utcnow
from peerkit.services.common import lookup, validate
from peerkit.services.groups import planning
from peerkit.services.groups.roster import slugify

SUBJECTS = {
    "REQUEST": N_("Mentoring check-in: %(mentor)s and %(mentee)s, %(when)s"),
    "CANCEL": N_("Cancelled: mentoring check-in, %(when)s"),
}


@dataclass
class Message:
    member_id: int
    filename: str
    outgoing: mail.Outgoing


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
        if person is None or person.status == "left":
            raise Conflict(
                f"member #{member_id} has left; end the mentorship: peerkit mentor end {item.id}"
            )
    if not 10 <= duration <= 480:
        raise InvalidValue(f"--duration {duration}: use 10 to 480 minutes.")
    zone = getattr(start.tzinfo, "key", None)
    if zone is None:
        raise InvalidValue("a check-in needs a start in a named time zone.")
    checkin = MentorCheckin(
        mentorship_id=item.id or 0,
        start=start,
        timezone=zone,
        duration=duration,
        location=validate.optional_line(location, "the location"),
        uid=f"{uuid.uuid4()}@peerkit",
    )
    session.add(checkin)
    session.flush()
    return checkin


def require_organiser(session: Session) -> None:
    """Invitations come from the organiser: refuse before anything is planned without one."""
    sender = planning.organiser(session)
    if sender is None or sender.email is None:
        raise PeerkitError(
            "invitations need an organiser: peerkit init --organiser-name NAME "
            "--organiser-email ADDRESS"
        )


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
            MentorCheckin.status == "planned",
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
    if checkin.status == "cancelled":
        raise Conflict(f"check-in {checkin.id} is already cancelled.")
    checkin.status = "cancelled"
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


def event(session: Session, checkin: MentorCheckin, description: str | None = None) -> Any:
    """The check-in as a VEVENT: organiser the community, attendees mentor and mentee."""
    _item, mentor, mentee = _people(session, checkin)
    return ical.event(
        checkin,
        summary(mentor, mentee),
        description=description,
        organiser=planning.organiser(session),
        attendees=[ical.Person(p.name, p.email) for p in (mentor, mentee)],
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


def feed_event(session: Session, checkin: MentorCheckin) -> Any:
    """For a published feed: no attendee addresses."""
    _item, mentor, mentee = _people(session, checkin)
    return ical.event(
        checkin,
        summary(mentor, mentee),
        organiser=planning.organiser(session),
        local_start=local_start(checkin),
    )


def ics(session: Session, checkin: MentorCheckin) -> bytes:
    method = "CANCEL" if checkin.status == "cancelled" else "REQUEST"
    return ical.to_bytes(ical.calendar([event(session, checkin)], method=method))


def messages(session: Session, checkin: MentorCheckin) -> list[Message]:
    """One iMIP message each for mentor and mentee (those with an address)."""
    require_organiser(session)
    sender = planning.organiser(session)
    assert sender is not None
    assert sender.email is not None
    item, mentor, mentee = _people(session, checkin)
    method = "CANCEL" if checkin.status == "cancelled" else "REQUEST"
    out = []
    for person, other in ((mentor, mentee), (mentee, mentor)):
        if not person.email:
            continue
        locale = person.locale or "en"
        context: dict[str, Any] = {
            "recipient": {
                "name": person.name,
                "locale": locale,
                "timezone": person.timezone,
                "when": format_when(local_start(checkin, person.timezone), locale),
            },
            "other": {"name": other.name},
            "topic": item.topic,
            "location": checkin.location,
            "status": checkin.status,
            "organiser": {"name": sender.name, "email": sender.email},
        }
        text = render.render("checkin.txt.j2", context, locale)
        _ = gettext_for(locale).gettext
        subject = _(SUBJECTS[method]) % {
            "mentor": mentor.name,
            "mentee": mentee.name,
            "when": context["recipient"]["when"],
        }
        ev = event(session, checkin, description=text)
        msg = mail.invitation(
            sender=mail.Address(sender.name, sender.email),
            recipient=mail.Address(person.name, person.email),
            subject=subject,
            text=text,
            html=render.render("checkin.html.j2", context, locale),
            ics=ical.to_bytes(ical.calendar([ev], method=method)),
            method=method,
            sent=checkin.updated_at,
            mid=mail.message_id(checkin.uid, method, str(checkin.sequence), person.email),
        )
        kind = "cancel" if method == "CANCEL" else "checkin"
        out.append(
            Message(
                member_id=person.id or 0,
                filename=f"{kind}-{checkin.id}-{person.id}-{slugify(person.name)}.eml",
                outgoing=mail.Outgoing(msg, sender.email, person.email),
            )
        )
    return out


def unsent(session: Session, checkin: MentorCheckin, prepared: list[Message]) -> list[Message]:
    """The messages of this SEQUENCE not sent yet to their recipient."""
    item, _mentor, _mentee = _people(session, checkin)
    done = {item.mentor_id: checkin.mentor_sent, item.mentee_id: checkin.mentee_sent}
    return [m for m in prepared if done.get(m.member_id) != checkin.sequence]


def mark_sent(session: Session, checkin: MentorCheckin, member_ids: list[int]) -> None:
    item, _mentor, _mentee = _people(session, checkin)
    if item.mentor_id in member_ids:
        checkin.mentor_sent = checkin.sequence
    if item.mentee_id in member_ids:
        checkin.mentee_sent = checkin.sequence
    session.add(checkin)


def end_of(checkin: MentorCheckin) -> datetime:
    return checkin.start + timedelta(minutes=checkin.duration)
