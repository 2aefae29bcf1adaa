"""`group slots`: what each window costs each member (fair hours), and a rotation proposal.

A window is costed at its best start for the group's duration: the one with the fewest
minutes outside 08:00-21:00 over all members (then the smallest cost of any one member,
then the earliest). With --weeks N the meeting happens N times, once a week: a member's
cost is that of their worst occurrence. THE rule itself is services/groups/fairness.py.

When every window everyone can make is hard for someone, two or three starts taken in turn
may share the hard meetings out: among the starts no other start beats for every member,
the rotation where the member with the most hard meetings has the fewest per meeting, then
the fewest minutes per meeting, then the fewest slots, then the fewest minutes in all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import combinations
from typing import Any

from peerkit.models import Member
from peerkit.services.common import schedule, validate
from peerkit.services.formation import slots as slots_svc
from peerkit.services.groups import fairness

QUARTER = 15  # minutes between the starts tried in a window
MOST_CANDIDATES = 40  # starts kept for the rotation search (the cheapest)
NUMBERS = {1: "one", 2: "two", 3: "three"}


@dataclass(frozen=True)
class Placing:
    """A meeting at a start of a window: its weekday, wall-clock minute in the shown zone,
    and each member's cost (worst occurrence)."""

    day: int
    minute: int
    first: datetime  # its first occurrence (aware, in the shown zone)
    costs: tuple[fairness.Cost, ...]
    locals: tuple[datetime, ...]  # each member's local start of the worst occurrence

    @property
    def total(self) -> int:
        return sum(c.minutes for c in self.costs)

    @property
    def worst(self) -> int:
        return max((c.minutes for c in self.costs), default=0)

    @property
    def label(self) -> str:
        return f"{validate.DAYS[self.day].title()} {self.first:%H:%M}"

    @property
    def typed(self) -> str:
        """As --rotate-slots takes it: 'tue 07:00'."""
        return f"{validate.DAYS[self.day]} {self.first:%H:%M}"


def _placing(week: slots_svc.Week, on: date, minute: int, duration: int) -> Placing:
    hhmm = f"{minute // 60:02d}:{minute % 60:02d}"
    starts = [
        schedule.local_datetime(on + timedelta(weeks=w), hhmm, week.zone) for w in range(week.weeks)
    ]
    costs, locals_ = [], []
    for member in week.members:
        found = [(fairness.cost(s, duration, member.timezone), s) for s in starts]
        cost, at = max(found, key=lambda pair: pair[0].minutes)
        costs.append(cost)
        locals_.append(at.astimezone(_zone(member)))
    return Placing(on.weekday(), minute, starts[0], tuple(costs), tuple(locals_))


def _zone(member: Member) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(member.timezone)


def _starts(begin: int, end: int, duration: int) -> list[int]:
    """Starts tried in a window [BEGIN, END) (minutes of its day): its start, each quarter
    hour, its last start that still ends in it (just its start when it is too short)."""
    last = max(begin, end - duration)
    found = {begin, last}
    at = -(-begin // QUARTER) * QUARTER
    while at < last:
        found.add(at)
        at += QUARTER
    return sorted(found)


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def placings(week: slots_svc.Week, window: dict[str, Any], duration: int) -> list[Placing]:
    on = date.fromisoformat(window["date"])
    begin, end = _minutes(window["start"]), _minutes(window["end"])
    return [_placing(week, on, m, duration) for m in _starts(begin, end, duration)]


def best(found: list[Placing]) -> Placing:
    return min(found, key=lambda p: (p.total, p.worst, p.minute))


def shown(week: slots_svc.Week, placing: Placing) -> dict[str, Any]:
    """The keys `group slots` adds to a window: at (the start costed), costs, cost."""
    return {
        "at": f"{placing.first:%H:%M}",
        "costs": [
            {
                "member": member.id,
                "local_start": at.isoformat(),
                "outside_minutes": cost.minutes,
            }
            for member, cost, at in zip(week.members, placing.costs, placing.locals, strict=True)
        ],
        "cost": placing.total,
    }


def hard_for(week: slots_svc.Week, placing: Placing, names: dict[Any, str]) -> str:
    """'Ana 30 min early, Aiko 1h late' (empty: nobody)."""
    return ", ".join(
        f"{names[m.id]} {fairness.hard_words(c)}"
        for m, c in zip(week.members, placing.costs, strict=True)
        if c.hard
    )


@dataclass(frozen=True)
class Costed:
    windows: list[dict[str, Any]]  # each window with at, costs and cost
    chosen: list[Placing]  # the start costed in each window
    tried: list[Placing]  # every start tried in the windows everyone can make


def costed(week: slots_svc.Week, windows: list[dict[str, Any]], duration: int) -> Costed:
    """Each window with its costs (and the starts tried in the windows everyone can make)."""
    out, chosen, everyone = [], [], []
    for window in windows:
        found = placings(week, window, duration)
        chosen.append(best(found))
        out.append({**window, **shown(week, chosen[-1])})
        if window["everyone"]:
            everyone += found
    return Costed(out, chosen, everyone)


@dataclass(frozen=True)
class Rotation:
    slots: tuple[Placing, ...]
    most_hard: int  # the most hard meetings any member has in one turn of the rotation
    sides: tuple[str, ...]

    def sentence(self) -> str:
        """'rotate Tue 07:00 and Tue 19:00: nobody has more than one early meeting in two'."""
        labels = [p.label for p in self.slots]
        named = " and ".join([", ".join(labels[:-1]), labels[-1]])
        side = " or ".join(self.sides)
        many = "meeting" if self.most_hard == 1 else "meetings"
        return (
            f"rotate {named}: nobody has more than {NUMBERS[self.most_hard]} {side} {many} "
            f"in {NUMBERS[len(self.slots)]}"
        )

    @property
    def typed(self) -> str:
        return ",".join(p.typed for p in self.slots)


def rotation(found: list[Placing]) -> Rotation | None:
    """The rotation of 2 or 3 starts that spreads the hard meetings best, when every start
    is hard for someone and a rotation spares each member at least one turn (else None)."""
    if not found or any(p.total == 0 for p in found):
        return None
    kept = _front(found)[:MOST_CANDIDATES]
    chosen: tuple[tuple[Any, ...], tuple[Placing, ...]] | None = None
    for k in (fairness.MIN_ROTATION, fairness.MAX_ROTATION):
        for combo in combinations(kept, k):
            if len({(p.day, p.minute) for p in combo}) < k:
                continue
            key = _key(combo)
            if chosen is None or key < chosen[0]:
                chosen = (key, combo)
    if chosen is None:
        return None
    combo = tuple(sorted(chosen[1], key=lambda p: (p.day, p.minute)))
    hard = _hard_counts(combo)
    if max(hard) >= len(combo):
        return None  # somebody has every meeting hard: taking turns spares nobody
    sides = tuple(s for s in (fairness.EARLY, fairness.LATE)
                  if any(c.side == s for p in combo for c in p.costs))  # fmt: skip
    return Rotation(combo, max(hard), sides)


def _hard_counts(combo: tuple[Placing, ...]) -> list[int]:
    return [sum(p.costs[i].hard for p in combo) for i in range(len(combo[0].costs))]


def _key(combo: tuple[Placing, ...]) -> tuple[Any, ...]:
    k = len(combo)
    minutes = [sum(p.costs[i].minutes for p in combo) for i in range(len(combo[0].costs))]
    return (
        max(_hard_counts(combo)) / k,
        max(minutes) / k,
        k,
        sum(minutes) / k,
        [(p.day, p.minute) for p in combo],
    )


def _front(found: list[Placing]) -> list[Placing]:
    """The starts no other start beats for every member (one of each set of costs), the
    cheapest first."""
    unique: dict[tuple[int, ...], Placing] = {}
    for p in sorted(found, key=lambda p: (p.total, p.worst, p.day, p.minute)):
        unique.setdefault(tuple(c.minutes for c in p.costs), p)
    items = list(unique.items())
    return [
        p
        for vec, p in items
        if not any(
            other != vec and all(o <= v for o, v in zip(other, vec, strict=True))
            for other, _q in items
        )
    ]
