"""The root of the command line: global options, the list of commands, the slim app.

`peerkit --help` and `peerkit --version` are answered by a slim app built from this
module alone: the same commands with the same help, none of them imported. A test
holds its output equal to the full app's (build_app(), also peerkit.cli.app).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from peerkit import __version__
from peerkit.errors import catch_errors, interrupted

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
    ("export", "group", "export", "app",
     "Export calendars (.ics) for a session, a group, a member or everyone."),
    ("publish", "group", "publish", "app",
     "Publish meetings to a shared calendar server (CalDAV)."),
    ("templates", "group", "templates", "app",
     "Templates for agendas, invitations and reminders: list, show, copy to customise."),
    ("db", "group", "db", "app",
     "The database: its path, backups, integrity checks and upgrades."),
]  # fmt: skip
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
        context_settings={"help_option_names": ["-h", "--help"]},
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


def invoked_command(argv: list[str]) -> str | None:
    """The top-level command named on a command line, skipping the global options.

    None when it cannot be told for sure (then the full app answers, as it always may).
    """
    rest = iter(argv)
    for token in rest:
        if token in VALUE_OPTIONS:
            next(rest, None)
        elif token.startswith(tuple(f"{o}=" for o in VALUE_OPTIONS)) or token in FLAG_OPTIONS:
            continue
        elif token.startswith("-"):
            return None
        else:
            return token if token in {c[0] for c in COMMANDS} else None
    return None


def build_app(only: str | None = None) -> typer.Typer:
    """The root with every command registered, or with the one named."""
    import importlib

    root = new_app()
    for command, kind, module, attribute, text in COMMANDS:
        if only is not None and command != only:
            continue
        target = getattr(importlib.import_module(f"peerkit.commands.{module}"), attribute)
        if kind == "group":
            root.add_typer(target, name=command, help=text)
        else:
            root.command(command, help=text)(target)
    return root


def run() -> None:
    """The console script.

    The root help comes from the slim app; a command line naming a command gets the root
    with that command alone (Typer builds every registered command before it parses, so
    the others would only cost time); anything else gets the full app. Tests hold all
    three to the same output. (peerkit.cli holds the full app for tests and docs; it is
    not imported here, so that the two modules do not import each other.)
    """
    argv = sys.argv[1:]
    try:
        if argv in SLIM_ARGS:
            build_slim_app()(prog_name="peerkit")
            return
        name = invoked_command(argv)
        build_app(only=name)(prog_name="peerkit")
    except KeyboardInterrupt:  # while the app was being built: before any command ran
        interrupted()
