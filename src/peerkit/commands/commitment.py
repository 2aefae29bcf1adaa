"""peerkit commitment ...: what members promised, carried to the next meeting."""

from __future__ import annotations

from typing import Annotated

import typer

from peerkit.commands._options import (
    FormatOpt,
    MemberRef,
    WideOpt,
    date_option,
    group_option,
    member_option,
    session_option,
)
from peerkit.context import app_context
from peerkit.enums import CommitmentStatus
from peerkit.errors import catch_errors
from peerkit.output import Column, Format, data_line, emit, emit_one, message
from peerkit.text import examples

app = typer.Typer(
    help="Commitments: add them, list them, mark them done or dropped.",
    epilog=examples(
        "peerkit commitment list --open",
        'peerkit commitment add "Giulia Rossi" "Send the price list" --due 2026-12-15',
        "peerkit commitment done 1",
    ),
    no_args_is_help=True,
)

COLUMNS = (
    Column("id"),
    Column("member_name"),
    Column("group", priority=3),
    Column("session", priority=4),
    Column("text", wrap=True),
    Column("due", priority=2),
    Column("status", priority=2),
)
CommitmentRef = Annotated[
    str, typer.Argument(help="A commitment id.", metavar="ID", show_default=False)
]


@app.command(
    "add",
    epilog=examples(
        'peerkit commitment add "Giulia Rossi" "Send the price list" --due 2026-12-15',
        'peerkit commitment add "Daniel Kim" "Call two investors" --session 3',
    ),
)
@catch_errors
def commitment_add(
    ctx: typer.Context,
    ref: MemberRef,
    text: Annotated[
        str, typer.Argument(help="What they will do.", show_default=False, metavar="TEXT")
    ],
    session_id: Annotated[
        str | None,
        session_option("The meeting it was made at (default: their group's latest)."),
    ] = None,
    due: Annotated[str | None, date_option("--due", "By when (YYYY-MM-DD).")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Record a commitment; it shows on the next meeting's agenda until done or dropped."""
    from peerkit.services.groups import commitments, meetings
    from peerkit.services.members import profiles

    app_ctx = app_context(ctx)
    by = commitments.parse_due(due)
    with app_ctx.db().write() as session:
        member = profiles.resolve(session, ref)
        meeting = meetings.resolve(session, session_id) if session_id else None
        made = commitments.add(
            session, member, text, meeting=meeting, due=by, today=app_ctx.today()
        )
        shown = commitments.to_dict(session, made)
    if fmt is Format.json:
        emit_one(shown, fmt)
    else:
        data_line(str(shown["id"]))
        message(f"Commitment {shown['id']} for {shown['member_name']}.")


@app.command(
    "list",
    epilog=examples(
        "peerkit commitment list --open",
        'peerkit commitment list --member "Daniel Kim"',
        "peerkit commitment list --group mastermind-del-martedi --format csv",
    ),
)
@catch_errors
def commitment_list(
    ctx: typer.Context,
    member: Annotated[str | None, member_option("--member", "Only this member's.")] = None,
    group: Annotated[str | None, group_option("Only this group's.")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only open commitments.")] = False,
    fmt: FormatOpt = Format.table,
    wide: WideOpt = False,
) -> None:
    """List commitments."""
    from peerkit.context import community_defaults
    from peerkit.services.common import community
    from peerkit.services.groups import commitments, roster
    from peerkit.services.members import profiles

    app_ctx = app_context(ctx)
    settings = app_ctx.settings
    with app_ctx.db().read() as session:
        who = profiles.resolve(session, member) if member else None
        where = roster.resolve(session, group) if group else None
        rows = [
            commitments.to_dict(session, c)
            for c in commitments.list_commitments(
                session, member=who, group=where, open_only=open_only
            )
        ]
        if fmt is Format.table:  # the due date in words, in the community's language
            clock = community.clock(session, app_ctx.today(), None, community_defaults(settings))
            rows = [{**r, "due": clock.day(r["due"])} for r in rows]
    emit(rows, fmt, COLUMNS, empty="No commitments.", wide=wide)


def _close(ctx: typer.Context, ref: str, status: CommitmentStatus) -> None:
    from peerkit.services.groups import commitments

    app_ctx = app_context(ctx)
    with app_ctx.db().write() as session:
        changed = commitments.close(session, commitments.resolve(session, ref), status)
    message(
        f"Commitment {ref} is {status}." if changed else f"Commitment {ref} was already {status}."
    )


@app.command("done", epilog=examples("peerkit commitment done 1"))
@catch_errors
def commitment_done(ctx: typer.Context, ref: CommitmentRef) -> None:
    """Mark a commitment done."""
    _close(ctx, ref, CommitmentStatus.DONE)


@app.command("drop", epilog=examples("peerkit commitment drop 2"))
@catch_errors
def commitment_drop(ctx: typer.Context, ref: CommitmentRef) -> None:
    """Drop a commitment (it leaves the agendas)."""
    _close(ctx, ref, CommitmentStatus.DROPPED)
