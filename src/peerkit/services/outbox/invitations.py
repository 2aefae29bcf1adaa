"""Meeting invitations and cancellations: one iMIP message per attendee, written and sent.

A request goes to every member invited to the meeting; a cancellation (METHOD:CANCEL,
same UID, STATUS:CANCELLED, the raised SEQUENCE) to them and to anyone invited before.
Deliveries are recorded per member, kind and SEQUENCE (see ledger): a re-run sends nothing
twice, while a moved meeting (a higher SEQUENCE) is sent again as an update.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from peerkit import mail
from peerkit.errors import Conflict
from peerkit.models import Group, Meeting, Member, id_of, utcnow
from peerkit.services.common import schedule
from peerkit.services.groups import agenda as agenda_svc
from peerkit.services.groups import meetings, planning, versions
from peerkit.services.outbox import ledger, meeting_mail
from peerkit.services.outbox.delivery import Held, Place, Sent, Written, held_back, send, write
from peerkit.services.outbox.message import MEETING, Message, require_organiser

if TYPE_CHECKING:
    from peerkit.db import Database
    from peerkit.services.outbox.week import GroupPlan


def prepare(
    session: Session, meeting: Meeting, method: str, *, now: datetime | None = None
) -> list[Message]:
    """The messages for a meeting, one per recipient (nothing is sent or written here).

    With NOW (`invite`, in a write transaction), requests that would say something new
    first move the meeting's version on (services/groups/versions.py)."""
    _check_method(meeting, method)
    sender = require_organiser(session)
    group = session.get(Group, meeting.group_id)
    assert group is not None
    assert meeting.id is not None
    people = meeting_mail.invitees(session, group, meeting.slot_date)
    if method == "request" and now is not None:
        said = versions.substance(agenda_svc.facts_of(session, meeting), meeting, people, sender)
        versions.settle(session, [(meeting, said)], now)
    data = agenda_svc.build(session, meeting)
    if method == "cancel":
        people = _with_earlier_invitees(session, meeting, people)
    return meeting_mail.messages(meeting, data, people, sender, method.upper())


def _says_something_new(session: Session, meeting: Meeting) -> bool:
    """Whether the meeting's requests would say something else than its kept hash."""
    sender = require_organiser(session)
    group = session.get(Group, meeting.group_id)
    assert group is not None
    people = meeting_mail.invitees(session, group, meeting.slot_date)
    facts = agenda_svc.facts_of(session, meeting)
    return versions.substance(facts, meeting, people, sender) != meeting.content_hash


def _check_method(meeting: Meeting, method: str) -> None:
    if method == "cancel" and meeting.status != "cancelled":
        raise Conflict(
            f"session {meeting.id} is not cancelled. "
            f"Cancel it first: peerkit session cancel {meeting.id}"
        )
    if method == "request" and meeting.status == "cancelled":
        raise Conflict(
            f"session {meeting.id} is cancelled; send the cancellation: "
            f"peerkit invite {meeting.id} --method cancel"
        )


def _with_earlier_invitees(
    session: Session, meeting: Meeting, people: list[Member]
) -> list[Member]:
    invited = ledger.invited_to(session, id_of(meeting))
    known = {p.id for p in people}
    extra = [
        m
        for m in session.exec(select(Member).where(col(Member.id).in_(invited - known)))
        if m.email
    ]
    return sorted([*people, *extra], key=id_of)


def invite(
    db: Database,
    ref: str,
    method: str,
    place: Place,
    target: mail.SmtpTarget | None,
    now: datetime,
) -> Iterator[Written | Sent]:
    """`invite SESSION`: write every message of the meeting; with a server, send the rest.

    Only for a meeting still to come: nobody can accept (or be told of the cancellation of)
    a meeting that has started.
    """
    with db.read() as session:
        meeting = meetings.resolve(session, ref)
        if meeting.start <= now:
            started = meetings.local_start(meeting).strftime("%Y-%m-%d %H:%M")
            raise Conflict(
                f"session {meeting.id} started at {started}; invitations are for meetings to come."
            )
        lost = method == "request" and planning.roles_lost(session, meeting)
        news = lost or (method == "request" and _says_something_new(session, meeting))
    # A request that says something new moves the version on: then (only then) a write. A
    # role held by someone who cannot come is passed on first, as `plan week` would.
    with db.write() if news else db.read() as session:
        meeting = meetings.resolve(session, ref)
        if lost:
            planning.settle_roles_of(session, meeting)
        prepared = prepare(session, meeting, method, now=utcnow() if news else None)
        group = session.get(Group, meeting.group_id)
        assert group is not None
        folder = place.folder(schedule.week_label(meeting.slot_date), group.slug)
        pending = ledger.unsent(session, prepared) if target is not None else []
    yield Written(id_of(meeting), folder, write(folder, prepared), len(prepared))
    if target is not None:
        yield send(db, target, pending, about=MEETING, skipped=len(prepared) - len(pending))


@dataclass(frozen=True)
class Sending:
    """A group's messages about to be sent (plan week --send)."""

    group: str
    count: int
    method: str


def send_week(
    db: Database, target: mail.SmtpTarget, plans: list[GroupPlan]
) -> Iterator[Sending | Sent]:
    """Send the week's invitations (and cancellations of meetings invited to before); a
    message that fails its check is held back and named after all the others went."""
    held: list[Held] = []
    for plan in plans:
        if plan.session is None or not (plan.invited or plan.status == "cancelled"):
            continue
        with db.read() as session:
            meeting = meetings.resolve(session, plan.session)
            method = "cancel" if meeting.status == "cancelled" else "request"
            if method == "cancel" and not ledger.invited_to(session, plan.session):
                continue
            prepared = prepare(session, meeting, method)
            pending = ledger.unsent(session, prepared)
        yield Sending(plan.group, len(pending), method)
        skipped = len(prepared) - len(pending)
        yield send(db, target, pending, about=MEETING, skipped=skipped, held=held)
    if held:
        raise held_back(held, after=True)
