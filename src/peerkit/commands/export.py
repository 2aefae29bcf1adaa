"""peerkit export ics: calendar files for a session, a group, a member or everyone."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from peerkit.commands._options import OutputOpt
from peerkit.context import app_context
from peerkit.errors import UsageProblem, catch_errors
from peerkit.output import message

app = typer.Typer(
    help="Export calendars (.ics) for a session, a group, a member or everyone.",
    no_args_is_help=True,
)


def _opt(name: str, text: str) -> Any:
    return typer.Option(name, help=text, show_default=False)


@app.command("ics")
@catch_errors
def export_ics(
    ctx: typer.Context,
    session_id: Annotated[str | None, _opt("--session", "One session (id).")] = None,
    group: Annotated[str | None, _opt("--group", "Every meeting of a group (id or slug).")] = None,
    member: Annotated[
        str | None,
        _opt("--member", "A member's group meetings, mentoring check-ins and events."),
    ] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Every meeting of every group.")
    ] = False,
    series: Annotated[
        bool, typer.Option("--series", help="With --group: one recurring event (RRULE).")
    ] = False,
    output: OutputOpt = None,
) -> None:
    """Write an iCalendar feed (METHOD:PUBLISH, no attendee addresses)."""
    from peerkit.services.events import notices, seats
    from peerkit.services.groups import meetings, roster
    from peerkit.services.members import profiles
    from peerkit.services.mentoring import checkins
    from peerkit.services.outbox import feeds

    chosen = [x for x in (session_id, group, member) if x is not None] + (
        ["all"] if everything else []
    )
    if len(chosen) != 1:
        raise UsageProblem("choose exactly one of --session ID, --group G, --member REF or --all.")
    if series and group is None:
        raise UsageProblem("--series works with --group: one recurring event per group.")
    app_ctx = app_context(ctx)
    with app_ctx.db().read() as session:
        if session_id is not None:
            data = feeds.feed(session, [meetings.resolve(session, session_id)])
        elif group is not None:
            target = roster.resolve(session, group)
            found = feeds.group_meetings(session, [target])
            data = feeds.series(session, target, found) if series else feeds.feed(session, found)
        elif member is not None:
            who = profiles.resolve(session, member)
            extra = [
                checkins.feed_event(session, c) for c in checkins.of_member(session, who.id or 0)
            ]
            extra += [notices.vevent(session, e) for e in seats.going_to(session, who.id or 0)]
            data = feeds.feed(
                session, feeds.group_meetings(session, feeds.member_groups(session, who)), extra
            )
        else:
            data = feeds.feed(
                session, feeds.group_meetings(session, roster.list_groups(session, True))
            )
    write_calendar(data, output)


def write_calendar(data: bytes, output: Path | None) -> None:
    """To stdout, or to FILE (mode 0600)."""
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    from peerkit.files import write_private

    message(f"Wrote {write_private(output, data.decode('utf-8'))}.")
