"""What the community holds: every member, or everything about one member (subject access).

`member_record` is the answer to a subject-access request: the member's row, their history,
and every row of every other table that refers to them. Other people appear as ids only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from peerkit.models import (
    Answer,
    Attendance,
    Commitment,
    Delivery,
    Event,
    Group,
    HotSeat,
    Meeting,
    Member,
    Membership,
    MentorCheckin,
    Mentorship,
    PairRule,
    Rsvp,
)
from peerkit.services.common import changelog
from peerkit.services.members import listing, profiles

Record = dict[str, Any]


def export(session: Session, ref: str | None, today: date) -> Record | Iterator[Record]:
    """`member export [REF]`: one member's record, or every member (as they are read)."""
    return member_record(session, ref, today) if ref else all_members(session, today)


def all_members(session: Session, today: date) -> Iterator[Record]:
    """Every member who has not been forgotten, in id order, read a batch at a time."""
    query = (
        sa.select(*listing.COLUMNS)
        .where(col(Member.forgotten_at).is_(None))
        .order_by(col(Member.id))
    )
    return listing.shown(session, query, today)


def member_record(session: Session, ref: str, today: date) -> Record:
    """A subject-access export: the member and every record that refers to them."""
    member = profiles.resolve(session, ref)
    assert member.id is not None
    record: Record = {
        "member": profiles.to_dict(member, today),
        "left_on": _day(member.left_on),
        "history": profiles.history(session, member),
    }
    for key, part in SECTIONS:
        record[key] = part(session, member.id)
    return record


# --- groups and meetings --------------------------------------------------------------


def _groups(session: Session, member_id: int) -> list[Record]:
    rows = session.exec(
        select(Membership, Group)
        .join(Group, col(Group.id) == Membership.group_id)
        .where(Membership.member_id == member_id)
        .order_by(col(Membership.id))
    )
    return [
        {
            "group": g.slug,
            "role": m.role,
            "joined": m.joined.isoformat(),
            "left_on": _day(m.left_on),
        }
        for m, g in rows
    ]


def _attendance(session: Session, member_id: int) -> list[Record]:
    rows = session.exec(
        select(Attendance).where(Attendance.member_id == member_id).order_by(col(Attendance.id))
    )
    return [{"session": a.meeting_id, "status": a.status} for a in rows]


def _hot_seats(session: Session, member_id: int) -> list[Record]:
    rows = session.exec(
        select(HotSeat).where(HotSeat.member_id == member_id).order_by(col(HotSeat.id))
    )
    return [{"session": h.meeting_id} for h in rows]


def _roles(session: Session, member_id: int) -> list[Record]:
    """The meetings they facilitate or keep time at."""
    rows = session.exec(
        select(Meeting)
        .where(
            (col(Meeting.facilitator_id) == member_id) | (col(Meeting.timekeeper_id) == member_id)
        )
        .order_by(col(Meeting.id))
    )
    return [
        {"session": m.id, "role": role}
        for m in rows
        for role, who in (("facilitator", m.facilitator_id), ("timekeeper", m.timekeeper_id))
        if who == member_id
    ]


def _commitments(session: Session, member_id: int) -> list[Record]:
    rows = session.exec(
        select(Commitment).where(Commitment.member_id == member_id).order_by(col(Commitment.id))
    )
    return [
        {
            "id": c.id,
            "text": c.text,
            "due": _day(c.due),
            "status": c.status,
            "created_at": c.created_at.isoformat(),
            "closed_at": _moment(c.closed_at),
        }
        for c in rows
    ]


# --- mentoring -----------------------------------------------------------------------


def _mentorships_of(session: Session, member_id: int) -> list[Mentorship]:
    return list(
        session.exec(
            select(Mentorship)
            .where(
                (col(Mentorship.mentor_id) == member_id) | (col(Mentorship.mentee_id) == member_id)
            )
            .order_by(col(Mentorship.id))
        )
    )


def _checkins_of(session: Session, member_id: int) -> list[tuple[MentorCheckin, Mentorship]]:
    ids = [m.id for m in _mentorships_of(session, member_id)]
    rows = session.exec(
        select(MentorCheckin, Mentorship)
        .join(Mentorship, col(Mentorship.id) == MentorCheckin.mentorship_id)
        .where(col(MentorCheckin.mentorship_id).in_(ids))
        .order_by(col(MentorCheckin.id))
    )
    return list(rows.all())


def _mentorships(session: Session, member_id: int) -> list[Record]:
    return [
        {
            "id": m.id,
            "role": "mentor" if m.mentor_id == member_id else "mentee",
            "with": m.mentee_id if m.mentor_id == member_id else m.mentor_id,
            "topic": m.topic,
            "started": m.started.isoformat(),
            "ended": _day(m.ended),
        }
        for m in _mentorships_of(session, member_id)
    ]


def _checkins(session: Session, member_id: int) -> list[Record]:
    return [
        {
            "id": c.id,
            "mentorship": c.mentorship_id,
            "start": c.start.isoformat(),
            "status": c.status,
        }
        for c, _m in _checkins_of(session, member_id)
    ]


# --- events and messages ----------------------------------------------------------------


def _events(session: Session, member_id: int) -> list[Record]:
    """Their answers to events: going, on the waitlist (with their place) or declined."""
    return [
        {
            "event": e.id,
            "title": e.title,
            "start": e.start.isoformat(),
            "status": r.status,
            "position": r.position,
            "answered_at": r.answered_at.isoformat(),
            "offer_until": r.offer_until.isoformat() if r.offer_until else None,
            "revision": r.revision,
        }
        for r, e in _answers(session, member_id)
    ]


def _replies(session: Session, member_id: int) -> list[Record]:
    """What they answered to invitations by replying (services/replies)."""
    rows = session.exec(
        select(Answer).where(Answer.member_id == member_id).order_by(col(Answer.id))
    )
    return [
        {
            "about": a.about,
            "id": a.about_id,
            "answer": a.answer,
            "sequence": a.sequence,
            "dtstamp": a.dtstamp.isoformat(),
            "source": a.source,
            "message_id": a.message_id,
            "received_at": a.received_at.isoformat(),
        }
        for a in rows
    ]


def _answers(session: Session, member_id: int) -> list[tuple[Rsvp, Event]]:
    rows = session.exec(
        select(Rsvp, Event)
        .join(Event, col(Event.id) == Rsvp.event_id)
        .where(Rsvp.member_id == member_id)
        .order_by(col(Rsvp.id))
    )
    return list(rows.all())


def _deliveries(session: Session, member_id: int) -> list[Record]:
    """Every message recorded as sent to them, and the version (SEQUENCE) it carried.

    Meeting messages record when they were sent; event and check-in messages record only
    the last version sent (`sent_at` is then null).
    """
    meetings = session.exec(
        select(Delivery).where(Delivery.member_id == member_id).order_by(col(Delivery.id))
    )
    found = [_sent(d.kind, "session", d.meeting_id, d.sequence, d.sent_at) for d in meetings]
    for answer, _event in _answers(session, member_id):
        for kind, sequence in (
            ("event_invitation", answer.invited_sequence),
            ("event_reminder", answer.reminded_sequence),
        ):
            if sequence is not None:
                found.append(_sent(kind, "event", answer.event_id, sequence))
    for checkin, item in _checkins_of(session, member_id):
        sequence = checkin.mentor_sent if item.mentor_id == member_id else checkin.mentee_sent
        if sequence is not None:
            found.append(_sent("checkin", "checkin", checkin.id, sequence))
    return found


def _log(session: Session, member_id: int) -> list[Record]:
    """The change log's entries about them (their mentorships too), oldest first."""
    found = [changelog.to_dict(row) for row in changelog.entries(session, member_id=member_id)]
    return found[::-1]


def _log_by_them(session: Session, member_id: int) -> list[Record]:
    """The change log's entries they made (acting with their e-mail address), oldest first."""
    member = session.get(Member, member_id)
    if member is None or not member.email:
        return []
    found = [changelog.to_dict(row) for row in changelog.entries(session, by=member.email)]
    return [row for row in found[::-1] if (row["by_email"] or "").lower() == member.email.lower()]


def _pair_rules(session: Session, member_id: int) -> list[Record]:
    """The saved must-pair and never-pair rules naming them (group form, mentor match)."""
    rules = session.exec(
        select(PairRule)
        .where(sa.or_(col(PairRule.member_a) == member_id, col(PairRule.member_b) == member_id))
        .order_by(col(PairRule.id))
    )
    return [
        {
            "id": rule.id,
            "kind": str(rule.kind),
            "with": rule.member_b if rule.member_a == member_id else rule.member_a,
            "note": rule.note,
            "created_at": _moment(rule.created_at),
        }
        for rule in rules
    ]


def _sent(
    kind: str, about: str, about_id: int | None, sequence: int, at: datetime | None = None
) -> Record:
    return {
        "kind": kind,
        "about": about,
        "id": about_id,
        "sequence": sequence,
        "sent_at": _moment(at),
    }


SECTIONS: list[tuple[str, Callable[[Session, int], list[Record]]]] = [
    ("groups", _groups),
    ("attendance", _attendance),
    ("hot_seats", _hot_seats),
    ("commitments", _commitments),
    ("mentorships", _mentorships),
    ("checkins", _checkins),
    ("roles", _roles),
    ("events", _events),
    ("replies", _replies),
    ("deliveries", _deliveries),
    ("pair_rules", _pair_rules),
    ("log", _log),
    ("log_by_them", _log_by_them),
]


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
