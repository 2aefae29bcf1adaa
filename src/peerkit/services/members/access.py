"""What the community holds: every member, or everything about one member."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from peerkit.models import (
    Attendance,
    Commitment,
    Group,
    HotSeat,
    Member,
    Membership,
    MentorCheckin,
    Mentorship,
)
from peerkit.services.members import profiles


def all_members(session: Session, today: date) -> list[dict[str, Any]]:
    """Every member who has not been forgotten, in id order."""
    rows = session.exec(
        select(Member).where(col(Member.forgotten_at).is_(None)).order_by(col(Member.id))
    )
    return [profiles.to_dict(m, today) for m in rows]


def member_record(session: Session, ref: str, today: date) -> dict[str, Any]:
    """A subject-access export: the member and every record that refers to them."""
    member = profiles.resolve(session, ref)
    return {
        "member": profiles.to_dict(member, today),
        "left_on": member.left_on.isoformat() if member.left_on else None,
        "history": profiles.history(session, member),
        **_records(session, member.id or 0),
    }


def _records(session: Session, member_id: int) -> dict[str, Any]:
    """What refers to the member in the other tables; other people appear as ids only."""
    groups = session.exec(
        select(Membership, Group)
        .join(Group, col(Group.id) == Membership.group_id)
        .where(Membership.member_id == member_id)
        .order_by(col(Membership.id))
    )
    attendance = session.exec(
        select(Attendance).where(Attendance.member_id == member_id).order_by(col(Attendance.id))
    )
    seats = session.exec(
        select(HotSeat).where(HotSeat.member_id == member_id).order_by(col(HotSeat.id))
    )
    promises = session.exec(
        select(Commitment).where(Commitment.member_id == member_id).order_by(col(Commitment.id))
    )
    mine = session.exec(
        select(Mentorship)
        .where((col(Mentorship.mentor_id) == member_id) | (col(Mentorship.mentee_id) == member_id))
        .order_by(col(Mentorship.id))
    ).all()
    ids = [m.id for m in mine]
    checkins = session.exec(
        select(MentorCheckin)
        .where(col(MentorCheckin.mentorship_id).in_(ids))
        .order_by(col(MentorCheckin.id))
    )
    return {
        "groups": [
            {
                "group": g.slug,
                "role": m.role,
                "joined": m.joined.isoformat(),
                "left_on": _day(m.left_on),
            }
            for m, g in groups
        ],
        "attendance": [{"session": a.meeting_id, "status": a.status} for a in attendance],
        "hot_seats": [{"session": h.meeting_id} for h in seats],
        "commitments": [
            {
                "id": c.id,
                "text": c.text,
                "due": _day(c.due),
                "status": c.status,
                "created_at": c.created_at.isoformat(),
                "closed_at": c.closed_at.isoformat() if c.closed_at else None,
            }
            for c in promises
        ],
        "mentorships": [
            {
                "id": m.id,
                "role": "mentor" if m.mentor_id == member_id else "mentee",
                "with": m.mentee_id if m.mentor_id == member_id else m.mentor_id,
                "topic": m.topic,
                "started": m.started.isoformat(),
                "ended": _day(m.ended),
            }
            for m in mine
        ],
        "checkins": [
            {
                "id": c.id,
                "mentorship": c.mentorship_id,
                "start": c.start.isoformat(),
                "status": c.status,
            }
            for c in checkins
        ],
    }


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None
