"""`export ics`: feeds for a session, a group (also as one series), a member, everyone."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import vobject

from tests.conftest import Cli, assert_usage_error

START = date(2027, 2, 2)  # a Tuesday; 40 weeks reach past both 2027 changes


@pytest.fixture
def community(cli: Cli) -> Cli:
    cli.ok("init", "--organiser-name", "Paolo", "--organiser-email", "paolo@example.com")
    for n, zone in enumerate(["Europe/Rome", "Europe/Rome", "America/New_York", "Asia/Tokyo"], 1):
        cli.ok("member", "add", f"Person {n}", "--email", f"p{n}@example.com", "--timezone", zone)
    cli.ok(
        "group",
        "create",
        "Roma",
        "--day",
        "tue",
        "--time",
        "18:30",
        "--timezone",
        "Europe/Rome",
        "--start",
        START.isoformat(),
        "--member",
        "1",
        "--member",
        "2",
    )
    cli.ok("group", "create", "New York", "--day", "wed", "--time", "12:00", "--timezone",
           "America/New_York", "--start", "2027-02-03", "--member", "3",
           "--member", "4")  # fmt: skip
    cli.ok("session", "plan", "roma", "--from", START.isoformat(), "--count", "40")
    cli.ok("session", "plan", "new-york", "--from", "2027-02-03", "--count", "40")
    return cli


def _utc_starts(data: bytes) -> list[datetime]:
    cal = icalendar.Calendar.from_ical(data)
    events = recurring_ical_events.of(cal).between(date(2027, 1, 1), date(2028, 1, 1))
    return sorted(e["DTSTART"].dt.astimezone(UTC) for e in events)


def _expected(first: date, hhmm: time, zone: str, count: int) -> list[datetime]:
    tz = ZoneInfo(zone)
    days = [first + timedelta(weeks=i) for i in range(count)]
    return [datetime.combine(d, hhmm, tz).astimezone(UTC) for d in days]


def test_group_feed_agrees_with_three_parsers_and_the_iana_data(community: Cli) -> None:
    data = community.ok("export", "ics", "--group", "roma").stdout.encode()
    expected = _expected(START, time(18, 30), "Europe/Rome", 40)
    assert _utc_starts(data) == expected
    parsed = icalendar.Calendar.from_ical(data)
    assert sorted(e["DTSTART"].dt.astimezone(UTC) for e in parsed.walk("VEVENT")) == expected
    by_vobject = [
        e.dtstart.value.astimezone(UTC) for e in vobject.readOne(data.decode()).vevent_list
    ]
    assert sorted(by_vobject) == expected
    assert {e["DTSTART"].dt.utcoffset() for e in parsed.walk("VEVENT")} == {
        timedelta(hours=1),
        timedelta(hours=2),
    }


def test_feeds_are_publish_without_attendees(community: Cli) -> None:
    text = community.ok("export", "ics", "--all").stdout
    assert "METHOD:PUBLISH" in text
    assert "ATTENDEE" not in text
    for n in range(1, 5):
        assert f"p{n}@example.com" not in text
    assert "ORGANIZER;CN=Paolo:mailto:paolo@example.com" in text
    assert {"TZID:Europe/Rome", "TZID:America/New_York"} <= set(text.splitlines())
    cal = icalendar.Calendar.from_ical(text)
    assert len(cal.walk("VEVENT")) == 80
    assert len(cal.walk("VALARM")) == 80


def test_a_member_sees_only_their_groups(community: Cli) -> None:
    text = community.ok("export", "ics", "--member", "p3@example.com").stdout
    cal = icalendar.Calendar.from_ical(text)
    assert {str(e["SUMMARY"]) for e in cal.walk("VEVENT")} == {"New York"}
    assert "Roma" not in text


def test_exports_are_stable(community: Cli) -> None:
    first = community.ok("export", "ics", "--group", "roma").stdout
    again = community.ok("export", "ics", "--group", "roma").stdout
    assert first == again
    series = community.ok("export", "ics", "--group", "roma", "--series").stdout
    assert series == community.ok("export", "ics", "--group", "roma", "--series").stdout


def test_series_with_a_cancelled_and_a_moved_meeting(community: Cli) -> None:
    community.ok("session", "cancel", "3", "--reason", "holiday")  # 2027-02-16
    community.ok("session", "move", "5", "--to", "2027-03-04 19:00")  # from Tue 2 March
    text = community.ok("export", "ics", "--group", "roma", "--series").stdout
    data = text.encode()
    cal = icalendar.Calendar.from_ical(data)
    (master,) = [e for e in cal.walk("VEVENT") if "RRULE" in e]
    rule = master["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"]
    assert rule["BYDAY"] == ["TU"]
    assert rule["UNTIL"][0].tzinfo is not None
    assert rule["UNTIL"][0].utcoffset() == timedelta(0)
    assert "EXDATE;TZID=Europe/Rome:20270216T183000" in text
    (override,) = [e for e in cal.walk("VEVENT") if "RECURRENCE-ID" in e]
    assert str(override["UID"]) == str(master["UID"])
    assert override["RECURRENCE-ID"].dt == datetime(
        2027, 3, 2, 18, 30, tzinfo=ZoneInfo("Europe/Rome")
    )
    assert int(master["SEQUENCE"]) >= 1

    expected = _expected(START, time(18, 30), "Europe/Rome", 40)
    expected.remove(datetime(2027, 2, 16, 17, 30, tzinfo=UTC))
    expected.remove(datetime(2027, 3, 2, 17, 30, tzinfo=UTC))
    expected.append(datetime(2027, 3, 4, 18, 0, tzinfo=UTC))
    assert _utc_starts(data) == sorted(expected)
    # The feed of single events says the same, with the cancelled one marked CANCELLED.
    single = icalendar.Calendar.from_ical(community.ok("export", "ics", "--group", "roma").stdout)
    live = [e for e in single.walk("VEVENT") if str(e["STATUS"]) != "CANCELLED"]
    assert sorted(e["DTSTART"].dt.astimezone(UTC) for e in live) == sorted(expected)
    (gone,) = [e for e in single.walk("VEVENT") if str(e["STATUS"]) == "CANCELLED"]
    assert gone["DTSTART"].dt.astimezone(UTC) == datetime(2027, 2, 16, 17, 30, tzinfo=UTC)


def test_monthly_and_biweekly_series(cli: Cli) -> None:
    cli.ok("member", "add", "Ann", "--email", "ann@example.com")
    cli.ok(
        "group",
        "create",
        "Monthly",
        "--cadence",
        "monthly",
        "--day",
        "tue",
        "--start",
        "2027-01-12",
        "--timezone",
        "Europe/Rome",
        "--member",
        "1",
    )
    cli.ok("group", "create", "Fortnight", "--cadence", "biweekly", "--day", "thu", "--start",
           "2027-01-07", "--timezone", "America/New_York", "--member", "1")  # fmt: skip
    cli.ok("session", "plan", "monthly", "--from", "2027-01-01", "--count", "12")
    cli.ok("session", "plan", "fortnight", "--from", "2027-01-01", "--count", "26")
    monthly = cli.ok("export", "ics", "--group", "monthly", "--series").stdout
    assert "BYDAY=2TU" in monthly
    starts = _utc_starts(monthly.encode())
    assert len(starts) == 12
    assert all(s.astimezone(ZoneInfo("Europe/Rome")).time() == time(18, 30) for s in starts)
    assert all(8 <= s.astimezone(ZoneInfo("Europe/Rome")).day <= 14 for s in starts)
    fortnight = cli.ok("export", "ics", "--group", "fortnight", "--series").stdout
    assert "INTERVAL=2" in fortnight
    starts = _utc_starts(fortnight.encode())
    assert len(starts) == 26
    days = [s.astimezone(ZoneInfo("America/New_York")).date() for s in starts]
    assert {(b - a).days for a, b in itertools.pairwise(days)} == {14}


def test_one_session_and_output_file(community: Cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "one.ics"
    result = community("export", "ics", "--session", "1", "--output", str(out))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert out.stat().st_mode & 0o777 == 0o600
    cal = icalendar.Calendar.from_ical(out.read_bytes())
    assert len(cal.walk("VEVENT")) == 1


@pytest.mark.parametrize(
    "args",
    [[], ["--all", "--group", "roma"], ["--session", "1", "--member", "1"], ["--all", "--series"]],
)
def test_choose_exactly_one_scope(community: Cli, args: list[str]) -> None:
    assert_usage_error(community("export", "ics", *args))
