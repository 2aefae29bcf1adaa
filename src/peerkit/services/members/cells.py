"""The check of each column of a member CSV, one cell at a time.

Every check takes the cell's text as written in the file and gives its value, MISSING
for an empty cell in a column where empty means the default, or raises InvalidValue. A
leading apostrophe that neutralised a formula is removed first. Values that repeat across
rows (time zones, languages, lists, dates) are checked once and cached.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from itertools import repeat
from typing import Any, Final

from peerkit.enums import MemberStatus
from peerkit.errors import InvalidValue
from peerkit.services.common import validate
from peerkit.services.members import profiles
from peerkit.text import find_control, restore_cell

# What a checked cell holds: text, a number, a date, a list (a tuple once cached) or nothing.
Cell = str | int | date | list[str] | tuple[str, ...] | None


class _Missing:
    """The value of an empty cell in a column where empty means the default."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()

# Empty cells in these columns mean "the default", not "empty".
DEFAULTED = frozenset({"name", "timezone", "locale", "mentor_capacity", "status", "joined", "id"})
# Distinct values kept per column: a community's availability windows can run to thousands.
CACHED = 1 << 14


def _required(check: Callable[[str], Cell]) -> Callable[[str], Cell]:
    def run(text: str) -> Cell:
        if not text.strip():
            raise InvalidValue("is empty.")
        return check(text)

    return run


def _positive_int(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        raise InvalidValue(f"must be a positive whole number, not '{text}'.")
    return int(text)


def _optional_date(what: str) -> Callable[[str], date | None]:
    return lambda text: validate.iso_date(text, what) if text.strip() else None


def _optional_status(text: str) -> MemberStatus | None:
    return validate.status(text) if text.strip() else None


_RULES: dict[str, Callable[[str], Cell]] = {
    "id": _positive_int,
    **profiles.FIELD_CHECKS,  # the same rules as member add and edit, then what a file adds
    "email": _required(validate.email),
    "status": _optional_status,
    "paused_until": _optional_date("paused_until"),
    "joined": _optional_date("joined"),
}
# Nearly every row has its own id, name, e-mail and bio: caching them would only cost.
_UNCACHED = frozenset({"id", "name", "email", "bio"})


def _cell(rule: Callable[[str], Cell], defaulted: bool) -> Callable[[str], Any]:
    def check(text: str) -> Any:
        if defaulted and not text.strip():
            return MISSING
        if text[:1] == "'":
            text = restore_cell(text)
        value = rule(text)
        return tuple(value) if isinstance(value, list) else value

    return check


class _Known(dict[str, Any]):
    """check(text), computed once per distinct text (all forgotten past CACHED); a text
    whose check raises is not kept. A dict's own lookup: about half of lru_cache's time."""

    def __init__(self, check: Callable[[str], Any]) -> None:
        super().__init__()
        self.check = check

    def __missing__(self, text: str) -> Any:
        value = self.check(text)
        if len(self) >= CACHED:
            self.clear()
        self[text] = value
        return value


def _checks() -> dict[str, Callable[[str], Any]]:
    found: dict[str, Callable[[str], Any]] = {}
    for column, rule in _RULES.items():
        check = _cell(rule, column in DEFAULTED)
        found[column] = check if column in _UNCACHED else _Known(check).__getitem__
    return found


# column -> its check. Lists come back as tuples, so a cached value cannot be changed.
CHECKS: Final = _checks()


def _names(texts: Sequence[str]) -> list[Any] | None:
    """validate.name of each cell, when none has a control character and none is too long
    or empty (None: then the cells go one by one, to say which and why)."""
    if find_control(" ".join(texts)) is not None:
        return None
    names = list(map(str.strip, texts))
    if "" in names or max(map(len, names), default=0) > validate.MAX_NAME:
        return None
    return names


def _bios(texts: Sequence[str]) -> list[Any] | None:
    """validate.bio of each cell, when none has a carriage return, a control character other
    than a newline or too many characters (None: then the cells go one by one)."""
    joined = "\n".join(texts)
    if "\r" in joined or find_control(joined, allow_newlines=True) is not None:
        return None
    bios = list(map(str.strip, texts, repeat(" \n")))
    if max(map(len, bios), default=0) > validate.MAX_BIO:
        return None
    return [bio or None for bio in bios]


def _emails(texts: Sequence[str]) -> list[Any] | None:
    try:
        return validate.emails(texts)
    except InvalidValue:  # an empty cell is "is empty.", not a bad address: ask CHECKS
        return None


# A whole column at once, as CHECKS would check each of its cells (but none is quoted).
_COLUMNS: Final[dict[str, Callable[[Sequence[str]], list[Any] | None]]] = {
    "name": _names,
    "email": _emails,
    "bio": _bios,
}


def check_column(column: str, texts: Sequence[str]) -> list[Any]:
    """The values of a column of cells, each as CHECKS gives it; InvalidValue if one is bad.

    The cells of a column nearly every row fills differently (names, e-mails, bios) are
    checked together when none starts with an apostrophe (a neutralised formula); if one
    of them is not plainly good, each goes the careful way, which says what is wrong.
    """
    together = _COLUMNS.get(column)
    if together is not None and "\n'" not in "\n" + "\n".join(texts):
        found = together(texts)
        if found is not None:
            return found
    elif column == "id" and not "".join(texts).strip():
        return [MISSING] * len(texts)
    return list(map(CHECKS[column], texts))
