"""`group slots`: when a group's members can all meet, in the group's own zone (or the reader's)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from peerkit.errors import InvalidValue
from peerkit.models import Group, Member
from peerkit.services.common import validate
from peerkit.services.formation import weekly
from peerkit.services.groups import roster

STEP = 5  # minutes: the resolution of the windows shown
DAY_BLOCKS = weekly.DAY_MINUTES // STEP
WEEK_BLOCKS = weekly.WEEK_DAYS * DAY_BLOCKS
MAX_WEEKS = 52  # --weeks: windows that hold for up to a year
CELL_MINUTES = 30  # the chart draws a day as cells of half an hour (48), or of an hour
FREE, PART, BUSY = "█", "▒", "·"  # a cell: free all of it, part of it, none of it


@dataclass
class Week:
    """Each member's availability over the days from `first`, in ZONE: the group's, or the
    reader's (--timezone)."""

    group: Group
    first: date
    weeks: int
    members: list[Member]
    free: list[int]  # per member: bit i = block i of the first week, free in every week
    zone: str


def gather(
    session: Session, group: Group, first: date, weeks: int = 1, zone: str | None = None
) -> Week:
    if not 1 <= weeks <= MAX_WEEKS:
        raise InvalidValue(f"--weeks {weeks}: use 1 to {MAX_WEEKS}.")
    validate.in_window(first, "--from")
    shown_in = group.timezone if zone is None else validate.timezone(zone)
    members = [m for _, m in roster.current_memberships(session, group)]
    free = []
    for member in members:
        bits = -1
        for w in range(weeks):
            spans = weekly.intervals(
                member.availability, member.timezone, shown_in, first + timedelta(weeks=w)
            )
            bits &= weekly.mask(spans, STEP)
        free.append(bits & ((1 << WEEK_BLOCKS) - 1))
    return Week(group, first, weeks, members, free, shown_in)


def windows(week: Week) -> list[dict[str, Any]]:
    """Windows where everyone is free, and where all but one are (with who is missing)."""
    n = len(week.members)
    if n == 0:
        return []
    out: list[dict[str, Any]] = []
    for day in range(weekly.WEEK_DAYS):
        current: tuple[int, ...] | None = None
        begin = 0
        for block in range(day * DAY_BLOCKS, (day + 1) * DAY_BLOCKS + 1):
            here = _free_at(week, block) if block < (day + 1) * DAY_BLOCKS else None
            enough = here is not None and len(here) >= max(1, n - 1)
            state = here if enough else None
            if state != current:
                if current is not None:
                    out.append(_window(week, day, begin, block, current))
                current, begin = state, block
    return out


def _free_at(week: Week, block: int) -> tuple[int, ...]:
    return tuple(i for i, bits in enumerate(week.free) if bits >> block & 1)


def _window(week: Week, day: int, begin: int, end: int, present: tuple[int, ...]) -> dict[str, Any]:
    on = week.first + timedelta(days=day)
    ids = [week.members[i].id for i in present]
    missing = [m.id for i, m in enumerate(week.members) if i not in present]
    start = (begin - day * DAY_BLOCKS) * STEP
    stop = (end - day * DAY_BLOCKS) * STEP
    return {
        "day": validate.DAYS[on.weekday()],
        "date": on.isoformat(),
        "start": _hhmm(start),
        "end": _hhmm(stop),
        "minutes": stop - start,
        "timezone": week.zone,
        "everyone": not missing,
        "available": ids,
        "missing": missing,
    }


def _hhmm(minutes: int) -> str:
    hours, rest = divmod(minutes, weekly.HOUR_MINUTES)
    return f"{hours:02d}:{rest:02d}"


@dataclass(frozen=True)
class ChartDay:
    """One day of the chart: a bar per member (in the order of `Week.members`), then the
    bars of the times when everyone is free and when all but one are."""

    day: date
    members: list[str]
    everyone: str
    all_but_one: str


def chart(week: Week, cell_minutes: int = CELL_MINUTES) -> list[ChartDay]:
    """The days when someone is free, each as bars of cells of CELL_MINUTES (30: 48 cells
    a day; 60: 24): FREE when free the whole cell, PART when free part of it, BUSY otherwise.
    """
    if weekly.DAY_MINUTES % cell_minutes or cell_minutes % STEP:
        raise ValueError(f"a chart cell of {cell_minutes} minutes does not divide the day")
    per_cell = cell_minutes // STEP  # blocks in a cell
    days: list[ChartDay] = []
    for day in range(weekly.WEEK_DAYS):
        base = day * DAY_BLOCKS
        if not any(bits >> base & ((1 << DAY_BLOCKS) - 1) for bits in week.free):
            continue
        bars = [
            _bar(bits >> base, per_cell)
            for bits in [*week.free, _all(week.free), _all_but_one(week.free)]
        ]
        on = week.first + timedelta(days=day)
        days.append(ChartDay(on, bars[:-2], bars[-2], bars[-1]))
    return days


def _bar(bits: int, per_cell: int) -> str:
    whole = (1 << per_cell) - 1
    cells = []
    for cell in range(DAY_BLOCKS // per_cell):
        part = bits >> (cell * per_cell) & whole
        cells.append(FREE if part == whole else PART if part else BUSY)
    return "".join(cells)


def _all(free: list[int]) -> int:
    bits = -1
    for b in free:
        bits &= b
    return bits if free else 0


def _all_but_one(free: list[int]) -> int:
    bits = 0
    for skip in range(len(free)):
        bits |= _all([b for i, b in enumerate(free) if i != skip])
    return bits if len(free) > 1 else _all(free)
