"""A peerkit community of any size, built from a seed, for the scale benchmarks (issue 19).

    python benchmarks/community.py DB --members 700 --groups 100
    python benchmarks/community.py DB --members 5000 --groups 800 --weeks 104
    python benchmarks/community.py DB --members 100000 --groups 0
    python benchmarks/community.py FILE.csv --csv --members 100000
    python benchmarks/community.py --url postgresql+psycopg://postgres@HOST:PORT/DB --groups 100

The schema comes from peerkit's own migrations (``open_database``); the rows go in with
one ``sqlite3`` ``executemany`` per table, so the 5,000-member community with two years of
history takes seconds, not the hours the services would. Members live in six time zones and
speak English or Italian; groups of 5 to 8 meet weekly or every other week in their own zone;
every week of history has its meetings with attendance, hot seats, facilitator, timekeeper,
commitments and the invitations delivered, and there are a few mentorships and events with
their answers. Nothing depends on the clock: the community's "today" is TODAY (a Monday),
the history is the WEEKS weeks before it, and the same seed gives the same database.
With --url, the same rows go into a PostgreSQL database instead (benchmarks/community_pg.py).
See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))  # the peerkit of this checkout

# Sibling modules (benchmarks/ is sys.path[0] when a script here runs).
from community_rows import (  # noqa: E402
    COLUMNS,
    SEED,
    TODAY,
    Size,
    Tables,
    add_groups,
    add_history,
    at_noon,
    make_circles,
    make_uid,
    planned_week,
    stamp,
)
from people import CSV_COLUMNS, Person, csv_rows, make_people, member_rows  # noqa: E402

__all__ = ["SEED", "TODAY", "Size", "build", "planned_week", "size_args", "write_csv"]

ORGANISER = ("Giulia Conti", "giulia.conti@studio-verdi.it")
EVENT_TITLES = ("Founders' evening", "Pricing workshop", "Aperitivo freelance", "Summer picnic")


# --- outside the groups ---------------------------------------------------------------


def add_people(tables: Tables, people: list[Person]) -> None:
    tables.rows["member"] = list(member_rows(people))
    for p in people:
        tables.add("member_history", p.id, "joined", stamp(at_noon(p.joined)))
        if p.status != "active":
            tables.add("member_history", p.id, p.status, stamp(at_noon(p.left_on or p.joined)))


def add_mentorships(tables: Tables, rng: random.Random, people: list[Person], size: Size) -> None:
    """One mentorship for every 60 members; about a third of them are over."""
    mentors = [p for p in people if p.capacity and p.status == "active"]
    mentees = [p for p in people if p.status == "active"]
    for _ in range(min(len(people) // 60, len(mentors)) if len(mentees) > 1 else 0):
        mentor = rng.choice(mentors)
        mentee = rng.choice([m for m in rng.sample(mentees, 2) if m.id != mentor.id])
        started = size.today - timedelta(days=rng.randint(0, 7 * size.weeks + 30))
        ended = started + timedelta(days=rng.randint(60, 240))
        tables.add(
            "mentorship", mentor.id, mentee.id, rng.choice(mentor.skills), started.isoformat(),
            ended.isoformat() if ended < size.today and rng.random() < 0.5 else None,
            round(rng.uniform(0.4, 1.0), 3), stamp(at_noon(started)),
        )  # fmt: skip


def add_events(tables: Tables, rng: random.Random, people: list[Person], size: Size) -> None:
    """An event every four weeks of history and two ahead, each with its answers."""
    from peerkit.services.common.schedule import to_utc

    coming = [p.id for p in people if p.status == "active"]
    days = [size.today - timedelta(weeks=w) for w in range(4, size.weeks + 1, 4)]
    days += [size.today + timedelta(days=10), size.today + timedelta(days=24)]
    for eid, day in enumerate(sorted(days), start=1):
        start = to_utc(day + timedelta(days=3), "19:00", "Europe/Rome")
        cancelled = rng.random() < 0.05
        created = stamp(start - timedelta(days=30))
        capacity = rng.choice((None, 20, 30, 40))
        tables.add(
            "community_event", eid, rng.choice(EVENT_TITLES),
            rng.choice(("networking", "workshop", "social")), stamp(start), "Europe/Rome", 120,
            "Bar Centrale, Bologna", capacity, "cancelled" if cancelled else "planned",
            int(cancelled), make_uid(rng), created, created,
        )  # fmt: skip
        _answers(tables, rng, eid, coming, capacity, start, start.date() < size.today)


def _answers(
    tables: Tables,
    rng: random.Random,
    event_id: int,
    coming: list[int],
    capacity: int | None,
    start: datetime,
    past: bool,
) -> None:
    going = 0
    answering = rng.sample(coming, min(len(coming), rng.randint(8, 60)))
    for position, member in enumerate(answering, start=1):
        if rng.random() < 0.1:
            status = "declined"
        elif capacity is None or going < capacity:
            status, going = "going", going + 1
        else:
            status = "waitlist"
        answered = stamp(start - timedelta(days=20, hours=-position))
        tables.add("rsvp", event_id, member, status, position, answered, 0 if past else None)


# --- the database ---------------------------------------------------------------------


def generate(size: Size) -> Tables:
    """Every row of the community, in memory."""
    rng = random.Random(size.seed)
    since = size.today - timedelta(days=7 * size.weeks + 21)
    people = make_people(rng, size.members, size.today, since)
    tables = Tables()
    tables.add(
        "community", 1, "Founders Together", "Europe/London", "en", *ORGANISER, 0,
        stamp(at_noon(since)),
    )  # fmt: skip
    add_people(tables, people)
    circles = make_circles(rng, size, people)
    add_groups(tables, circles, size)
    add_history(tables, rng, circles, size)
    add_mentorships(tables, rng, people, size)
    add_events(tables, rng, people, size)
    return tables


def build(path: Path, size: Size) -> dict[str, int]:
    """Create the community in a new SQLite database at PATH; the rows of each table."""
    from peerkit.config import Settings
    from peerkit.db import open_database

    if path.exists():
        raise FileExistsError(f"{path} exists; the generator only makes new databases")
    open_database(Settings(db_path=path)).dispose()  # the schema, by peerkit's migrations
    tables = generate(size)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("BEGIN IMMEDIATE")
        for table, columns in COLUMNS.items():
            marks = ", ".join("?" * len(columns))
            conn.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                tables.rows[table],
            )
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return {table: len(rows) for table, rows in tables.rows.items()}


def write_csv(path: Path, size: Size) -> int:
    """The members of the community as a `member import` file; the rows written."""
    import csv

    since = size.today - timedelta(days=7 * size.weeks + 21)
    people = make_people(random.Random(size.seed), size.members, size.today, since)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerows(csv_rows(people))
    return len(people)


def size_args(size: Size) -> list[str]:
    """The options of this script that make the community of SIZE."""
    return [
        *("--members", str(size.members), "--groups", str(size.groups)),
        *("--weeks", str(size.weeks), "--seed", str(size.seed), "--today", str(size.today)),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "path", type=Path, nargs="?", help="The new database (or, with --csv, CSV file)."
    )
    parser.add_argument("--url", help="A PostgreSQL URL instead of PATH (see community_pg.py).")
    parser.add_argument("--members", type=int, default=700)
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--weeks", type=int, default=0, help="Weeks of history (default 0).")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--today", type=date.fromisoformat, default=TODAY, help="A Monday.")
    parser.add_argument("--csv", action="store_true", help="Write the members as a CSV file.")
    args = parser.parse_args()
    if (args.path is None) == (args.url is None) or (args.url and args.csv):
        parser.error("give PATH, or --url without --csv")
    size = Size(args.members, args.groups, args.weeks, args.seed, args.today)
    begin = time.perf_counter()
    if args.csv:
        print(f"{write_csv(args.path, size):,} members written to {args.path}")
    else:
        if args.url:
            from community_pg import build_postgres

            counts = build_postgres(args.url, generate(size))
        else:
            counts = build(args.path, size)
        where = f"--database-url {args.url}" if args.url else f"--db {args.path}"
        print(", ".join(f"{table} {n:,}" for table, n in counts.items() if n))
        print(f"plan it with: PEERKIT_TODAY={size.today} peerkit {where} plan week")
    print(f"({time.perf_counter() - begin:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
