"""Event messages, and what changes seats: `event rsvp`, `edit`, `cancel`, the offer sweep.

Every member with a seat has one calendar message, in `event-<event>-<member>-<name>.eml`:
an iMIP REQUEST when they get a seat (by answering, or from the waitlist, as an offer to
accept by a deadline when the event has `claim_hours`) and when the event changes; a CANCEL
when their invitation is withdrawn (they said no, or their offer lapsed: for them only) or
the event is cancelled. A newer message replaces the file of the older one. Each carries the
member's own version of the event (its SEQUENCE plus their `revision`), and is sent once per
version. Members going get a plain reminder shortly before.

Nothing needs an organiser but sending: without one, answers and changes are recorded and no
message is made (`--send` is refused, before anything changes).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from peerkit import calendar as ical
from peerkit import mail, render
from peerkit.enums import MemberStatus, RsvpStatus
from peerkit.errors import Conflict, PeerkitError
from peerkit.i18n import N_, format_when, gettext_for
from peerkit.models import Event, Member, Rsvp, id_of
from peerkit.services.events import notices, seats
from peerkit.services.members import profiles
from peerkit.services.members.leaving import MovedUp
from peerkit.services.outbox import ledger
from peerkit.services.outbox.delivery import (
    Held,
    Opener,
    Sent,
    Written,
    check_folder,
    send,
    write,
)
from peerkit.services.outbox.message import (
    EVENT,
    NO_ORGANISER,
    Key,
    Message,
    Sender,
    build,
    organiser,
    recipient,
    require_organiser,
)

# What a calendar message tells a member (the template's `notice`).
SEAT = "seat"  # they have a seat
OFFER = "offer"  # a seat from the waitlist, theirs if they accept by a deadline
UPDATE = "update"  # the event changed; they still have their seat
WITHDRAWN = "withdrawn"  # their invitation is taken back: they said no, or the offer lapsed
CANCELLED = "cancelled"  # the event is cancelled
REMINDER = "reminder"  # a plain reminder shortly before

CANCELLING = (WITHDRAWN, CANCELLED)

SUBJECT = N_("Invitation: %(event)s, %(when)s")
REMINDER_SUBJECT = N_("Reminder: %(event)s, %(when)s")
SUBJECTS = {
    SEAT: SUBJECT,
    OFFER: N_("A seat for you: %(event)s, %(when)s"),
    UPDATE: N_("Updated: %(event)s, %(when)s"),
    WITHDRAWN: N_("Seat released: %(event)s, %(when)s"),
    CANCELLED: N_("Cancelled: %(event)s, %(when)s"),
    REMINDER: REMINDER_SUBJECT,
}


def _context(
    event: Event, member: Member, sender: Sender, notice: str, answer: Rsvp | None
) -> dict[str, Any]:
    locale = member.locale or "en"
    when = format_when(seats.local_start(event, member.timezone), locale)
    until = seats.offer_deadline(event, answer) if answer is not None else None
    return {
        "recipient": {"name": member.name, "locale": locale,
                      "timezone": member.timezone, "when": when},
        "event": {"title": event.title, "kind": event.kind, "description": event.description},
        "location": event.location,
        "reminder": notice == REMINDER,
        "notice": notice,
        "offer_until": format_when(until.astimezone(_zone(member)), locale) if until else None,
        "reason": event.cancel_reason if notice == CANCELLED else None,
        "organiser": {"name": sender.name, "email": sender.email},
    }  # fmt: skip


def _zone(member: Member) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(member.timezone)


def _subject(notice: str, event: Event, context: dict[str, Any]) -> str:
    person = context["recipient"]
    text: str = gettext_for(person["locale"]).gettext(SUBJECTS[notice])
    return text % {"event": event.title, "when": person["when"]}


def calendar_message(
    session: Session, event: Event, member: Member, answer: Rsvp, notice: str, sender: Sender
) -> Message:
    """One member's iMIP message about the event, at their own version of it."""
    if not member.email:
        raise Conflict(f"{profiles.describe(member)} has no e-mail address.")
    method = "CANCEL" if notice in CANCELLING else "REQUEST"
    sequence = event.sequence + answer.revision
    context = _context(event, member, sender, notice, answer)
    locale = context["recipient"]["locale"]
    text = render.render("event.txt.j2", context, locale)
    ev = notices.vevent(
        session,
        event,
        attendee=member,
        description=text,
        revision=answer.revision,
        withdrawn=notice == WITHDRAWN,
    )
    email = mail.invitation(
        sender=sender.address(),
        recipient=recipient(member),
        subject=_subject(notice, event, context),
        text=text,
        html=render.render("event.html.j2", context, locale),
        ics=ical.to_bytes(ical.calendar([ev], method=method)),
        method=method,
        sent=event.updated_at,
        mid=mail.message_id(event.uid, method, str(sequence), member.email),
    )
    kind = "event-cancel" if method == "CANCEL" else "event"
    key = Key(EVENT, id_of(event), kind, sequence)
    return build(key, f"event-{event.id}", member, sender, email)


def invitation(session: Session, event: Event, member: Member) -> Message:
    """An iMIP REQUEST for one member who has a seat (an offer, while it is open)."""
    sender = require_organiser(session)
    answer = seats.answer_of(session, event, member)
    if answer is None or answer.status != RsvpStatus.GOING:
        raise Conflict(f"{profiles.describe(member)} has no seat at event {event.id}.")
    return calendar_message(session, event, member, answer, _seat_notice(event, answer), sender)


def _seat_notice(event: Event, answer: Rsvp) -> str:
    return OFFER if seats.offer_deadline(event, answer) is not None else SEAT


# --- who is told what -------------------------------------------------------------------

# (member id, notice)
Tell = tuple[int, str]


def messages(
    session: Session, event: Event, told: Iterable[Tell], *, sending: bool = False
) -> list[Message]:
    """The messages for what members are told, those with an address. Without an organiser
    none is made (and SENDING is refused: nothing can be sent)."""
    wanted = list(told)
    if not wanted:
        return []
    sender = organiser(session)
    if sender is None:
        if sending:
            raise PeerkitError(NO_ORGANISER)
        return []
    made = []
    for member_id, notice in wanted:
        member = session.get(Member, member_id)
        if member is None or not member.email:
            continue
        answer = seats.answer_of(session, event, member)
        if answer is None:
            continue
        if notice == SEAT:
            notice = _seat_notice(event, answer)
        made.append(calendar_message(session, event, member, answer, notice, sender))
    return made


def answer_notices(member: Member, result: seats.Answer) -> list[Tell]:
    """After an answer: a withdrawal for a member who gave up their seat, an invitation for
    one who just got a seat, and for each member the waitlist moved up."""
    told: list[Tell] = []
    if result.withdrawn:
        told.append((id_of(member), WITHDRAWN))
    elif result.status == RsvpStatus.GOING and result.changed and not result.accepted:
        told.append((id_of(member), SEAT))
    return told + [(i, SEAT) for i in result.promoted]


def lapse_notices(lapsed: seats.Lapsed) -> list[Tell]:
    """After an offer lapsed: its withdrawal, and the offer to the next on the waitlist."""
    return [(id_of(lapsed.member), WITHDRAWN), *((i, SEAT) for i in lapsed.promoted)]


def for_moved_up(
    session: Session, moved_up: list[MovedUp], *, sending: bool = False
) -> list[Message]:
    """An invitation for each member who moved up when someone left (see members.leaving),
    for those with an address, if there is an organiser to send them."""
    made: list[Message] = []
    for m in moved_up:
        made += messages(session, m.event, [(id_of(m.member), SEAT)], sending=sending)
    return made


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
    context = _context(event, member, sender, REMINDER, None)
    locale = context["recipient"]["locale"]
    email = mail.plain(
        sender=sender.address(),
        recipient=recipient(member),
        subject=_subject(REMINDER, event, context),
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
    withdrawn: bool = False  # their invitation is withdrawn (a cancellation, for them only)
    accepted: bool = False  # they accepted a seat offered from the waitlist
    offer_until: str | None = None  # the deadline of the offer they have (in the event's zone)
    promoted_until: str | None = None  # the deadline of the offers to those who moved up
    unwritten: bool = False  # members to tell, but no organiser to write from


def answer(
    open_db: Opener,
    reply: Reply,
    folder: Path,
    target: mail.SmtpTarget | None,
) -> Iterator[Answered | Written | Sent]:
    """Record the answer; tell whoever got or gave up a seat (written, and sent with a server)."""
    check_folder(folder)
    db = open_db()
    with db.write() as session:
        found = seats.resolve(session, reply.event)
        person = profiles.resolve(session, reply.member)
        result = seats.rsvp(session, found, person, reply.going, reply.now)
        told = answer_notices(person, result)
        made = messages(session, found, told, sending=target is not None)
        pending = ledger.unsent(session, made)
        answered = Answered(
            profiles.describe(person),
            result.status,
            found.title,
            [_describe(session, i) for i in result.promoted],
            withdrawn=result.withdrawn,
            accepted=result.accepted,
            offer_until=_offer_until(session, found, person),
            promoted_until=_offers_until(session, found, result.promoted),
            unwritten=bool(told) and organiser(session) is None,
        )
    yield answered
    yield Written(id_of(found), folder, write(folder, made), len(made))
    if target is not None and pending:
        yield send(db, target, pending, about=EVENT)


def _offer_until(session: Session, event: Event, member: Member) -> str | None:
    mine = seats.answer_of(session, event, member)
    until = seats.offer_deadline(event, mine) if mine is not None else None
    return seats.local_start_of(until, event).isoformat() if until else None


def _offers_until(session: Session, event: Event, member_ids: list[int]) -> str | None:
    """The deadline of the offers just made (made at once, they share it)."""
    found = [_offer_until(session, event, m) for i in member_ids if (m := session.get(Member, i))]
    return next((until for until in found if until), None)


def _describe(session: Session, member_id: int) -> str:
    member = session.get(Member, member_id)
    assert member is not None
    return profiles.describe(member)


# --- event edit and event cancel ---------------------------------------------------------


@dataclass(frozen=True)
class Changed:
    """What `event edit` or `event cancel` did."""

    event_id: int
    title: str
    changed: list[str]  # the fields changed (edit); ["status"] for a cancellation
    told: int  # members told (an update, or the cancellation)
    promoted: list[str] = field(default_factory=list)  # as shown
    unwritten: bool = False  # members to tell, but no organiser to write from
    promoted_until: str | None = None  # the deadline of the offers to those who moved up


def edit(
    open_db: Opener,
    ref: str,
    changes: seats.Changes,
    now: datetime,
    folder: Path,
    target: mail.SmtpTarget | None,
) -> Iterator[Changed | Written | Sent]:
    """Change the event; everyone with a seat gets the new version (SEQUENCE + 1) when the
    invitations say something new, and members given a seat by a higher capacity are invited."""
    check_folder(folder)
    db = open_db()
    with db.write() as session:
        event = seats.resolve(session, ref)
        done = seats.edit(session, event, changes, now)
        told: list[Tell] = [(i, SEAT) for i in done.promoted]
        if done.new_version:
            told += [
                (id_of(m), UPDATE)
                for m, _answer in seats.seated(session, event)
                if m.id not in done.promoted
            ]
        made = messages(session, event, told, sending=target is not None)
        pending = ledger.unsent(session, made)
        updates = sum(1 for _i, notice in told if notice == UPDATE)
        result = Changed(
            id_of(event),
            event.title,
            done.changed,
            updates,
            [_describe(session, i) for i in done.promoted],
            unwritten=bool(told) and organiser(session) is None,
            promoted_until=_offers_until(session, event, done.promoted),
        )
    yield result
    yield Written(result.event_id, folder, write(folder, made), len(made))
    if target is not None and pending:
        yield send(db, target, pending, about=EVENT)


def cancel(
    open_db: Opener,
    ref: str,
    reason: str | None,
    now: datetime,
    folder: Path,
    target: mail.SmtpTarget | None,
) -> Iterator[Changed | Written | Sent]:
    """Cancel the event: a CANCEL to everyone with a seat. An event cancelled already has
    its cancellations written again (and sent where they were not yet)."""
    check_folder(folder)
    db = open_db()
    with db.write() as session:
        event = seats.resolve(session, ref)
        changed = seats.cancel(session, event, reason, now)
        told = [(id_of(m), CANCELLED) for m, _answer in seats.seated(session, event)]
        made = messages(session, event, told, sending=target is not None)
        pending = ledger.unsent(session, made)
        result = Changed(
            id_of(event),
            event.title,
            ["status"] if changed else [],
            len(told),
            unwritten=bool(told) and organiser(session) is None,
        )
    yield result
    yield Written(result.event_id, folder, write(folder, made), len(made))
    if target is not None and pending:
        yield send(db, target, pending, about=EVENT)


# --- offers that lapsed: `peerkit remind` (and `replies fetch`) ------------------------------


@dataclass(frozen=True)
class Lapse:
    """An offer that lapsed, as shown: who lost the seat, at which event, who was offered it."""

    event_id: int
    title: str
    member: str
    promoted: list[str]

    def describe(self, dry_run: bool) -> str:
        verb = "would lapse" if dry_run else "lapsed"
        moved = f"; offered to {', '.join(self.promoted)}" if self.promoted else ""
        return f"The seat offered to {self.member} at {self.title} {verb}{moved}."


@dataclass(frozen=True)
class Waiting:
    """Offers past their deadline that a read-only database cannot pass on yet."""

    count: int
    reason: str

    def describe(self) -> str:
        return (
            f"{self.count} seat offer(s) are past their deadline, but the database is "
            f"read-only ({self.reason}): they are passed on by the next run that can write."
        )


def sweep(
    open_db: Opener,
    now: datetime,
    folder: Path,
    target: mail.SmtpTarget | None,
    dry_run: bool = False,
    held: list[Held] | None = None,
) -> Iterator[Lapse | Waiting | Written | Sent]:
    """Offers past their deadline lapse and their seats are offered to the next: the
    withdrawals and the new offers are written (and sent with a server). The database is
    opened for writing only when an offer has lapsed (a read-only one only says so, and
    the reminders go on); a second run finds nothing to do. Messages that fail their check
    are added to HELD (when given) rather than stopping the run."""
    db = open_db()
    with db.read() as session:
        due = len(seats.lapsed_offers(session, now))
    if not due:
        return
    if db.read_only is not None:
        yield Waiting(due, db.read_only.reason)
        return
    check_folder(folder)
    with db.dry_run() if dry_run else db.write() as session:
        shown: list[Lapse] = []
        made: dict[int, list[Message]] = {}
        for lapsed in seats.expire_offers(session, now):
            event_id = id_of(lapsed.event)
            made.setdefault(event_id, []).extend(
                messages(session, lapsed.event, lapse_notices(lapsed))
            )
            promoted = [_describe(session, i) for i in lapsed.promoted]
            who = profiles.describe(lapsed.member)
            shown.append(Lapse(event_id, lapsed.event.title, who, promoted))
        pending = ledger.unsent(session, [m for batch in made.values() for m in batch])
    yield from shown
    for event_id, batch in made.items():
        yield Written(event_id, folder, write(folder, batch, dry_run), len(batch))
    if target is not None and not dry_run and pending:
        yield send(db, target, pending, about=EVENT, held=held)
