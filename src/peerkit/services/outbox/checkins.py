"""Check-in invitations and cancellations for mentor and mentee, with the check-in's .ics.

`mentor checkin`, `checkin-cancel` and `end` change the check-ins and build their messages in
one transaction (anything that can fail before the files exist fails before anything is
kept), then write them and, with a server, send what was not sent yet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session

from peerkit import calendar as ical
from peerkit import mail, render
from peerkit.enums import CheckinStatus
from peerkit.i18n import N_, format_when, gettext_for
from peerkit.models import Member, MentorCheckin, Mentorship, id_of
from peerkit.services.common import schedule, validate
from peerkit.services.mentoring import checkins, matching
from peerkit.services.outbox import ledger
from peerkit.services.outbox.delivery import (
    Held,
    Opener,
    Sent,
    Written,
    check_folder,
    held_back,
    send,
    write,
)
from peerkit.services.outbox.message import (
    CHECKIN,
    Key,
    Message,
    Sender,
    build,
    organiser,
    recipient,
    require_organiser,
)

SUBJECTS = {
    "REQUEST": N_("Mentoring check-in: %(mentor)s and %(mentee)s, %(when)s"),
    "CANCEL": N_("Cancelled: mentoring check-in, %(when)s"),
}


def method_of(checkin: MentorCheckin) -> str:
    return "CANCEL" if checkin.status == CheckinStatus.CANCELLED else "REQUEST"


def messages(session: Session, checkin: MentorCheckin) -> list[Message]:
    """One iMIP message each for mentor and mentee (those with an address)."""
    sender = require_organiser(session)
    item = session.get(Mentorship, checkin.mentorship_id)
    assert item is not None
    mentor = session.get(Member, item.mentor_id)
    mentee = session.get(Member, item.mentee_id)
    assert mentor is not None
    assert mentee is not None
    pairs = ((mentor, mentee), (mentee, mentor))
    return [
        _message(session, checkin, _Letter(item, mentor, mentee, person, other), sender)
        for person, other in pairs
        if person.email
    ]


@dataclass(frozen=True)
class _Letter:
    """Who a check-in message is for, and about whom."""

    item: Mentorship
    mentor: Member
    mentee: Member
    person: Member  # the recipient
    other: Member

    def context(self, checkin: MentorCheckin, sender: Sender) -> dict[str, Any]:
        person, locale = self.person, self.person.locale or "en"
        return {
            "recipient": {
                "name": person.name,
                "locale": locale,
                "timezone": person.timezone,
                "when": format_when(checkins.local_start(checkin, person.timezone), locale),
            },
            "other": {"name": self.other.name},
            "topic": self.item.topic,
            "location": checkin.location,
            "status": checkin.status,
            "organiser": {"name": sender.name, "email": sender.email},
        }


def _message(session: Session, checkin: MentorCheckin, letter: _Letter, sender: Sender) -> Message:
    person, method = letter.person, method_of(checkin)
    assert person.email is not None
    context = letter.context(checkin, sender)
    locale = context["recipient"]["locale"]
    text = render.render("checkin.txt.j2", context, locale)
    subject = gettext_for(locale).gettext(SUBJECTS[method]) % {
        "mentor": letter.mentor.name,
        "mentee": letter.mentee.name,
        "when": context["recipient"]["when"],
    }
    ev = checkins.event(session, checkin, description=text, to=person)
    email = mail.invitation(
        sender=sender.address(),
        recipient=recipient(person),
        subject=subject,
        text=text,
        html=render.render("checkin.html.j2", context, locale),
        ics=ical.to_bytes(ical.calendar([ev], method=method)),
        method=method,
        sent=checkin.updated_at,
        mid=mail.message_id(checkin.uid, method, str(checkin.sequence), person.email),
    )
    kind = "cancel" if method == "CANCEL" else "checkin"
    key = Key(CHECKIN, id_of(checkin), kind, checkin.sequence)
    return build(key, f"{kind}-{checkin.id}", person, sender, email)


# --- the commands ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Issued:
    """The check-ins whose messages were written (none: nothing to write), and the planned
    check-ins a change cancelled (ending a mentorship)."""

    checkins: list[int]
    cancelled: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class _Bundle:
    checkin_id: int
    ics: bytes
    prepared: list[Message]
    pending: list[Message]


Steps = Iterator[Written | Sent | Issued]
Change = Callable[[Session], Issued]


def issue(open_db: Opener, folder: Path, target: mail.SmtpTarget | None, change: Change) -> Steps:
    """Make the change and build the messages in one transaction, then write and send them.

    Anything that can fail before the files exist (a folder that is a file, no organiser,
    a date calendars cannot hold) fails before anything is kept.
    """
    check_folder(folder)
    db = open_db()
    with db.write() as session:
        issued = change(session)
        bundles = [_bundle(session, i, target is not None) for i in issued.checkins]
    held: list[Held] = []  # messages that fail their check: named after the others went
    for b in bundles:
        paths = write(folder, b.prepared, files=[(f"checkin-{b.checkin_id}.ics", b.ics)])
        yield Written(b.checkin_id, folder, paths, len(b.prepared))
        if target is not None:
            skipped = len(b.prepared) - len(b.pending)
            yield send(db, target, b.pending, about=CHECKIN, skipped=skipped, held=held)
    yield issued
    if held:
        raise held_back(held, after=True)


def _bundle(session: Session, checkin_id: int, sending: bool) -> _Bundle:
    found = checkins.resolve(session, str(checkin_id))
    prepared = messages(session, found)
    pending = ledger.unsent(session, prepared) if sending else []
    return _Bundle(checkin_id, checkins.ics(session, found), prepared, pending)


@dataclass(frozen=True)
class Plan:
    """`mentor checkin`: a local start, in a zone (default: the mentee's)."""

    mentorship: str
    start: str
    timezone: str | None
    duration: int
    location: str | None


def plan(open_db: Opener, request: Plan, folder: Path, target: mail.SmtpTarget | None) -> Steps:
    """Plan the check-in (or find the same one planned before); write and send its messages."""

    def change(session: Session) -> Issued:
        item = matching.resolve(session, request.mentorship)
        mentee = session.get(Member, item.mentee_id)
        zone = validate.timezone(request.timezone or (mentee.timezone if mentee else "UTC"))
        require_organiser(session)
        moment = schedule.parse_local(request.start, zone)
        found = checkins.find_or_plan(session, item, moment, request.duration, request.location)
        return Issued([id_of(found)])

    return issue(open_db, folder, target, change)


def cancel(open_db: Opener, ref: str, folder: Path, target: mail.SmtpTarget | None) -> Steps:
    """Cancel the check-in; a cancelled one has its cancellation written (and sent) again."""

    def change(session: Session) -> Issued:
        found = checkins.resolve(session, ref)
        require_organiser(session)
        if found.status != CheckinStatus.CANCELLED:
            checkins.cancel(session, found)
        return Issued([id_of(found)])

    return issue(open_db, folder, target, change)


def end(
    open_db: Opener, ref: str, today: date, folder: Path, target: mail.SmtpTarget | None
) -> Steps:
    """End the mentorship; its planned check-ins are cancelled and the cancellations issued.

    Without an organiser they cannot be written: only the ending is kept (Issued says so).
    """

    def change(session: Session) -> Issued:
        item = matching.resolve(session, ref)
        if target is not None:
            require_organiser(session)
        ended = matching.end(session, item, today)
        return Issued(ended if organiser(session) is not None else [], ended)

    return issue(open_db, folder, target, change)
