"""Parsers and validators for what people type: fast, pure, and with clear messages.

Each function returns the normalised value or raises InvalidValue. They are
used by the CLI, by CSV import (one row at a time) and by the hypothesis tests.
"""

from __future__ import annotations

import os
import re
import unicodedata
import zoneinfo
from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import TypeVar

from peerkit.defaults import DATES
from peerkit.enums import MemberStatus, Stage, values
from peerkit.errors import InvalidValue
from peerkit.text import describe_char, find_control

E = TypeVar("E", bound=StrEnum)

STAGES = values(Stage)
LOCALES = ("en", "it")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_ALIASES = {
    **{d: d for d in DAYS},
    "monday": "mon",
    "tuesday": "tue",
    "wednesday": "wed",
    "thursday": "thu",
    "friday": "fri",
    "saturday": "sat",
    "sunday": "sun",
    "tues": "tue",
    "thur": "thu",
    "thurs": "thu",
    # Italian, for the community's first users.
    "lun": "mon",
    "mar": "tue",
    "mer": "wed",
    "gio": "thu",
    "ven": "fri",
    "sab": "sat",
    "dom": "sun",
    "lunedì": "mon",
    "martedì": "tue",
    "mercoledì": "wed",
    "giovedì": "thu",
    "venerdì": "fri",
    "sabato": "sat",
    "domenica": "sun",
    "lunedi": "mon",
    "martedi": "tue",
    "mercoledi": "wed",
    "giovedi": "thu",
    "venerdi": "fri",
}
MAX_NAME = 200
MAX_TEXT = 200
MAX_BIO = 4000
MAX_TAG = 60


# --- text -----------------------------------------------------------------------------


def single_line(value: str, what: str, *, max_len: int = MAX_TEXT, required: bool = True) -> str:
    """Trimmed one-line text without control characters."""
    bad = find_control(value)
    text = value.strip()
    if bad is not None:
        raise InvalidValue(
            f"{what} cannot contain control characters (found {describe_char(bad)}). "
            "Type it on one line, without escapes."
        )
    if required and not text:
        raise InvalidValue(f"{what} cannot be empty.")
    if len(text) > max_len:
        raise InvalidValue(f"{what} is {len(text)} characters long; the limit is {max_len}.")
    return text


def name(value: str) -> str:
    return single_line(value, "a name", max_len=MAX_NAME)


def optional_line(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    text = single_line(value, what, required=False)
    return text or None


# A carriage return, or a line or paragraph separator (U+2028, U+2029), is a new line.
_LINE_BREAKS = str.maketrans({"\r": "\n", "\u2028": "\n", "\u2029": "\n"})


def bio(value: str | None) -> str | None:
    """Free text over several lines; other control characters are refused."""
    if value is None:
        return None
    text = value.replace("\r\n", "\n").translate(_LINE_BREAKS).strip(" \n")
    bad = find_control(text, allow_newlines=True)
    if bad is not None:
        raise InvalidValue(
            f"the bio cannot contain control characters (found {describe_char(bad)})."
        )
    if len(text) > MAX_BIO:
        raise InvalidValue(f"the bio is {len(text)} characters long; the limit is {MAX_BIO}.")
    return text or None


# --- e-mail ---------------------------------------------------------------------------

# Addresses this simple are accepted by email-validator exactly as written (lower-cased);
# a hypothesis test holds the two to agreement. Anything else goes to email-validator.
_SIMPLE_EMAIL = re.compile(
    r"[a-z0-9_%+-]+(?:\.[a-z0-9_%+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}"
)
_SPECIAL_TLDS = {"arpa", "invalid", "local", "localhost", "onion", "test"}


def email(value: str) -> str:
    """A syntactically valid, globally routable address, lower-cased. No DNS lookups."""
    text = value.strip().lower()
    if (
        len(text) <= 254
        and _SIMPLE_EMAIL.fullmatch(text)
        and len(text.split("@", 1)[0]) <= 64
        and text.rsplit(".", 1)[1] not in _SPECIAL_TLDS
        and "--" not in text.split("@", 1)[1]  # punycode and its look-alikes: the slow path
    ):
        return text
    return _email_slow(text, value)


# The same test for a whole column of addresses, one per line: each simple, no local part
# over 64 characters, no special-use top-level domain, no "--" anywhere. The pattern of
# one address is _SIMPLE_EMAIL's, its domain labels written so as to backtrack less (1 to
# 63 characters, the first a letter or digit, the last not a hyphen); tests hold the two
# to the same answers.
_ONE_EMAIL = r"[a-z0-9_%+-]+(?:\.[a-z0-9_%+-]+)*@(?:[a-z0-9][a-z0-9-]{0,62}(?<!-)\.)+[a-z]{2,24}"
_SIMPLE_EMAILS = re.compile(f"(?:{_ONE_EMAIL})(?:\n(?:{_ONE_EMAIL}))*")
_LONG_LOCAL_AFTER = re.compile(r"\n[^@\n]{65}")  # a local part too long, after the first line
_SPECIAL_END = re.compile(rf"\.(?:{'|'.join(sorted(_SPECIAL_TLDS))})(?:\n|$)")


def emails(values: Sequence[str]) -> list[str]:
    """`email` of each value: a column of simple addresses is checked in a few passes."""
    texts = list(map(str.lower, map(str.strip, values)))
    joined = "\n".join(texts)
    if (
        joined.count("\n") == len(texts) - 1
        and max(map(len, texts), default=0) <= 254
        and "--" not in joined
        and _SIMPLE_EMAILS.fullmatch(joined)
        and len(texts[0].partition("@")[0]) <= 64
        and not _LONG_LOCAL_AFTER.search(joined)
        and not _SPECIAL_END.search(joined)
    ):
        return texts
    return list(map(email, values))


def _email_slow(text: str, original: str) -> str:
    """email-validator's check: internationalised domains (bücher.example) and local parts
    (üñí@...) are accepted, as RFC 6531 allows; each is sent as mail.py says."""
    from email_validator import EmailNotValidError, validate_email

    from peerkit import mail

    bad = find_control(original)
    if bad is not None:
        raise InvalidValue(f"an e-mail address cannot contain {describe_char(bad)}.")
    try:
        result = validate_email(text, check_deliverability=False)
        address = unicodedata.normalize("NFC", result.normalized.lower())
        mail.ascii_domain(address.rpartition("@")[2])  # the form it travels in
    except (EmailNotValidError, ValueError) as exc:
        raise InvalidValue(f"'{original.strip()}' is not a valid e-mail address: {exc}") from None
    return address


# --- time zones -----------------------------------------------------------------------


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@lru_cache(maxsize=1)
def _listed() -> frozenset[str]:
    """The zones the tzdata package lists in one file: where available_timezones() starts."""
    from importlib import resources

    try:
        with resources.files("tzdata").joinpath("zones").open("r") as f:
            return frozenset(filter(None, map(str.strip, f)))
    except (ImportError, FileNotFoundError):
        return frozenset()


@lru_cache(maxsize=1024)
def is_zone(text: str) -> bool:
    """`text in zoneinfo.available_timezones()`, without opening every file of the zone folders.

    available_timezones() takes the tzdata package's list, then walks each folder of
    zoneinfo.TZPATH (not into a symbolic link to a folder, nor into right/ and posix/ at the
    top) for files that start with b"TZif", and drops "posixrules". A name the list lacks is
    looked up the same way, on its own path only.
    """
    if text == "posixrules":
        return False
    if text in _listed():
        return True
    parts = text.split("/")
    if {"", ".", ".."} & set(parts) or (len(parts) > 1 and parts[0] in ("right", "posix")):
        return False  # never a path that walk finds
    for root in zoneinfo.TZPATH:
        if not os.path.exists(root):
            continue
        folders = (os.path.join(root, *parts[:i]) for i in range(1, len(parts)))
        if any(map(os.path.islink, folders)):
            continue  # walk does not go into a linked folder
        try:
            with open(os.path.join(root, text), "rb") as f:
                if f.read(4) == b"TZif":
                    return True
        except Exception:  # as available_timezones() does: any failure is not a zone
            continue
    return False


def timezone(value: str) -> str:
    """An IANA zone name from zoneinfo.available_timezones(); anything else is refused."""
    text = value.strip()
    if is_zone(text):
        return text
    zones = _zones()
    # Case-insensitive exact match ("europe/rome") is a harmless convenience.
    folded = {z.lower(): z for z in zones}
    if text.lower() in folded:
        return folded[text.lower()]
    raise InvalidValue(_timezone_message(text, zones))


def _timezone_message(text: str, zones: frozenset[str]) -> str:
    import difflib

    shown = text if find_control(text) is None else repr(text)
    candidates = difflib.get_close_matches(text.replace(" ", "_"), sorted(zones), n=3, cutoff=0.6)
    hint = f" Did you mean {', '.join(candidates)}?" if candidates else ""
    return (
        f"unknown time zone '{shown}'. Use an IANA name such as Europe/Rome or "
        f"America/New_York.{hint}"
    )


# --- choices and numbers --------------------------------------------------------------


def choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    text = value.strip().lower()
    if text not in allowed:
        shown = value if find_control(value) is None else repr(value)
        raise InvalidValue(f"unknown {what} '{shown}'; choose one of: {', '.join(allowed)}.")
    return text


def word(value: str, enum: type[E], what: str) -> E:
    """VALUE as one of ENUM's words (any case), or InvalidValue listing them."""
    return enum(choice(value, values(enum), what))


def stage(value: str | None) -> Stage | None:
    if value is None or not value.strip():
        return None
    return word(value, Stage, "stage")


def locale(value: str) -> str:
    return choice(value, LOCALES, "language")


def status(value: str) -> MemberStatus:
    return word(value, MemberStatus, "status")


def capacity(value: str | int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidValue(f"mentor capacity must be a whole number, not '{value}'.") from None
    if number < 0 or number > 100:
        raise InvalidValue(f"mentor capacity must be between 0 and 100, not {number}.")
    return number


def iso_date(value: str, what: str = "a date") -> date:
    """A date typed as YYYY-MM-DD, within the years peerkit accepts (defaults.DATES)."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidValue(f"{what} must look like 2026-12-31, not '{value}'.") from None
    return in_window(day, what)


def in_window(day: date, what: str, shown: str | None = None) -> date:
    """DAY, or InvalidValue when it is outside defaults.DATES (SHOWN: the text as typed).

    Every date and date-time anyone types passes here: a date too near the ends of the
    calendar would be accepted, then break a later command with an overflow.
    """
    if day not in DATES:
        raise InvalidValue(DATES.refusal(what, shown or day.isoformat()))
    return day


# --- lists ----------------------------------------------------------------------------

_LIST_SPLIT = re.compile(r"[,;]")


def tags(value: str | list[str] | None, what: str) -> list[str]:
    """Skills or needs: comma- (or semicolon-) separated, trimmed, lower-cased, deduplicated."""
    if value is None:
        return []
    parts = value if isinstance(value, list) else [value]
    out: list[str] = []
    for part in parts:
        for raw in _LIST_SPLIT.split(part):
            tag = single_line(raw, f"a {what} entry", max_len=MAX_TAG, required=False).lower()
            tag = " ".join(tag.split())
            if tag and tag not in out:
                out.append(tag)
    return out


# --- availability ---------------------------------------------------------------------

_WINDOW = re.compile(
    r"(?P<day>[^\W\d_]+)\s+(?P<h1>\d{1,2})[:.](?P<m1>\d{2})\s*-\s*(?P<h2>\d{1,2})[:.](?P<m2>\d{2})"
)


def _minutes(hours: str, minutes: str, text: str) -> int:
    h, m = int(hours), int(minutes)
    if m > 59 or h > 24 or (h == 24 and m != 0):
        raise InvalidValue(f"'{text}' has an impossible time; use 00:00 to 24:00.")
    return h * 60 + m


@lru_cache(maxsize=4096)  # windows repeat across members: parse each once
def window(value: str) -> tuple[int, int, int]:
    """Parse "mon 18:00-20:00" into (weekday 0-6, start minute, end minute)."""
    text = " ".join(value.strip().split())
    m = _WINDOW.fullmatch(text)
    shown = text if find_control(value) is None else repr(value)
    if not m:
        raise InvalidValue(
            f"cannot read the availability '{shown}'; write a day and a time range, "
            "like 'mon 18:00-20:00'."
        )
    day = _DAY_ALIASES.get(m["day"].lower())
    if day is None:
        raise InvalidValue(f"unknown day '{m['day']}' in '{shown}'; use mon, tue, ..., sun.")
    start = _minutes(m["h1"], m["m1"], shown)
    end = _minutes(m["h2"], m["m2"], shown)
    if end <= start:
        raise InvalidValue(
            f"'{shown}' ends before it starts. Split a window that crosses midnight "
            "in two, like 'fri 22:00-24:00' and 'sat 00:00-02:00'."
        )
    return DAYS.index(day), start, end


def format_window(day: int, start: int, end: int) -> str:
    return f"{DAYS[day]} {start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"


def availability(values: list[str] | str | None) -> list[str]:
    """Several windows (a list, or one string separated by ; or ,), merged and sorted."""
    if values is None:
        return []
    items = [values] if isinstance(values, str) else values
    parsed: list[tuple[int, int, int]] = []
    for item in items:
        for piece in _LIST_SPLIT.split(item):
            if piece.strip():
                parsed.append(window(piece))
    return [format_window(*w) for w in merge_windows(parsed)]


def merge_windows(windows: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    merged: list[tuple[int, int, int]] = []
    for day, start, end in sorted(windows):
        if merged and merged[-1][0] == day and start <= merged[-1][2]:
            last = merged[-1]
            merged[-1] = (day, last[1], max(last[2], end))
        else:
            merged.append((day, start, end))
    return merged
