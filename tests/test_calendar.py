"""Calendar files judged by other people's parsers: icalendar, vobject, recurring_ical_events."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import vobject

from peerkit.calendar import calendar, to_bytes, vtimezone

SIX_THIRTY = time(18, 30)
ZONES = ["Europe/Rome", "Europe/London", "America/New_York", "America/Sao_Paulo",
         "Australia/Sydney", "Asia/Tokyo", "Asia/Kolkata"]  # fmt: skip


def _event(start: datetime, uid: str = "u@peerkit") -> icalendar.Event:
    ev = icalendar.Event()
    ev.add("uid", uid)
    ev.add("dtstamp", datetime(2026, 1, 1, tzinfo=UTC))
    ev.add("dtstart", start)
    ev.add("dtend", start + timedelta(minutes=90))
    return ev


@pytest.mark.parametrize("zone", ZONES)
def test_vobject_reads_our_vtimezone_like_the_iana_data(zone: str) -> None:
    """Every half hour over three years, vobject's reading of the VTIMEZONE agrees with zoneinfo."""
    cal = calendar([_event(datetime(2026, 7, 14, 18, 30, tzinfo=ZoneInfo(zone)))])
    parsed = vobject.readOne(to_bytes(cal).decode())
    theirs = parsed.vevent.dtstart.value.tzinfo
    moment = datetime(2025, 1, 1, tzinfo=UTC)
    while moment < datetime(2028, 1, 1, tzinfo=UTC):
        local = moment.astimezone(ZoneInfo(zone))
        if not local.fold:  # the repeated hour of an autumn change is ambiguous by nature
            mine = _attach(local.replace(tzinfo=None), theirs, dst=bool(local.dst()))
            assert mine.utcoffset() == local.utcoffset(), local
        moment += timedelta(minutes=30)


def test_vtimezone_has_one_rdate_per_line_and_rfc_onsets() -> None:
    text = vtimezone("Europe/Rome", date(2026, 1, 1), date(2026, 12, 31)).to_ical().decode()
    rdates = [line for line in text.splitlines() if line.startswith("RDATE")]
    assert rdates
    assert all("," not in line for line in rdates)
    # Spring forward in Rome: 02:00 local (still +01:00) is the onset, not 03:00.
    assert "RDATE:20260329T020000" in rdates


def _attach(naive: datetime, zone: Any, dst: bool) -> datetime:
    """vobject may hand back a pytz zone for a well-known TZID: those need localize()
    (told which side of an ambiguous autumn hour is meant)."""
    if hasattr(zone, "localize"):
        return zone.localize(naive, is_dst=dst)  # type: ignore[no-any-return]
    return naive.replace(tzinfo=zone)


def _weekly_events(zone: str, weeks: int) -> list[icalendar.Event]:
    first = date(2027, 2, 2)
    tz = ZoneInfo(zone)
    days = [first + timedelta(weeks=i) for i in range(weeks)]
    return [_event(datetime.combine(d, SIX_THIRTY, tz), f"{zone}-{d}@x") for d in days]


@pytest.mark.parametrize("zone", ["Europe/Rome", "America/New_York", "Australia/Sydney"])
def test_three_parsers_agree_on_every_occurrence_across_dst(zone: str) -> None:
    events = _weekly_events(zone, 40)  # February to November: both changes
    data = to_bytes(calendar(events, method="PUBLISH"))
    expected = sorted(e["DTSTART"].dt.astimezone(UTC) for e in events)

    ours = icalendar.Calendar.from_ical(data)
    by_icalendar = sorted(e["DTSTART"].dt.astimezone(UTC) for e in ours.walk("VEVENT"))
    by_vobject = sorted(
        v.dtstart.value.astimezone(UTC) for v in vobject.readOne(data.decode()).vevent_list
    )
    by_recurring = sorted(
        o["DTSTART"].dt.astimezone(UTC)
        for o in recurring_ical_events.of(ours).between(date(2027, 1, 1), date(2028, 1, 1))
    )
    assert by_icalendar == by_vobject == by_recurring == expected
    offsets = {e["DTSTART"].dt.utcoffset() for e in events}
    assert len(offsets) == 2  # the meetings really do cross a daylight-saving change
