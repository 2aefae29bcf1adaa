"""The layers hold: the domain does not need the command line, and never prints.

The import contracts themselves are in pyproject.toml and run by ./check (lint-imports);
these tests hold the behaviour that came with them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from peerkit.errors import InvalidValue, PeerkitError, UsageProblem, catch_errors

CLI_FRAMEWORK = {"typer", "click", "rich", "questionary"}

PROBE = """
import json, sys
import peerkit.errors, peerkit.config, peerkit.db, peerkit.services.common.community
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""


def test_the_domain_loads_without_the_command_line_framework() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True
    )
    loaded = set(json.loads(proc.stdout))
    assert not loaded & CLI_FRAMEWORK, sorted(loaded & CLI_FRAMEWORK)


def _run(exc: BaseException) -> tuple[int, str, str]:
    """Run a command that raises exc, through catch_errors, as the console script would."""

    @catch_errors
    def command() -> None:
        raise exc

    app = typer.Typer()
    app.command()(command)
    result = CliRunner().invoke(app, [], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("exc", "code", "stderr"),
    [
        (PeerkitError("no such member"), 1, "Error: no such member\n"),
        (
            InvalidValue("bad date", details=["use 2026-12-08"]),
            1,
            "Error: bad date\n  use 2026-12-08\n",
        ),
        (UsageProblem("missing --email"), 2, "Error: missing --email\n"),
        (KeyboardInterrupt(), 130, "Interrupted.\n"),
        (BrokenPipeError(), 141, ""),
        (typer.Exit(3), 3, ""),
        (typer.Abort(), 1, "Aborted.\n"),
    ],
)
def test_catch_errors_keeps_the_exit_codes(exc: BaseException, code: int, stderr: str) -> None:
    assert _run(exc) == (code, "", stderr)


def test_an_unexpected_error_is_one_line_and_exit_1() -> None:
    code, stdout, stderr = _run(ZeroDivisionError("division by zero"))
    assert (code, stdout) == (1, "")
    assert stderr.startswith(
        "Error: unexpected internal error (ZeroDivisionError: division by zero)"
    )
    assert "Traceback" not in stderr


def test_a_click_usage_error_keeps_exit_2() -> None:
    code, _stdout, stderr = _run(typer.BadParameter("not a number"))
    assert code == 2
    assert "not a number" in stderr


def test_peerkit_debug_shows_the_real_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEERKIT_DEBUG", "1")
    with pytest.raises(PeerkitError, match="no such member"):
        _run(PeerkitError("no such member"))


def test_catch_errors_ends_with_system_exit_not_a_typer_exception() -> None:
    @catch_errors
    def command() -> None:
        raise UsageProblem("missing --email")

    with pytest.raises(SystemExit) as caught:
        command()
    assert type(caught.value) is SystemExit
    assert caught.value.code == 2


def test_opening_a_new_database_announces_it_and_prints_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from peerkit.config import Settings
    from peerkit.db import open_database

    said: list[str] = []
    path = tmp_path / "new.db"
    open_database(Settings(db_path=path), announce=said.append).dispose()
    open_database(Settings(db_path=path), announce=said.append).dispose()
    assert said == [f"Created a new, empty database at {path}."]
    assert capsys.readouterr() == ("", "")


def test_config_values_are_checked_by_the_rules_the_caller_gives(tmp_path: Path) -> None:
    from peerkit.commands._root import check_setting
    from peerkit.config import load_config_file

    path = tmp_path / "config.toml"
    path.write_text('timezone = "Mars/Olympus"\ncommunity = "Circle"\n', encoding="utf-8")
    assert load_config_file(path)["timezone"] == "Mars/Olympus"
    with pytest.raises(PeerkitError, match="'timezone'") as caught:
        load_config_file(path, check_value=check_setting)
    assert str(path) in caught.value.message


def test_community_defaults_come_from_plain_settings() -> None:
    from peerkit.config import CommunityDefaults, Settings, community_defaults
    from peerkit.services.common import community

    settings = Settings(db_path=Path("x.db"), config={"community": "Circle", "locale": "it"})
    assert community_defaults(settings) == CommunityDefaults(name="Circle", locale="it")
    assert community.CommunityDefaults is CommunityDefaults


# --- the tests' own runner ------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["member", "list", "--format", "json"],
        ["member", "show", "nobody@example.com"],
        ["member", "add", "Ada", "--email", "not-an-address"],
        ["member", "--bogus"],
        ["frobnicate"],
        ["--version"],
    ],
)
def test_the_click_command_built_once_answers_like_clirunner_invoke(
    args: list[str], tmp_path: Path
) -> None:
    """tests/conftest.py invokes one Click command for the session; same answers."""
    from peerkit.cli import app
    from tests.conftest import invoke

    argv = ["--db", str(tmp_path / "p.db"), *args]
    full = CliRunner().invoke(app, argv, catch_exceptions=False)
    (tmp_path / "p.db").unlink(missing_ok=True)
    once = invoke(argv)
    assert (once.exit_code, once.stdout, once.stderr) == (full.exit_code, full.stdout, full.stderr)
