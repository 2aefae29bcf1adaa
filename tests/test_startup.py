"""`peerkit --help` must not pay for the database, calendar or template stacks."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

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
        env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "COLUMNS": "100"},
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
sys.argv = ["peerkit", "--help"]
from peerkit.commands._root import run
try:
    run()
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def test_the_console_script_serves_help_without_the_commands() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", RUN_PROBE],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "COLUMNS": "100"},
    )
    loaded = set(json.loads(proc.stderr.strip().splitlines()[-1]))
    assert "Commands" in proc.stdout
    commands = {m for m in loaded if m.startswith("peerkit.commands")}
    assert commands == {"peerkit.commands", "peerkit.commands._root"}
    assert "peerkit.cli" not in loaded


@pytest.mark.parametrize(
    "argv",
    [
        ["member", "--help"],
        ["--db", "x.db", "group", "--help"],
        ["--no-input", "plan", "week", "--help"],
        ["--database-url=sqlite:///x.db", "export", "ics", "--help"],
        ["agenda", "--help"],
        ["frobnicate"],
        ["--db"],
    ],
)
def test_the_root_with_one_command_answers_like_the_full_app(argv: list[str]) -> None:
    """`run()` registers only the command named; its answers must be the full app's."""
    from typer.testing import CliRunner

    from peerkit.cli import build_app
    from peerkit.commands._root import invoked_command

    name = invoked_command(argv)
    one = CliRunner().invoke(
        build_app(only=name) if name else build_app(), argv, prog_name="peerkit"
    )
    full = CliRunner().invoke(build_app(), argv, prog_name="peerkit")
    assert (one.exit_code, one.stdout, one.stderr) == (full.exit_code, full.stdout, full.stderr)


def test_invoked_command_skips_the_global_options() -> None:
    from peerkit.commands._root import invoked_command

    assert invoked_command(["--db", "member", "member", "list"]) == "member"
    assert invoked_command(["--db=x.db", "--no-input", "plan", "week"]) == "plan"
    assert invoked_command(["--version"]) is None
    assert invoked_command(["nonsense"]) is None
    assert invoked_command([]) is None
