"""`peerkit group form` and `peerkit group slots` through the CLI.

The contract is ../shared/design/cli.md:

    group form  json: {groups: [{members: [ids], slot: {day, time, timezone}, score, reasons}],
                       unassigned: [{member, reason}], score}
    group slots json: [{day, start, end, timezone, available: [ids]}] in the group's timezone

Every slot is checked independently of peerkit with zoneinfo: each member's weekly window is
put on the real date of the week looked at, in the member's own zone, and compared with the
proposed start and start + duration as absolute moments. PEERKIT_TODAY is 2026-11-27 (a
Friday), so `group form` compares the week of Monday 2026-11-30 (winter everywhere: Rome is
UTC+1, London UTC+0, New York UTC-5).
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import FIXED_TODAY, Cli, Result, assert_error, without_creation_note

AddMember = Callable[..., int]
Pool = dict[int, tuple[str, list[str]]]  # member id -> (time zone, weekly windows)

TODAY = date(2026, 11, 27)
REFERENCE_WEEK = date(2026, 11, 30)  # the Monday after TODAY
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

FORM_KEYS = {"groups", "unassigned", "score"}
FORM_EXTRA_KEYS = {"reference_week", "benched", "rules", "window_days", "proven", "exact"}
FORMED_GROUP_KEYS = {"members", "slot", "score", "reasons"}
FORMED_GROUP_EXTRA_KEYS = {"group"}  # the slug, once --apply created it
SLOT_KEYS = {"day", "time", "timezone"}
SLOT_EXTRA_KEYS = {"common_minutes"}
UNASSIGNED_KEYS = {"member", "reason"}
UNASSIGNED_EXTRA_KEYS = {"set_aside"}  # true: never looked at by the search (paused, left, ...)
WINDOW_KEYS = {"day", "start", "end", "timezone", "available"}
WINDOW_EXTRA_KEYS = {"date", "minutes", "everyone", "missing", "at", "costs", "cost"}  # fair hours
TERMINAL_CONTROLS = ("\x1b", "\x07", "\x9b")
BAR = re.compile(r"[█▒·]{48}")


# --- helpers --------------------------------------------------------------------------------------


def as_json(result: Result) -> Any:
    return json.loads(result.stdout)


def stderr_of(result: Result) -> str:
    return without_creation_note(result.stderr)


def form(cli: Cli, *options: str) -> dict[str, Any]:
    return as_json(cli.ok("group", "form", "--format", "json", *options))


def slots(cli: Cli, group: str, *options: str) -> list[dict[str, Any]]:
    return as_json(cli.ok("group", "slots", group, "--format", "json", *options))


def everyone_windows(rows: list[dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    """(date, day, start, end) of the windows where all members are free."""
    return [(r["date"], r["day"], r["start"], r["end"]) for r in rows if r["everyone"]]


def person(
    add_member: AddMember,
    name: str,
    timezone: str,
    *windows: str,
    industry: str | None = None,
    stage: str | None = None,
    skills: str | None = None,
    needs: str | None = None,
) -> int:
    extra = ["--timezone", timezone]
    for window in windows:
        extra += ["--available", window]
    for flag, value in (
        ("--industry", industry),
        ("--stage", stage),
        ("--skills", skills),
        ("--needs", needs),
    ):
        if value is not None:
            extra += [flag, value]
    return add_member(name, None, *extra)


def dump(db_path: Path) -> list[str]:
    """Everything in the database, as SQL (to show that a command wrote nothing)."""
    conn = sqlite3.connect(db_path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def sql(db_path: Path, statement: str, *params: Any) -> None:
    """Change the database behind peerkit's back (as an older version or a script might)."""
    conn = sqlite3.connect(db_path)
    try:
        conn.execute(statement, params)
        conn.commit()
    finally:
        conn.close()


def placed(proposal: dict[str, Any]) -> list[int]:
    return [m for g in proposal["groups"] for m in g["members"]]


def left_out(proposal: dict[str, Any]) -> dict[int, str]:
    return {u["member"]: u["reason"] for u in proposal["unassigned"]}


def slot_start(slot: dict[str, Any], week: date) -> datetime:
    """The proposed start as an aware moment, on the real date of the reference week."""
    day = DAYS.index(slot["day"])
    on = next(
        week + timedelta(days=i) for i in range(7) if (week + timedelta(days=i)).weekday() == day
    )
    hour, minute = (int(x) for x in slot["time"].split(":"))
    return datetime(on.year, on.month, on.day, hour, minute, tzinfo=ZoneInfo(slot["timezone"]))


def free_between(windows: list[str], zone: str, week: date, start: datetime, end: datetime) -> bool:
    """Whether one of the member's weekly windows (in their own zone, on the real dates around
    the reference week) holds the whole of [start, end]."""
    tz = ZoneInfo(zone)
    for window in windows:
        day_name, span = window.split()
        first, last = span.split("-")
        for offset in range(-1, 8):
            on = week + timedelta(days=offset)
            if on.weekday() != DAYS.index(day_name):
                continue
            h1, m1 = (int(x) for x in first.split(":"))
            h2, m2 = (int(x) for x in last.split(":"))
            opens = datetime(on.year, on.month, on.day, h1, m1, tzinfo=tz)
            closes = datetime(on.year, on.month, on.day, h2, m2, tzinfo=tz)
            if opens <= start and end <= closes:
                return True
    return False


def assert_slot_fits(
    group: dict[str, Any],
    people: Pool,
    duration: int = 90,
    week: date = REFERENCE_WEEK,
) -> None:
    start = slot_start(group["slot"], week)
    end = start + timedelta(minutes=duration)
    for member in group["members"]:
        zone, windows = people[member]
        assert free_between(windows, zone, week, start, end), (member, group["slot"])


def assert_form_shape(proposal: dict[str, Any]) -> None:
    assert set(proposal) - FORM_EXTRA_KEYS == FORM_KEYS
    assert isinstance(proposal["groups"], list)
    assert isinstance(proposal["unassigned"], list)
    assert isinstance(proposal["score"], float | int)
    assert not isinstance(proposal["score"], bool)
    assert 0 <= proposal["score"] <= 1
    for group in proposal["groups"]:
        assert set(group) - FORMED_GROUP_EXTRA_KEYS == FORMED_GROUP_KEYS
        assert isinstance(group["members"], list)
        assert all(type(m) is int for m in group["members"])
        assert set(group["slot"]) - SLOT_EXTRA_KEYS == SLOT_KEYS
        assert group["slot"]["day"] in DAYS
        assert re.fullmatch(r"\d\d:\d\d", group["slot"]["time"])
        ZoneInfo(group["slot"]["timezone"])  # a real IANA zone
        assert type(group["slot"]["common_minutes"]) is int
        assert isinstance(group["score"], float | int)
        assert not isinstance(group["score"], bool)
        assert 0 <= group["score"] <= 1
        assert isinstance(group["reasons"], list)
        assert group["reasons"]
        assert all(isinstance(r, str) and r for r in group["reasons"])
    for entry in proposal["unassigned"]:
        assert set(entry) - UNASSIGNED_EXTRA_KEYS == UNASSIGNED_KEYS
        assert type(entry["set_aside"]) is bool
        assert type(entry["member"]) is int
        assert isinstance(entry["reason"], str)
        assert entry["reason"].strip()
    assert type(proposal["proven"]) is bool


def assert_each_once(proposal: dict[str, Any], pool: set[int]) -> None:
    """Every member of the pool appears exactly once: in one group or unassigned."""
    seen = placed(proposal) + [u["member"] for u in proposal["unassigned"]]
    assert len(seen) == len(set(seen)), seen
    assert set(seen) == pool


# --- a pool of twelve in three zones --------------------------------------------------------------

# Rome and London meet on Wednesday at 18:00 UTC, London and New York on Tuesday at 17:00 UTC;
# the Londoners can do both, so the twelve fit in two groups of 5-7 in several ways.
ROME = ("Europe/Rome", ["wed 19:00-21:00", "fri 08:00-08:30"])
LONDON = ("Europe/London", ["tue 17:00-19:00", "wed 18:00-20:00"])
NEW_YORK = ("America/New_York", ["tue 12:00-14:00", "sat 10:00-11:00"])
INDUSTRIES = ("software", "food", "health", "retail")
STAGES = ("idea", "early", "growth", "established")


@pytest.fixture(scope="module")
def twelve_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Pool]:
    """The twelve, added once per module with `member add` (the tests copy the database)."""
    root = tmp_path_factory.mktemp("twelve")
    home = root / "home"
    home.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        for key, value in {
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "PEERKIT_TODAY": FIXED_TODAY,
            "NO_COLOR": "1",
        }.items():
            mp.setenv(key, value)
        cli = Cli(root / "peerkit.db")
        people: Pool = {}
        for city, (zone, windows) in (("Rome", ROME), ("London", LONDON), ("NYC", NEW_YORK)):
            for i in range(4):
                extra = ["--timezone", zone, "--industry", INDUSTRIES[i], "--stage", STAGES[i]]
                extra += ["--skills", "sales,finance" if i % 2 else "marketing"]
                extra += ["--needs", "marketing" if i % 2 else "sales"]
                for window in windows:
                    extra += ["--available", window]
                name = f"{city} {'ABCD'[i]}"
                email = f"{city}.{'abcd'[i]}@example.com".lower()
                member = int(cli.ok("member", "add", name, "--email", email, *extra).stdout)
                people[member] = (zone, windows)
    return root / "peerkit.db", people


@pytest.fixture
def twelve(twelve_template: tuple[Path, Pool], db_path: Path) -> Pool:
    """id -> (zone, windows) for four members in each of Rome, London and New York."""
    template, people = twelve_template
    db_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, db_path)
    return dict(people)


def test_form_json_has_the_contract_shape_and_places_everyone(cli: Cli, twelve: Pool) -> None:
    result = cli("group", "form", "--format", "json")
    assert result.exit_code == 0, result.stderr
    proposal = json.loads(result.stdout)
    assert_form_shape(proposal)
    assert proposal["reference_week"] == REFERENCE_WEEK.isoformat()
    assert proposal["unassigned"] == []
    assert len(proposal["groups"]) == 2
    assert_each_once(proposal, set(twelve))
    for group in proposal["groups"]:
        assert 5 <= len(group["members"]) <= 7
        assert group["slot"]["common_minutes"] >= 90
        assert_slot_fits(group, twelve)
        zones = {twelve[m][0] for m in group["members"]}
        assert group["slot"]["timezone"] in zones
    assert proposal["score"] > 0


def test_form_slots_are_real_moments_for_each_member(cli: Cli, twelve: Pool) -> None:
    """Rome members can only meet on Wednesday, New Yorkers only on Tuesday."""
    proposal = form(cli)
    by_zone = {
        zone: [m for m, (z, _) in twelve.items() if z == zone] for zone, _ in twelve.values()
    }
    for group in proposal["groups"]:
        start = slot_start(group["slot"], REFERENCE_WEEK).astimezone(ZoneInfo("UTC"))
        if set(by_zone["Europe/Rome"]) & set(group["members"]):
            assert (start.strftime("%a"), start.hour) == ("Wed", 18)
            assert not set(by_zone["America/New_York"]) & set(group["members"])
        else:
            assert (start.strftime("%a"), start.hour) == ("Tue", 17)


def test_form_table_lists_groups_and_the_score(cli: Cli, twelve: Pool) -> None:
    result = cli("group", "form")
    assert result.exit_code == 0, result.stderr
    assert "Rome A" in result.stdout
    assert "NYC D" in result.stdout
    assert "Traceback" not in result.stderr
    assert "2026-11-30" in stderr_of(result)
    assert "Score " in stderr_of(result)


def test_form_with_the_same_seed_gives_the_same_output(cli: Cli, twelve: Pool) -> None:
    for seed in ("0", "12345"):
        first = cli.ok("group", "form", "--format", "json", "--seed", seed).stdout
        again = cli.ok("group", "form", "--format", "json", "--seed", seed).stdout
        assert first == again
        assert_form_shape(json.loads(first))


def test_form_size_bounds_every_group(cli: Cli, twelve: Pool) -> None:
    proposal = form(cli, "--size", "3-4")
    assert_form_shape(proposal)
    assert_each_once(proposal, set(twelve))
    assert proposal["unassigned"] == []
    assert len(proposal["groups"]) >= 3
    for group in proposal["groups"]:
        assert 3 <= len(group["members"]) <= 4
        assert_slot_fits(group, twelve)


def test_form_single_size(cli: Cli, twelve: Pool) -> None:
    proposal = form(cli, "--size", "6")
    assert_each_once(proposal, set(twelve))
    assert [len(g["members"]) for g in proposal["groups"]] == [6, 6]


def test_form_uses_the_real_offsets_of_the_reference_week(
    cli: Cli, add_member: AddMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rome 18:00-20:00 and New York 13:00-15:00 on Tuesday overlap by two hours only while the
    US is on daylight time and Europe is not (mid-March); in winter by one hour."""
    people: Pool = {}
    for i in range(3):
        people[person(add_member, f"Roma {i}", "Europe/Rome", "tue 18:00-20:00")] = (
            "Europe/Rome",
            ["tue 18:00-20:00"],
        )
    for i in range(2):
        people[person(add_member, f"Gotham {i}", "America/New_York", "tue 13:00-15:00")] = (
            "America/New_York",
            ["tue 13:00-15:00"],
        )
    winter = form(cli, "--size", "5")
    assert winter["groups"] == []
    assert set(left_out(winter)) == set(people)

    monkeypatch.setenv("PEERKIT_TODAY", "2026-03-13")  # a Friday: the next week is in the gap
    gap = form(cli, "--size", "5")
    assert gap["reference_week"] == "2026-03-16"
    assert gap["unassigned"] == []
    assert len(gap["groups"]) == 1
    group = gap["groups"][0]
    assert_slot_fits(group, people, week=date(2026, 3, 16))
    rome_time = slot_start(group["slot"], date(2026, 3, 16)).astimezone(ZoneInfo("Europe/Rome"))
    assert (DAYS[rome_time.weekday()], rome_time.strftime("%H:%M")) == ("tue", "18:00")
    assert group["slot"]["common_minutes"] == 120
    assert group["slot"]["timezone"] == "Europe/Rome"  # most of its members live there


# --- --separate industry --------------------------------------------------------------------------


def test_separate_industry_never_puts_two_of_one_industry_together(
    cli: Cli, add_member: AddMember
) -> None:
    people: Pool = {}
    industry: dict[int, str] = {}
    for i, field in enumerate(["design", "design", "law", "law", "food", "food", "art", "art"]):
        member = person(add_member, f"P{i}", "Europe/Rome", "thu 18:00-20:00", industry=field)
        people[member] = ("Europe/Rome", ["thu 18:00-20:00"])
        industry[member] = field
    proposal = form(cli, "--size", "3-4", "--separate", "industry")
    assert_form_shape(proposal)
    assert_each_once(proposal, set(people))
    assert proposal["unassigned"] == []
    for group in proposal["groups"]:
        fields = [industry[m] for m in group["members"]]
        assert len(fields) == len(set(fields)), fields
        assert_slot_fits(group, people)


def test_separate_industry_is_case_insensitive(cli: Cli, add_member: AddMember) -> None:
    industry: dict[int, str] = {}
    for i, field in enumerate(["Law", "law ", "LAW", "food", "art", "music"]):
        member = person(add_member, f"P{i}", "Europe/Rome", "thu 18:00-20:00", industry=field)
        industry[member] = field.strip().casefold()
    proposal = form(cli, "--size", "2-3", "--separate", "industry")
    for group in proposal["groups"]:
        fields = [industry[m] for m in group["members"]]
        assert len(fields) == len(set(fields)), fields


def test_separate_industry_when_impossible_lists_members_with_a_reason(
    cli: Cli, add_member: AddMember
) -> None:
    tech = [
        person(add_member, f"Tech {i}", "Europe/Rome", "mon 18:00-20:00", industry="tech")
        for i in range(4)
    ]
    food = person(add_member, "Food", "Europe/Rome", "mon 18:00-20:00", industry="food")
    proposal = form(cli, "--size", "2-3", "--separate", "industry")
    assert_form_shape(proposal)
    assert_each_once(proposal, {*tech, food})
    for group in proposal["groups"]:
        assert len(set(group["members"]) & set(tech)) <= 1
    left = left_out(proposal)
    assert len(left) >= 3
    for member, reason in left.items():
        assert member in tech or member == food
        assert reason.strip()
    assert any("tech" in reason for reason in left.values())
    # Without the rule they all fit (groups of 2-3 at one time).
    assert form(cli, "--size", "2-3")["unassigned"] == []


def test_separate_industry_reason_for_a_lone_industry_names_no_one_else(
    cli: Cli, add_member: AddMember
) -> None:
    """Three people free together, two of them in tech: no group of 3 keeps tech apart.

    The one member in food is left out too, but nobody else is in food, so the reason must
    not claim that a group "already has someone in food".
    """
    tina = person(add_member, "Tina", "Europe/Rome", "mon 18:00-20:00", industry="tech")
    tom = person(add_member, "Tom", "Europe/Rome", "mon 18:00-20:00", industry="tech")
    cook = person(add_member, "Fran", "Europe/Rome", "mon 18:00-20:00", industry="food")
    proposal = form(cli, "--size", "3-4", "--separate", "industry")
    assert proposal["groups"] == []
    left = left_out(proposal)
    assert set(left) == {tina, tom, cook}
    assert "tech" in left[tina]
    assert "someone in food" not in left[cook]


# --- --duration, --from, status, uneven pools -----------------------------------------------------


def test_duration_decides_who_has_a_long_enough_window(cli: Cli, add_member: AddMember) -> None:
    people = {
        person(add_member, f"Hour {i}", "Europe/London", "tue 18:00-19:00"): (
            "Europe/London",
            ["tue 18:00-19:00"],
        )
        for i in range(5)
    }
    long = form(cli)
    assert long["groups"] == []
    left = left_out(long)
    assert set(left) == set(people)
    assert all("90 minutes" in reason for reason in left.values())

    short = form(cli, "--duration", "60")
    assert short["unassigned"] == []
    assert len(short["groups"]) == 1
    assert_each_once(short, set(people))
    assert short["groups"][0]["slot"]["day"] == "tue"
    assert short["groups"][0]["slot"]["time"] == "18:00"
    assert short["groups"][0]["slot"]["timezone"] == "Europe/London"
    assert_slot_fits(short["groups"][0], people, duration=60)


@pytest.fixture
def settled(cli: Cli, add_member: AddMember) -> dict[str, list[int]]:
    """Three members already in an active mastermind group, three free: all meet on Thursday."""
    old = [person(add_member, f"Old {i}", "Europe/Rome", "thu 18:00-20:00") for i in range(3)]
    new = [person(add_member, f"New {i}", "Europe/Rome", "thu 18:00-20:00") for i in range(3)]
    args = ["group", "create", "Old Circle"]
    for member in old:
        args += ["--member", str(member)]
    cli.ok(*args)
    return {"old": old, "new": new}


def test_from_unassigned_leaves_out_members_of_an_active_group(
    cli: Cli, settled: dict[str, list[int]]
) -> None:
    proposal = form(cli, "--size", "3-4", "--from", "unassigned")
    assert_form_shape(proposal)
    assert_each_once(proposal, set(settled["new"]))
    assert sorted(placed(proposal)) == sorted(settled["new"])
    assert form(cli, "--size", "3-4") == proposal  # the default


def test_from_active_includes_members_of_an_active_group(
    cli: Cli, settled: dict[str, list[int]]
) -> None:
    proposal = form(cli, "--size", "3-4", "--from", "active")
    assert_form_shape(proposal)
    assert_each_once(proposal, set(settled["old"] + settled["new"]))
    assert set(settled["old"]) <= set(placed(proposal))


def test_from_unassigned_counts_only_groups_of_the_kind(
    cli: Cli, settled: dict[str, list[int]]
) -> None:
    """Being in a mastermind group does not make a member busy for an accountability group."""
    proposal = form(cli, "--size", "3-4", "--kind", "accountability")
    assert_each_once(proposal, set(settled["old"] + settled["new"]))


def test_members_of_an_archived_group_are_free_again(
    cli: Cli, settled: dict[str, list[int]]
) -> None:
    cli.ok("group", "archive", "old-circle")
    proposal = form(cli, "--size", "3-4")
    assert_each_once(proposal, set(settled["old"] + settled["new"]))


def test_paused_and_removed_members_are_never_placed(cli: Cli, add_member: AddMember) -> None:
    members = [person(add_member, f"M{i}", "Europe/Rome", "fri 18:00-20:00") for i in range(5)]
    paused, removed = members[0], members[1]
    cli.ok("member", "pause", str(paused))
    cli.ok("member", "remove", str(removed))
    for source in ("unassigned", "active"):
        proposal = form(cli, "--size", "2-3", "--from", source)
        assert paused not in placed(proposal)
        assert removed not in placed(proposal)
        assert sorted(placed(proposal)) == sorted(members[2:])
        left = left_out(proposal)
        assert set(left) == {paused, removed}
        assert left[paused].startswith("paused")
        assert f"member resume {paused}" in left[paused]
        assert left[removed].startswith("left the community on ")
        assert all(u["set_aside"] for u in proposal["unassigned"])
        assert proposal["proven"] is True
    cli.ok("group", "form", "--size", "2-3", "--apply")
    in_groups = {
        m["id"] for g in as_json(cli.ok("group", "list", "--format", "json")) for m in g["members"]
    }
    assert in_groups == set(members[2:])


def test_paused_until_a_later_date_is_not_placed(cli: Cli, add_member: AddMember) -> None:
    members = [person(add_member, f"M{i}", "Europe/Rome", "fri 18:00-20:00") for i in range(3)]
    cli.ok("member", "pause", str(members[0]), "--until", "2027-01-15")
    proposal = form(cli, "--size", "2-3")
    assert sorted(placed(proposal)) == sorted(members[1:])


def test_uneven_pool_forms_one_group_and_says_why_the_others_are_left(
    cli: Cli, add_member: AddMember
) -> None:
    people = {
        person(add_member, f"Even {i}", "Europe/Rome", "sun 10:00-12:00"): (
            "Europe/Rome",
            ["sun 10:00-12:00"],
        )
        for i in range(8)
    }
    proposal = form(cli, "--size", "5-7")
    assert_form_shape(proposal)
    assert_each_once(proposal, set(people))
    assert len(proposal["groups"]) == 1
    size = len(proposal["groups"][0]["members"])
    assert 5 <= size <= 7
    assert len(proposal["unassigned"]) == 8 - size
    assert all(u["reason"].strip() for u in proposal["unassigned"])
    assert_slot_fits(proposal["groups"][0], people)
    assert proposal["score"] < 1


def test_too_few_members_form_no_group(cli: Cli, add_member: AddMember) -> None:
    members = [person(add_member, f"Few {i}", "Europe/Rome", "sun 10:00-12:00") for i in range(3)]
    proposal = form(cli)
    assert proposal["groups"] == []
    assert set(left_out(proposal)) == set(members)
    assert proposal["score"] == 0
    result = cli.ok("group", "form")
    assert "No group could be formed." in result.stdout + result.stderr


def test_members_without_availability_are_unassigned_with_the_reason(
    cli: Cli, add_member: AddMember
) -> None:
    free = [person(add_member, f"Free {i}", "Europe/Rome", "mon 09:00-11:00") for i in range(5)]
    silent = add_member("Silent Sam", None, "--timezone", "Europe/Rome")
    proposal = form(cli)
    assert_each_once(proposal, {*free, silent})
    assert sorted(placed(proposal)) == sorted(free)
    assert "availability" in left_out(proposal)[silent]
    table = cli.ok("group", "form")
    note = stderr_of(table)
    assert "Silent Sam" in note
    assert "availability" in note


def test_form_with_an_empty_community(cli: Cli) -> None:
    proposal = form(cli)
    assert_form_shape(proposal)
    assert proposal["groups"] == []
    assert proposal["unassigned"] == []


# --- --apply --------------------------------------------------------------------------------------


def test_without_apply_nothing_is_written(cli: Cli, twelve: Pool, db_path: Path) -> None:
    before = dump(db_path)
    for options in (("--size", "3-4"), ("--from", "active", "--format", "json")):
        cli.ok("group", "form", *options)
    assert dump(db_path) == before
    assert as_json(cli.ok("group", "list", "--format", "json")) == []


def test_apply_creates_the_proposed_groups(cli: Cli, twelve: Pool) -> None:
    expected = form(cli, "--duration", "75", "--seed", "5")
    result = cli("group", "form", "--duration", "75", "--seed", "5", "--apply", "--format", "json")
    assert result.exit_code == 0, result.stderr
    applied = json.loads(result.stdout)
    assert_form_shape(applied)
    assert [g["members"] for g in applied["groups"]] == [g["members"] for g in expected["groups"]]
    assert [g["slot"] for g in applied["groups"]] == [g["slot"] for g in expected["groups"]]
    assert f"Created {len(applied['groups'])} group(s)" in stderr_of(result)

    made = as_json(cli.ok("group", "list", "--format", "json"))
    assert len(made) == len(applied["groups"]) == 2
    for proposed in applied["groups"]:
        slug = proposed["group"]
        group = as_json(cli.ok("group", "show", slug, "--format", "json"))
        slot = proposed["slot"]
        assert (group["day"], group["time"], group["timezone"]) == (
            slot["day"],
            slot["time"],
            slot["timezone"],
        )
        assert group["duration"] == 75
        assert group["kind"] == "mastermind"
        assert group["status"] == "active"
        first = date.fromisoformat(group["start"])  # beyond the contract: the first meeting
        assert TODAY <= first < TODAY + timedelta(days=7)
        assert DAYS[first.weekday()] == slot["day"]
        assert sorted(m["id"] for m in group["members"]) == sorted(proposed["members"])
        assert_slot_fits(proposed, twelve, duration=75)
        # The new group's own common times agree with the slot it was given.
        windows = slots(cli, slug, "--from", REFERENCE_WEEK.isoformat())
        start = slot_start(slot, REFERENCE_WEEK)
        end = (start + timedelta(minutes=75)).strftime("%H:%M")
        assert any(
            w["everyone"]
            and w["day"] == slot["day"]
            and w["start"] <= slot["time"] <= end <= w["end"]
            for w in windows
        ), windows


def test_apply_then_unassigned_pool_is_empty(cli: Cli, twelve: Pool) -> None:
    cli.ok("group", "form", "--apply")
    again = form(cli)
    assert again["groups"] == []
    assert again["unassigned"] == []


def test_apply_with_from_active_while_in_an_active_group_is_refused(
    cli: Cli, settled: dict[str, list[int]], db_path: Path
) -> None:
    before = dump(db_path)
    result = cli("group", "form", "--size", "3-4", "--from", "active", "--apply")
    assert_error(result, "archive")
    assert dump(db_path) == before


def test_apply_with_from_active_after_archiving_works(
    cli: Cli, settled: dict[str, list[int]]
) -> None:
    cli.ok("group", "archive", "old-circle")
    cli.ok("group", "form", "--size", "3-4", "--from", "active", "--apply")
    active = [
        g for g in as_json(cli.ok("group", "list", "--format", "json")) if g["status"] == "active"
    ]
    members = sorted(m["id"] for g in active for m in g["members"])
    assert members == sorted(settled["old"] + settled["new"])


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        (("--size", "7-5"), "--size"),
        (("--size", "abc"), "--size"),
        (("--size", "1-3"), "--size"),
        (("--size", "5-99"), "--size"),
        (("--size", ""), "--size"),
        (("--from", "everyone"), "--from"),
        (("--separate", "stage"), "--separate"),
        (("--duration", "5"), "--duration"),
        (("--duration", "0"), "--duration"),
        (("--duration", "-90"), "--duration"),
        (("--duration", "ninety"), "--duration"),
        (("--kind", "book-club"), "--kind"),
        (("--seed", "x"), "--seed"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else v,
)
def test_bad_form_options_are_refused_and_write_nothing(
    cli: Cli,
    add_member: AddMember,
    db_path: Path,
    options: tuple[str, ...],
    fragment: str,
) -> None:
    for i in range(2):
        person(add_member, f"P{i}", "Europe/Rome", "mon 18:00-20:00")
    before = dump(db_path)
    for apply in ((), ("--apply",)):
        result = cli("group", "form", *options, *apply)
        assert result.exit_code in (1, 2), (result.stdout, result.stderr)
        assert result.stdout == ""
        assert "Traceback" not in result.stderr
        if result.exit_code == 1:
            assert stderr_of(result).startswith("Error: ")
        else:
            assert "Error" in result.stderr
        assert fragment in result.stderr
        assert dump(db_path) == before


# --- group slots: shape and time zones ------------------------------------------------------------


@pytest.fixture
def across(cli: Cli, add_member: AddMember) -> dict[str, int]:
    """Anna in Rome (Tue 18:00-21:00) and Cy in New York (Tue 12:00-15:00), in group "pair"
    (Europe/Rome); group "trio" adds Ben in London (Tue 19:00-22:00)."""
    ids = {
        "anna": person(add_member, "Anna", "Europe/Rome", "tue 18:00-21:00"),
        "cy": person(add_member, "Cy", "America/New_York", "tue 12:00-15:00"),
        "ben": person(add_member, "Ben", "Europe/London", "tue 19:00-22:00"),
    }
    cli.ok(
        "group", "create", "Pair", "--timezone", "Europe/Rome",
        "--member", str(ids["anna"]), "--member", str(ids["cy"]),
    )  # fmt: skip
    cli.ok(
        "group", "create", "Trio", "--timezone", "Europe/Rome",
        "--member", str(ids["anna"]), "--member", str(ids["cy"]), "--member", str(ids["ben"]),
    )  # fmt: skip
    return ids


def in_zone(on: str, hhmm: str, source: str, target: str) -> str:
    """A wall-clock time of one zone on a date, as the wall-clock time of another zone."""
    day = date.fromisoformat(on)
    hour, minute = (int(x) for x in hhmm.split(":"))
    moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(source))
    return moment.astimezone(ZoneInfo(target)).strftime("%H:%M")


def test_slots_json_rows_have_the_contract_keys(cli: Cli, across: dict[str, int]) -> None:
    rows = slots(cli, "trio", "--from", "2026-01-12")
    assert rows
    for row in rows:
        assert set(row) >= WINDOW_KEYS
        assert set(row) - WINDOW_KEYS <= WINDOW_EXTRA_KEYS
        assert row["day"] in DAYS
        assert re.fullmatch(r"\d\d:\d\d", row["start"])
        assert re.fullmatch(r"\d\d:\d\d", row["end"])
        assert row["start"] < row["end"]
        assert row["timezone"] == "Europe/Rome"
        assert all(type(i) is int for i in row["available"])
        assert set(row["available"]) <= set(across.values())
        assert date.fromisoformat(row["date"]).weekday() == DAYS.index(row["day"])


@pytest.mark.parametrize(
    ("first", "tuesday", "end"),
    [
        ("2026-01-12", "2026-01-13", "21:00"),  # winter on both sides: 6 hours apart
        ("2026-03-09", "2026-03-10", "20:00"),  # New York on daylight time, Rome not: 5 hours
        ("2026-03-30", "2026-03-31", "21:00"),  # summer time on both sides: 6 hours again
    ],
)
def test_slots_follow_the_real_offset_of_each_week(
    cli: Cli, across: dict[str, int], first: str, tuesday: str, end: str
) -> None:
    # The expectation, from zoneinfo alone: Cy's 15:00 in New York, on that Tuesday, in Rome.
    assert min(in_zone(tuesday, "15:00", "America/New_York", "Europe/Rome"), "21:00") == end
    rows = slots(cli, "pair", "--from", first)
    assert everyone_windows(rows) == [(tuesday, "tue", "18:00", end)]
    common = next(r for r in rows if r["everyone"])
    assert sorted(common["available"]) == sorted([across["anna"], across["cy"]])
    assert common["missing"] == []
    assert common["timezone"] == "Europe/Rome"
    assert common["minutes"] == (180 if end == "21:00" else 120)


def test_slots_in_march_gap_show_cy_an_hour_earlier(cli: Cli, across: dict[str, int]) -> None:
    """In the gap weeks Cy's 12:00 is 17:00 in Rome: Cy alone from 17:00 (all but one of two)."""
    rows = slots(cli, "pair", "--from", "2026-03-09")
    alone = [(r["start"], r["end"], r["missing"]) for r in rows if not r["everyone"]]
    assert ("17:00", "18:00", [across["anna"]]) in alone
    assert ("20:00", "21:00", [across["cy"]]) in alone
    january = slots(cli, "pair", "--from", "2026-01-12")
    assert [r for r in january if not r["everyone"]] == []


def test_slots_are_shown_in_the_group_zone(cli: Cli, across: dict[str, int]) -> None:
    cli.ok(
        "group", "create", "East Coast", "--timezone", "America/New_York",
        "--member", str(across["anna"]), "--member", str(across["cy"]),
    )  # fmt: skip
    january = slots(cli, "east-coast", "--from", "2026-01-12")
    assert everyone_windows(january) == [("2026-01-13", "tue", "12:00", "15:00")]
    assert {r["timezone"] for r in january} == {"America/New_York"}
    march = slots(cli, "east-coast", "--from", "2026-03-09")
    assert everyone_windows(march) == [("2026-03-10", "tue", "13:00", "15:00")]


def test_slots_all_but_one_lists_who_is_missing(cli: Cli, across: dict[str, int]) -> None:
    rows = slots(cli, "trio", "--from", "2026-01-12")
    shown = [(r["start"], r["end"], r["everyone"], r["missing"]) for r in rows]
    assert shown == [
        ("18:00", "20:00", False, [across["ben"]]),
        ("20:00", "21:00", True, []),
    ]
    assert sorted(rows[0]["available"]) == sorted([across["anna"], across["cy"]])
    assert sorted(rows[1]["available"]) == sorted(across.values())
    # In the gap weeks Cy leaves at 20:00 Rome time, when Ben arrives: nobody is common.
    gap = slots(cli, "trio", "--from", "2026-03-09")
    assert everyone_windows(gap) == []
    assert [(r["start"], r["end"], r["missing"]) for r in gap] == [
        ("18:00", "20:00", [across["ben"]]),
        ("20:00", "21:00", [across["cy"]]),
    ]


def test_slots_over_several_weeks_keep_windows_that_hold_in_each(
    cli: Cli, across: dict[str, int]
) -> None:
    # 2026-03-02 is before the US change (6 h); the three weeks after it are in the gap (5 h).
    one = slots(cli, "pair", "--from", "2026-03-02")
    assert everyone_windows(one) == [("2026-03-03", "tue", "18:00", "21:00")]
    four = slots(cli, "pair", "--from", "2026-03-02", "--weeks", "4")
    assert everyone_windows(four) == [("2026-03-03", "tue", "18:00", "20:00")]
    # Cy's hour from 17:00 exists only in the gap weeks: it does not hold in all four.
    assert all(r["start"] >= "18:00" for r in four)
    # Over the European change too (2026-03-29): back to 18:00-21:00 after it, so the
    # intersection of the gap week and the summer week is the gap week's window.
    two = slots(cli, "pair", "--from", "2026-03-23", "--weeks", "2")
    assert everyone_windows(two) == [("2026-03-24", "tue", "18:00", "20:00")]
    summer = slots(cli, "pair", "--from", "2026-04-06", "--weeks", "4")
    assert everyone_windows(summer) == [("2026-04-07", "tue", "18:00", "21:00")]


def test_slots_from_defaults_to_today(cli: Cli, across: dict[str, int]) -> None:
    rows = slots(cli, "pair")
    # 2026-11-27 is a Friday: the seven days from it hold Tuesday 2026-12-01 (winter, 6 h).
    assert everyone_windows(rows) == [("2026-12-01", "tue", "18:00", "21:00")]


def test_slots_window_crossing_midnight_in_the_group_zone(cli: Cli, add_member: AddMember) -> None:
    """A New Yorker's Monday evening is Tuesday early morning in Rome."""
    late = person(add_member, "Late", "America/New_York", "mon 18:00-20:00")
    early = person(add_member, "Early", "Europe/Rome", "tue 00:00-03:00")
    cli.ok(
        "group", "create", "Night", "--timezone", "Europe/Rome",
        "--member", str(late), "--member", str(early),
    )  # fmt: skip
    rows = slots(cli, "night", "--from", "2026-01-12")
    assert everyone_windows(rows) == [("2026-01-13", "tue", "00:00", "02:00")]


def test_slots_csv(cli: Cli, across: dict[str, int]) -> None:
    result = cli.ok("group", "slots", "pair", "--from", "2026-01-12", "--format", "csv")
    header = result.stdout.splitlines()[0].split(",")
    assert {"day", "start", "end", "timezone", "available"} <= set(header)


# --- group slots: the table and the chart ---------------------------------------------------------


def chart_bars(stdout: str) -> dict[str, list[str]]:
    """Each labelled row of the chart: label -> its 48-cell bars (one per day shown)."""
    bars: dict[str, list[str]] = {}
    for line in stdout.splitlines():
        found = BAR.search(line)
        if not found:
            continue
        label = line[: found.start()].strip(" │┃")
        bars.setdefault(label, []).append(found.group())
    return bars


def test_slots_table_shows_the_windows_and_the_chart(cli: Cli, across: dict[str, int]) -> None:
    result = cli("group", "slots", "trio", "--from", "2026-01-12")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Europe/Rome" in out
    assert "2026-01-13" in out
    assert "18:00" in out
    assert "everyone" in out
    bars = chart_bars(out)
    assert set(bars) == {"Anna", "Ben", "Cy", "everyone", "all but one"}
    assert all(len(b) == 1 and len(b[0]) == 48 for b in bars.values())
    free = "·" * 36 + "█" * 6 + "·" * 6  # 18:00-21:00
    assert bars["Anna"] == [free]
    assert bars["Cy"] == [free]
    assert bars["Ben"] == ["·" * 40 + "█" * 6 + "·" * 2]  # 20:00-23:00 in Rome
    assert bars["everyone"] == ["·" * 40 + "█" * 2 + "·" * 6]
    assert bars["all but one"] == [free]
    assert "Tue 13 Jan" in out  # the day, in the community's language (English here)


def test_slots_chart_marks_part_of_a_half_hour(cli: Cli, add_member: AddMember) -> None:
    one = person(add_member, "Quarter", "Europe/Rome", "wed 09:15-10:00")
    cli.ok("group", "create", "Q", "--timezone", "Europe/Rome", "--member", str(one))
    bars = chart_bars(cli.ok("group", "slots", "q", "--from", "2026-01-12").stdout)
    assert bars["Quarter"] == ["·" * 18 + "▒█" + "·" * 28]


def test_slots_table_says_when_nobody_declared_availability(
    cli: Cli, add_member: AddMember
) -> None:
    a = add_member("Quiet One", None)
    b = add_member("Quiet Two", None)
    cli.ok("group", "create", "Quiet", "--member", str(a), "--member", str(b))
    result = cli("group", "slots", "quiet")
    assert result.exit_code == 0, result.stderr
    assert "█" not in result.stdout
    assert "Nobody in the group has declared any availability." in result.stdout + result.stderr
    assert slots(cli, "quiet") == []


def test_slots_of_an_empty_group(cli: Cli) -> None:
    cli.ok("group", "create", "Empty")
    assert slots(cli, "empty") == []
    result = cli("group", "slots", "empty")
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_slots_table_with_no_common_window(cli: Cli, add_member: AddMember) -> None:
    ids = [
        person(add_member, "Mon", "Europe/Rome", "mon 09:00-10:00"),
        person(add_member, "Wed", "Europe/Rome", "wed 09:00-10:00"),
        person(add_member, "Fri", "Europe/Rome", "fri 09:00-10:00"),
    ]
    args = ["group", "create", "Apart", "--timezone", "Europe/Rome"]
    for member in ids:
        args += ["--member", str(member)]
    cli.ok(*args)
    assert slots(cli, "apart", "--from", "2026-01-12") == []
    result = cli.ok("group", "slots", "apart", "--from", "2026-01-12")
    assert "No window where all or all but one are free." in result.stdout + result.stderr
    assert set(chart_bars(result.stdout)) == {"Mon", "Wed", "Fri", "everyone", "all but one"}


# --- hostile names ------------------------------------------------------------------------------


MARKUP_NAMES = ("[bold]x[/bold]", "[link=https://evil.example]click[/link]", "[red]Rosso")


def test_markup_in_names_is_shown_literally_in_table_and_chart(
    cli: Cli, add_member: AddMember
) -> None:
    anna = person(add_member, "Anna", "Europe/Rome", "tue 18:00-21:00")
    odd = [person(add_member, name, "Europe/Rome", "tue 20:00-21:00") for name in MARKUP_NAMES]
    args = ["group", "create", "Odd", "--timezone", "Europe/Rome", "--member", str(anna)]
    for member in odd:
        args += ["--member", str(member)]
    cli.ok(*args)
    missing = person(add_member, "[bold]late[/bold]", "Europe/Rome", "tue 18:00-20:00")
    cli.ok("group", "add", "odd", str(missing))
    result = cli("group", "slots", "odd", "--from", "2026-01-12")
    assert result.exit_code == 0, result.stderr
    bars = chart_bars(result.stdout)
    for name in (*MARKUP_NAMES, "[bold]late[/bold]"):
        assert name in bars, (name, sorted(bars))
    # The all-but-one window 20:00-21:00 misses "[bold]late[/bold]": it is in the table too.
    assert result.stdout.count("[bold]late[/bold]") >= 2
    for raw in TERMINAL_CONTROLS:
        assert raw not in result.stdout
        assert raw not in result.stderr
    # The proposal table shows the names as typed too.
    proposed = cli("group", "form", "--from", "active", "--size", "2-5", "--duration", "60")
    assert proposed.exit_code == 0, proposed.stderr
    for name in MARKUP_NAMES:
        assert name in proposed.stdout
    assert "\x1b" not in proposed.stdout


def test_control_characters_are_refused_at_add_time(cli: Cli) -> None:
    result = cli("member", "add", "Red \x1b[31mAlert", "--email", "red@example.com")
    assert_error(result, "control characters")
    assert "\x1b" not in result.stderr


def test_stored_escapes_never_reach_the_terminal(
    cli: Cli, add_member: AddMember, db_path: Path
) -> None:
    """A name written into the database behind peerkit's back (an old version, a script)."""
    ids = [person(add_member, f"P{i}", "Europe/Rome", "tue 18:00-20:00") for i in range(3)]
    silent = add_member("Silent", None)
    sql(db_path, "UPDATE member SET name = ? WHERE id = ?", "Evil\x1b[31m\x1b]0;pwn\x07", ids[0])
    sql(db_path, "UPDATE member SET name = ? WHERE id = ?", "Hush\x9b2J", silent)
    args = ["group", "create", "Evil", "--timezone", "Europe/Rome"]
    for member in ids:
        args += ["--member", str(member)]
    cli.ok(*args)
    cli.ok("group", "add", "evil", str(silent))
    for command in (
        ("group", "slots", "evil", "--from", "2026-01-12"),
        ("group", "form", "--size", "2-3", "--from", "active"),
    ):
        result = cli(*command)
        assert result.exit_code == 0, result.stderr
        assert "Evil" in result.stdout
        assert "Hush" in result.stdout + result.stderr
        for raw in TERMINAL_CONTROLS:
            assert raw not in result.stdout, command
            assert raw not in result.stderr, command


# --- group slots: errors --------------------------------------------------------------------------


def test_slots_of_an_unknown_group(cli: Cli, across: dict[str, int]) -> None:
    assert_error(cli("group", "slots", "no-such-group"), "no-such-group")
    assert_error(cli("group", "slots", "999", "--format", "json"))


@pytest.mark.parametrize("bad", ["2026-13-01", "tomorrow", "01/12/2026", "2026-02-30"])
def test_slots_bad_from_date(cli: Cli, across: dict[str, int], bad: str) -> None:
    assert_error(cli("group", "slots", "pair", "--from", bad), "--from")


@pytest.mark.parametrize("weeks", ["0", "-1", "53"])
def test_slots_bad_weeks(cli: Cli, across: dict[str, int], weeks: str) -> None:
    assert_error(cli("group", "slots", "pair", "--weeks", weeks), "--weeks")


def test_slots_weeks_not_a_number_is_a_usage_error(cli: Cli, across: dict[str, int]) -> None:
    result = cli("group", "slots", "pair", "--weeks", "many")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


# --- review fixes: the week of the slot, daylight-saving changes, --dry-run, CSV, big numbers -----


def test_apply_starts_the_group_in_the_week_its_slot_was_checked(
    cli: Cli, add_member: AddMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On Thursday 2027-03-25 the reference week is that of Monday 2027-03-29, after Europe's
    change (28 March): Rome's Friday 18:00 is New York's 12:00 then, but 13:00 on 2027-03-26."""
    monkeypatch.setenv("PEERKIT_TODAY", "2027-03-25")
    week = date(2027, 3, 29)
    people: Pool = {}
    for i in range(3):
        member = person(add_member, f"Roma {i}", "Europe/Rome", "fri 18:00-20:00")
        people[member] = ("Europe/Rome", ["fri 18:00-20:00"])
    for i in range(2):
        member = person(add_member, f"Gotham {i}", "America/New_York", "fri 12:00-14:00")
        people[member] = ("America/New_York", ["fri 12:00-14:00"])
    applied = as_json(cli.ok("group", "form", "--size", "5-5", "--apply", "--format", "json"))
    assert applied["reference_week"] == week.isoformat()
    (proposed,) = applied["groups"]
    assert sorted(proposed["members"]) == sorted(people)
    assert_slot_fits(proposed, people, week=week)
    group = as_json(cli.ok("group", "show", proposed["group"], "--format", "json"))
    assert group["start"] == "2027-04-02"  # not Friday 2027-03-26, the week before
    assert week <= date.fromisoformat(group["start"]) < week + timedelta(days=7)

    cli.ok("session", "plan", proposed["group"], "--count", "1")
    (meeting,) = as_json(cli.ok("session", "list", "--format", "json"))
    start = datetime.fromisoformat(meeting["start"])
    end = datetime.fromisoformat(meeting["end"])
    assert start.utcoffset() is not None
    assert end - start == timedelta(minutes=90)
    # From zoneinfo alone: Rome 18:00 on 2 April 2027 is 16:00 UTC, New York's noon.
    expected = datetime(2027, 4, 2, 18, 0, tzinfo=ZoneInfo("Europe/Rome"))
    assert start == expected
    assert expected.astimezone(ZoneInfo("UTC")).hour == 16
    for member, (zone, windows) in people.items():
        assert free_between(windows, zone, week, start, end), (member, meeting["start"])


def test_the_slot_is_never_an_ambiguous_wall_clock_time(
    cli: Cli, add_member: AddMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sunday 2027-10-31 in Rome: 02:00-03:00 happens twice (03:00 CEST becomes 02:00 CET).

    The Romans are free 02:00 CEST-04:00 CET (00:00-03:00 UTC), the others 01:00-02:30 UTC:
    every start in common is a repeated time in Rome. A proposed slot must name one instant,
    and the meeting, read as calendars read it (the first occurrence), must fit everyone.
    """
    monkeypatch.setenv("PEERKIT_TODAY", "2027-10-22")
    week = date(2027, 10, 25)
    people: Pool = {}
    for i in range(3):
        member = person(add_member, f"Roma {i}", "Europe/Rome", "sun 02:00-04:00")
        people[member] = ("Europe/Rome", ["sun 02:00-04:00"])
    for i in range(2):
        member = person(add_member, f"Zulu {i}", "UTC", "sun 01:00-02:30")
        people[member] = ("UTC", ["sun 01:00-02:30"])
    proposal = form(cli, "--size", "5-5", "--duration", "60")
    assert proposal["reference_week"] == week.isoformat()
    assert_form_shape(proposal)
    assert_each_once(proposal, set(people))
    if not proposal["groups"]:
        assert set(left_out(proposal)) == set(people)
        assert all(reason.strip() for reason in left_out(proposal).values())
        return
    (group,) = proposal["groups"]
    slot = group["slot"]
    assert slot["day"] == "sun"
    hour, minute = (int(x) for x in slot["time"].split(":"))
    tz = ZoneInfo(slot["timezone"])  # the group's calendar zone (Rome: most members live there)
    first = datetime(2027, 10, 31, hour, minute, tzinfo=tz, fold=0)
    second = datetime(2027, 10, 31, hour, minute, tzinfo=tz, fold=1)
    assert first.utcoffset() == second.utcoffset(), f"{slot} is a repeated or skipped time"
    assert_slot_fits(group, people, duration=60, week=week)


def test_apply_dry_run_shows_the_proposal_and_writes_nothing(
    cli: Cli, twelve: Pool, db_path: Path
) -> None:
    expected = form(cli, "--seed", "3")
    before = dump(db_path)
    result = cli("group", "form", "--seed", "3", "--apply", "--dry-run", "--format", "json")
    assert result.exit_code == 0, result.stderr
    shown = json.loads(result.stdout)
    assert_form_shape(shown)
    assert [g["members"] for g in shown["groups"]] == [g["members"] for g in expected["groups"]]
    assert [g["slot"] for g in shown["groups"]] == [g["slot"] for g in expected["groups"]]
    assert f"Would create {len(expected['groups'])} group(s)" in stderr_of(result)
    assert "Created" not in stderr_of(result)
    assert dump(db_path) == before
    assert as_json(cli.ok("group", "list", "--format", "json")) == []
    table = cli("group", "form", "--seed", "3", "--apply", "--dry-run")
    assert table.exit_code == 0, table.stderr
    assert "Rome A" in table.stdout
    assert "Would create" in stderr_of(table)
    assert dump(db_path) == before


SLOTS_CSV_HEADER = "day,date,start,end,minutes,timezone,everyone,available,missing"


def test_slots_csv_has_one_header_with_or_without_windows(
    cli: Cli, across: dict[str, int], add_member: AddMember
) -> None:
    with_windows = cli.ok("group", "slots", "pair", "--from", "2026-01-12", "--format", "csv")
    lines = with_windows.stdout.splitlines()
    assert lines[0] == SLOTS_CSV_HEADER
    assert len(lines) >= 2
    cli.ok("group", "create", "Empty")
    quiet = [add_member("Quiet One", None), add_member("Quiet Two", None)]
    cli.ok("group", "create", "Quiet", "--member", str(quiet[0]), "--member", str(quiet[1]))
    apart = [
        person(add_member, "Monday", "Europe/Rome", "mon 09:00-10:00"),
        person(add_member, "Wednesday", "Europe/Rome", "wed 09:00-10:00"),
        person(add_member, "Friday", "Europe/Rome", "fri 09:00-10:00"),
    ]
    args = ["group", "create", "Apart", "--timezone", "Europe/Rome"]
    for member in apart:
        args += ["--member", str(member)]
    cli.ok(*args)
    for group in ("empty", "quiet", "apart"):
        assert slots(cli, group) == []
        none = cli.ok("group", "slots", group, "--format", "csv")
        assert none.stdout.splitlines() == [SLOTS_CSV_HEADER], group


def test_form_csv_header_and_member_ids(cli: Cli, twelve: Pool) -> None:
    import csv
    import io

    expected = form(cli)
    result = cli.ok("group", "form", "--format", "csv")
    lines = result.stdout.splitlines()
    assert lines[0] == "n,size,day,time,timezone,score,members,reasons,group"
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == len(expected["groups"]) == 2
    for n, (row, group) in enumerate(zip(rows, expected["groups"], strict=True), 1):
        assert row["n"] == str(n)
        assert row["size"] == str(len(group["members"]))
        assert [int(m) for m in row["members"].split(" ")] == group["members"]
        assert (row["day"], row["time"], row["timezone"]) == tuple(
            group["slot"][k] for k in ("day", "time", "timezone")
        )
        assert row["group"] == ""
    applied = cli.ok("group", "form", "--format", "csv", "--apply")
    rows = list(csv.DictReader(io.StringIO(applied.stdout)))
    assert applied.stdout.splitlines()[0] == lines[0]
    assert [r["group"] for r in rows] == ["mastermind-1", "mastermind-2"]
    empty = cli.ok("group", "form", "--format", "csv")
    assert empty.stdout.splitlines() == [lines[0]]


def test_slots_of_a_huge_id_or_year_are_errors(cli: Cli, across: dict[str, int]) -> None:
    huge = cli("group", "slots", "99999999999999999999999")
    assert_error(huge, "99999999999999999999999")
    assert "internal error" not in huge.stderr.lower()
    for first in ("9999-12-31", "9999-12-25", "0001-01-01"):
        late = cli("group", "slots", "pair", "--from", first)
        assert_error(late, "--from", "year")
        assert "internal error" not in late.stderr.lower()
    huge_json = cli("group", "slots", "99999999999999999999999", "--format", "json")
    assert_error(huge_json)
