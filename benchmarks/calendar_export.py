"""peerkit's calendar export benchmark (issue 4, item 9), in one interleaved session.

    .venv/bin/python benchmarks/calendar_export.py            # full: 7 + 7 rounds
    .venv/bin/python benchmarks/calendar_export.py --quick    # 3 + 3 rounds

A database with 10,000 meetings is built once with peerkit's own services. Then, in
this process (both sides have everything imported already, only the work is timed):
peerkit's ``feeds.feed()`` for every meeting, loading them from the database as
``peerkit export ics --all`` does, against the same events built directly with
icalendar from the same rows read with plain SQL, alternating in ABBA order after one
untimed warm-up of each. Then the ten-year weekly series (``feeds.series()``) in
this process, and, for information, both export commands as whole subprocesses.
See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import platform
import pstats
import random
import sqlite3
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from icalendar import Calendar
from ics_baseline import plain_feed
from run import (
    DOMAINS,
    FIRST_EN,
    FIRST_IT,
    LAST_EN,
    LAST_IT,
    PY,
    BenchmarkError,
    Command,
    Runner,
    _ascii,
    _fmt,
    _git_state,
    _progress,
    _show,
    _version,
    run_session,
    source_fingerprint,
)

from peerkit.config import Settings
from peerkit.db import Database, open_database
from peerkit.services.common import community as community_svc
from peerkit.services.common import schedule
from peerkit.services.groups import meetings as meetings_svc
from peerkit.services.groups import roster as groups_svc
from peerkit.services.groups import rotation
from peerkit.services.members import profiles as members_svc
from peerkit.services.outbox import feeds

# --- the sample community -------------------------------------------------------------

TODAY = date(2025, 1, 1)  # everyone joins on this day; the meetings start the week after
FIRST_WEEK = date(2025, 1, 6)
BUILT_AT = datetime(2025, 1, 1, 12, tzinfo=UTC)  # "now" while the data is built
GROUPS = 80  # group 1 meets weekly for ten years (520 meetings), the others 120 times
WEEKLY = 120
SERIES_WEEKS = 520
MEMBERS_PER_GROUP = 6
WITH_ROLES = 26  # hot seats, facilitator and timekeeper for the first half year
ZONES = (
    "Europe/Rome", "Europe/London", "America/New_York", "America/Los_Angeles",
    "Australia/Sydney", "Asia/Kolkata", "Europe/Berlin", "America/Sao_Paulo",
    "Pacific/Auckland", "Asia/Tokyo",
)  # fmt: skip
MEMBER_ZONES = (*ZONES, "Africa/Lagos", "Europe/Zurich", "America/Chicago")
TIMES = ("07:30", "12:30", "18:30", "18:30", "19:00", "20:15", "02:30")  # 02:30: a DST gap
DURATIONS = (60, 90, 90, 120)
NAMES = (
    "Founders' circle", "Mastermind Milano, martedì", "Caffè & crescita",
    "Solo makers", "Agency owners; EU", "Bootstrappers", "Ceramicists \"online\"",
    "Women in tech, Torino", "Retail & food", "Coaches circle",
)  # fmt: skip
LOCATIONS = (
    None,
    "https://meet.jit.si/peerkit-{n}",
    "Caffè Nero, Via Roma 12; second floor",
    "Coworking Verdi, sala 3",
    "https://zoom.us/j/9{n:04d}?pwd=abc",
)
ORGANISER = ("Giulia Conti", "giulia.conti@studio-verdi.it")


@dataclass
class Built:
    path: Path
    meetings: int
    groups: int
    zones: int
    cancelled: int
    moved: int
    with_roles: int
    series_slug: str
    series_id: int
    seconds: float


def _member_fields(rng: random.Random, n: int) -> members_svc.MemberFields:
    italian = rng.random() < 0.45
    first = rng.choice(FIRST_IT if italian else FIRST_EN)
    last = rng.choice(LAST_IT if italian else LAST_EN)
    return members_svc.MemberFields(
        name=f"{first} {last}",
        email=f"{_ascii(first)}.{_ascii(last)}{n}@{rng.choice(DOMAINS)}",
        timezone=rng.choice(MEMBER_ZONES),
        locale="it" if italian else "en",
    )


def _plan(session: Any, group: Any, start: date, count: int) -> list[Any]:
    """count meetings from start, in chunks of at most meetings.MAX_PLAN."""
    made: list[Any] = []
    while len(made) < count:
        chunk = min(meetings_svc.MAX_PLAN, count - len(made))
        made += [m for m, _created in meetings_svc.plan(session, group, start, count=chunk)]
        start = made[-1].slot_date + timedelta(days=1)
    return made


def build_database(path: Path, seed: int = 2026) -> Built:
    """80 groups, 10,000 weekly meetings across several DST changes, with peerkit's services."""
    began = time.perf_counter()
    rng = random.Random(seed)
    db = open_database(Settings(db_path=path))
    cancelled = moved = with_roles = 0
    series_slug, series_id = "", 0
    try:
        with db.write() as session:
            community_svc.ensure(
                session,
                community_svc.CommunityDefaults(
                    name="Peer founders",
                    timezone="Europe/Rome",
                    locale="en",
                    organiser_name=ORGANISER[0],
                    organiser_email=ORGANISER[1],
                ),
            )
            people = [
                members_svc.add(session, _member_fields(rng, n), {}, TODAY)
                for n in range(GROUPS * MEMBERS_PER_GROUP)
            ]
            for g in range(GROUPS):
                day = rng.randrange(7)
                group = groups_svc.create(
                    session,
                    groups_svc.GroupFields(
                        name=f"{NAMES[g % len(NAMES)]} {g + 1}",
                        day=schedule.DAYS[day],
                        time="18:30" if g == 0 else rng.choice(TIMES),
                        timezone=ZONES[g % len(ZONES)],
                        duration=90 if g == 0 else rng.choice(DURATIONS),
                        location=(rng.choice(LOCATIONS) or "").format(n=g) or None,
                        start=schedule.first_on_or_after(FIRST_WEEK, day),
                    ),
                    "Europe/Rome",
                    TODAY,
                )
                if g == 0:
                    assert group.id is not None
                    series_slug, series_id = group.slug, group.id
                mine = people[g * MEMBERS_PER_GROUP : (g + 1) * MEMBERS_PER_GROUP]
                for i, person in enumerate(mine):
                    role = "facilitator" if i == 0 else None
                    groups_svc.add_member(session, group, person, TODAY, role=role, rotates=i < 3)
                made = _plan(session, group, group.anchor, SERIES_WEEKS if g == 0 else WEEKLY)
                for meeting in made[:WITH_ROLES]:
                    roles = rotation.choose(session, group, meeting, 2, meeting.slot_date)
                    rotation.assign(session, meeting, roles)
                    with_roles += 1
                for meeting in made:
                    luck = rng.random()
                    if luck < 0.03:
                        meetings_svc.cancel(session, meeting, "Too many people away")
                        cancelled += 1
                    elif luck < 0.06:
                        when = meetings_svc.local_start(meeting) + timedelta(days=1, hours=1)
                        meetings_svc.move(
                            session, meeting, f"{when:%Y-%m-%d %H:%M}", None, now=BUILT_AT
                        )
                        moved += 1
                session.flush()
    finally:
        db.dispose()
    return Built(
        path,
        SERIES_WEEKS + (GROUPS - 1) * WEEKLY,
        GROUPS,
        len(set(ZONES)),
        cancelled,
        moved,
        with_roles,
        series_slug,
        series_id,
        time.perf_counter() - began,
    )


def count_meetings(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM meeting").fetchone()[0])
    finally:
        conn.close()


# --- the two sides --------------------------------------------------------------------


def peerkit_feed(db: Database) -> bytes:
    """What `peerkit export ics --all` does once its database is open."""
    with db.read() as session:
        found = feeds.group_meetings(session, groups_svc.list_groups(session, True))
        return feeds.feed(session, found)


# --- checks (untimed) -----------------------------------------------------------------


def _when(prop: Any) -> str:
    if prop is None:
        return ""
    value = prop.dt
    zone = getattr(getattr(value, "tzinfo", None), "key", None)
    return f"{value.isoformat()} [{zone or prop.params.get('TZID', '')}]"


def events_of(data: bytes) -> tuple[dict[str, tuple[Any, ...]], set[str]]:
    """Every VEVENT by UID (the fields both sides must agree on), and the VTIMEZONEs."""
    cal = Calendar.from_ical(data)
    events: dict[str, tuple[Any, ...]] = {}
    for ev in cal.walk("VEVENT"):
        org = ev.get("ORGANIZER")
        alarms = tuple(
            (str(a.get("ACTION")), str(a.get("DESCRIPTION")), a.decoded("TRIGGER"))
            for a in ev.walk("VALARM")
        )
        events[str(ev["UID"])] = (
            _when(ev.get("DTSTART")),
            _when(ev.get("DTEND")),
            _when(ev.get("DTSTAMP")),
            int(ev.get("SEQUENCE", 0)),
            *(str(ev.get(k, "")) for k in ("SUMMARY", "LOCATION", "URL", "DESCRIPTION", "STATUS")),
            (str(org), str(org.params.get("CN", ""))) if org is not None else None,
            alarms,
        )
    zones = {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")}
    return events, zones


def compare_outputs(candidate: bytes, baseline: bytes) -> str:
    ours, our_zones = events_of(candidate)
    theirs, their_zones = events_of(baseline)
    differ = [uid for uid in ours.keys() | theirs.keys() if ours.get(uid) != theirs.get(uid)]
    text = (
        f"{len(ours):,} and {len(theirs):,} events, {len(differ)} differing; "
        f"VTIMEZONEs {'the same' if our_zones == their_zones else 'DIFFERENT'} "
        f"({len(our_zones)}: {', '.join(sorted(our_zones))}); "
        f"{len(candidate) / 1e6:.1f} MB and {len(baseline) / 1e6:.1f} MB"
    )
    if differ:
        uid = sorted(differ)[0]
        text += f"\n  first difference, {uid}:\n    peerkit  {ours.get(uid)}"
        text += f"\n    baseline {theirs.get(uid)}"
    return text


def check_series(data: bytes, path: Path, group_id: int) -> str:
    """One RRULE, an EXDATE per cancelled meeting, and the same occurrences as the database."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT start, status, sequence FROM meeting WHERE group_id = ?", (group_id,)
        ).fetchall()
    finally:
        conn.close()
    utc = [(datetime.fromisoformat(s).replace(tzinfo=UTC), status) for s, status, _q in rows]
    starts = {start for start, status in utc if status != "cancelled"}
    cancelled = sum(1 for _s, status, _q in rows if status == "cancelled")
    moved = sum(1 for _s, status, seq in rows if status != "cancelled" and seq)
    lines = data.decode().splitlines()
    rrules = sum(1 for line in lines if line.startswith("RRULE"))
    exdates = sum(line.count(",") + 1 for line in lines if line.startswith("EXDATE"))
    overrides = sum(1 for line in lines if line.startswith("RECURRENCE-ID"))
    text = (
        f"{len(rows)} meetings; {rrules} RRULE, {exdates} EXDATE (cancelled: {cancelled}), "
        f"{overrides} RECURRENCE-ID overrides (moved: {moved}); {len(data) / 1000:.0f} kB"
    )
    try:
        import recurring_ical_events
    except ImportError:
        return text + "; recurring_ical_events not installed: occurrences not checked"
    low, high = min(starts) - timedelta(days=7), max(starts) + timedelta(days=7)
    found = {
        occ["DTSTART"].dt.astimezone(UTC)
        for occ in recurring_ical_events.of(Calendar.from_ical(data)).between(low, high)
    }
    same = "the same UTC starts" if found == starts else "NOT the same UTC starts"
    return text + f"; recurring_ical_events: {len(found)} occurrences, {same} as the database"


# --- measuring ------------------------------------------------------------------------


@dataclass
class Timings:
    wall: list[float] = field(default_factory=list)  # seconds, in run order
    cpu: list[float] = field(default_factory=list)  # CPU seconds of the same runs

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def minimum(self) -> float:
        return min(self.wall)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)


def timed_call(work: Callable[[], bytes]) -> tuple[float, float, bytes]:
    """Wall-clock and CPU seconds (time.process_time) of one call, after a full collection."""
    gc.collect()
    cpu = time.process_time()
    start = time.perf_counter()
    result = work()
    wall = time.perf_counter() - start
    return wall, time.process_time() - cpu, result


@dataclass
class Side:
    label: str
    shown: str  # what the table's notes say it runs
    work: Callable[[], bytes]
    timings: Timings = field(default_factory=Timings)
    output: bytes = b""


@dataclass
class InProcess:
    """Candidate against baseline in this process, ABBA order."""

    name: str
    candidate: Side
    baseline: Side
    rounds: int
    goal: float

    def run(self) -> None:
        pair = (self.candidate, self.baseline)
        _progress(f"{self.name}: warm-up")
        for side in pair:
            *_, side.output = timed_call(side.work)
        for i in range(self.rounds):
            # ABBA: alternate which side goes first, so drift hits both equally.
            for side in pair if i % 2 == 0 else pair[::-1]:
                wall, cpu, _ = timed_call(side.work)
                side.timings.wall.append(wall)
                side.timings.cpu.append(cpu)
            _progress(
                f"{self.name}: round {i + 1}/{self.rounds}  {_fmt(self.candidate.timings.median)} "
                f"vs {_fmt(self.baseline.timings.median)} (medians so far)"
            )

    @property
    def ratio(self) -> float:
        return self.candidate.timings.median / self.baseline.timings.median

    @property
    def ratio_min(self) -> float:
        return self.candidate.timings.minimum / self.baseline.timings.minimum

    @property
    def ratio_cpu(self) -> float:
        return self.candidate.timings.cpu_median / self.baseline.timings.cpu_median


@dataclass
class Single:
    """One side alone: in this process, or a whole subprocess (CPU of the child)."""

    name: str
    shown: str
    runs: int
    goal: float | None  # seconds; None: for information
    timings: Timings = field(default_factory=Timings)

    def call(self, work: Callable[[], bytes]) -> bytes:
        _progress(f"{self.name}: warm-up and {self.runs} runs")
        *_, output = timed_call(work)
        for _ in range(self.runs):
            wall, cpu, _out = timed_call(work)
            self.timings.wall.append(wall)
            self.timings.cpu.append(cpu)
        return output

    def spawn(self, runner: Runner, cmd: Command) -> None:
        _progress(f"{self.name}: warm-up and {self.runs} runs")
        runner.timed(cmd)
        for _ in range(self.runs):
            wall, cpu = runner.timed(cmd)
            self.timings.wall.append(wall)
            self.timings.cpu.append(cpu)


# --- report ---------------------------------------------------------------------------


def print_header(args: argparse.Namespace, built: Built) -> None:
    versions = ", ".join(
        f"{d} {_version(d)}" for d in ("peerkit", "icalendar", "sqlmodel", "sqlalchemy")
    )
    print(
        f"peerkit calendar export benchmark{' (--quick)' if args.quick else ''}, "
        f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}\n"
        f"Python {platform.python_version()} ({PY}), {platform.system()} "
        f"{platform.machine()}, {os.cpu_count()} CPUs, "
        f"SQLite {sqlite3.sqlite_version}\n"
        f"{versions}; {_git_state()}\n"
        f"database: {built.meetings:,} meetings in {built.groups} weekly groups over "
        f"{built.zones} zones (one group ten years, {SERIES_WEEKS} meetings), "
        f"{built.with_roles:,} with hot seats and roles, {built.cancelled} cancelled, "
        f"{built.moved} moved; built with peerkit's services in {built.seconds:.1f} s"
    )


def print_tables(comp: InProcess, singles: list[Single]) -> None:
    head = (
        "| benchmark | runs | peerkit median | peerkit min | baseline median | baseline min "
        "| ratio (medians) | ratio (mins) | CPU ratio (medians) | goal | result |"
    )
    print("\n" + head)
    print("|" + "|".join("---" for _ in range(head.count("|") - 1)) + "|")
    c, b = comp.candidate.timings, comp.baseline.timings
    verdict = "ok" if comp.ratio <= comp.goal else "MISSED"
    print(
        f"| {comp.name} | {comp.rounds}+{comp.rounds} | {_fmt(c.median)} | {_fmt(c.minimum)} "
        f"| {_fmt(b.median)} | {_fmt(b.minimum)} | {comp.ratio:.2f}x | {comp.ratio_min:.2f}x "
        f"| {comp.ratio_cpu:.2f}x | <= {comp.goal:.1f}x | {verdict} |"
    )
    head = "| measurement | runs | median | min | CPU median | goal | result |"
    print("\n" + head)
    print("|" + "|".join("---" for _ in range(head.count("|") - 1)) + "|")
    for one in singles:
        t = one.timings
        if one.goal is None:
            goal, verdict = "-", "for information"
        else:
            goal = f"< {_fmt(one.goal)}"
            verdict = "ok" if t.median < one.goal else "MISSED"
        print(
            f"| {one.name} | {one.runs} | {_fmt(t.median)} | {_fmt(t.minimum)} "
            f"| {_fmt(t.cpu_median)} | {goal} | {verdict} |"
        )
    print("\nFor information: what ran, every wall-clock time in run order, and the median")
    print("CPU time (time.process_time in this process, getrusage of the children for")
    print("subprocesses; unlike wall time, barely moved by other load).")
    print(f"\n{comp.name}")
    for side in (comp.candidate, comp.baseline):
        print(f"  {side.label + ':':9} {side.shown}")
        print(f"  {'':9} {_runs(side.timings)}")
    print(f"  {'':9} CPU ratio (medians): {comp.ratio_cpu:.2f}x")
    for one in singles:
        print(f"\n{one.name}\n  {one.shown}\n  {_runs(one.timings)}")


def _runs(t: Timings) -> str:
    scale, unit = (1000, "ms") if max(t.wall) < 1 else (1, "s")
    runs = " ".join(f"{x * scale:.{1 if scale > 1 else 2}f}" for x in t.wall)
    return f"runs ({unit}): {runs}; CPU median {_fmt(t.cpu_median)}"


def print_profile(db: Database, top: int = 15) -> None:
    profile = cProfile.Profile()
    gc.collect()
    profile.enable()
    peerkit_feed(db)
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(top)
    print(f"\ncProfile of one peerkit_feed() run (top {top} by cumulative time):\n")
    print(out.getvalue().strip())


# --- the session ----------------------------------------------------------------------


def session(args: argparse.Namespace, work: Path) -> None:
    rounds = args.rounds or (3 if args.quick else 7)
    series_runs = args.series_runs or (7 if args.quick else 21)
    cli_runs = args.cli_runs or (2 if args.quick else 3)
    fingerprint = source_fingerprint()
    path = work / "meetings-10000.db"
    _progress(f"building {path} with peerkit's services")
    built = build_database(path)
    if count_meetings(path) != built.meetings:
        raise BenchmarkError(f"{path} does not hold {built.meetings} meetings")
    print_header(args, built)

    db = open_database(Settings(db_path=path))
    try:
        comp = InProcess(
            f"export ics --all ({built.meetings:,} meetings, in-process)",
            Side(
                "peerkit",
                "feeds.feed(session, feeds.group_meetings(session, groups.list_groups(session, "
                "True))) in a db.read() session, as `export ics --all` (bytes, not written)",
                lambda: peerkit_feed(db),
            ),
            Side(
                "baseline",
                "sqlite3 query of the same rows, icalendar Event/Alarm per meeting, "
                "Calendar.add_missing_timezones(), to_ical()",
                lambda: plain_feed(path),
            ),
            rounds,
            goal=1.2,
        )
        comp.run()
        _progress("checking that both sides wrote the same events")
        same = compare_outputs(comp.candidate.output, comp.baseline.output)

        with db.read() as s:
            group = groups_svc.resolve(s, built.series_slug)
            found = feeds.group_meetings(s, [group])
            series = Single(
                f"export ics --group {built.series_slug} --series: series() in-process",
                f"feeds.series(session, group, meetings) for {len(found)} meetings, "
                "loaded beforehand in the same session",
                series_runs,
                goal=0.1,
            )
            series_ics = series.call(lambda: feeds.series(s, group, found))
        series_check = check_series(series_ics, path, built.series_id)
    finally:
        db.dispose()

    runner = Runner(work)
    out_file = work / "all.ics"
    series_cli = Single(
        f"export ics --group {built.series_slug} --series (subprocess)",
        "",
        cli_runs + 2,
        goal=None,
    )
    export = [PY, "-m", "peerkit", "--db", str(path), "export", "ics"]
    cmd = Command("series", [*export, "--group", built.series_slug, "--series"])
    series_cli.shown = _show(cmd.argv)
    series_cli.spawn(runner, cmd)
    all_cli = Single(
        f"export ics --all -o FILE ({built.meetings:,} meetings, subprocess)", "", cli_runs, None
    )
    cmd = Command("all", [*export, "--all", "-o", str(out_file), "--force"])
    all_cli.shown = _show(cmd.argv)
    all_cli.spawn(runner, cmd)
    written = out_file.read_bytes()

    print_tables(comp, [series, series_cli, all_cli])
    print(f"\nsame events: {same}")
    print(
        "export ics --all subprocess: the file written is "
        + ("identical to" if written == comp.candidate.output else "DIFFERENT from")
        + " feed()'s output in this process."
    )
    print(f"series check: {series_check}")
    if args.profile or comp.ratio > comp.goal:
        db = open_database(Settings(db_path=path))
        try:
            print_profile(db)
        finally:
            db.dispose()
    if source_fingerprint() != fingerprint:
        print("\nWARNING: peerkit's source files changed during this session; run it again.")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds, 7 series runs.")
    parser.add_argument("--rounds", type=int, help="Rounds of the in-process comparison (7).")
    parser.add_argument("--series-runs", type=int, help="Runs of series() in-process (21).")
    parser.add_argument("--cli-runs", type=int, help="Runs of `export ics --all` (3).")
    parser.add_argument(
        "--profile", action="store_true", help="Always print the cProfile of feed()."
    )
    return run_session(parser, "peerkit-bench-ics-", session)


if __name__ == "__main__":
    raise SystemExit(main())
