"""Cadences and wall-clock time: a group meets at the same local time all year.

Checked against zoneinfo: the UTC instant moves when the zone's offset changes (the
last Sundays of March and October in Europe, the 2nd Sunday of March and the 1st of
November in the US), the local time does not.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import Cli, assert_error

if TYPE_CHECKING:
    from tests.factories import World

pytest_plugins = ["tests.factories"]

ROME = ZoneInfo("Europe/Rome")
NEW_YORK = ZoneInfo("America/New_York")
CET, CEST = timedelta(hours=1), timedelta(hours=2)
EST, EDT = timedelta(hours=-5), timedelta(hours=-4)

# 2027: Europe changes on the last Sundays of March and October,
# the US on the 2nd Sunday of March and the 1st Sunday of November.
EU_SPRING, EU_AUTUMN = date(2027, 3, 28), date(2027, 10, 31)
US_SPRING, US_AUTUMN = date(2027, 3, 14), date(2027, 11, 7)


def tuesdays(year: int) -> list[date]:
    d = date(year, 1, 1)
    d += timedelta(days=(1 - d.weekday()) % 7)
    out = []
    while d.year == year:
        out.append(d)
        d += timedelta(days=7)
    return out


def test_the_2027_change_dates_are_the_ones_these_tests_assume() -> None:
    def offset(d: date, zone: ZoneInfo) -> timedelta | None:
        return datetime.combine(d, time(12), zone).utcoffset()

    for day, zone, before, after in [
        (EU_SPRING, ROME, CET, CEST),
        (EU_AUTUMN, ROME, CEST, CET),
        (US_SPRING, NEW_YORK, EST, EDT),
        (US_AUTUMN, NEW_YORK, EDT, EST),
    ]:
        assert day.weekday() == 6
        assert offset(day - timedelta(days=1), zone) == before
        assert offset(day, zone) == after


# --- wall-clock time across daylight-saving changes -----------------------------------


def test_rome_tuesday_1830_is_1830_in_rome_every_week_of_2027() -> None:
    from peerkit.services.common import schedule

    dates = schedule.slots("weekly", 1, date(2027, 1, 5), date(2027, 1, 1), date(2027, 12, 31))
    assert dates == tuesdays(2027)
    offsets = set()
    for d in dates:
        expected = datetime.combine(d, time(18, 30), ROME)
        local = schedule.local_datetime(d, "18:30", "Europe/Rome")
        utc = schedule.to_utc(d, "18:30", "Europe/Rome")
        assert (local.date(), local.time()) == (d, time(18, 30))
        assert local.utcoffset() == expected.utcoffset()
        assert utc.utcoffset() == timedelta(0)
        assert utc == expected
        assert utc.astimezone(ROME).time() == time(18, 30)
        offsets.add(local.utcoffset())
    assert offsets == {CET, CEST}


@pytest.mark.parametrize(
    ("day", "offset", "utc_time"),
    [
        (date(2027, 3, 23), CET, time(17, 30)),
        (date(2027, 3, 30), CEST, time(16, 30)),
        (date(2027, 10, 26), CEST, time(16, 30)),
        (date(2027, 11, 2), CET, time(17, 30)),
    ],
)
def test_rome_offset_changes_around_the_european_switches(
    day: date, offset: timedelta, utc_time: time
) -> None:
    from peerkit.services.common import schedule

    local = schedule.local_datetime(day, "18:30", "Europe/Rome")
    assert local.time() == time(18, 30)
    assert local.utcoffset() == offset
    assert schedule.to_utc(day, "18:30", "Europe/Rome").time() == utc_time


def test_stored_meetings_keep_the_local_time_and_store_utc(world: World) -> None:
    from sqlmodel import col, select

    from peerkit.models import Group, Meeting
    from peerkit.services.groups import meetings

    group_id = world.group("Rome evenings", [], day="tue", time="18:30", start=date(2027, 1, 5))
    with world.db.write() as session:
        planned = meetings.plan(
            session, session.get(Group, group_id), date(2027, 1, 1), until=date(2027, 12, 31)
        )
        assert len(planned) == 52
        assert all(created for _m, created in planned)
    with world.db.read() as session:
        rows = list(session.exec(select(Meeting).order_by(col(Meeting.start))))
    assert [m.slot_date for m in rows] == tuesdays(2027)
    for meeting in rows:
        assert meeting.timezone == "Europe/Rome"
        assert meeting.start.tzinfo is not None
        assert meeting.start.utcoffset() == timedelta(0)
        expected = datetime.combine(meeting.slot_date, time(18, 30), ROME)
        assert meeting.start == expected
        local = meetings.local_start(meeting)
        assert (local.date(), local.time()) == (meeting.slot_date, time(18, 30))
        assert local.utcoffset() == expected.utcoffset()


def test_session_list_shows_the_changing_offset(world: World, cli: Cli) -> None:
    world.group("Rome evenings", [], day="tue", time="18:30", start=date(2027, 1, 5))
    cli.ok("session", "plan", "rome-evenings", "--from", "2027-01-01", "--until", "2027-12-31")
    shown = json.loads(
        cli.ok("session", "list", "--from", "2027-03-20", "--to", "2027-04-03", "-f", "json").stdout
    )
    assert [s["start"] for s in shown] == [
        "2027-03-23T18:30:00+01:00",
        "2027-03-30T18:30:00+02:00",
    ]
    assert [s["end"] for s in shown] == [
        "2027-03-23T20:00:00+01:00",
        "2027-03-30T20:00:00+02:00",
    ]
    autumn = json.loads(
        cli.ok("session", "list", "--from", "2027-10-25", "--to", "2027-11-03", "-f", "json").stdout
    )
    assert [s["start"] for s in autumn] == [
        "2027-10-26T18:30:00+02:00",
        "2027-11-02T18:30:00+01:00",
    ]


def test_the_calendar_file_says_1830_rome_and_its_vtimezone_knows_the_change(
    world: World, tmp_path: Path
) -> None:
    """The .ics written by plan week: DTSTART 18:30 with TZID, and a VTIMEZONE whose own
    rules (not a lookup by name) give +01:00 before and +02:00 after 28 March 2027."""
    from icalendar import Calendar

    world.group("Rome evenings", [], day="tue", time="18:30", start=date(2027, 1, 5))
    out = tmp_path / "out"
    for week, day, offset in [("2027-W12", 23, CET), ("2027-W13", 30, CEST)]:
        world.plan_week(week, out)
        cal = Calendar.from_ical((out / week / "rome-evenings" / "session.ics").read_bytes())
        (event,) = [c for c in cal.walk() if c.name == "VEVENT"]
        assert event["DTSTART"].params["TZID"] == "Europe/Rome"
        start = event.decoded("DTSTART")
        assert (start.date(), start.time()) == (date(2027, 3, day), time(18, 30))
        (vtimezone,) = [c for c in cal.walk() if c.name == "VTIMEZONE"]
        assert str(vtimezone["TZID"]) == "Europe/Rome"
        own_rules = vtimezone.to_tz(lookup_tzid=False)
        naive = datetime(2027, 3, day, 18, 30)
        assert naive.replace(tzinfo=own_rules).utcoffset() == offset


# New York at 12:00 seen from Rome: normally 18:00, but 17:00 in the weeks when the US
# has changed and Europe has not (mid to late March, and the first week of November).
NEW_YORK_SEEN_FROM_ROME = [
    (date(2027, 3, 9), EST, CET, time(18, 0)),
    (date(2027, 3, 16), EDT, CET, time(17, 0)),
    (date(2027, 3, 23), EDT, CET, time(17, 0)),
    (date(2027, 3, 30), EDT, CEST, time(18, 0)),
    (date(2027, 10, 26), EDT, CEST, time(18, 0)),
    (date(2027, 11, 2), EDT, CET, time(17, 0)),
    (date(2027, 11, 9), EST, CET, time(18, 0)),
]


@pytest.mark.parametrize(("day", "ny_offset", "rome_offset", "in_rome"), NEW_YORK_SEEN_FROM_ROME)
def test_new_york_group_across_the_us_changes(
    day: date, ny_offset: timedelta, rome_offset: timedelta, in_rome: time
) -> None:
    from peerkit.services.common import schedule

    local = schedule.local_datetime(day, "12:00", "America/New_York")
    assert (local.date(), local.time()) == (day, time(12, 0))
    assert local.utcoffset() == ny_offset
    assert local == datetime.combine(day, time(12), NEW_YORK)
    seen = local.astimezone(ROME)
    assert seen.utcoffset() == rome_offset
    assert (seen.date(), seen.time()) == (day, in_rome)


def test_new_york_group_every_week_of_2027_is_noon_in_new_york() -> None:
    from peerkit.services.common import schedule

    for d in schedule.slots("weekly", 1, date(2027, 1, 5), date(2027, 1, 1), date(2027, 12, 31)):
        utc = schedule.to_utc(d, "12:00", "America/New_York")
        assert utc == datetime.combine(d, time(12), NEW_YORK)
        assert utc.astimezone(NEW_YORK).time() == time(12, 0)
        in_step = not (US_SPRING <= d < EU_SPRING or EU_AUTUMN <= d < US_AUTUMN)
        assert utc.astimezone(ROME).time() == (time(18) if in_step else time(17))


def test_session_list_in_a_viewer_zone_across_the_out_of_step_weeks(world: World, cli: Cli) -> None:
    world.group(
        "Noon in New York", [], day="tue", time="12:00", timezone="America/New_York",
        start=date(2027, 1, 5),
    )  # fmt: skip
    cli.ok("session", "plan", "noon-in-new-york", "--from", "2027-01-01", "--count", "52")
    shown = json.loads(
        cli.ok("session", "list", "--timezone", "Europe/Rome", "--format", "json").stdout
    )
    by_day = {s["start"][:10]: s for s in shown}
    assert len(by_day) == 52
    for day, ny_offset, rome_offset, in_rome in NEW_YORK_SEEN_FROM_ROME:
        row = by_day[day.isoformat()]
        ny = datetime.fromisoformat(row["start"])
        assert ny.time() == time(12, 0)
        assert ny.utcoffset() == ny_offset
        seen = datetime.fromisoformat(row["viewer_start"])
        assert (seen.time(), seen.utcoffset()) == (in_rome, rome_offset)
        assert row["viewer_timezone"] == "Europe/Rome"
        assert ny == seen


# --- times that do not exist, or exist twice ------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "expected_time", "expected_offset"),
    [
        ("Europe/Rome", EU_SPRING, time(3, 30), CEST),
        ("America/New_York", US_SPRING, time(3, 30), EDT),
    ],
)
def test_a_nonexistent_local_time_moves_forward_by_the_gap(
    zone: str, day: date, expected_time: time, expected_offset: timedelta
) -> None:
    from peerkit.services.common import schedule

    local = schedule.local_datetime(day, "02:30", zone)
    assert (local.date(), local.time()) == (day, expected_time)
    assert local.utcoffset() == expected_offset
    # One real hour after 01:30, the last half hour before the gap.
    before_gap = datetime.combine(day, time(1, 30), ZoneInfo(zone))
    assert local.astimezone(UTC) - before_gap.astimezone(UTC) == timedelta(hours=1)
    assert schedule.to_utc(day, "02:30", zone) == local.astimezone(UTC)


def test_an_ambiguous_local_time_takes_its_first_occurrence() -> None:
    from peerkit.services.common import schedule

    local = schedule.local_datetime(EU_AUTUMN, "02:30", "Europe/Rome")
    assert local.time() == time(2, 30)
    assert local.utcoffset() == CEST
    assert schedule.to_utc(EU_AUTUMN, "02:30", "Europe/Rome") == datetime(
        2027, 10, 31, 0, 30, tzinfo=UTC
    )


def test_a_sunday_0230_group_meets_at_0330_on_the_spring_forward_day_only() -> None:
    from peerkit.services.common import schedule

    days = schedule.slots("weekly", 6, date(2027, 3, 21), date(2027, 3, 1), date(2027, 4, 4))
    assert days == [date(2027, 3, 21), date(2027, 3, 28), date(2027, 4, 4)]
    shown = [schedule.local_datetime(d, "02:30", "Europe/Rome") for d in days]
    assert [(s.time(), s.utcoffset()) for s in shown] == [
        (time(2, 30), CET),
        (time(3, 30), CEST),
        (time(2, 30), CEST),
    ]


# --- cadences --------------------------------------------------------------------------


def test_biweekly_keeps_its_parity_from_the_anchor_across_a_53_week_year() -> None:
    from peerkit.services.common import schedule

    anchor = date(2026, 12, 22)  # ISO week 52; 2026 has a week 53
    got = schedule.slots("biweekly", 1, anchor, date(2026, 12, 1), date(2027, 3, 1))
    assert got == [anchor + timedelta(days=14 * i) for i in range(5)]
    assert [d.isocalendar().week for d in got] == [52, 1, 3, 5, 7]
    # Whatever day one starts counting from, the fortnight stays the anchor's.
    for offset in range(0, 60):
        start = anchor + timedelta(days=offset)
        first = schedule.next_slots("biweekly", 1, anchor, start, 1)[0]
        assert first >= start
        assert (first - anchor).days % 14 == 0
        assert (first - start).days < 14
    assert schedule.next_slots("biweekly", 1, anchor, date(2027, 1, 6), 3) == [
        date(2027, 1, 19),
        date(2027, 2, 2),
        date(2027, 2, 16),
    ]


def test_no_meeting_before_the_anchor() -> None:
    from peerkit.services.common import schedule

    for cadence in ("weekly", "biweekly", "monthly"):
        got = schedule.slots(cadence, 1, date(2027, 1, 12), date(2026, 11, 1), date(2027, 1, 31))
        assert got[0] == date(2027, 1, 12)


def test_biweekly_plan_week_skips_the_off_weeks(world: World, tmp_path: Path) -> None:
    world.group("Fortnightly", [], cadence="biweekly", day="tue", start=date(2026, 12, 22))
    on, off, on_again = (
        world.plan_week(w, tmp_path / "out") for w in ("2026-W52", "2026-W53", "2027-W01")
    )
    assert [r.start[:10] for r in on] == ["2026-12-22"]
    assert [(r.status, r.session) for r in off] == [("none", None)]
    assert [r.start[:10] for r in on_again] == ["2027-01-05"]


def nth_weekday(d: date) -> int:
    return (d.day - 1) // 7 + 1


def is_last_of_month(d: date) -> bool:
    return (d + timedelta(days=7)).month != d.month


@pytest.mark.parametrize(
    ("anchor", "weekday"),
    [
        (date(2027, 1, 12), 1),  # 2nd Tuesday
        (date(2027, 1, 5), 1),  # 1st Tuesday
        (date(2027, 1, 21), 3),  # 3rd Thursday
        (date(2027, 2, 23), 1),  # 4th Tuesday, also the last in February
    ],
)
def test_monthly_is_the_same_weekday_of_the_month_as_the_anchor(anchor: date, weekday: int) -> None:
    from peerkit.services.common import schedule

    got = schedule.next_slots("monthly", weekday, anchor, anchor, 13)
    assert got[0] == anchor
    months = [(d.year, d.month) for d in got]
    assert len(set(months)) == 13, "one meeting a month, none skipped"
    first_month = anchor.year * 12 + anchor.month - 1
    assert [y * 12 + m - 1 for y, m in months] == list(range(first_month, first_month + 13))
    for d in got:
        assert d.weekday() == weekday
        assert nth_weekday(d) == nth_weekday(anchor)


def test_the_second_tuesday_stays_the_second_tuesday() -> None:
    from peerkit.services.common import schedule

    got = schedule.next_slots("monthly", 1, date(2027, 1, 12), date(2027, 1, 1), 12)
    assert got == [
        date(2027, 1, 12), date(2027, 2, 9), date(2027, 3, 9), date(2027, 4, 13),
        date(2027, 5, 11), date(2027, 6, 8), date(2027, 7, 13), date(2027, 8, 10),
        date(2027, 9, 14), date(2027, 10, 12), date(2027, 11, 9), date(2027, 12, 14),
    ]  # fmt: skip


def test_a_fifth_week_anchor_means_the_last_weekday_of_each_month() -> None:
    from peerkit.services.common import schedule

    anchor = date(2026, 12, 29)  # the 5th Tuesday of December 2026
    assert nth_weekday(anchor) == 5
    got = schedule.next_slots("monthly", 1, anchor, anchor, 13)
    assert got[0] == anchor
    assert len({(d.year, d.month) for d in got}) == 13
    for d in got:
        assert d.weekday() == 1
        assert is_last_of_month(d), d
    # Months with only four Tuesdays still have their meeting, on the 4th.
    assert date(2027, 2, 23) in got
    assert date(2027, 3, 30) in got


def test_a_monthly_group_plans_one_meeting_a_month(world: World) -> None:
    from peerkit.models import Group
    from peerkit.services.groups import meetings

    group_id = world.group("Monthly", [], cadence="monthly", day="tue", start=date(2027, 1, 12))
    with world.db.write() as session:
        planned = meetings.plan(session, session.get(Group, group_id), date(2027, 1, 1), count=12)
        days = [m.slot_date for m, _ in planned]
        starts = [meetings.local_start(m) for m, _ in planned]
    assert all(nth_weekday(d) == 2 and d.weekday() == 1 for d in days)
    assert [d.month for d in days] == list(range(1, 13))
    assert {s.time() for s in starts} == {time(18, 30)}


# --- ISO weeks -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "monday", "sunday"),
    [
        ("2026-W49", date(2026, 11, 30), date(2026, 12, 6)),
        ("2026-W53", date(2026, 12, 28), date(2027, 1, 3)),
        ("2027-W01", date(2027, 1, 4), date(2027, 1, 10)),
        ("2027-W52", date(2027, 12, 27), date(2028, 1, 2)),
        ("2026W49", date(2026, 11, 30), date(2026, 12, 6)),
        ("2026-w49", date(2026, 11, 30), date(2026, 12, 6)),
    ],
)
def test_iso_week_parses_to_its_monday_and_sunday(text: str, monday: date, sunday: date) -> None:
    from peerkit.services.common import schedule

    assert schedule.iso_week(text) == (monday, sunday)
    assert schedule.week_label(monday) == schedule.week_label(sunday)


@pytest.mark.parametrize("text", ["2027-W53", "2026-W54", "2026-W00", "2026-49", "W49", "next"])
def test_iso_week_refuses_weeks_that_do_not_exist(text: str) -> None:
    from peerkit.errors import InvalidValue
    from peerkit.services.common import schedule

    with pytest.raises(InvalidValue) as caught:
        schedule.iso_week(text)
    assert text in caught.value.message
    assert "W49" in caught.value.message or "W52" in caught.value.message


def test_week_labels_across_the_year_end() -> None:
    from peerkit.services.common import schedule

    assert schedule.week_label(date(2027, 1, 1)) == "2026-W53"
    assert schedule.week_label(date(2027, 1, 4)) == "2027-W01"
    assert schedule.week_label(date(2027, 12, 31)) == "2027-W52"


def test_plan_week_refuses_a_week_53_that_does_not_exist(cli: Cli, tmp_path: Path) -> None:
    result = cli("plan", "week", "--week", "2027-W53", "--out", str(tmp_path / "out"))
    assert_error(result, "2027-W53")
    assert not (tmp_path / "out").exists()
