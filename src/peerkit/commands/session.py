"""peerkit session ...: a group's meetings (stored as Meeting)."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from peerkit.commands._options import (
    DryRunOpt,
    FormatOpt,
    GroupRef,
    SessionRef,
    TimezoneOpt,
    WideOpt,
    complete_date,
    group_option,
    member_option,
)
from peerkit.context import AppContext, app_context
from peerkit.errors import PeerkitError, UsageProblem, catch_errors
from peerkit.output import Column, Format, emit, emit_one, message, warning
from peerkit.text import examples

app = typer.Typer(
    help="Meetings: plan them, list, move, cancel, take attendance, keep notes.",
    epilog=examples(
        "peerkit session list",
        "peerkit session show 4",
        "peerkit session plan mastermind-del-martedi --count 4",
    ),
    no_args_is_help=True,
)

# The table's: its start is on the community's clock (or the --timezone given), with the
# zone when yours reads otherwise.
LIST_COLUMNS = (
    Column("id"),
    Column("group"),
    Column("start"),
    Column("status", priority=3),
    Column("hot_seat", priority=2, wrap=True, min_width=8),
    Column("facilitator", priority=3),
)
PLAN_COLUMNS = (
    Column("id"),
    Column("group", priority=2),
    Column("start"),
    Column("status", priority=3),
    Column("created"),
)


def _date_opt(name: str, text: str, metavar: str = "DATE") -> Any:
    completes = complete_date if metavar == "DATE" else None
    return typer.Option(
        name, help=text, show_default=False, metavar=metavar, autocompletion=completes
    )


@app.command(
    "plan",
    epilog=examples(
        "peerkit session plan mastermind-del-martedi --count 4",
        "peerkit session plan founders-across-time-zones --until 2027-03-31 --dry-run",
    ),
)
@catch_errors
def session_plan(
    ctx: typer.Context,
    group: GroupRef,
    start: Annotated[
        str | None, _date_opt("--from", "First date to plan from (default: today).")
    ] = None,
    count: Annotated[
        int | None, _date_opt("--count", "How many meetings (default 1).", metavar="N")
    ] = None,
    until: Annotated[
        str | None, _date_opt("--until", "Plan every meeting up to this date.")
    ] = None,
    dry_run: DryRunOpt = False,
    fmt: FormatOpt = Format.table,
    wide: WideOpt = False,
) -> None:
    """Make sure a group's next meetings exist (running it again adds nothing)."""
    from peerkit.services.common import schedule, validate
    from peerkit.services.groups import meetings, roster

    app_ctx = app_context(ctx)
    first = validate.iso_date(start, "--from") if start else app_ctx.today()
    last = validate.iso_date(until, "--until") if until else None
    db = app_ctx.db()
    with db.dry_run() if dry_run else db.write() as session:
        target = roster.resolve(session, group)
        said: list[str] = []  # holidays and breaks: skipped or moved; members' holidays
        planned = meetings.plan(session, target, first, count=count, until=last, notes=said)
        rows = [dict(meetings.to_dict(session, m), created=new) for m, new in planned]
        dates = [m.slot_date for m, _new in planned]
        notes = schedule.clock_notes(dates, target.time, target.timezone)
        slug = target.slug
        people = _people(app_ctx, session, rows) if fmt is Format.table else None
    shown = [people(r) for r in rows] if people is not None else rows
    emit(shown, fmt, PLAN_COLUMNS, wide=wide)
    new = sum(1 for r in rows if r["created"])
    verb = "Would add" if dry_run else "Added"
    message(f"{verb} {new} meeting(s); {len(rows) - new} already existed.")
    for text in said:
        message(f"{slug}: {text}")
    for note in notes:
        warning(f"{slug}: {note}")


@app.command(
    "list",
    epilog=examples(
        "peerkit session list --group mastermind-del-martedi",
        "peerkit session list --from 2026-12-01 --timezone America/New_York",
    ),
)
@catch_errors
def session_list(
    ctx: typer.Context,
    group: Annotated[str | None, group_option("Only this group (id or slug).")] = None,
    start: Annotated[str | None, _date_opt("--from", "From this date (inclusive).")] = None,
    end: Annotated[str | None, _date_opt("--to", "To this date (inclusive).")] = None,
    timezone: TimezoneOpt = None,
    fmt: FormatOpt = Format.table,
    wide: WideOpt = False,
) -> None:
    """List meetings, with their times on the community's clock (or yours: --timezone).

    --from and --to are dates in each meeting's own zone.
    """
    from peerkit.services.common import validate
    from peerkit.services.groups import meetings, roster

    app_ctx = app_context(ctx)
    first = validate.iso_date(start, "--from") if start else None
    last = validate.iso_date(end, "--to") if end else None
    viewer = validate.timezone(timezone) if timezone else None
    with app_ctx.db().read() as session:
        target = roster.resolve(session, group) if group else None
        rows = [
            meetings.to_dict(session, m, viewer)
            for m in meetings.list_meetings(session, target, first, last)
        ]
        people = _people(app_ctx, session, rows, viewer) if fmt is Format.table else None
    if people is not None:
        rows = [people(r) for r in rows]
    empty = "No sessions. Plan some: peerkit session plan G --count 4"
    emit(rows, fmt, LIST_COLUMNS, empty=empty, wide=wide)


def _people(
    app_ctx: AppContext, session: Any, rows: list[dict[str, Any]], viewer: str | None = None
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """What turns a meeting's row into the table's: members by name, times on the clock of
    the community (or VIEWER's), in its language. JSON and CSV keep the ids and ISO times."""
    from peerkit.context import community_defaults
    from peerkit.services.common import community
    from peerkit.services.groups import meetings

    defaults = community_defaults(app_ctx.settings)
    clock = community.clock(session, app_ctx.today(), viewer, defaults)
    ids = {i for r in rows for i in (*r["hot_seat"], r["facilitator"], r["timekeeper"]) if i}
    ids |= {a["member"] for r in rows for a in r["attendance"]}
    names = meetings.names(session, list(ids))

    def name(member: int | None) -> str | None:
        return None if member is None else names.get(member, f"#{member}")

    def shown(row: dict[str, Any]) -> dict[str, Any]:
        return {
            **row,
            "start": clock.when(row["start"]),
            "end": clock.when(row["end"]),
            "hot_seat": [name(i) for i in row["hot_seat"]],
            "facilitator": name(row["facilitator"]),
            "timekeeper": name(row["timekeeper"]),
            "attendance": [f"{name(a['member'])}: {a['status']}" for a in row["attendance"]],
            **({"changed_at": clock.when(row["changed_at"])} if "changed_at" in row else {}),
        }

    return shown


@app.command(
    "show", epilog=examples("peerkit session show 4", "peerkit session show 4 --format json")
)
@catch_errors
def session_show(ctx: typer.Context, session_id: SessionRef, fmt: FormatOpt = Format.table) -> None:
    """Show one meeting, with who said they are coming, who is not, and who has not answered,
    and who changed it last."""
    from peerkit import rowversions
    from peerkit.services.groups import agenda, meetings

    app_ctx = app_context(ctx)
    with app_ctx.db().read() as session:
        meeting = meetings.resolve(session, session_id)
        shown = meetings.to_dict(session, meeting) | rowversions.stamp(meeting)
        said = agenda.answered(session, meeting) if fmt is Format.table else None
        named = _people(app_ctx, session, [shown]) if fmt is Format.table else None
    if named is not None and said is not None:  # a table: names, the answers as the agenda
        shown = named(shown)
        del shown["answers"]
        for key, people in (
            ("coming", said.coming),
            ("maybe", said.maybe),
            ("not_coming", said.not_coming),
            ("no_answer", said.no_answer),
        ):
            shown[key] = [f"{p.name} (#{p.id})" for p in people]  # fmt: skip
    emit_one(shown, fmt, title=f"Session {shown['id']} ({shown['group']})")


@app.command(
    "move",
    epilog=examples(
        'peerkit session move 4 --to "2026-12-09 18:30"',
        'peerkit session move 5 --to "2026-12-10 09:00" --timezone America/New_York',
    ),
)
@catch_errors
def session_move(
    ctx: typer.Context,
    session_id: SessionRef,
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help='New local date and time: "YYYY-MM-DD HH:MM".',
            show_default=False,
            metavar="WHEN",
        ),
    ],
    timezone: TimezoneOpt = None,
) -> None:
    """Move a meeting (its calendar SEQUENCE goes up, so invitations update)."""
    from peerkit.services.groups import meetings

    app_ctx = app_context(ctx)
    with app_ctx.db().write() as session:
        meeting = meetings.resolve(session, session_id)
        meetings.move(session, meeting, to, timezone, now=app_ctx.now())
        when = meetings.local_start(meeting).isoformat()
    message(f"Session {session_id} now starts at {when}.")


@app.command("cancel", epilog=examples('peerkit session cancel 5 --reason "Holiday week"'))
@catch_errors
def session_cancel(
    ctx: typer.Context,
    session_id: SessionRef,
    reason: Annotated[
        str | None,
        typer.Option("--reason", help="Why, for the members.", show_default=False, metavar="TEXT"),
    ] = None,
) -> None:
    """Cancel a meeting. It is kept (cancelled) and never planned again."""
    from peerkit.services.groups import meetings

    app_ctx = app_context(ctx)
    with app_ctx.db().write() as session:
        changed = meetings.cancel(session, meetings.resolve(session, session_id), reason)
    message(
        f"Cancelled session {session_id}."
        if changed
        else f"Session {session_id} was already cancelled."
    )


@app.command(
    "attend",
    epilog=examples(
        (
            'peerkit session attend 4 --present "Giulia Rossi" --present "Sara Colombo"',
            '--absent "Luca Ferrari"',
        ),
    ),
)
@catch_errors
def session_attend(
    ctx: typer.Context,
    session_id: SessionRef,
    present: Annotated[
        list[str] | None, member_option("--present", "Who came. Repeatable.")
    ] = None,
    absent: Annotated[
        list[str] | None, member_option("--absent", "Who did not. Repeatable.")
    ] = None,
) -> None:
    """Record who came; the meeting is then done. Absent hot seats get the next turn."""
    from peerkit.services.groups import meetings
    from peerkit.services.members import profiles

    if not present and not absent:
        raise UsageProblem("say who came with --present REF and who did not with --absent REF.")
    app_ctx = app_context(ctx)
    with app_ctx.db().write() as session:
        meeting = meetings.resolve(session, session_id)
        here = [profiles.resolve(session, r) for r in present or []]
        away = [profiles.resolve(session, r) for r in absent or []]
        meetings.attend(session, meeting, here, away)
    message(f"Session {session_id}: {len(here)} present, {len(away)} absent.")


@app.command(
    "notes",
    epilog=examples(
        'peerkit session notes 2 --text "Giulia raises her prices by 15% in January."',
        "peerkit session notes 2",
    ),
)
@catch_errors
def session_notes(
    ctx: typer.Context,
    session_id: SessionRef,
    text: Annotated[
        str | None,
        typer.Option(
            "--text", help="The notes (replaces earlier ones).", show_default=False, metavar="TEXT"
        ),
    ] = None,
    edit: Annotated[bool, typer.Option("--edit", help="Write the notes in $EDITOR.")] = False,
) -> None:
    """Keep a meeting's notes; without options, print them."""
    from peerkit.services.groups import meetings

    app_ctx = app_context(ctx)
    if text is not None and edit:
        raise UsageProblem("give --text or --edit, not both.")
    if edit and app_ctx.settings.no_input:
        raise UsageProblem("--edit needs a terminal; use --text instead.")
    db = app_ctx.db()
    read_version = None
    if text is None:  # print them, or edit them: read them first
        with db.read() as session:
            meeting = meetings.resolve(session, session_id)
            current, read_version = meeting.notes or "", meeting.version
        if not edit:
            typer.echo(current, nl=bool(current))
            return
        db.refuse_if_read_only()
        # The editor may stay open for minutes: no transaction meanwhile; the notes are
        # saved only if nobody changed the session since they were read.
        text = _edit(current)
    with db.write() as session:
        meeting = meetings.resolve(session, session_id)
        meetings.set_notes(session, meeting, text, read_version)
    message(f"Saved the notes of session {session_id}.")


def _edit(current: str) -> str:
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "notes.md"
        path.write_text(current, encoding="utf-8")
        path.chmod(0o600)
        try:
            subprocess.run([*editor.split(), str(path)], check=True)
        except (OSError, subprocess.CalledProcessError) as exc:
            raise PeerkitError(
                f"the editor '{editor}' failed ({exc}); nothing was saved."
            ) from None
        return path.read_text(encoding="utf-8")
