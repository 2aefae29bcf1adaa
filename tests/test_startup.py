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
        ["frobnicate", "--help"],
        ["--db", "x.db", "frobnicate", "list"],
        ["--as", "Ann <ann@example.org>", "--no-input", "memb"],
        ["--db", "x.db"],
        ["--no-input"],
        ["--db", "x.db", "--", "member", "--help"],
        ["--bogus", "member", "list"],
        ["--db", "x.db", "--version", "frobnicate"],
        ["member", "lst"],
        ["group", "form", "--size", "many"],
        ["--db", "x.db", "plan", "week", "--week", "--help", "--bogus"],
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


# What Typer's help module would import only for Markdown help and pretty tracebacks, which
# peerkit never shows: its help imports none of them (light_rich_utils).
NEVER_FOR_HELP = ("markdown_it", "pygments", "attr")
NEVER_FOR_HELP_MODULES = ("rich.markdown", "rich.traceback", "rich.pretty", "rich.syntax")


@pytest.mark.parametrize(
    "args", [["--help"], ["member", "--help"], ["member", "list", "--help"], ["group", "-h"]]
)
def test_help_imports_neither_markdown_nor_rich_tracebacks(args: list[str]) -> None:
    out, loaded = _run_modules(args)
    assert "Usage: peerkit" in out
    assert "typer.rich_utils" in loaded  # the help was Typer's Rich help
    assert not {m.split(".")[0] for m in loaded} & set(NEVER_FOR_HELP)
    assert not loaded & set(NEVER_FOR_HELP_MODULES)


def test_member_help_imports_neither_the_settings_nor_the_models() -> None:
    """`peerkit member --help` loads the member commands' module, and only what it shows."""
    _out, loaded = _run_modules(["member", "--help"])
    assert "peerkit.commands.member" in loaded
    assert not loaded & {
        "peerkit.models",
        "peerkit.context",
        "peerkit.config",
        "peerkit.defaults",
        "peerkit.enums",
    }
    assert not {m for m in loaded if m.startswith(("peerkit.services", "peerkit.models"))}


LIGHT_PROBE = """
import sys
from peerkit.commands._root import light_rich_utils
light_rich_utils()
import typer.rich_utils as rich_utils
assert "rich.markdown" not in sys.modules and "rich.traceback" not in sys.modules
shown = rich_utils._make_rich_text(text="**bold** and `code`", markup_mode="markdown")
import rich.markdown
assert isinstance(shown, rich.markdown.Markdown), type(shown)
assert isinstance(shown, rich_utils.Markdown)
from typer.models import DeveloperExceptionConfig
try:
    1 / 0
except ZeroDivisionError as exc:
    tb = rich_utils.get_traceback(exc, DeveloperExceptionConfig(), [])
import rich.traceback
assert type(tb) is rich.traceback.Traceback
print("ok")
"""


def test_markdown_and_tracebacks_still_work_when_asked_for() -> None:
    """The stand-ins import the real Rich classes when they are used, and leave sys.modules
    to Rich's own modules."""
    proc = subprocess.run(
        [sys.executable, "-c", LIGHT_PROBE], capture_output=True, text=True, timeout=60, env=ENV
    )
    assert proc.stdout == "ok\n", proc.stderr


def test_markdown_help_is_rendered_as_markdown_after_peerkit_help() -> None:
    """A Typer app in markdown mode, in a process where peerkit's help loaded rich_utils."""
    probe = """
import typer
from typer.testing import CliRunner
from peerkit.commands._root import light_rich_utils
light_rich_utils()
app = typer.Typer(rich_markup_mode="markdown")
@app.command()
def hello() -> None:
    '''Say **hello**: `peerkit` *styled*.'''
runner = CliRunner()
print(runner.invoke(app, ["--help"], env={"COLUMNS": "80"}).stdout)
"""
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, env=ENV
    )
    assert "Say hello: peerkit styled." in proc.stdout, proc.stderr + proc.stdout


# Counts the collections made while peerkit's main() runs (one may follow its return, when
# the collector is on again).
GC_PROBE = """
import gc, sys, traceback
from peerkit.__main__ import main
collections = []
def seen(phase, info):
    frames = traceback.extract_stack()
    if phase == "start" and any(f.name == "main" and "peerkit" in f.filename for f in frames):
        collections.append(info)
gc.callbacks.append(seen)
sys.argv = ["peerkit"] + {args!r}
try:
    main()
except SystemExit:
    pass
print(len(collections), file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["--help"], ["member", "--help"], ["--version"]])
def test_no_garbage_is_collected_while_help_is_loaded_and_shown(args: list[str]) -> None:
    """Importing Typer and Rich makes tens of thousands of lasting objects; collecting them
    again and again was a tenth of `peerkit --help`. Help opens no database, so the
    collector stays paused to the end (peerkit.loading)."""
    proc = subprocess.run(
        [sys.executable, "-c", GC_PROBE.format(args=args)],
        capture_output=True,
        text=True,
        timeout=60,
        env=ENV,
    )
    assert proc.stderr.strip().splitlines()[-1] == "0", proc.stderr


NEWER_RICH = """
import importlib.machinery, sys

class Newer:
    '''typer.rich_utils as a Typer of another version might write it: importing more
    from rich.traceback than the stand-in holds.'''

    def find_spec(self, name, path=None, target=None):
        if name != "typer.rich_utils":
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        real = spec.loader.exec_module

        def exec_module(module):
            real(module)
            from rich.traceback import install

        spec.loader.exec_module = exec_module
        return spec

sys.meta_path.insert(0, Newer())
sys.argv = ["peerkit", "--help"]
from peerkit.commands._root import run
try:
    run()
except SystemExit as stop:
    assert not stop.code, stop.code
import rich.traceback
assert hasattr(rich.traceback, "install")
"""


def test_help_is_shown_when_typer_needs_more_than_the_stand_ins() -> None:
    """If Typer or Rich imports more from rich.markdown or rich.traceback than the stand-ins
    hold, help imports the real modules and is the same."""
    usual = subprocess.run(
        [sys.executable, "-m", "peerkit", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env=ENV,
    )
    newer = subprocess.run(
        [sys.executable, "-c", NEWER_RICH], capture_output=True, text=True, timeout=60, env=ENV
    )
    assert newer.returncode == 0, newer.stderr
    assert newer.stdout == usual.stdout
    assert "─ Community ─" in newer.stdout


ERROR_PROBE = """
import json, sys
{first}
sys.argv = ["peerkit"] + {args!r}
from peerkit.commands._root import run
try:
    run()
except SystemExit as stop:
    print("exit", stop.code, file=sys.stderr)
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


@pytest.mark.parametrize(
    "args",
    [["frobnicate"], ["--db", "x.db", "frobnicate"], ["member", "lst"], ["--no-input"]],
)
def test_a_usage_error_is_shown_without_markdown_and_as_typer_shows_it(
    args: list[str], tmp_path: Path
) -> None:
    """A mistyped command line is answered as quickly as help, and in the same words and
    frame as Typer's own Rich help module shows it (here imported first, in full)."""

    def run(first: str) -> tuple[str, set[str]]:
        proc = subprocess.run(
            [sys.executable, "-c", ERROR_PROBE.format(first=first, args=args)],
            capture_output=True,
            text=True,
            timeout=60,
            env=ENV,
            cwd=tmp_path,
        )
        *shown, loaded = proc.stderr.splitlines()
        return "\n".join(shown), set(json.loads(loaded))

    shown, loaded = run("")
    usual, usual_loaded = run("import typer.rich_utils")
    assert shown == usual
    assert "exit 2" in shown
    assert "─ Error ─" in shown
    assert "rich.markdown" in usual_loaded
    assert not loaded & set(NEVER_FOR_HELP_MODULES)
    commands = {m for m in loaded if m.startswith("peerkit.commands")}
    if args[0] != "member":  # no command named: the slim app answered
        assert commands == {"peerkit.commands", "peerkit.commands._root"}
