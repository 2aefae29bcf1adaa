"""`plan week` writes the same bytes it always did: golden files in tests/golden/plan_week/.

A community built with the factories (several groups, a few weeks of history, attendance,
absences, open commitments, a pause, a departure, a cancelled meeting, members in two
languages and two zones) is planned through the CLI, and every file written is compared
byte for byte with the golden copy. The golden files were made by the code before the
week's invitations moved into the outbox and before the week was loaded in bulk.

What is random today is fixed here, not masked: meeting UIDs come from uuid4 and
DTSTAMP, Date and Message-ID from the meeting's `updated_at` (the wall clock), so the
test pins uuid4 and the clock. To regenerate: PEERKIT_UPDATE_GOLDEN=1 pytest this file.
"""

from __future__ import annotations

import difflib
import itertools
import os
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.factories import World

pytest_plugins = ["tests.factories"]

GOLDEN = Path(__file__).parent / "golden" / "plan_week"
UPDATE_GOLDEN = os.environ.get("PEERKIT_UPDATE_GOLDEN") == "1"
CLOCK = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


@pytest.fixture
def fixed_randomness(monkeypatch: pytest.MonkeyPatch) -> None:
    """uuid4 counts, and the models' clock (updated_at, created_at) stands still."""
    import peerkit.columns
    import peerkit.models
    import peerkit.services.groups.rotation

    counter = itertools.count(1)
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=next(counter)))

    class Frozen(datetime):
        @classmethod
        def now(cls, tz: object = None) -> Frozen:  # type: ignore[override]
            return cls.fromtimestamp(CLOCK.timestamp(), UTC)

    monkeypatch.setattr(peerkit.columns, "datetime", Frozen)  # utcnow() lives there
    monkeypatch.setattr(peerkit.services.groups.rotation, "utcnow", lambda: CLOCK)


def build_community(world: World, history: Path) -> None:
    """Five groups and three weeks of history (the weeks before 2026-W49)."""
    world.community(name="Freelance Circle", locale="en")
    it = world.members(6, "Socio", locale="it")
    uk = world.members(5, "Member", timezone="Europe/London")
    world.group(
        "Mastermind del martedì", it, day="tue", time="18:30",
        start=date(2026, 11, 10), location="https://meet.example.com/martedi",
        rotates=it[3:5],
    )  # fmt: skip
    world.group(
        "London Thursdays", uk[:4], day="thu", time="08:00", timezone="Europe/London",
        start=date(2026, 11, 12), facilitator=uk[4], location="The Crown, upstairs",
    )  # fmt: skip
    fortnight = world.group("Fortnightly", [it[0], uk[0], uk[1]], cadence="biweekly",
                            day="wed", start=date(2026, 11, 11))  # fmt: skip
    world.group("Monthly", [it[1], uk[2]], cadence="monthly", day="fri", start=date(2026, 11, 6))
    called_off = world.group("Called Off", uk[:3], day="wed", start=date(2026, 11, 11))
    for n, week in enumerate(("2026-W46", "2026-W47", "2026-W48")):
        for plan in world.plan_week(week, history):
            if plan.session is None:
                continue
            everyone, _fac, _tk = world.roles(plan.session)
            absent = everyone[:1] if n == 1 else []
            world.attend(plan.session, [m for m in everyone if m not in absent], absent)
    last = world.plan_week("2026-W48", history)
    world.commit_to(it[0], "Raise the base quote by 15%", last[0].session, due=date(2026, 12, 11))
    world.commit_to(it[2], "Send three proposals", last[0].session)
    world.commit_to(uk[1], "Call the accountant", last[1].session, due=date(2026, 12, 2))
    world.pause(it[5], None, date(2026, 11, 25))
    world.remove(uk[3], date(2026, 11, 26))
    world.cancel(world.meeting_on(called_off, date(2026, 12, 2)).id, "Holidays")
    world.cancel(world.meeting_on(fortnight, date(2026, 12, 9)).id, None)


def written(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def assert_same_tree(actual: dict[str, bytes]) -> None:
    if UPDATE_GOLDEN:
        for name, data in actual.items():
            path = GOLDEN / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return
    expected = written(GOLDEN)
    assert sorted(actual) == sorted(expected)
    for name, data in expected.items():
        if actual[name] != data:
            diff = difflib.unified_diff(
                data.decode().splitlines(keepends=True),
                actual[name].decode().splitlines(keepends=True),
                f"golden/plan_week/{name}",
                "written",
            )
            pytest.fail(f"{name} differs from its golden file:\n{''.join(diff)}")


def test_plan_week_writes_the_golden_bytes(
    world: World, cli: Cli, tmp_path: Path, fixed_randomness: None
) -> None:
    build_community(world, tmp_path / "history")
    out = tmp_path / "A"
    result = cli.ok("plan", "week", "--week", "2026-W49", "--out", str(out), "--format", "json")
    assert '"invited"' in result.stdout
    files = written(out)
    assert any(name.endswith(".eml") for name in files)
    assert_same_tree(files)
    again = cli.ok("plan", "week", "--week", "2026-W49", "--out", str(out))
    assert f"wrote 0 file(s), {len(files)} unchanged" in again.stderr
    assert written(out) == files


def test_calendar_text_with_shared_zones_is_what_icalendar_writes() -> None:
    """calendar.to_bytes keeps the text of the shared VTIMEZONEs: the bytes stay the same."""
    from zoneinfo import ZoneInfo

    from peerkit import calendar as ical

    class Occasion:
        uid, sequence, duration, location, status = "u@peerkit", 2, 90, "Room 1", "planned"
        updated_at = CLOCK

    events = [
        ical.event(Occasion(), f"Meeting {zone}", local_start=datetime(2026, 12, 1, 18, 30,
                   tzinfo=ZoneInfo(zone)), organiser=ical.Person("Olga", "olga@example.com"))
        for zone in ("Europe/Rome", "America/New_York", "Europe/Rome")
    ]  # fmt: skip
    for method in ("PUBLISH", None):
        cal = ical.calendar(events, method=method)
        assert ical.to_bytes(cal) == bytes(cal.to_ical())
        assert ical.to_bytes(cal) == ical.to_bytes(ical.calendar(events, method=method))
