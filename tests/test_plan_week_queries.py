"""`plan week` sends a fixed number of SQL statements, whatever the number of groups.

Counted with a `before_cursor_execute` listener on the engine (an executemany counts once):
a first run over 10 groups and over 100 groups (six members each, two weeks of history with
attendance, absences and open commitments, a paused member per group), and a second run
that changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.factories import World

pytest_plugins = ["tests.factories"]

SIZE = 6
HISTORY = ("2026-W47", "2026-W48")
WEEK = "2026-W49"


def build(world: World, first: int, last: int, history_out: Path) -> None:
    """Groups FIRST to LAST - 1, of SIZE members (in one transaction), then the weeks of
    history and a pause in each new group."""
    from sqlmodel import col, select

    from peerkit.models import Member
    from peerkit.services.groups import roster
    from peerkit.services.members import profiles

    with world.db.write() as session:
        for g in range(first, last):
            raw = roster.GroupFields(name=f"Group {g}", day="tue", start=date(2026, 11, 17))
            group = roster.create(session, raw, "Europe/Rome", date(2026, 11, 1))
            for n in range(SIZE):
                fields = profiles.MemberFields(name=f"M {g}-{n}", email=f"m{g}-{n}@example.com")
                member = profiles.add(session, fields, {}, date(2026, 11, 1))
                roster.add_member(session, group, member, date(2026, 11, 1), rotates=n == 2)
            session.flush()
    world.community(organiser_name=None, organiser_email=None)  # history: no invitations
    for week in HISTORY:
        for plan in world.plan_week(week, history_out)[first:]:
            seats, _facilitator, _timekeeper = world.roles(plan.session)
            everyone = [i for i in seats if i is not None]
            world.attend(plan.session, everyone[1:], everyone[:1])
            world.commit_to(seats[0], "Something", plan.session)
    with world.db.read() as session:
        names = [f"M {g}-{SIZE - 1}" for g in range(first, last)]
        paused = session.exec(select(Member.id).where(col(Member.name).in_(names))).all()
    for member_id in paused:
        world.pause(member_id, None, date(2026, 11, 28))
    world.community()


@contextmanager
def counting(db: Any) -> Iterator[list[str]]:
    import sqlalchemy as sa

    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def statements(world: World, out: Path) -> tuple[int, list[Any]]:
    with counting(world.db) as seen:
        plans = world.plan_week(WEEK, out)
    return len(seen), plans


@pytest.mark.parametrize(("few", "many"), [(2, 8), pytest.param(10, 100, marks=pytest.mark.slow)])
def test_statements_do_not_grow_with_the_groups(
    world: World, database: Any, tmp_path: Path, few: int, many: int
) -> None:
    build(world, 0, few, tmp_path / "history")
    small, plans = statements(world, tmp_path / "small")
    assert len(plans) == few
    assert all(p.invited == SIZE - 1 for p in plans)
    build(world, few, many, tmp_path / "history")  # the first ones are planned already
    large, plans = statements(world, tmp_path / "large")
    assert len(plans) == many
    assert all(p.invited == SIZE - 1 for p in plans)
    assert large == small, "plan week sends more statements for more groups"
    assert large < 20


def test_a_second_run_reads_and_writes_nothing_more(
    world: World, database: Any, tmp_path: Path
) -> None:
    build(world, 0, 10, tmp_path / "history")
    statements(world, tmp_path / "out")
    with counting(world.db) as seen:
        plans = world.plan_week(WEEK, tmp_path / "out")
    assert all(f["status"] == "unchanged" for p in plans for f in p.files)
    assert not [s for s in seen if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert len(seen) <= 10
