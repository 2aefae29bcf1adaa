"""Group formation: the hard rules always hold, placement is full when it can be, and the
score is close to the best one a brute-force search finds on small pools.

Everything here runs the real search (no mocks). Small pools are enumerated exhaustively:
every partition into groups of allowed sizes (plus people left out) that keeps the hard
rules, scored with the same `Scorer` that `form` uses.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from functools import cache, reduce
from itertools import combinations
from operator import and_

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peerkit.services.formation import (
    UNPLACED,
    Grouping,
    Person,
    Rules,
    Scorer,
    Weights,
    allowed_sizes,
    deal,
    default_budget,
    form,
    group_count,
    place,
    restarts,
)
from tests.planted import planted

# --- helpers --------------------------------------------------------------------------


def common(people: Sequence[Person], group: Sequence[int]) -> int:
    return reduce(and_, (people[i].starts for i in group), -1)


def keeps_hard_rules(people: Sequence[Person], group: Sequence[int], rules: Rules) -> bool:
    if not rules.min_size <= len(group) <= rules.max_size:
        return False
    if not common(people, group):
        return False
    if rules.separate_industry:
        named = [people[i].industry for i in group if people[i].industry is not None]
        if len(named) != len(set(named)):
            return False
    return True


def check_grouping(
    people: Sequence[Person],
    rules: Rules,
    result: Grouping,
    weights: Weights | None = None,
    met: set[tuple[int, int]] | None = None,
) -> None:
    """Every rule `form` promises about its answer."""
    n = len(people)
    placed = [i for g in result.groups for i in g]
    assert len(placed) == len(set(placed)), "someone is in two groups"
    assert sorted(placed + result.unplaced) == list(range(n))
    for group in result.groups:
        assert keeps_hard_rules(people, group, rules), [people[i] for i in group]
    # groups in order of their smallest id, members by id
    for group in result.groups:
        ids = [people[i].id for i in group]
        assert ids == sorted(ids)
    firsts = [people[g[0]].id for g in result.groups]
    assert firsts == sorted(firsts)
    assert result.starts == [common(people, g) for g in result.groups]
    scorer = Scorer(people, weights or Weights(), met or set())
    assert result.scores == pytest.approx([scorer.score(g) for g in result.groups])
    expected = sum(len(g) * scorer.score(g) for g in result.groups) / n if n else 0.0
    assert result.score == pytest.approx(expected)
    assert all(people[i].starts for i in placed)


# --- planted pools: a full placement exists -------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("wide", [True, False], ids=["wide", "evenings"])
@pytest.mark.parametrize("separate", [True, False], ids=["separate", "mixed"])
def test_planted_pool_is_fully_placed(seed: int, wide: bool, separate: bool) -> None:
    people, plan = planted(60, seed=seed, wide=wide, separate=separate)
    assert all(5 <= len(g) <= 7 for g in plan)
    rules = Rules(separate_industry=separate)
    result = form(people, rules, seed=seed)
    check_grouping(people, rules, result)
    assert result.unplaced == []
    assert sum(len(g) for g in result.groups) == 60
    assert 0.0 < result.score <= 1.0


def test_planted_pool_with_history_and_weights() -> None:
    people, plan = planted(60, seed=7)
    met = {(a, b) for ids in plan[:4] for a, b in combinations(ids, 2)}
    weights = Weights(stage=2.0, skills=0.5, industry=1.0, zones=3.0, fresh=1.0)
    rules = Rules(separate_industry=True)
    result = form(people, rules, weights, met, seed=3)
    check_grouping(people, rules, result, weights, met)
    assert result.unplaced == []


@pytest.mark.slow
def test_large_planted_pool_is_fully_placed() -> None:
    people, _ = planted(600, seed=5, wide=False)
    rules = Rules(separate_industry=True)
    result = form(people, rules, seed=1)
    check_grouping(people, rules, result)
    assert result.unplaced == []


# --- brute force on small pools -------------------------------------------------------

TOPICS = ["sales", "pricing", "legal", "tech", "design"]
SMALL_RULES = [
    Rules(2, 3),
    Rules(3, 4),
    Rules(3, 4, separate_industry=True),
    Rules(2, 4, separate_industry=True),
    Rules(4, 6),
    Rules(5, 7),
    Rules(5, 7, separate_industry=True),
]


def small_pool(seed: int) -> tuple[list[Person], set[tuple[int, int]], Rules]:
    """8-12 people over a few start blocks; every other pool has tight windows."""
    rng = random.Random(seed)
    n = rng.randint(8, 12)
    rules = SMALL_RULES[seed % len(SMALL_RULES)]
    tight = seed % 2 == 0
    blocks = 4 if tight else 7
    people = []
    for i in range(n):
        if tight and rng.random() < 0.5:
            starts = 1 << rng.randrange(blocks)
        else:
            starts = sum(1 << b for b in range(blocks) if rng.random() < 0.5)
        if rng.random() < 0.05:
            starts = 0
        people.append(
            Person(
                id=100 + 3 * i,
                starts=starts,
                stage=None if rng.random() < 0.2 else rng.randrange(4),
                industry=None if rng.random() < 0.2 else rng.choice("abcd"),
                skills=frozenset(rng.sample(TOPICS, rng.randint(0, 2))),
                needs=frozenset(rng.sample(TOPICS, rng.randint(0, 2))),
                offset=rng.choice([-300, 0, 60, 330, 540]),
            )
        )
    met = {
        (people[a].id, people[b].id) for a, b in (rng.sample(range(n), 2) for _ in range(n // 2))
    }
    return people, met, rules


def brute_force(people: Sequence[Person], rules: Rules, scorer: Scorer) -> tuple[int, float]:
    """(most people placed, best sum of size x score among the partitions placing them)."""
    sizes = range(rules.min_size, rules.max_size + 1)
    best = (0, 0.0)

    def search(left: tuple[int, ...], placed: int, total: float) -> None:
        nonlocal best
        if not left:
            if placed > best[0] or (placed == best[0] and total > best[1]):
                best = (placed, total)
            return
        first, rest = left[0], left[1:]
        search(rest, placed, total)  # `first` left out
        for size in sizes:
            for others in combinations(rest, size - 1):
                group = (first, *others)
                if keeps_hard_rules(people, group, rules):
                    remaining = tuple(x for x in rest if x not in others)
                    search(remaining, placed + size, total + scorer.value(group))

    search(tuple(range(len(people))), 0, 0.0)
    return best


# 86 comes from a wider sweep (seeds 0-119): see test_small_pool_against_brute_force.
BRUTE_SEEDS = [*range(28), 86]


@cache
def _form_against_brute_force(seed: int) -> tuple[int, int, float, float]:
    people, met, rules = small_pool(seed)
    scorer = Scorer(people, Weights(), met)
    best_placed, best_total = brute_force(people, rules, scorer)
    result = form(people, rules, met=met, seed=seed)
    check_grouping(people, rules, result, met=met)
    placed = len(people) - len(result.unplaced)
    total = result.score * len(people)
    return best_placed, placed, best_total, total


@pytest.mark.parametrize("seed", BRUTE_SEEDS)
def test_small_pool_against_brute_force(seed: int) -> None:
    """As many people placed as possible, and at least 0.97 of the best total.

    Known failures (see the two tests below for minimal cases): seed 13 places nobody where
    one group of five is possible, and seed 86 keeps a group at a time where it scores 0.61
    while another time gives 0.87 (0.69 of the best total).
    """
    best_placed, placed, best_total, total = _form_against_brute_force(seed)
    assert placed == best_placed
    # The brute force is exhaustive: nothing can beat it.
    assert total <= best_total + 1e-9
    assert total >= 0.97 * best_total - 1e-9


def test_small_pools_usually_reach_the_optimum() -> None:
    exact = 0
    for seed in BRUTE_SEEDS:
        best_placed, placed, best_total, total = _form_against_brute_force(seed)
        if placed == best_placed and total == pytest.approx(best_total, abs=1e-9):
            exact += 1
    assert exact >= 0.75 * len(BRUTE_SEEDS)


def test_placement_takes_the_grouping_that_leaves_fewer_out() -> None:
    """Four people can only meet at block 0, one can meet at 0 or 1, nine only at 1.

    Best: the four with the flexible one at block 0 (5), and seven of the nine at block 1:
    12 placed. Two groups of five at block 1 leave the four at block 0 without a group.
    """
    people = [Person(id=i, starts=0b01) for i in range(1, 5)]
    people.append(Person(id=5, starts=0b11))
    people += [Person(id=i, starts=0b10) for i in range(6, 15)]
    rules = Rules(5, 7)
    assert brute_force(people, rules, Scorer(people, Weights(), set()))[0] == 12
    result = form(people, rules, seed=0)
    check_grouping(people, rules, result)
    assert len(result.unplaced) == 2


def test_smaller_groups_when_they_score_better() -> None:
    """Six people free at one time, three far-apart pairs of twins, sizes 2-3.

    Three pairs score 1.0 each; any two groups of three mix stages and zones.
    """
    twins = [(0, -600), (0, -600), (3, 0), (3, 0), (0, 600), (0, 600)]
    people = [Person(id=i, starts=1, stage=s, offset=o) for i, (s, o) in enumerate(twins, 1)]
    rules = Rules(2, 3)
    scorer = Scorer(people, Weights(), set())
    assert brute_force(people, rules, scorer) == (6, pytest.approx(6.0))
    result = form(people, rules, seed=0)
    check_grouping(people, rules, result)
    assert result.score >= 0.97


# --- reproducibility ------------------------------------------------------------------


def test_same_seed_same_groups() -> None:
    people, _ = planted(60, seed=11, wide=False)
    rules = Rules(separate_industry=True)
    a = form(people, rules, seed=42)
    b = form(list(people), rules, seed=42)
    assert a == b
    c = form(people, rules, seed=43)
    check_grouping(people, rules, c)
    assert c.unplaced == []


def test_same_seed_same_groups_on_small_pool() -> None:
    people, met, rules = small_pool(5)
    runs = [form(people, rules, met=met, seed=9) for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]


# --- sizes -----------------------------------------------------------------------------


def everyone_free(n: int, industry: str | None = None) -> list[Person]:
    return [Person(id=i, starts=0b1, industry=industry) for i in range(1, n + 1)]


def test_eight_people_make_one_group() -> None:
    people = everyone_free(8)
    result = form(people, Rules(5, 7))
    check_grouping(people, Rules(5, 7), result)
    assert len(result.groups) == 1
    assert 5 <= len(result.groups[0]) <= 7
    assert len(result.unplaced) == 8 - len(result.groups[0])


def test_thirteen_people_make_two_groups() -> None:
    people = everyone_free(13)
    result = form(people, Rules(5, 7))
    check_grouping(people, Rules(5, 7), result)
    assert sorted(len(g) for g in result.groups) == [6, 7]
    assert result.unplaced == []


@pytest.mark.parametrize("n", [10, 11, 12, 14, 15, 20, 21])
def test_splittable_pools_are_fully_placed(n: int) -> None:
    people = everyone_free(n)
    result = form(people, Rules(5, 7))
    check_grouping(people, Rules(5, 7), result)
    assert result.unplaced == []
    assert sum(len(g) for g in result.groups) == n


@pytest.mark.parametrize("n", [1, 4])
def test_too_few_people_place_nobody(n: int) -> None:
    people = everyone_free(n)
    result = form(people, Rules(5, 7))
    assert result.groups == []
    assert result.unplaced == list(range(n))
    assert result.score == 0.0


def test_empty_pool() -> None:
    result = form([], Rules())
    assert result.groups == []
    assert result.unplaced == []
    assert result.score == 0.0


def test_allowed_sizes_five_to_seven() -> None:
    ok = allowed_sizes(30, Rules(5, 7))
    assert [b for b in range(31) if ok[b]] == [0, 5, 6, 7, *range(10, 31)]
    assert not ok[8]
    assert not ok[9]
    assert all(ok[b] for b in range(10, 15))


@pytest.mark.parametrize(("low", "high"), [(1, 1), (2, 3), (3, 4), (4, 8), (5, 7), (6, 6)])
def test_allowed_sizes_match_naive(low: int, high: int) -> None:
    ok = allowed_sizes(60, Rules(low, high))
    reachable = {0}
    for _ in range(60):
        reachable |= {r + s for r in reachable for s in range(low, high + 1) if r + s <= 60}
    assert [b for b in range(61) if ok[b]] == sorted(reachable)


def test_group_count() -> None:
    rules = Rules(5, 7)
    assert group_count(5, 0, rules) == 1
    assert group_count(7, 0, rules) == 1
    assert group_count(8, 0, rules) == 0
    assert group_count(9, 0, rules) == 0
    assert group_count(12, 0, rules) == 2
    assert group_count(13, 0, rules) == 2
    assert group_count(14, 0, rules) == 2
    assert group_count(18, 0, rules) == 3  # 6+6+6
    assert group_count(20, 0, rules) == 3  # near six: 20/3 beats 20/4
    # industries apart: a biggest industry of 3 needs three groups
    sep = Rules(5, 7, separate_industry=True)
    assert group_count(14, 2, sep) == 2
    assert group_count(15, 3, sep) == 3
    assert group_count(14, 3, sep) == 0  # 14 people make at most two groups of five
    assert group_count(14, 3, rules) == 2  # not asked to keep them apart


@settings(max_examples=100, deadline=None)
@given(
    size=st.integers(1, 60),
    low=st.integers(1, 6),
    extra=st.integers(0, 4),
    biggest=st.integers(0, 12),
    separate=st.booleans(),
)
def test_group_count_gives_valid_sizes(
    size: int, low: int, extra: int, biggest: int, separate: bool
) -> None:
    rules = Rules(low, low + extra, separate)
    k = group_count(size, biggest, rules)
    feasible = [
        j
        for j in range(1, size + 1)
        if j * low <= size <= j * (low + extra) and (not separate or biggest <= j)
    ]
    if not feasible:
        assert k == 0
    else:
        assert k in feasible
        # round-robin sizes are floor and ceil of size / k
        assert low <= size // k
        assert -(-size // k) <= low + extra


@settings(max_examples=80, deadline=None)
@given(
    industries=st.lists(st.integers(-1, 4), min_size=0, max_size=30),
    low=st.integers(2, 5),
    extra=st.integers(0, 3),
    separate=st.booleans(),
    seed=st.integers(0, 1000),
)
def test_deal_keeps_rules(
    industries: list[int], low: int, extra: int, separate: bool, seed: int
) -> None:
    rules = Rules(low, low + extra, separate)
    bucket = list(range(len(industries)))
    groups, left = deal(bucket, industries, rules, random.Random(seed))
    assert sorted([i for g in groups for i in g] + left) == bucket
    for g in groups:
        assert low <= len(g) <= low + extra
        if separate:
            named = [industries[i] for i in g if industries[i] >= 0]
            assert len(named) == len(set(named))
    if groups:
        sizes = sorted(len(g) for g in groups)
        assert sizes[-1] - sizes[0] <= 1


def test_deal_places_everyone_when_it_can() -> None:
    industries = [0, 0, 1, 1, 2, 2, 3, 3, 4, 5, 6, -1, -1]
    groups, left = deal(list(range(13)), industries, Rules(5, 7, True), random.Random(0))
    assert left == []
    assert sorted(len(g) for g in groups) == [6, 7]


def test_deal_leaves_out_a_crowded_industry() -> None:
    """Thirteen people make at most two groups of five, so no industry may have three:
    one of the three 0s and one of the three 1s are left out."""
    industries = [0, 0, 0, 1, 1, 1, 2, 2, 3, 4, 5, -1, -1]
    groups, left = deal(list(range(13)), industries, Rules(5, 7, True), random.Random(0))
    assert sorted(industries[i] for i in left) == [0, 1]
    assert sorted(len(g) for g in groups) == [5, 6]
    for g in groups:
        named = [industries[i] for i in g if industries[i] >= 0]
        assert len(named) == len(set(named))


def test_place_uses_only_own_start_blocks() -> None:
    people, _ = planted(60, seed=4)
    slot = place(people, Rules(separate_industry=True), random.Random(0), steps=2_000)
    assert len(slot) == 60
    for p, s in zip(people, slot, strict=True):
        assert s == UNPLACED or p.starts >> s & 1


def test_budget_and_restarts() -> None:
    assert default_budget(0) == 200_000
    assert default_budget(100) > default_budget(10)
    assert restarts(10) >= restarts(1_000) >= restarts(10_000) >= 1


def test_work_stays_near_the_budget() -> None:
    people, _ = planted(60, seed=2)
    result = form(people, Rules(), budget=30_000)
    check_grouping(people, Rules(), result)
    # the budget is checked between moves: a pass may run over by a little
    assert result.work <= 30_000 + 2_000


# --- impossible constraints -----------------------------------------------------------


def test_one_industry_kept_apart_places_nobody() -> None:
    people = everyone_free(12, industry="retail")
    rules = Rules(5, 7, separate_industry=True)
    result = form(people, rules)
    assert result.groups == []
    assert len(result.unplaced) == 12


def test_two_industries_kept_apart_with_pairs() -> None:
    people = [Person(id=i, starts=1, industry="ab"[i % 2]) for i in range(1, 11)]
    rules = Rules(2, 3, separate_industry=True)
    result = form(people, rules)
    check_grouping(people, rules, result)
    assert result.unplaced == []
    assert all(len(g) == 2 for g in result.groups)


def test_people_without_start_blocks_are_never_placed() -> None:
    people = everyone_free(10) + [Person(id=i, starts=0) for i in range(11, 16)]
    result = form(people, Rules(5, 7))
    check_grouping(people, Rules(5, 7), result)
    assert set(range(10, 15)) <= set(result.unplaced)
    assert sum(len(g) for g in result.groups) == 10


def test_no_common_time_places_nobody() -> None:
    people = [Person(id=i, starts=1 << i) for i in range(1, 13)]
    result = form(people, Rules(2, 3))
    assert result.groups == []


@pytest.mark.parametrize(("low", "high"), [(6, 5), (0, 5), (-1, 3), (3, 2)])
def test_invalid_sizes_raise(low: int, high: int) -> None:
    with pytest.raises(ValueError, match="sizes"):
        form(everyone_free(10), Rules(low, high))


def test_zero_weights_raise() -> None:
    with pytest.raises(ValueError, match="weight"):
        form(everyone_free(10), Rules(), Weights(0, 0, 0, 0, 0))


# --- scorer ---------------------------------------------------------------------------


def scorer_group() -> list[Person]:
    return [
        Person(1, 1, 0, "a", frozenset({"sales"}), frozenset({"legal", "tech"}), 0),
        Person(2, 1, 3, "a", frozenset({"legal"}), frozenset({"sales"}), 60),
        Person(3, 1, 1, "b", frozenset(), frozenset({"design"}), 330),
        Person(4, 1, None, None, frozenset({"tech"}), frozenset(), -300),
        Person(5, 1, 2, "c", frozenset({"design"}), frozenset(), 0),  # not in the group
    ]


def test_scorer_components_by_hand() -> None:
    people = scorer_group()
    met = {(1, 2), (5, 1), (3, 99)}  # 5 is outside the group, 99 outside the pool
    scorer = Scorer(people, Weights(), met)
    stage, skills, industry, zones, fresh = scorer.components([0, 1, 2, 3])
    # stages 0, 3, 1 (and one blank): distances 3 + 1 + 2 over 3 pairs, of at most 3
    assert stage == pytest.approx(1 - 6 / 9)
    # needs: legal (2 has it), tech (4 has it), sales (1 has it), design (nobody): 3 of 4
    assert skills == pytest.approx(3 / 4)
    # named industries a, a, b: 2 distinct of 3
    assert industry == pytest.approx(2 / 3)
    # offsets 0, 60, 330, -300: pair distances 60+330+300+270+360+630 over 6 pairs / 720
    assert zones == pytest.approx(1 - 1950 / (6 * 720))
    # one of six pairs met before
    assert fresh == pytest.approx(5 / 6)
    mean = (stage + skills + industry + zones + fresh) / 5
    assert scorer.score([0, 1, 2, 3]) == pytest.approx(mean)
    assert scorer.value([0, 1, 2, 3]) == pytest.approx(4 * mean)
    # members' order does not matter, nor the order of a met pair
    assert scorer.score([3, 1, 0, 2]) == pytest.approx(mean)
    assert Scorer(people, Weights(), {(2, 1)}).components([0, 1, 2, 3])[4] == pytest.approx(5 / 6)


def test_scorer_skills_not_covered_by_own_skills() -> None:
    people = [
        Person(1, 1, skills=frozenset({"tech"}), needs=frozenset({"tech"})),
        Person(2, 1),
    ]
    assert Scorer(people, Weights(), set()).components([0, 1])[1] == 0.0
    people[1] = Person(2, 1, skills=frozenset({"tech"}))
    assert Scorer(people, Weights(), set()).components([0, 1])[1] == 1.0


def test_missing_values_count_as_perfect() -> None:
    people = [Person(i, 1) for i in range(1, 6)]
    scorer = Scorer(people, Weights(), set())
    assert scorer.components([0, 1, 2, 3, 4]) == (1.0, 1.0, 1.0, 1.0, 1.0)
    assert scorer.score([0, 1, 2]) == pytest.approx(1.0)
    # one known stage among blanks: no pair to compare
    people = [Person(1, 1, stage=3), Person(2, 1), Person(3, 1, industry="x")]
    assert Scorer(people, Weights(), set()).components([0, 1, 2])[:3] == (1.0, 1.0, 1.0)


def test_single_and_empty_groups() -> None:
    people = scorer_group()
    scorer = Scorer(people, Weights(), set())
    assert scorer.components([2]) == (1.0, 0.0, 1.0, 1.0, 1.0)  # a need nobody else has
    assert scorer.score([]) == 0.0
    assert scorer.value([]) == 0.0


def test_zones_far_apart_score_zero() -> None:
    people = [Person(1, 1, offset=-600), Person(2, 1, offset=600), Person(3, 1, offset=-720)]
    scorer = Scorer(people, Weights(), set())
    assert scorer.components([0, 1])[3] == 0.0  # 20 hours apart: clamped at 0
    assert scorer.components([0, 2])[3] == pytest.approx(1 - 120 / 720)
    people = [Person(1, 1, offset=0), Person(2, 1, offset=720)]
    assert Scorer(people, Weights(), set()).components([0, 1])[3] == 0.0


def test_stage_extremes() -> None:
    people = [Person(1, 1, stage=0), Person(2, 1, stage=3), Person(3, 1, stage=3)]
    scorer = Scorer(people, Weights(), set())
    assert scorer.components([0, 1])[0] == 0.0
    assert scorer.components([1, 2])[0] == 1.0
    assert scorer.components([0, 1, 2])[0] == pytest.approx(1 - 6 / 9)


def test_weights_normalise() -> None:
    people = scorer_group()
    group = [0, 1, 2, 3]
    default = Scorer(people, Weights(), {(1, 2)})
    doubled = Scorer(people, Weights(2, 2, 2, 2, 2), {(1, 2)})
    assert doubled.score(group) == pytest.approx(default.score(group))
    stage, _skills, _industry, _zones, fresh = default.components(group)
    only_two = Scorer(people, Weights(stage=3, skills=0, industry=0, zones=0, fresh=1), {(1, 2)})
    assert only_two.score(group) == pytest.approx((3 * stage + fresh) / 4)
    just_skills = Scorer(people, Weights(0, 5, 0, 0, 0), set())
    assert just_skills.score(group) == pytest.approx(3 / 4)
    assert sum(only_two.w) == pytest.approx(1.0)


def test_scores_lie_between_zero_and_one() -> None:
    people, plan = planted(60, seed=3)
    scorer = Scorer(people, Weights(), set())
    index = {p.id: i for i, p in enumerate(people)}
    for ids in plan:
        group = [index[x] for x in ids]
        assert all(0.0 <= c <= 1.0 for c in scorer.components(group))
        assert 0.0 <= scorer.score(group) <= 1.0


# --- property: any answer keeps every rule --------------------------------------------

PERSON = st.builds(
    lambda starts, stage, industry, skills, needs, offset: (
        starts,
        stage,
        industry,
        frozenset(skills),
        frozenset(needs),
        offset,
    ),
    st.integers(0, 15),
    st.none() | st.integers(0, 3),
    st.none() | st.sampled_from("abc"),
    st.sets(st.sampled_from(TOPICS), max_size=2),
    st.sets(st.sampled_from(TOPICS), max_size=2),
    st.sampled_from([-300, 0, 60, 540]),
)


@settings(max_examples=30, deadline=None)
@given(
    rows=st.lists(PERSON, min_size=0, max_size=16),
    low=st.integers(1, 4),
    extra=st.integers(0, 3),
    separate=st.booleans(),
    seed=st.integers(0, 10_000),
    met_pairs=st.lists(st.tuples(st.integers(1, 16), st.integers(1, 16)), max_size=6),
)
def test_form_always_keeps_the_rules(
    rows: list[tuple[int, int | None, str | None, frozenset[str], frozenset[str], int]],
    low: int,
    extra: int,
    separate: bool,
    seed: int,
    met_pairs: list[tuple[int, int]],
) -> None:
    people = [Person(i, *row) for i, row in enumerate(rows, 1)]
    rules = Rules(low, low + extra, separate)
    met = {(a, b) for a, b in met_pairs if a != b}
    result = form(people, rules, met=met, seed=seed, budget=20_000)
    check_grouping(people, rules, result, met=met)
