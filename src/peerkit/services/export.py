"""What the community holds: every member, or everything about one member."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from peerkit.models import Member
from peerkit.services import members


def all_members(session: Session, today: date) -> list[dict[str, Any]]:
    """Every member who has not been forgotten, in id order."""
    rows = session.exec(
        select(Member).where(col(Member.forgotten_at).is_(None)).order_by(col(Member.id))
    )
    return [members.to_dict(m, today) for m in rows]


def member_record(session: Session, ref: str, today: date) -> dict[str, Any]:
    """A subject-access export: the member and every record that refers to them."""
    member = members.resolve(session, ref)
    return {
        "member": members.to_dict(member, today),
        "left_on": member.left_on.isoformat() if member.left_on else None,
        "history": members.history(session, member),
    }
