"""The stats counted in SQL say exactly what the stats counted in Python said (issue 19).

tests/stats_reference.py is `services/reports/stats.py` as it was before: it loads every row
and counts in Python. On random communities (tests/random_community.py), with and without
--group and --since, both must print the same JSON, on SQLite and on PostgreSQL (but for
`no_shows`, which came later: it is counted in Python here, from every row). The
absent-turn rule, written twice (`rotation.taken_turns` in Python, `held.taken_turns_query` in
SQL), must agree too, and so must `at_risk` with the report's at-risk column.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from peerkit.config import Settings
from peerkit.db import Database, open_database
from peerkit.models import Answer, Attendance, Group, HotSeat, Meeting
from peerkit.output import to_json
from peerkit.services.groups.rotation import taken_turns
from peerkit.services.reports import held, stats
from tests import random_community, stats_reference

# The first eight seeds run in the fast loop; the rest only in the full run (./check, CI).
SQLITE_SEEDS = [
    seed if seed < 8 else pytest.param(seed, marks=pytest.mark.slow) for seed in range(40)
]
PG_SEEDS = range(12)


def _open(tmp_path: Path, url: str | None, seed: int) -> Database:
    db = open_database(Settings(db_path=tmp_path / f"stats-{seed}.db", database_url=url))
    with db.write() as session:
        random_community.build(session, random.Random(seed))
    return db


def _choices(db: Database, seed: int) -> Iterator[tuple[int | None, date | None]]:
    """(group id or None, since or None): every group, alone and with a few start days."""
    with db.read() as session:
        group_ids = list(session.exec(select(Group.id)))
    days: list[date | None] = [None, *random_community.since_options(random.Random(-seed))]
    for group_id in [None, *group_ids]:
        for since in days:
            yield group_id, since


def _compare(db: Database, seed: int) -> int:
    compared = 0
    for group_id, since in _choices(db, seed):
        with db.read(snapshot=True) as session:  # as `peerkit stats` reads (beside, on PG)
            group = None if group_id is None else session.get(Group, group_id)
            today = random_community.TODAY
            found = stats.compute(session, group, since, today)
            old = to_json(stats_reference.compute(session, group, since, today))
            no_shows = {m["member"]: m.pop("no_shows") for m in found["members"]}
            outside = {m["member"]: m.pop("outside_hours") for m in found["members"]}
            assert to_json(found) == old, (seed, group_id, since)
            assert outside == _outside(session, group, since, today, outside), seed
            assert no_shows == _no_shows(session, group, since, today, no_shows), seed
            listed = {m["member"] for m in found["members"]}
            risky = {m["member"] for m in found["members"] if m["at_risk"]}
            assert held.at_risk(session, group, since, today) & listed == risky
        compared += 1
    return compared


def _no_shows(
    session: Any, group: Group | None, since: date | None, today: date, listed: dict[int, int]
) -> dict[int, int]:
    """The members listed -> held meetings (of the chosen groups and period) they answered
    yes to and were marked absent at, counted from every row."""
    from peerkit.enums import AnswerKind, AttendanceStatus, MeetingStatus
    from peerkit.services.groups import roster

    chosen = {g.id for g in ([group] if group else roster.list_groups(session))}
    held_ids = {
        m.id
        for m in session.exec(select(Meeting))
        if m.status == MeetingStatus.DONE and m.group_id in chosen and m.slot_date <= today
        and (since is None or m.slot_date >= since)
    }  # fmt: skip
    yes = {
        (a.about_id, a.member_id)
        for a in session.exec(select(Answer))
        if a.about == "meeting" and a.answer == AnswerKind.ACCEPTED
    }
    counted = dict.fromkeys(listed, 0)
    for mark in session.exec(select(Attendance)):
        key = (mark.meeting_id, mark.member_id)
        absent = mark.status == AttendanceStatus.ABSENT
        if mark.meeting_id in held_ids and absent and key in yes and mark.member_id in counted:
            counted[mark.member_id] += 1
    return counted


def _outside(
    session: Any, group: Group | None, since: date | None, today: date, listed: dict[int, int]
) -> dict[int, int]:
    """The members listed -> held meetings (of the chosen groups and period) they were marked
    at that lie outside 08:00-21:00 in their zone, costed one mark at a time."""
    from peerkit.enums import MeetingStatus
    from peerkit.models import Member
    from peerkit.services.groups import fairness, roster

    chosen = {g.id for g in ([group] if group else roster.list_groups(session))}
    held = {
        m.id: m
        for m in session.exec(select(Meeting))
        if m.status == MeetingStatus.DONE and m.group_id in chosen and m.slot_date <= today
        and (since is None or m.slot_date >= since)
    }  # fmt: skip
    zones = {p.id: p.timezone for p in session.exec(select(Member))}
    counted = dict.fromkeys(listed, 0)
    for mark in session.exec(select(Attendance)):
        meeting = held.get(mark.meeting_id)
        if meeting is None or mark.member_id not in counted:
            continue
        hard = fairness.cost(meeting.start, meeting.duration, zones[mark.member_id]).hard
        counted[mark.member_id] += hard
    return counted


def _turns_agree(db: Database) -> int:
    """rotation.taken_turns and held.taken_turns_query on every meeting, held or not."""
    with db.read() as session:
        seats: dict[int, list[int]] = defaultdict(list)
        for seat in session.exec(select(HotSeat)):
            seats[seat.meeting_id].append(seat.member_id)
        marks: dict[int, dict[int, Any]] = defaultdict(dict)
        for mark in session.exec(select(Attendance)):
            marks[mark.meeting_id][mark.member_id] = mark.status
        every = select(col(Meeting.id), col(Meeting.group_id)).subquery("every")
        query = held.taken_turns_query(every)
        in_sql = sorted((m, who) for m, who, _g in session.connection().execute(query))
    taken = taken_turns(seats, marks)
    in_python = sorted((m, who) for m, members in taken.items() for who in members)
    assert in_sql == in_python
    return sum(len(s) for s in seats.values()) - len(in_python)  # seats missed through absence


@pytest.mark.parametrize("seed", SQLITE_SEEDS)
def test_sql_stats_equal_the_python_stats_on_sqlite(tmp_path: Path, seed: int) -> None:
    db = _open(tmp_path, None, seed)
    assert _compare(db, seed) >= 4
    _turns_agree(db)
    db.dispose()


def test_the_random_histories_have_hot_seats_missed_through_absence(tmp_path: Path) -> None:
    assert sum(_turns_agree(_open(tmp_path, None, seed)) for seed in range(4)) > 0


def test_the_random_histories_have_no_shows(tmp_path: Path) -> None:
    """The no-show check above compares something: members said yes and missed."""
    found = 0
    for seed in range(4):
        db = _open(tmp_path, None, seed)
        with db.read() as session:
            report = stats.compute(session, None, None, random_community.TODAY)
        found += sum(m["no_shows"] for m in report["members"])
        db.dispose()
    assert found > 0


@pytest.mark.postgres
def test_sql_stats_equal_the_python_stats_on_postgres(tmp_path: Path, pg_url: str) -> None:
    engine = sa.create_engine(pg_url)
    for seed in PG_SEEDS:
        db = _open(tmp_path, pg_url, seed)
        _compare(db, seed)
        _turns_agree(db)
        db.dispose()
        with engine.begin() as conn:  # empty again for the next seed
            tables = ", ".join(
                t
                for (t,) in conn.exec_driver_sql(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            )
            conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    engine.dispose()


def test_the_report_reads_a_fixed_number_of_statements(tmp_path: Path) -> None:
    """However many groups, members and meetings, the same handful of queries."""
    counted = []
    for seed in (3, 5):
        db = _open(tmp_path, None, seed)
        statements: list[str] = []

        def note(*args: Any, seen: list[str] = statements) -> None:
            seen.append(args[2])

        sa.event.listen(db.engine, "before_cursor_execute", note)
        with db.read() as session:
            stats.compute(session, None, None, random_community.TODAY)
        counted.append(len(statements))
        db.dispose()
    assert counted[0] == counted[1] <= 12
