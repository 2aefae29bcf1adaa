"""`peerkit --help` must not pay for the database, calendar or template stacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import peerkit

# pydantic is not listed: Typer itself builds its parameter parsers with it.
HEAVY = (
    "sqlalchemy",
    "sqlmodel",
    "alembic",
    "icalendar",
    "jinja2",
    "questionary",
    "babel",
    "email_validator",
)

# The peerkit under test (a checkout's src/ may come before an installed one), no user
# settings.
ENV = {
    "PATH": "/usr/bin:/bin",
    "HOME": "/nonexistent",
    "COLUMNS": "100",
    "PYTHONPATH": str(Path(peerkit.__file__).resolve().parents[1]),
}

PROBE = """
import json, sys
sys.argv = ["peerkit"] + {args!r}
from peerkit.cli import app
try:
    app(prog_name="peerkit")
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules)), file=sys.stderr)
"""


def _modules(args: list[str]) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args)],
        capture_output=True,
        text=True,
        timeout=60,
        env=ENV,
    )
    last = proc.stderr.strip().splitlines()[-1]
    return {m.split(".")[0] for m in json.loads(last)}


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["--version"],
        ["member", "--help"],
        ["db", "--help"],
        ["group", "--help"],
        ["session", "--help"],
        ["plan", "week", "--help"],
        ["commitment", "--help"],
        ["agenda", "--help"],
        ["templates", "--help"],
    ],
)
def test_help_imports_no_heavy_module(args: list[str]) -> None:
    loaded = _modules(args)
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_version() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "peerkit", "--version"], capture_output=True, text=True, timeout=60
    )
    from peerkit import __version__

    assert proc.returncode == 0
    assert proc.stdout == f"peerkit {__version__}\n"


@pytest.mark.parametrize("args", [["--help"], ["-h"], [], ["--version"]])
def test_the_slim_root_app_answers_exactly_like_the_full_one(args: list[str]) -> None:
    """`peerkit --help` is served without importing the commands; it must not drift."""
    from typer.testing import CliRunner

    from peerkit.cli import build_app
    from peerkit.commands._root import SLIM_ARGS, build_slim_app

    assert args in SLIM_ARGS
    slim = CliRunner().invoke(build_slim_app(), args, prog_name="peerkit")
    full = CliRunner().invoke(build_app(), args, prog_name="peerkit")
    assert (slim.exit_code, slim.stdout, slim.stderr) == (full.exit_code, full.stdout, full.stderr)
    assert "member" in slim.stdout + slim.stderr or args == ["--version"]


RUN_PROBE = """
import json, sys
sys.argv = ["peerkit"] + {args!r}
from peerkit.commands._root import run
try:
    run()
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def _run_modules(args: list[str]) -> tuple[str, set[str]]:
    """What the console script (`run()`) prints and imports for ARGS."""
    proc = subprocess.run(
        [sys.executable, "-c", RUN_PROBE.format(args=args)],
        capture_output=True,
        text=True,
        timeout=60,
        env=ENV,
    )
    return proc.stdout, set(json.loads(proc.stderr.strip().splitlines()[-1]))


def test_the_console_script_serves_help_without_the_commands() -> None:
    out, loaded = _run_modules(["--help"])
    assert "─ Community ─" in out  # the commands, in panels by what the organiser does
    commands = {m for m in loaded if m.startswith("peerkit.commands")}
    assert commands == {"peerkit.commands", "peerkit.commands._root"}
    assert "peerkit.cli" not in loaded


@pytest.mark.parametrize(
    "args",
    [
        ["member", "--help"],
        ["member", "-h"],
        ["member"],
        ["member", "list", "--help"],
        ["group", "form", "-h"],
        ["agenda", "--help"],
    ],
)
def test_a_command_help_imports_neither_the_database_nor_the_domain(args: list[str]) -> None:
    """`peerkit member --help` (or `member list --help`) reads no setting and parses no option
    it does not need: no pydantic either (Typer imports it to convert any option it parses)."""
    out, loaded = _run_modules(args)
    assert "Usage: peerkit" in out
    tops = {m.split(".")[0] for m in loaded}
    assert not tops & {*HEAVY, "pydantic"}, sorted(tops & {*HEAVY, "pydantic"})
    assert not {m for m in loaded if m.startswith(("peerkit.services", "peerkit.db"))}
    assert not {"tomllib", "platformdirs"} & tops  # no setting is read for help


@pytest.mark.parametrize(
    "argv",
    [
        ["member", "--help"],
        ["member", "-h"],
        ["member"],
        ["member", "list", "--help"],
        ["member", "list", "-h"],
        ["member", "lst", "--help"],
        ["member", "lis"],
        ["member", "--bogus"],
        ["member", "--help", "list"],
        ["member", "list", "--bogus"],
        ["member", "list", "extra", "--help"],
        ["member", "add", "--email", "--help"],
        ["member", "import", "--help"],
        ["--db", "x.db", "member", "--help"],
        ["--db", "x.db", "member", "list", "--help"],
        ["member", "list", "--help", "--help"],
        ["--no-input", "member"],
        ["--db", "x.db", "group", "--help"],
        ["group", "--help"],
        ["group", "form", "--help"],
        ["--no-input", "plan", "week", "--help"],
        ["plan"],
        ["--database-url=sqlite:///x.db", "export", "ics", "--help"],
        ["agenda", "--help"],
        ["agenda"],
        ["stats", "-h"],
        ["db", "check", "--help"],
        ["frobnicate"],
        ["--db"],
    ],
)
def test_the_app_built_for_a_command_line_answers_like_the_full_app(argv: list[str]) -> None:
    """`run()` builds only what the command line needs (app_for); its answers must be the
    full app's."""
    from typer.testing import CliRunner

    from peerkit.cli import build_app
    from peerkit.commands._root import app_for

    one = CliRunner().invoke(app_for(argv), argv, prog_name="peerkit")
    full = CliRunner().invoke(build_app(), argv, prog_name="peerkit")
    assert (one.exit_code, one.stdout, one.stderr) == (full.exit_code, full.stdout, full.stderr)


def test_a_narrowed_group_keeps_only_the_command_named() -> None:
    from peerkit.commands import member
    from peerkit.commands._root import narrowed

    one = narrowed(member.app, ["list", "--format", "json"])
    assert [c.name for c in one.registered_commands] == ["list"]
    assert narrowed(member.app, ["nonsense"]) is member.app
    assert len(member.app.registered_commands) == 10  # the module's own app is untouched


def test_invoked_command_skips_the_global_options() -> None:
    from peerkit.commands._root import invoked_command

    assert invoked_command(["--db", "member", "member", "list"]) == "member"
    assert invoked_command(["--db=x.db", "--no-input", "plan", "week"]) == "plan"
    assert invoked_command(["--version"]) is None
    assert invoked_command(["nonsense"]) is None
    assert invoked_command([]) is None
