"""The community row: name, default time zone and language, organiser."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from peerkit.config import CommunityDefaults
from peerkit.i18n import Clock
from peerkit.models import Community
from peerkit.services.common import holidays, validate

if TYPE_CHECKING:  # imported when used: most commands read the community, few write mail
    from peerkit import calendar as ical
    from peerkit import mail

__all__ = [
    "Community",
    "CommunityDefaults",
    "Sender",
    "apply",
    "calendar_organiser",
    "clock",
    "ensure",
    "get",
    "organiser",
    "organiser_of",
    "to_dict",
]


def get(session: Session) -> Community | None:
    return session.exec(select(Community).order_by(Community.id)).first()  # type: ignore[arg-type]


@dataclass(frozen=True)
class Sender:
    """The organiser, who sends every message: always with an address."""

    name: str
    email: str

    def address(self) -> mail.Address:
        from peerkit import mail

        return mail.Address(self.name, self.email)

    def person(self) -> ical.Person:
        from peerkit import calendar as ical

        return ical.Person(self.name, self.email)


def organiser_of(community: Community | None) -> Sender | None:
    """The one rule: the organiser is the community's organiser e-mail, under the
    organiser's name (else the community's); without that e-mail there is none."""
    if community is None or not community.organiser_email:
        return None
    return Sender(community.organiser_name or community.name, community.organiser_email)


def organiser(session: Session) -> Sender | None:
    """The community's organiser, or None when the community has no organiser e-mail."""
    return organiser_of(get(session))


def calendar_organiser(session: Session) -> ical.Person | None:
    """The ORGANIZER of a calendar entry (none without an organiser e-mail)."""
    found = organiser(session)
    return found.person() if found is not None else None


def ensure(session: Session, defaults: CommunityDefaults) -> Community:
    """The community, created from the defaults the first time."""
    found = get(session)
    if found is not None:
        return found
    community = Community()
    apply(community, defaults)
    session.add(community)
    session.flush()
    return community


def default_timezone(session: Session, defaults: CommunityDefaults) -> str:
    """The community's time zone, or the one it would be created with (without creating it)."""
    row = get(session)
    return (row.timezone if row else defaults.timezone) or "UTC"


def member_defaults(session: Session, defaults: CommunityDefaults) -> dict[str, str]:
    """What a new member gets when no time zone or language is given: the community's."""
    row = ensure(session, defaults)
    return {"timezone": row.timezone, "locale": row.locale}


def clock(
    session: Session,
    today: date,
    viewer: str | None = None,
    defaults: CommunityDefaults | None = None,
) -> Clock:
    """How tables say times: on VIEWER's clock (a --timezone, already checked) or the
    community's, in the community's language (from DEFAULTS, or English and UTC, when there is
    no community yet)."""
    return clock_of(get(session), today, viewer, defaults)


def clock_of(
    community: Community | None,
    today: date,
    viewer: str | None = None,
    defaults: CommunityDefaults | None = None,
) -> Clock:
    """`clock`, for a community row already read."""
    given = defaults or CommunityDefaults()
    zone = community.timezone if community else given.timezone
    locale = community.locale if community else given.locale
    return Clock(viewer or zone or "UTC", locale or "en", today, reader=viewer)


def apply(community: Community, values: CommunityDefaults) -> list[str]:
    """Validate and set the given values; returns the names of the fields changed."""
    changed: list[str] = []
    checks = {
        "name": lambda v: validate.single_line(v, "the community name"),
        "timezone": validate.timezone,
        "locale": validate.locale,
        "organiser_name": lambda v: validate.single_line(v, "the organiser's name"),
        "organiser_email": validate.email,
        "holidays": _holidays,
    }
    for field, check in checks.items():
        raw = getattr(values, field)
        if raw is None:
            continue
        value = check(raw)
        if getattr(community, field) != value:
            setattr(community, field, value)
            changed.append(field)
    return changed


def _holidays(text: str) -> str | None:
    """The holiday countries as stored ("" clears them: None)."""
    return holidays.parse(text)


@dataclass
class Setup:
    """What `init` did: created the community, or changed some of its settings."""

    created: bool
    changed: list[str]  # the settings changed
    summary: dict[str, object]  # the community as it is now


def check(given: CommunityDefaults) -> None:
    """Refuse bad values before anything, even the database, is created."""
    apply(Community(), given)


def setup(session: Session, defaults: CommunityDefaults, given: CommunityDefaults) -> Setup:
    """`init`: create the community (from the config's defaults), then set the given values."""
    created = get(session) is None
    row = ensure(session, defaults)
    changed = apply(row, given)
    session.add(row)
    return Setup(created, changed, to_dict(row))


def to_dict(community: Community) -> dict[str, object]:
    return {
        "name": community.name,
        "timezone": community.timezone,
        "locale": community.locale,
        "organiser_name": community.organiser_name,
        "organiser_email": community.organiser_email,
    }
