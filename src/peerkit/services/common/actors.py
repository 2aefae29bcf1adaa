"""Who is acting: the organiser, facilitator or viewer at the keyboard, as the log names them.

``--as "NAME <EMAIL>"`` (or PEERKIT_AS) wins; then config.toml's organiser_name and organiser_email;
then, when the command writes, whoever the database knows (see :func:`acting`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from peerkit.config import ACTOR_KEY
from peerkit.errors import UsageProblem

__all__ = ["ACTOR_KEY", "Actor", "from_settings", "parse"]

_FORM = re.compile(r"^\s*(?P<name>[^<>]*?)\s*<(?P<email>[^<>]*)>\s*$")

@dataclass(frozen=True)
class Actor:
    """A person who changes the community: a name and (usually) an e-mail address."""

    name: str
    email: str | None = None

    def label(self) -> str:
        """"Name <email>", or whichever of the two there is."""
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
