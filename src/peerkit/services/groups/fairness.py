"""Fair hours across zones: what a meeting costs each member, and slots taken in turn.

THE rule: a meeting is hard for a member when it does not lie within 08:00-21:00 of their
own zone. Its cost is how far it lies outside, in minutes: how much later it would have to
start to begin at 08:00 (early), or how much earlier to end at 21:00 (late); 0 inside. Each
occurrence is costed on its own date, from its real UTC instants (so a daylight-saving change
in the member's zone or the group's moves the cost with it). Everything that speaks of fair
hours (`group slots`, `group show`, `stats`) asks `cost`.

A group may take two or three slots in turn (`--rotate-slots "tue 07:00,tue 19:00"`, in the
group's zone): its meeting number i of the cadence (counted from the group's first date) takes
slot i modulo their number, on that slot's weekday in the week of the cadence date. The index
comes from the date alone, so planning again gives the same times.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from peerkit.enums import Cadence, MeetingStatus
from peerkit.errors import InvalidValue
from peerkit.models import Group, Meeting, Member
from peerkit.services.common import schedule, validate

_OPENS, _CLOSES = time(8), time(21)  # the hours nobody minds, in a member's own zone
HOURS = "08\u201321"  # 08-21, with an en dash
MIN_ROTATION, MAX_ROTATION = 2, 3
EARLY, LATE = "early", "late"


@dataclass(frozen=True)
class Cost:
    """How far one occurrence lies outside a member's 08:00-21:00 (minutes; side: early,
    late, or None when it is inside)."""

    minutes: int
    side: str | None

    @property
    def hard(self) -> bool:
        return self.minutes > 0


INSIDE = Cost(0, None)


def cost(start: datetime, duration: int, zone: str) -> Cost:
    """THE rule: the cost of a meeting starting at START (aware) for DURATION minutes, for a
    member in ZONE."""
    start = start.astimezone(UTC)
    end = start + timedelta(minutes=duration)
    tz = ZoneInfo(zone)
    begins, ends = start.astimezone(tz), end.astimezone(tz)
    if begins.date() == ends.date() and begins.time() >= _OPENS and ends.time() <= _CLOSES:
        return INSIDE  # the common case, read on the wall clock
    local = begins.date()
    best: Cost | None = None
    for offset in (-1, 0, 1):
        on = local + timedelta(days=offset)
        opens, closes = schedule.instant(on, _OPENS, tz), schedule.instant(on, _CLOSES, tz)
        if start >= opens and end <= closes:
            return INSIDE
        found = (
            Cost(_minutes(opens - start), EARLY)
            if start < opens
            else Cost(_minutes(end - closes), LATE)
        )
        if best is None or found.minutes < best.minutes:
            best = found
    assert best is not None
    return best


# No zone changes its offset twice within this long either side of a meeting (a day of a
# meeting's own, the day before and the day after are what `cost` reads).
_AROUND = timedelta(days=3)


class Costs:
    """`cost` of many meetings for members in a few zones (`stats` asks it for every held
    meeting and zone): what it says depends only on the meeting's start time of day in UTC,
    its duration and the zone's offset, so each of those is costed once, unless the zone's
    offset changes near the meeting (then `cost` itself is asked)."""

    def __init__(self) -> None:
        self._zones: dict[str, ZoneInfo] = {}
        self._known: dict[tuple[str, time, int, timedelta | None], Cost] = {}

    def cost(self, start: datetime, duration: int, zone: str) -> Cost:
        tz = self._zones.get(zone)
        if tz is None:
            tz = self._zones[zone] = ZoneInfo(zone)
        if start.tzinfo is not UTC:  # the database's times are UTC already
            start = start.astimezone(UTC)
        offset = tz.utcoffset(start)
        if tz.utcoffset(start - _AROUND) != offset or tz.utcoffset(start + _AROUND) != offset:
            return cost(start, duration, zone)
        key = (zone, start.time(), duration, offset)
        found = self._known.get(key)
        if found is None:
            found = self._known[key] = cost(start, duration, zone)
        return found


def _minutes(span: timedelta) -> int:
    return round(span.total_seconds() / 60)


def hard_words(found: Cost) -> str:
    """'2h early', '30 min late'."""
    hours, minutes = divmod(found.minutes, 60)
    if hours and minutes:
        amount = f"{hours}h{minutes:02d}"
    elif hours:
        amount = f"{hours}h"
    else:
        amount = f"{minutes} min"
    return f"{amount} {found.side}"


# --- slots taken in turn ----------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """A weekly slot in the group's zone: weekday (0 = Monday) and HH:MM."""

    day: int
    time: str

    def __str__(self) -> str:
        return f"{validate.DAYS[self.day]} {self.time}"


def parse_slots(text: str, what: str = "--rotate-slots") -> list[Slot]:
    """'tue 07:00,tue 19:00' as 2 or 3 distinct slots; refused at the door otherwise."""
    parts = [p.strip() for p in text.split(",")]
    if not any(parts):
        raise InvalidValue(f'{what} is empty; give 2 or 3 slots like "tue 07:00,tue 19:00".')
    found: list[Slot] = []
    for part in parts:
        words = part.split()
        if len(words) != 2:
            raise InvalidValue(f"{what}: '{part}' is not a slot; write it like \"tue 07:00\".")
        try:
            slot = Slot(schedule.day(words[0]), schedule.clock(words[1]))
        except InvalidValue as problem:
            raise InvalidValue(f"{what}: {problem}") from None
        if slot in found:
            raise InvalidValue(f"{what}: {slot} is given twice; each slot once.")
        found.append(slot)
    if not MIN_ROTATION <= len(found) <= MAX_ROTATION:
        raise InvalidValue(
            f"{what} takes {MIN_ROTATION} or {MAX_ROTATION} slots in turn, not {len(found)}; "
            "a group with one slot keeps --day and --time."
        )
    return found


def stored(slots: Sequence[Slot]) -> list[str]:
    return [str(s) for s in slots]


def loaded(texts: Sequence[str]) -> list[Slot]:
    out = []
    for text in texts:
        day_word, hhmm = text.split()
        out.append(Slot(validate.DAYS.index(day_word), hhmm))
    return out


def cadence_index(cadence: Cadence, anchor: date, on: date) -> int:
    """The number of a cadence date ON among the group's meetings, 0 for the first (ANCHOR)."""
    if cadence == Cadence.MONTHLY:
        return (on.year - anchor.year) * 12 + on.month - anchor.month
    return (on - anchor).days // schedule.CADENCE_STEP[cadence]


def when(
    cadence: Cadence, anchor: date, rotate: Sequence[str], on: date, hhmm: str
) -> tuple[date, str]:
    """The local date and time of the meeting of cadence date ON: the group's own day and
    time (HHMM), or, with slots in turn, the slot of its index in that date's week."""
    if not rotate:
        return on, hhmm
    slots = loaded(rotate)
    slot = slots[cadence_index(cadence, anchor, on) % len(slots)]
    monday = on - timedelta(days=on.weekday())
    return monday + timedelta(days=slot.day), slot.time


# --- counting --------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """A member's meetings, and how many of them (and how many minutes) outside 08-21."""

    meetings: int = 0
    outside: int = 0
    outside_minutes: int = 0


def tally(occurrences: Iterable[tuple[datetime, int]], zone: str) -> Tally:
    """The costs of meetings (start, duration) for a member in ZONE, added up."""
    meetings = outside = minutes = 0
    for start, duration in occurrences:
        found = cost(start, duration, zone)
        meetings += 1
        if found.hard:
            outside += 1
            minutes += found.minutes
    return Tally(meetings, outside, minutes)


def line(tallies: Sequence[tuple[str, Tally]]) -> str:
    """'fair hours: Aiko 2 of 8 meetings outside 08-21, Lucas 2 of 8, everyone else 0'; those
    with no meeting outside the hours are named only when nobody has one."""
    hard = [(name, t) for name, t in tallies if t.outside]
    if not hard:
        most = max((t.meetings for _n, t in tallies), default=0)
        return f"fair hours: all {most} meetings within {HOURS} for everyone"
    parts = [
        f"{name} {t.outside} of {t.meetings}" + (f" meetings outside {HOURS}" if n == 0 else "")
        for n, (name, t) in enumerate(hard)
    ]
    if len(hard) < len(tallies):
        parts.append("everyone else 0")
    return "fair hours: " + ", ".join(parts)


def of_group(session: Session, group: Group, members: list[Member]) -> list[dict[str, Any]]:
    """`group show`'s fairness: per member (its current ones), the group's meetings (all but
    the cancelled ones, held or planned), how many are outside 08-21 for them, and by how much
    (one query, then each member's zone in Python)."""
    rows = session.exec(
        select(col(Meeting.start), col(Meeting.duration)).where(
            Meeting.group_id == group.id, Meeting.status != MeetingStatus.CANCELLED
        )
    ).all()
    meetings = [(start, duration) for start, duration in rows]
    out = []
    for member in members:
        found = tally(meetings, member.timezone)
        out.append(
            {
                "member": member.id,
                "meetings": found.meetings,
                "outside": found.outside,
                "outside_minutes": found.outside_minutes,
            }
        )
    return out
