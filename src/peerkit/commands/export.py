"""peerkit export ics: calendar files for a session, a group, a member or everyone."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from peerkit.commands._options import (
    ForceOpt,
    OutputOpt,
    group_option,
    member_option,
    session_option,
)
from peerkit.context import app_context
from peerkit.errors import catch_errors
from peerkit.output import message
from peerkit.text import examples

ICS_EXAMPLES = examples(
    "peerkit export ics --all --output community.ics",
    "peerkit export ics --group mastermind-del-martedi --series -o martedi.ics",
    'peerkit export ics --member "Giulia Rossi" --output giulia.ics',
)
app = typer.Typer(
    help="Export calendars (.ics) for a session, a group, a member or everyone.",
    epilog=ICS_EXAMPLES,
    no_args_is_help=True,
)


@app.command("ics", epilog=ICS_EXAMPLES)
@catch_errors
def export_ics(
    ctx: typer.Context,
    session_id: Annotated[str | None, session_option("One session (id).")] = None,
    group: Annotated[str | None, group_option("Every meeting of a group (id or slug).")] = None,
    member: Annotated[
        str | None,
        member_option("--member", "A member's group meetings, mentoring check-ins and events."),
    ] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Every meeting of every group.")
    ] = False,
    series: Annotated[
        bool, typer.Option("--series", help="With --group: one recurring event (RRULE).")
    ] = False,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """Write an iCalendar feed (METHOD:PUBLISH, no attendee addresses)."""
    from peerkit.services.outbox import ics_export

    scope = ics_export.Scope(session_id, group, member, everything, series)
    scope.check()
    app_ctx = app_context(ctx)
    with app_ctx.db().read() as session:
        if output is None:
            ics_export.write(session, scope, sys.stdout.buffer)
            sys.stdout.flush()
            return
        from peerkit.files import private_file

        with private_file(output, binary=True, overwrite=force) as (handle, path):
            ics_export.write(session, scope, handle)
    message(f"Wrote {path}.")
