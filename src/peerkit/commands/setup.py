"""peerkit init and peerkit demo."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from peerkit.commands._options import EMPTY_FOLDER, LocaleOpt, TimezoneOpt
from peerkit.context import app_context, community_defaults
from peerkit.errors import catch_errors
from peerkit.output import data_line, message
from peerkit.text import examples

if TYPE_CHECKING:
    from peerkit.services.reports.demo import Showcase

INIT_EXAMPLES = examples(
    'peerkit init --community "Freelance Insieme" --timezone Europe/Rome',
    ('peerkit init --organiser-name "Paolo Pavan"', "--organiser-email paolo@example.org"),
)
DEMO_EXAMPLES = examples(
    "peerkit demo",
    "peerkit --db peerkit-demo/peerkit.db member list",
    "peerkit demo --dir sample-community",
)


@catch_errors
def init(
    ctx: typer.Context,
    community: Annotated[
        str | None,
        typer.Option(
            "--community", help="The community's name.", show_default=False, metavar="NAME"
        ),
    ] = None,
    timezone: TimezoneOpt = None,
    locale: LocaleOpt = None,
    organiser_name: Annotated[
        str | None,
        typer.Option(
            "--organiser-name",
            help="Who organises (shown in invitations).",
            show_default=False,
            metavar="NAME",
        ),
    ] = None,
    organiser_email: Annotated[
        str | None,
        typer.Option(
            "--organiser-email",
            help="The organiser's address (From: of invitations).",
            show_default=False,
            metavar="EMAIL",
        ),
    ] = None,
) -> None:
    """Create the community's database, or update its settings. Safe to run again."""
    from peerkit.config import CommunityDefaults
    from peerkit.services.common import community as svc

    app_ctx = app_context(ctx)
    given = CommunityDefaults(community, timezone, locale, organiser_name, organiser_email)
    svc.check(given)  # refuse bad values before the database is created
    with app_ctx.db().write() as session:
        done = svc.setup(session, community_defaults(app_ctx.settings), given)
    data_line(app_ctx.settings.describe_location())
    if done.created:
        summary = done.summary
        message(
            f"Created the community '{summary['name']}' "
            f"({summary['timezone']}, {summary['locale']})."
        )
    elif done.changed:
        message(f"Updated {', '.join(done.changed)}.")
    else:
        message("Already set up; nothing changed.")


@catch_errors
def demo(
    ctx: typer.Context,
    directory: Annotated[
        Path,
        typer.Option(
            "--dir",
            help="Where to build the sample community.",
            file_okay=False,
            **EMPTY_FOLDER,
        ),
    ] = Path("peerkit-demo"),
) -> None:
    """Build a sample community in DIR and run the weekly pipeline on it."""
    from peerkit.services.reports import demo as svc

    app_ctx = app_context(ctx)
    db_path = svc.build(directory, app_ctx.today())
    message(f"Built a sample community in {db_path}.\n")
    shown = svc.showcase(db_path, app_ctx.today(), app_ctx.now())
    _show(shown)
    week = shown.week
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


def _show(shown: Showcase) -> None:
    """The sample's members and groups, then the plan of the week."""
    from peerkit.output import Format, emit

    columns = ("id", "name", "timezone", "locale", "stage", "skills", "needs", "status")
    emit(shown.members, Format.table, columns, title="Freelance Insieme: members")
    teams = [dict(team, size=len(team["members"])) for team in shown.groups]
    emit(teams, Format.table, ("slug", "name", "cadence", "day", "time", "timezone", "size"),
         title="Groups")  # fmt: skip
    emit(
        shown.plan,
        Format.table,
        ("group", "start", "status", "hot_seat", "invited"),
        title=f"Plan for {shown.week}",
    )
