"""Step 4: when the search leaves people out, an exact step places as many as can be placed.

The people left out and the groups near them (whole groups with a member who can make one
of the sub-problem's start blocks, ring after ring, smallest first) make a small integer
program, solved by HiGHS through scipy's `milp` within a time limit. It chooses *buckets*,
not groups:

- z[i, s] = 1 when person i meets at start block s (one of their own), at most one each;
- n[s] = the number of groups meeting at s, an integer;
- MIN x n[s] <= (people at s) <= MAX x n[s];
- with industries apart, the people of one industry at s <= n[s].

A bucket that keeps these can always be dealt into n[s] valid groups (step 2's round-robin
deal: groups of sizes within MIN..MAX, and an industry with at most n[s] people lands in
n[s] different groups), so the program is exact for the number of people placed, and it has
none of the symmetry of numbered groups. It maximises the people placed; the groups it
changes are dealt again and the score is improved by the search (which never places fewer).

The answer is *proven* when everyone who can be placed is, or when the program was solved to
optimality and the sub-problem is closed: nobody outside it can make any of its start
blocks, so nothing outside could have helped.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from peerkit.services.formation.dealing import deal
from peerkit.services.formation.model import Person, Rules
from peerkit.services.formation.placement import bits_of

DEFAULT_TIME_LIMIT = 5.0  # seconds for the solver
MAX_CHOICES = 40_000  # z variables (person, start block) at most in one sub-problem

NOT_NEEDED = "not needed"  # nobody who can be placed was left out
OPTIMAL = "optimal"  # the program was solved: the most people the sub-problem can place
TIME_LIMIT = "time limit"  # stopped by the time limit: the best found, not proven
NO_ANSWER = "no answer"  # the solver gave up without a placement (kept the search's)


@dataclass
class Exact:
    """What the exact step did, for the proposal's `exact` key."""

    status: str
    proven: bool
    members: int = 0  # people in the sub-problem
    groups: int = 0  # groups of the search's answer taken into it
    closed: bool = False  # nobody outside the sub-problem shares a start block with it
    placed_before: int = 0  # people the search had placed (whole pool)
    placed_after: int = 0
    seconds: float = field(default=0.0, compare=False)  # wall clock: not part of the answer

    def as_dict(self) -> dict[str, object]:
        """The proposal's `exact` object: no timings, so a seed gives the same JSON."""
        return {
            "status": self.status,
            "members": self.members,
            "groups": self.groups,
            "closed": self.closed,
            "placed_before": self.placed_before,
            "placed_after": self.placed_after,
        }


@dataclass(frozen=True)
class Stage:
    """One sub-problem: people (sorted), the groups taken in, closed, and whether it is the
    last one (closed, or the next ring would be too large)."""

    members: list[int]
    taken: list[int]
    closed: bool
    last: bool


def rings(
    people: Sequence[Person],
    groups: Sequence[Sequence[int]],
    unplaced: Sequence[int],
    limit: int = MAX_CHOICES,
) -> Iterator[Stage]:
    """The people left out, then with the groups near them, ring after ring.

    A ring is every group with a member who can make a start block of the sub-problem (one
    not looked at yet). The sub-problem is closed when nobody outside it can make any of its
    start blocks. No group is taken in that would bring the (person, start block) choices
    above `limit`; then the stage before is the last.
    """
    where = [-1] * len(people)
    for g, members in enumerate(groups):
        for i in members:
            where[i] = g
    by_block: dict[int, list[int]] = {}
    for i, p in enumerate(people):
        for s in bits_of(p.starts):
            by_block.setdefault(s, []).append(i)
    inside = set(unplaced)
    taken: list[int] = []
    choices = sum(people[i].starts.bit_count() for i in inside)
    seen_blocks = 0
    frontier = 0
    for i in inside:
        frontier |= people[i].starts
    while True:
        ring: list[int] = []
        for s in bits_of(frontier & ~seen_blocks):
            for i in by_block.get(s, ()):
                g = where[i]
                if i not in inside and g >= 0 and g not in ring:
                    ring.append(g)
        seen_blocks |= frontier
        if not ring:
            yield Stage(sorted(inside), sorted(taken), True, True)
            return
        cost = sum(people[i].starts.bit_count() for g in ring for i in groups[g])
        if choices + cost > limit:
            yield Stage(sorted(inside), sorted(taken), False, True)
            return
        yield Stage(sorted(inside), sorted(taken), False, False)
        choices += cost
        frontier = 0
        for g in sorted(ring):
            taken.append(g)
            for i in groups[g]:
                inside.add(i)
                frontier |= people[i].starts


def neighbourhood(
    people: Sequence[Person],
    groups: Sequence[Sequence[int]],
    unplaced: Sequence[int],
    limit: int = MAX_CHOICES,
) -> tuple[list[int], list[int], bool]:
    """The largest sub-problem around the people left out: people, groups, closed."""
    *_, stage = rings(people, groups, unplaced, limit)
    return stage.members, stage.taken, stage.closed


def solve(
    people: Sequence[Person], rules: Rules, members: Sequence[int], time_limit: float
) -> tuple[str, list[list[int]] | None]:
    """The most people of `members` placed: buckets of person indexes, one a start block.

    Returns the status and the buckets (None when the solver found no placement).
    """
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_array

    can: dict[int, list[int]] = {}
    for i in members:
        for s in bits_of(people[i].starts):
            can.setdefault(s, []).append(i)
    blocks = sorted(s for s, who in can.items() if len(who) >= rules.min_size)
    if not blocks:
        return OPTIMAL, []
    industry: dict[str, int] = {}
    choice: list[tuple[int, int]] = []  # (person, block) of each z
    for s in blocks:
        for i in can[s]:
            choice.append((i, s))
    z_count = len(choice)
    slot_var = {s: z_count + k for k, s in enumerate(blocks)}
    count = z_count + len(blocks)
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lower: list[float] = []
    upper: list[float] = []

    def row(entries: list[tuple[int, float]], low: float, high: float) -> None:
        r = len(lower)
        for c, v in entries:
            rows.append(r)
            cols.append(c)
            vals.append(v)
        lower.append(low)
        upper.append(high)

    per_person: dict[int, list[tuple[int, float]]] = {}
    per_block: dict[int, list[tuple[int, float]]] = {}
    per_industry: dict[tuple[int, int], list[tuple[int, float]]] = {}
    for v, (i, s) in enumerate(choice):
        per_person.setdefault(i, []).append((v, 1.0))
        per_block.setdefault(s, []).append((v, 1.0))
        name = people[i].industry
        if rules.separate_industry and name is not None:
            key = (s, industry.setdefault(name, len(industry)))
            per_industry.setdefault(key, []).append((v, 1.0))
    for i in sorted(per_person):
        row(per_person[i], 0.0, 1.0)
    for s in blocks:
        n = slot_var[s]
        row([*per_block[s], (n, -float(rules.min_size))], 0.0, np.inf)
        row([*per_block[s], (n, -float(rules.max_size))], -np.inf, 0.0)
    for (s, _ind), entries in sorted(per_industry.items()):
        if len(entries) > 1:
            row([*entries, (slot_var[s], -1.0)], -np.inf, 0.0)
    matrix = coo_array((vals, (rows, cols)), shape=(len(lower), count)).tocsr()
    cost = np.zeros(count)
    cost[:z_count] = -1.0
    top = np.ones(count)
    for s in blocks:
        top[slot_var[s]] = len(can[s]) // rules.min_size
    result = milp(
        cost,
        integrality=np.ones(count),
        bounds=Bounds(np.zeros(count), top),
        constraints=LinearConstraint(matrix, np.array(lower), np.array(upper)),
        options={"time_limit": max(time_limit, 0.01), "mip_rel_gap": 0.0, "presolve": True},
    )
    if result.x is None:
        return NO_ANSWER, None
    status = OPTIMAL if result.status == 0 else TIME_LIMIT
    buckets: dict[int, list[int]] = {}
    for v, (i, s) in enumerate(choice):
        if result.x[v] > 0.5:
            buckets.setdefault(s, []).append(i)
    return status, [sorted(buckets[s]) for s in sorted(buckets)]


def repair(
    people: Sequence[Person],
    rules: Rules,
    industry: Sequence[int],
    groups: list[list[int]],
    unplaced: Sequence[int],
    rng: random.Random,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> tuple[list[list[int]], Exact]:
    """Groups placing at least as many people as `groups`, and what the exact step did.

    `unplaced` are the people left out who could meet at some time. Small sub-problems
    first: the people left out alone, then with a ring of groups around them, and so on
    (solved again each time the sub-problem has doubled, and at the last), until everyone
    is placed, the sub-problem is closed, it would be too large, or the time is up. The
    groups of the sub-problem that placed most are dealt again from its buckets; the
    others are kept as they are.
    """
    placed = sum(len(g) for g in groups)
    if not unplaced:
        return groups, Exact(NOT_NEEDED, True, placed_before=placed, placed_after=placed)
    start = time.perf_counter()
    wanted = len(unplaced)
    best: tuple[int, Stage, list[list[int]]] | None = None  # (gain, stage, buckets)
    report = Exact(NO_ANSWER, False, placed_before=placed, placed_after=placed)
    solved_size = 0
    for stage in rings(people, groups, unplaced):
        if not stage.last and len(stage.members) < 2 * solved_size:
            continue
        left = time_limit - (time.perf_counter() - start)
        if left <= 0:
            report.status = TIME_LIMIT
            break
        status, buckets = solve(people, rules, stage.members, left)
        solved_size = len(stage.members)
        report.status = status
        report.members, report.groups, report.closed = solved_size, len(stage.taken), stage.closed
        if buckets is not None:
            gain = sum(len(b) for b in buckets) - sum(len(groups[g]) for g in stage.taken)
            if gain > 0 and (best is None or gain > best[0]):
                best = (gain, stage, buckets)
        if (best is not None and best[0] == wanted) or stage.last:
            break
    if best is not None:
        groups = _redeal(groups, best[1].taken, best[2], industry, rules, rng)
        report.placed_after = sum(len(g) for g in groups)
    everyone = report.placed_after == placed + wanted
    report.proven = everyone or (report.status == OPTIMAL and report.closed)
    report.seconds = time.perf_counter() - start
    return groups, report


def _redeal(
    groups: list[list[int]],
    taken: list[int],
    buckets: list[list[int]],
    industry: Sequence[int],
    rules: Rules,
    rng: random.Random,
) -> list[list[int]]:
    """The groups with those `taken` replaced by the buckets, each dealt into groups."""
    dealt: list[list[int]] = []
    for bucket in buckets:
        made, _left = deal(bucket, industry, rules, rng)
        dealt.extend(made)
    before = sum(len(groups[g]) for g in taken)
    if sum(len(g) for g in dealt) <= before:  # never fewer (dealing a valid bucket loses none)
        return groups
    kept = set(taken)
    return [g for k, g in enumerate(groups) if k not in kept] + dealt
