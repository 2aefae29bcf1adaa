"""`plan week` on a generated community, beside `python -c "import typer, sqlmodel"`.

    PYTHONPATH=src .venv/bin/python benchmarks/plan_week.py --groups 100 --weeks 16
    PYTHONPATH=src .venv/bin/python benchmarks/plan_week.py --groups 800 --weeks 104 --rounds 1

The community (a seed, not a stored file): GROUPS groups of SIZE members, WEEKS weeks of
history before the planned week (meetings with hot seats, facilitators, attendance with
some absences, commitments, deliveries), a few paused members. Every figure is a whole
subprocess (`python -m peerkit plan week`), interleaved with the reference in one loop.
`--count` also counts the SQL statements of one `plan week` in this process.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

WEEK = "2026-W49"
MONDAY = date(2026, 11, 30)
DAYS = ("mon", "tue", "wed", "thu", "fri")


def build(db_path: Path, groups: int, size: int, weeks: int, seed: int = 7) -> None:
    """Write the community straight into a new database (bulk inserts, no services)."""
    from peerkit.config import Settings
    from peerkit.db import open_database
    from peerkit.models import Community

    rng = random.Random(seed)
    db = open_database(Settings(db_path=db_path))
    with db.write() as session:
        session.add(
            Community(
                name="Bench",
                timezone="Europe/Rome",
                organiser_name="Olga",
                organiser_email="olga@example.com",
            )
        )
        member_ids = _members(session, groups * size, rng)
        for g in range(groups):
            _group(session, g, member_ids[g * size : (g + 1) * size], weeks, rng)
    db.dispose()


def _members(session: Any, count: int, rng: random.Random) -> list[int]:
    from peerkit.models import Member

    rows = [
        Member(
            name=f"Member {n:05d}",
            email=f"m{n}@example.com",
            timezone=rng.choice(["Europe/Rome", "Europe/London", "America/New_York"]),
            locale=rng.choice(["en", "it"]),
            joined=date(2024, 1, 1),
            status="paused" if rng.random() < 0.03 else "active",
        )
        for n in range(count)
    ]
    session.add_all(rows)
    session.flush()
    return [m.id for m in rows]


def _group(session: Any, g: int, people: list[int], weeks: int, rng: random.Random) -> None:
    from peerkit.models import Group, Membership

    day = g % len(DAYS)
    anchor = MONDAY - timedelta(weeks=weeks) + timedelta(days=day)
    group = Group(
        slug=f"group-{g:04d}",
        name=f"Group {g:04d}",
        day=day,
        time="18:30",
        timezone="Europe/Rome",
        anchor=anchor,
        location="https://meet.example.com/g" if g % 2 else None,
    )
    session.add(group)
    session.flush()
    session.add_all(
        Membership(
            group_id=group.id,
            member_id=m,
            joined=anchor,
            rotates=i in (2, 3),
            role="facilitator" if i == 0 else "member",
        )
        for i, m in enumerate(people)
    )
    _history(session, group, people, anchor, weeks, rng)


def _history(
    session: Any, group: Any, people: list[int], anchor: date, weeks: int, rng: random.Random
) -> None:
    from peerkit.models import Attendance, Commitment, Delivery, HotSeat, Meeting

    meetings = []
    for w in range(weeks):
        slot = anchor + timedelta(weeks=w)
        start = datetime(slot.year, slot.month, slot.day, 17, 30, tzinfo=UTC)
        meetings.append(
            Meeting(
                group_id=group.id, slot_date=slot, start=start, timezone=group.timezone,
                duration=90, uid=f"{uuid.UUID(int=rng.getrandbits(128))}@peerkit",
                status="done", facilitator_id=people[2 + w % 2], timekeeper_id=people[3 - w % 2],
                updated_at=start - timedelta(days=7),
            )
        )  # fmt: skip
    session.add_all(meetings)
    session.flush()
    rows: list[Any] = []
    for w, meeting in enumerate(meetings):
        seats = [people[(2 * w) % len(people)], people[(2 * w + 1) % len(people)]]
        rows += [HotSeat(meeting_id=meeting.id, member_id=m, position=i + 1)
                 for i, m in enumerate(seats)]  # fmt: skip
        rows += [
            Attendance(meeting_id=meeting.id, member_id=m,
                       status="absent" if rng.random() < 0.1 else "present")
            for m in people
        ]  # fmt: skip
        rows += [Delivery(meeting_id=meeting.id, member_id=m, kind="invite") for m in people]
        if w >= weeks - 3:
            rows += [
                Commitment(member_id=m, meeting_id=meeting.id, text=f"Do thing {w}",
                           due=meeting.slot_date + timedelta(days=10),
                           status="open" if rng.random() < 0.5 else "done",
                           created_at=meeting.start)
                for m in people[:3]
            ]  # fmt: skip
    session.add_all(rows)


# --- timing ------------------------------------------------------------------------------


def timed(argv: list[str], env: dict[str, str] | None = None) -> float:
    began = time.perf_counter()
    subprocess.run(argv, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - began


def plan_argv(db: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "peerkit", "--db", str(db), "plan", "week",
            "--week", WEEK, "--out", str(out), "--format", "json"]  # fmt: skip


def count_statements(db_path: Path, out: Path) -> int:
    """SQL statements of one `plan week`, in this process."""
    import sqlalchemy as sa

    from peerkit.config import Settings
    from peerkit.db import open_database
    from peerkit.services.outbox import delivery, week

    db = open_database(Settings(db_path=db_path))
    seen = [0]
    sa.event.listen(db.engine, "before_cursor_execute", lambda *a: seen.__setitem__(0, seen[0] + 1))
    with db.write() as session:
        week.plan_week(session, WEEK, delivery.Output(folder=out), today=MONDAY)
    db.dispose()
    return seen[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--size", type=int, default=6)
    parser.add_argument("--weeks", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--count", action="store_true", help="also count the SQL statements")
    args = parser.parse_args()
    import os

    env = {**os.environ, "PEERKIT_TODAY": MONDAY.isoformat()}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base.db"
        began = time.perf_counter()
        build(base, args.groups, args.size, args.weeks)
        print(f"built {args.groups} groups x {args.size}, {args.weeks} weeks of history "
              f"in {time.perf_counter() - began:.1f} s")  # fmt: skip
        reference = [sys.executable, "-c", "import typer, sqlmodel"]
        timed(reference)
        first: list[float] = []
        again: list[float] = []
        ref: list[float] = []
        for n in range(args.rounds):
            db = Path(tmp) / f"run{n}.db"
            shutil.copy(base, db)
            out = Path(tmp) / f"out{n}"
            ref.append(timed(reference))
            first.append(timed(plan_argv(db, out), env))
            ref.append(timed(reference))
            again.append(timed(plan_argv(db, out), env))
        r = statistics.median(ref)
        f, a = statistics.median(first), statistics.median(again)
        print(f"import typer, sqlmodel: {r:.2f} s")
        print(f"plan week, first run:   {f:.2f} s  ({f / r:.1f}x)")
        print(f"plan week, unchanged:   {a:.2f} s  ({a / r:.1f}x)")
        if args.count:
            db = Path(tmp) / "count.db"
            shutil.copy(base, db)
            out = Path(tmp) / "count"
            print(f"SQL statements, first run: {count_statements(db, out)}")
            print(f"SQL statements, unchanged: {count_statements(db, out)}")


if __name__ == "__main__":
    main()
