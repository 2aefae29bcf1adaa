"""The root of the command line: global options, the list of commands, the slim app.

`peerkit --help` and `peerkit --version` are answered by a slim app built from this
module alone: the same commands with the same help, none of them imported. A command
line gets only what it names (`app_for`): `peerkit member --help` a root without global
options and the group's commands without their parameters, `peerkit member list ...`
the member group with `list` alone. Tests hold their output equal to the full app's
(build_app(), also peerkit.cli.app).
"""

from __future__ import annotations

import copy
import inspect
import sys
from pathlib import Path
from typing import Annotated

import typer
from typer.main import get_command_name
from typer.models import CommandInfo

from peerkit import __version__
from peerkit.errors import catch_errors, interrupted, silent_interrupt

ROOT_HELP = (
    "Organise a peer-support community from the terminal: members, mastermind groups, "
    "hot seats, commitments, mentoring and events."
)

# name, kind ("command" or "group"), module under peerkit.commands, attribute, help
COMMANDS: list[tuple[str, str, str, str, str]] = [
    ("init", "command", "setup", "init",
     "Create the community's database, or update its settings. Safe to run again."),
    ("demo", "command", "setup", "demo",
     "Build a sample community in DIR and run the weekly pipeline on it."),
    ("member", "group", "member", "app",
     "Keep the member record: add, list, edit, pause, import, export, forget."),
    ("group", "group", "group", "app",
     "Peer groups: create or form them, find common times, add and remove members, archive."),
    ("session", "group", "session", "app",
     "Meetings: plan them, list, move, cancel, take attendance, keep notes."),
    ("plan", "group", "plan", "app", "Plan the week for every active group."),
    ("commitment", "group", "commitment", "app",
     "Commitments: add them, list them, mark them done or dropped."),
    ("mentor", "group", "mentor", "app",
     "Mentoring: match mentors to mentees, pair them by hand, plan check-ins, end them."),
    ("event", "group", "event", "app",
     "Events for the wider community: create them, take answers with a waitlist, export."),
    ("stats", "command", "stats", "stats",
     "Community health: attendance, hot seats, commitments, mentoring, who is at risk."),
    ("site", "group", "site", "app",
     "A static public page: upcoming events and groups with open seats."),
    ("agenda", "command", "agenda", "agenda",
     "Print (or write) a meeting's agenda: check-in, hot seats, commitments, close."),
    ("invite", "command", "invite", "invite",
     "Write one invitation e-mail per attendee (.eml); with --send, deliver them."),
    ("remind", "command", "remind", "remind",
     "Remind members of meetings starting soon; writes .eml files, or sends with --send."),
    ("outbox", "group", "outbox", "app",
     "The messages peerkit wrote: check them before they are sent."),
    ("replies", "group", "replies", "app",
     "Replies to invitations: read members' answers from their mail and record them."),
    ("export", "group", "export", "app",
     "Export calendars (.ics) for a session, a group, a member or everyone."),
    ("publish", "group", "publish", "app",
     "Publish meetings to a shared calendar server (CalDAV)."),
    ("templates", "group", "templates", "app",
     "Templates for agendas, invitations and reminders: list, show, copy to customise."),
    ("db", "group", "db", "app",
     "The database: its path, backups, integrity checks and upgrades."),
]  # fmt: skip
HELP_FLAGS = ("-h", "--help")  # in the order of the root's help_option_names
SLIM_ARGS: tuple[list[str], ...] = ([], ["--help"], ["-h"], ["--version"])


def _version(value: bool) -> None:
    if value:
        typer.echo(f"peerkit {__version__}")
        raise typer.Exit()


@catch_errors
def main(
    ctx: typer.Context,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            envvar="PEERKIT_DB",
            help="SQLite database file. Default: peerkit.db in your user data folder.",
            show_default=False,
        ),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            envvar="PEERKIT_DATABASE_URL",
            help="Any SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db (wins over --db).",
            show_default=False,
        ),
    ] = None,
    no_input: Annotated[
        bool,
        typer.Option(
            "--no-input",
            envvar="PEERKIT_NO_INPUT",
            help="Never prompt; a missing required value is a usage error.",
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Organise a peer-support community from the terminal."""
    from peerkit.config import resolve_settings
    from peerkit.context import AppContext

    settings = resolve_settings(db, database_url, no_input, sys.stdin.isatty(), check_setting)
    ctx.obj = AppContext(settings=settings)
    ctx.call_on_close(ctx.obj.close)


CHECKED_SETTINGS = ("timezone", "locale", "organiser_email")


def check_setting(key: str, value: str) -> None:
    """config.toml's community defaults are checked when read, by the domain's own rules."""
    if key not in CHECKED_SETTINGS:
        return
    from peerkit.services.common import validate

    checks = {
        "timezone": validate.timezone,
        "locale": validate.locale,
        "organiser_email": validate.email,
    }
    checks[key](value)


def new_app() -> typer.Typer:
    root = typer.Typer(
        name="peerkit",
        help=ROOT_HELP,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": list(HELP_FLAGS)},
    )
    root.callback()(main)
    return root


def build_slim_app() -> typer.Typer:
    """Only what the root help shows: the same names and help, no command imported."""
    root = new_app()
    for name, kind, _module, _attribute, text in COMMANDS:
        if kind == "group":
            root.add_typer(typer.Typer(), name=name, help=text)
        else:
            root.command(name, help=text)(_placeholder)
    return root


def _placeholder() -> None:  # pragma: no cover - never run: the full app handles commands
    raise typer.Exit(2)


VALUE_OPTIONS = ("--db", "--database-url")
FLAG_OPTIONS = ("--no-input",)


def split_command(argv: list[str]) -> tuple[str, list[str]] | None:
    """The top-level command named on a command line and what follows it.

    The global options before it are skipped. None when it cannot be told for sure (then
    the full app answers, as it always may).
    """
    i = 0
    while i < len(argv):
        token = argv[i]
        if token in VALUE_OPTIONS:
            i += 2
        elif token.startswith(tuple(f"{o}=" for o in VALUE_OPTIONS)) or token in FLAG_OPTIONS:
            i += 1
        elif token.startswith("-") or token not in {c[0] for c in COMMANDS}:
            return None
        else:
            return token, argv[i + 1 :]
    return None


def invoked_command(argv: list[str]) -> str | None:
    """The top-level command named on a command line, skipping the global options."""
    found = split_command(argv)
    return found[0] if found else None


def build_app(only: str | None = None, rest: list[str] | None = None) -> typer.Typer:
    """The root with every command registered, or with the one named.

    With REST (what follows the command on the command line), a group is narrowed to the
    sub-command REST names (see `narrowed`).
    """
    root = new_app()
    _register(root, only, rest)
    return root


def _register(root: typer.Typer, only: str | None, rest: list[str] | None) -> None:
    import importlib

    for command, kind, module, attribute, text in COMMANDS:
        if only is not None and command != only:
            continue
        target = getattr(importlib.import_module(f"peerkit.commands.{module}"), attribute)
        if kind == "group":
            sub = target if rest is None else narrowed(target, rest)
            root.add_typer(sub, name=command, help=text)
        else:
            root.command(command, help=text)(target)


def narrowed(group: typer.Typer, rest: list[str]) -> typer.Typer:
    """GROUP with only what the command line REST needs built.

    Typer builds every command of a group (each parameter of each) before it parses;
    a group is narrowed to the one sub-command REST names, and `peerkit GROUP --help`
    (or GROUP alone) gets `listing(group)`. Anything else gets the whole group. For
    `GROUP SUB --help` the group has no help option of its own either: parsing it (unused)
    would make Typer import pydantic.
    """
    if group.registered_groups:
        return group
    if not rest or (len(rest) == 1 and rest[0] in HELP_FLAGS):
        return listing(group)
    named = [c for c in group.registered_commands if rest[0] == _name(c)]
    if not named:
        return group
    one = copy.copy(group)
    one.registered_commands = named
    if len(rest) == 2 and rest[1] in HELP_FLAGS:
        one.info = copy.copy(group.info)
        one.info.add_help_option = False
    return one


def listing(group: typer.Typer) -> typer.Typer:
    """GROUP's commands with their names and help, none of their parameters."""
    shown = copy.copy(group)
    shown.registered_commands = []
    for info in group.registered_commands:
        placeholder = copy.copy(info)
        placeholder.callback = _placeholder
        if info.help is None:
            placeholder.help = inspect.getdoc(info.callback)
        shown.registered_commands.append(placeholder)
    return shown


def _name(info: CommandInfo) -> str:
    callback = info.callback
    return info.name or (get_command_name(callback.__name__) if callback else "")


def help_root(name: str, rest: list[str]) -> typer.Typer | None:
    """The root for `peerkit NAME [SUB] --help` (or a group alone), or None for other lines.

    Help needs none of the global options, so this root has none (nor the callback that
    reads the settings): parsing an option makes Typer import pydantic. Its help options
    are passed on to the commands, whose help is the same as in the full app.
    """
    kind = next(c[1] for c in COMMANDS if c[0] == name)
    asks_help = bool(rest) and rest[-1] in HELP_FLAGS and len(rest) <= (2 if kind == "group" else 1)
    if not (asks_help or (kind == "group" and not rest)):
        return None
    root = typer.Typer(
        name="peerkit",
        add_completion=False,
        add_help_option=False,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": list(HELP_FLAGS)},
    )
    root.callback()(_nothing)
    _register(root, name, rest)
    return root


def _nothing() -> None:
    """The help root's callback: nothing to set up for help."""


def app_for(argv: list[str]) -> typer.Typer:
    """The app that answers ARGV as the full app does, building as little as it can.

    The root help comes from the slim app; `peerkit NAME --help` from `help_root`; a
    command line naming a command gets the root with that command alone, narrowed to the
    sub-command it names (Typer builds every registered command before it parses, so the
    others would only cost time); anything else gets the full app. Tests hold them all to
    the same output.
    """
    if argv in SLIM_ARGS:
        return build_slim_app()
    found = split_command(argv)
    if found is None:
        return build_app()
    name, rest = found
    if argv[0] == name and (helped := help_root(name, rest)) is not None:
        return helped
    return build_app(only=name, rest=rest)


def run() -> None:
    """The console script. (peerkit.cli holds the full app for tests and docs; it is not
    imported here, so that the two modules do not import each other.)"""
    try:
        app_for(sys.argv[1:])(prog_name="peerkit")
    except KeyboardInterrupt:  # while the app was being built: before any command ran
        interrupted()
    except SystemExit as stop:
        if silent_interrupt(stop):  # Ctrl-C while Typer parsed or closed: say it too
            interrupted()
        raise
