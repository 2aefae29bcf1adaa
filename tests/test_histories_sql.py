"""The rotation's history of a week's meetings, counted in the database (week_data.histories,
one statement for every group) is the history rotation.history reads row by row: hot-seat
turns taken (a seat missed through absence is not one), times as facilitator and as
timekeeper, each with the latest, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.factories import World

pytest_plugins = ["tests.factories"]


def _history_both_ways(world: World, tmp_path: Path) -> None:
    from peerkit.models import Meeting
    from peerkit.services.groups import rotation, week_data

    world.community(organiser_name=None, organiser_email=None)
    groups = {}
    for g, day in enumerate(("tue", "wed", "thu")):
        people = world.members(5, f"G{g}")
        gid = world.group(f"G{g}", people, day=day, start=date(2027, 1, 5 + g),
                          rotates=people[g:], joined=date(2026, 12, 1))  # fmt: skip
        groups[f"g{g}"] = (gid, people)
    for n, week in enumerate(("2027-W01", "2027-W02", "2027-W03", "2027-W04")):
        for plan in world.plan_week(week, tmp_path / "out"):
            people = groups[plan.group][1]
            absent = people[n % 5 : n % 5 + 1]
            world.attend(plan.session, [p for p in people if p not in absent], absent)
    upcoming = [
        world.meeting_on(gid, date(2027, 2, 2 + g)) for g, (gid, _p) in enumerate(groups.values())
    ]
    with world.db.read() as session:
        targets = [session.get(Meeting, m.id) for m in upcoming]
        counted = week_data.histories(session, targets)
        for meeting in targets:
            row_by_row = rotation.history(session, meeting)
            assert counted[meeting.id] == row_by_row
            assert row_by_row.turns.count
            assert row_by_row.facilitator_id.count


def test_histories_counted_in_sql_are_the_rotations(world: World, tmp_path: Path) -> None:
    _history_both_ways(world, tmp_path)


@pytest.mark.postgres
def test_histories_counted_in_sql_on_postgres(pg_url: str, tmp_path: Path) -> None:
    from peerkit.config import Settings
    from peerkit.db import open_database

    db: Any = open_database(Settings(db_path=tmp_path / "unused", database_url=pg_url))
    try:
        made = World(db)
        made.community()
        _history_both_ways(made, tmp_path)
    finally:
        db.dispose()
