"""The four calendar parsers of tests/parsers.py, on hand-written calendars with a known answer."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests import parsers as harness
from tests.parsers import (
    PARSERS,
    Occurrence,
    Task,
    all_occurrences,
    all_occurrences_many,
    all_tasks,
    all_tasks_many,
)

pytest_plugins = ["tests.parsers"]

WINDOW = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))

ROME = """BEGIN:VTIMEZONE
TZID:Europe/Rome
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
"""

# A zone no database knows (+03:00, +04:30 in summer): a parser can only get it from the file.
HARBOUR = """BEGIN:VTIMEZONE
TZID:Peerkit Test/Harbour
BEGIN:DAYLIGHT
TZOFFSETFROM:+0300
TZOFFSETTO:+0430
TZNAME:HDT
DTSTART:19700405T020000
RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0430
TZOFFSETTO:+0300
TZNAME:HST
DTSTART:19701004T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=1SU
END:STANDARD
END:VTIMEZONE
"""


def ics(*parts: str) -> bytes:
    """A VCALENDAR of PARTS, with CRLF line ends."""
    body = "".join(parts)
    text = f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//peerkit tests//EN\n{body}END:VCALENDAR\n"
    return text.replace("\n", "\r\n").encode()


def vevent(uid: str, *lines: str) -> str:
    head = f"BEGIN:VEVENT\nUID:{uid}\nDTSTAMP:20260101T000000Z\n"
    return head + "\n".join(lines) + "\nEND:VEVENT\n"


def at(text: str) -> datetime:
    """'2026-06-15 12:00' in UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def occ(uid: str, start: str, end: str, status: str = "") -> Occurrence:
    return Occurrence(uid, at(start), at(end), status)


def assert_all_read(data: bytes, expected: list[Occurrence]) -> None:
    found = all_occurrences(data, *WINDOW)
    assert found == dict.fromkeys(PARSERS, sorted(expected))


def test_an_event_in_utc(parsers: tuple[str, ...]) -> None:
    data = ics(
        vevent("utc@t", "DTSTART:20260615T120000Z", "DTEND:20260615T133000Z", "STATUS:CONFIRMED")
    )
    assert_all_read(data, [occ("utc@t", "2026-06-15 12:00", "2026-06-15 13:30", "CONFIRMED")])


def test_local_events_are_read_with_the_files_vtimezone(parsers: tuple[str, ...]) -> None:
    """Summer and winter in Rome, and a zone that only the file defines."""
    data = ics(
        ROME,
        HARBOUR,
        vevent("summer@t", "DTSTART;TZID=Europe/Rome:20260701T183000",
               "DTEND;TZID=Europe/Rome:20260701T200000"),
        vevent("winter@t", "DTSTART;TZID=Europe/Rome:20261201T183000",
               "DTEND;TZID=Europe/Rome:20261201T200000", "STATUS:CANCELLED"),
        vevent("harbour-summer@t", "DTSTART;TZID=Peerkit Test/Harbour:20260701T120000",
               "DTEND;TZID=Peerkit Test/Harbour:20260701T130000"),
        vevent("harbour-winter@t", "DTSTART;TZID=Peerkit Test/Harbour:20261201T120000",
               "DTEND;TZID=Peerkit Test/Harbour:20261201T130000"),
    )  # fmt: skip
    assert_all_read(
        data,
        [
            occ("summer@t", "2026-07-01 16:30", "2026-07-01 18:00"),
            occ("winter@t", "2026-12-01 17:30", "2026-12-01 19:00", "CANCELLED"),
            occ("harbour-summer@t", "2026-07-01 07:30", "2026-07-01 08:30"),
            occ("harbour-winter@t", "2026-12-01 09:00", "2026-12-01 10:00"),
        ],
    )


SERIES = vevent(
    "series@t",
    "DTSTART;TZID=Europe/Rome:20260922T183000",
    "DTEND;TZID=Europe/Rome:20260922T200000",
    "RRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL=20261110T173000Z",
    "EXDATE;TZID=Europe/Rome:20261013T183000",
    "RDATE;TZID=Europe/Rome:20261031T100000",
    "STATUS:CONFIRMED",
)
MOVED = vevent(
    "series@t",
    "RECURRENCE-ID;TZID=Europe/Rome:20261027T183000",
    "DTSTART;TZID=Europe/Rome:20261029T190000",
    "DTEND;TZID=Europe/Rome:20261029T200000",
    "SEQUENCE:1",
    "STATUS:TENTATIVE",
)
SERIES_ANSWER = [  # Tuesdays 18:30-20:00 Rome: +02:00 until 25 October, +01:00 after
    occ("series@t", "2026-09-22 16:30", "2026-09-22 18:00", "CONFIRMED"),
    occ("series@t", "2026-09-29 16:30", "2026-09-29 18:00", "CONFIRMED"),
    occ("series@t", "2026-10-06 16:30", "2026-10-06 18:00", "CONFIRMED"),
    # 13 October: EXDATE
    occ("series@t", "2026-10-20 16:30", "2026-10-20 18:00", "CONFIRMED"),
    # 27 October, moved to Thursday 29th 19:00-20:00
    occ("series@t", "2026-10-29 18:00", "2026-10-29 19:00", "TENTATIVE"),
    occ("series@t", "2026-10-31 09:00", "2026-10-31 10:30", "CONFIRMED"),  # the RDATE
    occ("series@t", "2026-11-03 17:30", "2026-11-03 19:00", "CONFIRMED"),
    occ("series@t", "2026-11-10 17:30", "2026-11-10 19:00", "CONFIRMED"),
]


def test_a_weekly_series_with_exdate_rdate_and_a_moved_meeting(parsers: tuple[str, ...]) -> None:
    assert_all_read(ics(ROME, SERIES, MOVED), SERIES_ANSWER)


def test_the_override_may_come_before_its_series(parsers: tuple[str, ...]) -> None:
    assert_all_read(ics(ROME, MOVED, SERIES), SERIES_ANSWER)


def test_the_window_takes_occurrences_that_start_inside_it(parsers: tuple[str, ...]) -> None:
    start, end = at("2026-10-06 16:30"), at("2026-11-03 17:30")
    found = all_occurrences(ics(ROME, SERIES, MOVED), start, end)
    expected = [o for o in SERIES_ANSWER if start <= o.start < end]
    assert len(expected) == 4
    assert found == dict.fromkeys(PARSERS, expected)


def test_duration_and_dtend_give_the_same_end(parsers: tuple[str, ...]) -> None:
    data = ics(
        ROME,
        vevent("dtend@t", "DTSTART;TZID=Europe/Rome:20260505T090000",
               "DTEND;TZID=Europe/Rome:20260505T104500"),
        vevent("duration@t", "DTSTART;TZID=Europe/Rome:20260505T090000", "DURATION:PT1H45M"),
        vevent("weekly-duration@t", "DTSTART;TZID=Europe/Rome:20260505T090000",
               "DURATION:PT1H45M", "RRULE:FREQ=WEEKLY;COUNT=2"),
        vevent("utc-duration@t", "DTSTART:20260505T070000Z", "DURATION:PT45M"),
    )  # fmt: skip
    assert_all_read(
        data,
        [
            occ("dtend@t", "2026-05-05 07:00", "2026-05-05 08:45"),
            occ("duration@t", "2026-05-05 07:00", "2026-05-05 08:45"),
            occ("weekly-duration@t", "2026-05-05 07:00", "2026-05-05 08:45"),
            occ("weekly-duration@t", "2026-05-12 07:00", "2026-05-12 08:45"),
            occ("utc-duration@t", "2026-05-05 07:00", "2026-05-05 07:45"),
        ],
    )


def test_many_calendars_are_read_at_once(parsers: tuple[str, ...]) -> None:
    utc = ics(vevent("utc@t", "DTSTART:20260615T120000Z", "DTEND:20260615T133000Z"))
    found = all_occurrences_many([ics(ROME, SERIES, MOVED), utc, ics()], *WINDOW)
    assert found == [
        dict.fromkeys(PARSERS, SERIES_ANSWER),
        {p: [occ("utc@t", "2026-06-15 12:00", "2026-06-15 13:30")] for p in PARSERS},
        {p: [] for p in PARSERS},
    ]


def vtodo(uid: str, *lines: str) -> str:
    head = f"BEGIN:VTODO\nUID:{uid}\nDTSTAMP:20260101T000000Z\n"
    return head + "\n".join(lines) + "\nEND:VTODO\n"


def test_tasks_are_read_with_their_due_status_relation_and_version(
    parsers: tuple[str, ...],
) -> None:
    """A task with every field, one with none, a due time, escaped text; events left alone."""
    data = ics(
        ROME,
        SERIES,
        MOVED,
        vtodo("full@t", "SUMMARY:Call\\, then\\; write \\\\ back", "DUE;VALUE=DATE:20261204",
              "STATUS:COMPLETED", "COMPLETED:20261201T100000Z", "PERCENT-COMPLETE:100",
              "RELATED-TO:series@t", "SEQUENCE:2"),
        vtodo("bare@t", "SUMMARY:Nothing else"),
        vtodo("timed@t", "SUMMARY:At a time", "DUE;TZID=Europe/Rome:20261204T180000",
              "STATUS:NEEDS-ACTION", "SEQUENCE:0"),
    )  # fmt: skip
    expected = [
        Task("bare@t", "Nothing else", "", "", "", None),
        Task("full@t", "Call, then; write \\ back", "2026-12-04", "COMPLETED", "series@t", 2),
        Task("timed@t", "At a time", "2026-12-04T17:00:00+00:00", "NEEDS-ACTION", "", 0),
    ]
    assert all_tasks(data) == dict.fromkeys(PARSERS, expected)
    assert all_occurrences(data, *WINDOW) == dict.fromkeys(PARSERS, SERIES_ANSWER)


def test_tasks_of_many_calendars_at_once(parsers: tuple[str, ...]) -> None:
    one = ics(vtodo("one@t", "SUMMARY:One", "STATUS:CANCELLED", "SEQUENCE:1"))
    found = all_tasks_many([one, ics(SERIES), one])
    task = Task("one@t", "One", "", "CANCELLED", "", 1)
    assert found == [{p: [task] for p in PARSERS}, {p: [] for p in PARSERS},
                     {p: [task] for p in PARSERS}]  # fmt: skip


def test_a_missing_parser_skips_or_fails_when_required(tmp_path: Path) -> None:
    """Without node or gcc on the PATH: skipped, but a failure under PEERKIT_REQUIRE_PARSERS."""
    empty = tmp_path / "bin"
    empty.mkdir()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("PATH", str(empty))
            patch.delenv(harness.REQUIRE_ENV, raising=False)
            patch.setattr(harness, "REQUIRED_FROM_THE_START", False)
            harness.unavailable.cache_clear()
            harness.libical_binary.cache_clear()
            assert set(harness.unavailable()) == {"icaljs", "libical"}
            with pytest.raises(pytest.skip.Exception, match="node is not installed"):
                harness.require_parsers()
            harness.require_parsers(["icalendar", "vobject"])  # the Python ones are always here
            patch.setenv(harness.REQUIRE_ENV, "1")
            with pytest.raises(pytest.fail.Exception, match="gcc is not installed"):
                harness.require_parsers()
            patch.delenv(harness.REQUIRE_ENV)
            patch.setattr(harness, "REQUIRED_FROM_THE_START", True)  # CI's, read at import
            with pytest.raises(pytest.fail.Exception, match="node is not installed"):
                harness.require_parsers()
    finally:
        harness.unavailable.cache_clear()
        harness.libical_binary.cache_clear()
