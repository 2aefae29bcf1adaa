"""Fair rotation of the hot seat, the facilitator and the timekeeper.

A simulated year: two weekly groups (6 members, and 7 with a facilitator), planned one
ISO week at a time through ``planning.plan_week`` as cron would, with attendance
recorded between weeks (seeded random absences), a pause with an end date, a pause
ended by ``resume``, and a departure. The test keeps its own ledger of attended turns
and checks every meeting's roles against the rules of issue 3:

- those with the fewest attended turns go first; ties go to whoever waited longest;
- a member absent on their turn gets the next meeting's seat;
- paused and departed members are skipped; a returning member resumes fairly;
- roles, once assigned, are never reshuffled by planning again;
- facilitator and timekeeper rotate among the members who opted in, or stay with the
  group's facilitator.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.factories import World

pytest_plugins = ["tests.factories"]

SEED = 20270105
ABSENCE_RATE = 0.15
WEEKS = [f"2027-W{n:02d}" for n in range(1, 53)]
NEVER = date.min


# --- the test's own ledger ----------------------------------------------------------


@dataclass
class Ledger:
    """Attended hot-seat turns, as the rules define them, kept by the test."""

    turns: Counter[int] = field(default_factory=Counter)
    last: dict[int, date] = field(default_factory=dict)
    owed: set[int] = field(default_factory=set)  # absent on their most recent turn

    def key(self, member: int) -> tuple[int, date]:
        """Fewest attended turns first, then the longest wait since the last one."""
        return self.turns[member], self.last.get(member, NEVER)

    def record(self, day: date, seats: list[int], absent: set[int]) -> None:
        for member in seats:
            if member in absent:
                self.owed.add(member)
            else:
                self.turns[member] += 1
                self.last[member] = day
                self.owed.discard(member)

    def copy(self) -> Ledger:
        return Ledger(Counter(self.turns), dict(self.last), set(self.owed))


@dataclass
class Seen:
    """One meeting as planned, with the ledger as it stood before planning it."""

    group: str
    week: str
    day: date
    meeting: int
    eligible: list[int]
    always: set[int]  # eligible at every meeting of the group so far
    seats: list[int]
    facilitator: int | None
    timekeeper: int | None
    before: Ledger
    absent: set[int] = field(default_factory=set)


@dataclass
class Year:
    world: Any
    out: Path
    groups: dict[str, int]
    people: dict[str, list[int]]
    volunteers: list[int]
    lead: int
    seen: list[Seen] = field(default_factory=list)
    ledgers: dict[str, Ledger] = field(default_factory=dict)
    events: dict[str, Any] = field(default_factory=dict)
    replans: list[tuple[str, list[Any], list[Any]]] = field(default_factory=list)
    first_files: dict[Path, bytes] = field(default_factory=dict)  # 2027-W01 as first written

    def meetings(self, group: str) -> list[Seen]:
        return [s for s in self.seen if s.group == group]


def _eligible(
    members: list[int], day: date, paused: dict[int, tuple[date, date]], gone: dict[int, date]
) -> list[int]:
    """Who the rules say is in the pool on that day (the test's view, not the product's)."""
    out = []
    for member in members:
        if member in gone and day >= gone[member]:
            continue
        if member in paused and paused[member][0] <= day < paused[member][1]:
            continue
        out.append(member)
    return out


def simulate(world: World, out: Path) -> Year:
    from peerkit.models import Meeting
    from peerkit.services.groups import rotation

    six = world.members(6, "Six")
    seven = world.members(7, "Seven")
    before_2027 = date(2026, 12, 1)
    volunteers = six[:3]
    groups = {
        "six": world.group(
            "Six", six, day="tue", start=date(2027, 1, 5), rotates=volunteers, joined=before_2027
        ),
        "seven": world.group(
            "Seven", seven[1:], day="thu", start=date(2027, 1, 7), facilitator=seven[0],
            joined=before_2027,
        ),
    }  # fmt: skip
    year = Year(world, out, groups, {"six": six, "seven": seven}, volunteers, seven[0])
    year.ledgers = {"six": Ledger(), "seven": Ledger()}
    rng = random.Random(SEED)
    paused: dict[int, tuple[date, date]] = {}  # member -> [from, until)
    gone: dict[int, date] = {}
    always: dict[str, set[int]] = {"six": set(six), "seven": set(seven)}
    ids = {"six": list(six), "seven": list(seven)}
    z = seven[3]  # paused after W29 without an end date, resumed before W40

    for n, week in enumerate(WEEKS, start=1):
        if n == 40:
            world.resume(z, date.fromisocalendar(2027, 40, 1))
            paused[z] = (paused[z][0], date.fromisocalendar(2027, 40, 1))
        before = {g: year.ledgers[g].copy() for g in groups}
        results = world.plan_week(week, out)
        assert [r.group for r in results] == ["six", "seven"], results
        for name, result in zip(["six", "seven"], results, strict=True):
            assert result.status == "planned"
            assert result.created, f"{week}: {name}'s meeting should be new"
            with world.db.read() as session:
                meeting = session.get(Meeting, result.session)
                day = meeting.slot_date
                group = meeting_group(session, meeting)
                product_pool = [p.id for _m, p in rotation.eligible(session, group, day)]
            pool = _eligible(ids[name], day, paused, gone)
            assert sorted(product_pool) == sorted(pool), f"{week} {name}: eligible members"
            always[name] &= set(pool)
            seats, facilitator, timekeeper = world.roles(result.session)
            assert result.hot_seat == seats
            year.seen.append(
                Seen(name, week, day, result.session, pool, set(always[name]), seats,
                     facilitator, timekeeper, before[name])
            )  # fmt: skip
        # Re-planning the same week at once changes nothing (every other week, for time;
        # the whole year is planned again at the end, in a test of its own).
        if n % 2:
            again = world.plan_week(week, out)
            year.replans.append((week, [_roles(r) for r in results], [_roles(r) for r in again]))
            assert not any(r.created for r in again)

        # The meetings happen: attendance, then the week's events.
        for seen in year.seen[-2:]:
            absent = {m for m in seen.eligible if rng.random() < ABSENCE_RATE}
            if seen.group == "six" and "x" not in year.events and n >= 9:
                candidates = [m for m in seen.seats if m not in volunteers]
                if candidates:
                    x = candidates[0]
                    absent.add(x)
                    # Paused from tomorrow until the Tuesday of week n + 9.
                    until = seen.day + timedelta(weeks=9)
                    world.pause(x, until, seen.day)
                    paused[x] = (seen.day + timedelta(days=1), until)
                    year.events["x"] = (x, seen.week, until)
            seen.absent = absent
            present = [m for m in seen.eligible if m not in absent]
            world.attend(seen.meeting, present, sorted(absent))
            year.ledgers[seen.group].record(seen.day, seen.seats, absent)
        if n == 20:
            y = seven[5]
            world.remove(y, date.fromisocalendar(2027, 20, 5))
            gone[y] = date.fromisocalendar(2027, 20, 5)
            year.events["y"] = y
        if n == 29:
            world.pause(z, None, date.fromisocalendar(2027, 29, 5))
            paused[z] = (date.fromisocalendar(2027, 29, 5), date.max)
            year.events["z"] = z
    year.first_files = {p: p.read_bytes() for p in (out / WEEKS[0]).rglob("*") if p.is_file()}
    return year


def meeting_group(session: Any, meeting: Any) -> Any:
    from peerkit.models import Group

    return session.get(Group, meeting.group_id)


def _roles(result: Any) -> tuple[Any, ...]:
    return (result.group, result.session, result.hot_seat, result.facilitator, result.status)


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Year]:
    """The simulated year, run once for this module's tests (in its own folders).

    It takes about twenty seconds: every test that uses it is marked slow.
    """
    from peerkit.config import Settings
    from peerkit.db import open_database
    from tests.factories import World

    base = tmp_path_factory.mktemp("year")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CONFIG_HOME", str(base / "config"))
        mp.setenv("XDG_DATA_HOME", str(base / "data"))
        db = open_database(Settings(db_path=base / "peerkit.db"))
        world = World(db)
        world.community(organiser_email=None, organiser_name=None)
        try:
            yield simulate(world, base / "out")
        finally:
            db.dispose()


# --- the simulated year ---------------------------------------------------------------


@pytest.mark.slow
def test_every_week_has_one_meeting_per_group_with_the_format_seats(year: Year) -> None:
    from peerkit.services.groups import agenda

    for name in ("six", "seven"):
        seen = year.meetings(name)
        assert len(seen) == 52
        assert len({s.day for s in seen}) == 52
        for s in seen:
            assert len(s.seats) == agenda.seats_for(90, len(s.eligible)), (s.week, name)
            assert len(set(s.seats)) == len(s.seats)
    assert year.world.count("Meeting") == 104
    # 6 or 7 people for 90 minutes: two seats of about 25 minutes.
    assert {len(s.seats) for s in year.seen if len(s.eligible) in (6, 7)} == {2}


@pytest.mark.slow
def test_only_eligible_members_take_the_hot_seat(year: Year) -> None:
    for s in year.seen:
        assert set(s.seats) <= set(s.eligible), (s.group, s.week)


@pytest.mark.slow
def test_fewest_attended_turns_go_first_and_ties_go_to_the_longest_wait(year: Year) -> None:
    for s in year.seen:
        waiting = [m for m in s.eligible if m not in s.seats]
        for seated in s.seats:
            for other in waiting:
                assert not s.before.key(other) < s.before.key(seated), (
                    f"{s.group} {s.week}: member {other} (turns, last) {s.before.key(other)} "
                    f"should go before member {seated} {s.before.key(seated)}"
                )


@pytest.mark.slow
def test_attended_turns_never_differ_by_more_than_one(year: Year) -> None:
    """Among members in the pool all along; one absent on their turn may lag until seated."""
    for s in year.seen:
        ledger = s.before
        pool = s.always
        if len(pool) < 2:
            continue
        top = max(ledger.turns[m] for m in pool)
        settled = [m for m in pool if m not in ledger.owed]
        bottom = min(ledger.turns[m] for m in settled)
        assert top - bottom <= 1, (s.group, s.week, {m: ledger.turns[m] for m in pool})


@pytest.mark.slow
def test_at_the_end_of_the_year_everyone_present_is_within_one_turn(year: Year) -> None:
    for name in ("six", "seven"):
        last = year.meetings(name)[-1]
        ledger = year.ledgers[name]
        current = [m for m in last.eligible if m not in ledger.owed]
        counts = {m: ledger.turns[m] for m in current}
        assert max(counts.values()) - min(counts.values()) <= 1, (name, counts)
        # About two seats a week shared by six or seven people.
        assert min(counts.values()) >= 10


@pytest.mark.slow
def test_a_member_absent_on_their_turn_gets_the_next_seat(year: Year) -> None:
    checked = 0
    for name in ("six", "seven"):
        seen = year.meetings(name)
        for i, s in enumerate(seen):
            for member in s.seats:
                if member not in s.absent:
                    continue
                nxt = next((t for t in seen[i + 1 :] if member in t.eligible), None)
                if nxt is None:
                    continue
                checked += 1
                if member in nxt.seats:
                    continue
                # Only allowed when every seat went to someone with a prior claim.
                mine = nxt.before.key(member)
                assert all(
                    o in nxt.before.owed or nxt.before.turns[o] < mine[0] for o in nxt.seats
                ), f"{name}: member {member} missed the turn in {s.week}, no seat in {nxt.week}"
    assert checked >= 10, "the seeded absences should exercise this rule"


@pytest.mark.slow
def test_paused_members_are_skipped_and_resume_fairly(year: Year) -> None:
    x, paused_in, until = year.events["x"]
    six = year.meetings("six")
    away = [s for s in six if paused_in < s.week and s.day < until]
    assert len(away) == 8
    for s in away:
        assert x not in s.seats
        assert x not in (s.facilitator, s.timekeeper)
    back = next(s for s in six if s.day >= until)
    assert back.day == until, "paused until a date: back in the pool on that date"
    assert x in back.eligible
    # X missed their turn just before the pause, and has the fewest turns: seated at once.
    assert x in back.seats
    # ... and catches up with the others without jumping ahead of them.
    later = [s for s in six if s.day > until]
    caught_up = next(
        s for s in later if max(s.before.turns[m] for m in s.eligible) - s.before.turns[x] <= 1
    )
    assert caught_up.day <= until + timedelta(weeks=8)
    for s in later[later.index(caught_up) :]:
        top = max(s.before.turns[m] for m in s.eligible)
        assert s.before.turns[x] <= top


@pytest.mark.slow
def test_a_member_paused_without_an_end_rejoins_the_rotation_after_resume(year: Year) -> None:
    z = year.events["z"]
    seven = year.meetings("seven")
    assert [s.week for s in seven if z not in s.eligible] == WEEKS[29:39]
    for s in seven:
        if z not in s.eligible:
            assert z not in s.seats
    first_back = seven[39]
    assert z in first_back.eligible
    # Ten weeks away: the fewest turns, so on the hot seat at the first meeting back.
    assert z in first_back.seats


@pytest.mark.slow
def test_departed_members_never_come_back_to_the_rotation(year: Year) -> None:
    y = year.events["y"]
    for s in year.meetings("seven")[20:]:
        assert y not in s.eligible
        assert y not in s.seats


@pytest.mark.slow
def test_replanning_a_week_reshuffles_nothing(year: Year) -> None:
    for week, first, again in year.replans:
        assert first == again, week


@pytest.mark.slow
def test_replanning_the_whole_year_afterwards_reshuffles_nothing(year: Year) -> None:
    world = year.world
    counts = {m: world.count(m) for m in ("Meeting", "HotSeat", "Attendance")}
    snapshot = {s.meeting: world.roles(s.meeting) for s in year.seen}
    for week in WEEKS[::3]:  # every week was also re-planned at once, in the simulation
        results = world.plan_week(week, year.out)
        assert not any(r.created for r in results)
        assert [r.status for r in results] == ["done", "done"], week
    assert {m: world.count(m) for m in counts} == counts
    assert {s.meeting: world.roles(s.meeting) for s in year.seen} == snapshot


@pytest.mark.slow
def test_replanning_a_past_week_leaves_its_files_alone(year: Year) -> None:
    """A second run changes nothing, even months later: the agenda of a meeting that has
    happened keeps its attendees and timings although some have paused or left since."""
    week = WEEKS[0]
    year.world.plan_week(week, year.out)
    after = {p: p.read_bytes() for p in (year.out / week).rglob("*") if p.is_file()}
    assert sorted(after) == sorted(year.first_files)
    changed = sorted(str(p.relative_to(year.out)) for p in after if after[p] != year.first_files[p])
    assert changed == [], f"re-planning {week} at the end of the year rewrote {changed}"


@pytest.mark.slow
def test_facilitator_and_timekeeper_rotate_among_the_volunteers(year: Year) -> None:
    facilitated: Counter[int] = Counter()
    kept_time: Counter[int] = Counter()
    for s in year.meetings("six"):
        willing = [v for v in year.volunteers if v in s.eligible]
        assert s.facilitator in willing, s.week
        assert s.timekeeper in willing, s.week
        assert s.timekeeper != s.facilitator
        facilitated[s.facilitator] += 1
        kept_time[s.timekeeper] += 1
        steady = [v for v in year.volunteers if v in s.always]
        if len(steady) > 1:
            spread = [facilitated[v] for v in steady]
            assert max(spread) - min(spread) <= 1, (s.week, facilitated)
    assert sum(facilitated.values()) == 52
    assert max(facilitated.values()) - min(facilitated.values()) <= 1
    assert max(kept_time.values()) - min(kept_time.values()) <= 2, kept_time
    assert set(facilitated) == set(kept_time) == set(year.volunteers)


@pytest.mark.slow
def test_without_volunteers_the_groups_facilitator_keeps_the_role(year: Year) -> None:
    for s in year.meetings("seven"):
        assert s.facilitator == year.lead, s.week
        assert s.timekeeper is None


@pytest.mark.slow
def test_the_agenda_files_name_the_weeks_hot_seats(year: Year) -> None:
    from peerkit.models import Member

    s = year.meetings("six")[-1]
    text = (year.out / s.week / "six" / "agenda.md").read_text(encoding="utf-8")
    with year.world.db.read() as session:
        names = [session.get(Member, m).name for m in s.seats]
    for position, name in enumerate(names, start=1):
        assert f"{position}. {name} · " in text


# --- small, hand-checked scenarios ----------------------------------------------------


@pytest.fixture
def world(world: World) -> World:
    """Without an organiser no invitation is rendered: quicker, and rotation needs none."""
    world.community(organiser_name=None, organiser_email=None)
    return world


def plan_and_attend(
    world: World, out: Path, week: str, absent: frozenset[int] | set[int] = frozenset()
) -> Any:
    """Plan one week (one group), then record everyone in the pool but ABSENT as present."""
    from peerkit.models import Meeting
    from peerkit.services.groups import rotation

    (result,) = world.plan_week(week, out)
    with world.db.read() as session:
        meeting = session.get(Meeting, result.session)
        group = meeting_group(session, meeting)
        pool = [p.id for _m, p in rotation.eligible(session, group, meeting.slot_date)]
    world.attend(result.session, [m for m in pool if m not in absent], sorted(absent & set(pool)))
    return result


def test_ties_go_to_who_waited_longest_not_to_who_joined_first(
    world: World, tmp_path: Path
) -> None:
    # 45 minutes with two or three people: one hot seat per meeting.
    p, q, r = world.members(3, "Tie")
    world.group("Ties", [p, q, r], duration=45, start=date(2027, 1, 5), joined=date(2026, 12, 1))
    out = tmp_path / "out"
    seats = []
    seats.append(plan_and_attend(world, out, "2027-W01").hot_seat)  # p (joined first)
    world.pause(q, date(2027, 1, 19), date(2027, 1, 5))
    seats.append(plan_and_attend(world, out, "2027-W02").hot_seat)  # r: q is away
    seats.append(plan_and_attend(world, out, "2027-W03").hot_seat)  # q, back with 0 turns
    # Everyone has one turn now; p waited longest, then r, then q (though q joined before r).
    seats.append(plan_and_attend(world, out, "2027-W04").hot_seat)
    seats.append(plan_and_attend(world, out, "2027-W05").hot_seat)
    seats.append(plan_and_attend(world, out, "2027-W06").hot_seat)
    assert seats == [[p], [r], [q], [p], [r], [q]]


def test_absent_on_their_turn_means_the_very_next_seat(world: World, tmp_path: Path) -> None:
    a, b, c, d = world.members(4, "Turn")
    world.group("Turns", [a, b, c, d], duration=45, start=date(2027, 1, 5))
    out = tmp_path / "out"
    first = plan_and_attend(world, out, "2027-W01", absent={a})
    assert first.hot_seat == [a]
    second = plan_and_attend(world, out, "2027-W02", absent={a})
    assert second.hot_seat == [a], "still owed after a second absence"
    third = plan_and_attend(world, out, "2027-W03")
    assert third.hot_seat == [a]
    rest = [plan_and_attend(world, out, w).hot_seat for w in ("2027-W04", "2027-W05", "2027-W06")]
    assert rest == [[b], [c], [d]]
    # An absence when it was not their turn changes nothing.
    seventh = plan_and_attend(world, out, "2027-W07", absent={d})
    assert seventh.hot_seat == [a]


def test_an_absence_while_paused_does_not_cost_the_turn(world: World, tmp_path: Path) -> None:
    """A member absent on their turn and then paused gets the seat when back."""
    a, b, c, d = world.members(4, "Away")
    world.group("Away", [a, b, c, d], duration=45, start=date(2027, 1, 5))
    out = tmp_path / "out"
    assert plan_and_attend(world, out, "2027-W01", absent={a}).hot_seat == [a]
    world.pause(a, date(2027, 1, 26), date(2027, 1, 5))
    assert [plan_and_attend(world, out, w).hot_seat for w in ("2027-W02", "2027-W03")] == [
        [b],
        [c],
    ]
    assert plan_and_attend(world, out, "2027-W04").hot_seat == [a]
    assert plan_and_attend(world, out, "2027-W05").hot_seat == [d]


def test_assigned_roles_stay_when_the_week_is_planned_again(world: World, tmp_path: Path) -> None:
    people = world.members(5, "Keep")
    group_id = world.group("Keep", people, start=date(2027, 1, 5), rotates=people[:2])
    out = tmp_path / "out"
    (first,) = world.plan_week("2027-W01", out)
    roles = world.roles(first.session)
    # Someone new joins after the week was planned: with no turns yet they would go first,
    # but the week's roles are already given.
    from peerkit.models import Group, Member
    from peerkit.services.groups import roster

    newcomer = world.member("Newcomer")
    with world.db.write() as session:
        group = session.get(Group, group_id)
        roster.add_member(session, group, session.get(Member, newcomer), date(2026, 12, 1))
    (again,) = world.plan_week("2027-W01", out)
    assert not again.created
    assert again.session == first.session
    assert world.roles(first.session) == roles
    assert again.hot_seat == first.hot_seat


def test_a_member_pausing_after_planning_does_not_reshuffle_the_others(
    world: World, tmp_path: Path
) -> None:
    """Whoever can still come keeps their role and place; at most the paused member's own
    seat is handed on."""
    people = world.members(6, "Stay")
    world.group("Stay", people, start=date(2027, 1, 5), rotates=people[3:5])
    out = tmp_path / "out"
    (first,) = world.plan_week("2027-W01", out)
    seats, facilitator, timekeeper = world.roles(first.session)
    leaving = next(s for s in seats if s not in (facilitator, timekeeper))
    kept = [s for s in seats if s != leaving]
    world.pause(leaving, date(2027, 3, 1), date(2027, 1, 1))
    (again,) = world.plan_week("2027-W01", out)
    assert (again.created, again.session) == (False, first.session)
    new_seats, new_facilitator, new_timekeeper = world.roles(first.session)
    assert (new_facilitator, new_timekeeper) == (facilitator, timekeeper)
    assert [s for s in new_seats if s in kept] == kept
    assert new_seats[: len(kept)] == kept or new_seats == seats
    assert len(new_seats) == len(seats)
    assert set(new_seats) - set(seats) <= set(people) - {leaving}


def test_a_cancelled_meeting_is_not_a_turn(world: World, tmp_path: Path) -> None:
    a, b, c = world.members(3, "Cancel")
    world.group("Cancel", [a, b, c], duration=45, start=date(2027, 1, 5))
    out = tmp_path / "out"
    (first,) = world.plan_week("2027-W01", out)
    assert first.hot_seat == [a]
    world.cancel(first.session, "snow")
    (second,) = world.plan_week("2027-W02", out)
    assert second.hot_seat == [a], "a cancelled meeting is nobody's turn"


def test_volunteers_take_turns_to_facilitate_and_keep_time(world: World, tmp_path: Path) -> None:
    people = world.members(6, "Vol")
    v1, v2, v3 = people[3:]
    world.group("Volunteers", people, start=date(2027, 1, 5), rotates=[v1, v2, v3])
    out = tmp_path / "out"
    facilitators, timekeepers = [], []
    for week in WEEKS[:9]:
        result = plan_and_attend(world, out, week)
        _seats, facilitator, timekeeper = world.roles(result.session)
        facilitators.append(facilitator)
        timekeepers.append(timekeeper)
    assert Counter(facilitators) == {v1: 3, v2: 3, v3: 3}
    assert facilitators[:3] == [v1, v2, v3]
    assert all(f != t for f, t in zip(facilitators, timekeepers, strict=True))
    assert Counter(timekeepers) == {v1: 3, v2: 3, v3: 3}


def test_a_paused_volunteer_is_skipped_for_the_roles(world: World, tmp_path: Path) -> None:
    people = world.members(5, "Skip")
    v1, v2, v3 = people[:3]
    world.group("Skip", people, start=date(2027, 1, 5), rotates=[v1, v2, v3])
    world.pause(v1, date(2027, 2, 1), date(2026, 12, 1))
    out = tmp_path / "out"
    january = [plan_and_attend(world, out, w) for w in WEEKS[:4]]
    for result in january:
        seats, facilitator, timekeeper = world.roles(result.session)
        assert v1 not in (facilitator, timekeeper, *seats)
        assert {facilitator, timekeeper} == {v2, v3}
    # Back in February, v1 has facilitated least: v1 facilitates first.
    february = plan_and_attend(world, out, "2027-W05")
    assert world.roles(february.session)[1] == v1


def test_the_groups_facilitator_keeps_the_role_without_volunteers(
    world: World, tmp_path: Path
) -> None:
    people = world.members(4, "Lead")
    lead = world.member("The Facilitator")
    world.group("Led", people, start=date(2027, 1, 5), facilitator=lead)
    out = tmp_path / "out"
    for week in WEEKS[:4]:
        result = plan_and_attend(world, out, week)
        _seats, facilitator, timekeeper = world.roles(result.session)
        assert (facilitator, timekeeper) == (lead, None)


def test_a_paused_facilitator_is_not_given_the_role(world: World, tmp_path: Path) -> None:
    """Paused members are skipped by planning: that includes the group's facilitator."""
    people = world.members(4, "Lead")
    lead = world.member("The Facilitator")
    world.group("Led", people, start=date(2027, 1, 5), facilitator=lead)
    world.pause(lead, date(2027, 2, 1), date(2026, 12, 1))
    out = tmp_path / "out"
    result = plan_and_attend(world, out, "2027-W01")
    seats, facilitator, _timekeeper = world.roles(result.session)
    assert lead not in seats
    assert facilitator != lead, "the paused facilitator was given the role"
