"""The lines `plan week` writes without icalendar's objects (calendar.text_line for TEXT
properties, calendar.attendee_line for an invited member) are icalendar's, byte for byte."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from icalendar import Calendar, Event
from icalendar.prop import vText

from peerkit import calendar as ical

TEXT = st.one_of(
    st.text(max_size=300),
    st.text(st.sampled_from("ab ,;:\\^\"'Nè\u00e9日\n\r\t\ufeff"), max_size=300),
    st.sampled_from(["", "\ufeffx", "\\N", "x" * 73 + "\\n", "x" * 72 + "^y", "é" * 80]),
)
PLAIN = st.text(st.sampled_from("abcXYZ019 .-"), min_size=1, max_size=90)
NEARLY = st.text(st.sampled_from("ab -,;:'\"^\\é"), min_size=1, max_size=12)
NAMES = st.one_of(
    PLAIN,
    NEARLY,
    st.text(max_size=80),
    st.sampled_from(["Niccolò Rossi", 'A "B" C', "x;y,z:w", "O'Brien", "a  b", " a", "a ", "^"]),
)
ADDRESSES = st.one_of(
    st.none(),
    st.just(""),
    st.from_regex(r"[A-Za-z0-9._+\-]{1,40}@[A-Za-z0-9\-]{1,20}(\.[a-z]{2,5}){0,2}", fullmatch=True),
    st.sampled_from(["a@example.com", "é@über.de", "a,b@example.com", "a@b@c", "@x", "a@"]),
)


@pytest.mark.parametrize("name", sorted(ical.TEXT_PROPERTIES))
def test_the_text_properties_are_text_to_icalendar(name: str) -> None:
    """If icalendar ever wrote one of them otherwise, text_line would no longer be its line."""
    factory = Calendar if name == "method" else Event
    assert factory.types_factory.for_property(name, None) is vText


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(sorted(ical.TEXT_PROPERTIES)), value=TEXT)
@example(name="description", value="\ufeff\ufeffhead")
@example(name="summary", value="a\\Nb\r\nc\rd\ne")
def test_text_line_is_property_line(name: str, value: str) -> None:
    assert ical.text_line(name, value) == ical.property_line(name, value)


@settings(max_examples=400, deadline=None)
@given(name=NAMES, email=ADDRESSES, rsvp=st.booleans())
@example(name="Daniel Wilson", email="daniel.wilson@example.com", rsvp=True)
@example(name="Zoe", email="z@example.com", rsvp=False)
@example(name="a,b", email="z@example.com", rsvp=True)
@example(name="a:b", email="z@example.com", rsvp=True)
@example(name="O'Brien", email="z@example.com", rsvp=True)
@example(name="A" * 70, email="b" * 40 + "@example.com", rsvp=True)
def test_attendee_line_is_property_line(name: str, email: str | None, rsvp: bool) -> None:
    person = ical.Person(name, email)
    found = ical.attendee_address(person, rsvp=rsvp)
    expected = ical.property_line("attendee", found) if found is not None else b""
    assert ical.attendee_line(person, rsvp=rsvp) == expected


ZONES = st.sampled_from(
    [None, UTC, ZoneInfo("Europe/London"), ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata")]
)
MOMENTS = st.builds(
    lambda moment, zone, fold: moment.replace(tzinfo=zone, fold=fold),
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2060, 1, 1)),
    ZONES,
    st.sampled_from([0, 1]),
)


def made_fresh(name: str, value: object) -> bytes:
    return ical.folded(ical._content_line(name, value)) + b"\r\n"


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(["dtstamp", "dtstart", "dtend", "created"]),
    moments=st.lists(MOMENTS, min_size=1, max_size=4),
)
@example(  # the hour that happens twice: equal datetimes, different instants
    name="dtstamp",
    moments=[
        datetime(2026, 10, 25, 1, 30, tzinfo=ZoneInfo("Europe/London")),
        datetime(2026, 10, 25, 1, 30, tzinfo=ZoneInfo("Europe/London"), fold=1),
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
    ],
)
def test_a_line_made_once_is_the_line_of_each_value(name: str, moments: list[datetime]) -> None:
    """property_line keeps the lines of datetimes and ints: an equal value in another zone,
    fold or type is never given another's line."""
    for value in [*moments, *moments]:
        assert ical.property_line(name, value) == made_fresh(name, value)
    for number in (0, 1, 7, 734521987):
        assert ical.property_line("sequence", number) == made_fresh("sequence", number)


def test_a_zone_is_kept_for_the_next_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The VTIMEZONE made for a zone is kept in the cache folder (private) and read back the
    same; a file that is not a whole VTIMEZONE is made again."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    ical._vtimezone_text.cache_clear()
    try:
        made = ical._make_vtimezone_text("Europe/Rome", 2000, 2038)
        assert ical._vtimezone_text("Europe/Rome", 2000, 2038) == made
        kept = list((tmp_path / "peerkit" / "zones").iterdir())
        assert len(kept) == 1
        assert stat.S_IMODE(kept[0].stat().st_mode) == 0o600
        assert kept[0].read_bytes() == made
        ical._vtimezone_text.cache_clear()
        assert ical._vtimezone_text("Europe/Rome", 2000, 2038) == made  # read back
        kept[0].write_bytes(b"BEGIN:VTIMEZONE\r\nTZID:Europe/Rome\r\n")  # half a file
        ical._vtimezone_text.cache_clear()
        assert ical._vtimezone_text("Europe/Rome", 2000, 2038) == made
        assert kept[0].read_bytes() == made
    finally:
        ical._vtimezone_text.cache_clear()
