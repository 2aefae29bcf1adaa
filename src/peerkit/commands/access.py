"""peerkit access ...: who may do what, enforced by PostgreSQL (logins, roles, row security)."""

from __future__ import annotations

from typing import Annotated

import typer

from peerkit.commands._options import FormatOpt, WideOpt, group_option
from peerkit.context import app_context
from peerkit.enums import AccessRole
from peerkit.errors import catch_errors
from peerkit.output import Column, Format, data_line, emit, emit_one, message, warning
from peerkit.text import examples

SERVER = "postgresql+psycopg://paolo@db.example.org/freelance"
app = typer.Typer(
    help="Who may do what: organisers, facilitators of their groups, viewers (PostgreSQL).",
    epilog=examples(
        "peerkit access list",
        (
            f"peerkit --database-url {SERVER}",
            'access grant "Sara Colombo <sara@example.org>" --role facilitator',
            "--group mastermind-del-martedi",
        ),
    ),
    no_args_is_help=True,
)

COLUMNS = (
    Column("who"),
    Column("role"),
    Column("groups", wrap=True, priority=2),
    Column("login"),
)
Who = Annotated[
    str,
    typer.Argument(
        help='The person, as "Name <email>", or their database login (an existing role).',
        metavar="WHO",
        show_default=False,
    ),
]


@app.command(
    "grant",
    epilog=examples(
        (
            f"peerkit --database-url {SERVER}",
            'access grant "Sara Colombo <sara@example.org>" --role facilitator',
            "--group mastermind-del-martedi",
        ),
        (
            f"peerkit --database-url {SERVER}",
            'access grant "Anna Verdi <anna@example.org>" --role organiser',
        ),
    ),
)
@catch_errors
def access_grant(
    ctx: typer.Context,
    who: Who,
    role: Annotated[
        AccessRole,
        typer.Option(
            "--role",
            help="organiser: everything; facilitator: their groups' meetings, attendance, "
            "notes, commitments and invitations; viewer: read only.",
            case_sensitive=False,
            show_default=False,
        ),
    ],
    groups: Annotated[
        list[str] | None, group_option("A group a facilitator runs (repeatable).")
    ] = None,
    login: Annotated[
        str | None,
        typer.Option(
            "--login",
            help="The database login to create or use (default: from the e-mail address, "
            "marta.bianchi@... gives marta_bianchi).",
            show_default=False,
            metavar="NAME",
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Give a person a database login with a role; prints the login.

    On PostgreSQL the login is created when missing (without a password: set one with
    ALTER ROLE NAME PASSWORD '...', or let pg_hba.conf decide), made a member of the role's
    group role, and recorded with its groups; the database itself then holds it to them.
    On SQLite nothing can be enforced: the command refuses.
    """
    from peerkit.services.access import grants

    app_ctx = app_context(ctx)
    with app_ctx.db().write() as session:
        shown = grants.grant(session, who, role, groups or [], login)
    if fmt is Format.json:
        emit_one(shown, fmt)
        return
    data_line(shown["login"])
    made = "created" if shown.pop("created") else "existing"
    reach = f" of {', '.join(shown['groups'])}" if shown["groups"] else ""
    message(f"{shown['who']} is a {shown['role']}{reach}, as the {made} login {shown['login']}.")
    if made == "created":
        message(
            f"It has no password: set one in psql with \\password {shown['login']}, "
            "or let pg_hba.conf decide how it signs in."
        )


@app.command(
    "revoke",
    epilog=examples(
        (f"peerkit --database-url {SERVER}", "access revoke sara"),
    ),
)
@catch_errors
def access_revoke(ctx: typer.Context, who: Who) -> None:
    """Take a person's access away: their group role, their login (when peerkit made it), and
    the record of their groups."""
    from peerkit.services.access import grants

    app_ctx = app_context(ctx)
    with app_ctx.db().write() as session:
        shown = grants.revoke(session, who)
    gone = "dropped" if shown["dropped"] else "kept (peerkit did not create it), with no role"
    message(f"{shown['who']} has no access any more; the login {shown['login']} was {gone}.")


@app.command(
    "list",
    epilog=examples("peerkit access list", "peerkit access list --format json"),
)
@catch_errors
def access_list(ctx: typer.Context, fmt: FormatOpt = Format.table, wide: WideOpt = False) -> None:
    """List who has access: the person, the role, a facilitator's groups, the login."""
    from peerkit.services.access import grants

    app_ctx = app_context(ctx)
    with app_ctx.db().read() as session:
        rows = grants.listing(session)
        enforced = grants.enforced(session)
    if not enforced:
        warning(grants.SQLITE)
    shown = (
        rows
        if fmt is not Format.table
        else [{**row, "groups": ", ".join(row["groups"]) or "-"} for row in rows]
    )
    emit(shown, fmt, COLUMNS, csv_columns=["who", "role", "groups", "login"],
         empty="No access granted.", wide=wide)  # fmt: skip
