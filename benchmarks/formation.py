"""peerkit's group formation and mentor matching benchmark: speed and quality, in one run.

    .venv/bin/python benchmarks/formation.py            # full: several minutes
    .venv/bin/python benchmarks/formation.py --quick    # without the 6,000-member pools
    .venv/bin/python benchmarks/formation.py --parts hard,pools   # parts 5 and 6 only

Four parts, each printed as a Markdown table (progress goes to stderr):

1. ``formation.form()`` in this process on planted pools (tests/planted.py: a full valid
   partition exists by construction) of 60, 600 and 6,000 members, wide and narrow
   windows, Rules(5, 7, separate_industry=True), the default budget: time, members placed,
   groups, and a check that every group keeps the hard rules.
2. Quality at 60 members: the default ``form()`` score against the best known, the best
   of five long runs (30 x the default budget, seeds 0-4) and the default run itself.
3. The whole command: 600 members imported with ``peerkit member import`` (availability
   windows rebuilt from a planted pool), then ``peerkit group form --separate industry
   --format json`` as a subprocess, against the same ``form()`` call in this process.
4. ``matching.assign()`` (optimal) on 300 mentors x 1,000 mentees, and on as many mentees
   as the mentors have seats, against a greedy pass.
5. Harder planted pools (tests/planted.py ``hard()``: narrow evenings, one common start per
   planted group, ten zones, groups of exactly six, industries apart) of 240, 600 and 6,000
   members: the search alone (``time_limit=None``, what ``group form`` did before the exact
   step) against the search with the exact step: members left out, proven, time.
6. The whole ``group form --format json`` command as the pool grows from 100 to 100,000
   members, with 100, 240 or 1,000 members who can be placed and the others without
   availability: time, CPU and peak memory of the process (benchmarks/spawn.py).

``--parts hard,pools`` runs only some parts; ``--src DIR`` runs the commands of parts 3 and 6
on other sources (an older checkout's src, to compare).

See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import platform
import random
import sqlite3
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from run import (
    DAYS,
    FIRST_EN,
    FIRST_IT,
    LAST_EN,
    LAST_IT,
    PY,
    BenchmarkError,
    Runner,
    _ascii,
    _children_cpu,
    _fmt,
    _git_state,
    _progress,
    _show,
    _version,
    run_session,
    source_fingerprint,
)

from peerkit.services.formation import Grouping, Person, Rules, Scorer, Weights, default_budget
from peerkit.services.formation import form as formation_form
from peerkit.services.formation.placement import bits_of
from peerkit.services.mentoring import matching

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.planted import LENGTH, STEP, WEEK, hard, planted  # noqa: E402

T = TypeVar("T")

RULES = Rules(5, 7, separate_industry=True)
PLANTED_SEED = 1  # the pools of parts 1 and 3
QUALITY_SEEDS = (1, 2, 3)  # the planted pools of part 2
LONG_SEEDS = range(5)  # form() seeds of the long runs
LONG_FACTOR = 30  # x the default budget
TIME_GOALS = {600: 15.0, 6_000: 60.0}  # seconds
QUALITY_GOAL = 0.97
SMALL_RUNS = 3  # medians of the quick measurements; the long ones run once
TODAY = "2026-03-04"  # PEERKIT_TODAY of the command: the reference week is 9-15 March 2026
# Zones without daylight saving for the planted offsets (minutes east of UTC).
ZONES = {
    -300: "America/Bogota",
    0: "Atlantic/Reykjavik",
    60: "Africa/Lagos",
    120: "Africa/Johannesburg",
    330: "Asia/Kolkata",
}
STAGES = ("idea", "early", "growth", "established")
TOPICS = (
    "sales", "pricing", "marketing", "legal", "finance", "design", "tech", "hiring",
    "fundraising", "export", "branding", "operations", "seo", "public speaking", "negotiation",
)  # fmt: skip


# --- measuring ------------------------------------------------------------------------


@dataclass
class Timed:
    walls: list[float]  # seconds, in run order
    cpus: list[float]

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)

    @property
    def runs(self) -> int:
        return len(self.walls)


def measure(work: Callable[[], T], runs: int, warm_up: bool = False) -> tuple[Timed, T]:
    """Wall-clock and CPU seconds (time.process_time) of `runs` calls, each after a full
    collection; returns the timings and the last result."""
    if warm_up:
        work()
    timed = Timed([], [])
    result: T
    for _ in range(runs):
        gc.collect()
        cpu = time.process_time()
        start = time.perf_counter()
        result = work()
        timed.walls.append(time.perf_counter() - start)
        timed.cpus.append(time.process_time() - cpu)
    return timed, result


def spawn(runner: Runner, argv: list[str], runs: int = 1) -> tuple[Timed, str]:
    """Wall-clock and children's CPU seconds of whole subprocesses; returns the last stdout."""
    timed = Timed([], [])
    out = ""
    for _ in range(runs):
        cpu = _children_cpu()
        start = time.perf_counter()
        out = runner.run(argv, capture=True).stdout
        timed.walls.append(time.perf_counter() - start)
        timed.cpus.append(_children_cpu() - cpu)
    return timed, out


def rules_kept(people: Sequence[Person], found: Grouping, rules: Rules) -> str:
    """'yes', or what is wrong: sizes, a common start, industries apart, nobody twice."""
    problems = []
    seen: Counter[int] = Counter(i for g in found.groups for i in g)
    if any(c > 1 for c in seen.values()):
        problems.append("someone in two groups")
    for g in found.groups:
        if not rules.min_size <= len(g) <= rules.max_size:
            problems.append(f"a group of {len(g)}")
        common = -1
        for i in g:
            common &= people[i].starts
        if not common:
            problems.append("a group without a common start")
        named = [people[i].industry for i in g if people[i].industry]
        if rules.separate_industry and len(set(named)) < len(named):
            problems.append("two of one industry in a group")
    return "yes" if not problems else "NO: " + ", ".join(sorted(set(problems)))


def pool_score(people: Sequence[Person], groups: Sequence[Sequence[int]]) -> float:
    """The grouping score (as form() reports it) of groups of person indexes."""
    scorer = Scorer(people, Weights(), set())
    return sum(scorer.value(g) for g in groups) / len(people)


# --- 1. scale ---------------------------------------------------------------------------


@dataclass
class ScaleRow:
    n: int
    wide: bool
    planted_groups: int
    timed: Timed
    found: Grouping
    rules: str

    @property
    def placed(self) -> int:
        return self.n - len(self.found.unplaced)

    def verdict(self) -> str:
        parts = ["all placed" if self.placed == self.n else "NOT all placed"]
        goal = TIME_GOALS.get(self.n)
        if goal is not None:
            parts.append("time ok" if self.timed.wall <= goal else "time MISSED")
        if self.rules != "yes":
            parts.append("RULES BROKEN")
        ok = self.placed == self.n and self.rules == "yes"
        ok = ok and (goal is None or self.timed.wall <= goal)
        return ("ok" if ok else "MISSED") + f" ({', '.join(parts)})"


def scale(sizes: Sequence[int]) -> list[ScaleRow]:
    rows = []
    for n in sizes:
        for wide in (True, False):
            people, groups = planted(n, seed=PLANTED_SEED, wide=wide)
            runs = SMALL_RUNS if n < 600 else 1
            label = f"form(): {n:,} members, {'wide' if wide else 'narrow'}"
            _progress(f"{label}: {runs} run(s)")
            timed, found = measure(lambda p=people: formation_form(p, RULES), runs, runs > 1)
            rows.append(
                ScaleRow(n, wide, len(groups), timed, found, rules_kept(people, found, RULES))
            )
            _progress(f"{label}: {_fmt(timed.wall)}, {n - len(found.unplaced):,} placed")
    return rows


def print_scale(rows: list[ScaleRow]) -> None:
    print("\n## 1. form() on planted pools (in this process, default budget)\n")
    head = (
        "| pool | windows | runs | time (median) | CPU | placed / total | groups (planted) "
        "| score | work | rules kept | goal | result |"
    )
    print(head)
    print("|" + "|".join("---" for _ in range(head.count("|") - 1)) + "|")
    for r in rows:
        goal = f"all placed, <= {TIME_GOALS[r.n]:.0f} s" if r.n in TIME_GOALS else "all placed"
        print(
            f"| {r.n:,} | {'wide' if r.wide else 'narrow'} | {r.timed.runs} | {_fmt(r.timed.wall)} "
            f"| {_fmt(r.timed.cpu)} | {r.placed:,} / {r.n:,} | {len(r.found.groups)} "
            f"({r.planted_groups}) | {r.found.score:.4f} | {r.found.work:,} | {r.rules} "
            f"| {goal} | {r.verdict()} |"
        )


# --- 2. quality -------------------------------------------------------------------------


@dataclass
class QualityRow:
    seed: int
    default: Grouping
    timed: Timed
    long: list[tuple[int, float, float]]  # form seed, score, seconds
    planted_score: float

    @property
    def best(self) -> float:
        return max(self.default.score, *(s for _seed, s, _t in self.long))

    @property
    def ratio(self) -> float:
        return self.default.score / self.best

    def found_by(self) -> str:
        if self.default.score >= self.best:
            return "the default run"
        seed = max(self.long, key=lambda x: x[1])[0]
        return f"long run, seed {seed}"


def quality(best_runs: int) -> list[QualityRow]:
    rows = []
    budget = default_budget(60) * LONG_FACTOR
    for seed in QUALITY_SEEDS:
        people, groups = planted(60, seed=seed, wide=True)
        index = {p.id: i for i, p in enumerate(people)}
        planted_score = pool_score(people, [[index[pid] for pid in g] for g in groups])
        _progress(f"quality, planted seed {seed}: default form(), {SMALL_RUNS} runs")
        timed, default = measure(lambda p=people: formation_form(p, RULES), SMALL_RUNS, True)
        long = []
        for s in list(LONG_SEEDS)[:best_runs]:
            start = time.perf_counter()
            found = formation_form(people, RULES, seed=s, budget=budget)
            long.append((s, found.score, time.perf_counter() - start))
            _progress(
                f"quality, planted seed {seed}: long run seed {s}: {found.score:.4f} "
                f"in {_fmt(long[-1][2])}"
            )
        rows.append(QualityRow(seed, default, timed, long, planted_score))
    return rows


def print_quality(rows: list[QualityRow]) -> None:
    budget = default_budget(60)
    print(
        f"\n## 2. Quality at 60 members (wide windows): default budget ({budget:,}) against "
        f"the best known\n"
    )
    head = (
        "| planted seed | default score | default time (median) | long runs: scores "
        "(seed 0..) | long run time (median) | best known | found by | planted partition "
        "| ratio default / best | goal | result |"
    )
    print(head)
    print("|" + "|".join("---" for _ in range(head.count("|") - 1)) + "|")
    for r in rows:
        scores = " ".join(f"{s:.4f}" for _seed, s, _t in r.long)
        long_time = statistics.median(t for _s, _sc, t in r.long) if r.long else 0.0
        verdict = "ok" if r.ratio >= QUALITY_GOAL else "MISSED"
        print(
            f"| {r.seed} | {r.default.score:.4f} | {_fmt(r.timed.wall)} | {scores} "
            f"| {_fmt(long_time)} | {r.best:.4f} | {r.found_by()} | {r.planted_score:.4f} "
            f"| {r.ratio:.4f} | >= {QUALITY_GOAL} | {verdict} |"
        )


# --- 3. the whole command -----------------------------------------------------------------


def windows_of(starts: int, offset: int) -> list[str]:
    """Weekly windows, in the member's own zone, whose 90-minute starts include `starts`.

    `starts` holds UTC start blocks of the week from Monday 00:00 UTC, as the planted pool
    and peerkit's reference week count them; every run of starts a..b becomes the free
    window from a to b + 90 minutes, split at midnight (the week wraps around).
    """
    shift = offset // STEP
    local = 0
    for b in bits_of(starts):
        local |= 1 << ((b + shift) % WEEK)
    found: list[tuple[int, int]] = []  # runs of start blocks [a, e)
    pos = 0
    while pos < WEEK:
        if local >> pos & 1:
            end = pos
            while end < WEEK and local >> end & 1:
                end += 1
            found.append((pos, end))
            pos = end
        else:
            pos += 1
    if len(found) > 1 and found[0][0] == 0 and found[-1][1] == WEEK:
        first = found.pop(0)
        found[-1] = (found[-1][0], WEEK + first[1])
    out = []
    for a, e in found:
        minute, last = a * STEP, (e - 1 + LENGTH) * STEP
        while minute < last:
            day_start = minute // 1440 * 1440
            piece = min(last, day_start + 1440)
            begin, finish = minute - day_start, piece - day_start
            out.append(
                f"{DAYS[day_start // 1440 % 7]} {begin // 60:02d}:{begin % 60:02d}-"
                f"{finish // 60:02d}:{finish % 60:02d}"
            )
            minute = piece
    return out


def write_pool_csv(path: Path, people: Sequence[Person]) -> dict[str, int]:
    """The planted people as a `member import` CSV; returns e-mail -> planted id."""
    rng = random.Random(PLANTED_SEED)
    emails = {}
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(
            ("name", "email", "timezone", "skills", "needs", "stage", "industry", "availability")
        )
        for p in sorted(people, key=lambda p: p.id):
            italian = p.offset in (60, 120) and rng.random() < 0.5
            first = rng.choice(FIRST_IT if italian else FIRST_EN)
            last = rng.choice(LAST_IT if italian else LAST_EN)
            email = f"{_ascii(first)}.{_ascii(last)}.{p.id}@example.com"
            emails[email] = p.id
            writer.writerow(
                (
                    f"{first} {last}",
                    email,
                    ZONES[p.offset],
                    "; ".join(sorted(p.skills)),
                    "; ".join(sorted(p.needs)),
                    "" if p.stage is None else STAGES[p.stage],
                    p.industry or "",
                    "; ".join(windows_of(p.starts, p.offset)),
                )
            )
    return emails


@dataclass
class CommandPart:
    n: int
    groups_planted: int
    import_time: Timed
    argv: list[str]
    command: Timed
    proposal: dict[str, Any]
    startup: Timed
    propose: Timed
    search: Timed
    found: Grouping
    same_groups: bool
    superset: int  # members whose starts as peerkit sees them include the planted ones
    extra: int  # of those, members with more starts than planted (windows merged)
    rules: str


def command_path(runner: Runner, work: Path, n: int) -> CommandPart:
    from peerkit.config import Settings
    from peerkit.db import open_database
    from peerkit.services.formation import proposals

    people, groups = planted(n, seed=PLANTED_SEED, wide=True)
    csv_path, db_path = work / f"pool-{n}.csv", work / f"pool-{n}.db"
    emails = write_pool_csv(csv_path, people)
    runner.env["PEERKIT_TODAY"] = TODAY
    peerkit = [PY, "-m", "peerkit", "--db", str(db_path)]
    _progress(f"command: member import of {n} members")
    import_time, _ = spawn(runner, [*peerkit, "member", "import", str(csv_path)])
    _progress("command: startup floor, python -c 'import typer, sqlmodel'")
    spawn(runner, [PY, "-c", "import typer, sqlmodel"])
    startup, _ = spawn(runner, [PY, "-c", "import typer, sqlmodel"], SMALL_RUNS)
    _progress("command: group form --separate industry --format json")
    form_argv = [*peerkit, "group", "form", "--separate", "industry", "--format", "json"]
    command, out = spawn(runner, form_argv)
    try:
        proposal = json.loads(out)
    except ValueError as exc:
        raise BenchmarkError(f"group form printed no JSON: {exc}: {out[:200]!r}") from None

    # The same search in this process, on the people exactly as the command sees them.
    _progress("command: the same propose() and form() in this process")
    db = open_database(Settings(db_path=db_path))
    try:
        opts = proposals.check_options(proposals.FormOptions(separate="industry"))
        today = date.fromisoformat(TODAY)
        with db.read() as s:
            zone = "UTC"
            propose, _ = measure(lambda: proposals.propose(s, opts, today, zone), 1)
            monday = proposals.reference_week(today)
            seen = [
                proposals.to_person(m, monday, opts.duration)
                for m in proposals.pool(s, opts)
                if proposals.set_aside(m, today) is None
            ]
            met = proposals.met_pairs(s)
    finally:
        db.dispose()
    seen_people = [x.person for x in seen]
    search, found = measure(lambda: formation_form(seen_people, RULES, met=met), 1)
    assert len(emails) == n  # imported in planted-id order into a new database: id = planted id
    ours = [[seen_people[i].id for i in g] for g in found.groups]
    same = ours == [g["members"] for g in proposal["groups"]]

    by_id = {p.id: p for p in people}
    superset = extra = 0
    for x in seen:
        original = by_id[x.member.id].starts
        if x.person.starts & original == original:
            superset += 1
            extra += x.person.starts != original
    return CommandPart(
        n,
        len(groups),
        import_time,
        form_argv,
        command,
        proposal,
        startup,
        propose,
        search,
        found,
        same,
        superset,
        extra,
        rules_kept(seen_people, found, RULES),
    )


def print_command(c: CommandPart) -> None:
    placed = sum(len(g["members"]) for g in c.proposal["groups"])
    groups = len(c.proposal["groups"])
    print(
        f"\n## 3. The whole command at {c.n} members (planted seed {PLANTED_SEED}, wide, "
        f"imported with `member import`)\n"
    )
    head = (
        "| measurement | runs | time (median) | CPU | placed / total | groups | score "
        "| ratio to form() in-process | result |"
    )
    print(head)
    print("|" + "|".join("---" for _ in range(head.count("|") - 1)) + "|")
    all_placed = "ok (all placed)" if placed == c.n else "MISSED (not all placed)"
    in_placed = c.n - len(c.found.unplaced)
    rows = [
        (
            "`group form --separate industry --format json` (subprocess)",
            c.command,
            f"{placed:,} / {c.n:,}",
            str(groups),
            f"{c.proposal['score']:.4f}",
            all_placed,
        ),
        (
            "`proposals.propose()` in this process (pool, search, reasons)",
            c.propose,
            "",
            "",
            "",
            "for information",
        ),
        (
            "`form()` in this process, on the people as the command sees them",
            c.search,
            f"{in_placed:,} / {c.n:,}",
            str(len(c.found.groups)),
            f"{c.found.score:.4f}",
            "for information",
        ),
        (
            "startup floor: `python -c 'import typer, sqlmodel'`",
            c.startup,
            "",
            "",
            "",
            "for information",
        ),
        (
            f"`member import` ({c.n} rows, new database)",
            c.import_time,
            "",
            "",
            "",
            "for information",
        ),
    ]
    for name, t, placed_s, groups_s, score_s, verdict in rows:
        print(
            f"| {name} | {t.runs} | {_fmt(t.wall)} | {_fmt(t.cpu)} | {placed_s} | {groups_s} "
            f"| {score_s} | {t.wall / c.search.wall:.2f}x | {verdict} |"
        )
    overhead = c.command.wall - c.search.wall
    print(
        f"\ncommand minus in-process form(): {_fmt(overhead)} (start-up, loading and "
        f"converting {c.n} members, the reasons, the JSON); the startup floor is "
        f"{_fmt(c.startup.wall)}."
    )
    print(
        f"same groups in this process as the command printed: "
        f"{'yes' if c.same_groups else 'NO'}; rules kept: {c.rules}; planted groups: "
        f"{c.groups_planted}."
    )
    print(
        f"availability check: for {c.superset} of {c.n} members the start times peerkit "
        f"derives from the imported windows include every planted start time "
        f"({c.extra} of them have a few more, where two windows merged)."
    )


# --- 5. harder planted pools: the exact step ----------------------------------------------

HARD_SIZE = 6  # tests/planted.py hard(): groups of exactly six
HARD_RULES = Rules(HARD_SIZE, HARD_SIZE, separate_industry=True)
HARD_SEEDS = (1, 2, 3, 4)


@dataclass
class HardRow:
    n: int
    seed: int
    alone: Timed  # the search alone (time_limit=None): what group form did before
    alone_found: Grouping
    exact: Timed  # the search and the exact step (the default)
    found: Grouping
    rules: str


def hard_pools(sizes: Sequence[int]) -> list[HardRow]:
    rows = []
    for n in sizes:
        for seed in HARD_SEEDS if n <= 600 else HARD_SEEDS[:1]:
            people, _groups = hard(n, seed=seed)
            label = f"hard planted {n:,}, seed {seed}"
            _progress(f"{label}: the search alone")
            alone, alone_found = measure(
                lambda p=people: formation_form(p, HARD_RULES, time_limit=None), 1
            )
            _progress(f"{label}: with the exact step")
            exact, found = measure(lambda p=people: formation_form(p, HARD_RULES), 1)
            rows.append(
                HardRow(
                    n, seed, alone, alone_found, exact, found, rules_kept(people, found, HARD_RULES)
                )
            )
            _progress(
                f"{label}: {len(alone_found.unplaced)} left out by the search, "
                f"{len(found.unplaced)} after the exact step (proven: {found.proven})"
            )
    return rows


def print_hard(rows: list[HardRow]) -> None:
    print(
        "\n## 5. Harder planted pools (tests/planted.py hard(): narrow evenings, one common "
        f"start per planted group, ten zones, groups of exactly {HARD_SIZE}, industries apart)\n"
    )
    head = (
        "| pool | seed | search alone: time (CPU) | left out | with the exact step: time (CPU) "
        "| left out | exact step | sub-problem (members, groups, closed) | proven | rules kept "
        "| score alone / with |"
    )
    print(head)
    print("|" + "|".join("---" for _ in range(head.count("|") - 1)) + "|")
    for r in rows:
        e = r.found.exact
        status = e.status if e else "-"
        sub = f"{e.members:,}, {e.groups:,}, {'yes' if e.closed else 'no'}" if e else "-"
        print(
            f"| {r.n:,} | {r.seed} | {_fmt(r.alone.wall)} ({_fmt(r.alone.cpu)}) "
            f"| {len(r.alone_found.unplaced)} | {_fmt(r.exact.wall)} ({_fmt(r.exact.cpu)}) "
            f"| {len(r.found.unplaced)} | {status} | {sub} | {'yes' if r.found.proven else 'no'} "
            f"| {r.rules} | {r.alone_found.score:.4f} / {r.found.score:.4f} |"
        )


# --- 6. the pool size: placeable members among many who cannot be placed ----------------------

SHARED_WINDOWS = "tue 18:00-20:00; thu 19:00-21:00"  # the 240 members, in Rome
# (placeable, whole pool): who can be placed, and everyone (the others gave no availability)
POOLS: tuple[tuple[str, int, int], ...] = (
    ("planted", 100, 100),
    ("planted", 100, 1_000),
    ("planted", 100, 10_000),
    ("planted", 100, 100_000),
    ("planted", 1_000, 1_000),
    ("planted", 1_000, 10_000),
    ("planted", 1_000, 100_000),
    ("shared", 240, 240),
    ("shared", 240, 10_240),
    ("shared", 240, 60_240),
    ("shared", 240, 100_000),
)
QUICK_POOLS = {(kind, a, b) for kind, a, b in POOLS if b <= 10_240}
POOL_TIMEOUT = 600.0  # seconds for one `group form`
POOL_GOAL = 5.0  # seconds: `group form` on the 60,000-member pool


@dataclass
class PoolRow:
    kind: str
    placeable: int
    total: int
    run: Any  # scale_runs.Run: wall, cpu, peak memory
    placed: int
    set_aside: int
    proven: bool | None  # None: the command says nothing about it (before the exact step)


def write_big_pool(path: Path, kind: str, placeable: int, total: int) -> None:
    """`placeable` members who can meet, then members with no availability up to `total`."""
    if kind == "planted":
        people, _ = planted(placeable, seed=PLANTED_SEED, wide=True)
        write_pool_csv(path, people)
    else:
        with path.open("w", newline="", encoding="utf-8") as f:
            out = csv.writer(f)
            out.writerow(("name", "email", "timezone", "stage", "industry", "availability"))
            rng = random.Random(PLANTED_SEED)
            for n in range(placeable):
                out.writerow(
                    (
                        f"Shared {n}",
                        f"shared.{n}@example.com",
                        "Europe/Rome",
                        rng.choice(STAGES),
                        f"industry-{rng.randrange(12)}",
                        SHARED_WINDOWS,
                    )
                )
    with path.open("a", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        width = 8 if kind == "planted" else 6
        for n in range(total - placeable):
            out.writerow(
                (f"Silent {n}", f"silent.{n}@example.com", "Europe/Rome", *[""] * (width - 3))
            )


def pool_sizes(runner: Runner, work: Path, quick: bool, timeout: float) -> list[PoolRow]:
    from scale_runs import Child

    rows = []
    env = {**runner.env, "PEERKIT_TODAY": TODAY}
    for kind, placeable, total in POOLS:
        if quick and (kind, placeable, total) not in QUICK_POOLS:
            continue
        label = f"pool: {placeable:,} {kind} of {total:,}"
        csv_path, db_path = work / "big-pool.csv", work / f"big-pool-{kind}-{placeable}-{total}.db"
        write_big_pool(csv_path, kind, placeable, total)
        peerkit = [PY, "-m", "peerkit", "--no-input", "--db", str(db_path)]
        _progress(f"{label}: member import")
        runner.run([*peerkit, "member", "import", str(csv_path)], env={"PEERKIT_TODAY": TODAY})
        argv = [*peerkit, "group", "form", "--format", "json"]
        _progress(f"{label}: group form")
        run = Child(work, env, timeout).run(argv)
        placed, aside, proven = -1, -1, None
        if run.finished:
            out = runner.run(argv, capture=True, env={"PEERKIT_TODAY": TODAY}).stdout
            proposal = json.loads(out)
            placed = sum(len(g["members"]) for g in proposal["groups"])
            # Before the set-aside (no "set_aside" key): who had no availability.
            aside = sum(
                1
                for u in proposal["unassigned"]
                if u.get("set_aside", u["reason"].startswith("no availability"))
            )
            proven = proposal.get("proven")
        rows.append(PoolRow(kind, placeable, total, run, placed, aside, proven))
        _progress(f"{label}: {_fmt(run.wall)}, {run.rss:.0f} MB, {placed:,} placed")
        db_path.unlink()
    return rows


def print_pools(rows: list[PoolRow]) -> None:
    print(
        "\n## 6. `group form --format json` (whole process) as the pool grows: placeable "
        "members among members with no availability\n"
    )
    head = (
        "| placeable members | whole pool | time | CPU | peak memory | placed | set aside "
        "| proven | goal |"
    )
    print(head)
    print("|" + "|".join("---" for _ in range(head.count("|") - 1)) + "|")
    for r in rows:
        if not r.run.finished:
            print(
                f"| {r.placeable:,} {r.kind} | {r.total:,} | not finished after "
                f"{_fmt(r.run.wall)} | | {r.run.rss:.0f} MB by then | | | | |"
            )
            continue
        what = (
            f"{r.placeable:,} (planted, wide)"
            if r.kind == "planted"
            else f"{r.placeable:,} sharing two evenings"
        )
        goal = ""
        if (r.kind, r.placeable, r.total) == ("shared", 240, 60_240):
            goal = f"<= {POOL_GOAL:.0f} s: " + ("met" if r.run.wall <= POOL_GOAL else "MISSED")
        print(
            f"| {what} | {r.total:,} | {_fmt(r.run.wall)} | {_fmt(r.run.cpu)} "
            f"| {r.run.rss:.0f} MB | {r.placed:,} | {r.set_aside:,} "
            f"| {'-' if r.proven is None else 'yes' if r.proven else 'no'} | {goal} |"
        )


# --- 4. mentoring -------------------------------------------------------------------------


def mentoring_pool(
    mentors: int, mentees: int, seed: int = 7
) -> tuple[list[matching.Mentor], list[matching.Mentee]]:
    rng = random.Random(seed)

    def stage() -> int | None:
        return None if rng.random() < 0.15 else rng.randrange(4)

    ms = [
        matching.Mentor(
            i + 1, frozenset(rng.sample(TOPICS, rng.randint(1, 3))), rng.randint(1, 3), stage()
        )
        for i in range(mentors)
    ]
    es = [
        matching.Mentee(10_001 + i, frozenset(rng.sample(TOPICS, rng.randint(1, 2))), stage())
        for i in range(mentees)
    ]
    return ms, es


def greedy(mentors: list[matching.Mentor], mentees: list[matching.Mentee]) -> list[matching.Pair]:
    """Mentees in turn, each taking the best mentor with a free seat (quality > 0)."""
    free = {m.id: m.seats for m in mentors}
    pairs = []
    for e in mentees:
        best, best_q = None, 0.0
        for m in mentors:
            if free[m.id] > 0:
                q = matching.quality(m, e)
                if q > best_q:
                    best, best_q = m, q
        if best is not None:
            free[best.id] -= 1
            pairs.append(matching.Pair(best.id, e.id, tuple(sorted(best.skills & e.needs)), best_q))
    return pairs


@dataclass
class MentorPart:
    mentors: int
    mentees: int
    seats: int
    reachable: int  # mentees some mentor could serve
    optimal: Timed
    greedy: Timed
    opt_pairs: list[matching.Pair]
    greedy_pairs: list[matching.Pair]
    capacity_ok: bool


def mentor_part(mentors: int, mentees: int | None) -> MentorPart:
    """`mentees` None: as many mentees as the mentors have seats (every seat is needed)."""
    ms, es = mentoring_pool(mentors, mentees or 1)
    seats = {m.id: m.seats for m in ms}
    if mentees is None:
        ms, es = mentoring_pool(mentors, sum(seats.values()))
    label = f"{mentors} x {len(es)}"
    _progress(f"mentoring: assign() on {label}, warm-up and {SMALL_RUNS} runs")
    optimal, opt_pairs = measure(lambda: matching.assign(ms, es), SMALL_RUNS, True)
    _progress(f"mentoring: greedy on {label}, warm-up and {SMALL_RUNS} runs")
    timed_greedy, greedy_pairs = measure(lambda: greedy(ms, es), SMALL_RUNS, True)
    load = Counter(p.mentor for p in opt_pairs)
    capacity_ok = all(load[m] <= seats[m] for m in load) and len(
        {p.mentee for p in opt_pairs}
    ) == len(opt_pairs)
    reachable = sum(1 for e in es if any(m.skills & e.needs for m in ms))
    return MentorPart(
        mentors,
        len(es),
        sum(seats.values()),
        reachable,
        optimal,
        timed_greedy,
        opt_pairs,
        greedy_pairs,
        capacity_ok,
    )


def print_mentoring(parts: list[MentorPart]) -> None:
    print(
        "\n## 4. Mentor matching: 300 mentors (capacity 1-3, 1-3 skills) x mentees (1-2 needs), "
        f"{len(TOPICS)} random topics\n"
    )
    head = (
        "| pool | method | runs | time (median) | CPU | mentees served | total quality "
        "| mean quality | time ratio to greedy |"
    )
    print(head)
    print("|" + "|".join("---" for _ in range(head.count("|") - 1)) + "|")
    for m in parts:
        pool = f"{m.mentors} mentors ({m.seats} seats) x {m.mentees:,} mentees"
        for name, t, pairs in (
            ("`matching.assign()` (optimal)", m.optimal, m.opt_pairs),
            ("greedy: each mentee takes the best free mentor", m.greedy, m.greedy_pairs),
        ):
            total = sum(p.score for p in pairs)
            mean = total / len(pairs) if pairs else 0.0
            print(
                f"| {pool} | {name} | {t.runs} | {_fmt(t.wall)} | {_fmt(t.cpu)} | {len(pairs):,} "
                f"| {total:.1f} | {mean:.3f} | {t.wall / m.greedy.wall:.2f}x |"
            )
    print()
    for m in parts:
        upper = min(m.seats, m.reachable)
        print(
            f"{m.mentors} x {m.mentees:,}: served by optimal {len(m.opt_pairs)}, by greedy "
            f"{len(m.greedy_pairs)} ({len(m.opt_pairs) - len(m.greedy_pairs):+d}); at most "
            f"{upper} can be served (the smaller of {m.seats} seats and {m.reachable} mentees "
            f"some mentor covers); assign() keeps every capacity and serves each mentee once: "
            f"{'yes' if m.capacity_ok else 'NO'}."
        )


# --- the session ------------------------------------------------------------------------


def print_header(args: argparse.Namespace) -> None:
    versions = ", ".join(f"{d} {_version(d)}" for d in ("peerkit", "scipy", "numpy", "sqlmodel"))
    print(
        f"peerkit group formation and mentoring benchmark{' (--quick)' if args.quick else ''}, "
        f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}\n"
        f"Python {platform.python_version()} ({PY}), {platform.system()} {platform.release()} "
        f"{platform.machine()}, {os.cpu_count()} CPUs, SQLite {sqlite3.sqlite_version}\n"
        f"{versions}; {_git_state()}\n"
        f"planted pools: tests/planted.py, planted(n, seed=..., wide=...), "
        f"Rules(5, 7, separate_industry=True); default budget 200,000 + 1,500 x n work units"
    )


PARTS = ("scale", "quality", "command", "mentoring", "hard", "pools")


def session(args: argparse.Namespace, work: Path) -> None:
    fingerprint = source_fingerprint()
    changed: list[str] = []  # the parts during which peerkit's sources changed
    parts = set(args.parts.split(",")) if args.parts else set(PARTS)
    unknown = parts - set(PARTS)
    if unknown:
        raise BenchmarkError(f"--parts: unknown {', '.join(sorted(unknown))}; use {PARTS}")

    def check(part: str) -> None:
        nonlocal fingerprint
        now = source_fingerprint()
        if now != fingerprint:
            changed.append(part)
            fingerprint = now

    print_header(args)
    runner = Runner(work)
    # The commands run this checkout's sources (or --src's), not whatever peerkit is installed.
    runner.env["PYTHONPATH"] = str((args.src or ROOT / "src").resolve())
    sizes = (60, 600) if args.quick else (60, 600, 6_000)
    rows = scale(sizes) if "scale" in parts else []
    check("1")
    best = quality(args.best_runs) if "quality" in parts else []
    check("2")
    cmd = command_path(runner, work, 600) if "command" in parts else None
    check("3")
    ment = [mentor_part(300, 1_000), mentor_part(300, None)] if "mentoring" in parts else []
    check("4")
    hard_rows = (
        hard_pools((240, 600) if args.quick else (240, 600, 6_000)) if "hard" in parts else []
    )
    check("5")
    pools = pool_sizes(runner, work, args.quick, args.pool_timeout) if "pools" in parts else []
    check("6")

    if rows:
        print_scale(rows)
    if best:
        print_quality(best)
    if cmd is not None:
        print_command(cmd)
    if ment:
        print_mentoring(ment)
    if hard_rows:
        print_hard(hard_rows)
    if pools:
        print_pools(pools)
    print(
        "\nNotes: times are wall-clock (time.perf_counter), CPU is time.process_time in this "
        f"process or getrusage of the children; small measurements are the median of "
        f"{SMALL_RUNS} runs after a warm-up, the long ones run once. Part 6 runs each command "
        "once through benchmarks/spawn.py (peak memory: ru_maxrss)."
    )
    if cmd is not None:
        print(
            f"Part 3's command: {_show(cmd.argv)}, with PEERKIT_TODAY={TODAY} in run.py's clean "
            "environment; the zones have no daylight saving."
        )
    if changed:
        print(
            f"\nWARNING: peerkit's source files changed during part(s) {', '.join(changed)} of "
            "this session (parts 1, 2, 4 and 5 use the code imported at the start; the "
            "commands of parts 3 and 6 read the files when they start); run it again."
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="Skip the 6,000-member pools and the pools of more than 10,240 members.",
    )
    parser.add_argument(
        "--src",
        type=Path,
        help="The peerkit sources the commands of parts 3 and 6 run (default: this checkout's "
        "src), e.g. an older checkout's, to compare.",
    )
    parser.add_argument(
        "--pool-timeout",
        type=float,
        default=POOL_TIMEOUT,
        help=f"Seconds before a `group form` of part 6 is stopped ({POOL_TIMEOUT:.0f}).",
    )
    parser.add_argument(
        "--parts",
        help=f"Comma-separated parts to run (default all): {','.join(PARTS)}.",
    )
    parser.add_argument(
        "--best-runs",
        type=int,
        default=len(LONG_SEEDS),
        help="Long runs per pool for the best known score at 60 members (5).",
    )
    return run_session(parser, "peerkit-bench-form-", session)


if __name__ == "__main__":
    raise SystemExit(main())
