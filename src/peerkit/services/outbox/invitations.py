"""`invite SESSION`: one iMIP message per attendee, written as .eml and optionally sent.

A request goes to every member invited to the meeting; a cancellation (METHOD:CANCEL,
same UID, STATUS:CANCELLED, the raised SEQUENCE) to them and to anyone invited before.
Deliveries are recorded per member, kind and SEQUENCE: a re-run sends nothing twice,
while a moved meeting (a higher SEQUENCE) is sent again as an update.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from peerkit import calendar as ical
from peerkit import mail
from peerkit.errors import Conflict, PeerkitError
from peerkit.models import Delivery, Group, Meeting, Member
from peerkit.services.groups import agenda as agenda_svc
from peerkit.services.groups import planning
from peerkit.services.groups.roster import slugify

KINDS = {"request": "invite", "cancel": "cancel"}


@dataclass
class Prepared:
    member_id: int
    filename: str
    outgoing: mail.Outgoing
    kind: str
    sequence: int


def prepare(session: Session, meeting: Meeting, method: str) -> list[Prepared]:
    """The messages for a meeting, one per recipient (nothing is sent or written here)."""
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
    sender = planning.organiser(session)
    if sender is None or sender.email is None:
        raise PeerkitError(
            "invitations need an organiser: peerkit init --organiser-name NAME "
            "--organiser-email ADDRESS"
        )
    group = session.get(Group, meeting.group_id)
    assert group is not None
    assert meeting.id is not None
    data = agenda_svc.build(session, meeting)
    people = planning.invitees(session, group, meeting.slot_date)
    if method == "cancel":
        people = _with_earlier_invitees(session, meeting, people)
    kind = KINDS[method]
    out = []
    for member in people:
        assert member.id is not None
        assert member.email is not None
        message = _message(session, meeting, data, member, sender, method)
        out.append(
            Prepared(
                member_id=member.id,
                filename=f"{kind}-{member.id}-{slugify(member.name)}.eml",
                outgoing=mail.Outgoing(message, sender.email, member.email),
                kind=kind,
                sequence=meeting.sequence,
            )
        )
    return out


def _with_earlier_invitees(
    session: Session, meeting: Meeting, people: list[Member]
) -> list[Member]:
    invited = set(
        session.exec(
            select(Delivery.member_id).where(
                Delivery.meeting_id == meeting.id, Delivery.kind == "invite"
            )
        )
    )
    known = {p.id for p in people}
    extra = [
        m
        for m in session.exec(select(Member).where(col(Member.id).in_(invited - known)))
        if m.email
    ]
    return sorted([*people, *extra], key=lambda m: m.id or 0)


def _message(
    session: Session,
    meeting: Meeting,
    data: agenda_svc.Agenda,
    member: Member,
    sender: ical.Person,
    method: str,
) -> Any:
    return planning.invitation(session, meeting, data, member, sender, method.upper())


def was_invited(session: Session, meeting: Meeting) -> bool:
    found = session.exec(
        select(Delivery).where(Delivery.meeting_id == meeting.id, Delivery.kind == "invite")
    ).first()
    return found is not None


def not_yet_sent(session: Session, meeting: Meeting, prepared: list[Prepared]) -> list[Prepared]:
    done = {
        (d.member_id, d.kind, d.sequence)
        for d in session.exec(select(Delivery).where(Delivery.meeting_id == meeting.id))
    }
    return [p for p in prepared if (p.member_id, p.kind, p.sequence) not in done]


def record(session: Session, meeting_id: int, sent: list[Prepared]) -> None:
    for item in sent:
        session.add(
            Delivery(
                meeting_id=meeting_id,
                member_id=item.member_id,
                kind=item.kind,
                sequence=item.sequence,
            )
        )
