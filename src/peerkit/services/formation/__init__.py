"""Forming groups: a constrained maximally-diverse grouping problem, searched in plain Python.

Hard rules: every group has MIN..MAX members, a common weekly start block (each member's
`starts` mask says where a meeting of the wanted length fits their week), and, when asked,
no two members of one industry. Preferences make up the score (see `Scorer`).

The search has three steps:

1. **Placement.** Give each person one start block ("bucket"), minimising the people who
   cannot be placed: a bucket of b people can be split into groups of MIN..MAX only for
   some b, and with industries kept apart no industry may outnumber its groups. A greedy
   start (least flexible people first, into the biggest open bucket) is repaired by
   min-conflicts moves with a little noise, the usual local search for such constraints.
2. **Dealing.** Each bucket is split into groups, dealing people round-robin by industry.
3. **Improving.** Iterated local search on the score: moves of one person, swaps of two,
   then a random shake of the best grouping, repeated while the work budget lasts.
4. **Exact repair.** When people who could meet are still left out, an integer program over
   them and the groups near them places as many as can be placed, and says whether that is
   proven (see `exact`); the search then improves the score of the new groups.

People who cannot meet at any time (no start block) are set aside first, in linear time:
no step ever looks at them, and the work budget counts only the others.

Steps 1-3 are driven by one seeded random generator and a work budget counted in moves,
never in seconds, so a seed gives the same groups on every machine. Step 4 has a time
limit; it is deterministic too unless the limit stops it (then the answer is not proven).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from peerkit.services.formation.dealing import deal, group_count
from peerkit.services.formation.exact import DEFAULT_TIME_LIMIT, Exact, repair
from peerkit.services.formation.model import UNPLACED, Person, Rules, Scorer, Weights
from peerkit.services.formation.placement import allowed_sizes, place
from peerkit.services.formation.search import EPS, Search

__all__ = [
    "DEFAULT_TIME_LIMIT",
    "UNPLACED",
    "Exact",
    "Grouping",
    "Person",
    "Rules",
    "Scorer",
    "Weights",
    "allowed_sizes",
    "deal",
    "default_budget",
    "form",
    "group_count",
    "place",
    "restarts",
]

RESTARTS = ((200, 6), (2_000, 2))  # (pool size up to, fresh starts); bigger pools get one
BASE_BUDGET = 200_000  # work units (see search.Search) for any pool ...
BUDGET_PER_PERSON = 1_500  # ... and for each person in it
REPAIR_BUDGET_PER_PERSON = 500  # work to improve the groups the exact step dealt again
PLACE_STEPS = 2_000  # min-conflicts steps of each placement, at least ...
PLACE_STEPS_PER_PERSON = 30  # ... or this many per person


@dataclass
class Grouping:
    """The search's answer: groups as lists of person indexes, each with its common starts."""

    groups: list[list[int]]
    starts: list[int]
    scores: list[float]
    unplaced: list[int]
    score: float
    work: int = 0
    proven: bool = False  # nobody else can be placed under the rules (see `exact`)
    exact: Exact | None = None


def restarts(n: int) -> int:
    """Fresh starts of the search: several for small pools, where they are cheap."""
    return next((count for most, count in RESTARTS if n <= most), 1)


def _placed(groups: list[list[int]]) -> int:
    return sum(len(g) for g in groups)


def _deal_all(
    slot: list[int], industry: Sequence[int], rules: Rules, rng: random.Random
) -> list[list[int]]:
    buckets: dict[int, list[int]] = {}
    for i, s in enumerate(slot):
        if s != UNPLACED:
            buckets.setdefault(s, []).append(i)
    groups: list[list[int]] = []
    for s in sorted(buckets):
        dealt, _left = deal(buckets[s], industry, rules, rng)
        groups.extend(dealt)
    return groups


def default_budget(n: int) -> int:
    """Work for n people: enough to settle small pools, bounded for big ones."""
    return BASE_BUDGET + BUDGET_PER_PERSON * n


def form(
    people: Sequence[Person],
    rules: Rules,
    weights: Weights | None = None,
    met: set[tuple[int, int]] | None = None,
    seed: int = 0,
    budget: int | None = None,
    adjust: Mapping[tuple[int, int], float] | None = None,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    pool_size: int | None = None,
) -> Grouping:
    """Partition `people` into groups; see the module's docstring for how.

    `adjust`: what two members (by id) together add to their group's value (see `Scorer`).
    `time_limit`: seconds for the exact repair (None: no repair, the search's answer).
    `pool_size`: the people the score is shared over (default: `len(people)`), for callers
    that set members aside before calling.
    """
    if rules.min_size < 1 or rules.max_size < rules.min_size:
        raise ValueError("sizes must satisfy 1 <= min <= max")
    n = len(people)
    share = n if pool_size is None else pool_size
    able = [i for i, p in enumerate(people) if p.starts]
    if len(able) < n:  # set aside who can never meet: no step looks at them again
        found = form(
            [people[i] for i in able], rules, weights, met, seed, budget, adjust, time_limit, share
        )
        found.groups = [[able[i] for i in g] for g in found.groups]
        placed = {i for g in found.groups for i in g}
        found.unplaced = [i for i in range(n) if i not in placed]
        return found
    rng = random.Random(seed)
    scorer = Scorer(people, weights or Weights(), met or set(), adjust)
    work = default_budget(n) if budget is None else budget
    best, search = _search(people, rules, scorer, rng, work)
    unplaced = _left_out(best, n)
    exact = None
    if time_limit is not None:
        best, exact = repair(people, rules, scorer.industry, best, unplaced, rng, time_limit)
        if exact.placed_after > exact.placed_before:  # new groups: improve their score
            search.budget = search.work + REPAIR_BUDGET_PER_PERSON * exact.members
            search.load(best)
            best = search.run()
    final = [g for g in best if g]
    final.sort(key=lambda g: min(people[i].id for i in g))
    for g in final:
        g.sort(key=lambda i: people[i].id)
    unplaced = _left_out(final, n)
    scores = [scorer.score(g) for g in final]
    total = sum(len(g) * s for g, s in zip(final, scores, strict=True)) / share if share else 0.0
    return Grouping(
        groups=final,
        starts=[search.common_starts(g) for g in final],
        scores=scores,
        unplaced=unplaced,
        score=total,
        work=search.work,
        proven=exact.proven if exact is not None else not unplaced,
        exact=exact,
    )


def _left_out(groups: list[list[int]], n: int) -> list[int]:
    placed = {i for g in groups for i in g}
    return [i for i in range(n) if i not in placed]


def _search(
    people: Sequence[Person], rules: Rules, scorer: Scorer, rng: random.Random, work: int
) -> tuple[list[list[int]], Search]:
    """Steps 1-3, with fresh starts: the grouping placing most people, then scoring best."""
    n = len(people)
    starts = restarts(n)
    place_steps = max(PLACE_STEPS, PLACE_STEPS_PER_PERSON * n)
    best: list[list[int]] = []
    best_total = -1.0
    spent = 0
    search = Search(people, rules, scorer, rng, 0)
    for attempt in range(starts):
        slot = place(people, rules, rng, steps=place_steps, noise=attempt > 0)
        search.budget = spent + (work - spent) // (starts - attempt)
        search.load(_deal_all(slot, scorer.industry, rules, rng))
        found = search.run()
        spent = search.work
        total = sum(scorer.value(g) for g in found)
        if _placed(found) > _placed(best) or (
            _placed(found) == _placed(best) and total > best_total + EPS
        ):
            best, best_total = found, total
    return [g for g in best if g], search
