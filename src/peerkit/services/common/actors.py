"""Who is acting: the organiser, facilitator or viewer at the keyboard, as the log names them.

``--as "NAME <EMAIL>"`` (or PEERKIT_AS) wins; then config.toml's organiser_name and organiser_email;
then, when the command writes, whoever the database knows (see :func:`acting`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from peerkit.config import ACTOR_KEY
from peerkit.errors import UsageProblem

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# Where `acting` keeps whom it found, once per write session.
RESOLVED_KEY = "peerkit_acting"

__all__ = ["ACTOR_KEY", "Actor", "acting", "from_settings", "parse"]

_FORM = re.compile(r"^\s*(?P<name>[^<>]*?)\s*<(?P<email>[^<>]*)>\s*$")


@dataclass(frozen=True)
class Actor:
    """A person who changes the community: a name and (usually) an e-mail address."""

    name: str
    email: str | None = None

    def label(self) -> str:
        """ "Name <email>", or whichever of the two there is."""
        if self.email and self.name and self.name != self.email:
            return f"{self.name} <{self.email}>"
        return self.email or self.name

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "email": self.email}


def parse(text: str, what: str = "--as") -> Actor:
    """ "Name <email>", a bare e-mail address, or a bare name; refused at the door otherwise."""
    from peerkit.services.common import validate

    form = "'Name <email>' (e.g. 'Giulia Ferri <giulia@example.org>')"
    raw = text.strip()
    if not raw:
        raise UsageProblem(f"{what} is empty; give who is acting as {form}.")
    try:
        matched = _FORM.match(raw)
        if matched:
            email = validate.email(matched["email"])
            name = validate.single_line(matched["name"], f"the name in {what}", required=False)
            return Actor(name or email, email)
        if "<" in raw or ">" in raw:
            raise UsageProblem(f"{what} must look like {form}, not {raw!r}.")
        if "@" in raw:
            email = validate.email(raw)
            return Actor(email, email)
        return Actor(validate.single_line(raw, f"the name in {what}"), None)
    except UsageProblem:
        raise
    except Exception as exc:  # InvalidValue: one line, as a usage problem of the flag
        raise UsageProblem(f"{what}: {exc}") from None


def from_settings(acting_as: str | None, config: dict[str, Any]) -> Actor | None:
    """Who the command line or config.toml says is acting (None: nobody said)."""
    if acting_as is not None:
        return parse(acting_as)
    name = config.get("organiser_name")
    email = config.get("organiser_email")
    if isinstance(email, str) and email:
        return Actor(name if isinstance(name, str) and name else email, email)
    if isinstance(name, str) and name:
        return Actor(name, None)
    return None


def acting(session: Session) -> Actor:
    """Who is acting in this write session, resolved once and kept on the session.

    Whoever the command line or config.toml named (the session's ACTOR_KEY); else, on
    PostgreSQL, the database login (:func:`database_login`); else the community's organiser
    (the community row); else the operating-system user.
    """
    found = session.info.get(RESOLVED_KEY)
    if isinstance(found, Actor):
        return found
    said = session.info.get(ACTOR_KEY)
    actor = said if isinstance(said, Actor) else None
    actor = actor or database_login(session) or _organiser(session) or _system_user()
    session.info[RESOLVED_KEY] = actor
    return actor


def database_login(session: Session) -> Actor | None:
    """On PostgreSQL, the person the login of this connection was granted to (`peerkit
    access grant`), else the login's name; None elsewhere. `session_user`, not `current_user`:
    a SET ROLE does not change who is at the keyboard."""
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        return None
    import sqlalchemy as sa

    return granted(session) or _login_name(conn.execute(sa.text("SELECT session_user")).scalar())


def granted(session: Session) -> Actor | None:
    """The person granted to this connection's database login (PostgreSQL), or None."""
    import sqlalchemy as sa

    from peerkit.models import AccessLogin

    table = AccessLogin.__table__  # type: ignore[attr-defined]
    row = (
        session.connection()
        .execute(
            sa.select(table.c.name, table.c.email).where(table.c.login == sa.func.session_user())
        )
        .first()
    )
    return None if row is None else _person(*row)


def _login_name(login: Any) -> Actor | None:
    return Actor(str(login), None) if login else None


def _organiser(session: Session) -> Actor | None:
    """The community row's organiser (read on the session's connection: safe in a flush)."""
    import sqlalchemy as sa

    from peerkit.models import Community

    # the community is often loaded already (or being made, by init and demo)
    for obj in [*session.identity_map.values(), *session.new]:
        if isinstance(obj, Community) and "organiser_email" in obj.__dict__:
            return _person(obj.organiser_name, obj.organiser_email)
    table = Community.__table__  # type: ignore[attr-defined]
    row = (
        session.connection()
        .execute(
            sa.select(table.c.organiser_name, table.c.organiser_email).order_by(table.c.id).limit(1)
        )
        .first()
    )
    return None if row is None else _person(*row)


def _person(name: str | None, email: str | None) -> Actor | None:
    if email:
        return Actor(name or email, email)
    return Actor(name, None) if name else None


def _system_user() -> Actor:
    import getpass

    try:
        return Actor(getpass.getuser(), None)
    except (OSError, KeyError, ImportError):  # no user name known to the system
        return Actor("unknown", None)
