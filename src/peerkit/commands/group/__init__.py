"""peerkit group ...: mastermind and other peer groups."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from peerkit.commands._options import (
    FormatOpt,
    GroupRef,
    TimezoneOpt,
    WideOpt,
    complete_member,
    date_option,
    member_option,
    words,
)
from peerkit.commands.group.form import register
from peerkit.context import AppContext, app_context, community_defaults
from peerkit.defaults import GROUP
from peerkit.enums import Cadence, GroupKind, MemberStatus, Role, values
from peerkit.errors import UsageProblem, catch_errors
from peerkit.output import Column, Format, data_line, emit, emit_one, message, warning
from peerkit.text import examples

app = typer.Typer(
    help="Peer groups: create or form them, find common times, add and remove members, archive.",
    epilog=examples(
        "peerkit group list",
        "peerkit group show mastermind-del-martedi",
        "peerkit group slots founders-across-time-zones",
    ),
    no_args_is_help=True,
)

LIST_COLUMNS = (
    Column("id", priority=4),
    Column("slug"),
    Column("name", priority=2),
    Column("kind", priority=5),
    Column("cadence", priority=4),
    Column("day", priority=2),
    Column("time", priority=2),
    Column("timezone", priority=3),
    Column("size", priority=2),
    Column("status", priority=4),
)
MEMBER_COLUMNS = (
    Column("id", priority=2),
    Column("name"),
    Column("role"),
    Column("rotates", priority=2),
)
KINDS = list(values(GroupKind))
CADENCES = list(values(Cadence))
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _either(words: list[str]) -> str:
    """'a, b or c'."""
    return f"{', '.join(words[:-1])} or {words[-1]}"


def _opt(name: str, text: str, **kw: Any) -> Any:
    return typer.Option(name, help=text, show_default=False, **kw)


RotateOpt = Annotated[
    str | None,
    _opt(
        "--rotate-slots",
        '2 or 3 slots the meetings take in turn, in the group\'s zone: "tue 07:00,tue 19:00" '
        "(none: back to --day and --time). See docs/fair-hours.md.",
        metavar="SLOTS",
    ),
]


@app.command(
    "create",
    epilog=examples(
        (
            'peerkit group create "Founders" --kind mastermind --cadence weekly',
            '--day thu --time 19:00 --timezone Europe/London --member "Ana Souza"',
        ),
        'peerkit --no-input group create "Book club" --kind learning --day mon',
    ),
)
@catch_errors
def group_create(
    ctx: typer.Context,
    name: Annotated[
        str | None, typer.Argument(help="The group's name.", show_default=False, metavar="NAME")
    ] = None,
    kind: Annotated[
        str | None,
        _opt("--kind", f"{_either(KINDS)}.", metavar="KIND", autocompletion=words(*KINDS)),
    ] = None,
    cadence: Annotated[
        str | None,
        _opt(
            "--cadence",
            f"{_either(CADENCES)} (the same weekday of the month).",
            metavar="CADENCE",
            autocompletion=words(*CADENCES),
        ),
    ] = None,
    day: Annotated[
        str | None,
        _opt("--day", "Meeting day: mon..sun.", metavar="DAY", autocompletion=words(*DAYS)),
    ] = None,
    time: Annotated[
        str | None,
        _opt("--time", f"Local start time, HH:MM (default {GROUP.time}).", metavar="HH:MM"),
    ] = None,
    timezone: TimezoneOpt = None,
    duration: Annotated[
        int | None, _opt("--duration", f"Minutes (default {GROUP.duration}).", metavar="MINUTES")
    ] = None,
    location: Annotated[
        str | None, _opt("--location", "A place or a video-call URL.", metavar="PLACE")
    ] = None,
    min_size: Annotated[
        int | None, _opt("--min-size", f"Fewest members (default {GROUP.min_size}).")
    ] = None,
    max_size: Annotated[
        int | None, _opt("--max-size", f"Most members (default {GROUP.max_size}).")
    ] = None,
    start: Annotated[
        str | None,
        date_option(
            "--start",
            "Date of the first meeting (YYYY-MM-DD); fixes fortnights and the week of the month.",
        ),
    ] = None,
    member: Annotated[
        list[str] | None,
        member_option("--member", "A member to add (id, e-mail or name). Repeatable."),
    ] = None,
    facilitator: Annotated[
        str | None, member_option("--facilitator", "The group's facilitator.")
    ] = None,
    rotate_slots: RotateOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Create a group. On a terminal, missing values are asked for."""
    from peerkit.services.common import community, validate
    from peerkit.services.groups import roster

    app_ctx = app_context(ctx)
    first = validate.iso_date(start, "--start") if start else None
    raw = roster.GroupFields(
        name=name or "", kind=kind, cadence=cadence, day=day, time=time, timezone=timezone,
        duration=duration, location=location, min_size=min_size, max_size=max_size,
        start=first, members=list(member or []), facilitator=facilitator,
        rotate_slots=rotate_slots,
    )  # fmt: skip
    if name is None and app_ctx.settings.no_input:
        raise UsageProblem("missing NAME; it is required when peerkit cannot prompt.")
    today = app_ctx.today()
    db = app_ctx.db()
    if not app_ctx.settings.no_input:
        # Ask before the write transaction: nobody else waits while the organiser thinks.
        with db.read() as session:
            zone = community.default_timezone(session, community_defaults(app_ctx.settings))
            _ask_missing(app_ctx, session, raw, zone)
    with db.write() as session:
        row = community.ensure(session, community_defaults(app_ctx.settings))
        group = roster.create(session, raw, row.timezone, today)
        shown = roster.to_dict(session, group)
        notes = roster.clock_notes(group)
    if fmt is Format.json:
        emit_one(shown, fmt)
    else:
        data_line(str(shown["id"]))
        message(f"Created the group {shown['slug']} with {len(shown['members'])} member(s).")
    for note in notes:
        warning(f"{shown['slug']}: {note}")


def _ask_missing(app_ctx: AppContext, session: Any, raw: Any, zone: str) -> None:
    """Questionary prompts for what the command line left out."""
    from peerkit import prompts
    from peerkit.services.members import profiles

    if not raw.name:
        raw.name = prompts.text(
            "Group name:", validate=lambda t: bool(t.strip()) or "A name, please"
        )
    raw.kind = raw.kind or prompts.select("Kind:", KINDS, GROUP.kind.value)
    raw.cadence = raw.cadence or prompts.select("How often:", CADENCES, GROUP.cadence.value)
    if not raw.rotate_slots:  # slots in turn give the day and the time
        raw.day = raw.day or prompts.select("Day:", DAYS, DAYS[GROUP.day])
        raw.time = raw.time or prompts.text("Start time (HH:MM):", GROUP.time, validate=_valid_time)
    raw.timezone = raw.timezone or prompts.text("Time zone:", zone, validate=_valid_zone)
    if not raw.members:
        active = profiles.list_members(session, MemberStatus.ACTIVE, app_ctx.today())
        if active:
            choices = [(str(m.id), f"{m.name} ({m.timezone})") for m in active]
            raw.members = prompts.checkbox("Members (space to choose, enter to confirm):", choices)


def _valid_time(text: str) -> bool | str:
    from peerkit.errors import InvalidValue
    from peerkit.services.common import schedule

    try:
        schedule.clock(text)
    except InvalidValue:
        return "A time of day, like 18:30"
    return True


def _valid_zone(text: str) -> bool | str:
    from peerkit.errors import InvalidValue
    from peerkit.services.common import validate

    try:
        validate.timezone(text)
    except InvalidValue:
        return "An IANA time zone, like Europe/Rome"
    return True


@app.command(
    "list", epilog=examples("peerkit group list", "peerkit group list --archived --format json")
)
@catch_errors
def group_list(
    ctx: typer.Context,
    archived: Annotated[bool, typer.Option("--archived", help="Include archived groups.")] = False,
    fmt: FormatOpt = Format.table,
    wide: WideOpt = False,
) -> None:
    """List the groups."""
    from peerkit.services.groups import roster

    app_ctx = app_context(ctx)
    with app_ctx.db().read() as session:
        rows = [roster.to_dict(session, g) for g in roster.list_groups(session, archived)]
    if fmt is Format.table:
        for row in rows:
            row["size"] = f"{len(row['members'])}/{row['max_size']}"
    emit(
        rows,
        fmt,
        LIST_COLUMNS,
        empty="No groups yet. Create one: peerkit group create NAME",
        wide=wide,
    )


@app.command(
    "show",
    epilog=examples(
        "peerkit group show mastermind-del-martedi",
        "peerkit group show founders-across-time-zones --format json",
    ),
)
@catch_errors
def group_show(
    ctx: typer.Context, group: GroupRef, fmt: FormatOpt = Format.table, wide: WideOpt = False
) -> None:
    """Show a group and its members."""
    from peerkit.context import community_defaults
    from peerkit.services.common import community
    from peerkit.services.groups import roster

    app_ctx = app_context(ctx)
    with app_ctx.db().read() as session:
        shown = roster.shown(session, roster.resolve(session, group))
        if fmt is Format.table:  # its first meeting's date in words, in the community's language
            defaults = community_defaults(app_ctx.settings)
            clock = community.clock(session, app_ctx.today(), None, defaults)
    if fmt is not Format.table:
        emit_one(shown, fmt)
        return
    shown["start"] = clock.day(shown.get("start"))
    people = shown.pop("members")
    fair = _fair_hours(people, shown.pop("fairness"))
    turns = shown.pop("rotate_slots")
    if turns:  # slots taken in turn (docs/fair-hours.md)
        shown["rotate_slots"] = ", ".join(turns)
    emit_one(shown, fmt, title=shown["name"])
    emit(people, fmt, MEMBER_COLUMNS, empty="No members yet.", wide=wide)
    if fair:
        data_line(_fitted(fair))


def _fitted(text: str) -> str:
    """TEXT wrapped between words on a terminal (as `message` does), one line otherwise."""
    import shutil
    import sys

    from peerkit.output import wrap_lines

    if sys.stdout.isatty():
        return wrap_lines(text, shutil.get_terminal_size().columns)
    return text


def _fair_hours(people: list[dict[str, Any]], fairness: list[dict[str, Any]]) -> str | None:
    """'fair hours: Aiko 2 of 8 meetings outside 08-21, Lucas 2 of 8' (None: no meetings)."""
    from peerkit.services.groups import fairness as fair

    names = {p["id"]: p["name"] for p in people}
    tallies = [(names[f["member"]], fair.Tally(f["meetings"], f["outside"], f["outside_minutes"]))
               for f in fairness]  # fmt: skip
    if not any(t.meetings for _n, t in tallies):
        return None
    return fair.line(tallies)


ON_HOLIDAY = ["skip", "next-day", "previous-day"]


@app.command(
    "edit",
    epilog=examples(
        "peerkit group edit mastermind-del-martedi --on-holiday next-day",
        (
            "peerkit group edit founders-across-time-zones",
            '--rotate-slots "tue 07:00,tue 19:00"',
        ),
        "peerkit group edit founders-across-time-zones --rotate-slots none",
    ),
)
@catch_errors
def group_edit(
    ctx: typer.Context,
    group: GroupRef,
    on_holiday: Annotated[
        str | None,
        _opt(
            "--on-holiday",
            f"A meeting on a public holiday or in a break: {_either(ON_HOLIDAY)}.",
            metavar="CHOICE",
            autocompletion=words(*ON_HOLIDAY),
        ),
    ] = None,
    rotate_slots: RotateOpt = None,
) -> None:
    """Change a group's settings. Meetings already planned keep their times; new ones follow."""
    from peerkit.services.groups import breaks, roster

    if on_holiday is None and rotate_slots is None:
        raise UsageProblem(
            'say what to change: --on-holiday next-day, or --rotate-slots "tue 07:00,tue 19:00".'
        )
    app_ctx = app_context(ctx)
    choice = breaks.on_holiday(on_holiday) if on_holiday is not None else None
    said = []
    with app_ctx.db().write() as session:
        target = roster.resolve(session, group)
        slug = target.slug
        if choice is not None:
            changed = breaks.set_on_holiday(session, target, choice)
            said.append(f"on a holiday, {choice}" if changed else f"already {choice} on a holiday")
        if rotate_slots is not None:
            changed = roster.set_rotation(target, rotate_slots)
            session.add(target)
            turns = list(target.rotate_slots)
            taken = f"takes {', '.join(turns)} in turn" if turns else "meets at its day and time"
            said.append(f"{'now ' if changed else 'already '}{taken}")
    message(f"{slug}: {'; '.join(said)}.")


@app.command(
    "add",
    epilog=examples(
        'peerkit group add founders-across-time-zones "Marco Bianchi" "Luca Ferrari"',
        'peerkit group add mastermind-del-martedi "Matteo Greco" --role facilitator',
    ),
)
@catch_errors
def group_add(
    ctx: typer.Context,
    group: GroupRef,
    refs: Annotated[
        list[str],
        typer.Argument(
            help="Members: id, e-mail or name.",
            show_default=False,
            metavar="REF...",
            autocompletion=complete_member,
        ),
    ],
    role: Annotated[
        str | None,
        _opt(
            "--role",
            "member or facilitator.",
            metavar="ROLE",
            autocompletion=words("member", "facilitator"),
        ),
    ] = None,
    rotates: Annotated[
        bool | None,
        typer.Option(
            "--rotates/--no-rotates",
            help="Opt in (or out) of facilitating and keeping time in turn.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Add members to a group (up to its --max-size)."""
    from peerkit.services.common import validate
    from peerkit.services.groups import roster
    from peerkit.services.members import profiles

    app_ctx = app_context(ctx)
    chosen_role = validate.word(role, Role, "role") if role else None
    with app_ctx.db().write() as session:
        target = roster.resolve(session, group)
        outcomes = [
            (
                profiles.describe(m),
                roster.add_member(
                    session, target, m, app_ctx.today(), role=chosen_role, rotates=rotates
                ),
            )
            for m in (profiles.resolve(session, r) for r in refs)
        ]
        slug = target.slug
    for who, outcome in outcomes:
        message(f"{slug}: {who}: {outcome}.")


@app.command(
    "remove", epilog=examples('peerkit group remove mastermind-del-martedi "Luca Ferrari"')
)
@catch_errors
def group_remove(
    ctx: typer.Context,
    group: GroupRef,
    ref: Annotated[
        str,
        typer.Argument(
            help="A member: id, e-mail or name.", metavar="REF", autocompletion=complete_member
        ),
    ],
) -> None:
    """Take a member out of a group (their history in it is kept)."""
    from peerkit.services.groups import roster
    from peerkit.services.members import profiles

    app_ctx = app_context(ctx)
    with app_ctx.db().write() as session:
        target = roster.resolve(session, group)
        member = profiles.resolve(session, ref)
        roster.remove_member(session, target, member, app_ctx.today())
        text = f"{target.slug}: removed {profiles.describe(member)}."
    message(text)


@app.command("archive", epilog=examples("peerkit group archive founders-across-time-zones"))
@catch_errors
def group_archive(ctx: typer.Context, group: GroupRef) -> None:
    """Archive a group: no more meetings are planned; its history is kept."""
    from peerkit.services.groups import roster

    app_ctx = app_context(ctx)
    with app_ctx.db().write() as session:
        target = roster.resolve(session, group)
        changed = roster.archive(session, target)
        slug = target.slug
    message(f"Archived {slug}." if changed else f"{slug} was already archived.")


register(app)
