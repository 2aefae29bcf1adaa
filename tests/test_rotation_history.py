"""The rotation reads a group's past meetings once per decision, and the absent-turn rule
(a hot seat missed through absence is not a turn) is one function shared with the stats."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from peerkit.services.groups.rotation import taken_turns

if TYPE_CHECKING:
    from tests.factories import World

pytest_plugins = ["tests.factories"]

FROM_MEETING = re.compile(r"\bFROM meeting\b", re.IGNORECASE)


@contextmanager
def statements(engine: Any) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def test_taken_turns_leaves_out_a_seat_missed_through_absence() -> None:
    seats = {1: [10, 11], 2: [12], 3: [10]}
    marks = {1: {10: "absent", 11: "present"}, 2: {12: "present"}}  # meeting 3 not marked yet
    assert taken_turns(seats, marks) == {1: [11], 2: [12], 3: [10]}
    assert taken_turns({}, marks) == {}


def test_choosing_roles_reads_the_groups_meetings_once(world: World, tmp_path: Path) -> None:
    """Hot seats, facilitator and timekeeper all come from one read of the past meetings."""
    from peerkit.models import Group, Meeting
    from peerkit.services.groups import rotation

    world.community(organiser_name=None, organiser_email=None)
    people = world.members(4, "Once")
    group_id = world.group(
        "Once",
        people,
        duration=45,
        start=date(2027, 1, 5),
        rotates=people,
        joined=date(2026, 12, 1),
    )
    for week in ("2027-W01", "2027-W02"):
        (result,) = world.plan_week(week, tmp_path / "out")
        world.attend(result.session, people[1:], people[:1])
    upcoming = world.meeting_on(group_id, date(2027, 1, 19))
    with world.db.read() as session:
        group = session.get(Group, group_id)
        meeting = session.get(Meeting, upcoming.id)
        with statements(world.db.engine) as seen:
            roles = rotation.choose(session, group, meeting, 1, meeting.slot_date)
    assert roles.facilitator is not None
    assert roles.timekeeper is not None
    assert len([s for s in seen if FROM_MEETING.search(s)]) == 1, seen
    # The first member missed the first hot seat: it was not a turn, so theirs is the next.
    assert roles.hot_seat == people[:1]
