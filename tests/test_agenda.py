"""The agenda is a typed record for Python and the documented mapping for templates."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from tests.conftest import Cli

if TYPE_CHECKING:
    from tests.factories import World

pytest_plugins = ["tests.factories"]

TEMPLATE_KEYS = [
    "locale", "community", "group", "session", "when", "start_time", "end_time", "duration",
    "location", "status", "attendees", "hot_seats", "facilitator", "timekeeper",
    "commitments", "sections", "answers",
]  # fmt: skip


def _agenda_with_a_commitment(world: World, tmp_path: Path):  # type: ignore[no-untyped-def]
    from peerkit.models import Meeting
    from peerkit.services.groups import agenda

    people = world.members(4, "Typed")
    group = world.group("Typed", people, start=date(2027, 1, 5))
    world.plan_week("2027-W02", tmp_path / "out")
    first = world.meeting_on(group, date(2027, 1, 5))
    world.commit_to(people[1], "Write the proposal", first.id, due=date(2027, 1, 20))
    second = world.meeting_on(group, date(2027, 1, 12))
    with world.db.read() as session:
        return agenda.build(session, session.get(Meeting, second.id))


def test_python_reads_typed_fields(world: World, tmp_path: Path) -> None:
    from peerkit.enums import GroupKind, MeetingStatus
    from peerkit.services.groups import agenda

    built = _agenda_with_a_commitment(world, tmp_path)
    assert isinstance(built, agenda.Agenda)
    assert built.group.kind is GroupKind.MASTERMIND
    assert built.status is MeetingStatus.PLANNED
    assert [s.key for s in built.sections] == ["checkin", "hot_seats", "commitments", "close"]
    assert sum(s.minutes for s in built.sections) == built.duration
    (owner,) = built.commitments
    (item,) = owner.items
    assert (item.text, item.due_iso) == ("Write the proposal", "2027-01-20")
    assert all(isinstance(seat, agenda.HotSeatTurn) for seat in built.hot_seats)
    assert built.facilitator is None or isinstance(built.facilitator, agenda.Person)


def test_templates_see_the_documented_mapping_of_plain_values(world: World, tmp_path: Path) -> None:
    built = _agenda_with_a_commitment(world, tmp_path)
    context = dict(built)
    assert list(context) == TEMPLATE_KEYS
    assert context == built.as_dict()
    assert type(context["group"]) is dict
    assert type(context["sections"][0]) is dict
    assert context["commitments"][0]["items"][0]["text"] == "Write the proposal"
    # JSON-ready all the way down, as the `tojson` recipe in docs/templates.md needs.
    assert json.loads(json.dumps(context))["group"]["kind"] == "mastermind"


def test_the_documented_tojson_recipe_still_works(world: World, cli: Cli, tmp_path: Path) -> None:
    people = world.members(3, "Recipe")
    group = world.group("Recipe", people, start=date(2027, 1, 5))
    meeting = world.meeting_on(group, date(2027, 1, 5))
    recipe = tmp_path / "everything.txt.j2"
    recipe.write_text("{{ {'group': group, 'sections': sections} | tojson }}")
    out = json.loads(cli.ok("agenda", str(meeting.id), "--template", str(recipe)).stdout)
    assert out["group"]["name"] == "Recipe"
    assert [s["key"] for s in out["sections"]] == ["checkin", "hot_seats", "commitments", "close"]
