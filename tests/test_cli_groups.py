"""`peerkit group ...` (and `member list --group`) through the CLI.

Exit code, stdout and stderr are asserted separately. The contract is
../shared/design/cli.md: group create|list|show|add|remove|archive, the group JSON keys,
slugs that are ASCII, unique and safe as folder names, and exit codes 0/1/2.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, Result, assert_error, assert_usage_error, without_creation_note

AddMember = Callable[..., int]

EXTRA_GROUP_KEYS = {"start", "on_holiday"}  # the first meeting date, the holiday choice
# slots taken in turn, and (group show) each member's fair hours: docs/fair-hours.md
EXTRA_GROUP_KEYS |= {"rotate_slots", "fairness"}
GROUP_KEYS = {
    "id",
    "slug",
    "name",
    "kind",
    "cadence",
    "day",
    "time",
    "timezone",
    "duration",
    "location",
    "min_size",
    "max_size",
    "status",
    "members",
}
GROUP_MEMBER_KEYS = {"id", "name", "role"}
GROUP_MEMBER_EXTRA_KEYS = {"rotates"}  # documented in docs/: who opted in to facilitate in turn
WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {
    f"{p}{n}" for p in ("com", "lpt") for n in range(10)
}
SAFE_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


# --- helpers --------------------------------------------------------------------------------------


def as_json(result: Result) -> Any:
    return json.loads(result.stdout)


def stderr_of(result: Result) -> str:
    return without_creation_note(result.stderr)


def create(cli: Cli, name: str, *options: str) -> dict[str, Any]:
    """Create a group and return it as JSON."""
    return as_json(cli.ok("group", "create", name, *options, "--format", "json"))


def show(cli: Cli, ref: str | int) -> dict[str, Any]:
    return as_json(cli.ok("group", "show", str(ref), "--format", "json"))


def groups(cli: Cli, *options: str) -> list[dict[str, Any]]:
    return as_json(cli.ok("group", "list", "--format", "json", *options))


def member_ids(cli: Cli, ref: str | int) -> list[int]:
    return [m["id"] for m in show(cli, ref)["members"]]


def roles(cli: Cli, ref: str | int) -> dict[int, str]:
    return {m["id"]: m["role"] for m in show(cli, ref)["members"]}


def without_fairness(group: dict[str, Any]) -> dict[str, Any]:
    """`group show` with its last key, the members' fair hours (docs/fair-hours.md), left out:
    the rest is the group as `group create` and `group list` print it."""
    assert list(group)[-1] == "fairness"
    return {k: v for k, v in group.items() if k != "fairness"}


def assert_group_shape(group: dict[str, Any]) -> None:
    assert set(group) - EXTRA_GROUP_KEYS == GROUP_KEYS
    for entry in group["members"]:
        assert set(entry) >= GROUP_MEMBER_KEYS
        assert set(entry) - GROUP_MEMBER_KEYS <= GROUP_MEMBER_EXTRA_KEYS


def assert_safe_slug(slug: str) -> None:
    assert slug.isascii()
    assert SAFE_SLUG.fullmatch(slug), slug
    assert slug not in WINDOWS_RESERVED
    assert len(slug) <= 64


@pytest.fixture
def people(add_member: AddMember) -> dict[str, int]:
    """Four members: Anna, Bruno, Carla, Dario."""
    return {
        "anna": add_member("Anna Bianchi", "anna@example.com"),
        "bruno": add_member("Bruno Verdi", "bruno@example.com"),
        "carla": add_member("Carla Neri", "carla@example.com"),
        "dario": add_member("Dario Russo", "dario@example.com"),
    }


# --- create ---------------------------------------------------------------------------------------


def test_create_prints_only_the_new_id_on_stdout(cli: Cli) -> None:
    result = cli("group", "create", "Tuesday Mastermind")
    assert result.exit_code == 0, result
    assert result.stdout == "1\n"
    assert "Created the group tuesday-mastermind with 0 member(s)." in stderr_of(result)


def test_create_ids_increase(cli: Cli) -> None:
    assert cli.ok("group", "create", "One").stdout == "1\n"
    assert cli.ok("group", "create", "Two").stdout == "2\n"


def test_create_with_json_prints_the_whole_group(cli: Cli, people: dict[str, int]) -> None:
    result = cli.ok("group", "create", "Founders", "--member", "anna@example.com", "-f", "json")
    group = as_json(result)
    assert_group_shape(group)
    assert group["slug"] == "founders"
    assert group["members"][0]["id"] == people["anna"]
    assert "Created the group founders" not in result.stdout


def test_create_with_every_flag(cli: Cli, people: dict[str, int]) -> None:
    group = create(
        cli,
        "Morning Accountability",
        "--kind",
        "accountability",
        "--cadence",
        "biweekly",
        "--day",
        "thu",
        "--time",
        "7:45",
        "--timezone",
        "America/New_York",
        "--duration",
        "60",
        "--location",
        "https://meet.example.com/abc-defg",
        "--min-size",
        "3",
        "--max-size",
        "5",
        "--start",
        "2026-12-03",
        "--member",
        str(people["anna"]),
        "--member",
        "BRUNO@example.com",
        "--facilitator",
        "Carla Neri",
    )
    assert_group_shape(group)
    expected = {
        "id": 1,
        "slug": "morning-accountability",
        "name": "Morning Accountability",
        "kind": "accountability",
        "cadence": "biweekly",
        "day": "thu",
        "time": "07:45",
        "timezone": "America/New_York",
        "duration": 60,
        "location": "https://meet.example.com/abc-defg",
        "min_size": 3,
        "max_size": 5,
        "status": "active",
    }
    assert {key: group[key] for key in expected} == expected
    shown = {m["id"]: (m["name"], m["role"]) for m in group["members"]}
    assert shown == {
        people["anna"]: ("Anna Bianchi", "member"),
        people["bruno"]: ("Bruno Verdi", "member"),
        people["carla"]: ("Carla Neri", "facilitator"),
    }
    assert without_fairness(show(cli, "morning-accountability")) == group


def test_create_defaults(cli: Cli) -> None:
    group = create(cli, "Plain")
    assert_group_shape(group)
    expected = {
        "kind": "mastermind",
        "cadence": "weekly",
        "day": "tue",
        "time": "18:30",
        "timezone": "UTC",
        "duration": 90,
        "location": None,
        "min_size": 4,
        "max_size": 8,
        "status": "active",
        "members": [],
    }
    assert {key: group[key] for key in expected} == expected


def test_create_uses_the_community_time_zone(cli: Cli) -> None:
    cli.ok("init", "--timezone", "Europe/Rome")
    assert create(cli, "Roma")["timezone"] == "Europe/Rome"
    assert create(cli, "New York", "--timezone", "America/New_York")["timezone"] == (
        "America/New_York"
    )


def test_create_takes_the_day_from_start_when_no_day_is_given(cli: Cli) -> None:
    assert create(cli, "Wednesdays", "--start", "2026-12-02")["day"] == "wed"


@pytest.mark.parametrize(
    ("value", "day"), [("Thursday", "thu"), ("FRI", "fri"), ("martedì", "tue"), ("sun", "sun")]
)
def test_create_accepts_day_spellings(cli: Cli, value: str, day: str) -> None:
    assert create(cli, "G", "--day", value)["day"] == day


def test_create_accepts_a_time_zone_in_any_case(cli: Cli) -> None:
    assert create(cli, "G", "--timezone", "europe/rome")["timezone"] == "Europe/Rome"


@pytest.mark.parametrize(
    ("options", "fragments"),
    [
        (["--kind", "club"], ["unknown kind 'club'", "mastermind, accountability"]),
        (["--cadence", "daily"], ["unknown cadence 'daily'", "weekly, biweekly, monthly"]),
        (["--day", "funday"], ["unknown day 'funday'", "mon"]),
        (["--time", "25:00"], ["'25:00' is not a time of day", "18:30"]),
        (["--time", "18:60"], ["18:60"]),
        (["--time", "7pm"], ["'7pm'"]),
        (["--timezone", "Mars/Olympus"], ["unknown time zone 'Mars/Olympus'", "IANA"]),
        (["--duration", "5"], ["duration", "15", "480"]),
        (["--duration", "1000"], ["duration", "1000"]),
        (["--duration", "-30"], ["duration"]),
        (["--location", "Room\x1b[31m 4"], ["location", "control characters"]),
        (["--min-size", "1"], ["--min-size", "1"]),
        (["--max-size", "51"], ["--max-size", "51"]),
        (["--max-size", "0"], ["--max-size"]),
        (["--start", "2026-13-01"], ["--start", "2026-13-01"]),
        (["--start", "next week"], ["--start"]),
        (["--start", "2026-12-01", "--day", "wed"], ["2026-12-01", "wed"]),
    ],
)
def test_create_refuses_invalid_values(cli: Cli, options: list[str], fragments: list[str]) -> None:
    result = cli("group", "create", "Bad Values", *options)
    assert_error(result, *fragments)
    assert groups(cli) == []


def test_create_refuses_an_empty_name(cli: Cli) -> None:
    assert_error(cli("group", "create", "   "), "name", "empty")
    assert groups(cli) == []


def test_create_refuses_a_name_with_control_characters(cli: Cli) -> None:
    assert_error(cli("group", "create", "Evil\x1b]0;pwned\x07"), "control characters")
    assert groups(cli) == []


@pytest.mark.parametrize("zone", ["Europe", "../../etc/passwd", "/etc/localtime", "UTC/../UTC"])
def test_create_refuses_a_zone_that_is_not_an_iana_name(cli: Cli, zone: str) -> None:
    result = cli("group", "create", "Zones", "--timezone", zone)
    assert_error(result, "unknown time zone", "Europe/Rome")
    assert groups(cli) == []


def test_zone_error_suggests_close_names(cli: Cli) -> None:
    assert_error(cli("group", "create", "Zones", "--timezone", "Europe"), "Did you mean")
    assert_error(
        cli("group", "create", "Zones", "--timezone", "America/New York"), "America/New_York"
    )


def test_create_refuses_min_size_larger_than_max_size(cli: Cli) -> None:
    result = cli("group", "create", "Upside Down", "--min-size", "6", "--max-size", "4")
    assert_error(result, "--min-size (6)", "--max-size (4)")
    assert groups(cli) == []


def test_create_accepts_equal_min_and_max(cli: Cli) -> None:
    group = create(cli, "Exact", "--min-size", "5", "--max-size", "5")
    assert (group["min_size"], group["max_size"]) == (5, 5)


def test_create_with_a_non_numeric_duration_is_a_usage_error(cli: Cli) -> None:
    assert_usage_error(cli("group", "create", "G", "--duration", "long"), "--duration")


def test_create_with_an_unknown_option_is_a_usage_error(cli: Cli) -> None:
    assert_usage_error(cli("group", "create", "G", "--colour", "red"), "--colour")


def test_create_without_name_and_without_a_terminal_is_a_usage_error(cli: Cli) -> None:
    result = cli("group", "create", "--kind", "mastermind")
    assert_usage_error(result, "NAME")
    assert groups(cli) == []


def test_create_with_no_input_and_no_name_is_a_usage_error(cli: Cli) -> None:
    assert_usage_error(cli("--no-input", "group", "create"), "NAME")


def test_unknown_member_is_refused_and_nothing_is_created(cli: Cli, people: dict[str, int]) -> None:
    result = cli("group", "create", "G", "--member", "Anna Bianchi", "--member", "Zed")
    assert_error(result, "Zed")
    assert groups(cli) == []


def test_unknown_member_error_names_close_candidates(cli: Cli, people: dict[str, int]) -> None:
    result = cli("group", "create", "G", "--member", "Anna")
    assert_error(result, "no member is called 'Anna'", "Anna Bianchi", "anna@example.com")
    assert groups(cli) == []


def test_ambiguous_member_error_names_every_candidate(cli: Cli, add_member: AddMember) -> None:
    first = add_member("Sam Rossi", "sam1@example.com")
    second = add_member("Sam Rossi", "sam2@example.com")
    result = cli("group", "create", "G", "--member", "Sam Rossi")
    assert_error(result, "Sam Rossi", f"#{first}", f"#{second}", "sam1@example.com", "sam2@")
    assert groups(cli) == []


def test_unknown_member_id_is_refused(cli: Cli, people: dict[str, int]) -> None:
    assert_error(cli("group", "create", "G", "--member", "99"), "99")
    assert groups(cli) == []


def test_unknown_facilitator_is_refused_naming_candidates(cli: Cli, people: dict[str, int]) -> None:
    result = cli("group", "create", "G", "--facilitator", "carla")
    assert_error(result, "carla", "Carla Neri")
    assert groups(cli) == []


def test_facilitator_also_given_as_member_is_one_membership(
    cli: Cli, people: dict[str, int]
) -> None:
    group = create(cli, "G", "--member", "Anna Bianchi", "--facilitator", "anna@example.com")
    assert [(m["id"], m["role"]) for m in group["members"]] == [(people["anna"], "facilitator")]


def test_the_same_member_twice_is_one_membership(cli: Cli, people: dict[str, int]) -> None:
    group = create(cli, "G", "--member", "1", "--member", "anna@example.com")
    assert [m["id"] for m in group["members"]] == [people["anna"]]


def test_create_with_more_members_than_max_size_is_refused(
    cli: Cli, people: dict[str, int]
) -> None:
    result = cli(
        "group", "create", "Tiny", "--min-size", "2", "--max-size", "2",
        "--member", "1", "--member", "2", "--member", "3",
    )  # fmt: skip
    assert_error(result, "full", "group remove")
    assert groups(cli) == []


def test_a_member_who_left_cannot_join_a_new_group(cli: Cli, people: dict[str, int]) -> None:
    cli.ok("member", "remove", "dario@example.com")
    assert_error(cli("group", "create", "G", "--member", "dario@example.com"), "left")
    assert groups(cli) == []


# --- slugs ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Mastermind Martedì", "mastermind-martedi"),
        ("Ça va? Où est l'été!", "ca-va-ou-est-l-ete"),
        ("../../etc", "etc"),
        ("a/b\\c:d*e?f", "a-b-c-d-e-f"),
        ("  Spaces   Everywhere  ", "spaces-everywhere"),
        ("Crème Brûlée Club", "creme-brulee-club"),
    ],
)
def test_slug_is_ascii_and_readable(cli: Cli, name: str, slug: str) -> None:
    assert create(cli, name)["slug"] == slug


@pytest.mark.parametrize(
    "name",
    [
        "CON",
        "con",
        "Nul",
        "aux",
        "LPT1",
        "com9",
        "日本語",
        "🚀🔥",
        "...",
        "..",
        ".",
        "-",
        "/",
        "~",
        "Ω≈ç√",
        "x" * 200,
        ".hidden",
        "trailing dot.",
        "a" + "\u0301" * 5,
    ],
)
def test_slug_is_safe_as_a_folder_name_whatever_the_name(
    cli: Cli, tmp_path: Path, name: str
) -> None:
    group = create(cli, name)
    slug = group["slug"]
    assert_safe_slug(slug)
    assert group["name"] == name.strip()
    folder = tmp_path / "out" / slug
    folder.mkdir(parents=True)
    assert folder.resolve().parent == (tmp_path / "out").resolve()


def test_slugs_are_unique_whatever_the_names(cli: Cli, tmp_path: Path) -> None:
    names = ["日本語", "🚀", "中文", "Group", "group", "GROUP!", "CON", "con", "../../etc", "etc"]
    slugs = [create(cli, name)["slug"] for name in names]
    assert len(set(slugs)) == len(slugs), slugs
    for slug in slugs:
        assert_safe_slug(slug)
        (tmp_path / slug).mkdir()


def test_the_same_name_twice_gets_a_numbered_slug(cli: Cli) -> None:
    assert create(cli, "Mastermind Martedì")["slug"] == "mastermind-martedi"
    assert create(cli, "Mastermind Martedì")["slug"] == "mastermind-martedi-2"
    assert create(cli, "Mastermind Martedi")["slug"] == "mastermind-martedi-3"
    assert [g["slug"] for g in groups(cli)] == [
        "mastermind-martedi",
        "mastermind-martedi-2",
        "mastermind-martedi-3",
    ]


def test_numbered_slug_skips_a_taken_number(cli: Cli) -> None:
    assert create(cli, "Alpha 2")["slug"] == "alpha-2"
    assert create(cli, "Alpha")["slug"] == "alpha"
    assert create(cli, "Alpha")["slug"] == "alpha-3"


def test_a_group_is_found_by_its_slug_even_when_the_name_is_a_number(cli: Cli) -> None:
    """A slug that reads like another group's id must still reach its own group
    (or be refused as ambiguous, naming both): never silently the other group."""
    create(cli, "Alpha")
    numbered = create(cli, "1")
    result = cli("group", "show", numbered["slug"], "--format", "json")
    if result.exit_code == 0:
        assert as_json(result)["id"] == numbered["id"], (
            f"'group show {numbered['slug']}' showed another group"
        )
    else:
        assert_error(result, "alpha", numbered["slug"])


# --- list -----------------------------------------------------------------------------------------


def test_list_table(cli: Cli, people: dict[str, int]) -> None:
    create(cli, "Mastermind Martedì", "--member", "1", "--member", "2")
    create(cli, "Learning Circle", "--kind", "learning", "--day", "fri")
    result = cli("group", "list")
    assert result.exit_code == 0
    assert result.stderr == ""
    for text in ("mastermind-martedi", "Mastermind Martedì", "learning-circle", "learning", "fri"):
        assert text in result.stdout


def test_list_json_is_a_list_of_groups(cli: Cli, people: dict[str, int]) -> None:
    create(cli, "One", "--member", "1", "--facilitator", "2")
    create(cli, "Two")
    result = cli.ok("group", "list", "--format", "json")
    assert result.stderr == ""
    rows = as_json(result)
    assert [g["slug"] for g in rows] == ["one", "two"]
    for row in rows:
        assert_group_shape(row)
    assert rows[0] == without_fairness(show(cli, "one"))
    assert [(m["id"], m["role"]) for m in rows[0]["members"]] == [
        (people["anna"], "member"),
        (people["bruno"], "facilitator"),
    ]


def test_list_csv_has_the_json_keys_as_columns(cli: Cli, people: dict[str, int]) -> None:
    """cli.md: CSV columns are the same names as the JSON keys."""
    create(cli, "One", "--member", "1", "--location", "Via Roma 1, Bologna")
    result = cli.ok("group", "list", "--format", "csv")
    assert result.stderr == ""
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert len(rows) == 1
    header = set(rows[0])
    assert GROUP_KEYS - header == set(), f"missing CSV columns: {sorted(GROUP_KEYS - header)}"
    assert rows[0]["slug"] == "one"
    assert rows[0]["location"] == "Via Roma 1, Bologna"


def test_list_empty(cli: Cli) -> None:
    result = cli("group", "list")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "No groups yet" in stderr_of(result)
    assert cli.ok("group", "list", "--format", "json").stdout.strip() == "[]"


def test_list_format_is_case_insensitive(cli: Cli) -> None:
    create(cli, "One")
    assert as_json(cli.ok("group", "list", "--format", "JSON"))[0]["slug"] == "one"


def test_list_with_an_unknown_format_is_a_usage_error(cli: Cli) -> None:
    assert_usage_error(cli("group", "list", "--format", "xml"), "--format")


# --- show -----------------------------------------------------------------------------------------


def test_show_json_by_id_and_by_slug(cli: Cli, people: dict[str, int]) -> None:
    create(cli, "Founders", "--member", "anna@example.com")
    by_id = cli.ok("group", "show", "1", "--format", "json")
    by_slug = cli.ok("group", "show", "founders", "-f", "json")
    assert by_id.stdout == by_slug.stdout
    assert by_id.stderr == ""
    group = as_json(by_id)
    assert_group_shape(group)
    entry = group["members"][0]
    assert {key: entry[key] for key in GROUP_MEMBER_KEYS} == {
        "id": people["anna"],
        "name": "Anna Bianchi",
        "role": "member",
    }


def test_show_finds_a_slug_in_any_case(cli: Cli) -> None:
    create(cli, "Founders")
    assert show(cli, "FOUNDERS")["slug"] == "founders"


def test_show_table(cli: Cli, people: dict[str, int]) -> None:
    create(cli, "Founders", "--member", "1", "--facilitator", "2", "--timezone", "Europe/Rome")
    result = cli.ok("group", "show", "founders")
    assert result.stderr == ""
    for text in (
        "Founders",
        "founders",
        "Europe/Rome",
        "Anna Bianchi",
        "Bruno Verdi",
        "facilitator",
    ):
        assert text in result.stdout


def test_show_csv_is_one_row(cli: Cli) -> None:
    create(cli, "Founders", "--duration", "120")
    result = cli.ok("group", "show", "founders", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert len(rows) == 1
    assert set(rows[0]) >= GROUP_KEYS
    assert (rows[0]["slug"], rows[0]["duration"]) == ("founders", "120")


def test_show_unknown_group_suggests_close_slugs(cli: Cli) -> None:
    create(cli, "Mastermind Martedì")
    create(cli, "Mastermind Giovedì")
    result = cli("group", "show", "martedi")
    assert_error(result, "martedi", "mastermind-martedi")
    assert "mastermind-giovedi" not in result.stderr


def test_show_unknown_group_points_to_group_list(cli: Cli) -> None:
    assert_error(cli("group", "show", "nothing"), "nothing", "peerkit group list")
    assert_error(cli("group", "show", "42"), "42")


def test_show_without_group_is_a_usage_error(cli: Cli) -> None:
    assert_usage_error(cli("group", "show"), "G")


# --- add ------------------------------------------------------------------------------------------


def test_add_members(cli: Cli, people: dict[str, int]) -> None:
    create(cli, "Founders")
    result = cli("group", "add", "founders", "Anna Bianchi", "bruno@example.com", "3")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "added" in result.stderr
    assert "Anna Bianchi" in result.stderr
    assert member_ids(cli, "founders") == [people["anna"], people["bruno"], people["carla"]]
    assert set(roles(cli, "founders").values()) == {"member"}


def test_add_again_is_idempotent(cli: Cli, people: dict[str, int]) -> None:
    create(cli, "Founders", "--member", "1")
    result = cli("group", "add", "founders", "anna@example.com")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "already a member" in result.stderr
    assert member_ids(cli, "founders") == [people["anna"]]


def test_add_with_role_facilitator(cli: Cli, people: dict[str, int]) -> None:
    create(cli, "Founders")
    cli.ok("group", "add", "founders", "Carla Neri", "--role", "facilitator")
    assert roles(cli, "founders") == {people["carla"]: "facilitator"}


def test_add_again_with_a_role_changes_the_role(cli: Cli, people: dict[str, int]) -> None:
    create(cli, "Founders", "--member", "1")
    result = cli.ok("group", "add", "founders", "1", "--role", "facilitator")
    assert "updated" in result.stderr
    assert roles(cli, "founders") == {people["anna"]: "facilitator"}
    assert member_ids(cli, "founders") == [people["anna"]]


def test_add_with_rotates_opts_in(cli: Cli, people: dict[str, int]) -> None:
    create(cli, "Founders")
    cli.ok("group", "add", "founders", "1", "--rotates")
    cli.ok("group", "add", "founders", "2")
    rotating = {m["id"]: m.get("rotates") for m in show(cli, "founders")["members"]}
    assert rotating == {people["anna"]: True, people["bruno"]: False}
    cli.ok("group", "add", "founders", "1", "--no-rotates")
    assert show(cli, "founders")["members"][0]["rotates"] is False


def test_add_refuses_an_unknown_role(cli: Cli, people: dict[str, int]) -> None:
    create(cli, "Founders")
    assert_error(cli("group", "add", "founders", "1", "--role", "boss"), "boss", "facilitator")
    assert member_ids(cli, "founders") == []


def test_add_respects_max_size(cli: Cli, people: dict[str, int]) -> None:
    create(cli, "Pair", "--min-size", "2", "--max-size", "2", "--member", "1", "--member", "2")
    result = cli("group", "add", "pair", "carla@example.com")
    assert_error(result, "pair", "full", "2 of 2", "group remove")
    assert member_ids(cli, "pair") == [people["anna"], people["bruno"]]


def test_add_over_max_size_adds_nobody(cli: Cli, people: dict[str, int]) -> None:
    """One transaction: three members into a group with room for two adds none of them."""
    create(cli, "Pair", "--min-size", "2", "--max-size", "2")
    assert_error(cli("group", "add", "pair", "1", "2", "3"), "full")
    assert member_ids(cli, "pair") == []


def test_readding_an_existing_member_to_a_full_group_is_fine(
    cli: Cli, people: dict[str, int]
) -> None:
    create(cli, "Pair", "--min-size", "2", "--max-size", "2", "--member", "1", "--member", "2")
    result = cli("group", "add", "pair", "1")
    assert result.exit_code == 0
    assert "already a member" in result.stderr


def test_add_unknown_member_adds_nobody(cli: Cli, people: dict[str, int]) -> None:
    create(cli, "Founders")
    result = cli("group", "add", "founders", "1", "Bruno")
    assert_error(result, "Bruno", "Bruno Verdi")
    assert member_ids(cli, "founders") == []


def test_add_to_unknown_group(cli: Cli, people: dict[str, int]) -> None:
    assert_error(cli("group", "add", "nowhere", "1"), "nowhere")


def test_add_to_an_archived_group_is_refused(cli: Cli, people: dict[str, int]) -> None:
    create(cli, "Old")
    cli.ok("group", "archive", "old")
    assert_error(cli("group", "add", "old", "1"), "archived")
    assert member_ids(cli, "old") == []


def test_add_without_members_is_a_usage_error(cli: Cli) -> None:
    create(cli, "Founders")
    assert_usage_error(cli("group", "add", "founders"), "REF")


# --- remove ---------------------------------------------------------------------------------------


def test_remove_a_member(cli: Cli, people: dict[str, int]) -> None:
    create(cli, "Founders", "--member", "1", "--member", "2")
    result = cli("group", "remove", "founders", "anna@example.com")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "founders: removed" in result.stderr
    assert "Anna Bianchi" in result.stderr
    assert member_ids(cli, "founders") == [people["bruno"]]
    # Removing from a group is not leaving the community.
    member = as_json(cli.ok("member", "show", "1", "--format", "json"))
    assert member["status"] == "active"


def test_remove_someone_not_in_the_group(cli: Cli, people: dict[str, int]) -> None:
    create(cli, "Founders", "--member", "1")
    assert_error(cli("group", "remove", "founders", "2"), "not in the group founders")
    assert member_ids(cli, "founders") == [people["anna"]]


def test_remove_twice_is_an_error_the_second_time(cli: Cli, people: dict[str, int]) -> None:
    create(cli, "Founders", "--member", "1")
    cli.ok("group", "remove", "founders", "1")
    assert_error(cli("group", "remove", "founders", "1"), "not in the group")


def test_a_removed_member_can_be_added_again(cli: Cli, people: dict[str, int]) -> None:
    create(cli, "Founders", "--member", "1")
    cli.ok("group", "remove", "founders", "1")
    assert "added" in cli.ok("group", "add", "founders", "1").stderr
    assert member_ids(cli, "founders") == [people["anna"]]


def test_removing_frees_a_seat(cli: Cli, people: dict[str, int]) -> None:
    create(cli, "Pair", "--min-size", "2", "--max-size", "2", "--member", "1", "--member", "2")
    cli.ok("group", "remove", "pair", "1")
    cli.ok("group", "add", "pair", "3")
    assert member_ids(cli, "pair") == [people["bruno"], people["carla"]]


def test_remove_unknown_member_names_candidates(cli: Cli, people: dict[str, int]) -> None:
    create(cli, "Founders", "--member", "1")
    assert_error(cli("group", "remove", "founders", "Anna"), "Anna Bianchi")


# --- archive --------------------------------------------------------------------------------------


def test_archive(cli: Cli, people: dict[str, int]) -> None:
    create(cli, "Old", "--member", "1")
    create(cli, "New")
    result = cli("group", "archive", "old")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "Archived old" in result.stderr
    assert show(cli, "old")["status"] == "archived"
    assert member_ids(cli, "old") == [people["anna"]]  # history kept
    assert [g["slug"] for g in groups(cli)] == ["new"]
    assert [(g["slug"], g["status"]) for g in groups(cli, "--archived")] == [
        ("old", "archived"),
        ("new", "active"),
    ]


def test_archive_twice_is_idempotent(cli: Cli) -> None:
    create(cli, "Old")
    cli.ok("group", "archive", "old")
    result = cli("group", "archive", "1")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "already archived" in result.stderr


def test_archive_unknown_group(cli: Cli) -> None:
    assert_error(cli("group", "archive", "ghost"), "ghost")


def test_an_archived_group_gets_no_new_sessions(cli: Cli) -> None:
    create(cli, "Old")
    cli.ok("group", "archive", "old")
    assert_error(cli("session", "plan", "old", "--count", "2"), "archived")
    assert as_json(cli.ok("session", "list", "--format", "json")) == []


# --- member list --group --------------------------------------------------------------------------


def test_member_list_of_a_group(cli: Cli, people: dict[str, int]) -> None:
    create(cli, "Founders", "--member", "1", "--member", "3")
    create(cli, "Others", "--member", "2")
    rows = as_json(cli.ok("member", "list", "--group", "founders", "--format", "json"))
    assert [m["id"] for m in rows] == [people["anna"], people["carla"]]
    table = cli.ok("member", "list", "--group", "others")
    assert "Bruno Verdi" in table.stdout
    assert "Anna Bianchi" not in table.stdout


def test_member_list_of_a_group_leaves_out_removed_members(
    cli: Cli, people: dict[str, int]
) -> None:
    create(cli, "Founders", "--member", "1", "--member", "2")
    cli.ok("group", "remove", "founders", "1")
    rows = as_json(cli.ok("member", "list", "--group", "1", "--format", "json"))
    assert [m["id"] for m in rows] == [people["bruno"]]


def test_member_list_of_an_unknown_group(cli: Cli, people: dict[str, int]) -> None:
    assert_error(cli("member", "list", "--group", "ghost"), "ghost")
