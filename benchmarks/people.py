"""The members of a generated community (benchmarks/community.py): who they are.

English and Italian speakers in six time zones, with skills, needs, weekly availability in
their own zone, a stage and an industry; most are active, a few paused (some until a date)
and a few have left. The same rows become the `member` table or a CSV in the format of
`peerkit member export` (for `member import`). Only the standard library here.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from run import (  # the same sample words and helpers as the start-up benchmark
    BIOS,
    DOMAINS,
    FIRST_EN,
    FIRST_IT,
    INDUSTRIES,
    LAST_EN,
    LAST_IT,
    NEEDS,
    SKILLS,
    _ascii,
    _window,
)

ZONES = (
    "Europe/Rome", "Europe/London", "America/New_York", "America/Los_Angeles",
    "Asia/Kolkata", "Australia/Sydney",
)  # fmt: skip
STAGES = ("idea", "early", "growth", "established", None)
SEP = "; "
CSV_COLUMNS = (
    "id", "name", "email", "timezone", "locale", "skills", "needs", "stage", "industry", "bio",
    "availability", "mentor_capacity", "status", "paused_until", "joined",
)  # fmt: skip


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    email: str
    zone: str
    locale: str
    skills: list[str]
    needs: list[str]
    stage: str | None
    industry: str | None
    bio: str | None
    availability: list[str]
    capacity: int
    status: str
    paused_until: date | None
    joined: date
    left_on: date | None


def _status(rng: random.Random, today: date, joined: date) -> tuple[str, date | None, date | None]:
    """(status, paused until, left on): 92% active, 6% paused, 2% gone."""
    status = rng.choices(("active", "paused", "left"), (92, 6, 2))[0]
    if status == "paused":
        until = today + timedelta(days=rng.randint(7, 120)) if rng.random() < 0.5 else None
        return status, until, None
    if status == "left":
        return status, None, joined + (today - joined) // 2
    return status, None, None


def make_people(rng: random.Random, count: int, today: date, since: date) -> list[Person]:
    """COUNT members, with ids from 1, who joined between two years before SINCE and SINCE."""
    seen: dict[str, int] = {}
    people = []
    for pid in range(1, count + 1):
        zone = ZONES[rng.randrange(len(ZONES))]
        italian = rng.random() < (0.85 if zone == "Europe/Rome" else 0.08)
        first = rng.choice(FIRST_IT if italian else FIRST_EN)
        last = rng.choice(LAST_IT if italian else LAST_EN)
        base = f"{_ascii(first)}.{_ascii(last)}"
        n = seen.get(base, 0)
        seen[base] = n + 1
        joined = since - timedelta(days=rng.randint(0, 730))
        status, until, left = _status(rng, today, joined)
        days = sorted(rng.sample(range(7), rng.randint(1, 2)))
        people.append(
            Person(
                id=pid, name=f"{first} {last}",
                email=f"{base}{n or ''}@{DOMAINS[n % len(DOMAINS)]}",
                zone=zone, locale="it" if italian else "en",
                skills=rng.sample(SKILLS, rng.randint(1, 3)),
                needs=rng.sample(NEEDS, rng.randint(0, 2)),
                stage=rng.choice(STAGES), industry=rng.choice(INDUSTRIES) or None,
                bio=rng.choice(BIOS) or None,
                availability=[_window(rng, d) for d in days],
                capacity=rng.choice((0, 0, 0, 0, 1, 2, 3)),
                status=status, paused_until=until, joined=joined, left_on=left,
            )
        )  # fmt: skip
    return people


def member_rows(people: list[Person]) -> Iterator[tuple[object, ...]]:
    """Rows of the `member` table, as peerkit stores them (lists as JSON text)."""
    for p in people:
        yield (
            p.id, p.name, p.email, p.zone, p.locale, json.dumps(p.skills), json.dumps(p.needs),
            p.stage, p.industry, p.bio, json.dumps(p.availability), p.capacity, p.status,
            _iso(p.paused_until), p.joined.isoformat(), _iso(p.left_on),
        )  # fmt: skip


def csv_rows(people: list[Person]) -> Iterator[tuple[object, ...]]:
    """Rows in the columns of `member export` (no ids: new people for `member import`)."""
    for p in people:
        yield (
            "", p.name, p.email, p.zone, p.locale, SEP.join(p.skills), SEP.join(p.needs),
            p.stage or "", p.industry or "", p.bio or "", SEP.join(p.availability), p.capacity,
            p.status, _iso(p.paused_until) or "", p.joined.isoformat(),
        )  # fmt: skip


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
