"""Reminders shortly before a meeting or an event: one per member, in their language.

`remind` writes the reminders not sent yet for everything starting within the window, and
with a mail server sends them; each member is reminded once per meeting (or event version).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from peerkit import mail, render
from peerkit.enums import AnswerAbout, AnswerKind
from peerkit.errors import InvalidValue
from peerkit.i18n import gettext_for
from peerkit.models import Answer, Group, Meeting, Member, id_of
from peerkit.services.common import schedule
from peerkit.services.events import notices
from peerkit.services.groups import agenda as agenda_svc
from peerkit.services.outbox import events, ledger, meeting_mail
from peerkit.services.outbox.delivery import Held, Place, Sent, Written, held_back, send, write
from peerkit.services.outbox.message import (
    EVENT,
    MEETING,
    Key,
    Message,
    Sender,
    build,
    organiser,
    recipient,
)

if TYPE_CHECKING:
    from peerkit.db import Database

MAX_HOURS = 24 * 14


def check_hours(hours: float) -> None:
    """A window of some hours, up to two weeks."""
    if not 0 < hours <= MAX_HOURS:
        raise InvalidValue(f"--within is in hours, between 0 and {MAX_HOURS}.")


def due(session: Session, now: datetime, hours: float) -> list[Meeting]:
    """Planned meetings starting from now to now + hours."""
    return list(
        session.exec(
            select(Meeting)
            .where(
                Meeting.status == "planned",
                col(Meeting.start) >= now,
                col(Meeting.start) <= now + timedelta(hours=hours),
            )
            .order_by(col(Meeting.start), col(Meeting.id))
        )
    )


def prepare(session: Session, meeting: Meeting) -> list[Message]:
    """A reminder for each member invited who has not said they are not coming; none
    without an organiser to send them."""
    sender = organiser(session)
    if sender is None:
        return []
    group = session.get(Group, meeting.group_id)
    assert group is not None
    data = agenda_svc.build(session, meeting)
    declined = set(
        session.exec(
            select(Answer.member_id).where(
                Answer.about == AnswerAbout.MEETING,
                Answer.about_id == meeting.id,
                Answer.answer == AnswerKind.DECLINED,
            )
        )
    )
    return [
        _reminder(meeting, data, member, sender)
        for member in meeting_mail.invitees(session, group, meeting.slot_date)
        if member.id not in declined
    ]


def _reminder(meeting: Meeting, data: agenda_svc.Agenda, member: Member, sender: Sender) -> Message:
    person = meeting_mail.recipient_context(meeting, data, member)
    locale = person["locale"]
    context: dict[str, Any] = {
        **data,
        "recipient": person,
        "organiser": {"name": sender.name, "email": sender.email},
    }
    _ = gettext_for(locale).gettext
    subject = _("Reminder: %(group)s, %(when)s") % {
        "group": data["group"]["name"],
        "when": person["when"],
    }
    email = mail.plain(
        sender=sender.address(),
        recipient=recipient(member),
        subject=subject,
        text=render.render("reminder.txt.j2", context, locale),
        sent=meeting.updated_at,
        mid=mail.message_id(meeting.uid, "reminder", str(member.id)),
    )
    return build(Key(MEETING, id_of(meeting), "reminder", 0), "reminder", member, sender, email)


@dataclass(frozen=True)
class Window:
    """What `remind` looks at: from `now` to `hours` later, `today` for who is active."""

    now: datetime
    today: date
    hours: float


@dataclass(frozen=True)
class Reminded:
    """The reminders written (or that would be) for the meetings and events in the window."""

    count: int
    meetings: int
    events: int


@dataclass
class _Batch:
    about: str
    pending: list[Message]
    prepared: int


def remind(
    db: Database, window: Window, place: Place, dry_run: bool, target: mail.SmtpTarget | None
) -> Iterator[Written | Reminded | Sent]:
    """Write the reminders not sent yet; with a server, send them."""
    root = place.folder()
    batches: list[_Batch] = []
    with db.read() as session:
        for meeting in due(session, window.now, window.hours):
            folder = _meeting_folder(session, meeting, root)
            batch = _batch(session, MEETING, prepare(session, meeting))
            yield Written(
                id_of(meeting), folder, write(folder, batch.pending, dry_run), batch.prepared
            )
            batches.append(batch)
        for event in notices.due(session, window.now, window.hours):
            folder = root / "events" / f"event-{event.id}"
            batch = _batch(session, EVENT, events.reminders(session, event, window.today))
            yield Written(
                id_of(event), folder, write(folder, batch.pending, dry_run), batch.prepared
            )
            batches.append(batch)
    count = sum(len(b.pending) for b in batches)
    meetings = sum(1 for b in batches if b.about == MEETING)
    yield Reminded(count, meetings, len(batches) - meetings)
    held: list[Held] = []  # messages that fail their check: named after the others went
    for batch in batches if target is not None else []:
        assert target is not None
        if batch.about == MEETING or batch.pending:
            skipped = batch.prepared - len(batch.pending)
            yield send(db, target, batch.pending, about=batch.about, skipped=skipped, held=held)
    if held:
        raise held_back(held, after=True)


def _batch(session: Session, about: str, prepared: list[Message]) -> _Batch:
    return _Batch(about, ledger.unsent(session, prepared), len(prepared))


def _meeting_folder(session: Session, meeting: Meeting, root: Path) -> Path:
    group = session.get(Group, meeting.group_id)
    assert group is not None
    return root / schedule.week_label(meeting.slot_date) / group.slug
