"""Holidays and breaks: the days a group does not meet, and where its meeting goes then.

A day is closed for a group when it is a public holiday of one of the community's
countries (services/common/holidays.py) or inside a break, of the whole community or of
that group. `place` is the one rule for a cadence date that falls on such a day, used by
`session plan` (meetings.plan) and `plan week` (planning.plan): the group's `on_holiday`
says skip it, or move it to the next (or previous) open day, at most MAX_SHIFT days away;
a meeting that finds no open day that near is skipped. A skipped meeting is never made,
so it takes nobody's turn (services/groups/rotation.py counts only meetings held).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, select

from peerkit.enums import OnHoliday
from peerkit.errors import InvalidValue, UsageProblem
from peerkit.models import Break, Community, Group, id_of
from peerkit.services.common import holidays, lookup, validate
from peerkit.services.groups import fairness, roster

MAX_SHIFT = 3  # days a meeting may move before it is skipped instead
FINDER = lookup.Finder(Break, "break", "peerkit break list")


# --- the breaks themselves -------------------------------------------------------------


def add(
    session: Session, first: date, last: date, group: Group | None, reason: str | None
) -> Break:
    """A new break from FIRST to LAST (both included), of GROUP or of the community."""
    validate.in_window(first, "--from")
    validate.in_window(last, "--to")
    if first > last:
        raise InvalidValue(
            f"--from {first} is after --to {last}; a break ends on or after it starts."
        )
    row = Break(
        start_date=first,
        end_date=last,
        group_id=id_of(group) if group is not None else None,
        reason=validate.optional_line(reason, "the reason"),
    )
    session.add(row)
    session.flush()
    return row


def resolve(session: Session, ref: str | int) -> Break:
    return lookup.find(session, FINDER, ref)


def remove(session: Session, ref: str | int) -> Break:
    row = resolve(session, ref)
    session.delete(row)
    session.flush()
    return row


def listed(session: Session) -> list[dict[str, Any]]:
    """Every break, earliest first, as `break list` shows it."""
    rows = session.exec(
        select(Break, Group.slug)
        .outerjoin(Group, col(Group.id) == Break.group_id)
        .order_by(col(Break.start_date), col(Break.id))
    )
    return [to_dict(b, slug) for b, slug in rows]


def to_dict(row: Break, slug: str | None) -> dict[str, Any]:
    return {
        "id": row.id,
        "from": row.start_date.isoformat(),
        "to": row.end_date.isoformat(),
        "group": slug,
        "reason": row.reason,
        "days": (row.end_date - row.start_date).days + 1,
    }


def group_of(session: Session, ref: str | None) -> Group | None:
    """The group a break is for (None: the whole community)."""
    if ref is None:
        return None
    if not ref.strip():
        raise UsageProblem("--group needs a group's id or slug.")
    return roster.resolve(session, ref)


def overlapping(session: Session, first: date, last: date) -> list[Break]:
    """The breaks that touch FIRST..LAST, with the days a meeting may move (one statement)."""
    return list(session.exec(select(Break).where(*touching(first, last))))


def touching(first: date, last: date) -> tuple[Any, ...]:
    """The condition for a break that touches FIRST..LAST or the MAX_SHIFT days around."""
    return (
        col(Break.end_date) >= first - timedelta(days=MAX_SHIFT),
        col(Break.start_date) <= last + timedelta(days=MAX_SHIFT),
    )


# --- the rule ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Closures:
    """The community's holiday countries and the breaks near the dates being planned."""

    countries: tuple[str, ...] = ()
    locale: str = "en"
    spans: tuple[tuple[date, date, int | None, str | None], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.countries or self.spans)

    def why(self, day: date, group_id: int) -> str | None:
        """Why a group does not meet on DAY, in words; None when it does."""
        for first, last, owner, reason in self.spans:
            if first <= day <= last and owner in (None, group_id):
                return f"break ({reason})" if reason else "break"
        return holidays.label(holidays.on(day, list(self.countries), self.locale)) or None


def closures(community: Community | None, found: Iterable[Break]) -> Closures:
    """What closes days: the community's holiday countries and the breaks read."""
    if community is None:
        return Closures(spans=_spans(found))
    return Closures(
        tuple(holidays.codes_of(community.holidays)), community.locale or "en", _spans(found)
    )


def read(session: Session, community: Community | None, first: date, last: date) -> Closures:
    """closures, reading the breaks near FIRST..LAST."""
    return closures(community, overlapping(session, first, last))


def _spans(found: Iterable[Break]) -> tuple[tuple[date, date, int | None, str | None], ...]:
    return tuple((b.start_date, b.end_date, b.group_id, b.reason) for b in found)


@dataclass(frozen=True)
class Placement:
    """Where a group's meeting of a cadence date goes: DAY (None: skipped), and why. USUAL
    is the day it is held when nothing moves it (its turn's slot may be another day of the
    week than the cadence date: fairness.when)."""

    slot: date
    day: date | None
    why: str | None = None
    usual: date | None = None  # None: the cadence date itself

    @property
    def moved(self) -> bool:
        return self.day is not None and self.day != (self.usual or self.slot)

    def note(self) -> str | None:
        """ "Sat 15 Aug: Assumption Of Mary Day (IT): skipped", or "...: moved to Sun 16 Aug"."""
        if self.why is None:
            return None
        outcome = "skipped" if self.day is None else f"moved to {_day(self.day)}"
        return f"{_day(self.usual or self.slot)}: {self.why}: {outcome}"


def place(group: Group, slot: date, closed: Closures) -> Placement:
    """The one rule: a meeting on a holiday or in a break is skipped, or moved a day on
    (or back) per the group's choice, on to the first open day within MAX_SHIFT days. The
    day looked at is the one it is held on (with slots in turn, its turn's day)."""
    usual, _hhmm = fairness.when(group.cadence, group.anchor, group.rotate_slots, slot, group.time)
    if not closed:
        return Placement(slot, usual, usual=usual)
    gid = id_of(group)
    why = closed.why(usual, gid)
    if why is None:
        return Placement(slot, usual, usual=usual)
    if group.on_holiday == OnHoliday.SKIP:
        return Placement(slot, None, why, usual)
    step = 1 if group.on_holiday == OnHoliday.NEXT_DAY else -1
    for n in range(1, MAX_SHIFT + 1):
        day = usual + timedelta(days=step * n)
        if closed.why(day, gid) is None:
            return Placement(slot, day, why, usual)
    return Placement(slot, None, why, usual)


def day_label(d: date) -> str:
    """ "Sat 15 Aug": how the notes name a day."""
    return f"{d:%a} {d.day} {d:%b}"


_day = day_label


def on_holiday(value: str) -> OnHoliday:
    """What `group edit --on-holiday` takes: skip, next-day or previous-day."""
    return validate.word(value, OnHoliday, "--on-holiday choice")


def set_on_holiday(session: Session, group: Group, choice: OnHoliday) -> bool:
    """The group's choice for a meeting on a holiday or in a break; whether it changed."""
    if group.on_holiday == choice:
        return False
    group.on_holiday = choice
    session.add(group)
    return True


# --- members' own holidays ----------------------------------------------------------------


def members_warning(day: date, zones: list[str], locale: str = "en") -> str | None:
    """ "3 of 6 members have a public holiday that day (Republic Day, IN)", from the
    countries of the members' time zones; None when nobody has one."""
    off, which = holidays.members_off(day, zones, locale)
    if not off:
        return None
    listed = "; ".join(f"{name}, {where}" for name, where in which)
    return f"{off} of {len(zones)} members have a public holiday that day ({listed})"
