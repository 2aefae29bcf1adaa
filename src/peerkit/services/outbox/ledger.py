"""What was delivered: the one place that decides whether a message was sent already.

A message counts as delivered when the server accepted it for that member, that kind and
that SEQUENCE: a re-run sends nothing twice, while a change (a higher SEQUENCE) is sent
again. Meetings keep a `Delivery` row per message; check-ins and event answers keep the
SEQUENCE last sent to each member.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlmodel import Session, col, select

from peerkit.enums import DeliveryKind
from peerkit.models import Delivery, MentorCheckin, Mentorship, Rsvp, id_of
from peerkit.services.outbox.message import CHECKIN, EVENT, MEETING, Message

# (about, about id, member id, kind, sequence)
Stamp = tuple[str, int, int, str, int]

CHECKIN_KINDS = ("checkin", "cancel")
EVENT_FIELDS = {"event": "invited_sequence", "event-reminder": "reminded_sequence"}


def stamp(message: Message) -> Stamp:
    key = message.key
    return (key.about, key.about_id, message.member_id, key.kind, key.sequence)


def unsent(session: Session, messages: list[Message]) -> list[Message]:
    """The messages not delivered yet, in their order."""
    done = delivered(session, messages)
    return [m for m in messages if stamp(m) not in done]


def delivered(session: Session, messages: list[Message]) -> set[Stamp]:
    """What was delivered of what these messages are about (one query per kind of subject)."""
    done: set[Stamp] = set()
    for about, read in READERS.items():
        ids = {m.key.about_id for m in messages if m.key.about == about}
        if ids:
            done |= read(session, ids)
    return done


def _meetings(session: Session, ids: set[int]) -> set[Stamp]:
    rows = session.exec(select(Delivery).where(col(Delivery.meeting_id).in_(ids)))
    return {(MEETING, d.meeting_id, d.member_id, d.kind, d.sequence) for d in rows}


def _checkins(session: Session, ids: set[int]) -> set[Stamp]:
    rows = session.exec(
        select(MentorCheckin, Mentorship)
        .join(Mentorship, col(Mentorship.id) == MentorCheckin.mentorship_id)
        .where(col(MentorCheckin.id).in_(ids))
    )
    done: set[Stamp] = set()
    for checkin, item in rows:
        for member_id, sent in ((item.mentor_id, checkin.mentor_sent),
                                (item.mentee_id, checkin.mentee_sent)):  # fmt: skip
            if sent is not None:
                done |= {(CHECKIN, id_of(checkin), member_id, k, sent) for k in CHECKIN_KINDS}
    return done


def _events(session: Session, ids: set[int]) -> set[Stamp]:
    done: set[Stamp] = set()
    for answer in session.exec(select(Rsvp).where(col(Rsvp.event_id).in_(ids))):
        for kind, field in EVENT_FIELDS.items():
            sent = getattr(answer, field)
            if sent is not None:
                done.add((EVENT, answer.event_id, answer.member_id, kind, sent))
    return done


READERS: dict[str, Callable[[Session, set[int]], set[Stamp]]] = {
    MEETING: _meetings,
    CHECKIN: _checkins,
    EVENT: _events,
}


def record(session: Session, accepted: Iterable[Message]) -> None:
    """Remember what the server accepted, so that it is never sent again."""
    for message in accepted:
        RECORDERS[message.key.about](session, message)


def _record_meeting(session: Session, message: Message) -> None:
    key = message.key
    session.add(
        Delivery(
            meeting_id=key.about_id,
            member_id=message.member_id,
            kind=DeliveryKind(key.kind),
            sequence=key.sequence,
        )
    )


def _record_checkin(session: Session, message: Message) -> None:
    checkin = session.get(MentorCheckin, message.key.about_id)
    assert checkin is not None
    item = session.get(Mentorship, checkin.mentorship_id)
    assert item is not None
    if message.member_id == item.mentor_id:
        checkin.mentor_sent = message.key.sequence
    if message.member_id == item.mentee_id:
        checkin.mentee_sent = message.key.sequence
    session.add(checkin)


def _record_event(session: Session, message: Message) -> None:
    key = message.key
    answer = session.exec(
        select(Rsvp).where(Rsvp.event_id == key.about_id, Rsvp.member_id == message.member_id)
    ).first()
    if answer is not None:
        setattr(answer, EVENT_FIELDS[key.kind], key.sequence)
        session.add(answer)


RECORDERS: dict[str, Callable[[Session, Message], None]] = {
    MEETING: _record_meeting,
    CHECKIN: _record_checkin,
    EVENT: _record_event,
}


def invited_to(session: Session, meeting_id: int) -> set[int]:
    """The members ever sent an invitation to this meeting (whatever its SEQUENCE)."""
    rows = session.exec(
        select(Delivery.member_id).where(
            Delivery.meeting_id == meeting_id, Delivery.kind == DeliveryKind.INVITE
        )
    )
    return set(rows)
