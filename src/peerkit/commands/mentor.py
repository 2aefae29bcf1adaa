"""peerkit mentor ...: match mentors to mentees, keep the mentorships, plan check-ins."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

import typer

from peerkit.commands._options import (
    EMPTY_FOLDER,
    ConfirmOpt,
    DryRunOpt,
    ForgetPairOpt,
    FormatOpt,
    MemberRef,
    MustPairOpt,
    NeverPairOpt,
    RememberOpt,
    TimezoneOpt,
    WideOpt,
    WindowOpt,
    complete_member,
)
from peerkit.context import app_context
from peerkit.errors import catch_errors
from peerkit.output import Column, Format, data_line, emit, message, to_json, warning
from peerkit.text import examples

app = typer.Typer(
    help="Mentoring: match mentors to mentees, pair them by hand, plan check-ins, end them.",
    epilog=examples(
        "peerkit mentor match",
        "peerkit mentor list",
        'peerkit mentor checkin 1 --start "2026-12-14 18:00"',
    ),
    no_args_is_help=True,
)

PAIR_COLUMNS = (
    Column("mentor"),
    Column("mentee"),
    Column("topics", wrap=True),
    Column("score", priority=2),
    Column("reasons", priority=3, wrap=True, min_width=20),
)
LIST_COLUMNS = (
    Column("id"),
    Column("mentor"),
    Column("mentee"),
    Column("topic", priority=2, wrap=True),
    Column("started", priority=3),
    Column("ended", priority=4),
    Column("score", priority=5),
)
# The table's: the pair by name, the start on the community's clock.
CHECKIN_COLUMNS = (
    Column("id"),
    Column("mentorship", priority=2),
    Column("start"),
    Column("duration", priority=4),
    Column("status", priority=2),
)
MentorshipRef = Annotated[
    str, typer.Argument(help="A mentorship id (see mentor list).", metavar="ID")
]
OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help="Folder for the .ics and .eml files (default: outbox/mentoring).",
        show_default=False,
        file_okay=False,
        **EMPTY_FOLDER,
    ),
]
SendOpt = Annotated[
    bool, typer.Option("--send", help="Send the invitations through PEERKIT_SMTP_URL.")
]


@app.command(
    "match",
    epilog=examples(
        "peerkit mentor match",
        "peerkit mentor match --window 12w --never-pair 1,2",
        "peerkit mentor match --apply --dry-run",
    ),
)
@catch_errors
def mentor_match(
    ctx: typer.Context,
    apply: Annotated[
        bool, typer.Option("--apply", help="Create the proposed mentorships.")
    ] = False,
    window: WindowOpt = None,
    must_pair: MustPairOpt = None,
    never_pair: NeverPairOpt = None,
    remember: RememberOpt = False,
    forget_pair: ForgetPairOpt = None,
    confirm: ConfirmOpt = None,
    dry_run: DryRunOpt = False,
    fmt: FormatOpt = Format.table,
    wide: WideOpt = False,
) -> None:
    """Propose mentor-mentee pairs: mentors' skills against mentees' open needs.

    An optimal assignment within mentors' free capacity: as many mentees served as
    possible, then the best coverage of their needs. Never a member with themselves,
    never a pair that is already active, never two members who were together within
    --window days, never a never-pair; must-pairs first. A member who declined their last
    check-in is benched unless --confirm names them. Each pair and each member left out
    says why. With --apply --dry-run (or --remember --dry-run), writes nothing.
    """
    from peerkit.services.members import pairing
    from peerkit.services.mentoring import matching

    app_ctx = app_context(ctx)
    opts = pairing.options(
        window, must_pair, never_pair, forget_pair, remember, confirm, app_ctx.settings.config
    )
    db = app_ctx.db()
    writing = db.dry_run() if dry_run else db.write()
    with writing if apply or opts.writes else db.read() as session:
        rules = pairing.resolve(session, opts, app_ctx.today(), "mentor match")
        proposal = matching.match(session, app_ctx.today(), rules)
        names = _names(session, proposal)
        if opts.writes:
            pairing.save(session, rules)
        if apply:
            matching.apply(session, proposal, app_ctx.today())
    if fmt is Format.json:
        print(to_json(proposal))
    else:
        rows = [
            {**p, "mentor": names[p["mentor"]], "mentee": names[p["mentee"]],
             "reasons": "\n".join(p["reasons"])}
            if fmt is Format.table
            else {**p, "topics": ", ".join(p["topics"]), "reasons": "; ".join(p["reasons"])}
            for p in proposal["pairs"]
        ]  # fmt: skip
        keys = [c.key for c in PAIR_COLUMNS]
        emit(rows, fmt, PAIR_COLUMNS, csv_columns=keys, empty="No pair to propose.", wide=wide)
        if fmt is Format.table:
            _left_out(proposal, names)
    if opts.writes:
        done = "Would save" if dry_run else "Saved"
        message(f"{done} the pair rules ({len(opts.must) + len(opts.never)} given, "
                f"{len(opts.forget)} forgotten).")  # fmt: skip
    if apply:
        done = "Would create" if dry_run else "Created"
        message(f"{done} {len(proposal['pairs'])} mentorship(s).")


def _left_out(proposal: dict[str, Any], names: dict[int, str]) -> None:
    """Under the table: who is unmatched or benched and why, and each pair rule's fate."""
    for left in proposal["unmatched"]:
        message(
            f"Unmatched: {names[left['member']]} (#{left['member']}) needs "
            f"{left['need']}: {left['reason']}."
        )
    from peerkit.services.members import pairing

    for line in pairing.said(proposal, names):
        message(line)


def _names(session: Any, proposal: dict[str, Any]) -> dict[int, str]:
    from peerkit.models import Member

    ids = {p["mentor"] for p in proposal["pairs"]} | {p["mentee"] for p in proposal["pairs"]}
    ids |= {u["member"] for u in [*proposal["unmatched"], *proposal["benched"]]}
    ids |= {i for r in proposal["rules"] for i in r["members"]}
    return {i: (m.name if (m := session.get(Member, i)) else str(i)) for i in ids}


@app.command(
    "pair",
    epilog=examples(
        'peerkit mentor pair "Emma Clarke" "Oliver Hughes" --topic pricing',
        'peerkit mentor pair "Sara Colombo" "Giulia Rossi"',
    ),
)
@catch_errors
def mentor_pair(
    ctx: typer.Context,
    mentor: MemberRef,
    mentee: Annotated[
        str,
        typer.Argument(
            help="The mentee: id, e-mail or exact name.",
            metavar="MENTEE",
            autocompletion=complete_member,
        ),
    ],
    topic: Annotated[
        str | None,
        typer.Option(
            "--topic",
            help="What they work on (default: the mentee's needs the mentor has as skills).",
            show_default=False,
            metavar="TEXT",
        ),
    ] = None,
) -> None:
    """Start a mentorship chosen by hand; prints its id."""
    from peerkit.services.members import profiles
    from peerkit.services.mentoring import matching

    app_ctx = app_context(ctx)
    with app_ctx.db().write() as session:
        item, warnings = matching.pair(
            session,
            profiles.resolve(session, mentor),
            profiles.resolve(session, mentee),
            topic,
            app_ctx.today(),
        )
        shown = matching.to_dict(item)
    for text in warnings:
        warning(text)
    data_line(str(shown["id"]))
    message(f"Mentorship {shown['id']} started ({shown['topic'] or 'no topic'}).")


@app.command("list", epilog=examples("peerkit mentor list", "peerkit mentor list --all"))
@catch_errors
def mentor_list(
    ctx: typer.Context,
    include_ended: Annotated[bool, typer.Option("--all", help="Include ended ones.")] = False,
    fmt: FormatOpt = Format.table,
    wide: WideOpt = False,
) -> None:
    """List the mentorships (active ones unless --all)."""
    from peerkit.models import Member
    from peerkit.services.mentoring import matching

    app_ctx = app_context(ctx)
    with app_ctx.db().read() as session:
        rows = [matching.to_dict(m) for m in matching.listing(session, include_ended)]
        names = {
            i: (m.name if (m := session.get(Member, i)) else str(i))
            for r in rows
            for i in (r["mentor"], r["mentee"])
        }
        clock = _clock(ctx, session) if fmt is Format.table else None
    if clock is not None:
        rows = [
            {**r, "mentor": names[r["mentor"]], "mentee": names[r["mentee"]],
             "started": clock.day(r["started"]), "ended": clock.day(r["ended"])}
            for r in rows
        ]  # fmt: skip
    empty = "No mentorships yet. Try: peerkit mentor match"
    emit(rows, fmt, LIST_COLUMNS, empty=empty, wide=wide)


@app.command("end", epilog=examples("peerkit mentor end 1"))
@catch_errors
def mentor_end(
    ctx: typer.Context, mentorship: MentorshipRef, out: OutOpt = None, send: SendOpt = False
) -> None:
    """End a mentorship (kept in the record); its planned check-ins are cancelled.

    The cancellations are written (and with --send, sent) like those of checkin-cancel.
    """
    from peerkit.services.outbox import checkins

    app_ctx = app_context(ctx)
    target, folder = _outbox(ctx, out, send)
    steps = checkins.end(app_ctx.db, mentorship, app_ctx.today(), folder, target)
    issued = _show(steps)
    extra = f"; {len(issued.cancelled)} planned check-in(s) cancelled" if issued.cancelled else ""
    message(f"Mentorship {mentorship} ended{extra}.")
    if issued.cancelled and not issued.checkins:
        warning(
            "no organiser is set, so no cancellation was written; set one with peerkit init, "
            "then run peerkit mentor checkin-cancel CHECKIN for each of them."
        )


@app.command(
    "checkin",
    epilog=examples(
        'peerkit mentor checkin 1 --start "2026-12-14 18:00"',
        (
            'peerkit mentor checkin 2 --start "2026-12-15 09:00" --duration 30',
            "--location https://meet.jit.si/peerkit-mentoring",
        ),
    ),
)
@catch_errors
def mentor_checkin(
    ctx: typer.Context,
    mentorship: MentorshipRef,
    start: Annotated[
        str,
        typer.Option(
            "--start", help='Local start, "YYYY-MM-DD HH:MM".', show_default=False, metavar="WHEN"
        ),
    ],
    timezone: TimezoneOpt = None,
    duration: Annotated[int, typer.Option("--duration", help="Minutes.", metavar="MINUTES")] = 45,
    location: Annotated[
        str | None,
        typer.Option(
            "--location", help="A place or a video-call URL.", show_default=False, metavar="PLACE"
        ),
    ] = None,
    out: OutOpt = None,
    send: SendOpt = False,
) -> None:
    """Plan a check-in: writes its .ics and one invitation (.eml) each for mentor and mentee.

    The time zone defaults to the mentee's. Running it again for the same start plans nothing
    new: it writes the files again, and with --send sends only what was not sent yet.
    """
    from peerkit.services.outbox import checkins

    app_ctx = app_context(ctx)
    target, folder = _outbox(ctx, out, send)
    plan = checkins.Plan(mentorship, start, timezone, duration, location)
    _nothing_to_write(_show(checkins.plan(app_ctx.db, plan, folder, target)))


@app.command(
    "checkin-cancel",
    epilog=examples(
        'peerkit mentor checkin 1 --start "2026-12-14 18:00"',
        "peerkit mentor checkin-cancel 1",
    ),
)
@catch_errors
def mentor_checkin_cancel(
    ctx: typer.Context,
    checkin: Annotated[str, typer.Argument(help="A check-in id.", metavar="CHECKIN")],
    out: OutOpt = None,
    send: SendOpt = False,
) -> None:
    """Cancel a check-in: writes the cancellation (.ics and .eml) for mentor and mentee.

    Cancelling a cancelled check-in writes the cancellation again, and with --send sends it
    to whoever has not received it yet (after a failed send, for example).
    """
    from peerkit.services.outbox import checkins

    app_ctx = app_context(ctx)
    target, folder = _outbox(ctx, out, send)
    _nothing_to_write(_show(checkins.cancel(app_ctx.db, checkin, folder, target)))


@app.command("checkins", epilog=examples("peerkit mentor checkins", "peerkit mentor checkins 1"))
@catch_errors
def mentor_checkins(
    ctx: typer.Context,
    mentorship: Annotated[
        str | None,
        typer.Argument(help="Only this mentorship's check-ins.", metavar="ID", show_default=False),
    ] = None,
    fmt: FormatOpt = Format.table,
    wide: WideOpt = False,
) -> None:
    """List planned and cancelled check-ins, in each check-in's own zone."""
    from datetime import timedelta

    from sqlmodel import col, select

    from peerkit.models import MentorCheckin
    from peerkit.services.mentoring import checkins, matching

    app_ctx = app_context(ctx)
    with app_ctx.db().read() as session:
        if mentorship is not None:
            found = checkins.of_mentorship(session, matching.resolve(session, mentorship))
        else:
            found = list(session.exec(select(MentorCheckin).order_by(col(MentorCheckin.start))))
        pairs = _pairs(session, found) if fmt is Format.table else {}
        clock = _clock(ctx, session) if fmt is Format.table else None
        rows = [
            {
                "id": c.id,
                "mentorship": c.mentorship_id,
                "start": checkins.local_start(c).isoformat(),
                "end": (c.start + timedelta(minutes=c.duration))
                .astimezone(checkins.local_start(c).tzinfo)
                .isoformat(),
                "timezone": c.timezone,
                "duration": c.duration,
                "location": c.location,
                "status": c.status,
                "uid": c.uid,
            }
            for c in found
        ]
    if clock is not None:
        rows = [
            {
                **r,
                "mentorship": pairs.get(int(str(r["mentorship"]))),
                "start": clock.when(str(r["start"])),
            }
            for r in rows
        ]
    emit(rows, fmt, CHECKIN_COLUMNS, empty="No check-ins planned.", wide=wide)


def _clock(ctx: typer.Context, session: Any) -> Any:
    """How the tables say times: on the community's clock, in its language."""
    from peerkit.context import community_defaults
    from peerkit.services.common import community

    app_ctx = app_context(ctx)
    defaults = community_defaults(app_ctx.settings)
    return community.clock(session, app_ctx.today(), None, defaults)


def _pairs(session: Any, found: list[Any]) -> dict[int, str]:
    """Mentorship id -> "mentor → mentee", by name (one query)."""
    from sqlalchemy.orm import aliased
    from sqlmodel import col, select

    from peerkit.models import Member, Mentorship

    mentor, mentee = aliased(Member), aliased(Member)
    ids = {c.mentorship_id for c in found}
    rows = session.exec(
        select(Mentorship.id, mentor.name, mentee.name)
        .join(mentor, col(mentor.id) == col(Mentorship.mentor_id))
        .join(mentee, col(mentee.id) == col(Mentorship.mentee_id))
        .where(col(Mentorship.id).in_(ids))
    )
    return {i: f"{a} → {b}" for i, a, b in rows}


def _outbox(ctx: typer.Context, out: Path | None, send: bool) -> tuple[Any, Path]:
    """The mail server (refused first when --send has none) and the folder for the files."""
    from peerkit.services.outbox import delivery

    settings = app_context(ctx).settings
    target = delivery.smtp_target(settings.smtp_url) if send else None
    return target, delivery.Place(out, settings.outbox_dir).folder("mentoring")


def _show(steps: Iterable[Any]) -> Any:
    """Print what the outbox writes and sends; returns its last word (which check-ins)."""
    from peerkit.services.outbox import delivery

    for step in steps:
        if isinstance(step, delivery.Written):
            for path in step.paths:
                data_line(path)
            message(f"Check-in {step.about_id}: {step.count} message(s) in {step.folder}.")
        elif isinstance(step, delivery.Sent):
            message(step.describe())
        else:
            return step
    raise AssertionError("the outbox always ends with what it issued")


def _nothing_to_write(issued: Any) -> None:
    if not issued.checkins:
        message("Nothing to write.")
