"""Group formation's exact step and its set-aside: a full placement is found when one exists,
"proven" is said only when it is true, and members who cannot be placed never reach the search.

Everything runs the real search and the real solver (HiGHS through scipy), no mocks.
Timings are not tested here: they live in benchmarks/formation.py.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Sequence
from functools import reduce
from operator import and_
from pathlib import Path
from typing import Any

import pytest

from peerkit.services.formation import DEFAULT_TIME_LIMIT, Grouping, Person, Rules, form
from peerkit.services.formation.exact import (
    NOT_NEEDED,
    OPTIMAL,
    neighbourhood,
    repair,
    solve,
)
from tests.conftest import Cli, assert_error
from tests.planted import hard

# --- helpers --------------------------------------------------------------------------


def assert_rules_kept(people: Sequence[Person], rules: Rules, result: Grouping) -> None:
    seen: list[int] = [i for g in result.groups for i in g]
    assert len(seen) == len(set(seen)), "someone is in two groups"
    assert sorted(seen + result.unplaced) == list(range(len(people)))
    for g in result.groups:
        assert rules.min_size <= len(g) <= rules.max_size, g
        assert reduce(and_, (people[i].starts for i in g), -1), g
        if rules.separate_industry:
            named = [people[i].industry for i in g if people[i].industry]
            assert len(named) == len(set(named)), g


def at(block: int, *more: int) -> int:
    bits = 1 << block
    for b in more:
        bits |= 1 << b
    return bits


def people_of(*specs: tuple[int, str | None]) -> list[Person]:
    """People with ids 1.. from (start blocks, industry)."""
    return [Person(id=n, starts=s, industry=ind) for n, (s, ind) in enumerate(specs, 1)]


# --- a full placement when one exists ---------------------------------------------------


def test_the_search_alone_leaves_members_out_of_the_hard_planted_pool() -> None:
    """The starting point of the exact step: without it, six planted members are left out."""
    people, _ = hard(240, seed=1)
    alone = form(people, Rules(6, 6, separate_industry=True), time_limit=None)
    assert len(alone.unplaced) == 6
    assert alone.exact is None
    assert alone.proven is False


def test_the_exact_step_places_everyone_in_the_hard_planted_pool() -> None:
    people, planted_groups = hard(240, seed=1)
    rules = Rules(6, 6, separate_industry=True)
    result = form(people, rules)
    assert_rules_kept(people, rules, result)
    assert result.unplaced == []
    assert len(result.groups) == len(planted_groups)
    assert result.proven is True
    assert result.exact is not None
    assert result.exact.status == OPTIMAL
    assert result.exact.placed_before == 234
    assert result.exact.placed_after == 240


@pytest.mark.slow
def test_the_600_member_planted_pool_of_the_report_is_placed_in_full() -> None:
    """The pool of the report: narrow windows, ten zones, groups of exactly six."""
    people, _ = hard(600, seed=1)
    rules = Rules(6, 6, separate_industry=True)
    assert len(form(people, rules, time_limit=None).unplaced) == 6
    result = form(people, rules)
    assert_rules_kept(people, rules, result)
    assert result.unplaced == []
    assert result.proven is True


def test_the_exact_step_is_deterministic_with_the_seed() -> None:
    people, _ = hard(240, seed=1)
    rules = Rules(6, 6, separate_industry=True)
    assert form(people, rules, seed=3) == form(list(people), rules, seed=3)


def test_nobody_left_out_needs_no_exact_step_and_is_proven() -> None:
    people = people_of(*[(at(4), None)] * 10)
    result = form(people, Rules(5, 5))
    assert result.unplaced == []
    assert result.proven is True
    assert result.exact is not None
    assert result.exact.status == NOT_NEEDED


# --- proven when no full placement exists ----------------------------------------------------


def test_industries_that_outnumber_the_groups_leave_members_out_proven() -> None:
    """Seven people free at one time, groups of 3-4, industries apart: three are in A.

    At most two groups (7 // 3), so at most two of A: six placed, one of A left out.
    """
    industries = ["A", "A", "A", "B", "B", "C", "D"]
    people = people_of(*[(at(10), ind) for ind in industries])
    rules = Rules(3, 4, separate_industry=True)
    result = form(people, rules)
    assert_rules_kept(people, rules, result)
    assert len(result.unplaced) == 1
    assert people[result.unplaced[0]].industry == "A"
    assert result.proven is True
    assert result.exact is not None
    assert result.exact.closed


def test_a_size_that_cannot_be_split_is_proven_to_leave_one_out() -> None:
    """Eight free at one time, groups of 5-7: one group of seven at most (proven)."""
    people = people_of(*[(at(3), None)] * 8)
    result = form(people, Rules(5, 7))
    assert len(result.unplaced) == 1
    assert result.proven is True


def test_two_times_that_compete_for_one_member() -> None:
    """x can make A or B; A has four others, B two others; groups of exactly three.

    A: x plus two of the four, or three of the four; B needs x and both others. The most
    placed is six: B = x, b1, b2 and A = three of the four (one of A left out).
    """
    a, b = 1, 2
    people = people_of(
        (at(a), None), (at(a), None), (at(a), None), (at(a), None),
        (at(a, b), None), (at(b), None), (at(b), None),
    )  # fmt: skip
    result = form(people, Rules(3, 3))
    assert len(result.unplaced) == 1
    assert people[result.unplaced[0]].starts == at(a)
    assert result.proven is True


def test_solve_counts_the_most_people_a_sub_problem_can_place() -> None:
    """The program alone, on people who share no time with enough others: none placed."""
    people = people_of((at(1), None), (at(1), None), (at(2), None))
    status, buckets = solve(people, Rules(3, 4), [0, 1, 2], DEFAULT_TIME_LIMIT)
    assert (status, buckets) == (OPTIMAL, [])


def test_not_proven_when_the_neighbourhood_is_not_closed() -> None:
    """Outside the part the exact step looked at, someone shares a time: no proof."""
    people = people_of(*[(at(1), None)] * 4, *[(at(1, 2), None)] * 3, *[(at(2), None)] * 3)
    groups = [[0, 1, 2, 3, 4]]
    members, taken, closed = neighbourhood(people, groups, [5, 6, 7, 8, 9], limit=2)
    assert closed is False
    assert taken == []
    members, taken, closed = neighbourhood(people, groups, [5, 6, 7, 8, 9])
    assert closed is True
    assert taken == [0]
    assert members == list(range(10))


def test_repair_never_places_fewer() -> None:
    rng = random.Random(1)
    people = people_of(*[(at(5), None)] * 6, (at(6), None))
    groups = [[0, 1, 2, 3, 4, 5]]
    industry = [-1] * len(people)
    kept, report = repair(people, Rules(3, 6), industry, groups, [6], rng)
    assert kept == groups
    assert report.placed_after == report.placed_before == 6
    assert report.proven is True  # nobody shares a time with the seventh


# --- set aside before the search ----------------------------------------------------------


def test_people_with_no_start_are_set_aside_before_the_search() -> None:
    """The search works only on who can meet: same groups, same work, with or without them."""
    people, _ = hard(60, seed=2)
    never = [Person(id=10_000 + k, starts=0, industry="A") for k in range(500)]
    mixed = [p for pair in zip(people, never, strict=False) for p in pair] + never[len(people) :]
    rules = Rules(6, 6, separate_industry=True)
    alone = form(people, rules, seed=5)
    both = form(mixed, rules, seed=5)
    assert both.work == alone.work
    ids = [[p.id for p in (people[i] for i in g)] for g in alone.groups]
    assert [[mixed[i].id for i in g] for g in both.groups] == ids
    left = {mixed[i].id for i in both.unplaced}
    assert {p.id for p in never} <= left
    assert both.score == pytest.approx(alone.score * len(people) / len(mixed))


# --- the command -----------------------------------------------------------------------------


def form_json(cli: Cli, *options: str) -> dict[str, Any]:
    result = cli.ok("group", "form", "--format", "json", *options)
    proposal: dict[str, Any] = json.loads(result.stdout)
    return proposal


def write_pool(path: Path, shared: int, silent: int, paused: int, left: int) -> None:
    """`shared` members free on Tuesday evening, then `silent` with no availability, then
    `paused` and `left` members (paused and removed later) who are free on Tuesday too."""
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(("name", "email", "timezone", "industry", "availability"))
        for n in range(shared + silent + paused + left):
            free = "tue 18:00-20:00" if n < shared or n >= shared + silent else ""
            out.writerow((f"Person {n}", f"p{n}@example.com", "Europe/Rome", f"i{n % 12}", free))


@pytest.mark.slow
def test_a_pool_of_60000_sets_aside_everyone_who_cannot_be_placed(cli: Cli, tmp_path: Path) -> None:
    shared, silent, paused, left = 24, 60_000, 3, 2
    source = tmp_path / "pool.csv"
    write_pool(source, shared, silent, paused, left)
    cli.ok("member", "import", str(source))
    first_paused = shared + silent + 1
    for member in range(first_paused, first_paused + paused):
        cli.ok("member", "pause", str(member))
    for member in range(first_paused + paused, first_paused + paused + left):
        cli.ok("member", "remove", str(member))

    proposal = form_json(cli, "--size", "5-7", "--separate", "industry")
    placed = sorted(m for g in proposal["groups"] for m in g["members"])
    assert placed == list(range(1, shared + 1))
    reasons = {u["member"]: u for u in proposal["unassigned"]}
    assert len(reasons) == silent + paused + left
    assert all(u["set_aside"] for u in reasons.values())
    for member in range(shared + 1, shared + silent + 1):
        assert reasons[member]["reason"].startswith("no availability recorded")
    for member in range(first_paused, first_paused + paused):
        assert reasons[member]["reason"].startswith("paused")
    for member in range(first_paused + paused, first_paused + paused + left):
        assert reasons[member]["reason"].startswith("left the community")
    assert proposal["proven"] is True
    assert proposal["exact"]["status"] == NOT_NEEDED

    table = cli.ok("group", "form", "--size", "5-7")
    assert f"Set aside: {silent:,} member(s), no availability recorded" in table.stderr
    assert "Not placed" not in table.stderr  # not one line a member: one a reason


def test_the_command_reports_proven_and_the_exact_step(cli: Cli) -> None:
    people = []
    for n, industry in enumerate(["A", "A", "A", "B", "B", "C", "D"]):
        people.append(
            int(
                cli.ok(
                    "member", "add", f"M{n}", "--email", f"m{n}@example.com",
                    "--timezone", "Europe/Rome", "--industry", industry,
                    "--available", "wed 18:00-19:30",
                ).stdout
            )
        )  # fmt: skip
    proposal = form_json(cli, "--size", "3-4", "--separate", "industry")
    assert proposal["proven"] is True
    assert proposal["exact"]["status"] == OPTIMAL
    assert proposal["exact"]["placed_after"] == 6
    [left] = proposal["unassigned"]
    assert left["set_aside"] is False
    assert "with someone in a already" in left["reason"]  # industries are compared casefolded
    table = cli.ok("group", "form", "--size", "3-4", "--separate", "industry")
    assert "places more members (proven)" in table.stderr

    without = form_json(cli, "--size", "3-4", "--separate", "industry", "--time-limit", "0")
    assert without["exact"] is None
    assert len(without["unassigned"]) == 1
    table = cli.ok("group", "form", "--size", "3-4", "--separate", "industry", "--time-limit", "0")
    assert "Not proven" in table.stderr


def test_a_time_limit_out_of_range_is_refused(cli: Cli) -> None:
    for bad in ("-1", "100000"):
        result = cli("group", "form", "--time-limit", bad)
        assert_error(result, "--time-limit")
