"""What was delivered: the one place that decides whether a message was sent already.

A message counts as delivered when the server accepted it for that member, that kind and
that SEQUENCE: a re-run sends nothing twice, while a change (a higher SEQUENCE) is sent
again. Meetings keep a `Delivery` row per message; check-ins and event answers keep the
SEQUENCE last sent to each member.

Two runs at once (two `plan week --send`, a cron job and an organiser) must not both send
a message: a run first *claims* what it will send (:func:`claim`, in its own committed
transaction: an insert that does nothing when the row is there, or an update that changes
only a SEQUENCE not recorded yet, so only one run wins each message), then sends, then
gives back (:func:`release`) the claims of what the server did not accept. A run killed
between its claim and the server's answer leaves that message recorded as sent: at most
once, never twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from peerkit.enums import DeliveryKind
from peerkit.models import Delivery, MentorCheckin, Mentorship, Rsvp, id_of, utcnow
from peerkit.services.outbox.message import CHECKIN, EVENT, MEETING, Message

# (about, about id, member id, kind, sequence)
Stamp = tuple[str, int, int, str, int]

CHECKIN_KINDS = ("checkin", "cancel")
# An event's invitation and its cancellation share a record: the member's version of the
# event last sent to them (each new message to a member is a newer version).
EVENT_FIELDS = {
    "event": "invited_sequence",
    "event-cancel": "invited_sequence",
    "event-reminder": "reminded_sequence",
}


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


# --- claims: who sends what when two runs send at once ----------------------------------


@dataclass(frozen=True)
class Claim:
    """A message this run took to send, and what was recorded before (to give it back)."""

    message: Message
    before: int | None = None


def claim(session: Session, messages: Iterable[Message]) -> list[Claim]:
    """Record each message as delivered unless another run did: the ones won, in order."""
    won = (CLAIMERS[m.key.about](session, m) for m in messages)
    return [c for c in won if c is not None]


def release(session: Session, claims: Iterable[Claim]) -> None:
    """Give back claims whose message the server did not accept (a later run sends it)."""
    for taken in claims:
        RELEASERS[taken.message.key.about](session, taken)


def _claim_meeting(session: Session, message: Message) -> Claim | None:
    key = message.key
    row = {
        "meeting_id": key.about_id,
        "member_id": message.member_id,
        "kind": DeliveryKind(key.kind),
        "sequence": key.sequence,
        "sent_at": utcnow(),
    }
    inserted = session.execute(_insert_if_absent(session, row)).first()
    return Claim(message) if inserted is not None else None


def _insert_if_absent(session: Session, row: dict[str, Any]) -> Any:
    from sqlalchemy.dialects import postgresql, sqlite

    # RETURNING says whether this run inserted the row (another run's row: nothing).
    if session.get_bind().dialect.name == "postgresql":
        pg = postgresql.insert(Delivery).values(**row).on_conflict_do_nothing()
        return pg.returning(col(Delivery.id))
    lite = sqlite.insert(Delivery).values(**row).on_conflict_do_nothing()
    return lite.returning(col(Delivery.id))


def _release_meeting(session: Session, taken: Claim) -> None:
    key, member_id = taken.message.key, taken.message.member_id
    session.execute(
        sa.delete(Delivery).where(
            col(Delivery.meeting_id) == key.about_id,
            col(Delivery.member_id) == member_id,
            col(Delivery.kind) == DeliveryKind(key.kind),
            col(Delivery.sequence) == key.sequence,
        )
    )


def _checkin_field(session: Session, message: Message) -> tuple[Any, int | None]:
    """The column that records what this member was sent, and its value now."""
    checkin = session.get(MentorCheckin, message.key.about_id)
    assert checkin is not None
    item = session.get(Mentorship, checkin.mentorship_id)
    assert item is not None
    if message.member_id == item.mentor_id:
        return MentorCheckin.mentor_sent, checkin.mentor_sent
    return MentorCheckin.mentee_sent, checkin.mentee_sent


def _claim_checkin(session: Session, message: Message) -> Claim | None:
    column, before = _checkin_field(session, message)
    where = col(MentorCheckin.id) == message.key.about_id
    return _claim_field(session, MentorCheckin, where, column, message, before)


def _release_checkin(session: Session, taken: Claim) -> None:
    column, _now = _checkin_field(session, taken.message)
    where = col(MentorCheckin.id) == taken.message.key.about_id
    _release_field(session, MentorCheckin, where, column, taken)


def _event_where(message: Message) -> Any:
    return sa.and_(
        col(Rsvp.event_id) == message.key.about_id, col(Rsvp.member_id) == message.member_id
    )


def _claim_event(session: Session, message: Message) -> Claim | None:
    answer = session.exec(select(Rsvp).where(_event_where(message))).first()
    if answer is None:
        return Claim(message)  # no answer to record it on: sent, as it always was
    field = EVENT_FIELDS[message.key.kind]
    column = getattr(Rsvp, field)
    before = getattr(answer, field)
    return _claim_field(session, Rsvp, _event_where(message), column, message, before)


def _release_event(session: Session, taken: Claim) -> None:
    column = getattr(Rsvp, EVENT_FIELDS[taken.message.key.kind])
    _release_field(session, Rsvp, _event_where(taken.message), column, taken)


def _claim_field(
    session: Session, table: Any, where: Any, column: Any, message: Message, before: int | None
) -> Claim | None:
    """Set the SEQUENCE sent, only where it is not that SEQUENCE yet: one run wins."""
    sequence = message.key.sequence
    not_yet = sa.or_(col(column).is_(None), col(column) != sequence)
    change = sa.update(table).where(where, not_yet).values({column.key: sequence})
    if session.execute(change.returning(table.id)).first() is None:
        return None  # another run recorded it first
    # What the row held before this claim (read before it, it may be stale: the SEQUENCE
    # claimed is not, and only a row still holding it is given back).
    return Claim(message, before if before != sequence else None)


def _release_field(session: Session, table: Any, where: Any, column: Any, taken: Claim) -> None:
    claimed = col(column) == taken.message.key.sequence
    session.execute(sa.update(table).where(where, claimed).values({column.key: taken.before}))


CLAIMERS: dict[str, Callable[[Session, Message], Claim | None]] = {
    MEETING: _claim_meeting,
    CHECKIN: _claim_checkin,
    EVENT: _claim_event,
}
RELEASERS: dict[str, Callable[[Session, Claim], None]] = {
    MEETING: _release_meeting,
    CHECKIN: _release_checkin,
    EVENT: _release_event,
}
