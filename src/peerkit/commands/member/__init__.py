"""peerkit member ...: the community's member record."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from peerkit.commands._options import (
    AvailableOpt,
    BioOpt,
    CapacityOpt,
    FormatOpt,
    IndustryOpt,
    LocaleOpt,
    MemberRef,
    NeedsOpt,
    SkillsOpt,
    StageOpt,
    TimezoneOpt,
    WideOpt,
    YesOpt,
    date_option,
    group_option,
    words,
)
from peerkit.commands.member import transfer
from peerkit.errors import UsageProblem, catch_errors
from peerkit.output import Column, Format, data_line, emit_one, emit_rows, message, warning
from peerkit.text import examples

if TYPE_CHECKING:
    from peerkit.context import AppContext
    from peerkit.services.members.leaving import MovedUp
    from peerkit.services.outbox.message import Message

app = typer.Typer(
    help="Keep the member record: add, list, edit, pause, import, export, forget.",
    epilog=examples(
        "peerkit member list",
        'peerkit member show "Giulia Rossi"',
        'peerkit member add "Ada Lovelace" --email ada@example.org',
    ),
    no_args_is_help=True,
)


LIST_COLUMNS = (
    Column("id"),
    Column("name"),
    Column("email", priority=2),
    Column("timezone", priority=2),
    Column("locale", priority=5),
    Column("stage", priority=4),
    Column("status", priority=3),
)


def _fields(**values: Any) -> Any:
    from peerkit.services.members.profiles import MemberFields

    if values.get("availability") == []:
        values["availability"] = None
    return MemberFields(**values)


@app.command(
    "add",
    epilog=examples(
        'peerkit member add "Ada Lovelace" --email ada@example.org',
        (
            'peerkit member add "Bruno Neri" --email bruno@example.org --locale it',
            '--skills seo,pricing --available "tue 18:00-20:00" --mentor-capacity 1',
        ),
    ),
)
@catch_errors
def member_add(
    ctx: typer.Context,
    name: Annotated[
        str | None, typer.Argument(help="Full name.", show_default=False, metavar="NAME")
    ] = None,
    email: Annotated[
        str | None,
        typer.Option(
            "--email", help="E-mail address (required).", show_default=False, metavar="EMAIL"
        ),
    ] = None,
    timezone: TimezoneOpt = None,
    locale: LocaleOpt = None,
    skills: SkillsOpt = None,
    needs: NeedsOpt = None,
    stage: StageOpt = None,
    industry: IndustryOpt = None,
    bio: BioOpt = None,
    available: AvailableOpt = None,
    mentor_capacity: CapacityOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Add a member. Time zone and language default to the community's."""
    from peerkit.context import app_context, community_defaults
    from peerkit.services.common import community
    from peerkit.services.members import profiles

    app_ctx = app_context(ctx)
    name = app_ctx.require(name, "NAME", "Name")
    email = app_ctx.require(email, "--email", "E-mail")
    raw = _fields(name=name, email=email, timezone=timezone, locale=locale, skills=skills,
                  needs=needs, stage=stage, industry=industry, bio=bio, availability=available,
                  mentor_capacity=mentor_capacity)  # fmt: skip
    today = app_ctx.today()
    profiles.clean(raw)  # bad input is refused before anything, even the database, is created
    with app_ctx.db().write() as session:
        defaults = community.member_defaults(session, community_defaults(app_ctx.settings))
        member = profiles.add(session, raw, defaults, today)
        shown = profiles.to_dict(member, today)
    _created(shown, fmt, f"Added {profiles.describe(member)}.")


def _created(obj: dict[str, Any], fmt: Format, note: str) -> None:
    if fmt is Format.json:
        emit_one(obj, fmt)
    else:
        data_line(str(obj["id"]))
        message(note)


@app.command(
    "list",
    epilog=examples(
        "peerkit member list --status paused",
        "peerkit member list --group mastermind-del-martedi --format csv",
    ),
)
@catch_errors
def member_list(
    ctx: typer.Context,
    group: Annotated[str | None, group_option("Only members of GROUP (id or slug).")] = None,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            help="active, paused or left. Default: active and paused.",
            show_default=False,
            metavar="STATUS",
            autocompletion=words("active", "paused", "left"),
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    wide: WideOpt = False,
) -> None:
    """List members (those who left only with --status left)."""
    # Only what the options given need is imported: this is the command scripts run most.
    from peerkit.context import app_context, many_rows
    from peerkit.services.members import listing

    app_ctx = app_context(ctx)
    wanted = _status(status) if status is not None else None
    today = app_ctx.today()
    with app_ctx.db().read() as session, many_rows():
        where = _group(session, group) if group is not None else None
        emit_rows(
            listing.members(session, wanted, today, where),
            fmt,
            LIST_COLUMNS,
            csv_columns=transfer.csv_columns() if fmt is Format.csv else (),
            empty="No members yet. Add one: peerkit member add NAME --email E",
            wide=wide,
        )


def _status(status: str) -> Any:
    from peerkit.services.common import validate

    return validate.status(status)


def _group(session: Any, ref: str) -> Any:
    from peerkit.services.groups import roster

    return roster.resolve(session, ref)


@app.command(
    "show",
    epilog=examples(
        'peerkit member show "Giulia Rossi"',
        "peerkit member show giulia.rossi@example.com --format json",
    ),
)
@catch_errors
def member_show(ctx: typer.Context, ref: MemberRef, fmt: FormatOpt = Format.table) -> None:
    """Show everything about one member."""
    from peerkit import rowversions
    from peerkit.context import app_context, community_defaults
    from peerkit.services.common import community
    from peerkit.services.members import profiles

    app_ctx = app_context(ctx)
    today = app_ctx.today()
    with app_ctx.db().read() as session:
        member = profiles.resolve(session, ref)
        shown = profiles.to_dict(member, today) | rowversions.stamp(member)
        if fmt is Format.table:  # dates in a few words, in the community's language
            clock = community.clock(session, today, None, community_defaults(app_ctx.settings))
            dates = ("paused_until", "joined", "left_on")
            shown |= {k: clock.day(shown[k]) for k in dates if isinstance(shown.get(k), str)}
            shown["changed_at"] = clock.when(shown["changed_at"])
    emit_one(shown, fmt, title=shown["name"])


@app.command(
    "edit",
    epilog=examples(
        'peerkit member edit "Giulia Rossi" --timezone Europe/Berlin',
        'peerkit member edit "Marco Bianchi" --skills vendite,export',
    ),
)
@catch_errors
def member_edit(
    ctx: typer.Context,
    ref: MemberRef,
    name: Annotated[
        str | None,
        typer.Option("--name", help="New full name.", show_default=False, metavar="NAME"),
    ] = None,
    email: Annotated[
        str | None,
        typer.Option("--email", help="New e-mail address.", show_default=False, metavar="EMAIL"),
    ] = None,
    timezone: TimezoneOpt = None,
    locale: LocaleOpt = None,
    skills: SkillsOpt = None,
    needs: NeedsOpt = None,
    stage: StageOpt = None,
    industry: IndustryOpt = None,
    bio: BioOpt = None,
    available: AvailableOpt = None,
    mentor_capacity: CapacityOpt = None,
) -> None:
    """Change a member. A list option (--skills, --available) replaces the list; "" clears it."""
    from peerkit.context import app_context
    from peerkit.services.members import profiles

    raw = _fields(name=name, email=email, timezone=timezone, locale=locale, skills=skills,
                  needs=needs, stage=stage, industry=industry, bio=bio, availability=available,
                  mentor_capacity=mentor_capacity)  # fmt: skip
    if not raw.given():
        raise UsageProblem(
            "nothing to change: give at least one option, e.g. --timezone Europe/Rome."
        )
    app_ctx = app_context(ctx)
    with app_ctx.db().write() as session:
        member = profiles.resolve(session, ref)
        changed = profiles.edit(session, member, raw)
        who = profiles.describe(member)
    message(f"Updated {who}: {', '.join(changed)}." if changed else f"No change to {who}.")


SendOpt = Annotated[
    bool,
    typer.Option(
        "--send",
        help="Send the invitations of the members who move up through PEERKIT_SMTP_URL.",
    ),
]


@app.command("remove", epilog=examples('peerkit member remove "Oliver Hughes"'))
@catch_errors
def member_remove(ctx: typer.Context, ref: MemberRef, send: SendOpt = False) -> None:
    """Mark a member as having left; their history is kept.

    Their mentorships end, and their seats at events to come go to the waitlist: the members
    who move up get an invitation (.eml) in outbox/events, sent with --send.
    """
    from peerkit.context import app_context
    from peerkit.services.members import leaving, profiles
    from peerkit.services.outbox import events as outbox_events

    app_ctx = app_context(ctx)
    target = _smtp_target(app_ctx, send)
    db = app_ctx.db()
    with db.write() as session:
        member = profiles.resolve(session, ref)
        gone = leaving.remove(session, member, app_ctx.today(), app_ctx.now())
        who = profiles.describe(member)
        invitations = outbox_events.for_moved_up(session, gone.moved_up, sending=send)
    message(f"{who} has left the community." if gone.changed else f"{who} had already left.")
    _tell_moved_up(app_ctx, gone.moved_up, invitations, target)


def _smtp_target(app_ctx: AppContext, send: bool) -> Any:
    """The mail server for --send, refused before any change when it is not set."""
    from peerkit.services.outbox import delivery

    return delivery.smtp_target(app_ctx.settings.smtp_url) if send else None


def _tell_moved_up(
    app_ctx: AppContext, moved: list[MovedUp], invitations: list[Message], target: Any
) -> None:
    """Say who got a freed seat; write their invitations in outbox/events (and send them)."""
    from peerkit.services.members import profiles
    from peerkit.services.outbox import delivery
    from peerkit.services.outbox.message import EVENT

    for m in moved:
        message(f"A seat freed: {profiles.describe(m.member)} moves up at {m.event.title}.")
    for path in delivery.write(app_ctx.settings.outbox_dir / "events", invitations):
        data_line(path)
    if target is not None and invitations:
        message(delivery.send(app_ctx.db(), target, invitations, about=EVENT).describe())


@app.command(
    "pause",
    epilog=examples(
        'peerkit member pause "Luca Ferrari" --until 2027-01-31',
        'peerkit member pause "Luca Ferrari"',
    ),
)
@catch_errors
def member_pause(
    ctx: typer.Context,
    ref: MemberRef,
    until: Annotated[
        str | None, date_option("--until", "Back from this date (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Pause a member: skipped by planning, formation and matching until resumed or --until."""
    from peerkit.context import app_context
    from peerkit.services.common import validate
    from peerkit.services.members import profiles

    app_ctx = app_context(ctx)
    end = validate.iso_date(until, "--until") if until else None
    with app_ctx.db().write() as session:
        member = profiles.resolve(session, ref)
        profiles.pause(session, member, end, app_ctx.today())
        who = profiles.describe(member)
    message(f"Paused {who}" + (f" until {end.isoformat()}." if end else "."))


@app.command("resume", epilog=examples('peerkit member resume "Francesca Romano"'))
@catch_errors
def member_resume(ctx: typer.Context, ref: MemberRef) -> None:
    """Make a paused (or departed) member active again."""
    from peerkit.context import app_context
    from peerkit.services.members import profiles

    app_ctx = app_context(ctx)
    with app_ctx.db().write() as session:
        member = profiles.resolve(session, ref)
        outcome = profiles.resume(session, member, app_ctx.today())
        who = profiles.describe(member)
    message(f"{who}: {outcome}.")


@app.command("forget", epilog=examples('peerkit member forget "Oliver Hughes" --yes'))
@catch_errors
def member_forget(
    ctx: typer.Context, ref: MemberRef, yes: YesOpt = False, send: SendOpt = False
) -> None:
    """Erase a member's personal data everywhere; anonymous counts are kept."""
    from peerkit.context import app_context
    from peerkit.db import list_backups
    from peerkit.services.members import leaving, profiles
    from peerkit.services.outbox import events as outbox_events

    app_ctx = app_context(ctx)
    target = _smtp_target(app_ctx, send)
    db = app_ctx.db()
    with db.read() as session:
        who = profiles.describe(profiles.resolve(session, ref))
    if not yes:
        if app_ctx.settings.no_input:
            raise UsageProblem(f"erasing {who} cannot be undone; add --yes to confirm.")
        typer.confirm(f"Erase {who} for good?", abort=True, err=True)
    with db.write() as session:
        member = profiles.resolve(session, ref)
        gone = leaving.forget(session, member, app_ctx.today(), app_ctx.now())
        member_id = member.id
        invitations = outbox_events.for_moved_up(session, gone.moved_up, sending=send)
    db.checkpoint()
    for table in leaving.ERASED_TABLES:
        db.vacuum_table(table)
    # Only the id: the erased name and address must not live on in logs either.
    message(f"Erased the personal data of member #{member_id}.")
    _tell_moved_up(app_ctx, gone.moved_up, invitations, target)
    if db.is_sqlite and (backups := list_backups(db.settings.db_path)):
        warning(
            f"{len(backups)} backup file(s) in {backups[0].parent} were made before this "
            "and may still hold this member's data. Delete them when you no longer need them; "
            "copies kept elsewhere are yours to delete too."
        )


# CSV in and out (member/transfer.py), last in the list as in `peerkit member --help`.
app.command("import", epilog=transfer.IMPORT_EXAMPLES)(transfer.member_import)
app.command("export", epilog=transfer.EXPORT_EXAMPLES)(transfer.member_export)
