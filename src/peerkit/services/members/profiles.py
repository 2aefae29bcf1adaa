"""Members: add, find, change, pause, remove and forget."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from peerkit import rowversions
from peerkit.enums import MemberStatus
from peerkit.errors import Conflict, InvalidValue
from peerkit.models import Member
from peerkit.services.common import lookup, validate

if TYPE_CHECKING:
    from peerkit.models import Group

# The member table's columns. Queries built from these rather than from Member's attributes
# are plain SQL expressions: a select of them alone runs without configuring every mapper
# (SQLAlchemy does that on the first ORM query, ~10 ms at start-up; issue 19).
MEMBERS: sa.Table = Member.__table__  # type: ignore[attr-defined]

EDITABLE = (
    "name",
    "email",
    "timezone",
    "locale",
    "skills",
    "needs",
    "stage",
    "industry",
    "bio",
    "availability",
    "mentor_capacity",
)


@dataclass
class MemberFields:
    """Raw values as typed by a user; None means "not given"."""

    name: str | None = None
    email: str | None = None
    timezone: str | None = None
    locale: str | None = None
    skills: str | list[str] | None = None
    needs: str | list[str] | None = None
    stage: str | None = None
    industry: str | None = None
    bio: str | None = None
    availability: list[str] | str | None = None
    mentor_capacity: str | int | None = None

    def given(self) -> dict[str, Any]:
        return {
            f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None
        }


# How each field a person types is checked: `member add`/`edit` and the CSV import (cells.py).
FIELD_CHECKS: dict[str, Any] = {
    "name": validate.name,
    "email": validate.email,
    "timezone": validate.timezone,
    "locale": validate.locale,
    "skills": lambda v: validate.tags(v, "skills"),
    "needs": lambda v: validate.tags(v, "needs"),
    "stage": validate.stage,
    "industry": lambda v: validate.optional_line(v, "the industry"),
    "bio": validate.bio,
    "availability": validate.availability,
    "mentor_capacity": validate.capacity,
}


def clean(raw: MemberFields) -> dict[str, Any]:
    """Validate every given field; the first problem raises InvalidValue."""
    return {key: FIELD_CHECKS[key](value) for key, value in raw.given().items()}


def clean_all(raw: MemberFields) -> tuple[dict[str, Any], list[str]]:
    """Validate every given field, collecting all problems (for CSV rows)."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in raw.given().items():
        try:
            values[key] = FIELD_CHECKS[key](value)
        except InvalidValue as err:
            problems.append(f"{key}: {err.message}")
    return values, problems


# --- status ---------------------------------------------------------------------------


def effective_status(member: Member, today: date) -> MemberStatus:
    """A pause with an end date is over on that date (the rule is Member.status_on)."""
    return member.status_on(today)


def status_clause(status: MemberStatus, today: date) -> sa.ColumnElement[bool]:
    paused_over = sa.and_(
        MEMBERS.c.status == MemberStatus.PAUSED,
        MEMBERS.c.paused_until.is_not(None),
        MEMBERS.c.paused_until <= today,
    )
    if status == MemberStatus.ACTIVE:
        return sa.or_(MEMBERS.c.status == MemberStatus.ACTIVE, paused_over)
    if status == MemberStatus.PAUSED:
        return sa.and_(MEMBERS.c.status == MemberStatus.PAUSED, sa.not_(paused_over))
    return MEMBERS.c.status == status


def record(session: Session, member: Member, action: str) -> None:
    from peerkit.models import MemberHistory  # mapped when a member changes, not to list them

    assert member.id is not None
    session.add(MemberHistory(member_id=member.id, action=action))


# --- queries --------------------------------------------------------------------------


def list_members(
    session: Session, status: MemberStatus | None, today: date, group: Group | None = None
) -> list[Member]:
    """Members in id order: those who have not left, or those with `status`; of `group` now."""
    return list(session.exec(listed(select(Member), status, today, group)))


def listed(query: Any, status: MemberStatus | None, today: date, group: Group | None) -> Any:
    """QUERY (of members or their columns) narrowed and ordered as `list_members` is."""
    query = query.order_by(MEMBERS.c.id)
    if status is None:
        query = query.where(MEMBERS.c.status != MemberStatus.LEFT)
    else:
        query = query.where(status_clause(status, today))
    if group is not None:
        from peerkit.models import Membership  # mapped for a group's members only

        query = query.join(Membership, col(Membership.member_id) == Member.id).where(
            Membership.group_id == group.id, col(Membership.left_on).is_(None)
        )
    return query


def resolve(session: Session, ref: str) -> Member:
    """A member by id, e-mail (case-insensitive) or unique exact name."""
    return lookup.find(session, FINDER, ref)


def _suggest(session: Session, text: str) -> list[str]:
    """Members whose name or e-mail holds what was typed (before any @)."""
    needle = text.split("@")[0].lower()
    if not needle:
        return []
    pattern = f"%{needle}%"
    close = session.exec(
        select(Member)
        .where(col(Member.forgotten_at).is_(None))
        .where(sa.or_(sa.func.lower(Member.name).like(pattern), col(Member.email).like(pattern)))
        .order_by(col(Member.id))
        .limit(5)
    )
    return [describe(m) for m in close]


def describe(member: Member) -> str:
    return member.describe()


def _email_key(text: str) -> str:
    """An e-mail reference as addresses are stored: anna@xn--bcher-kva.example finds
    anna@bücher.example; a reference that is no valid address is only lower-cased."""
    try:
        return validate.email(text)
    except InvalidValue:
        return text.lower()


FINDER = lookup.Finder(
    Member,
    "member",
    "peerkit member list",
    keys=(lookup.Key(Member.email, "e-mail", fits=lambda text: "@" in text, normalise=_email_key),),
    name=Member.name,
    current=(col(Member.forgotten_at).is_(None),),
    other_ways="an id or an e-mail",
    describe=describe,
    suggest=_suggest,
)


# --- changes --------------------------------------------------------------------------


def _check_email_free(session: Session, email: str, except_id: int | None = None) -> None:
    other = session.exec(select(Member).where(col(Member.email) == email)).first()
    if other is not None and other.id != except_id:
        raise Conflict(
            f"{email} already belongs to {describe(other)}. "
            f"To change that member, use: peerkit member edit {other.id}"
        )


def add(session: Session, raw: MemberFields, defaults: dict[str, str], today: date) -> Member:
    if raw.name is None:
        raise InvalidValue("a member needs a name.")
    if raw.email is None:
        raise InvalidValue("a member needs an e-mail address (--email).")
    values = clean(raw)
    _check_email_free(session, values["email"])
    values.setdefault("timezone", defaults.get("timezone", "UTC"))
    values.setdefault("locale", defaults.get("locale", "en"))
    member = Member(**values, joined=today)
    session.add(member)
    session.flush()
    record(session, member, "joined")
    return member


def edit(
    session: Session, member: Member, raw: MemberFields, read_version: int | None = None
) -> list[str]:
    """Change MEMBER as RAW says; READ_VERSION: the version the change was made from, when it
    was read in an earlier transaction (a member changed since is refused)."""
    rowversions.expect(session, member, read_version)
    _refuse_forgotten(member)
    values = clean(raw)
    if "email" in values:
        _check_email_free(session, values["email"], except_id=member.id)
    changed = [k for k, v in values.items() if getattr(member, k) != v]
    for key in changed:
        setattr(member, key, values[key])
    if changed:
        session.add(member)
        record(session, member, "edited")
    return changed


def _refuse_forgotten(member: Member) -> None:
    if member.forgotten_at is not None:
        raise Conflict(f"member #{member.id} was forgotten; their record cannot be changed.")


def remove(session: Session, member: Member, today: date) -> bool:
    """The record says they left (False when it already did); leaving.remove does the rest."""
    _refuse_forgotten(member)
    if member.status == MemberStatus.LEFT:
        return False
    member.status, member.left_on, member.paused_until = MemberStatus.LEFT, today, None
    session.add(member)
    record(session, member, "left")
    return True


def pause(session: Session, member: Member, until: date | None, today: date) -> None:
    _refuse_forgotten(member)
    if member.status == MemberStatus.LEFT:
        raise Conflict(f"{describe(member)} has left the community; resume them first.")
    if until is not None and until <= today:
        raise InvalidValue(f"--until must be after today ({today.isoformat()}).")
    member.status, member.paused_until = MemberStatus.PAUSED, until
    session.add(member)
    record(session, member, "paused")


def resume(session: Session, member: Member, today: date) -> str:
    _refuse_forgotten(member)
    before = effective_status(member, today)
    if before == MemberStatus.ACTIVE and member.status == MemberStatus.ACTIVE:
        return "already active"
    action = "rejoined" if member.status == MemberStatus.LEFT else "resumed"
    member.status, member.paused_until, member.left_on = MemberStatus.ACTIVE, None, None
    session.add(member)
    record(session, member, action)
    return action


def forget(session: Session, member: Member, today: date) -> None:
    """Erase personal data in place; the id, dates and history rows stay for counts.

    leaving.forget calls this, then lets the member leave as `remove` does.
    """
    if member.forgotten_at is not None:
        raise Conflict(f"member #{member.id} was already forgotten.")
    member.name = f"Forgotten member #{member.id}"
    member.email = None
    member.timezone = "UTC"
    member.locale = "en"
    member.skills, member.needs, member.availability = [], [], []
    member.stage = member.industry = member.bio = None
    member.mentor_capacity = 0
    if member.status != MemberStatus.LEFT:
        member.left_on = today
    member.status, member.paused_until = MemberStatus.LEFT, None
    member.forgotten_at = datetime.now(UTC)
    session.add(member)
    record(session, member, "forgotten")


# --- shapes ---------------------------------------------------------------------------


def to_dict(member: Member, today: date) -> dict[str, Any]:
    return {
        "id": member.id,
        "name": member.name,
        "email": member.email,
        "timezone": member.timezone,
        "locale": member.locale,
        "skills": list(member.skills),
        "needs": list(member.needs),
        "stage": member.stage,
        "industry": member.industry,
        "bio": member.bio,
        "availability": list(member.availability),
        "mentor_capacity": member.mentor_capacity,
        "status": effective_status(member, today),
        "paused_until": (
            member.paused_until.isoformat()
            if member.paused_until and effective_status(member, today) == MemberStatus.PAUSED
            else None
        ),
        "joined": member.joined.isoformat(),
    }


def history(session: Session, member: Member) -> list[dict[str, Any]]:
    from peerkit.models import MemberHistory

    rows = session.exec(
        select(MemberHistory)
        .where(MemberHistory.member_id == member.id)
        .order_by(col(MemberHistory.at), col(MemberHistory.id))
    )
    return [{"action": h.action, "at": h.at.isoformat()} for h in rows]
