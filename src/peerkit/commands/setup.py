"""peerkit init and peerkit demo."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from peerkit.commands._options import EMPTY_FOLDER, LocaleOpt, TimezoneOpt, WideOpt
from peerkit.context import app_context, community_defaults
from peerkit.errors import catch_errors
from peerkit.output import Column, data_line, message
from peerkit.text import examples

if TYPE_CHECKING:
    from peerkit.services.reports.demo import Showcase

MEMBER_COLUMNS = (
    Column("id", priority=3),
    Column("name"),
    Column("timezone", priority=2),
    Column("locale", priority=5),
    Column("stage", priority=4),
    Column("skills", priority=2, wrap=True, whole_items=False),
    Column("needs", priority=2, wrap=True, whole_items=False),
    Column("status", priority=3),
)
GROUP_COLUMNS = (
    Column("slug"),
    Column("name", priority=2),
    Column("cadence", priority=3),
    Column("day", priority=2),
    Column("time", priority=2),
    Column("timezone", priority=3),
    Column("size", priority=3),
)
PLAN_COLUMNS = (
    Column("group"),
    Column("start"),
    Column("status", priority=4),
    Column("hot_seat", wrap=True, min_width=8),
    Column("invited", priority=3),
)
INIT_EXAMPLES = examples(
    'peerkit init --community "Freelance Insieme" --timezone Europe/Rome',
    ('peerkit init --organiser-name "Paolo Pavan"', "--organiser-email paolo@example.org"),
    "peerkit init --holidays IT",
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
    holidays: Annotated[
        str | None,
        typer.Option(
            "--holidays",
            help="Countries (and regions) whose public holidays planning respects, e.g. "
            'IT,GB-ENG ("" for none).',
            show_default=False,
            metavar="CODES",
        ),
    ] = None,
) -> None:
    """Create the community's database, or update its settings. Safe to run again."""
    from peerkit.config import CommunityDefaults
    from peerkit.services.common import community as svc

    app_ctx = app_context(ctx)
    given = CommunityDefaults(
        community, timezone, locale, organiser_name, organiser_email, holidays
    )
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
    wide: WideOpt = False,
) -> None:
    """Build a sample community in DIR and run the weekly pipeline on it."""
    from peerkit.services.reports import demo as svc

    app_ctx = app_context(ctx)
    db_path = svc.build(directory, app_ctx.today())
    message(f"Built a sample community in {db_path}.\n")
    shown = svc.showcase(db_path, app_ctx.today(), app_ctx.now())
    _show(shown, wide)
    week = shown.week
    message(
        f"\nThis week's agendas and invitations are in {directory / 'outbox' / week}.\n"
        f"Try it:  export PEERKIT_DB={shlex.quote(str(db_path))}\n"
        f"         peerkit member list\n"
        f"         peerkit group show mastermind-del-martedi\n"
        f"         peerkit session list --timezone America/New_York\n"
        f"         peerkit plan week --week {week}\n"
        f"         peerkit group slots founders-across-time-zones\n"
        f"         peerkit group form --from active\n"
        f"         peerkit mentor match\n"
        f"         peerkit event list\n"
        f"         peerkit stats\n"
        f"The community page is {directory / 'site' / 'index.html'}."
    )


def _show(shown: Showcase, wide: bool) -> None:
    """The sample's members and groups, then the plan of the week."""
    from peerkit.output import show_table

    show_table(shown.members, MEMBER_COLUMNS, title="Freelance Insieme: members", wide=wide)
    teams = [dict(team, size=len(team["members"])) for team in shown.groups]
    show_table(teams, GROUP_COLUMNS, title="Groups", wide=wide)
    show_table(shown.plan, PLAN_COLUMNS, title=f"Plan for {shown.week}", wide=wide)
