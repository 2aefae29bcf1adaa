"""Fixtures that build communities through the services, against the test's own database.

Load them in a test module with ``pytest_plugins = ["tests.factories"]``. The database is
the same file the ``cli`` fixture uses (``db_path``), so a test may build with the
services and look with the CLI, or the other way round.

    def test_something(world: World) -> None:
        anna = world.member("Anna")
        group = world.group("Tuesday", [anna], day="tue", start=date(2027, 1, 5))
        with world.db.write() as session:
            ...
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest

BUILD_DAY = date(2026, 11, 27)  # tests/conftest.py: PEERKIT_TODAY


@dataclass
class World:
    """An opened database plus factories for members, groups and meetings."""

    db: Any  # peerkit.db.Database
    _counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    # --- community -------------------------------------------------------------------

    def community(
        self,
        *,
        name: str = "Test Community",
        timezone: str = "Europe/Rome",
        locale: str = "en",
        organiser_name: str | None = "Olga Organiser",
        organiser_email: str | None = "olga@organisers.example.com",
    ) -> None:
        """Create or update the community row (None: no organiser, so no invitations)."""
        from peerkit.services.common import community as svc

        values = svc.CommunityDefaults(name, timezone, locale, organiser_name, organiser_email)
        with self.db.write() as session:
            row = svc.ensure(session, svc.CommunityDefaults())
            svc.apply(row, values)
            if organiser_name is None:
                row.organiser_name = None
            if organiser_email is None:
                row.organiser_email = None
            session.add(row)

    # --- members ---------------------------------------------------------------------

    def member(
        self,
        name: str | None = None,
        *,
        email: str | None = None,
        timezone: str = "Europe/Rome",
        locale: str = "en",
        joined: date = BUILD_DAY,
    ) -> int:
        from peerkit.services.members import profiles

        n = next(self._counter)
        raw = profiles.MemberFields(
            name=name or f"Member {n}",
            email=email or f"member{n}@example.com",
            timezone=timezone,
            locale=locale,
        )
        with self.db.write() as session:
            member = profiles.add(session, raw, {}, joined)
            assert member.id is not None
            return member.id

    def members(
        self,
        count: int,
        prefix: str = "Member",
        *,
        timezone: str = "Europe/Rome",
        locale: str = "en",
        joined: date = BUILD_DAY,
    ) -> list[int]:
        """COUNT members called "PREFIX A", "PREFIX B", ... (ids in that order)."""
        from peerkit.services.members import profiles

        made = []
        with self.db.write() as session:  # one transaction: quicker than one each
            for i in range(count):
                letter = chr(ord("A") + i)
                raw = profiles.MemberFields(
                    name=f"{prefix} {letter}",
                    email=f"{prefix}.{letter}@example.com".lower().replace(" ", "-"),
                    timezone=timezone,
                    locale=locale,
                )
                member = profiles.add(session, raw, {}, joined)
                assert member.id is not None
                made.append(member.id)
        return made

    def pause(self, member_id: int, until: date | None, today: date) -> None:
        from peerkit.models import Member
        from peerkit.services.members import profiles

        with self.db.write() as session:
            member = session.get(Member, member_id)
            profiles.pause(session, member, until, today)

    def resume(self, member_id: int, today: date) -> None:
        from peerkit.models import Member
        from peerkit.services.members import profiles

        with self.db.write() as session:
            profiles.resume(session, session.get(Member, member_id), today)

    def remove(self, member_id: int, today: date) -> None:
        """The member leaves the community, as `member remove` does (at noon UTC)."""
        from peerkit.models import Member
        from peerkit.services.members import leaving

        noon = datetime.combine(today, time(12), UTC)
        with self.db.write() as session:
            leaving.remove(session, session.get(Member, member_id), today, noon)

    # --- groups ----------------------------------------------------------------------

    def group(
        self,
        name: str,
        member_ids: Iterable[int],
        *,
        cadence: str = "weekly",
        day: str = "tue",
        time: str = "18:30",
        timezone: str = "Europe/Rome",
        duration: int = 90,
        start: date | None = None,
        facilitator: int | None = None,
        rotates: Iterable[int] = (),
        location: str | None = None,
        joined: date = BUILD_DAY,
        max_size: int = 12,
    ) -> int:
        from peerkit.models import Member
        from peerkit.services.groups import roster

        ids = list(member_ids)
        volunteers = set(rotates)
        raw = roster.GroupFields(
            name=name,
            cadence=cadence,
            day=day,
            time=time,
            timezone=timezone,
            duration=duration,
            start=start,
            location=location,
            min_size=2,
            max_size=max_size,
        )
        with self.db.write() as session:
            group = roster.create(session, raw, "Europe/Rome", joined)
            for member_id in ids:
                member = session.get(Member, member_id)
                roster.add_member(
                    session, group, member, joined, rotates=member_id in volunteers or None
                )
            if facilitator is not None:
                lead = session.get(Member, facilitator)
                roster.add_member(session, group, lead, joined, role="facilitator")
            assert group.id is not None
            return group.id

    # --- meetings --------------------------------------------------------------------

    def plan_week(self, week: str, out: Path, *, dry_run: bool = False) -> list[Any]:
        """`plan week` through the service, in one transaction (rolled back when dry)."""
        from peerkit.services.outbox import delivery
        from peerkit.services.outbox import week as week_svc

        output = delivery.Output(folder=out, dry_run=dry_run)
        scope = self.db.dry_run() if dry_run else self.db.write()
        with scope as session:
            return week_svc.plan_week(session, week, output)

    def meeting_on(self, group_id: int, slot: date) -> Any:
        """The meeting of a group for a cadence date (created if needed), without roles."""
        from peerkit.models import Group
        from peerkit.services.groups import meetings

        with self.db.write() as session:
            meeting, _created = meetings.ensure(session, session.get(Group, group_id), slot)
            return meeting

    def attend(self, meeting_id: int, present: Iterable[int], absent: Iterable[int]) -> None:
        from peerkit.models import Meeting, Member
        from peerkit.services.groups import meetings

        with self.db.write() as session:
            meetings.attend(
                session,
                session.get(Meeting, meeting_id),
                [session.get(Member, i) for i in present],
                [session.get(Member, i) for i in absent],
            )

    def cancel(self, meeting_id: int, reason: str | None = None) -> None:
        from peerkit.models import Meeting
        from peerkit.services.groups import meetings

        with self.db.write() as session:
            meetings.cancel(session, session.get(Meeting, meeting_id), reason)

    def commit_to(self, member_id: int, text: str, meeting_id: int, due: date | None = None) -> int:
        from peerkit.models import Meeting, Member
        from peerkit.services.groups import commitments

        with self.db.write() as session:
            made = commitments.add(
                session,
                session.get(Member, member_id),
                text,
                meeting=session.get(Meeting, meeting_id),
                due=due,
            )
            assert made.id is not None
            return made.id

    def close_commitment(self, commitment_id: int, status: str) -> None:
        from peerkit.models import Commitment
        from peerkit.services.groups import commitments

        with self.db.write() as session:
            commitments.close(session, session.get(Commitment, commitment_id), status)

    def roles(self, meeting_id: int) -> tuple[list[int], int | None, int | None]:
        """(hot seats in order, facilitator, timekeeper) as stored."""
        from peerkit.models import Meeting
        from peerkit.services.groups import meetings

        with self.db.read() as session:
            meeting = session.get(Meeting, meeting_id)
            return (
                meetings.hot_seat_ids(session, meeting),
                meeting.facilitator_id,
                meeting.timekeeper_id,
            )

    def count(self, model_name: str) -> int:
        import sqlalchemy as sa

        from peerkit import models

        model = getattr(models, model_name)
        with self.db.read() as session:
            return int(session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


@pytest.fixture
def database(db_path: Path) -> Iterator[Any]:
    """The test's database (the ``cli`` fixture's file), opened and migrated."""
    from peerkit.config import Settings
    from peerkit.db import open_database

    db = open_database(Settings(db_path=db_path))
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def world(database: Any) -> World:
    """A community (Europe/Rome, English, with an organiser) ready for members and groups."""
    made = World(database)
    made.community()
    return made
