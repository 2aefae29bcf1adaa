"""Preparing meetings through the CLI: commitments, agendas, templates and `plan week`.

Exit code, stdout and stderr are asserted separately. The contract is cli.md (commitment,
agenda, templates and plan week) and issue 3: open commitments carry to the next
meeting's agenda, user templates are sandboxed, `plan week` is idempotent.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from peerkit.resources import builtin_templates_dir
from tests.conftest import Cli, Result, assert_error, assert_usage_error, without_creation_note

AddMember = Callable[..., int]

COMMITMENT_KEYS = {"id", "member", "session", "text", "due", "status"}
COMMITMENT_EXTRA_KEYS = {"member_name", "group"}
SESSION_KEYS = {
    "id",
    "group",
    "start",
    "end",
    "timezone",
    "status",
    "sequence",
    "uid",
    "location",
    "hot_seat",
    "facilitator",
    "attendance",
}
BUILTIN_TEMPLATES = [
    "agenda.html.j2",
    "agenda.md.j2",
    "agenda.txt.j2",
    "invite.html.j2",
    "invite.txt.j2",
    "reminder.txt.j2",
]
SLUG = "mastermind-martedi"


# --- helpers --------------------------------------------------------------------------------------


def as_json(result: Result) -> Any:
    return json.loads(result.stdout)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def commitments(cli: Cli, *options: str) -> list[dict[str, Any]]:
    return as_json(cli.ok("commitment", "list", "--format", "json", *options))


def commitment(cli: Cli, commitment_id: int) -> dict[str, Any]:
    found = [c for c in commitments(cli) if c["id"] == commitment_id]
    assert len(found) == 1
    return found[0]


def add_commitment(cli: Cli, *args: str) -> int:
    return int(cli.ok("commitment", "add", *args).stdout.strip())


def agenda(cli: Cli, session_id: int | str, *options: str) -> str:
    result = cli.ok("agenda", str(session_id), *options)
    assert result.stderr == ""
    return result.stdout


def agenda_json(cli: Cli, session_id: int | str) -> dict[str, Any]:
    return json.loads(agenda(cli, session_id, "--format", "json"))


def section(data: dict[str, Any], title: str) -> dict[str, Any]:
    found = [s for s in data["sections"] if s["title"] == title]
    assert len(found) == 1, [s["title"] for s in data["sections"]]
    return found[0]


def session(cli: Cli, session_id: int) -> dict[str, Any]:
    return as_json(cli.ok("session", "show", str(session_id), "--format", "json"))


def all_sessions(cli: Cli) -> list[dict[str, Any]]:
    return as_json(cli.ok("session", "list", "--format", "json"))


def user_templates(home: Path) -> Path:
    return home / ".config" / "peerkit" / "templates"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def mtimes(folder: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def home(isolated_env: Path) -> Path:
    return isolated_env


@pytest.fixture
def people(add_member: AddMember) -> dict[str, int]:
    return {
        "anna": add_member("Anna Bianchi", "anna@example.com"),
        "bruno": add_member("Bruno Verdi", "bruno@example.com"),
        "carla": add_member("Carla Neri", "carla@example.com"),
        "dario": add_member("Dario Russo", "dario@example.com"),
    }


@pytest.fixture
def group(cli: Cli, people: dict[str, int]) -> str:
    """Tuesdays 18:30 in Rome from 1 December 2026; Anna, Bruno and Carla."""
    cli.ok(
        "group", "create", "Mastermind Martedì", "--timezone", "Europe/Rome",
        "--day", "tue", "--time", "18:30", "--start", "2026-12-01",
        "--member", "1", "--member", "2", "--member", "3",
    )  # fmt: skip
    return SLUG


@pytest.fixture
def meetings(cli: Cli, group: str) -> list[int]:
    """Sessions 1, 2, 3: 1, 8 and 15 December 2026."""
    rows = as_json(cli.ok("session", "plan", group, "--count", "3", "--format", "json"))
    return [r["id"] for r in rows]


@pytest.fixture
def organiser(cli: Cli) -> None:
    cli.ok("init", "--organiser-name", "Paolo Organiser", "--organiser-email", "paolo@example.com")


# === commitments ==================================================================================


def test_commitment_add_prints_the_new_id(
    cli: Cli, meetings: list[int], people: dict[str, int]
) -> None:
    result = cli("commitment", "add", "Anna Bianchi", "Call three clients", "--session", "1")
    assert result.exit_code == 0
    assert result.stdout == "1\n"
    assert "Commitment 1" in result.stderr
    assert "Anna Bianchi" in result.stderr


def test_commitment_add_json(cli: Cli, meetings: list[int], people: dict[str, int]) -> None:
    result = cli.ok(
        "commitment", "add", "anna@example.com", "Call three clients",
        "--session", "1", "--due", "2026-12-07", "--format", "json",
    )  # fmt: skip
    made = as_json(result)
    assert set(made) >= COMMITMENT_KEYS
    assert set(made) - COMMITMENT_KEYS <= COMMITMENT_EXTRA_KEYS
    assert {key: made[key] for key in COMMITMENT_KEYS} == {
        "id": 1,
        "member": people["anna"],
        "session": 1,
        "text": "Call three clients",
        "due": "2026-12-07",
        "status": "open",
    }
    assert commitments(cli) == [made]


def test_commitment_list_filters(cli: Cli, meetings: list[int], people: dict[str, int]) -> None:
    cli.ok("group", "create", "Other", "--member", "4")
    first = add_commitment(cli, "1", "Anna's", "--session", "1")
    second = add_commitment(cli, "2", "Bruno's", "--session", "1")
    third = add_commitment(cli, "4", "Dario's")
    cli.ok("commitment", "done", str(second))
    assert [c["id"] for c in commitments(cli)] == [first, second, third]
    assert [c["id"] for c in commitments(cli, "--open")] == [first, third]
    assert [c["id"] for c in commitments(cli, "--member", "Bruno Verdi")] == [second]
    assert [c["id"] for c in commitments(cli, "--group", SLUG)] == [first, second]
    assert [c["id"] for c in commitments(cli, "--group", SLUG, "--open")] == [first]
    assert [c["status"] for c in commitments(cli)] == ["open", "done", "open"]


def test_commitment_list_table_and_empty(cli: Cli, meetings: list[int]) -> None:
    empty = cli("commitment", "list")
    assert empty.exit_code == 0
    assert empty.stdout == ""
    assert "No commitments" in empty.stderr
    assert commitments(cli) == []
    add_commitment(cli, "1", "Call three clients", "--session", "1")
    table = cli.ok("commitment", "list")
    assert "Call three clients" in table.stdout
    assert "Anna Bianchi" in table.stdout
    assert table.stderr == ""


def test_commitment_list_csv_has_the_json_keys_as_columns(cli: Cli, meetings: list[int]) -> None:
    """cli.md: CSV columns are the same names as the JSON keys (id, member, session, ...)."""
    add_commitment(cli, "1", "Call three clients", "--session", "1")
    result = cli.ok("commitment", "list", "--format", "csv")
    header = result.stdout.splitlines()[0].split(",")
    missing = COMMITMENT_KEYS - set(header)
    assert missing == set(), f"missing CSV columns: {sorted(missing)}"


def test_commitment_done_twice_is_idempotent(cli: Cli, meetings: list[int]) -> None:
    add_commitment(cli, "1", "Call three clients", "--session", "1")
    result = cli("commitment", "done", "1")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "Commitment 1 is done" in result.stderr
    again = cli("commitment", "done", "1")
    assert again.exit_code == 0
    assert again.stdout == ""
    assert "already done" in again.stderr
    assert commitment(cli, 1)["status"] == "done"


def test_commitment_drop(cli: Cli, meetings: list[int]) -> None:
    add_commitment(cli, "1", "Call three clients", "--session", "1")
    result = cli("commitment", "drop", "1")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "dropped" in result.stderr
    assert commitment(cli, 1)["status"] == "dropped"
    assert "already dropped" in cli.ok("commitment", "drop", "1").stderr


def test_a_done_commitment_cannot_be_dropped(cli: Cli, meetings: list[int]) -> None:
    add_commitment(cli, "1", "Call three clients", "--session", "1")
    cli.ok("commitment", "done", "1")
    assert_error(cli("commitment", "drop", "1"), "already done")
    assert commitment(cli, 1)["status"] == "done"


@pytest.mark.parametrize("verb", ["done", "drop"])
def test_commitment_unknown_id(cli: Cli, meetings: list[int], verb: str) -> None:
    assert_error(cli("commitment", verb, "99"), "99", "peerkit commitment list")


def test_member_in_two_groups_needs_a_session(
    cli: Cli, meetings: list[int], people: dict[str, int]
) -> None:
    cli.ok("group", "create", "Other", "--member", "1")
    result = cli("commitment", "add", "Anna Bianchi", "Call three clients")
    assert_usage_error(result, "2 groups", "--session")
    assert commitments(cli) == []
    add_commitment(cli, "Anna Bianchi", "Call three clients", "--session", "2")
    assert [c["session"] for c in commitments(cli)] == [2]


def test_member_in_one_group_defaults_to_the_latest_meeting_held_so_far(
    cli: Cli, people: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """'Their group's latest' meeting is the latest as of today (PEERKIT_TODAY), never
    one still to come."""
    monkeypatch.setenv("PEERKIT_TODAY", "2026-05-29")
    cli.ok("group", "create", "Spring", "--day", "tue", "--start", "2026-05-19", "--member", "1")
    cli.ok("session", "plan", "spring", "--from", "2026-05-19", "--count", "3")
    # Sessions: 1 on 19 May, 2 on 26 May (the latest held by 29 May), 3 on 2 June.
    add_commitment(cli, "1", "Send the proposal")
    assert commitment(cli, 1)["session"] == 2


def test_member_in_one_group_with_no_meeting_yet(
    cli: Cli, group: str, people: dict[str, int]
) -> None:
    made = as_json(cli.ok("commitment", "add", "1", "Draft the plan", "--format", "json"))
    assert (made["member"], made["session"], made["status"]) == (people["anna"], None, "open")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["1", "X", "--due", "next friday"], "--due"),
        (["1", "X", "--due", "2026-02-30"], "--due"),
        (["1", "X", "--session", "99"], "99"),
        (["Nobody", "X", "--session", "1"], "Nobody"),
        (["1", "   ", "--session", "1"], "empty"),
        (["1", "bad \x1b[2J", "--session", "1"], "control"),
    ],
)
def test_commitment_add_refuses_bad_values(
    cli: Cli, meetings: list[int], args: list[str], fragment: str
) -> None:
    assert_error(cli("commitment", "add", *args), fragment)
    assert commitments(cli) == []


def test_commitment_add_without_text_is_a_usage_error(cli: Cli, meetings: list[int]) -> None:
    result = cli("commitment", "add", "1")
    assert_usage_error(result, "Missing argument")
    assert "text" in result.stderr.lower()


# --- commitments on the agenda --------------------------------------------------------------------


def test_open_commitment_shows_on_the_next_agenda_under_its_owner(
    cli: Cli, meetings: list[int]
) -> None:
    add_commitment(cli, "1", "Call three clients", "--session", "1", "--due", "2026-12-07")
    add_commitment(cli, "2", "Write the newsletter", "--session", "1")
    text = agenda(cli, 2)
    anna = text.index("### Anna Bianchi")
    bruno = text.index("### Bruno Verdi")
    assert anna < text.index("Call three clients") < bruno < text.index("Write the newsletter")
    assert "Monday 7 December 2026" in text
    items = section(agenda_json(cli, 2), "Commitments round")["items"]
    assert any("Anna Bianchi" in i and "Call three clients" in i for i in items)
    assert any("Bruno Verdi" in i and "Write the newsletter" in i for i in items)


def test_a_commitment_is_not_on_the_agenda_of_the_meeting_it_was_made_at(
    cli: Cli, meetings: list[int]
) -> None:
    add_commitment(cli, "1", "Call three clients", "--session", "2")
    assert "Call three clients" not in agenda(cli, 2)
    assert "Call three clients" not in agenda(cli, 1)
    assert "Call three clients" in agenda(cli, 3)


def test_done_and_dropped_commitments_leave_the_agenda(cli: Cli, meetings: list[int]) -> None:
    add_commitment(cli, "1", "Call three clients", "--session", "1")
    add_commitment(cli, "2", "Write the newsletter", "--session", "1")
    add_commitment(cli, "3", "Open a shop", "--session", "1")
    cli.ok("commitment", "done", "1")
    cli.ok("commitment", "drop", "2")
    text = agenda(cli, 2)
    assert "Call three clients" not in text
    assert "Write the newsletter" not in text
    assert "Open a shop" in text
    items = section(agenda_json(cli, 2), "Commitments round")["items"]
    assert len(items) == 1
    assert "Open a shop" in items[0]


def test_commitments_of_another_group_stay_out_of_the_agenda(cli: Cli, meetings: list[int]) -> None:
    cli.ok("group", "create", "Other", "--start", "2026-12-02", "--member", "1")
    cli.ok("session", "plan", "other", "--count", "1")  # session 4, 2 December
    add_commitment(cli, "1", "Only for the other group", "--session", "4")
    assert "Only for the other group" not in agenda(cli, 2)


def test_no_open_commitments_says_so(cli: Cli, meetings: list[int]) -> None:
    assert "No open commitments from earlier meetings." in agenda(cli, 2)


# === agenda =======================================================================================


def test_agenda_markdown(cli: Cli, meetings: list[int]) -> None:
    text = agenda(cli, 2)
    assert text.startswith("# Mastermind Martedì · Tuesday 8 December 2026, 18:30\n")
    assert "90 min (18:30\u201320:00, Europe/Rome)" in text
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert [h.split(" · ")[0] for h in headings] == [
        "## Check-in and wins",
        "## Hot seats",
        "## Commitments round",
        "## Close",
    ]
    for name in ("Anna Bianchi", "Bruno Verdi", "Carla Neri"):
        assert f"- {name}" in text


def test_agenda_default_format_is_markdown(cli: Cli, meetings: list[int]) -> None:
    assert agenda(cli, 2) == agenda(cli, 2, "--format", "md")


def test_agenda_text(cli: Cli, meetings: list[int]) -> None:
    text = agenda(cli, 2, "--format", "txt")
    assert text.startswith("Mastermind Martedì · Tuesday 8 December 2026, 18:30\n")
    assert "Check-in and wins (" in text
    assert "##" not in text
    assert "<" not in text


def test_agenda_html(cli: Cli, meetings: list[int]) -> None:
    text = agenda(cli, 2, "-f", "html")
    assert text.lstrip().startswith("<!DOCTYPE html>")
    assert "<h1>Mastermind Martedì</h1>" in text
    assert "Check-in and wins" in text
    assert text.rstrip().endswith("</html>")


def test_agenda_html_escapes_what_people_typed(cli: Cli, add_member: AddMember) -> None:
    add_member("Eve <b>Bold</b>", "eve@example.com")
    cli.ok("group", "create", "R&D <Team>", "--start", "2026-12-01", "--member", "1")
    cli.ok("session", "plan", "r-d-team", "--count", "2")
    add_commitment(cli, "1", "<script>alert(1)</script>", "--session", "1")
    text = agenda(cli, 2, "--format", "html")
    assert "R&amp;D &lt;Team&gt;" in text
    assert "Eve &lt;b&gt;Bold&lt;/b&gt;" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<script>" not in text
    assert "<b>" not in text


def test_agenda_json(cli: Cli, meetings: list[int]) -> None:
    data = agenda_json(cli, 2)
    assert set(data) == {"session", "sections"}
    assert set(data["session"]) >= SESSION_KEYS
    assert (data["session"]["id"], data["session"]["group"]) == (2, SLUG)
    assert data["session"]["start"] == "2026-12-08T18:30:00+01:00"
    assert [s["title"] for s in data["sections"]] == [
        "Check-in and wins",
        "Hot seats",
        "Commitments round",
        "Close",
    ]
    for part in data["sections"]:
        assert set(part) == {"title", "minutes", "items"}
        assert isinstance(part["minutes"], int)
        assert part["minutes"] >= 0
    assert sum(s["minutes"] for s in data["sections"]) == 90
    assert section(data, "Check-in and wins")["items"] == [
        "Anna Bianchi",
        "Bruno Verdi",
        "Carla Neri",
    ]


@pytest.mark.parametrize(
    ("duration", "size"), [(90, 6), (90, 2), (60, 8), (120, 4), (15, 5), (480, 3), (45, 1)]
)
def test_agenda_minutes_add_up_to_the_duration(
    cli: Cli, add_member: AddMember, duration: int, size: int
) -> None:
    ids = [add_member() for _ in range(size)]
    members = [arg for i in ids for arg in ("--member", str(i))]
    cli.ok(
        "group", "create", "Timed", "--duration", str(duration), "--min-size", "2",
        "--start", "2026-12-01", *members,
    )  # fmt: skip
    cli.ok("session", "plan", "timed", "--count", "1")
    data = agenda_json(cli, 1)
    assert sum(s["minutes"] for s in data["sections"]) == duration
    assert all(s["minutes"] >= 0 for s in data["sections"])


def test_agenda_of_an_unknown_session(cli: Cli, meetings: list[int]) -> None:
    assert_error(cli("agenda", "99"), "99")


def test_agenda_with_an_unknown_format_is_a_usage_error(cli: Cli, meetings: list[int]) -> None:
    assert_usage_error(cli("agenda", "1", "--format", "pdf"), "--format")


def test_agenda_of_a_cancelled_session_says_so(cli: Cli, meetings: list[int]) -> None:
    cli.ok("session", "cancel", "2")
    assert "cancelled" in agenda(cli, 2).lower()


# --- --output -------------------------------------------------------------------------------------


def test_agenda_output_writes_a_private_file(cli: Cli, meetings: list[int], tmp_path: Path) -> None:
    target = tmp_path / "agenda.md"
    result = cli("agenda", "2", "--output", str(target))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert str(target) in result.stderr
    assert mode(target) == 0o600
    assert target.read_text(encoding="utf-8") == agenda(cli, 2)


def test_agenda_output_replaces_a_readable_file_with_a_private_one(
    cli: Cli, meetings: list[int], tmp_path: Path
) -> None:
    target = tmp_path / "agenda.json"
    target.write_text("old")
    target.chmod(0o644)
    cli.ok("agenda", "2", "--format", "json", "-o", str(target), "--force")
    assert mode(target) == 0o600
    assert json.loads(target.read_text(encoding="utf-8"))["session"]["id"] == 2


def test_agenda_output_into_a_missing_folder(cli: Cli, meetings: list[int], tmp_path: Path) -> None:
    assert_error(cli("agenda", "2", "--output", str(tmp_path / "nope" / "a.md")), "nope")


# --- --template -----------------------------------------------------------------------------------


def test_agenda_with_my_own_template(cli: Cli, meetings: list[int], tmp_path: Path) -> None:
    mine = write(
        tmp_path / "mine.j2",
        "{{ group.name }} at {{ start_time }}\n"
        "{% for s in sections %}{{ s.title }}={{ s.minutes }};{% endfor %}\n",
    )
    text = agenda(cli, 2, "--template", str(mine))
    assert text.startswith("Mastermind Martedì at 18:30\n")
    assert "Check-in and wins=" in text
    assert "Close=5;" in text


def test_my_own_html_template_is_autoescaped(
    cli: Cli, people: dict[str, int], tmp_path: Path
) -> None:
    cli.ok("group", "create", "R&D <Team>", "--start", "2026-12-01")
    cli.ok("session", "plan", "r-d-team", "--count", "1")
    mine = write(tmp_path / "mine.html", "<h1>{{ group.name }}</h1>\n")
    assert agenda(cli, 1, "--template", str(mine)) == "<h1>R&amp;D &lt;Team&gt;</h1>\n"


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ group.__class__.__init__.__globals__ }}",
        "{{ range.__globals__ }}",
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{{ session.__class__.__base__ }}",
        "{% for c in ().__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
        "{{ lipsum.__globals__['os'].system('touch /tmp/peerkit-pwned') }}",
    ],
)
def test_a_template_reaching_python_internals_is_refused_cleanly(
    cli: Cli, meetings: list[int], tmp_path: Path, source: str
) -> None:
    evil = write(tmp_path / "evil.j2", source + "\n")
    result = cli("agenda", "2", "--template", str(evil))
    assert_error(result, "evil.j2")
    assert "templates may not use" in result.stderr or "does not exist" in result.stderr
    assert not Path("/tmp/peerkit-pwned").exists()


def test_sandbox_error_names_what_was_refused(
    cli: Cli, meetings: list[int], tmp_path: Path
) -> None:
    evil = write(tmp_path / "evil.j2", "{{ ''.__class__ }}\n")
    assert_error(cli("agenda", "2", "--template", str(evil)), "__class__", "may not use")


@pytest.mark.parametrize("target", ["../../../../../../etc/passwd", "/etc/passwd", "../README.md"])
def test_a_template_cannot_include_files_outside_the_template_folders(
    cli: Cli, meetings: list[int], tmp_path: Path, target: str
) -> None:
    evil = write(tmp_path / "evil.j2", f"{{% include '{target}' %}}\n")
    result = cli("agenda", "2", "--template", str(evil))
    assert_error(result)
    assert "root:" not in result.stderr


def test_a_template_with_an_unknown_variable_is_refused(
    cli: Cli, meetings: list[int], tmp_path: Path
) -> None:
    bad = write(tmp_path / "bad.j2", "{{ group.name }} {{ secret_password }}\n")
    assert_error(cli("agenda", "2", "--template", str(bad)), "secret_password")


def test_a_template_with_a_syntax_error_is_refused_with_its_line(
    cli: Cli, meetings: list[int], tmp_path: Path
) -> None:
    bad = write(tmp_path / "bad.j2", "line one\n{% for x in sections %}\n")
    assert_error(cli("agenda", "2", "--template", str(bad)), "line")


def test_a_missing_template_file(cli: Cli, meetings: list[int], tmp_path: Path) -> None:
    result = cli("agenda", "2", "--template", str(tmp_path / "absent.j2"))
    assert_error(result, "absent.j2")


def test_a_template_that_is_not_text(cli: Cli, meetings: list[int], tmp_path: Path) -> None:
    binary = tmp_path / "binary.j2"
    binary.write_bytes(b"\xff\xfe\x00bad")
    assert_error(cli("agenda", "2", "--template", str(binary)), "binary.j2")


# === templates ====================================================================================


def test_templates_list(cli: Cli, home: Path) -> None:
    result = cli("templates", "list")
    assert result.exit_code == 0
    for name in BUILTIN_TEMPLATES:
        assert name in result.stdout
    assert "built-in" in result.stdout
    assert "yours" not in result.stdout
    assert str(user_templates(home)) in result.stderr


def test_templates_show_prints_the_built_in(cli: Cli) -> None:
    result = cli("templates", "show", "agenda.md.j2")
    assert result.exit_code == 0
    assert result.stderr == ""
    expected = (builtin_templates_dir() / "agenda.md.j2").read_text(encoding="utf-8")
    assert result.stdout == expected


def test_templates_show_unknown(cli: Cli) -> None:
    assert_error(cli("templates", "show", "nope.j2"), "nope.j2", "peerkit templates list")


@pytest.mark.parametrize(
    "name",
    [
        "../README.md",
        "../pyproject.toml",
        "../../etc/passwd",
        "/etc/passwd",
        "locale/../agenda.md.j2",
        "./agenda.md.j2",
        "..",
        "..\\agenda.md.j2",
        "locale",
    ],
)
@pytest.mark.parametrize("verb", ["show", "copy"])
def test_templates_refuse_names_that_are_paths(cli: Cli, home: Path, verb: str, name: str) -> None:
    result = cli("templates", verb, name)
    assert_error(result, name)
    assert not user_templates(home).exists() or list(user_templates(home).iterdir()) == []


def test_templates_copy(cli: Cli, home: Path) -> None:
    result = cli("templates", "copy", "agenda.md.j2")
    assert result.exit_code == 0
    target = user_templates(home) / "agenda.md.j2"
    assert result.stdout == f"{target}\n"
    assert target.read_bytes() == (builtin_templates_dir() / "agenda.md.j2").read_bytes()
    listing = cli.ok("templates", "list").stdout
    line = next(line for line in listing.splitlines() if "agenda.md.j2" in line)
    assert "yours" in line


def test_templates_copy_then_edit_changes_the_agenda(
    cli: Cli, home: Path, meetings: list[int]
) -> None:
    before = agenda(cli, 2)
    target = Path(cli.ok("templates", "copy", "agenda.md.j2").stdout.strip())
    source = target.read_text(encoding="utf-8")
    assert "\n# {{ group.name }}" in source
    target.write_text(
        source.replace("\n# {{ group.name }}", "\n# EDITED {{ group.name }}", 1), encoding="utf-8"
    )
    after = agenda(cli, 2)
    assert before.startswith("# Mastermind Martedì")
    assert after == before.replace("# Mastermind Martedì", "# EDITED Mastermind Martedì", 1)
    assert "# EDITED {{ group.name }}" in cli.ok("templates", "show", "agenda.md.j2").stdout
    # Only the Markdown agenda changes.
    assert "EDITED" not in agenda(cli, 2, "--format", "txt")


def test_templates_copy_over_an_existing_file_is_refused(cli: Cli, home: Path) -> None:
    target = Path(cli.ok("templates", "copy", "agenda.md.j2").stdout.strip())
    target.write_text("my precious edits\n", encoding="utf-8")
    result = cli("templates", "copy", "agenda.md.j2")
    assert_error(result, "already exists")
    assert target.read_text(encoding="utf-8") == "my precious edits\n"


def test_templates_copy_to_a_folder(cli: Cli, home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "my-templates"
    result = cli.ok("templates", "copy", "invite.txt.j2", "--to", str(folder))
    assert result.stdout == f"{folder / 'invite.txt.j2'}\n"
    assert (folder / "invite.txt.j2").is_file()
    assert not (user_templates(home) / "invite.txt.j2").exists()


def test_templates_copy_unknown(cli: Cli, home: Path) -> None:
    assert_error(cli("templates", "copy", "nope.j2"), "nope.j2")
    assert not user_templates(home).exists()


def test_a_user_template_can_extend_the_built_in(cli: Cli, home: Path, meetings: list[int]) -> None:
    before = agenda(cli, 2)
    write(
        user_templates(home) / "agenda.md.j2",
        '{% extends "default:agenda.md.j2" %}\n',
    )
    assert agenda(cli, 2) == before


def test_a_template_of_my_own_is_listed_and_shown(cli: Cli, home: Path) -> None:
    write(user_templates(home) / "summary.md.j2", "Summary of {{ group.name }}\n")
    listing = cli.ok("templates", "list").stdout
    line = next(line for line in listing.splitlines() if "summary.md.j2" in line)
    assert "yours" in line
    assert cli.ok("templates", "show", "summary.md.j2").stdout == "Summary of {{ group.name }}\n"


def test_edited_templates_are_used_by_plan_week(
    cli: Cli, home: Path, community: str, tmp_path: Path
) -> None:
    for name in ("agenda.md.j2", "invite.txt.j2"):
        target = Path(cli.ok("templates", "copy", name).stdout.strip())
        target.write_text(
            target.read_text(encoding="utf-8") + f"\nCUSTOM FOOTER {name}\n", encoding="utf-8"
        )
    out = tmp_path / "out"
    week(cli, out)
    folder = out / "2026-W49" / SLUG
    assert "CUSTOM FOOTER agenda.md.j2" in (folder / "agenda.md").read_text(encoding="utf-8")
    message = email.message_from_bytes(
        (folder / "invite-1-anna-bianchi.eml").read_bytes(), policy=email.policy.default
    )
    text = message.get_body(preferencelist=("plain",))
    assert text is not None
    assert "CUSTOM FOOTER invite.txt.j2" in text.get_content()


def test_an_edited_template_is_sandboxed_too(cli: Cli, home: Path, meetings: list[int]) -> None:
    write(user_templates(home) / "agenda.md.j2", "{{ ''.__class__.__mro__ }}\n")
    result = cli("agenda", "2")
    assert_error(result, "agenda.md.j2", "may not use")


def test_an_edited_template_with_a_typo_is_refused_cleanly(
    cli: Cli, home: Path, meetings: list[int]
) -> None:
    write(user_templates(home) / "agenda.md.j2", "{{ grup.name }}\n")
    assert_error(cli("agenda", "2"), "grup")


# === plan week ====================================================================================


@pytest.fixture
def community(cli: Cli, group: str, organiser: None, people: dict[str, int]) -> str:
    """Two groups meeting in 2026-W49: Tuesday (Anna, Bruno, Carla), Thursday (Carla, Dario)."""
    cli.ok(
        "group", "create", "Giovedì Crew", "--day", "thu", "--time", "08:00",
        "--timezone", "America/New_York", "--start", "2026-12-03",
        "--member", "3", "--member", "4", "--facilitator", "4",
    )  # fmt: skip
    return group


def week(cli: Cli, out: Path, *options: str, label: str = "2026-W49") -> Result:
    return cli("plan", "week", "--week", label, "--out", str(out), *options)


def week_json(cli: Cli, out: Path, *options: str, label: str = "2026-W49") -> list[dict[str, Any]]:
    result = week(cli, out, "--format", "json", *options, label=label)
    assert result.exit_code == 0, result
    return json.loads(result.stdout)


def test_plan_week_writes_agenda_ics_and_invitations(
    cli: Cli, community: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = week(cli, out)
    assert result.exit_code == 0
    assert SLUG in result.stdout
    assert "giovedi-crew" in result.stdout
    assert "2026-W49: wrote 9 file(s), 0 unchanged" in result.stderr
    assert str(out / "2026-W49") in result.stderr
    tuesday = out / "2026-W49" / SLUG
    thursday = out / "2026-W49" / "giovedi-crew"
    assert sorted(p.name for p in tuesday.iterdir()) == [
        "agenda.md",
        "invite-1-anna-bianchi.eml",
        "invite-2-bruno-verdi.eml",
        "invite-3-carla-neri.eml",
        "session.ics",
    ]
    assert sorted(p.name for p in thursday.iterdir()) == [
        "agenda.md",
        "invite-3-carla-neri.eml",
        "invite-4-dario-russo.eml",
        "session.ics",
    ]
    assert sorted(p.name for p in (out / "2026-W49").iterdir()) == ["giovedi-crew", SLUG]


def test_plan_week_files_match_the_session(cli: Cli, community: str, tmp_path: Path) -> None:
    from icalendar import Calendar

    out = tmp_path / "out"
    rows = week_json(cli, out)
    tuesday = next(r for r in rows if r["group"] == SLUG)
    shown = session(cli, tuesday["session"])
    assert tuesday["start"] == shown["start"] == "2026-12-01T18:30:00+01:00"
    folder = out / "2026-W49" / SLUG
    assert (folder / "agenda.md").read_text(encoding="utf-8") == agenda(cli, shown["id"])
    cal = Calendar.from_ical((folder / "session.ics").read_bytes())
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    assert str(events[0]["UID"]) == shown["uid"]
    assert str(events[0]["SUMMARY"]) == "Mastermind Martedì"
    assert events[0].decoded("DTSTART").isoformat() == shown["start"]
    message = email.message_from_bytes(
        (folder / "invite-1-anna-bianchi.eml").read_bytes(), policy=email.policy.default
    )
    assert "anna@example.com" in str(message["To"])
    assert "paolo@example.com" in str(message["From"])
    parts = {part.get_content_type(): part for part in message.walk()}
    assert "text/calendar" in parts
    invite = Calendar.from_ical(parts["text/calendar"].get_content())
    assert str(invite["METHOD"]) == "REQUEST"
    assert [str(e["UID"]) for e in invite.walk("VEVENT")] == [shown["uid"]]


def test_plan_week_files_are_private(cli: Cli, community: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    week(cli, out)
    for path in (out / "2026-W49").rglob("*"):
        assert mode(path) == (0o700 if path.is_dir() else 0o600), path


def test_plan_week_chooses_hot_seats_and_facilitator(
    cli: Cli, community: str, tmp_path: Path, people: dict[str, int]
) -> None:
    rows = week_json(cli, tmp_path / "out")
    by_group = {r["group"]: r for r in rows}
    assert by_group["giovedi-crew"]["facilitator"] == people["dario"]
    tuesday = by_group[SLUG]
    assert tuesday["hot_seat"]
    assert set(tuesday["hot_seat"]) <= {people["anna"], people["bruno"], people["carla"]}
    assert tuesday["invited"] == 3
    assert session(cli, tuesday["session"])["hot_seat"] == tuesday["hot_seat"]


def test_plan_week_second_run_changes_nothing(cli: Cli, community: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = week_json(cli, out)
    written = files_under(out)
    stamps = mtimes(out)
    before = all_sessions(cli)
    result = week(cli, out, "--format", "json")
    assert result.exit_code == 0
    again = json.loads(result.stdout)
    statuses = [f["status"] for r in again for f in r["files"]]
    assert statuses
    assert set(statuses) == {"unchanged"}
    assert "wrote 0 file(s), 9 unchanged" in result.stderr
    assert files_under(out) == written
    assert mtimes(out) == stamps
    assert all_sessions(cli) == before
    strip = [
        {k: v for k, v in r.items() if k not in ("files", "written", "created")} for r in again
    ]
    assert strip == [
        {k: v for k, v in r.items() if k not in ("files", "written", "created")} for r in first
    ]


def test_plan_week_table_second_run_says_unchanged(
    cli: Cli, community: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    week(cli, out)
    result = week(cli, out)
    assert result.exit_code == 0
    assert "wrote 0 file(s), 9 unchanged" in result.stderr


def test_plan_week_dry_run_writes_nothing(cli: Cli, community: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = week(cli, out, "--dry-run")
    assert result.exit_code == 0
    assert SLUG in result.stdout
    assert "would write 9 file(s)" in result.stderr
    assert not out.exists()
    assert all_sessions(cli) == []


def test_plan_week_dry_run_after_a_run_reports_unchanged(
    cli: Cli, community: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    week(cli, out)
    stamps = mtimes(out)
    rows = week_json(cli, out, "--dry-run")
    assert {f["status"] for r in rows for f in r["files"]} == {"unchanged"}
    assert mtimes(out) == stamps


def test_plan_week_json_is_pure_json(cli: Cli, community: str, tmp_path: Path) -> None:
    result = week(cli, tmp_path / "out", "--format", "json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert isinstance(rows, list)
    assert {r["group"] for r in rows} == {SLUG, "giovedi-crew"}
    for row in rows:
        assert set(row) >= {"group", "session", "start", "status", "hot_seat", "facilitator"}
        for entry in row["files"]:
            assert set(entry) >= {"path", "status"}
            assert Path(entry["path"]).is_file()
    assert "wrote" in result.stderr
    assert "wrote" not in result.stdout


def test_plan_week_json_without_groups_is_an_empty_list(cli: Cli, tmp_path: Path) -> None:
    result = week(cli, tmp_path / "out", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_plan_week_without_groups(cli: Cli, tmp_path: Path) -> None:
    result = week(cli, tmp_path / "out")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "No active groups" in without_creation_note(result.stderr)


def test_a_paused_member_gets_no_invitation(cli: Cli, community: str, tmp_path: Path) -> None:
    cli.ok("member", "pause", "bruno@example.com")
    out = tmp_path / "out"
    rows = week_json(cli, out)
    folder = out / "2026-W49" / SLUG
    assert sorted(p.name for p in folder.glob("invite*.eml")) == [
        "invite-1-anna-bianchi.eml",
        "invite-3-carla-neri.eml",
    ]
    tuesday = next(r for r in rows if r["group"] == SLUG)
    assert tuesday["invited"] == 2
    assert 2 not in tuesday["hot_seat"]


def test_a_member_whose_pause_ends_before_the_meeting_is_invited(
    cli: Cli, community: str, tmp_path: Path
) -> None:
    cli.ok("member", "pause", "bruno@example.com", "--until", "2026-11-30")
    out = tmp_path / "out"
    week(cli, out)
    assert (out / "2026-W49" / SLUG / "invite-2-bruno-verdi.eml").is_file()


def test_a_member_who_left_gets_no_invitation(cli: Cli, community: str, tmp_path: Path) -> None:
    cli.ok("member", "remove", "carla@example.com")
    out = tmp_path / "out"
    week(cli, out)
    assert list((out / "2026-W49").rglob("invite-3-*.eml")) == []
    assert len(list((out / "2026-W49").rglob("invite-*.eml"))) == 3


def test_plan_week_send_needs_a_mail_server(cli: Cli, community: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = week(cli, out, "--send")
    assert_error(result, "PEERKIT_SMTP_URL")
    assert not out.exists()  # refused before anything was written
    assert not out.exists()
    assert all_sessions(cli) == []


def test_without_an_organiser_no_invitation_is_written(
    cli: Cli, group: str, tmp_path: Path
) -> None:
    cli.ok("group", "create", "Second", "--start", "2026-12-02", "--member", "4")
    out = tmp_path / "out"
    result = week(cli, out)
    assert result.exit_code == 0
    assert result.stderr.count("Warning:") == 1
    assert "--organiser-email" in result.stderr
    assert "peerkit init" in result.stderr
    assert "Warning" not in result.stdout
    assert list(out.rglob("*.eml")) == []
    assert (out / "2026-W49" / SLUG / "agenda.md").is_file()
    assert (out / "2026-W49" / SLUG / "session.ics").is_file()


def test_setting_the_organiser_later_adds_the_invitations(
    cli: Cli, group: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    week(cli, out)
    cli.ok("init", "--organiser-name", "Paolo", "--organiser-email", "paolo@example.com")
    result = week(cli, out)
    assert "Warning" not in result.stderr
    assert len(list(out.rglob("invite-*.eml"))) == 3


def test_organiser_from_the_config_file(
    cli: Cli, home: Path, add_member: AddMember, tmp_path: Path
) -> None:
    write(
        home / ".config" / "peerkit" / "config.toml",
        'organiser_name = "Paola"\norganiser_email = "paola@example.com"\n',
    )
    add_member("Anna Bianchi", "anna@example.com")
    cli.ok("group", "create", "Solo", "--start", "2026-12-01", "--member", "1")
    out = tmp_path / "out"
    result = week(cli, out)
    assert "Warning" not in result.stderr
    invite = out / "2026-W49" / "solo" / "invite-1-anna-bianchi.eml"
    assert "paola@example.com" in invite.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "label", ["2026-W54", "2027-W53", "2026-W00", "W49", "2026-49", "next", "2026-W4x9", " ", ""]
)
def test_plan_week_refuses_a_bad_week(cli: Cli, community: str, tmp_path: Path, label: str) -> None:
    out = tmp_path / "out"
    result = cli("plan", "week", "--week", label, "--out", str(out))
    assert_error(result, label)
    assert not out.exists()
    assert all_sessions(cli) == []


def test_plan_week_accepts_week_53(cli: Cli, people: dict[str, int], tmp_path: Path) -> None:
    cli.ok("group", "create", "Late", "--start", "2026-12-29", "--member", "1")
    out = tmp_path / "out"
    rows = week_json(cli, out, label="2026-W53")
    assert [(r["group"], r["start"]) for r in rows] == [("late", "2026-12-29T18:30:00+00:00")]
    assert (out / "2026-W53" / "late" / "agenda.md").is_file()


def test_plan_week_defaults_to_this_week_and_the_outbox_beside_the_database(
    cli: Cli, people: dict[str, int], organiser: None, db_path: Path
) -> None:
    # PEERKIT_TODAY is Friday 2026-11-27, in 2026-W48; this group meets on Saturday 28.
    cli.ok("group", "create", "Weekend", "--day", "sat", "--member", "1")
    result = cli("plan", "week")
    assert result.exit_code == 0
    folder = db_path.parent / "outbox" / "2026-W48" / "weekend"
    assert sorted(p.name for p in folder.iterdir()) == [
        "agenda.md",
        "invite-1-anna-bianchi.eml",
        "session.ics",
    ]
    assert "2026-W48" in result.stderr
    assert session(cli, 1)["start"] == "2026-11-28T18:30:00+00:00"


def test_plan_week_out_that_is_a_file_is_refused(cli: Cli, community: str, tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    result = week(cli, a_file)
    assert result.exit_code in (1, 2), result
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert a_file.read_text() == "x"


def test_archived_groups_are_not_planned(cli: Cli, community: str, tmp_path: Path) -> None:
    cli.ok("group", "archive", "giovedi-crew")
    out = tmp_path / "out"
    rows = week_json(cli, out)
    assert [r["group"] for r in rows] == [SLUG]
    assert sorted(p.name for p in (out / "2026-W49").iterdir()) == [SLUG]
    assert {s["group"] for s in all_sessions(cli)} == {SLUG}


def test_a_biweekly_group_off_week_gets_no_files(
    cli: Cli, people: dict[str, int], organiser: None, tmp_path: Path
) -> None:
    cli.ok("group", "create", "Fortnight", "--cadence", "biweekly", "--start", "2026-12-01")
    out = tmp_path / "out"
    assert [r["status"] for r in week_json(cli, out, label="2026-W49")] == ["planned"]
    rows = week_json(cli, out, label="2026-W50")
    assert [r["session"] for r in rows] == [None]
    assert not (out / "2026-W50" / "fortnight").exists()
    assert len(all_sessions(cli)) == 1


def test_hot_seats_rotate_from_week_to_week(
    cli: Cli, add_member: AddMember, organiser: None, tmp_path: Path
) -> None:
    """Four members, 90 minutes: fewer seats than people. Whoever was absent on their turn,
    or has not had one yet, goes first the next week."""
    ids = [add_member() for _ in range(4)]
    members = [arg for i in ids for arg in ("--member", str(i))]
    cli.ok("group", "create", "Rotation", "--start", "2026-12-01", *members)
    out = tmp_path / "out"
    first = week_json(cli, out, label="2026-W49")[0]
    seated = first["hot_seat"]
    waiting = [i for i in ids if i not in seated]
    assert seated
    assert waiting, "every member had a seat: the test needs fewer seats than members"
    absent = seated[0]
    present = [i for i in ids if i != absent]
    cli.ok(
        "session", "attend", str(first["session"]),
        *[arg for i in present for arg in ("--present", str(i))], "--absent", str(absent),
    )  # fmt: skip
    second = week_json(cli, out, label="2026-W50")[0]
    assert second["session"] != first["session"]
    favourites = {absent, *waiting}
    assert set(second["hot_seat"][: len(favourites)]) == favourites


def test_plan_week_keeps_the_roles_it_chose(cli: Cli, community: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = week_json(cli, out)
    cli.ok("member", "add", "Late Comer", "--email", "late@example.com")
    cli.ok("group", "add", SLUG, "late@example.com")
    again = week_json(cli, out)
    assert [r["hot_seat"] for r in again] == [r["hot_seat"] for r in first]


def test_plan_week_out_accepts_a_relative_folder(
    cli: Cli, community: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("plan", "week", "--week", "2026-W49", "--out", "relative")
    assert result.exit_code == 0
    assert (tmp_path / "relative" / "2026-W49" / SLUG / "agenda.md").is_file()
    assert os.listdir(tmp_path / "relative") == ["2026-W49"]
