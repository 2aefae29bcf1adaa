"""A meeting's calendars made from the parts they share (services/outbox/meeting_calendars.py: the
feed's PUBLISH, each member's REQUEST or CANCEL) are the calendars icalendar makes whole,
byte for byte; calendar.folded folds a line as icalendar's Contentline does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings
from hypothesis import strategies as st
from icalendar.parser import Contentline

from peerkit import calendar as ical
from peerkit.services.outbox.meeting_calendars import MeetingCalendars


@dataclass
class Occasion:
    uid: str
    updated_at: datetime
    sequence: int
    duration: int
    location: str | None
    status: str


TEXT = st.one_of(
    st.text(max_size=300),
    st.text(st.sampled_from("ab ,;:\\^\"'è\u00e9日\n\r\t"), max_size=300),
    st.sampled_from(["", "x" * 73 + "\\n", "x" * 72 + "^y", "é" * 80]),
)
NAMES = st.one_of(st.text(max_size=80), st.sampled_from(["Niccolò Rossi", 'A "B" C', "x;y,z:w"]))
PEOPLE = st.builds(
    ical.Person,
    NAMES,
    st.one_of(st.none(), st.just(""), st.sampled_from(["a@example.com", "é@über.de"])),
)
OCCASIONS = st.builds(
    Occasion,
    uid=st.sampled_from(["u-1@peerkit", "x" * 90 + "@peerkit"]),
    updated_at=st.sampled_from(
        [
            datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
            datetime(2026, 11, 20, 9, 30, 5, tzinfo=ZoneInfo("Asia/Kolkata")),
        ]
    ),
    sequence=st.integers(0, 12),
    duration=st.sampled_from([30, 90, 120]),
    location=st.one_of(st.none(), st.sampled_from(["https://meet.example.com/x", "The Crown"])),
    status=st.sampled_from(["planned", "cancelled", "done"]),
)

# An ordinary evening, one across New Year, one on the night clocks change, one far ahead.
STARTS = [
    datetime(2026, 12, 1, 18, 30),
    datetime(2026, 12, 31, 23, 30),
    datetime(2026, 3, 29, 1, 30),
    datetime(2041, 6, 1, 7, 0, 15),
]


@settings(max_examples=250, deadline=None)
@given(
    meeting=OCCASIONS,
    summary=st.one_of(st.text(max_size=100), st.just("Mastermind del martedì")),
    organiser=st.one_of(st.none(), PEOPLE),
    zone=st.sampled_from(["Europe/Rome", "America/New_York", "Asia/Kolkata", "UTC"]),
    start=st.sampled_from(STARTS),
    wanted=st.lists(
        st.tuples(
            st.sampled_from([None, "", "REQUEST", "CANCEL", "PUBLISH", "x-odd;method"]),
            st.one_of(st.none(), PEOPLE),
            st.one_of(st.none(), TEXT),
        ),
        min_size=1,
        max_size=4,
    ),
)
@example(
    meeting=Occasion("u@peerkit", datetime(2026, 1, 1, tzinfo=UTC), 0, 90, None, "planned"),
    summary="peerkit probe 7f3a description",  # the stand-in's own words elsewhere
    organiser=ical.Person("peerkit probe 7f3a", "probe-7f3a@peerkit.invalid"),
    zone="Europe/Rome",
    start=STARTS[0],
    wanted=[("REQUEST", ical.Person("A", "a@example.com"), "peerkit probe 7f3a description")],
)
def test_meeting_calendars_are_the_whole_calendars(
    meeting: Occasion,
    summary: str,
    organiser: ical.Person | None,
    zone: str,
    start: datetime,
    wanted: list[tuple[str | None, ical.Person | None, str | None]],
) -> None:
    start = start.replace(tzinfo=ZoneInfo(zone))
    shared = MeetingCalendars(meeting, summary, organiser=organiser, local_start=start)
    for method, person, description in wanted:
        event = ical.event(
            meeting, summary, description=description, organiser=organiser,
            attendees=[person] if person is not None else None, local_start=start,
        )  # fmt: skip
        whole = ical.to_bytes(ical.calendar([event], method=method))
        assert shared(method, person, description) == whole


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=400), st.text(st.sampled_from("a\\^é日𝄞"), max_size=300)))
def test_folded_is_icalendars_folding(line: str) -> None:
    if "\n" in line:
        return
    assert ical.folded(line) == Contentline(line).to_ical()


def test_a_meeting_is_split_once() -> None:
    """The shared parts are found for an ordinary meeting (not the whole calendar each time)."""
    meeting = Occasion("u@peerkit", datetime(2026, 1, 1, tzinfo=UTC), 2, 90, "The Crown", "planned")
    start = datetime(2026, 12, 1, 18, 30, tzinfo=ZoneInfo("Europe/Rome"))
    shared = MeetingCalendars(
        meeting, "Group", organiser=ical.Person("O", "o@example.com"), local_start=start
    )
    assert shared.pieces is not None
