"""Members: add, find, change, pause, remove and forget."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, select

from peerkit.errors import Ambiguous, Conflict, InvalidValue, NotFound
from peerkit.models import Member, MemberHistory
from peerkit.services.common import validate

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


_CHECKS: dict[str, Any] = {
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
    return {key: _CHECKS[key](value) for key, value in raw.given().items()}


def clean_all(raw: MemberFields) -> tuple[dict[str, Any], list[str]]:
    """Validate every given field, collecting all problems (for CSV rows)."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in raw.given().items():
        try:
            values[key] = _CHECKS[key](value)
        except InvalidValue as err:
            problems.append(f"{key}: {err.message}")
    return values, problems


# --- status ---------------------------------------------------------------------------


def effective_status(member: Member, today: date) -> str:
    """A pause with an end date is over on that date."""
    if (
        member.status == "paused"
        and member.paused_until is not None
        and member.paused_until <= today
    ):
        return "active"
    return member.status


def status_clause(status: str, today: date) -> sa.ColumnElement[bool]:
    paused_over = sa.and_(
        col(Member.status) == "paused",
        col(Member.paused_until).is_not(None),
        col(Member.paused_until) <= today,
    )
    if status == "active":
        return sa.or_(col(Member.status) == "active", paused_over)
    if status == "paused":
        return sa.and_(col(Member.status) == "paused", sa.not_(paused_over))
    return col(Member.status) == status


def record(session: Session, member: Member, action: str) -> None:
    assert member.id is not None
    session.add(MemberHistory(member_id=member.id, action=action))


# --- queries --------------------------------------------------------------------------


def list_members(session: Session, status: str | None, today: date) -> list[Member]:
    query = select(Member).order_by(col(Member.id))
    if status is None:
        query = query.where(col(Member.status) != "left")
    else:
        query = query.where(status_clause(status, today))
    return list(session.exec(query))


def resolve(session: Session, ref: str) -> Member:
    """A member by id, e-mail (case-insensitive) or unique exact name."""
    text = ref.strip()
    if text.lstrip("#").isdigit():
        digits = text.lstrip("#")
        found = session.get(Member, int(digits)) if len(digits) < 19 else None
        if found is None:
            raise NotFound(f"no member has id {text.lstrip('#')}. See: peerkit member list")
        return found
    if "@" in text:
        by_email = session.exec(select(Member).where(col(Member.email) == text.lower())).first()
        if by_email is None:
            raise NotFound(f"no member has the e-mail {text}.{_suggest(session, text)}")
        return by_email
    matches = list(
        session.exec(
            select(Member).where(col(Member.name) == text, col(Member.forgotten_at).is_(None))
        )
    )
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise Ambiguous(
            f"'{text}' matches {len(matches)} members; use an id or an e-mail instead:",
            details=[describe(m) for m in matches],
        )
    raise NotFound(f"no member is called '{text}'.{_suggest(session, text)}")


def _suggest(session: Session, text: str) -> str:
    needle = text.split("@")[0].lower()
    if not needle:
        return ""
    pattern = f"%{needle}%"
    close = list(
        session.exec(
            select(Member)
            .where(col(Member.forgotten_at).is_(None))
            .where(
                sa.or_(sa.func.lower(Member.name).like(pattern), col(Member.email).like(pattern))
            )
            .order_by(col(Member.id))
            .limit(5)
        )
    )
    if not close:
        return " See: peerkit member list"
    return " Did you mean: " + "; ".join(describe(m) for m in close) + "?"


def describe(member: Member) -> str:
    email = f" <{member.email}>" if member.email else ""
    return f"#{member.id} {member.name}{email}"


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


def edit(session: Session, member: Member, raw: MemberFields) -> list[str]:
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
    _refuse_forgotten(member)
    if member.status == "left":
        return False
    member.status, member.left_on, member.paused_until = "left", today, None
    session.add(member)
    _close_mentoring(session, member, today, erase=False)
    record(session, member, "left")
    return True


def pause(session: Session, member: Member, until: date | None, today: date) -> None:
    _refuse_forgotten(member)
    if member.status == "left":
        raise Conflict(f"{describe(member)} has left the community; resume them first.")
    if until is not None and until <= today:
        raise InvalidValue(f"--until must be after today ({today.isoformat()}).")
    member.status, member.paused_until = "paused", until
    session.add(member)
    record(session, member, "paused")


def resume(session: Session, member: Member, today: date) -> str:
    _refuse_forgotten(member)
    before = effective_status(member, today)
    if before == "active" and member.status == "active":
        return "already active"
    action = "rejoined" if member.status == "left" else "resumed"
    member.status, member.paused_until, member.left_on = "active", None, None
    session.add(member)
    record(session, member, action)
    return action


def forget(session: Session, member: Member, today: date) -> None:
    """Erase personal data in place; the id, dates and history rows stay for counts."""
    if member.forgotten_at is not None:
        raise Conflict(f"member #{member.id} was already forgotten.")
    member.name = f"Forgotten member #{member.id}"
    member.email = None
    member.timezone = "UTC"
    member.locale = "en"
    member.skills, member.needs, member.availability = [], [], []
    member.stage = member.industry = member.bio = None
    member.mentor_capacity = 0
    if member.status != "left":
        member.left_on = today
    member.status, member.paused_until = "left", None
    member.forgotten_at = datetime.now(UTC)
    session.add(member)
    _forget_mentoring(session, member, today)
    record(session, member, "forgotten")


def _forget_mentoring(session: Session, member: Member, today: date) -> None:
    """Their mentorships end, lose their topics (the needs they reveal), check-ins cancelled."""
    _close_mentoring(session, member, today, erase=True)


def _close_mentoring(session: Session, member: Member, today: date, erase: bool) -> None:
    """End the member's active mentorships and cancel their planned check-ins."""
    from peerkit.models import MentorCheckin, Mentorship

    mine = session.exec(
        select(Mentorship).where(
            sa.or_(col(Mentorship.mentor_id) == member.id, col(Mentorship.mentee_id) == member.id)
        )
    )
    for item in mine:
        if erase:
            item.topic = None
        elif item.ended is not None:
            continue
        if item.ended is None:
            item.ended = today
        session.add(item)
        for checkin in session.exec(
            select(MentorCheckin).where(
                MentorCheckin.mentorship_id == item.id, MentorCheckin.status == "planned"
            )
        ):
            if not erase and checkin.start.astimezone(ZoneInfo(checkin.timezone)).date() < today:
                continue  # it has happened: leaving does not undo it
            checkin.status = "cancelled"
            checkin.sequence += 1
            if erase:
                checkin.location = None
            session.add(checkin)


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
            if member.paused_until and effective_status(member, today) == "paused"
            else None
        ),
        "joined": member.joined.isoformat(),
    }


def history(session: Session, member: Member) -> list[dict[str, Any]]:
    rows = session.exec(
        select(MemberHistory)
        .where(MemberHistory.member_id == member.id)
        .order_by(col(MemberHistory.at), col(MemberHistory.id))
    )
    return [{"action": h.action, "at": h.at.isoformat()} for h in rows]
