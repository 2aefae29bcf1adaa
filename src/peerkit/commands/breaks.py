"""peerkit break ...: days without meetings, for the whole community or one group."""

from __future__ import annotations

from typing import Annotated

import typer

from peerkit.commands._options import FormatOpt, WideOpt, date_option, group_option
from peerkit.context import app_context
from peerkit.errors import catch_errors
from peerkit.output import Column, Format, data_line, emit, emit_one, message
from peerkit.text import examples

app = typer.Typer(
    help="Breaks: days without meetings, for the community or one group.",
    epilog=examples(
        'peerkit break add --from 2026-12-24 --to 2027-01-06 --reason "Natale"',
        "peerkit break list",
        "peerkit break remove 1",
    ),
    no_args_is_help=True,
)

COLUMNS = (
    Column("id"),
    Column("from"),
    Column("to"),
    Column("group", priority=2),
    Column("reason", wrap=True, priority=2),
    Column("days", priority=3),
)
BreakRef = Annotated[str, typer.Argument(help="A break's id.", metavar="ID", show_default=False)]


@app.command(
    "add",
    epilog=examples(
        'peerkit break add --from 2026-12-24 --to 2027-01-06 --reason "Natale"',
        (
            "peerkit break add --from 2027-08-09 --to 2027-08-22",
            '--group mastermind-del-martedi --reason "Ferragosto"',
        ),
    ),
)
@catch_errors
def break_add(
    ctx: typer.Context,
    first: Annotated[str, date_option("--from", "The first day without meetings.")],
    last: Annotated[str, date_option("--to", "The last day without meetings (included).")],
    group: Annotated[
        str | None, group_option("Only this group (default: the whole community).")
    ] = None,
    reason: Annotated[
        str | None,
        typer.Option(
            "--reason",
            help="Why, for the plan and the members.",
            show_default=False,
            metavar="TEXT",
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Add a break: no meetings from --from to --to (both included)."""
    from peerkit.services.common import validate
    from peerkit.services.groups import breaks

    app_ctx = app_context(ctx)
    start, end = validate.iso_date(first, "--from"), validate.iso_date(last, "--to")
    with app_ctx.db().write() as session:
        target = breaks.group_of(session, group)
        made = breaks.add(session, start, end, target, reason)
        shown = breaks.to_dict(made, target.slug if target else None)
    if fmt is not Format.table:
        emit_one(shown, fmt)
        return
    data_line(str(shown["id"]))
    whose = shown["group"] or "the community"
    message(f"Break {shown['id']} for {whose}: no meetings from {start} to {end}.")


@app.command("list", epilog=examples("peerkit break list", "peerkit break list --format json"))
@catch_errors
def break_list(ctx: typer.Context, fmt: FormatOpt = Format.table, wide: WideOpt = False) -> None:
    """List the breaks, the earliest first."""
    from peerkit.services.groups import breaks

    app_ctx = app_context(ctx)
    with app_ctx.db().read() as session:
        rows = breaks.listed(session)
    if fmt is Format.table:
        rows = [{**r, "group": r["group"] or "(everyone)"} for r in rows]
    empty = "No breaks. Add one: peerkit break add --from DATE --to DATE"
    emit(rows, fmt, COLUMNS, empty=empty, wide=wide)


@app.command(
    "remove",
    epilog=examples(
        'peerkit break add --from 2027-04-25 --to 2027-04-25 --reason "25 aprile"',
        "peerkit break remove 1",
    ),
)
@catch_errors
def break_remove(ctx: typer.Context, ref: BreakRef) -> None:
    """Remove a break: its days have meetings again at the next planning."""
    from peerkit.services.groups import breaks

    app_ctx = app_context(ctx)
    with app_ctx.db().write() as session:
        gone = breaks.remove(session, ref)
        first, last = gone.start_date, gone.end_date
    message(f"Removed break {ref} ({first} to {last}).")
