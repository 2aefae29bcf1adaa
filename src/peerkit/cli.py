"""The root Typer app: global options, and one sub-app per noun. Nothing else."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from peerkit import __version__
from peerkit.commands import agenda, commitment, group, member, plan, session, setup, templates
from peerkit.commands import db as db_cmd
from peerkit.errors import catch_errors

app = typer.Typer(
    name="peerkit",
    help=(
        "Organise a peer-support community from the terminal: members, mastermind groups, "
        "hot seats, commitments, mentoring and events."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"peerkit {__version__}")
        raise typer.Exit()


@app.callback()
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

    settings = resolve_settings(db, database_url, no_input, sys.stdin.isatty())
    ctx.obj = AppContext(settings=settings)
    ctx.call_on_close(ctx.obj.close)


app.command("init")(setup.init)
app.command("demo")(setup.demo)
app.add_typer(member.app, name="member")
app.add_typer(group.app, name="group")
app.add_typer(session.app, name="session")
app.add_typer(plan.app, name="plan")
app.add_typer(commitment.app, name="commitment")
app.command("agenda")(agenda.agenda)
app.add_typer(templates.app, name="templates")
app.add_typer(db_cmd.app, name="db")
