"""peerkit event ...: networking events, workshops and socials, with a waitlist."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from peerkit.commands._options import (
    EMPTY_FOLDER,
    ForceOpt,
    FormatOpt,
    MemberRef,
    OutputOpt,
    TimezoneOpt,
)
from peerkit.context import app_context
from peerkit.enums import EventKind, RsvpStatus
from peerkit.errors import catch_errors
from peerkit.output import Format, data_line, emit, message, write_calendar

app = typer.Typer(
    help="Events for the wider community: create them, take answers with a waitlist, export.",
    no_args_is_help=True,
)

LIST_COLUMNS = ("id", "title", "kind", "start", "timezone", "location", "capacity", "going",
                "waitlist")  # fmt: skip
CSV_COLUMNS = ("id", "title", "kind", "start", "end", "timezone", "location", "capacity", "going",
               "waitlist")  # fmt: skip
WHERE = {
    RsvpStatus.GOING: "has a seat",
    RsvpStatus.WAITLIST: "is on the waitlist",
    RsvpStatus.DECLINED: "is not coming",
}
EventRef = Annotated[str, typer.Argument(help="An event id (see event list).", metavar="EVENT")]


@app.command("create")
@catch_errors
def event_create(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="The event's title.", metavar="TITLE")],
    start: Annotated[
        str,
        typer.Option("--start", help='Local start, "YYYY-MM-DD HH:MM".', show_default=False),
    ],
    timezone: TimezoneOpt = None,
    duration: Annotated[int, typer.Option("--duration", help="Minutes.")] = 120,
    kind: Annotated[
        str, typer.Option("--kind", help="networking, workshop or social.")
    ] = EventKind.NETWORKING.value,
    location: Annotated[
        str | None,
        typer.Option("--location", help="A place or a video-call URL.", show_default=False),
    ] = None,
    capacity: Annotated[
        int | None,
        typer.Option("--capacity", help="Seats; beyond them, a waitlist.", show_default=False),
    ] = None,
) -> None:
    """Create an event; prints its id. The time zone defaults to the community's."""
    from peerkit.context import community_defaults
    from peerkit.services.common import community, schedule, validate
    from peerkit.services.events import seats

    app_ctx = app_context(ctx)
    with app_ctx.db().write() as session:
        row = community.ensure(session, community_defaults(app_ctx.settings))
        zone = validate.timezone(timezone or row.timezone)
        fields = seats.EventFields(
            title, schedule.parse_local(start, zone), duration, kind, location, capacity
        )
        event = seats.create(session, fields)
        shown = seats.to_dict(session, event)
    data_line(str(shown["id"]))
    room = f"{shown['capacity']} seats" if shown["capacity"] else "no seat limit"
    message(f"Created event {shown['id']}: {shown['title']}, {shown['start']} ({room}).")


@app.command("list")
@catch_errors
def event_list(ctx: typer.Context, fmt: FormatOpt = Format.table) -> None:
    """List events with their seats taken and waitlist, in each event's own zone."""
    from peerkit.services.events import seats

    app_ctx = app_context(ctx)
    with app_ctx.db().read() as session:
        rows = [seats.to_dict(session, e) for e in seats.listing(session)]
    if fmt is Format.table:
        rows = [{**r, "start": str(r["start"])[:16].replace("T", " ")} for r in rows]
    emit(rows, fmt, LIST_COLUMNS, csv_columns=CSV_COLUMNS, empty="No events yet.")


@app.command("rsvp")
@catch_errors
def event_rsvp(
    ctx: typer.Context,
    event: EventRef,
    member: MemberRef,
    no: Annotated[
        bool, typer.Option("--no", help="They are not coming (frees their seat).")
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Folder for invitations (default: outbox/events).",
            show_default=False,
            file_okay=False,
            **EMPTY_FOLDER,
        ),
    ] = None,
    send: Annotated[
        bool, typer.Option("--send", help="Send the invitations through PEERKIT_SMTP_URL.")
    ] = False,
) -> None:
    """Record an answer. Over capacity, a member goes on the waitlist; a freed seat goes to
    the first on it, who gets an invitation (.eml; sent with --send)."""
    from peerkit.services.outbox import delivery, events

    app_ctx = app_context(ctx)
    target = delivery.smtp_target(app_ctx.settings.smtp_url) if send else None
    folder = delivery.Place(out, app_ctx.settings.outbox_dir).folder("events")
    reply = events.Reply(event, member, not no, app_ctx.now())
    for step in events.answer(app_ctx.db, reply, folder, target):
        if isinstance(step, events.Answered):
            message(f"{step.member} {WHERE[step.status]} ({step.title}).")
            for name in step.promoted:
                message(f"A seat freed: {name} moves up from the waitlist.")
        elif isinstance(step, delivery.Written):
            for path in step.paths:
                data_line(path)
        else:
            message(f"Sent {step.count} through {step.server}.")


@app.command("export")
@catch_errors
def event_export(
    ctx: typer.Context,
    event: EventRef,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """Write the event as an iCalendar file (METHOD:PUBLISH, no attendee addresses)."""
    from peerkit.services.events import notices, seats

    app_ctx = app_context(ctx)
    with app_ctx.db().read() as session:
        data = notices.ics(session, [seats.resolve(session, event)])
    write_calendar(data, output, overwrite=force)
