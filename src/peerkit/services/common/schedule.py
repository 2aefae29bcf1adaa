"""Cadences and wall-clock time: pure date arithmetic, daylight-saving aware.

A group meets at a local wall-clock time in its own zone ("Tuesday 18:30 in Rome"),
all year: the UTC instant moves when the zone's offset changes, the local time does not.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from peerkit.defaults import DATES
from peerkit.enums import Cadence
from peerkit.errors import InvalidValue
from peerkit.services.common import validate
from peerkit.services.common.validate import _DAY_ALIASES, DAYS

CADENCE_STEP: dict[Cadence, int] = {Cadence.WEEKLY: 7, Cadence.BIWEEKLY: 14}  # days apart
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})")


def day(value: str) -> int:
    """mon..sun (English or Italian) to 0..6."""
    key = _DAY_ALIASES.get(value.strip().lower())
    if key is None:
        raise InvalidValue(f"unknown day '{value}'; use mon, tue, wed, thu, fri, sat or sun.")
    return DAYS.index(key)


def clock(value: str) -> str:
    """A wall-clock time as HH:MM."""
    m = _TIME.fullmatch(value.strip())
    if not m or int(m[1]) > 23 or int(m[2]) > 59:
        raise InvalidValue(f"'{value}' is not a time of day; write it like 18:30.")
    return f"{int(m[1]):02d}:{m[2]}"


def local_datetime(on: date, hhmm: str, zone: str) -> datetime:
    """The aware local datetime of a wall-clock time on a date.

    A time that does not exist (skipped by a spring-forward change) moves forward by
    the gap, as calendar applications do; an ambiguous one takes its first occurrence.
    """
    hours, minutes = (int(p) for p in hhmm.split(":"))
    tz = ZoneInfo(zone)
    naive = datetime.combine(on, time(hours, minutes))
    aware = naive.replace(tzinfo=tz, fold=0)
    # Round-trip through UTC normalises a non-existent time to the real one after the gap.
    return aware.astimezone(UTC).astimezone(tz)


def readings(on: date, hhmm: str, zone: str) -> int:
    """How many instants a wall-clock time is on a date: 1, or 2 when clocks go back
    through it (the repeated hour), 0 when they jump over it (the missing hour)."""
    hours, minutes = (int(p) for p in hhmm.split(":"))
    tz = ZoneInfo(zone)
    naive = datetime.combine(on, time(hours, minutes))
    first = naive.replace(tzinfo=tz, fold=0)
    if first.utcoffset() == naive.replace(tzinfo=tz, fold=1).utcoffset():
        return 1
    exists = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive
    return 2 if exists else 0


def clock_note(on: date, hhmm: str, zone: str) -> str | None:
    """In words, what a meeting at HHMM on a date in ZONE means when that time is missing or
    repeated that night (None when it is an ordinary time)."""
    found = readings(on, hhmm, zone)
    if found == 1:
        return None
    day = f"{on:%a} {on.day} {on:%b %Y}"
    real = local_datetime(on, hhmm, zone)
    if found == 0:
        return (
            f"{hhmm} does not exist in {zone} on {day} (clocks go forward): "
            f"that meeting is at {real:%H:%M}"
        )
    return (
        f"{hhmm} happens twice in {zone} on {day} (clocks go back): that meeting is at "
        f"the first one, {real.astimezone(UTC):%H:%M} UTC"
    )


def clock_notes(dates: list[date], hhmm: str, zone: str, most: int = 3) -> list[str]:
    """clock_note for the first MOST such dates among DATES, then how many more."""
    notes = [n for d in dates if (n := clock_note(d, hhmm, zone)) is not None]
    if len(notes) > most:
        notes = [*notes[:most], f"and {len(notes) - most} more date(s) like these"]
    return notes


def parse_local(text: str, zone: str, what: str = "--start") -> datetime:
    """ "YYYY-MM-DD HH:MM" in a zone, as an aware datetime (a date within defaults.DATES)."""
    try:
        naive = datetime.strptime(" ".join(text.split()), "%Y-%m-%d %H:%M")
    except ValueError:
        raise InvalidValue(f"{what} '{text}' is not like 2026-12-01 18:30.") from None
    validate.in_window(naive.date(), what, f"'{text.strip()}'")
    return local_datetime(naive.date(), naive.strftime("%H:%M"), zone)


def to_utc(on: date, hhmm: str, zone: str) -> datetime:
    return local_datetime(on, hhmm, zone).astimezone(UTC)


def instant(on: date, at: time, tz: ZoneInfo) -> datetime:
    """to_utc for a time and zone already parsed (the same instant: a missing time moves on
    by the gap, a repeated one is its first reading), for loops over many meetings."""
    return datetime.combine(on, at, tzinfo=tz).astimezone(UTC)


def first_on_or_after(start: date, weekday: int) -> date:
    return start + timedelta(days=(weekday - start.weekday()) % 7)


def week_of_month(d: date) -> int:
    """1..4 for the first to fourth weekday of its kind in the month, -1 for a fifth."""
    nth = (d.day - 1) // 7 + 1
    return -1 if nth == 5 else nth


def is_nth_weekday(d: date, nth: int) -> bool:
    if nth == -1:
        return (d + timedelta(days=7)).month != d.month
    return (d.day - 1) // 7 + 1 == nth


def is_slot(cadence: Cadence, weekday: int, anchor: date, d: date) -> bool:
    """Whether the group's cadence has a meeting on date d."""
    if d.weekday() != weekday or d < anchor:
        return False
    if cadence == Cadence.MONTHLY:
        return is_nth_weekday(d, week_of_month(anchor))
    return (d - anchor).days % CADENCE_STEP[cadence] == 0


def slots(cadence: Cadence, weekday: int, anchor: date, start: date, end: date) -> list[date]:
    """Meeting dates from start to end inclusive."""
    out: list[date] = []
    d = first_on_or_after(max(start, anchor), weekday)
    while d <= end:
        if is_slot(cadence, weekday, anchor, d):
            out.append(d)
        d += timedelta(days=7)
    return out


def next_slots(cadence: Cadence, weekday: int, anchor: date, start: date, count: int) -> list[date]:
    out: list[date] = []
    d = first_on_or_after(max(start, anchor), weekday)
    while len(out) < count:
        if is_slot(cadence, weekday, anchor, d):
            out.append(d)
        d += timedelta(days=7)
    return out


def iso_week(value: str) -> tuple[date, date]:
    """'2026-W49' to its Monday and Sunday."""
    m = re.fullmatch(r"(\d{4})-?W(\d{1,2})", value.strip(), flags=re.IGNORECASE)
    if not m:
        raise InvalidValue(f"'{value}' is not an ISO week; write it like 2026-W49.")
    try:
        monday = date.fromisocalendar(int(m[1]), int(m[2]), 1)
    except ValueError:
        raise InvalidValue(f"{value} does not exist; weeks run from W01 to W52 or W53.") from None
    # A week with any of its days within the accepted dates is fine.
    if not DATES.first - timedelta(days=6) <= monday <= DATES.last:
        validate.in_window(monday, "the week", value.strip())
    return monday, monday + timedelta(days=6)


def week_label(d: date) -> str:
    year, week, _ = d.isocalendar()
    return f"{year}-W{week:02d}"
