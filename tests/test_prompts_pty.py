"""`peerkit group create` on a real terminal: the questionary prompts, answered through a pty.

peerkit runs as a child process (`python -m peerkit`) in a pseudo-terminal made by
pexpect, with its own HOME and XDG folders. Without a terminal, or with --no-input,
nothing is ever asked.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXED_TODAY, Cli, assert_usage_error

pexpect = pytest.importorskip("pexpect")

TIMEOUT = 60  # seconds; a cold start under load can be slow
DOWN = "\x1b[B"
ENTER = "\r"
SPACE = " "
BACKSPACE = "\x7f"
CTRL_C = "\x03"


@pytest.fixture
def env(isolated_env: Path) -> dict[str, str]:
    """The child's environment: the test's private folders, a real terminal type."""
    home = isolated_env
    values = {k: v for k, v in os.environ.items() if not k.startswith("PEERKIT_")}
    values.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        TERM="xterm",
        PEERKIT_TODAY=FIXED_TODAY,
        COLUMNS="120",
        LINES="40",
        PROMPT_TOOLKIT_NO_CPR="1",  # no cursor-position queries: they wait for a reply
    )
    values.pop("NO_COLOR", None)
    return values


@pytest.fixture
def members(cli: Cli) -> list[int]:
    """Two active members (and one paused, who is not offered), created with the CLI."""
    ids = [
        int(cli.ok("member", "add", name, "--email", address).stdout)
        for name, address in [
            ("Anna Bianchi", "anna@example.com"),
            ("Bruno Verdi", "bruno@example.com"),
            ("Paola Ferma", "paola@example.com"),
        ]
    ]
    cli.ok("member", "pause", "paola@example.com")
    return ids[:2]


def spawn(db_path: Path, env: dict[str, str], *args: str) -> Any:
    child = pexpect.spawn(
        sys.executable,
        ["-m", "peerkit", "--db", str(db_path), *args],
        env=env,
        encoding="utf-8",
        timeout=TIMEOUT,
        dimensions=(40, 120),
    )
    return child


def finish(child: Any) -> int:
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus is not None, child.signalstatus
    return int(child.exitstatus)


def answer_select(child: Any, question: str, downs: int) -> None:
    child.expect(question)
    child.expect("Use arrow keys")
    child.send(DOWN * downs + ENTER)


def answer_text(child: Any, question: str, old: str, new: str) -> None:
    child.expect(question)
    child.send(BACKSPACE * len(old) + new + ENTER)


def groups(cli: Cli) -> list[dict[str, Any]]:
    return json.loads(cli.ok("group", "list", "--format", "json").stdout)


# --- prompts --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_group_create_asks_for_everything_on_a_terminal(
    cli: Cli, db_path: Path, env: dict[str, str], members: list[int]
) -> None:
    child = spawn(db_path, env, "group", "create")
    child.expect("Group name")
    child.send("Pty Mastermind" + ENTER)
    answer_select(child, "Kind", 1)  # mastermind -> accountability
    answer_select(child, "How often", 2)  # weekly -> monthly
    answer_select(child, "Day", 2)  # tue -> thu
    answer_text(child, "Start time", "18:30", "07:15")
    answer_text(child, "Time zone", "UTC", "Europe/Rome")
    child.expect("Members")
    child.expect("Bruno Verdi")
    child.send(SPACE + DOWN + SPACE + ENTER)  # both active members
    child.expect("Created the group pty-mastermind with 2 member")
    assert finish(child) == 0
    group = json.loads(cli.ok("group", "show", "pty-mastermind", "-f", "json").stdout)
    expected = {
        "name": "Pty Mastermind",
        "kind": "accountability",
        "cadence": "monthly",
        "day": "thu",
        "time": "07:15",
        "timezone": "Europe/Rome",
        "duration": 90,
        "status": "active",
    }
    assert {key: group[key] for key in expected} == expected
    assert [(m["id"], m["name"], m["role"]) for m in group["members"]] == [
        (members[0], "Anna Bianchi", "member"),
        (members[1], "Bruno Verdi", "member"),
    ]


@pytest.mark.slow
def test_the_defaults_are_offered_and_accepted_with_enter(
    cli: Cli, db_path: Path, env: dict[str, str], members: list[int]
) -> None:
    child = spawn(db_path, env, "group", "create")
    child.expect("Group name")
    child.send("Defaults" + ENTER)
    for question in ("Kind", "How often", "Day"):
        answer_select(child, question, 0)
    child.expect("Start time")
    child.send(ENTER)
    child.expect("Time zone")
    child.send(ENTER)
    child.expect("Members")
    child.expect("Bruno Verdi")
    child.send(ENTER)  # nobody chosen
    assert finish(child) == 0
    group = json.loads(cli.ok("group", "show", "defaults", "-f", "json").stdout)
    assert (group["kind"], group["cadence"], group["day"], group["time"], group["timezone"]) == (
        "mastermind",
        "weekly",
        "tue",
        "18:30",
        "UTC",
    )
    assert group["members"] == []


def test_only_active_members_are_offered(
    db_path: Path, env: dict[str, str], members: list[int]
) -> None:
    child = spawn(db_path, env, "group", "create", "Offer", "--kind", "mastermind",
                  "--cadence", "weekly", "--day", "mon", "--time", "18:00",
                  "--timezone", "UTC")  # fmt: skip
    child.expect("Members")
    child.expect("Bruno Verdi")
    screen = child.before
    child.send(ENTER)
    assert finish(child) == 0
    assert "Paola Ferma" not in screen + child.before


def test_only_what_is_missing_is_asked(
    cli: Cli, db_path: Path, env: dict[str, str], members: list[int]
) -> None:
    child = spawn(
        db_path, env, "group", "create", "Partial", "--kind", "learning",
        "--cadence", "biweekly", "--day", "fri", "--timezone", "America/New_York",
        "--member", "anna@example.com",
    )  # fmt: skip
    child.expect("Start time")
    asked = child.before
    child.send(BACKSPACE * 5 + "12:00" + ENTER)
    assert finish(child) == 0
    transcript = asked + child.before
    for question in ("Group name", "Kind", "How often", "Day:", "Time zone", "Members"):
        assert question not in transcript
    group = json.loads(cli.ok("group", "show", "partial", "-f", "json").stdout)
    assert (group["kind"], group["cadence"], group["day"], group["time"]) == (
        "learning",
        "biweekly",
        "fri",
        "12:00",
    )
    assert [m["id"] for m in group["members"]] == [members[0]]


def test_an_unknown_time_zone_is_asked_again(
    cli: Cli, db_path: Path, env: dict[str, str], members: list[int]
) -> None:
    child = spawn(db_path, env, "group", "create", "Zoned", "--kind", "mastermind",
                  "--cadence", "weekly", "--day", "tue", "--time", "18:30",
                  "--member", "1")  # fmt: skip
    answer_text(child, "Time zone", "UTC", "Europe")
    child.expect("An IANA time zone")
    child.send(BACKSPACE * len("Europe") + "Europe/Rome" + ENTER)
    assert finish(child) == 0
    assert json.loads(cli.ok("group", "show", "zoned", "-f", "json").stdout)["timezone"] == (
        "Europe/Rome"
    )


def test_ctrl_c_at_a_prompt_creates_nothing(
    cli: Cli, db_path: Path, env: dict[str, str], members: list[int]
) -> None:
    child = spawn(db_path, env, "group", "create")
    child.expect("Group name")
    child.send("Never Mind" + ENTER)
    child.expect("Kind")
    child.expect("Use arrow keys")
    child.send(CTRL_C)
    assert finish(child) == 1
    assert "Aborted" in child.before
    assert "Traceback" not in child.before
    assert groups(cli) == []


# --- no prompts -----------------------------------------------------------------------------------


def test_no_input_on_a_terminal_never_prompts(
    cli: Cli, db_path: Path, env: dict[str, str], members: list[int]
) -> None:
    child = spawn(db_path, env, "--no-input", "group", "create")
    code = finish(child)
    assert code == 2
    assert "missing NAME" in child.before
    assert "Use arrow keys" not in child.before
    assert "Group name" not in child.before
    assert groups(cli) == []


def test_no_input_env_var_on_a_terminal_never_prompts(
    cli: Cli, db_path: Path, env: dict[str, str], members: list[int]
) -> None:
    child = spawn(db_path, {**env, "PEERKIT_NO_INPUT": "1"}, "group", "create")
    assert finish(child) == 2
    assert "Group name" not in child.before
    assert "missing NAME" in child.before
    assert groups(cli) == []


def test_no_input_with_a_name_uses_the_defaults_without_asking(
    cli: Cli, db_path: Path, env: dict[str, str], members: list[int]
) -> None:
    child = spawn(db_path, env, "--no-input", "group", "create", "Quiet")
    assert finish(child) == 0
    for question in ("Kind", "How often", "Start time", "Time zone", "Members"):
        assert question not in child.before
    assert "Created the group quiet with 0 member(s)." in child.before
    group = json.loads(cli.ok("group", "show", "quiet", "-f", "json").stdout)
    assert (group["kind"], group["day"], group["time"], group["members"]) == (
        "mastermind",
        "tue",
        "18:30",
        [],
    )


def test_without_a_terminal_nothing_prompts(
    cli: Cli, db_path: Path, env: dict[str, str], members: list[int]
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "peerkit", "--db", str(db_path), "group", "create"],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert "missing NAME" in result.stderr
    assert "Group name" not in result.stderr
    assert "Traceback" not in result.stderr
    assert groups(cli) == []


def test_without_a_terminal_a_name_is_enough(
    cli: Cli, db_path: Path, env: dict[str, str], members: list[int]
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "peerkit", "--db", str(db_path), "group", "create", "Piped"],
        env=env,
        input="",
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "1\n"
    assert "Created the group piped with 0 member(s)." in result.stderr
    assert "Kind" not in result.stderr


def test_in_process_without_a_terminal_is_a_usage_error(cli: Cli, members: list[int]) -> None:
    assert_usage_error(cli("group", "create"), "NAME")


# --- session notes --edit -------------------------------------------------------------------------


def test_session_notes_edit_on_a_terminal_uses_the_editor(
    cli: Cli, db_path: Path, env: dict[str, str], members: list[int], tmp_path: Path
) -> None:
    cli.ok("group", "create", "Noted", "--start", "2026-12-01", "--member", "1")
    cli.ok("session", "plan", "noted", "--count", "1")
    cli.ok("session", "notes", "1", "--text", "Before")
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nprintf "%s\\nFrom the editor\\n" "$(cat "$1")" > "$1"\n')
    editor.chmod(0o700)
    child = spawn(db_path, {**env, "EDITOR": str(editor), "VISUAL": str(editor)}, "session",
                  "notes", "1", "--edit")  # fmt: skip
    assert finish(child) == 0
    assert "Saved the notes of session 1" in child.before
    assert cli.ok("session", "notes", "1").stdout == "Before\nFrom the editor\n"


@pytest.mark.slow
def test_session_notes_edit_with_a_failing_editor_saves_nothing(
    cli: Cli, db_path: Path, env: dict[str, str], members: list[int]
) -> None:
    cli.ok("group", "create", "Noted", "--start", "2026-12-01", "--member", "1")
    cli.ok("session", "plan", "noted", "--count", "1")
    cli.ok("session", "notes", "1", "--text", "Keep me")
    child = spawn(db_path, {**env, "EDITOR": "false", "VISUAL": "false"}, "session", "notes",
                  "1", "--edit")  # fmt: skip
    assert finish(child) == 1
    assert "Error:" in child.before
    assert "Traceback" not in child.before
    assert cli.ok("session", "notes", "1").stdout == "Keep me\n"
