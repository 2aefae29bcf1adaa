"""The rows of a generated community (benchmarks/community.py): the tables' columns, the
row store, and the groups with every meeting of their history.

Only the standard library at import time; peerkit's own helpers (the slug, the wall-clock
time of a meeting, the number of hot seats) are imported where they are used.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from people import ZONES, Person

TODAY = date(2026, 3, 2)  # a Monday: `plan week` plans this week (PEERKIT_TODAY)
SEED = 2026
TIMES = ("07:30", "12:30", "18:00", "18:30", "18:30", "19:00", "20:00")
DURATIONS = (60, 90, 90, 90, 120)
PROMISES = (
    "Send three proposals to past clients",
    "Raise the base price by 10%",
    "Write the services page",
    "Call the accountant about VAT",
    "Block two evenings a week without the laptop",
    "Mandare il preventivo al cliente di Verona",
    "Finire il sito entro venerdì",
    "Chiedere una referenza a due clienti",
)

COLUMNS: dict[str, tuple[str, ...]] = {
    "community": ("id", "name", "timezone", "locale", "organiser_name", "organiser_email",
                  "is_demo", "created_at"),
    "member": ("id", "name", "email", "timezone", "locale", "skills", "needs", "stage",
               "industry", "bio", "availability", "mentor_capacity", "status", "paused_until",
               "joined", "left_on"),
    "member_history": ("member_id", "action", "at"),
    "peer_group": ("id", "slug", "name", "kind", "cadence", "day", "time", "timezone",
                   "duration", "location", "min_size", "max_size", "anchor", "status",
                   "created_at", "rotate_slots"),
    "membership": ("group_id", "member_id", "role", "rotates", "joined"),
    "meeting": ("id", "group_id", "slot_date", "start", "timezone", "duration", "location",
                "status", "sequence", "uid", "facilitator_id", "timekeeper_id",
                "cancel_reason", "updated_at"),
    "hot_seat": ("meeting_id", "member_id", "position"),
    "attendance": ("meeting_id", "member_id", "status"),
    "commitment": ("member_id", "meeting_id", "group_id", "text", "due", "status",
                   "created_at", "closed_at", "uid"),
    "delivery": ("meeting_id", "member_id", "kind", "sequence", "sent_at"),
    "mentorship": ("mentor_id", "mentee_id", "topic", "started", "ended", "score",
                   "created_at"),
    "community_event": ("id", "title", "kind", "start", "timezone", "duration", "location",
                        "capacity", "status", "sequence", "uid", "created_at", "updated_at"),
    "rsvp": ("event_id", "member_id", "status", "position", "answered_at", "invited_sequence"),
}  # fmt: skip


@dataclass(frozen=True)
class Size:
    members: int
    groups: int
    weeks: int = 0
    seed: int = SEED
    today: date = TODAY

    @property
    def label(self) -> str:
        return f"{self.members}m-{self.groups}g-{self.weeks}w-s{self.seed}"


@dataclass
class Circle:
    """A group as the generator needs it."""

    id: int
    zone: str
    cadence: str
    day: int
    time: str
    duration: int
    anchor: date
    members: list[int]
    lead: int | None  # a facilitator who does not rotate
    volunteers: list[int]  # members who facilitate and keep time in turn
    location: str


@dataclass
class Tables:
    rows: dict[str, list[tuple[Any, ...]]] = field(
        default_factory=lambda: {name: [] for name in COLUMNS}
    )

    def add(self, table: str, *row: Any) -> None:
        self.rows[table].append(row)


def stamp(moment: datetime) -> str:
    """A UTC datetime as peerkit's UTCDateTime stores it on SQLite."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def at_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def make_uid(rng: random.Random) -> str:
    return f"{uuid.UUID(int=rng.getrandbits(128), version=4)}@peerkit"


def planned_week(size: Size) -> str:
    """The ISO week `plan week` plans on this community: the week of its today."""
    year, week, _ = size.today.isocalendar()
    return f"{year}-W{week:02d}"


# --- groups ---------------------------------------------------------------------------


def make_circles(rng: random.Random, size: Size, people: list[Person]) -> list[Circle]:
    """Groups of 5 to 8 in one zone, drawn from that zone's members (some are in two)."""
    pools = {z: [p.id for p in people if p.zone == z and p.status != "left"] for z in ZONES}
    cursor = dict.fromkeys(ZONES, 0)
    monday = size.today - timedelta(days=size.today.weekday())
    circles = []
    for gid in range(1, size.groups + 1):
        zone = ZONES[(gid - 1) % len(ZONES)]
        pool = pools[zone]
        if not pool:
            pool = [p.id for p in people if p.status != "left"]
        want = min(rng.randint(5, 8), len(pool))
        chosen = [pool[(cursor[zone] + i) % len(pool)] for i in range(want)]
        cursor[zone] += want
        cadence = "weekly" if rng.random() < 0.75 else "biweekly"
        day = rng.choice((0, 1, 1, 2, 2, 3, 3, 4, 5))
        meetings = size.weeks if cadence == "weekly" else size.weeks // 2
        step = 7 if cadence == "weekly" else 14
        lead = chosen[-1] if rng.random() < 0.4 else None
        circles.append(
            Circle(
                id=gid, zone=zone, cadence=cadence, day=day, time=rng.choice(TIMES),
                duration=rng.choice(DURATIONS),
                anchor=monday + timedelta(days=day - step * meetings),
                members=chosen, lead=lead, volunteers=[] if lead else chosen[:3],
                location=f"https://meet.jit.si/peer-circle-{gid}"
                if rng.random() < 0.7 else f"Sala {gid % 12 + 1}, Via Roma {gid}, Bologna",
            )
        )  # fmt: skip
    return circles


def add_groups(tables: Tables, circles: list[Circle], size: Size) -> None:
    from peerkit.services.groups.roster import slugify

    created = stamp(at_noon(size.today - timedelta(days=7 * size.weeks + 14)))
    for c in circles:
        city = c.zone.split("/")[1].replace("_", " ")
        name = f"{city} circle {c.id}"
        tables.add(
            "peer_group", c.id, slugify(name), name, "mastermind", c.cadence, c.day, c.time,
            c.zone, c.duration, c.location, 4, 8, c.anchor.isoformat(), "active", created, "[]",
        )  # fmt: skip
        joined = (c.anchor - timedelta(days=7)).isoformat()
        for mid in c.members:
            role = "facilitator" if mid == c.lead else "member"
            tables.add("membership", c.id, mid, role, int(mid in c.volunteers), joined)


# --- history --------------------------------------------------------------------------


def slots(c: Circle, today: date) -> Iterator[date]:
    step = timedelta(days=7 if c.cadence == "weekly" else 14)
    day = c.anchor
    while day < today - timedelta(days=today.weekday()):
        yield day
        day += step


def add_history(tables: Tables, rng: random.Random, circles: list[Circle], size: Size) -> None:
    """Every meeting before this week: held (attendance taken) or, now and then, cancelled."""
    from peerkit.services.common.schedule import to_utc
    from peerkit.services.groups.agenda import seats_for

    meeting_id = 0
    for c in circles:
        turns = 0
        roles = 0
        drifting = {m for m in c.members if rng.random() < 0.1}
        for slot in slots(c, size.today):
            meeting_id += 1
            start = to_utc(slot, c.time, c.zone)
            if rng.random() < 0.03:
                _cancelled(tables, rng, c, meeting_id, slot, start)
                continue
            seats = seats_for(c.duration, len(c.members))
            hot = [c.members[(turns + i) % len(c.members)] for i in range(seats)]
            turns += seats
            lead, keeper = _roles(c, roles)
            roles += 1
            tables.add(
                "meeting", meeting_id, c.id, slot.isoformat(), stamp(start), c.zone,
                c.duration, c.location, "done", 0, make_uid(rng), lead, keeper, None,
                stamp(start + timedelta(minutes=c.duration)),
            )  # fmt: skip
            present = _attendance(tables, rng, c, meeting_id, start, drifting)
            for position, mid in enumerate(hot, start=1):
                tables.add("hot_seat", meeting_id, mid, position)
                if mid in present:
                    _promise(tables, rng, c, meeting_id, mid, slot, start, size.today)


def _roles(c: Circle, turn: int) -> tuple[int | None, int | None]:
    if not c.volunteers:
        return c.lead, None
    n = len(c.volunteers)
    return c.volunteers[turn % n], c.volunteers[(turn + 1) % n] if n > 1 else None


def _cancelled(
    tables: Tables, rng: random.Random, c: Circle, mid: int, slot: date, start: datetime
) -> None:
    changed = start - timedelta(days=2)
    tables.add(
        "meeting", mid, c.id, slot.isoformat(), stamp(start), c.zone, c.duration, c.location,
        "cancelled", 1, make_uid(rng), None, None, "Public holiday", stamp(changed),
    )  # fmt: skip
    for member in c.members:
        tables.add("delivery", mid, member, "invite", 0, stamp(start - timedelta(days=6)))
        tables.add("delivery", mid, member, "cancel", 1, stamp(changed))


def _attendance(
    tables: Tables,
    rng: random.Random,
    c: Circle,
    meeting_id: int,
    start: datetime,
    drifting: set[int],
) -> set[int]:
    present = set()
    for member in c.members:
        here = rng.random() < (0.45 if member in drifting else 0.88)
        tables.add("attendance", meeting_id, member, "present" if here else "absent")
        tables.add("delivery", meeting_id, member, "invite", 0, stamp(start - timedelta(days=6)))
        if here:
            present.add(member)
    return present


def _promise(
    tables: Tables,
    rng: random.Random,
    c: Circle,
    meeting_id: int,
    member: int,
    slot: date,
    start: datetime,
    today: date,
) -> None:
    """What a member on the hot seat said they would do; most are closed by now."""
    recent = (today - slot).days <= 21
    status = rng.choices(("open", "done", "dropped"), (60, 40, 0) if recent else (2, 80, 18))[0]
    closed = None if status == "open" else stamp(start + timedelta(days=7))
    tables.add(
        "commitment", member, meeting_id, c.id, rng.choice(PROMISES),
        (slot + timedelta(days=14)).isoformat(), status,
        stamp(start + timedelta(minutes=c.duration)), closed,
        f"commitment-{len(tables.rows['commitment']) + 1}@peerkit",  # not from rng: same rows
    )  # fmt: skip
