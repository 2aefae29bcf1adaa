"""Planted pools for group formation: a full placement exists by construction.

Shared by the tests and benchmarks/formation.py. Each planted group has a common two-hour
window on one of a few popular evenings (so groups compete for the same times), in one of a
few zones; every member also has one or two windows of their own, distinct industries
inside a planted group, and random stages, skills and needs.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from peerkit.services.formation import Person

STEP = 15  # minutes per block, as group formation uses
WEEK = 7 * 24 * 60 // STEP
LENGTH = 90 // STEP  # blocks in a meeting
INDUSTRIES = [f"industry-{i}" for i in range(12)]
TOPICS = ["sales", "pricing", "marketing", "legal", "finance", "design", "tech", "hiring"]
OFFSETS = [-300, 0, 60, 120, 330]  # minutes east of UTC
# Harder pools: ten zones, from the US west coast to Sydney (minutes east of UTC).
MANY_OFFSETS = [-480, -300, -180, 0, 60, 120, 180, 330, 480, 600]


def sizes(n: int, low: int, high: int, rng: random.Random) -> list[int]:
    """Random group sizes in low..high adding up to n (n must allow it)."""
    out: list[int] = []
    left = n
    while left:
        options = [
            s for s in range(low, high + 1) if s <= left and _splittable(left - s, low, high)
        ]
        size = rng.choice(options)
        out.append(size)
        left -= size
    return out


def _splittable(n: int, low: int, high: int) -> bool:
    return n == 0 or (n // low >= 1 and (n // low) * high >= n)


def _window_starts(start_block: int, length_blocks: int) -> int:
    """Start blocks of a LENGTH meeting inside a window of length_blocks."""
    bits = 0
    for b in range(start_block, start_block + length_blocks - LENGTH + 1):
        bits |= 1 << (b % WEEK)
    return bits


def planted(
    n: int,
    *,
    seed: int = 1,
    low: int = 5,
    high: int = 7,
    separate: bool = True,
    wide: bool = True,
    decoys: float = 0.5,
    window: int = 120,
    offsets: Sequence[int] = OFFSETS,
    own_windows: tuple[int, int] = (1, 2),
) -> tuple[list[Person], list[list[int]]]:
    """People and the planted groups (as lists of person ids).

    `wide` spreads windows over every day from 07:00 to 21:00, so few planted groups share
    a time and the search must find the planted structure; otherwise windows crowd onto
    twenty weekday evenings, and groups compete for the same times. A share `decoys` of the
    members can also make another planted group's time. `window` is the planted groups'
    common window in minutes (90: exactly one start, the tightest), `offsets` the zones the
    groups live in, `own_windows` how many windows of their own each member has (fewest, most).
    """
    rng = random.Random(seed)
    people: list[Person] = []
    groups: list[list[int]] = []
    if wide:
        evenings = [(day, hour) for day in range(7) for hour in range(7, 22)]
    else:
        evenings = [(day, hour) for day in range(5) for hour in (17, 18, 19, 20)]
    plan = []
    for size in sizes(n, low, high, rng):
        offset = rng.choice(offsets)
        day, hour = rng.choice(evenings)
        start = ((day * 24 + hour) * 60 - offset) // STEP
        plan.append((size, offset, _window_starts(start, window // STEP)))
    for size, offset, common in plan:
        industries = rng.sample(INDUSTRIES, size) if separate else rng.choices(INDUSTRIES, k=size)
        ids = []
        for k in range(size):
            starts = common
            if rng.random() < decoys:  # another group's time: tempting, and wrong
                starts |= rng.choice(plan)[2]
            for _ in range(rng.randint(*own_windows)):
                d, h = rng.choice(evenings)
                own = ((d * 24 + h) * 60 - offset) // STEP + rng.choice((0, 2))
                starts |= _window_starts(own, rng.choice((6, 8, 10)))
            pid = len(people) + 1
            ids.append(pid)
            people.append(
                Person(
                    id=pid,
                    starts=starts,
                    stage=rng.randrange(4),
                    industry=industries[k],
                    skills=frozenset(rng.sample(TOPICS, 2)),
                    needs=frozenset(rng.sample(TOPICS, rng.randint(0, 2))),
                    offset=offset,
                )
            )
        groups.append(ids)
    rng.shuffle(people)
    return people, groups


def hard(n: int, *, seed: int = 1, size: int = 6) -> tuple[list[Person], list[list[int]]]:
    """A harder planted pool: narrow evenings, exactly one common start per planted group,
    ten zones, groups of exactly `size`, at most one window of a member's own."""
    return planted(
        n,
        seed=seed,
        low=size,
        high=size,
        wide=False,
        window=LENGTH * STEP,
        offsets=MANY_OFFSETS,
        own_windows=(0, 1),
    )
