"""peerkit event ...: networking events, workshops and socials, with a waitlist."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from peerkit.commands._options import (
    EMPTY_FOLDER,
    EventRef,
    ForceOpt,
    FormatOpt,
    MemberRef,
    OutputOpt,
    TimezoneOpt,
    WideOpt,
    complete_timezone,
    words,
)
from peerkit.context import AppContext, app_context
from peerkit.enums import EventKind, RsvpStatus, values
from peerkit.errors import catch_errors
from peerkit.output import Column, Format, data_line, emit, emit_one, message
from peerkit.text import examples

app = typer.Typer(
    help="Events for the wider community: create, edit, cancel them, take answers with a "
    "waitlist, export.",
    epilog=examples(
        "peerkit event list",
        "peerkit event show 1",
        'peerkit event rsvp 1 "Matteo Greco"',
    ),
    no_args_is_help=True,
)

# The table's: its start is on the community's clock, with the zone when yours reads otherwise.
LIST_COLUMNS = (
    Column("id"),
    Column("title", wrap=True),
    Column("kind", priority=4),
    Column("status", priority=3),
    Column("start"),
    Column("location", priority=5),
    Column("capacity", priority=3),
    Column("going", priority=2),
    Column("waitlist", priority=2),
)
GOING_COLUMNS = (
    Column("member_id", priority=2),
    Column("name"),
    Column("email", priority=3),
    Column("offer_until", priority=2),
)
WAITLIST_COLUMNS = (
    Column("position"),
    Column("member_id", priority=2),
    Column("name"),
    Column("email", priority=3),
)
DECLINED_COLUMNS = (
    Column("member_id", priority=2),
    Column("name"),
    Column("email", priority=3),
    Column("offer_lapsed", priority=2),
)
CSV_COLUMNS = ("id", "title", "kind", "status", "start", "end", "timezone", "location",
               "capacity", "going", "waitlist")  # fmt: skip
SHOW_CSV_COLUMNS = ("event_id", "answer", "position", "member_id", "name", "email",
                    "answered_at", "offer_until", "offer_lapsed")  # fmt: skip
WHERE = {
    RsvpStatus.GOING: "has a seat",
    RsvpStatus.WAITLIST: "is on the waitlist",
    RsvpStatus.DECLINED: "is not coming",
}
NO_ORGANISER_NOTE = (
    "No message written: the community has no organiser e-mail "
    "(peerkit init --organiser-name NAME --organiser-email ADDRESS)."
)
OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help="Folder for the messages (default: outbox/events).",
        show_default=False,
        file_okay=False,
        **EMPTY_FOLDER,
    ),
]
SendOpt = Annotated[
    bool, typer.Option("--send", help="Send the messages through PEERKIT_SMTP_URL (each once).")
]
DescriptionOpt = Annotated[
    str | None,
    typer.Option("--description", help="What it is about, said in the invitations.",
                 show_default=False, metavar="TEXT"),
]  # fmt: skip
ClaimHoursOpt = Annotated[
    int | None,
    typer.Option(
        "--claim-hours",
        help="Hours a member offered a freed seat from the waitlist has to accept it; after "
        "that, peerkit remind offers it to the next.",
        show_default=False,
        metavar="N",
    ),
]


@app.command(
    "create",
    epilog=examples(
        (
            'peerkit event create "Aperitivo di Natale" --start "2026-12-18 19:00"',
            '--capacity 20 --location "Bar Centrale, Bologna"',
        ),
        (
            'peerkit event create "Pricing workshop" --kind workshop --duration 90',
            '--start "2027-01-16 10:00" --location https://meet.jit.si/pricing',
        ),
    ),
)
@catch_errors
def event_create(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="The event's title.", metavar="TITLE")],
    start: Annotated[
        str,
        typer.Option(
            "--start", help='Local start, "YYYY-MM-DD HH:MM".', show_default=False, metavar="WHEN"
        ),
    ],
    timezone: TimezoneOpt = None,
    duration: Annotated[int, typer.Option("--duration", help="Minutes.", metavar="MINUTES")] = 120,
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="networking, workshop or social.",
            metavar="KIND",
            autocompletion=words(*values(EventKind)),
        ),
    ] = EventKind.NETWORKING.value,
    location: Annotated[
        str | None,
        typer.Option(
            "--location", help="A place or a video-call URL.", show_default=False, metavar="PLACE"
        ),
    ] = None,
    capacity: Annotated[
        int | None,
        typer.Option("--capacity", help="Seats; beyond them, a waitlist.", show_default=False),
    ] = None,
    description: DescriptionOpt = None,
    claim_hours: ClaimHoursOpt = None,
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
            title,
            schedule.parse_local(start, zone),
            duration,
            kind,
            location,
            capacity,
            description,
            claim_hours,
        )
        event = seats.create(session, fields)
        shown = seats.to_dict(session, event)
    data_line(str(shown["id"]))
    room = f"{shown['capacity']} seats" if shown["capacity"] else "no seat limit"
    message(f"Created event {shown['id']}: {shown['title']}, {shown['start']} ({room}).")


@app.command("list", epilog=examples("peerkit event list", "peerkit event list --format csv"))
@catch_errors
def event_list(ctx: typer.Context, fmt: FormatOpt = Format.table, wide: WideOpt = False) -> None:
    """List events with their status, seats taken and waitlist, in each event's own zone."""
    from peerkit.services.events import seats

    app_ctx = app_context(ctx)
    with app_ctx.db().read() as session:
        rows = [seats.to_dict(session, e) for e in seats.listing(session)]
        clock = _clock(app_ctx, session) if fmt is Format.table else None
    if clock is not None:
        rows = [{**r, "start": clock.when(r["start"])} for r in rows]
    emit(rows, fmt, LIST_COLUMNS, csv_columns=CSV_COLUMNS, empty="No events yet.", wide=wide)


def _minutes(iso: str | None) -> str | None:
    return iso[:16].replace("T", " ") if iso else iso


def _clock(app_ctx: AppContext, session: Any) -> Any:
    """How the tables say times: on the community's clock, in its language."""
    from peerkit.context import community_defaults
    from peerkit.services.common import community

    return community.clock(session, app_ctx.today(), None, community_defaults(app_ctx.settings))


@app.command("show", epilog=examples("peerkit event show 1", "peerkit event show 1 --format csv"))
@catch_errors
def event_show(
    ctx: typer.Context, event: EventRef, fmt: FormatOpt = Format.table, wide: WideOpt = False
) -> None:
    """Show an event: its details, who is going, the waitlist in order, who declined."""
    from peerkit.services.events import seats

    app_ctx = app_context(ctx)
    with app_ctx.db().read() as session:
        shown = seats.details(session, seats.resolve(session, event))
        clock = _clock(app_ctx, session) if fmt is Format.table else None
    people = {key: shown.pop(key) for key in ("going", "waitlist", "declined")}
    if fmt is Format.json:
        emit_one({**shown, **people}, fmt)
    elif fmt is Format.csv:
        rows = [{"event_id": shown["id"], "answer": key, **p} for key, ps in people.items()
                for p in ps]  # fmt: skip
        emit(rows, fmt, SHOW_CSV_COLUMNS, csv_columns=SHOW_CSV_COLUMNS)
    else:
        _show_table(shown, people, clock, wide)


def _show_table(
    shown: dict[str, Any], people: dict[str, list[dict[str, Any]]], clock: Any, wide: bool
) -> None:
    details = {**shown, "start": clock.when(shown["start"]), "end": clock.when(shown["end"])}
    emit_one(details, Format.table, title=f"Event {shown['id']}: {shown['title']}")
    for key, title, columns in (
        ("going", "Going", GOING_COLUMNS),
        ("waitlist", "Waitlist, in order", WAITLIST_COLUMNS),
        ("declined", "Declined", DECLINED_COLUMNS),
    ):
        rows = [{**p, "offer_until": clock.when(p.get("offer_until"))} for p in people[key]]
        emit(rows, Format.table, columns, title=title, empty=f"{title}: nobody.", wide=wide)


@app.command(
    "rsvp",
    epilog=examples(
        'peerkit event rsvp 1 "Matteo Greco"',
        'peerkit event rsvp 1 "Giulia Rossi" --no',
    ),
)
@catch_errors
def event_rsvp(
    ctx: typer.Context,
    event: EventRef,
    member: MemberRef,
    no: Annotated[
        bool,
        typer.Option(
            "--no", help="They are not coming (frees their seat; their invitation is withdrawn)."
        ),
    ] = False,
    out: OutOpt = None,
    send: SendOpt = False,
) -> None:
    """Record an answer. Over capacity, a member goes on the waitlist; a freed seat goes to
    the first on it, who gets an invitation (.eml; sent with --send). Yes from a member
    offered a seat accepts it; no from a member with a seat withdraws their invitation."""
    from peerkit.services.outbox import events

    app_ctx = app_context(ctx)
    target, folder = _where(app_ctx, out, send)
    reply = events.Reply(event, member, not no, app_ctx.now())
    for step in events.answer(app_ctx.db, reply, folder, target):
        if isinstance(step, events.Answered):
            _tell_answer(step)
        else:
            _tell_delivery(step)


def _where(app_ctx: AppContext, out: Path | None, send: bool) -> tuple[Any, Path]:
    """The mail server (refused before any work when it is not set) and the folder."""
    from peerkit.services.outbox import delivery

    target = delivery.smtp_target(app_ctx.settings.smtp_url) if send else None
    return target, delivery.Place(out, app_ctx.settings.outbox_dir).folder("events")


def _tell_answer(step: Any) -> None:
    if step.accepted:
        message(f"{step.member} accepted the seat offered ({step.title}).")
    else:
        message(f"{step.member} {WHERE[step.status]} ({step.title}).")
    if step.withdrawn:
        message(f"Their invitation is withdrawn: a cancellation for them only ({step.title}).")
    if step.offer_until and not step.accepted:
        message(f"The seat is offered until {_minutes(step.offer_until)}.")
    until = f" (offered until {_minutes(step.promoted_until)})" if step.promoted_until else ""
    for name in step.promoted:
        message(f"A seat freed: {name} moves up from the waitlist{until}.")
    if step.unwritten:
        message(NO_ORGANISER_NOTE)


def _tell_delivery(step: Any) -> None:
    from peerkit.services.outbox import delivery

    if isinstance(step, delivery.Written):
        for path in step.paths:
            data_line(path)
    else:
        message(step.describe())


@app.command(
    "edit",
    epilog=examples(
        "peerkit event edit 1 --capacity 6",
        'peerkit event edit 2 --start "2026-12-19 10:30" --duration 150',
    ),
)
@catch_errors
def event_edit(
    ctx: typer.Context,
    event: EventRef,
    title: Annotated[
        str | None,
        typer.Option("--title", help="A new title.", show_default=False, metavar="TEXT"),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--start",
            help='New local start, "YYYY-MM-DD HH:MM".',
            show_default=False,
            metavar="WHEN",
        ),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(
            "--timezone",
            help="A new IANA time zone; without --start, the same local time there.",
            show_default=False,
            metavar="TZ",
            autocompletion=complete_timezone,
        ),
    ] = None,
    duration: Annotated[
        int | None,
        typer.Option("--duration", help="Minutes.", show_default=False, metavar="MINUTES"),
    ] = None,
    location: Annotated[
        str | None,
        typer.Option(
            "--location",
            help='A place or a video-call URL ("" for none).',
            show_default=False,
            metavar="PLACE",
        ),
    ] = None,
    capacity: Annotated[
        int | None,
        typer.Option(
            "--capacity",
            help="Seats (0: no limit). Never below the seats taken; new seats go to the waitlist.",
            show_default=False,
        ),
    ] = None,
    description: Annotated[
        str | None,
        typer.Option(
            "--description",
            help='What it is about ("" for none).',
            show_default=False,
            metavar="TEXT",
        ),
    ] = None,
    claim_hours: Annotated[
        int | None,
        typer.Option(
            "--claim-hours",
            help="Hours to accept a seat offered from the waitlist (0: no deadline).",
            show_default=False,
            metavar="N",
        ),
    ] = None,
    out: OutOpt = None,
    send: SendOpt = False,
) -> None:
    """Change an event to come. When the invitations say something new, everyone with a
    seat gets an update (SEQUENCE + 1); members given a seat by a higher capacity are invited."""
    from peerkit.services.events import seats
    from peerkit.services.outbox import events

    app_ctx = app_context(ctx)
    target, folder = _where(app_ctx, out, send)
    changes = seats.Changes(
        title, start, timezone, duration, location, capacity, description, claim_hours
    )
    steps = events.edit(app_ctx.db, event, changes, app_ctx.now(), folder, target)
    for step in steps:
        if isinstance(step, events.Changed):
            _tell_edit(step)
        else:
            _tell_delivery(step)


def _tell_edit(step: Any) -> None:
    if not step.changed:
        message(f"No change to event {step.event_id} ({step.title}).")
        return
    message(f"Updated event {step.event_id} ({step.title}): {', '.join(step.changed)}.")
    if step.told:
        message(f"{_people(step.told)} with a seat get the new version.")
    until = f" (offered until {_minutes(step.promoted_until)})" if step.promoted_until else ""
    for name in step.promoted:
        message(f"A new seat: {name} moves up from the waitlist{until}.")
    if step.unwritten:
        message(NO_ORGANISER_NOTE)


def _people(count: int) -> str:
    return f"{count} member" + ("" if count == 1 else "s")


@app.command("cancel", epilog=examples('peerkit event cancel 2 --reason "The trainer is ill"'))
@catch_errors
def event_cancel(
    ctx: typer.Context,
    event: EventRef,
    reason: Annotated[
        str | None,
        typer.Option("--reason", help="Why, for the members.", show_default=False, metavar="TEXT"),
    ] = None,
    out: OutOpt = None,
    send: SendOpt = False,
) -> None:
    """Cancel an event: everyone with a seat gets a cancellation (.eml; sent with --send).
    It stays in the list as cancelled, with its answers."""
    from peerkit.services.outbox import events

    app_ctx = app_context(ctx)
    target, folder = _where(app_ctx, out, send)
    for step in events.cancel(app_ctx.db, event, reason, app_ctx.now(), folder, target):
        if isinstance(step, events.Changed):
            verb = "Cancelled" if step.changed else "Already cancelled:"
            message(f"{verb} event {step.event_id} ({step.title}); "
                    f"{_people(step.told)} with a seat told.")  # fmt: skip
            if step.unwritten:
                message(NO_ORGANISER_NOTE)
        else:
            _tell_delivery(step)


@app.command(
    "export",
    epilog=examples("peerkit event export 1 --output aperitivo.ics", "peerkit event export 2"),
)
@catch_errors
def event_export(
    ctx: typer.Context,
    event: EventRef,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """Write the event as an iCalendar file (METHOD:PUBLISH, no attendee addresses)."""
    from peerkit.output import write_calendar
    from peerkit.services.events import notices, seats

    app_ctx = app_context(ctx)
    with app_ctx.db().read() as session:
        data = notices.ics(session, [seats.resolve(session, event)])
    write_calendar(data, output, overwrite=force)
