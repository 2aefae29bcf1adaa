"""The quick paths of validate give the answers of the careful ones.

A column of e-mail addresses checked in a few passes (`validate.emails`) says what each
address checked alone (`validate.email`) says; the one-pattern test of a column accepts
exactly the addresses `_SIMPLE_EMAIL` accepts; and a time zone name looked up on its own
path (`validate.is_zone`) is known exactly when `zoneinfo.available_timezones()` lists it.
"""

from __future__ import annotations

import os
import string
import zoneinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peerkit.errors import InvalidValue
from peerkit.services.common import validate

LOCAL = string.ascii_lowercase + string.digits + "_%+-"
LABEL = string.ascii_lowercase + string.digits + "-"

local_part = st.lists(st.text(LOCAL, min_size=0, max_size=30), min_size=1, max_size=4).map(".".join)
label = st.one_of(
    st.text(LABEL, min_size=0, max_size=8),
    st.text(LABEL, min_size=60, max_size=66),
    st.sampled_from(["a-", "-a", "a--b", "xn--e1a", "a" * 63, "b" * 64, "9"]),
)
top = st.one_of(
    st.text(string.ascii_lowercase + "0-", min_size=0, max_size=26),
    st.sampled_from(["com", "it", "test", "local", "onion", "c", "a" * 24, "a" * 25]),
)
address = st.builds(
    lambda local, labels, tld, case: (
        (local + "@" + ".".join([*labels, tld]))
        if not case
        else (" " + local.upper() + "@" + ".".join([*labels, tld]) + " ")
    ),
    local_part,
    st.lists(label, min_size=0, max_size=3),
    top,
    st.booleans(),
)
odd = st.one_of(address, st.text(LOCAL + ".@ \n", max_size=30))


def _outcome(check: object) -> object:
    try:
        return check()  # type: ignore[operator]
    except InvalidValue as exc:
        return ("refused", str(exc))


@settings(max_examples=400, deadline=None)
@given(st.text(LOCAL + LABEL + ".@\n", max_size=90))
def test_the_column_pattern_accepts_what_the_address_pattern_accepts(text: str) -> None:
    lines = text.split("\n")
    each = all(validate._SIMPLE_EMAIL.fullmatch(line) for line in lines)
    assert bool(validate._SIMPLE_EMAILS.fullmatch(text)) == each


@settings(max_examples=400, deadline=None)
@given(address)
def test_the_column_pattern_agrees_on_one_address(addr: str) -> None:
    text = addr.strip().lower()
    assert bool(validate._SIMPLE_EMAILS.fullmatch(text)) == bool(
        validate._SIMPLE_EMAIL.fullmatch(text)
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(odd, min_size=1, max_size=6))
def test_a_column_of_addresses_says_what_each_address_says(values: list[str]) -> None:
    each = [_outcome(lambda v=value: validate.email(v)) for value in values]
    first_problem = next((e for e in each if isinstance(e, tuple)), None)
    assert _outcome(lambda: validate.emails(values)) == (first_problem or each)


def test_a_long_local_part_on_any_line_goes_the_careful_way() -> None:
    long = "a" * 65 + "@example.com"
    for values in ([long], ["ok@example.com", long], [long, "ok@example.com"]):
        each = [_outcome(lambda v=value: validate.email(v)) for value in values]
        first_problem = next((e for e in each if isinstance(e, tuple)), None)
        assert _outcome(lambda v=values: validate.emails(v)) == (first_problem or each)
    assert validate.emails(["a" * 64 + "@example.com"]) == ["a" * 64 + "@example.com"]


# --- time zones -----------------------------------------------------------------------


def _files_under_tzpath() -> set[str]:
    """Every path under each folder of TZPATH, relative to it (right/ and posix/ too)."""
    found: set[str] = set()
    for root in zoneinfo.TZPATH:
        for folder, dirs, files in os.walk(root):
            for name in [*dirs, *files]:
                found.add(os.path.relpath(os.path.join(folder, name), root))
    return found


def test_a_zone_is_known_exactly_when_available_timezones_lists_it() -> None:
    listed = zoneinfo.available_timezones()
    names = listed | _files_under_tzpath()
    odd = {
        "", ".", "..", "/", "posixrules", "right/UTC", "posix/Europe/Rome", "Europe",
        "Europe/", "/Europe/Rome", "Europe//Rome", "Europe/./Rome", "Europe/../UTC",
        "./UTC", "UTC/", "zone.tab", "tzdata.zi", "localtime", "Nowhere/Land", "a\x00b",
        "Europe/Rome ", "europe/rome", "EUROPE/ROME",
    }  # fmt: skip
    cased = {n.lower() for n in names} | {n.upper() for n in names}
    for name in names | odd | cased:
        assert validate.is_zone(name) == (name in listed), name
    assert validate.is_zone("Europe/Rome")


def test_timezone_answers_as_before() -> None:
    assert validate.timezone(" Europe/Rome ") == "Europe/Rome"
    assert validate.timezone("europe/rome") == "Europe/Rome"
    for bad in ("posixrules", "right/UTC", "Europe/../UTC", "Mars/Olympus"):
        with pytest.raises(InvalidValue, match=r"^unknown time zone"):
            validate.timezone(bad)
