"""`peerkit member ...` through the CLI: exit code, stdout and stderr asserted separately."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, Result, assert_error, assert_usage_error

AddMember = Callable[..., int]

MEMBER_KEYS = {
    "id",
    "name",
    "email",
    "timezone",
    "locale",
    "skills",
    "needs",
    "stage",
    "industry",
    "bio",
    "availability",
    "mentor_capacity",
    "status",
    "joined",
}
EXTRA_KEYS_ALLOWED = {"paused_until", "version", "changed_by", "changed_at"}  # show adds them
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# --- helpers --------------------------------------------------------------------------------------


def as_json(result: Result) -> Any:
    return json.loads(result.stdout)


def show(cli: Cli, ref: str | int) -> dict[str, Any]:
    return as_json(cli.ok("member", "show", str(ref), "--format", "json"))


def listed(cli: Cli, *options: str) -> list[dict[str, Any]]:
    return as_json(cli.ok("member", "list", "--format", "json", *options))


def listed_ids(cli: Cli, *options: str) -> list[int]:
    return [m["id"] for m in listed(cli, *options)]


def assert_member_shape(obj: dict[str, Any]) -> None:
    assert set(obj) >= MEMBER_KEYS
    assert set(obj) - MEMBER_KEYS <= EXTRA_KEYS_ALLOWED


def write_file(tmp_path: Path, text: str, name: str = "members.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def sql(db_path: Path, statement: str, *params: Any) -> None:
    """Change the database behind peerkit's back (as an older version or a script might)."""
    conn = sqlite3.connect(db_path)
    try:
        conn.execute(statement, params)
        conn.commit()
    finally:
        conn.close()


def csv_cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.fixture
def fake_tty(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make CliRunner's stdin look like a terminal, so that peerkit may prompt."""
    from typer import testing

    monkeypatch.setattr(testing._NamedTextIOWrapper, "isatty", lambda self: True, raising=False)


# --- add ------------------------------------------------------------------------------------------


def test_add_prints_only_the_new_id_on_stdout(cli: Cli) -> None:
    result = cli("member", "add", "Giulia Rossi", "--email", "giulia@example.com")
    assert result.exit_code == 0
    assert result.stdout == "1\n"
    assert "Giulia Rossi" in result.stderr


def test_add_ids_increase(add_member: AddMember) -> None:
    assert [add_member(), add_member(), add_member()] == [1, 2, 3]


def test_add_with_json_prints_the_object(cli: Cli) -> None:
    result = cli(
        "member",
        "add",
        "Giulia Rossi",
        "--email",
        "Giulia@Example.com",
        "--timezone",
        "Europe/Rome",
        "--locale",
        "it",
        "--skills",
        "branding, grafica",
        "--needs",
        "vendite",
        "--stage",
        "early",
        "--industry",
        "design",
        "--bio",
        "Grafica a Bologna.",
        "--available",
        "tue 18:00-21:00",
        "--mentor-capacity",
        "2",
        "--format",
        "json",
    )
    assert result.exit_code == 0
    member = as_json(result)
    assert_member_shape(member)
    expected = {
        "id": 1,
        "name": "Giulia Rossi",
        "email": "giulia@example.com",
        "timezone": "Europe/Rome",
        "locale": "it",
        "skills": ["branding", "grafica"],
        "needs": ["vendite"],
        "stage": "early",
        "industry": "design",
        "bio": "Grafica a Bologna.",
        "availability": ["tue 18:00-21:00"],
        "mentor_capacity": 2,
        "status": "active",
        "joined": "2026-11-27",
    }
    assert {key: member[key] for key in expected} == expected


def test_add_uses_the_built_in_defaults(cli: Cli, add_member: AddMember) -> None:
    member_id = add_member("Ann Lee", "ann@example.com")
    member = show(cli, member_id)
    assert (member["timezone"], member["locale"], member["mentor_capacity"]) == ("UTC", "en", 0)
    assert (member["skills"], member["needs"], member["availability"]) == ([], [], [])


def test_add_without_name_is_a_usage_error(cli: Cli) -> None:
    assert_usage_error(cli("member", "add", "--email", "ann@example.com"), "NAME")
    assert listed(cli) == []


def test_add_without_email_is_a_usage_error_not_a_prompt(cli: Cli) -> None:
    assert_usage_error(cli("member", "add", "Ann Lee"), "--email")
    assert listed(cli) == []


def test_add_with_unknown_option_is_a_usage_error(cli: Cli) -> None:
    result = cli("member", "add", "Ann", "--email", "ann@example.com", "--shoe-size", "42")
    assert_usage_error(result, "--shoe-size")


def test_add_with_non_numeric_capacity_is_a_usage_error(cli: Cli) -> None:
    result = cli("member", "add", "Ann", "--email", "ann@example.com", "--mentor-capacity", "x")
    assert_usage_error(result, "--mentor-capacity")


def test_add_with_negative_capacity_is_refused(cli: Cli) -> None:
    result = cli("member", "add", "Ann", "--email", "ann@example.com", "--mentor-capacity", "-1")
    assert_error(result, "capacity")


# --- e-mail validation ----------------------------------------------------------------------------


@pytest.mark.parametrize("email", ["not-an-email", "ann@", "@example.com", "ann@@example.com"])
def test_add_refuses_an_invalid_email(cli: Cli, email: str) -> None:
    assert_error(cli("member", "add", "Ann", "--email", email), "e-mail")
    assert listed(cli) == []


@pytest.mark.parametrize("email", ["ann@example.com", "ANN@EXAMPLE.COM", "Ann@Example.Com"])
def test_add_refuses_a_duplicate_email_in_any_case(
    cli: Cli,
    add_member: AddMember,
    email: str,
) -> None:
    add_member("Ann Lee", "ann@example.com")
    assert_error(cli("member", "add", "Another Ann", "--email", email), "ann@example.com")
    assert listed_ids(cli) == [1]


def test_email_is_stored_lower_case(cli: Cli, add_member: AddMember) -> None:
    add_member("Ann Lee", "Ann.Lee@Example.COM")
    assert show(cli, 1)["email"] == "ann.lee@example.com"


# --- time zones, locales, stages ------------------------------------------------------------------


@pytest.mark.parametrize(
    "zone", ["Europe", "../../etc/passwd", "America/New York", "Mars/Olympus", "/etc/localtime"]
)
def test_add_refuses_an_unknown_time_zone_cleanly(cli: Cli, zone: str) -> None:
    result = cli("member", "add", "Ann", "--email", "ann@example.com", "--timezone", zone)
    assert_error(result, "time zone")
    assert listed(cli) == []


def test_time_zone_error_suggests_the_right_name(cli: Cli) -> None:
    result = cli(
        "member", "add", "Ann", "--email", "ann@example.com", "--timezone", "America/New York"
    )
    assert_error(result, "America/New_York")


def test_add_accepts_an_iana_time_zone(cli: Cli, add_member: AddMember) -> None:
    add_member("Daniel Kim", "daniel@example.com", "--timezone", "America/New_York")
    assert show(cli, 1)["timezone"] == "America/New_York"


@pytest.mark.parametrize("stage", ["idea", "early", "growth", "established"])
def test_add_accepts_every_stage(cli: Cli, add_member: AddMember, stage: str) -> None:
    add_member(None, None, "--stage", stage)
    assert show(cli, 1)["stage"] == stage


def test_add_refuses_an_unknown_stage(cli: Cli) -> None:
    result = cli("member", "add", "Ann", "--email", "ann@example.com", "--stage", "unicorn")
    assert_error(result, "unicorn", "idea, early, growth, established")


@pytest.mark.parametrize("locale", ["en", "it"])
def test_add_accepts_both_locales(cli: Cli, add_member: AddMember, locale: str) -> None:
    add_member(None, None, "--locale", locale)
    assert show(cli, 1)["locale"] == locale


def test_add_refuses_an_unknown_locale(cli: Cli) -> None:
    result = cli("member", "add", "Ann", "--email", "ann@example.com", "--locale", "fr")
    assert_error(result, "fr")


# --- availability ---------------------------------------------------------------------------------


def test_add_with_one_availability_window(cli: Cli, add_member: AddMember) -> None:
    add_member(None, None, "--available", "mon 18:00-20:00")
    assert show(cli, 1)["availability"] == ["mon 18:00-20:00"]


def test_add_with_several_availability_windows(cli: Cli, add_member: AddMember) -> None:
    add_member(None, None, "--available", "wed 09:00-12:00", "--available", "mon 18:00-20:00")
    assert show(cli, 1)["availability"] == ["mon 18:00-20:00", "wed 09:00-12:00"]


@pytest.mark.parametrize(
    "window",
    [
        "mon 20:00-18:00",
        "xyz 10:00-11:00",
        "mon 25:00-26:00",
        "mon 18:60-19:00",
        "monday",
        "18:00-20:00",
        "mon 18:00-18:00",
    ],
)
def test_add_refuses_a_bad_availability_window(cli: Cli, window: str) -> None:
    result = cli("member", "add", "Ann", "--email", "ann@example.com", "--available", window)
    assert_error(result)
    assert listed(cli) == []


def test_a_bad_window_among_good_ones_is_named(cli: Cli) -> None:
    result = cli(
        "member",
        "add",
        "Ann",
        "--email",
        "ann@example.com",
        "--available",
        "mon 18:00-20:00",
        "--available",
        "tue 20:00-18:00",
    )
    assert_error(result, "tue 20:00-18:00")
    assert listed(cli) == []


# --- names and control characters -----------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Ann\rLee",
        "Ann\nLee",
        "Ann\r\nLee",
        "Ann\x1b[31mLee",
        "Ann\x07Lee",
        "Ann\x00Lee",
        "Ann\tLee",
        "Ann\x7fLee",
        "Ann\u202eLee",
    ],
)
def test_add_refuses_control_characters_in_a_name(cli: Cli, name: str) -> None:
    result = cli("member", "add", name, "--email", "ann@example.com")
    assert_error(result, "control character")
    assert "\x1b" not in result.stderr
    assert listed(cli) == []


def test_add_refuses_an_empty_name(cli: Cli) -> None:
    assert_error(cli("member", "add", "   ", "--email", "ann@example.com"), "name")


# --- list -----------------------------------------------------------------------------------------


def test_list_on_an_empty_database(cli: Cli) -> None:
    result = cli("member", "list")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "member add" in result.stderr


def test_list_json_on_an_empty_database_is_an_empty_list(cli: Cli) -> None:
    result = cli("member", "list", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []
    assert result.stderr.startswith("Created a new, empty database at ")
    again = cli("member", "list", "--format", "json")
    assert json.loads(again.stdout) == []
    assert again.stderr == ""


def test_list_table_shows_every_member(cli: Cli, add_member: AddMember) -> None:
    add_member("Giulia Rossi", "giulia@example.com")
    add_member("Emma Clarke", "emma@example.com")
    result = cli("member", "list")
    assert result.exit_code == 0
    assert "Giulia Rossi" in result.stdout
    assert "emma@example.com" in result.stdout
    assert result.stderr == ""


def test_list_json_is_pure_json_with_the_member_shape(cli: Cli, add_member: AddMember) -> None:
    add_member("Giulia Rossi", "giulia@example.com")
    add_member("Emma Clarke", "emma@example.com")
    result = cli("member", "list", "-f", "json")
    assert result.exit_code == 0
    assert result.stderr == ""
    members = json.loads(result.stdout)
    assert [m["name"] for m in members] == ["Giulia Rossi", "Emma Clarke"]
    for member in members:
        assert_member_shape(member)
        assert member["joined"] == "2026-11-27"


def test_list_csv_has_a_header_and_one_row_per_member(cli: Cli, add_member: AddMember) -> None:
    add_member("Giulia Rossi", "giulia@example.com", "--skills", "branding, seo")
    result = cli("member", "list", "--format", "csv")
    assert result.exit_code == 0
    assert result.stderr == ""
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 1
    assert set(rows[0]) >= MEMBER_KEYS
    assert rows[0]["name"] == "Giulia Rossi"
    assert rows[0]["email"] == "giulia@example.com"
    assert rows[0]["skills"] == "branding; seo"


def test_list_format_is_case_insensitive(cli: Cli, add_member: AddMember) -> None:
    add_member()
    assert json.loads(cli.ok("member", "list", "--format", "JSON").stdout)[0]["id"] == 1


def test_list_with_an_unknown_format_is_a_usage_error(cli: Cli) -> None:
    assert_usage_error(cli("member", "list", "--format", "xml"), "xml")


def test_list_with_an_unknown_status_is_refused(cli: Cli) -> None:
    assert_error(cli("member", "list", "--status", "gone"), "gone", "active, paused, left")


def test_list_with_an_unknown_option_is_a_usage_error(cli: Cli) -> None:
    assert_usage_error(cli("member", "list", "--bogus"), "--bogus")


# --- show and references --------------------------------------------------------------------------


def test_show_by_id(cli: Cli, add_member: AddMember) -> None:
    add_member("Giulia Rossi", "giulia@example.com")
    assert show(cli, "1")["name"] == "Giulia Rossi"


@pytest.mark.parametrize("ref", ["giulia@example.com", "GIULIA@EXAMPLE.COM", "Giulia@Example.com"])
def test_show_by_email_in_any_case(cli: Cli, add_member: AddMember, ref: str) -> None:
    add_member("Giulia Rossi", "giulia@example.com")
    assert show(cli, ref)["id"] == 1


def test_show_by_exact_name(cli: Cli, add_member: AddMember) -> None:
    add_member("Giulia Rossi", "giulia@example.com")
    add_member("Marco Bianchi", "marco@example.com")
    assert show(cli, "Marco Bianchi")["id"] == 2


def test_show_json_is_a_single_object_with_the_member_shape(
    cli: Cli, add_member: AddMember
) -> None:
    add_member("Giulia Rossi", "giulia@example.com")
    result = cli("member", "show", "1", "--format", "json")
    assert result.exit_code == 0
    assert result.stderr == ""
    member = json.loads(result.stdout)
    assert isinstance(member, dict)
    assert_member_shape(member)


def test_show_table_has_the_fields(cli: Cli, add_member: AddMember) -> None:
    add_member("Giulia Rossi", "giulia@example.com", "--timezone", "Europe/Rome")
    result = cli("member", "show", "Giulia Rossi")
    assert result.exit_code == 0
    assert result.stderr == ""
    # joined: today, in words (the table's dates are in the community's language)
    for text in ("Giulia Rossi", "giulia@example.com", "Europe/Rome", "joined          │ today"):
        assert text in result.stdout


def test_show_csv_is_one_row(cli: Cli, add_member: AddMember) -> None:
    add_member("Giulia Rossi", "giulia@example.com")
    result = cli("member", "show", "1", "-f", "csv")
    assert result.exit_code == 0
    assert result.stderr == ""
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["email"] for r in rows] == ["giulia@example.com"]


def test_show_without_a_reference_is_a_usage_error(cli: Cli) -> None:
    assert_usage_error(cli("member", "show"))


def test_show_an_unknown_id(cli: Cli, add_member: AddMember) -> None:
    add_member()
    assert_error(cli("member", "show", "99"), "99")


def test_show_an_unknown_email(cli: Cli, add_member: AddMember) -> None:
    add_member("Giulia Rossi", "giulia@example.com")
    assert_error(cli("member", "show", "nobody@example.com"), "nobody@example.com")


def test_an_unknown_reference_names_the_candidates(cli: Cli, add_member: AddMember) -> None:
    add_member("Giulia Rossi", "giulia@example.com")
    add_member("Marco Bianchi", "marco@example.com")
    result = cli("member", "show", "Giulia")
    assert_error(result, "Giulia Rossi", "giulia@example.com")
    assert "Marco" not in result.stderr


def test_an_unknown_email_names_close_candidates(cli: Cli, add_member: AddMember) -> None:
    add_member("Giulia Rossi", "giulia@example.com")
    assert_error(cli("member", "show", "giulia@example.org"), "giulia@example.com")


def test_an_ambiguous_name_lists_both_members(cli: Cli, add_member: AddMember) -> None:
    add_member("Ann Lee", "ann1@example.com")
    add_member("Ann Lee", "ann2@example.com")
    result = cli("member", "show", "Ann Lee")
    assert_error(result, "ann1@example.com", "ann2@example.com", "#1", "#2")


def test_an_ambiguous_name_is_refused_by_every_command(cli: Cli, add_member: AddMember) -> None:
    add_member("Ann Lee", "ann1@example.com")
    add_member("Ann Lee", "ann2@example.com")
    assert_error(cli("member", "remove", "Ann Lee"), "ann1@example.com", "ann2@example.com")
    assert listed_ids(cli) == [1, 2]


def test_name_reference_is_exact(cli: Cli, add_member: AddMember) -> None:
    add_member("Giulia Rossi", "giulia@example.com")
    assert_error(cli("member", "show", "Giulia Ross"))


@pytest.mark.parametrize("ref", ["²", "١٢", "99999999999999999999999", "#99"])
def test_odd_numbers_are_refused_by_every_lookup_with_the_same_words(
    cli: Cli, add_member: AddMember, ref: str
) -> None:
    """Superscript or Arabic-Indic digits, and ids too long for any row, are not crashes."""
    add_member()
    for command in (("member", "show"), ("session", "show"), ("commitment", "done"),
                    ("mentor", "end"), ("group", "show")):  # fmt: skip
        result = cli(*command, ref)
        assert_error(result, ref)
        assert "internal error" not in result.stderr


def test_every_lookup_by_id_says_where_to_look(cli: Cli, add_member: AddMember) -> None:
    add_member()
    for noun, listing in [("member", "member list"), ("session", "session list"),
                          ("commitment", "commitment list"), ("mentorship", "mentor list"),
                          ("event", "event list")]:  # fmt: skip
        command = {"member": ("member", "show"), "session": ("session", "show"),
                   "commitment": ("commitment", "done"), "mentorship": ("mentor", "end"),
                   "event": ("event", "export")}[noun]  # fmt: skip
        assert_error(cli(*command, "42"), f"no {noun} has id 42. See: peerkit {listing}")


def test_a_group_is_found_by_its_id_with_a_hash_too(cli: Cli) -> None:
    cli.ok("group", "create", "Founders")
    shown = json.loads(cli.ok("group", "show", "#1", "--format", "json").stdout)
    assert shown["slug"] == "founders"


# --- hostile text is shown literally --------------------------------------------------------------


def test_rich_markup_in_a_name_is_shown_literally_in_the_list(
    cli: Cli, add_member: AddMember
) -> None:
    add_member("[bold red]x[/]", "markup@example.com")
    result = cli("member", "list")
    assert result.exit_code == 0
    assert "[bold red]x[/]" in result.stdout


def test_rich_markup_in_a_name_is_shown_literally_by_show(cli: Cli, add_member: AddMember) -> None:
    add_member("[bold red]x[/]", "markup@example.com")
    result = cli("member", "show", "1")
    assert result.exit_code == 0
    assert "[bold red]x[/]" in result.stdout


def test_rich_markup_in_a_name_is_shown_literally_in_messages(cli: Cli) -> None:
    result = cli("member", "add", "[bold]Ann[/bold]", "--email", "ann@example.com")
    assert result.exit_code == 0
    assert "[bold]Ann[/bold]" in result.stderr


@pytest.mark.parametrize("name", ["{{ 7*7 }}", "{% raw %}x", "../../etc/passwd", "Robert'); --"])
def test_odd_names_are_stored_and_shown_literally(
    cli: Cli, add_member: AddMember, name: str
) -> None:
    add_member(name, "odd@example.com")
    assert show(cli, 1)["name"] == name
    assert show(cli, name)["id"] == 1
    table = cli.ok("member", "list").stdout
    assert name in table


def test_template_text_is_not_evaluated(cli: Cli, add_member: AddMember) -> None:
    add_member("{{ 7*7 }}", "odd@example.com", "--bio", "{{ 6*7 }}")
    result = cli.ok("member", "show", "1")
    assert "{{ 7*7 }}" in result.stdout
    assert "{{ 6*7 }}" in result.stdout
    assert "49" not in result.stdout
    assert "42" not in result.stdout


def test_an_unknown_reference_with_escapes_is_not_echoed_raw(
    cli: Cli, add_member: AddMember
) -> None:
    add_member()
    result = cli("member", "show", "\x1b[31mAnn\x1b]0;pwned\x07")
    assert_error(result)
    assert "\x1b" not in result.stderr
    assert "\x07" not in result.stderr


def test_an_unknown_email_with_escapes_is_not_echoed_raw(cli: Cli) -> None:
    result = cli("member", "show", "\x1b[2Jann@example.com")
    assert_error(result)
    assert "\x1b" not in result.stderr


@pytest.fixture
def hostile_member(cli: Cli, add_member: AddMember, db_path: Path) -> int:
    """A member whose stored text holds escape sequences (written behind peerkit's back)."""
    member_id = add_member("Ann Lee", "ann@example.com")
    sql(
        db_path,
        "UPDATE member SET name = ?, bio = ?, industry = ?, skills = ? WHERE id = ?",
        "Ann\x1b[2JLee",
        "bio \x1b[31mred\x1b]0;title\x07 end",
        "\x9b31mcsi",
        json.dumps(["\x1b[5mblink"]),
        member_id,
    )
    return member_id


@pytest.mark.parametrize(
    "args",
    [
        ("member", "list"),
        ("member", "list", "-f", "json"),
        ("member", "list", "-f", "csv"),
        ("member", "show", "1"),
        ("member", "show", "1", "-f", "json"),
        ("member", "show", "1", "-f", "csv"),
        ("member", "export"),
        ("member", "export", "-f", "json"),
        ("member", "export", "1"),
        ("member", "export", "1", "-f", "csv"),
        ("member", "edit", "1", "--stage", "idea"),
        ("member", "pause", "1"),
        ("member", "remove", "1"),
    ],
    ids=lambda a: " ".join(a),
)
def test_stored_escape_sequences_never_reach_the_terminal(
    cli: Cli, hostile_member: int, args: tuple[str, ...]
) -> None:
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    for raw in ("\x1b", "\x07", "\x9b"):
        assert raw not in result.stdout
        assert raw not in result.stderr


def test_candidates_with_escapes_are_listed_safely(
    cli: Cli, add_member: AddMember, db_path: Path
) -> None:
    add_member("Ann", "ann1@example.com")
    add_member("Ann", "ann2@example.com")
    sql(db_path, "UPDATE member SET name = ?", "Ann\x1b[31m")
    result = cli("member", "show", "Ann\x1b[31m")
    assert_error(result, "ann1@example.com", "ann2@example.com")
    assert "\x1b" not in result.stderr


def test_json_escapes_stored_controls_but_keeps_the_text_exact(
    cli: Cli, hostile_member: int
) -> None:
    member = show(cli, hostile_member)
    assert member["bio"] == "bio \x1b[31mred\x1b]0;title\x07 end"


# --- edit -----------------------------------------------------------------------------------------


def test_edit_changes_the_given_fields_only(cli: Cli, add_member: AddMember) -> None:
    add_member("Ann Lee", "ann@example.com", "--stage", "idea", "--locale", "it")
    result = cli("member", "edit", "ann@example.com", "--name", "Ann Leigh", "--stage", "growth")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "Ann Leigh" in result.stderr
    member = show(cli, 1)
    assert (member["name"], member["stage"], member["locale"]) == ("Ann Leigh", "growth", "it")


def test_edit_email(cli: Cli, add_member: AddMember) -> None:
    add_member("Ann Lee", "ann@example.com")
    cli.ok("member", "edit", "1", "--email", "Ann.Lee@Example.com")
    assert show(cli, "ann.lee@example.com")["id"] == 1


def test_edit_to_another_members_email_is_refused(cli: Cli, add_member: AddMember) -> None:
    add_member("Ann Lee", "ann@example.com")
    add_member("Bob Ray", "bob@example.com")
    assert_error(cli("member", "edit", "2", "--email", "ANN@example.com"), "ann@example.com")
    assert show(cli, 2)["email"] == "bob@example.com"


def test_edit_replaces_and_clears_lists(cli: Cli, add_member: AddMember) -> None:
    add_member(None, None, "--skills", "seo", "--available", "mon 18:00-20:00")
    cli.ok("member", "edit", "1", "--skills", "", "--available", "fri 09:00-10:00")
    member = show(cli, 1)
    assert (member["skills"], member["availability"]) == ([], ["fri 09:00-10:00"])


def test_edit_without_any_option_is_a_usage_error(cli: Cli, add_member: AddMember) -> None:
    add_member()
    assert_usage_error(cli("member", "edit", "1"))


def test_edit_without_a_reference_is_a_usage_error(cli: Cli) -> None:
    assert_usage_error(cli("member", "edit", "--name", "X"))


def test_edit_an_unknown_member(cli: Cli) -> None:
    assert_error(cli("member", "edit", "7", "--name", "X"), "7")


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--timezone", "Europe"),
        ("--timezone", "../../etc/passwd"),
        ("--available", "mon 20:00-18:00"),
        ("--stage", "huge"),
        ("--locale", "de"),
        ("--email", "nope"),
        ("--name", "Ann\x1b[31m"),
        ("--name", ""),
    ],
)
def test_edit_refuses_invalid_values_and_changes_nothing(
    cli: Cli,
    add_member: AddMember,
    option: str,
    value: str,
) -> None:
    add_member("Ann Lee", "ann@example.com")
    before = show(cli, 1)
    result = cli("member", "edit", "1", "--stage", "early", option, value)
    assert_error(result)
    assert "\x1b" not in result.stderr
    assert show(cli, 1) == before


# --- pause, resume, remove ------------------------------------------------------------------------


def test_pause_without_end(cli: Cli, add_member: AddMember) -> None:
    add_member("Ann Lee", "ann@example.com")
    result = cli("member", "pause", "Ann Lee")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "Paused" in result.stderr
    member = show(cli, 1)
    assert (member["status"], member.get("paused_until")) == ("paused", None)


def test_pause_until_a_date(cli: Cli, add_member: AddMember) -> None:
    add_member()
    result = cli("member", "pause", "1", "--until", "2027-01-15")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "2027-01-15" in result.stderr
    member = show(cli, 1)
    assert (member["status"], member["paused_until"]) == ("paused", "2027-01-15")


def test_a_pause_ends_on_its_date(
    cli: Cli,
    add_member: AddMember,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    add_member()
    cli.ok("member", "pause", "1", "--until", "2027-01-15")
    monkeypatch.setenv("PEERKIT_TODAY", "2027-01-15")
    assert show(cli, 1)["status"] == "active"
    assert listed_ids(cli, "--status", "active") == [1]


@pytest.mark.parametrize("until", ["2026-11-27", "2020-01-01"])
def test_pause_until_today_or_earlier_is_refused(
    cli: Cli, add_member: AddMember, until: str
) -> None:
    add_member()
    assert_error(cli("member", "pause", "1", "--until", until), "2026-11-27")
    assert show(cli, 1)["status"] == "active"


@pytest.mark.parametrize("until", ["tomorrow", "15/01/2027", "2027-02-30"])
def test_pause_until_a_non_date_is_refused(cli: Cli, add_member: AddMember, until: str) -> None:
    add_member()
    assert_error(cli("member", "pause", "1", "--until", until), until)


def test_paused_members_are_listed_by_default_and_by_status(
    cli: Cli, add_member: AddMember
) -> None:
    add_member()
    add_member()
    cli.ok("member", "pause", "2")
    assert listed_ids(cli) == [1, 2]
    assert listed_ids(cli, "--status", "paused") == [2]
    assert listed_ids(cli, "--status", "active") == [1]


def test_resume_a_paused_member(cli: Cli, add_member: AddMember) -> None:
    add_member()
    cli.ok("member", "pause", "1", "--until", "2027-01-15")
    result = cli("member", "resume", "1")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "resumed" in result.stderr
    member = show(cli, 1)
    assert (member["status"], member.get("paused_until")) == ("active", None)


def test_resume_an_active_member_says_so(cli: Cli, add_member: AddMember) -> None:
    add_member()
    result = cli("member", "resume", "1")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "already active" in result.stderr


def test_remove_marks_the_member_as_left(cli: Cli, add_member: AddMember) -> None:
    add_member("Ann Lee", "ann@example.com")
    add_member("Bob Ray", "bob@example.com")
    result = cli("member", "remove", "ann@example.com")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "Ann Lee" in result.stderr
    assert show(cli, 1)["status"] == "left"


def test_members_who_left_are_only_listed_with_status_left(cli: Cli, add_member: AddMember) -> None:
    add_member("Ann Lee", "ann@example.com")
    add_member("Bob Ray", "bob@example.com")
    cli.ok("member", "remove", "1")
    assert listed_ids(cli) == [2]
    assert listed_ids(cli, "--status", "left") == [1]
    assert "Ann Lee" not in cli.ok("member", "list").stdout
    assert "Ann Lee" in cli.ok("member", "list", "--status", "left").stdout


def test_remove_keeps_the_history(cli: Cli, add_member: AddMember) -> None:
    add_member()
    cli.ok("member", "remove", "1")
    record = as_json(cli.ok("member", "export", "1", "--format", "json"))
    assert [h["action"] for h in record["history"]] == ["joined", "left"]


def test_remove_twice_is_harmless(cli: Cli, add_member: AddMember) -> None:
    add_member()
    cli.ok("member", "remove", "1")
    result = cli("member", "remove", "1")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "already" in result.stderr


def test_pause_a_member_who_left_is_refused(cli: Cli, add_member: AddMember) -> None:
    add_member()
    cli.ok("member", "remove", "1")
    assert_error(cli("member", "pause", "1"), "resume")
    assert show(cli, 1)["status"] == "left"


def test_resume_a_member_who_left(cli: Cli, add_member: AddMember) -> None:
    add_member()
    cli.ok("member", "remove", "1")
    cli.ok("member", "resume", "1")
    assert listed_ids(cli) == [1]


@pytest.mark.parametrize(
    "args",
    [
        ("remove", "nobody@example.com"),
        ("pause", "nobody@example.com"),
        ("resume", "nobody@example.com"),
        ("forget", "nobody@example.com", "--yes"),
    ],
)
def test_status_commands_on_an_unknown_member(cli: Cli, args: tuple[str, ...]) -> None:
    assert_error(cli("member", *args), "nobody@example.com")


@pytest.mark.parametrize("command", ["remove", "pause", "resume", "forget"])
def test_status_commands_without_a_reference(cli: Cli, command: str) -> None:
    assert_usage_error(cli("member", command))


# --- forget ---------------------------------------------------------------------------------------


def test_forget_anonymises_but_keeps_the_id(cli: Cli, add_member: AddMember) -> None:
    add_member("Ann Lee", "ann.lee@example.com", "--bio", "Secret life story")
    add_member("Bob Ray", "bob@example.com")
    result = cli("member", "forget", "ann.lee@example.com", "--yes")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "Erased" in result.stderr
    left = cli.ok("member", "list", "--status", "left", "-f", "json").stdout
    assert [m["id"] for m in json.loads(left)] == [1]
    for secret in ("Ann Lee", "ann.lee@example.com", "Secret life story"):
        assert secret not in left


def test_a_forgotten_member_is_no_longer_found_by_name_or_email(
    cli: Cli, add_member: AddMember
) -> None:
    add_member("Ann Lee", "ann.lee@example.com")
    cli.ok("member", "forget", "1", "--yes")
    assert_error(cli("member", "show", "Ann Lee"))
    assert_error(cli("member", "show", "ann.lee@example.com"))


def test_forget_leaves_no_trace_in_the_database_files(
    cli: Cli,
    add_member: AddMember,
    db_path: Path,
) -> None:
    add_member("Zelda Quixotic", "zelda.quixotic@example.com", "--bio", "Unforgettable bio")
    add_member("Bob Ray", "bob@example.com")
    cli.ok("member", "forget", "Zelda Quixotic", "--yes")
    data = b"".join(p.read_bytes() for p in db_path.parent.glob(db_path.name + "*"))
    for secret in (b"Zelda Quixotic", b"zelda.quixotic", b"Unforgettable bio"):
        assert secret not in data
    assert b"bob@example.com" in data


def test_forget_without_yes_and_without_a_tty_is_a_usage_error(
    cli: Cli, add_member: AddMember
) -> None:
    add_member("Ann Lee", "ann@example.com")
    assert_usage_error(cli("member", "forget", "1"), "--yes")
    assert show(cli, 1)["name"] == "Ann Lee"


def test_forget_on_a_tty_asks_and_can_be_declined(
    cli: Cli, add_member: AddMember, fake_tty: None
) -> None:
    add_member("Ann Lee", "ann@example.com")
    result = cli("member", "forget", "1", input="n\n")
    assert result.exit_code == 1
    assert "Erase" in result.stderr  # the question goes to stderr (CliRunner echoes the answer)
    assert show(cli, 1)["name"] == "Ann Lee"


def test_forget_on_a_tty_asks_and_can_be_confirmed(
    cli: Cli, add_member: AddMember, fake_tty: None
) -> None:
    add_member("Ann Lee", "ann@example.com")
    result = cli("member", "forget", "1", input="y\n")
    assert result.exit_code == 0
    assert "Erased" in result.stderr
    assert show(cli, 1)["email"] is None


def test_forget_with_no_input_never_asks_even_on_a_tty(
    cli: Cli,
    add_member: AddMember,
    fake_tty: None,
) -> None:
    add_member("Ann Lee", "ann@example.com")
    assert_usage_error(cli("--no-input", "member", "forget", "1", input="y\n"), "--yes")
    assert show(cli, 1)["name"] == "Ann Lee"


def test_forget_twice_is_refused(cli: Cli, add_member: AddMember) -> None:
    add_member()
    cli.ok("member", "forget", "1", "--yes")
    assert_error(cli("member", "forget", "1", "--yes"), "already")


@pytest.mark.parametrize(
    "args",
    [
        ("edit", "1", "--name", "Back Again"),
        ("pause", "1"),
        ("resume", "1"),
        ("remove", "1"),
    ],
)
def test_a_forgotten_member_cannot_be_changed(
    cli: Cli,
    add_member: AddMember,
    args: tuple[str, ...],
) -> None:
    add_member()
    cli.ok("member", "forget", "1", "--yes")
    assert_error(cli("member", *args), "forgotten")
    assert show(cli, 1)["status"] == "left"


def test_a_forgotten_email_can_join_again(cli: Cli, add_member: AddMember) -> None:
    add_member("Ann Lee", "ann@example.com")
    cli.ok("member", "forget", "1", "--yes")
    assert add_member("Ann Lee", "ann@example.com") == 2


def test_forgotten_members_are_not_exported(cli: Cli, add_member: AddMember) -> None:
    add_member("Ann Lee", "ann@example.com")
    add_member("Bob Ray", "bob@example.com")
    cli.ok("member", "forget", "1", "--yes")
    exported = cli.ok("member", "export").stdout
    assert "Ann Lee" not in exported
    assert "Forgotten" not in exported
    assert "bob@example.com" in exported


# --- export ---------------------------------------------------------------------------------------


def test_export_writes_csv_to_stdout_by_default(cli: Cli, add_member: AddMember) -> None:
    add_member("Giulia Rossi", "giulia@example.com")
    result = cli("member", "export")
    assert result.exit_code == 0
    assert result.stderr == ""
    header, *rows = csv_cells(result.stdout)
    assert set(header) >= MEMBER_KEYS
    assert len(rows) == 1
    assert dict(zip(header, rows[0], strict=True))["email"] == "giulia@example.com"


def test_export_includes_members_who_left(cli: Cli, add_member: AddMember) -> None:
    add_member()
    add_member()
    cli.ok("member", "remove", "2")
    rows = list(csv.DictReader(io.StringIO(cli.ok("member", "export").stdout)))
    assert [(r["id"], r["status"]) for r in rows] == [("1", "active"), ("2", "left")]


def test_export_json_is_a_list_of_members(cli: Cli, add_member: AddMember) -> None:
    add_member("Giulia Rossi", "giulia@example.com")
    result = cli("member", "export", "--format", "json")
    assert result.exit_code == 0
    assert result.stderr == ""
    members = json.loads(result.stdout)
    assert [m["email"] for m in members] == ["giulia@example.com"]
    assert_member_shape(members[0])


def test_export_as_a_table_is_a_usage_error(cli: Cli, add_member: AddMember) -> None:
    add_member()
    assert_usage_error(cli("member", "export", "--format", "table"))


def test_export_to_a_file_is_private_and_quiet(
    cli: Cli,
    add_member: AddMember,
    tmp_path: Path,
) -> None:
    add_member("Giulia Rossi", "giulia@example.com")
    target = tmp_path / "members.csv"
    result = cli("member", "export", "--output", str(target))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert str(target) in result.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert "giulia@example.com" in target.read_text(encoding="utf-8")


def test_export_json_to_a_file(cli: Cli, add_member: AddMember, tmp_path: Path) -> None:
    add_member("Giulia Rossi", "giulia@example.com")
    target = tmp_path / "members.json"
    result = cli("member", "export", "-f", "json", "-o", str(target))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))[0]["name"] == "Giulia Rossi"


def test_export_over_an_existing_file_keeps_it_private(
    cli: Cli,
    add_member: AddMember,
    tmp_path: Path,
) -> None:
    add_member()
    target = tmp_path / "members.csv"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o644)
    cli.ok("member", "export", "--output", str(target), "--force")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text(encoding="utf-8").startswith("id,")


def test_export_into_a_missing_folder_is_refused(
    cli: Cli,
    add_member: AddMember,
    tmp_path: Path,
) -> None:
    add_member()
    target = tmp_path / "nowhere" / "members.csv"
    assert_error(cli("member", "export", "--output", str(target)), "nowhere")
    assert not target.exists()


def test_export_one_member_returns_their_record(cli: Cli, add_member: AddMember) -> None:
    add_member("Ann Lee", "ann@example.com")
    add_member("Bob Ray", "bob@example.com", "--bio", "Bob's bio")
    add_member("Cy Twombly", "cy@example.com")
    cli.ok("member", "pause", "2")
    result = cli("member", "export", "bob@example.com")
    assert result.exit_code == 0
    assert result.stderr == ""
    record = json.loads(result.stdout)
    assert record["member"]["id"] == 2
    assert record["member"]["bio"] == "Bob's bio"
    assert_member_shape(record["member"])
    assert [h["action"] for h in record["history"]] == ["joined", "paused"]


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_one_member_holds_nobody_else(cli: Cli, add_member: AddMember, fmt: str) -> None:
    add_member("Ann Lee", "ann@example.com")
    add_member("Bob Ray", "bob@example.com")
    add_member("Cy Twombly", "cy@example.com")
    result = cli("member", "export", "2", "--format", fmt)
    assert result.exit_code == 0
    assert "bob@example.com" in result.stdout
    for other in ("Ann Lee", "ann@example.com", "Cy Twombly", "cy@example.com"):
        assert other not in result.stdout
        assert other not in result.stderr


def test_export_one_member_to_a_file(cli: Cli, add_member: AddMember, tmp_path: Path) -> None:
    add_member("Ann Lee", "ann@example.com")
    target = tmp_path / "ann.json"
    result = cli("member", "export", "Ann Lee", "--output", str(target))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert json.loads(target.read_text(encoding="utf-8"))["member"]["email"] == "ann@example.com"


def test_export_an_unknown_member(cli: Cli, add_member: AddMember) -> None:
    add_member()
    assert_error(cli("member", "export", "nobody@example.com"))


# --- import ---------------------------------------------------------------------------------------


def test_import_adds_every_row(cli: Cli, tmp_path: Path) -> None:
    path = write_file(
        tmp_path,
        "name,email,timezone,skills,availability\n"
        + 'Giulia Rossi,giulia@example.com,Europe/Rome,"branding, grafica",tue 18:00-21:00\n'
        + "Emma Clarke,emma@example.com,Europe/London,,\n",
    )
    result = cli("member", "import", str(path))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "2" in result.stderr
    members = listed(cli)
    assert [m["email"] for m in members] == ["giulia@example.com", "emma@example.com"]
    assert members[0]["skills"] == ["branding", "grafica"]
    assert members[0]["availability"] == ["tue 18:00-21:00"]
    assert members[1]["timezone"] == "Europe/London"


def test_import_with_one_bad_row_imports_nothing(cli: Cli, tmp_path: Path) -> None:
    path = write_file(
        tmp_path,
        "name,email\nAnn Lee,ann@example.com\nBob Ray,not-an-email\nCy Twombly,cy@example.com\n",
    )
    assert_error(cli("member", "import", str(path)), "line 3")
    assert listed(cli) == []


def test_import_names_every_bad_row_with_its_line(cli: Cli, tmp_path: Path) -> None:
    path = write_file(
        tmp_path,
        "name,email,bio,timezone\n"  # line 1
        'Ann Lee,ann@example.com,"line one\n'  # line 2
        'line two",\n'  # line 3
        "Bob Ray,not-an-email,,\n"  # line 4
        "Cy Twombly,cy@example.com,,\n"  # line 5
        "Dee Dee,,,\n"  # line 6
        'Eve Arden,eve@example.com,"a\n'  # line 7
        "b\n"  # line 8
        'c",Europe\n'  # line 9
        "Fay Wray,fay@example.com,,\n"  # line 10
        ",nameless@example.com,,\n",  # line 11
    )
    result = cli("member", "import", str(path))
    assert_error(result, "line 4:", "line 6:", "line 7:", "line 11:")
    for good_line in ("line 2:", "line 3:", "line 5:", "line 8:", "line 9:", "line 10:"):
        assert good_line not in result.stderr
    assert listed(cli) == []


def test_import_reports_several_problems_on_one_row(cli: Cli, tmp_path: Path) -> None:
    path = write_file(tmp_path, "name,email,stage,locale\nAnn,ann@example.com,huge,fr\n")
    result = cli("member", "import", str(path))
    assert_error(result, "huge", "fr")
    assert result.stderr.count("line 2:") == 2


def test_import_reports_a_bad_row_and_a_conflict_with_the_database(
    cli: Cli,
    add_member: AddMember,
    tmp_path: Path,
) -> None:
    add_member("Ann Lee", "ann@example.com")
    path = write_file(
        tmp_path, "name,email\nNew One,new@example.com\nAnn Again,ANN@example.com\nBad,bad\n"
    )
    result = cli("member", "import", str(path))
    assert_error(result, "line 3:", "line 4:", "--update")
    assert listed_ids(cli) == [1]


def test_import_refuses_a_duplicate_email_inside_the_file(cli: Cli, tmp_path: Path) -> None:
    path = write_file(
        tmp_path,
        "name,email\nAnn Lee,ann@example.com\nBob Ray,bob@example.com\nAnn,ANN@example.com\n",
    )
    result = cli("member", "import", str(path))
    assert_error(result, "line 4:", "line 2")
    assert listed(cli) == []


def test_import_refuses_control_characters(cli: Cli, tmp_path: Path) -> None:
    path = write_file(tmp_path, "name,email\nAnn\x1b[31mLee,ann@example.com\n")
    result = cli("member", "import", str(path))
    assert_error(result, "line 2:")
    assert "\x1b" not in result.stderr
    assert listed(cli) == []


def test_import_dry_run_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    path = write_file(tmp_path, "name,email\nAnn Lee,ann@example.com\nBob Ray,bob@example.com\n")
    result = cli("member", "import", str(path), "--dry-run")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "2" in result.stderr
    assert listed(cli) == []


def test_import_dry_run_still_reports_bad_rows(cli: Cli, tmp_path: Path) -> None:
    path = write_file(tmp_path, "name,email\nAnn Lee,ann@example.com\nBob Ray,bad\n")
    assert_error(cli("member", "import", str(path), "--dry-run"), "line 3:")


def test_import_dry_run_of_an_update_changes_nothing(
    cli: Cli,
    add_member: AddMember,
    tmp_path: Path,
) -> None:
    add_member("Ann Lee", "ann@example.com")
    path = write_file(tmp_path, "name,email\nAnn Leigh,ann@example.com\n")
    cli.ok("member", "import", str(path), "--update", "--dry-run")
    assert show(cli, 1)["name"] == "Ann Lee"


def test_import_existing_member_without_update_is_refused(
    cli: Cli,
    add_member: AddMember,
    tmp_path: Path,
) -> None:
    add_member("Ann Lee", "ann@example.com")
    path = write_file(tmp_path, "name,email\nAnn Leigh,Ann@Example.com\n")
    assert_error(cli("member", "import", str(path)), "line 2:", "--update")
    assert show(cli, 1)["name"] == "Ann Lee"


def test_import_update_matches_by_email(cli: Cli, add_member: AddMember, tmp_path: Path) -> None:
    add_member("Ann Lee", "ann@example.com", "--locale", "it")
    path = write_file(
        tmp_path, "name,email,stage\nAnn Leigh,ANN@example.com,growth\nNew One,new@example.com,\n"
    )
    result = cli("member", "import", str(path), "--update")
    assert result.exit_code == 0
    assert result.stdout == ""
    ann = show(cli, 1)
    assert (ann["name"], ann["stage"], ann["locale"]) == ("Ann Leigh", "growth", "it")
    assert show(cli, "new@example.com")["id"] == 2


def test_import_update_matches_by_id(cli: Cli, add_member: AddMember, tmp_path: Path) -> None:
    add_member("Ann Lee", "ann@example.com")
    path = write_file(tmp_path, "id,name,email\n1,Ann Leigh,ann.leigh@example.com\n")
    cli.ok("member", "import", str(path), "--update")
    member = show(cli, 1)
    assert (member["name"], member["email"]) == ("Ann Leigh", "ann.leigh@example.com")
    assert listed_ids(cli) == [1]


def test_import_update_refuses_an_id_and_email_of_different_members(
    cli: Cli,
    add_member: AddMember,
    tmp_path: Path,
) -> None:
    add_member("Ann Lee", "ann@example.com")
    add_member("Bob Ray", "bob@example.com")
    path = write_file(tmp_path, "id,name,email\n1,Ann Lee,bob@example.com\n")
    assert_error(cli("member", "import", str(path), "--update"), "line 2:")
    assert show(cli, 1)["email"] == "ann@example.com"


def test_import_semicolon_separated_file_from_italian_excel(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "soci.csv"
    path.write_bytes(
        "\ufeffname;email;skills;bio\r\n"
        "Giulia Rossi;giulia@example.com;branding, grafica;Grafica, a Bologna\r\n"
        "Niccolò Ferrà;niccolo@example.com;;\r\n".encode()
    )
    result = cli("member", "import", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    members = listed(cli)
    assert [m["name"] for m in members] == ["Giulia Rossi", "Niccolò Ferrà"]
    assert members[0]["skills"] == ["branding", "grafica"]
    assert members[0]["bio"] == "Grafica, a Bologna"


def test_import_utf8_with_bom(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfname,email\nJos\xc3\xa9 B\xc3\xa9,jose@example.com\n")
    cli.ok("member", "import", str(path))
    assert listed(cli)[0]["name"] == "José Bé"


def test_import_a_non_utf8_file_is_refused(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("name,email\nJosé,jose@example.com\n".encode("latin-1"))
    assert_error(cli("member", "import", str(path)), "UTF-8")
    assert listed(cli) == []


def test_import_an_empty_file_is_refused(cli: Cli, tmp_path: Path) -> None:
    path = write_file(tmp_path, "")
    assert_error(cli("member", "import", str(path)), "empty")


def test_import_a_header_only_file_imports_nothing(cli: Cli, tmp_path: Path) -> None:
    path = write_file(tmp_path, "name,email\n")
    result = cli("member", "import", str(path))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert listed(cli) == []


def test_import_a_missing_file_is_refused(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"
    assert_error(cli("member", "import", str(path)), "nope.csv")


def test_import_a_folder_is_refused(cli: Cli, tmp_path: Path) -> None:
    assert_error(cli("member", "import", str(tmp_path)))


def test_import_without_a_file_is_a_usage_error(cli: Cli) -> None:
    assert_usage_error(cli("member", "import"))


def test_import_an_unknown_column_is_refused(cli: Cli, tmp_path: Path) -> None:
    path = write_file(tmp_path, "name,email,shoe_size\nAnn Lee,ann@example.com,42\n")
    assert_error(cli("member", "import", str(path)), "shoe_size")
    assert listed(cli) == []


@pytest.mark.parametrize(("header", "missing"), [("name", "email"), ("email", "name")])
def test_import_without_a_required_column_is_refused(
    cli: Cli, tmp_path: Path, header: str, missing: str
) -> None:
    path = write_file(tmp_path, f"{header}\nann@example.com\n")
    assert_error(cli("member", "import", str(path)), missing)
    assert listed(cli) == []


def test_import_a_row_with_too_many_cells(cli: Cli, tmp_path: Path) -> None:
    path = write_file(tmp_path, "name,email\nAnn Lee,ann@example.com,extra\n")
    assert_error(cli("member", "import", str(path)), "line 2:")


def test_import_uses_the_header_order(cli: Cli, tmp_path: Path) -> None:
    path = write_file(tmp_path, "Email,Name\nann@example.com,Ann Lee\n")
    cli.ok("member", "import", str(path))
    assert listed(cli)[0]["name"] == "Ann Lee"


# --- round trip -----------------------------------------------------------------------------------


@pytest.fixture
def varied_members(cli: Cli, add_member: AddMember) -> None:
    """Members whose cells would trip a spreadsheet or a naive CSV writer."""
    add_member(
        '=HYPERLINK("http://evil.example","x")',
        "formula@example.com",
        "--industry",
        "+sum",
        "--bio",
        '-1 and then\na second line, with "quotes"',
        "--skills",
        "@mention, seo",
        "--needs",
        "=cmd",
    )
    add_member("'=already quoted", "quoted@example.com", "--industry", "'plain", "--bio", "@at")
    add_member(
        "Niccolò Ferrà",
        "niccolo@example.com",
        "--timezone",
        "Europe/Rome",
        "--locale",
        "it",
        "--stage",
        "growth",
        "--available",
        "mon 18:00-20:00",
        "--available",
        "thu 07:00-09:00",
        "--mentor-capacity",
        "3",
    )
    add_member("Paused Person", "paused@example.com")
    cli.ok("member", "pause", "4", "--until", "2027-02-01")
    add_member("Gone Person", "gone@example.com")
    cli.ok("member", "remove", "5")


def round_trip(cli: Cli, tmp_path: Path) -> tuple[bytes, bytes]:
    """Export, import into a fresh database, export again: the two files' bytes."""
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    cli.ok("member", "export", "--output", str(first))
    fresh = Cli(tmp_path / "fresh" / "peerkit.db")
    fresh.ok("member", "import", str(first))
    fresh.ok("member", "export", "--output", str(second))
    return first.read_bytes(), second.read_bytes()


def test_exported_cells_are_neutralised_for_spreadsheets(cli: Cli, varied_members: None) -> None:
    text = cli.ok("member", "export").stdout
    cells = [c for row in csv_cells(text) for c in row]
    assert '\'=HYPERLINK("http://evil.example","x")' in cells
    assert "'+sum" in cells
    for cell in cells:
        assert not cell.startswith(FORMULA_STARTS), cell


def test_export_import_export_is_byte_identical(
    cli: Cli, varied_members: None, tmp_path: Path
) -> None:
    first, second = round_trip(cli, tmp_path)
    assert second == first


def test_import_restores_neutralised_cells(cli: Cli, varied_members: None, tmp_path: Path) -> None:
    exported = tmp_path / "members.csv"
    cli.ok("member", "export", "--output", str(exported))
    fresh = Cli(tmp_path / "fresh" / "peerkit.db")
    fresh.ok("member", "import", str(exported))
    assert as_json(fresh.ok("member", "list", "-f", "json")) == listed(cli)
    assert show(fresh, 2)["name"] == "'=already quoted"


@pytest.mark.parametrize(
    "bio", ["\tindented bio", "\rcarriage bio", "two\rlines"], ids=["tab", "cr", "inner-cr"]
)
def test_stored_tab_and_cr_cells_are_neutralised_and_round_trip(
    cli: Cli,
    add_member: AddMember,
    db_path: Path,
    tmp_path: Path,
    bio: str,
) -> None:
    """Written by an older version or a script: export must still be safe and faithful."""
    add_member("Odd Bio", "odd@example.com")
    sql(db_path, "UPDATE member SET bio = ? WHERE id = 1", bio)
    first, second = round_trip(cli, tmp_path)
    rows = csv_cells(first.decode())
    assert len(rows) == 2, rows  # a header and one row: the CR did not split the row
    exported = dict(zip(*rows, strict=True))["bio"]
    # A TAB is kept (neutralised when it leads); a CR is shown as the escape \x0d.
    expected = bio.replace("\r", "\\x0d")
    assert exported == ("'" + expected if expected.startswith(FORMULA_STARTS) else expected)
    assert second == first


def test_json_export_matches_list(cli: Cli, varied_members: None) -> None:
    exported = as_json(cli.ok("member", "export", "-f", "json"))
    everyone = listed(cli) + listed(cli, "--status", "left")
    assert sorted(exported, key=lambda m: m["id"]) == sorted(everyone, key=lambda m: m["id"])


# --- help -----------------------------------------------------------------------------------------


def test_member_without_a_subcommand_shows_help(cli: Cli) -> None:
    result = cli("member")
    assert result.exit_code in (0, 2)
    assert "import" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_unknown_member_subcommand_is_a_usage_error(cli: Cli) -> None:
    assert_usage_error(cli("member", "frobnicate"), "frobnicate")
