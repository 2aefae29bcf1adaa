"""Fair hours across zones: a meeting's cost per member, slots taken in turn (docs/fair-hours.md).

A member's cost is how far a meeting lies outside 08:00-21:00 of their own zone. The group
here meets in Rome; Lucas is in São Paulo (UTC-3 all year), Giulia in Rome (UTC+1, +2 from
the last Sunday of March to the last Sunday of October), Aiko in Tokyo (UTC+9 all year).
Every number below is worked out by hand in the comments, from those offsets.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, assert_error

ROME, SAO_PAULO, TOKYO, NEW_YORK = (
    "Europe/Rome",
    "America/Sao_Paulo",
    "Asia/Tokyo",
    "America/New_York",
)
TURNS = "tue 11:00,tue 13:30"


def as_json(result: Any) -> Any:
    return json.loads(result.stdout)


@pytest.fixture
def people(cli: Cli) -> dict[str, int]:
    """Lucas, Giulia and Aiko. Declared windows (own zones), as Rome sees them in winter:
    Lucas tue 06:00-07:30 and 09:30-11:00 SP = 10:00-11:30 and 13:30-15:00 Rome;
    Aiko tue 18:00-19:30 and 21:30-23:00 Tokyo = the same two; Giulia 09:00-16:00 Rome."""
    found = {}
    for name, zone, windows in (
        ("Lucas", SAO_PAULO, ["tue 06:00-07:30", "tue 09:30-11:00"]),
        ("Giulia", ROME, ["tue 09:00-16:00"]),
        ("Aiko", TOKYO, ["tue 18:00-19:30", "tue 21:30-23:00"]),
    ):
        available = [a for w in windows for a in ("--available", w)]
        result = cli.ok(
            "member", "add", name, "--email", f"{name.lower()}@example.com",
            "--timezone", zone, *available,
        )  # fmt: skip
        found[name] = int(result.stdout)
    return found


def create(cli: Cli, name: str, *options: str) -> str:
    members = [a for who in ("Lucas", "Giulia", "Aiko") for a in ("--member", who)]
    result = cli.ok(
        "--no-input", "group", "create", name, "--timezone", ROME, *members, "--format", "json",
        *options,
    )  # fmt: skip
    return str(as_json(result)["slug"])


def starts(cli: Cli, slug: str) -> list[str]:
    rows = as_json(cli.ok("session", "list", "--group", slug, "--format", "json"))
    return [r["start"] for r in rows]


# --- the rule ---------------------------------------------------------------------------


def test_the_rule_counts_how_far_outside_08_21_in_the_members_zone() -> None:
    from peerkit.services.groups import fairness

    def cost(utc: str, minutes: int, zone: str) -> tuple[int, str | None]:
        found = fairness.cost(datetime.fromisoformat(utc).replace(tzinfo=UTC), minutes, zone)
        return found.minutes, found.side

    # 10:00 UTC is 07:00 in São Paulo: an hour before 08:00.
    assert cost("2027-03-02T10:00", 90, SAO_PAULO) == (60, "early")
    # 12:30 UTC is 21:30 in Tokyo, ending 23:00: two hours after 21:00.
    assert cost("2027-03-02T12:30", 90, TOKYO) == (120, "late")
    # 11:00 UTC: 08:00-09:30 in São Paulo, 20:00-21:30 in Tokyo (half an hour late).
    assert cost("2027-03-02T11:00", 90, SAO_PAULO) == (0, None)
    assert cost("2027-03-02T11:00", 90, TOKYO) == (30, "late")
    # 16:00 UTC is 01:00 in Tokyo: 5h30 after the evening's 21:00 beats 7h before 08:00.
    assert cost("2027-03-02T16:00", 90, TOKYO) == (330, "late")
    # New York changes its clocks on 14 March 2027, Rome on 28 March: the same 12:00 UTC
    # is 07:00 EST (an hour early), then 08:00 EDT (inside).
    assert cost("2027-03-09T12:00", 60, NEW_YORK) == (60, "early")
    assert cost("2027-03-16T12:00", 60, NEW_YORK) == (0, None)


# --- group slots ------------------------------------------------------------------------


def test_slots_cost_each_member_and_propose_a_rotation(cli: Cli, people: dict[str, int]) -> None:
    slug = create(cli, "Fair")
    rows = as_json(cli.ok("group", "slots", slug, "--from", "2026-11-30", "--format", "json"))
    assert [(r["start"], r["end"], r["everyone"]) for r in rows] == [
        ("10:00", "11:30", True),
        ("13:30", "15:00", True),
    ]
    for row in rows:  # the contract's keys first, then what fair hours add
        keys = list(row)
        assert keys[: keys.index("available") + 1][:4] == ["day", "date", "start", "end"]
        assert keys[-2:] == ["costs", "cost"]
    lucas, giulia, aiko = people["Lucas"], people["Giulia"], people["Aiko"]
    # 10:00 Rome (UTC+1) = 09:00 UTC: Lucas 06:00 (two hours early), Aiko 18:00.
    assert rows[0]["at"] == "10:00"
    assert rows[0]["costs"] == [
        {"member": lucas, "local_start": "2026-12-01T06:00:00-03:00", "outside_minutes": 120},
        {"member": giulia, "local_start": "2026-12-01T10:00:00+01:00", "outside_minutes": 0},
        {"member": aiko, "local_start": "2026-12-01T18:00:00+09:00", "outside_minutes": 0},
    ]
    assert rows[0]["cost"] == 120
    # 13:30 Rome = 12:30 UTC: Aiko 21:30-23:00, two hours late.
    assert {c["member"]: c["outside_minutes"] for c in rows[1]["costs"]} == {
        lucas: 0, giulia: 0, aiko: 120,
    }  # fmt: skip
    table = cli.ok("group", "slots", slug, "--from", "2026-11-30")
    assert "hard for" in table.stdout
    assert "Lucas 2h early" in table.stdout
    assert "Aiko 2h late" in table.stdout
    assert (
        "rotate Tue 10:00 and Tue 13:30: nobody has more than one early or late meeting in two"
        in table.stderr
    )
    assert f'peerkit group edit {slug} --rotate-slots "tue 10:00,tue 13:30"' in table.stderr


def test_slots_follow_daylight_saving_with_the_same_costs(cli: Cli, people: dict[str, int]) -> None:
    """In October Rome is UTC+2: the same hours of Lucas and Aiko are an hour later in Rome."""
    slug = create(cli, "Fair")
    rows = as_json(cli.ok("group", "slots", slug, "--from", "2026-10-19", "--format", "json"))
    assert [(r["start"], r["cost"]) for r in rows] == [("11:00", 120), ("14:30", 120)]
    result = cli.ok("group", "slots", slug, "--from", "2026-10-19")
    assert "rotate Tue 11:00 and Tue 14:30" in result.stderr


def test_no_proposal_when_a_slot_is_easy_for_everyone(cli: Cli, people: dict[str, int]) -> None:
    """Rome and São Paulo alone: 13:30 Rome is 09:30 in São Paulo, fine for both."""
    cli.ok(
        "--no-input", "group", "create", "Two", "--timezone", ROME,
        "--member", "Lucas", "--member", "Giulia",
    )  # fmt: skip
    result = cli.ok("group", "slots", "two", "--from", "2026-11-30")
    assert "rotate" not in result.stderr
    rows = as_json(cli.ok("group", "slots", "two", "--from", "2026-11-30", "--format", "json"))
    assert min(r["cost"] for r in rows) == 0


# --- --rotate-slots: planning -----------------------------------------------------------


def test_rotating_slots_alternate_meeting_by_meeting_and_replanning_changes_nothing(
    cli: Cli, people: dict[str, int]
) -> None:
    slug = create(cli, "Turns", "--rotate-slots", TURNS, "--start", "2027-03-02")
    shown = as_json(cli.ok("group", "show", slug, "--format", "json"))
    assert shown["rotate_slots"] == ["tue 11:00", "tue 13:30"]
    assert (shown["day"], shown["time"]) == ("tue", "11:00")  # the first slot, by default
    cli.ok("session", "plan", slug, "--from", "2027-03-01", "--count", "6")
    expected = [
        "2027-03-02T11:00:00+01:00",
        "2027-03-09T13:30:00+01:00",
        "2027-03-16T11:00:00+01:00",
        "2027-03-23T13:30:00+01:00",
        "2027-03-30T11:00:00+02:00",  # Rome is on summer time from 28 March
        "2027-04-06T13:30:00+02:00",
    ]
    assert starts(cli, slug) == expected
    again = cli.ok("session", "plan", slug, "--from", "2027-03-01", "--count", "6")
    assert "Added 0 meeting(s)" in again.stderr
    # planned from the middle, the turn still comes from the meeting's place in the cadence
    cli.ok("session", "plan", slug, "--from", "2027-04-13", "--count", "1")
    assert starts(cli, slug) == [*expected, "2027-04-13T11:00:00+02:00"]


def test_plan_week_takes_the_turn_of_each_week(
    cli: Cli, people: dict[str, int], tmp_path: Path
) -> None:
    slug = create(cli, "Turns", "--rotate-slots", TURNS, "--start", "2027-03-02")
    for week in ("2027-W09", "2027-W10", "2027-W10"):
        cli.ok("plan", "week", "--week", week, "--out", str(tmp_path / "out"))
    assert starts(cli, slug) == ["2027-03-02T11:00:00+01:00", "2027-03-09T13:30:00+01:00"]


def test_slots_on_other_days_take_the_week_of_the_cadence_date(
    cli: Cli, people: dict[str, int]
) -> None:
    slug = create(cli, "Days", "--rotate-slots", "tue 11:00,thu 13:30", "--start", "2027-03-02")
    cli.ok("session", "plan", slug, "--from", "2027-03-01", "--count", "3")
    assert starts(cli, slug) == [
        "2027-03-02T11:00:00+01:00",
        "2027-03-11T13:30:00+01:00",
        "2027-03-16T11:00:00+01:00",
    ]


def test_group_edit_sets_and_clears_the_rotation(cli: Cli, people: dict[str, int]) -> None:
    slug = create(cli, "Later", "--day", "tue", "--time", "11:00", "--start", "2027-03-02")
    cli.ok("session", "plan", slug, "--from", "2027-03-01", "--count", "1")
    result = cli.ok("group", "edit", slug, "--rotate-slots", "TUE 11:00, tue 13.30")
    assert "takes tue 11:00, tue 13:30 in turn" in result.stderr
    cli.ok("session", "plan", slug, "--from", "2027-03-01", "--count", "2")
    # the meeting planned before keeps its time; the next one takes its turn
    assert starts(cli, slug) == ["2027-03-02T11:00:00+01:00", "2027-03-09T13:30:00+01:00"]
    same = cli.ok("group", "edit", slug, "--rotate-slots", "tue 11:00,tue 13:30")
    assert "already" in same.stderr
    cli.ok("group", "edit", slug, "--rotate-slots", "none")
    assert as_json(cli.ok("group", "show", slug, "--format", "json"))["rotate_slots"] == []
    cli.ok("session", "plan", slug, "--from", "2027-03-01", "--count", "3")
    assert starts(cli, slug)[-1] == "2027-03-16T11:00:00+01:00"


@pytest.mark.parametrize(
    ("slots", "fragment"),
    [
        ("tue 07:00", "2 or 3 slots"),
        ("tue 07:00,wed 07:00,thu 07:00,fri 07:00", "not 4"),
        ("tux 07:00,tue 19:00", "unknown day 'tux'"),
        ("tue 25:00,tue 19:00", "'25:00' is not a time of day"),
        ("tue 07:00,tue 7:00", "tue 07:00 is given twice"),
        ("tue,tue 19:00", "'tue' is not a slot"),
        ("", "--rotate-slots is empty"),
    ],
)
def test_bad_rotations_are_refused_at_the_door(
    cli: Cli, people: dict[str, int], slots: str, fragment: str
) -> None:
    assert_error(cli("--no-input", "group", "create", "Bad", "--rotate-slots", slots), fragment)
    assert as_json(cli.ok("group", "list", "--format", "json")) == []
    slug = create(cli, "Good")
    assert_error(cli("group", "edit", slug, "--rotate-slots", slots), fragment)
    assert as_json(cli.ok("group", "show", slug, "--format", "json"))["rotate_slots"] == []


def test_group_edit_without_a_change_is_a_usage_error(cli: Cli, people: dict[str, int]) -> None:
    slug = create(cli, "Good")
    result = cli("group", "edit", slug)
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert_error(cli("group", "edit", "no-such-group", "--rotate-slots", TURNS), "no-such-group")


# --- fairness per member: group show and stats ------------------------------------------


@pytest.fixture
def held(cli: Cli, people: dict[str, int]) -> str:
    """Six meetings in turn from Tue 6 October 2026, attendance taken, Rome changing to winter
    time on 25 October:
      6 Oct 11:00 CEST = 09:00 UTC  Lucas 06:00 (120 early)
     13 Oct 13:30 CEST = 11:30 UTC  Aiko 20:30-22:00 (60 late)
     20 Oct 11:00 CEST             Lucas 120 early
     27 Oct 13:30 CET  = 12:30 UTC  Aiko 21:30-23:00 (120 late)
      3 Nov 11:00 CET  = 10:00 UTC  Lucas 07:00 (60 early)
     10 Nov 13:30 CET              Aiko 120 late
    """
    slug = create(cli, "Held", "--rotate-slots", TURNS, "--start", "2026-10-06")
    cli.ok("session", "plan", slug, "--from", "2026-10-06", "--count", "6")
    for row in as_json(cli.ok("session", "list", "--group", slug, "--format", "json")):
        absent = ["--absent", "Giulia"] if row["start"].startswith("2026-10-13") else []
        present = ["--present", "Lucas", "--present", "Aiko"]
        cli.ok("session", "attend", str(row["id"]), *present, *absent,
               *([] if absent else ["--present", "Giulia"]))  # fmt: skip
    return slug


def test_group_show_has_a_fairness_line_and_json(
    cli: Cli, people: dict[str, int], held: str
) -> None:
    shown = as_json(cli.ok("group", "show", held, "--format", "json"))
    assert list(shown)[-1] == "fairness"
    assert shown["fairness"] == [
        {"member": people["Lucas"], "meetings": 6, "outside": 3, "outside_minutes": 300},
        {"member": people["Giulia"], "meetings": 6, "outside": 0, "outside_minutes": 0},
        {"member": people["Aiko"], "meetings": 6, "outside": 3, "outside_minutes": 300},
    ]
    table = cli.ok("group", "show", held)
    line = "fair hours: Lucas 3 of 6 meetings outside 08\u201321, Aiko 3 of 6, everyone else 0"
    assert line in table.stdout


def test_a_cancelled_meeting_is_not_counted(cli: Cli, people: dict[str, int]) -> None:
    slug = create(cli, "Some", "--rotate-slots", TURNS, "--start", "2027-03-02")
    cli.ok("session", "plan", slug, "--from", "2027-03-01", "--count", "4")
    second = as_json(cli.ok("session", "list", "--group", slug, "--format", "json"))[1]["id"]
    cli.ok("session", "cancel", str(second))
    fair = as_json(cli.ok("group", "show", slug, "--format", "json"))["fairness"]
    # left: 2 Mar 11:00 (Lucas 60 early), 16 Mar 11:00 (60 early), 23 Mar 13:30 (Aiko 120 late)
    assert [(f["meetings"], f["outside"], f["outside_minutes"]) for f in fair] == [
        (3, 2, 120), (3, 0, 0), (3, 1, 120),
    ]  # fmt: skip


def test_a_fixed_hour_across_the_atlantic_changes_with_new_yorks_clocks(cli: Cli) -> None:
    """13:00 Rome, an hour: 12:00 UTC in March before Rome's change (New York: 07:00 EST on
    the 9th, 08:00 EDT on the 16th and 23rd), 11:00 UTC on the 30th (07:00 EDT)."""
    cli.ok("member", "add", "Maya", "--email", "maya@example.com", "--timezone", NEW_YORK)
    cli.ok(
        "--no-input", "group", "create", "Atlantic", "--timezone", ROME, "--day", "tue",
        "--time", "13:00", "--duration", "60", "--start", "2027-03-09", "--member", "Maya",
    )  # fmt: skip
    cli.ok("session", "plan", "atlantic", "--from", "2027-03-09", "--count", "4")
    fair = as_json(cli.ok("group", "show", "atlantic", "--format", "json"))["fairness"]
    assert [(f["meetings"], f["outside"], f["outside_minutes"]) for f in fair] == [(4, 2, 120)]


def test_stats_count_held_meetings_outside_hours(
    cli: Cli, people: dict[str, int], held: str
) -> None:
    found = as_json(cli.ok("stats", "--format", "json"))
    outside = {m["name"]: m["outside_hours"] for m in found["members"]}
    assert outside == {"Lucas": 3, "Giulia": 0, "Aiko": 3}
    assert list(found["members"][0])[-1] == "outside_hours"
    # from 27 October: 27 Oct and 10 Nov are late for Aiko, 3 Nov early for Lucas
    since = as_json(cli.ok("stats", "--since", "2026-10-27", "--format", "json"))
    assert {m["name"]: m["outside_hours"] for m in since["members"]} == {
        "Lucas": 1, "Giulia": 0, "Aiko": 2,
    }  # fmt: skip
    table = cli.ok("stats", "--wide")
    assert "outside 08\u201321" in table.stdout
    csv = cli.ok("stats", "--format", "csv").stdout.splitlines()
    assert csv[0].endswith(",outside_hours")


def test_group_show_without_meetings_has_no_fairness_line(cli: Cli, people: dict[str, int]) -> None:
    slug = create(cli, "Empty")
    assert "fair hours" not in cli.ok("group", "show", slug).stdout
    fair = as_json(cli.ok("group", "show", slug, "--format", "json"))["fairness"]
    assert [f["meetings"] for f in fair] == [0, 0, 0]


def test_a_group_in_one_zone_has_every_meeting_within_the_hours(
    cli: Cli, people: dict[str, int]
) -> None:
    cli.ok("--no-input", "group", "create", "Home", "--timezone", ROME, "--member", "Giulia")
    cli.ok("session", "plan", "home", "--from", "2026-12-01", "--count", "2")
    shown = cli.ok("group", "show", "home").stdout
    assert "fair hours: all 2 meetings within 08\u201321 for everyone" in shown


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("skip", ["2027-03-02T11:00:00+01:00", "2027-03-16T11:00:00+01:00"]),
        ("next-day", ["2027-03-02T11:00:00+01:00", "2027-03-12T13:30:00+01:00",
                      "2027-03-16T11:00:00+01:00"]),
    ],
)  # fmt: skip
def test_a_break_on_the_day_a_turn_takes_is_looked_at_on_that_day(
    cli: Cli, people: dict[str, int], choice: str, expected: list[str]
) -> None:
    """The holiday rule (breaks.place) looks at the day a rotated meeting is held, not at
    its cadence date: the Thursday turn of the second week falls in a break, the Tuesday
    cadence date does not."""
    slug = create(cli, "Turns", "--rotate-slots", "tue 11:00,thu 13:30", "--start", "2027-03-02")
    cli.ok("group", "edit", slug, "--on-holiday", choice)
    cli.ok("break", "add", "--from", "2027-03-11", "--to", "2027-03-11", "--reason", "Assemblea")
    planned = cli.ok("session", "plan", slug, "--from", "2027-03-01", "--count", "3")
    assert "Thu 11 Mar: break (Assemblea): " in planned.stderr
    assert starts(cli, slug) == expected


ZONES = ["Europe/Rome", "America/New_York", "Asia/Tokyo", "Australia/Lord_Howe", "Pacific/Chatham"]


@pytest.mark.parametrize("zone", ZONES)
def test_costs_say_what_the_rule_says_for_every_meeting(zone: str) -> None:
    """fairness.Costs (what stats asks) against fairness.cost itself, meeting by meeting: every
    half hour of the day, short and long meetings, over two years with both changes of
    daylight-saving time in each, and the same shapes asked again and again."""
    from datetime import timedelta

    from peerkit.services.groups import fairness

    costs = fairness.Costs()
    first = datetime(2026, 1, 1, tzinfo=UTC)
    for day in range(0, 730, 3):
        for half_hour in range(0, 48, 5):
            start = first + timedelta(days=day, minutes=30 * half_hour)
            for duration in (45, 90, 480):
                assert costs.cost(start, duration, zone) == fairness.cost(start, duration, zone)
    assert len(costs._known) < 2000  # the shapes were costed once each
