"""peerkit init and peerkit demo."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from peerkit.commands._options import LocaleOpt, TimezoneOpt
from peerkit.context import AppContext, app_context, community_defaults
from peerkit.errors import catch_errors
from peerkit.output import data_line, message


@catch_errors
def init(
    ctx: typer.Context,
    community: Annotated[
        str | None, typer.Option("--community", help="The community's name.", show_default=False)
    ] = None,
    timezone: TimezoneOpt = None,
    locale: LocaleOpt = None,
    organiser_name: Annotated[
        str | None,
        typer.Option(
            "--organiser-name", help="Who organises (shown in invitations).", show_default=False
        ),
    ] = None,
    organiser_email: Annotated[
        str | None,
        typer.Option(
            "--organiser-email",
            help="The organiser's address (From: of invitations).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Create the community's database, or update its settings. Safe to run again."""
    from peerkit.services.common import community as svc

    app_ctx = app_context(ctx)
    given = svc.CommunityDefaults(community, timezone, locale, organiser_name, organiser_email)
    svc.apply(svc.Community(), given)  # refuse bad values before the database is created
    with app_ctx.db().write() as session:
        existed = svc.get(session) is not None
        row = svc.ensure(session, community_defaults(app_ctx.settings))
        changed = svc.apply(row, given)
        session.add(row)
        summary = svc.to_dict(row)
    data_line(app_ctx.settings.describe_location())
    if not existed:
        message(
            f"Created the community '{summary['name']}' "
            f"({summary['timezone']}, {summary['locale']})."
        )
    elif changed:
        message(f"Updated {', '.join(changed)}.")
    else:
        message("Already set up; nothing changed.")


@catch_errors
def demo(
    ctx: typer.Context,
    directory: Annotated[
        Path, typer.Option("--dir", help="Where to build the sample community.", file_okay=False)
    ] = Path("peerkit-demo"),
) -> None:
    """Build a sample community in DIR and run the weekly pipeline on it."""
    from peerkit.services.reports import demo as svc

    app_ctx = app_context(ctx)
    db_path = svc.build(directory, app_ctx.today())
    message(f"Built a sample community in {db_path}.\n")
    week = _show(db_path, app_ctx, directory / "outbox")
    message(
        f"\nThis week's agendas and invitations are in {directory / 'outbox' / week}.\n"
        f"Try it:  peerkit --db {db_path} member list\n"
        f"         peerkit --db {db_path} group show mastermind-del-martedi\n"
        f"         peerkit --db {db_path} session list --timezone America/New_York\n"
        f"         peerkit --db {db_path} plan week --week {week}\n"
        f"         peerkit --db {db_path} group slots founders-across-time-zones\n"
        f"         peerkit --db {db_path} group form --from active\n"
        f"         peerkit --db {db_path} mentor match\n"
        f"         peerkit --db {db_path} event list\n"
        f"         peerkit --db {db_path} stats\n"
        f"The community page is {directory / 'site' / 'index.html'}."
    )


def _show(db_path: Path, app_ctx: AppContext, out: Path) -> str:
    """Show the members and groups, then plan this week; returns the week's label."""
    from peerkit.config import Settings
    from peerkit.db import open_database
    from peerkit.output import Format, emit
    from peerkit.services.common import schedule
    from peerkit.services.groups import roster
    from peerkit.services.members import profiles
    from peerkit.services.outbox import delivery
    from peerkit.services.outbox import week as week_svc
    from peerkit.services.reports import demo, site

    today = app_ctx.today()
    week = schedule.week_label(demo.coming_monday(today))
    db = open_database(Settings(db_path=db_path))
    try:
        with db.read() as session:
            people = [
                profiles.to_dict(m, today) for m in profiles.list_members(session, None, today)
            ]
            teams = [roster.to_dict(session, g) for g in roster.list_groups(session)]
        with db.write() as session:
            plan = week_svc.plan_week(session, week, delivery.Output(folder=out), today=today)
        with db.read() as session:
            site.build(session, out.parent / "site", app_ctx.now())
    finally:
        db.dispose()
    columns = ("id", "name", "timezone", "locale", "stage", "skills", "needs", "status")
    emit(people, Format.table, columns, title="Freelance Insieme: members")
    for team in teams:
        team["size"] = len(team["members"])
    emit(teams, Format.table, ("slug", "name", "cadence", "day", "time", "timezone", "size"),
         title="Groups")  # fmt: skip
    rows = [r.as_dict() for r in plan]
    emit(
        rows,
        Format.table,
        ("group", "start", "status", "hot_seat", "invited"),
        title=f"Plan for {week}",
    )
    return week
