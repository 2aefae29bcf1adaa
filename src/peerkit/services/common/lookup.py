"""One way to find a row from what someone typed: its id, a unique key, or its exact name.

Every resolver (profiles.resolve, roster.resolve, meetings.resolve, seats.resolve, ...) is a
`Finder` handed to `find`, so every entity answers a reference the same way, with the same
error texts:

- ``no member has id 7. See: peerkit member list``
- ``no member has the e-mail 'x@example.com'. Did you mean: ...?``
- ``no group has the id or slug 'x'. See: peerkit group list``
- ``no member is called 'x'. Did you mean: ...?``
- ``'x' matches 2 members; use an id or an e-mail instead:`` and the candidates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlmodel import Session, SQLModel, col, select

from peerkit.errors import Ambiguous, NotFound

LONGEST_ID = 18  # digits: a longer number does not fit a 64-bit integer, so no row has it

T = TypeVar("T", bound=SQLModel)


def _always(_text: str) -> bool:
    return True


@dataclass(frozen=True)
class Key:
    """A unique column a reference can name, e.g. a member's e-mail or a group's slug."""

    column: Any
    label: str  # how an error names it: "e-mail", "id or slug"
    fits: Callable[[str], bool] = _always  # whether a reference is meant as this key
    normalise: Callable[[str], str] = str.lower


@dataclass(frozen=True)
class Finder(Generic[T]):
    """How one entity is found: its table, its words, its keys and names."""

    model: type[T]
    noun: str  # "member": "no member has id 7"
    listing: str  # where to look them up: "peerkit member list"
    keys: Sequence[Key] = ()
    name: Any = None  # a column of names, matched exactly; None: no lookup by name
    current: Sequence[Any] = ()  # conditions on a name match (e.g. not forgotten)
    other_ways: str = "an id"  # "use an id or an e-mail instead"
    describe: Callable[[Any], str] = str  # a candidate, in an ambiguity report
    suggest: Callable[[Session, str], list[str]] | None = None  # rows close to a miss


def find(session: Session, finder: Finder[T], ref: str | int) -> T:
    """The one row `ref` names: an id (``7`` or ``#7``), then a unique key, then a name."""
    text = str(ref).strip()
    digits = text.lstrip("#")
    key = next((k for k in finder.keys if k.fits(text)), None)
    if digits.isascii() and digits.isdigit():
        found = by_id(session, finder.model, digits)
        if found is not None:
            return found
        if key is None:
            raise NotFound(f"no {finder.noun} has id {text}.{_see(finder)}")
    if key is not None:
        return _by_key(session, finder, key, text)
    if finder.name is None:
        raise NotFound(f"no {finder.noun} has id '{text}'.{_see(finder)}")
    return _by_name(session, finder, text)


def by_id(session: Session, model: type[T], digits: str) -> T | None:
    """The row with this id; None for a number too long to be one (never an overflow)."""
    if len(digits) > LONGEST_ID:
        return None
    return session.get(model, int(digits))


def _by_key(session: Session, finder: Finder[T], key: Key, text: str) -> T:
    query = select(finder.model).where(col(key.column) == key.normalise(text))
    found = session.exec(query).first()
    if found is None:
        hint = _hint(session, finder, text)
        raise NotFound(f"no {finder.noun} has the {key.label} '{text}'.{hint}")
    return found


def _by_name(session: Session, finder: Finder[T], text: str) -> T:
    query = select(finder.model).where(col(finder.name) == text, *finder.current)
    matches = list(session.exec(query))
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise Ambiguous(
            f"'{text}' matches {len(matches)} {finder.noun}s; use {finder.other_ways} instead:",
            details=[finder.describe(m) for m in matches],
        )
    raise NotFound(f"no {finder.noun} is called '{text}'.{_hint(session, finder, text)}")


def _see(finder: Finder[Any]) -> str:
    return f" See: {finder.listing}"


def _hint(session: Session, finder: Finder[Any], text: str) -> str:
    """Close candidates when there are any, else where to look."""
    close = finder.suggest(session, text) if finder.suggest is not None else []
    return f" Did you mean: {'; '.join(close)}?" if close else _see(finder)
