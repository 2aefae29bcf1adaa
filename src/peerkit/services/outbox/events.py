"""Event invitations and reminders, and `event rsvp`: an answer, then the invitations it frees.

A member who gets a seat (by answering, or by moving up from the waitlist) gets an iMIP
REQUEST; members going get a plain reminder shortly before. Each is sent once per SEQUENCE.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from peerkit import calendar as ical
from peerkit import mail, render
from peerkit.enums import MemberStatus, RsvpStatus
from peerkit.errors import Conflict
from peerkit.i18n import N_, format_when, gettext_for
from peerkit.models import Event, Member, id_of
from peerkit.services.events import notices, seats
from peerkit.services.members import profiles
from peerkit.services.members.leaving import MovedUp
from peerkit.services.outbox import ledger
from peerkit.services.outbox.delivery import Opener, Sent, Written, check_folder, send, write
from peerkit.services.outbox.message import (
    EVENT,
    Key,
    Message,
    Sender,
    build,
    organiser,
    recipient,
    require_organiser,
)

SUBJECT = N_("Invitation: %(event)s, %(when)s")
REMINDER_SUBJECT = N_("Reminder: %(event)s, %(when)s")


def _context(event: Event, member: Member, sender: Sender, reminder: bool) -> dict[str, Any]:
    locale = member.locale or "en"
    when = format_when(seats.local_start(event, member.timezone), locale)
    return {
        "recipient": {"name": member.name, "locale": locale,
                      "timezone": member.timezone, "when": when},
        "event": {"title": event.title, "kind": event.kind},
        "location": event.location,
        "reminder": reminder,
        "organiser": {"name": sender.name, "email": sender.email},
    }  # fmt: skip


def _subject(template: str, event: Event, context: dict[str, Any]) -> str:
    person = context["recipient"]
    text: str = gettext_for(person["locale"]).gettext(template)
    return text % {"event": event.title, "when": person["when"]}


def invitation(session: Session, event: Event, member: Member) -> Message:
    """An iMIP REQUEST for one member who has a seat."""
    sender = require_organiser(session)
    if not member.email:
        raise Conflict(f"{profiles.describe(member)} has no e-mail address.")
    context = _context(event, member, sender, reminder=False)
    locale = context["recipient"]["locale"]
    text = render.render("event.txt.j2", context, locale)
    ev = notices.vevent(session, event, attendee=member, description=text)
    email = mail.invitation(
        sender=sender.address(),
        recipient=recipient(member),
        subject=_subject(SUBJECT, event, context),
        text=text,
        html=render.render("event.html.j2", context, locale),
        ics=ical.to_bytes(ical.calendar([ev], method="REQUEST")),
        method="REQUEST",
        sent=event.updated_at,
        mid=mail.message_id(event.uid, "REQUEST", str(event.sequence), member.email),
    )
    key = Key(EVENT, id_of(event), "event", event.sequence)
    return build(key, f"event-{event.id}", member, sender, email)


def invitations(session: Session, event: Event, member_ids: list[int]) -> list[Message]:
    """Invitations for members just given a seat: those with an address, if there is an
    organiser to send them (the seats are theirs either way)."""
    if organiser(session) is None:
        return []
    people = [session.get(Member, i) for i in member_ids]
    return [invitation(session, event, p) for p in people if p is not None and p.email]


def for_moved_up(session: Session, moved_up: list[MovedUp]) -> list[Message]:
    """An invitation for each member who moved up when someone left (see members.leaving),
    for those with an address, if there is an organiser to send them."""
    if organiser(session) is None:
        return []
    return [invitation(session, m.event, m.member) for m in moved_up if m.member.email]


def reminders(session: Session, event: Event, today: date) -> list[Message]:
    """A plain reminder for each active member going (none without an organiser)."""
    sender = organiser(session)
    if sender is None:
        return []
    return [
        _reminder(event, member, sender)
        for member in seats.attendees(session, event)
        # paused or gone: no reminder, as for meetings
        if member.email and profiles.effective_status(member, today) == MemberStatus.ACTIVE
    ]


def _reminder(event: Event, member: Member, sender: Sender) -> Message:
    assert member.email is not None
    context = _context(event, member, sender, reminder=True)
    locale = context["recipient"]["locale"]
    email = mail.plain(
        sender=sender.address(),
        recipient=recipient(member),
        subject=_subject(REMINDER_SUBJECT, event, context),
        text=render.render("event.txt.j2", context, locale),
        sent=event.updated_at,
        mid=mail.message_id(event.uid, "reminder", str(event.sequence), member.email),
    )
    key = Key(EVENT, id_of(event), "event-reminder", event.sequence)
    return build(key, f"event-reminder-{event.id}", member, sender, email)


# --- event rsvp -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """`event rsvp`: who answers which event, and how."""

    event: str
    member: str
    going: bool
    now: datetime


@dataclass(frozen=True)
class Answered:
    """The answer recorded, and who moved up from the waitlist."""

    member: str  # as shown: "Name <address>"
    status: RsvpStatus
    title: str
    promoted: list[str]  # as shown


def answer(
    open_db: Opener,
    reply: Reply,
    folder: Path,
    target: mail.SmtpTarget | None,
) -> Iterator[Answered | Written | Sent]:
    """Record the answer; invite whoever got a seat (written, and sent with a server)."""
    check_folder(folder)
    db = open_db()
    with db.write() as session:
        found = seats.resolve(session, reply.event)
        person = profiles.resolve(session, reply.member)
        result = seats.rsvp(session, found, person, reply.going, reply.now)
        seated = [id_of(person)] if result.status == RsvpStatus.GOING and result.changed else []
        messages = _seat_invitations(session, found, [*seated, *result.promoted])
        pending = ledger.unsent(session, messages)
        promoted = [_describe(session, i) for i in result.promoted]
        answered = Answered(profiles.describe(person), result.status, found.title, promoted)
    yield answered
    yield Written(id_of(found), folder, write(folder, messages), len(messages))
    if target is not None and pending:
        yield send(db, target, pending, about=EVENT)


def _seat_invitations(session: Session, event: Event, member_ids: list[int]) -> list[Message]:
    people = [session.get(Member, i) for i in member_ids]
    return [invitation(session, event, p) for p in people if p is not None and p.email]


def _describe(session: Session, member_id: int) -> str:
    member = session.get(Member, member_id)
    assert member is not None
    return profiles.describe(member)
