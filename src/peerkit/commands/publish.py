"""peerkit publish caldav URL: the community's meetings in a shared calendar."""

from __future__ import annotations

from typing import Annotated

import typer

from peerkit.commands._options import group_option
from peerkit.context import app_context
from peerkit.errors import catch_errors
from peerkit.output import message
from peerkit.text import examples

CALDAV_EXAMPLES = examples(
    "peerkit publish caldav https://cal.example.org/paolo/peerkit/ --user paolo",
    (
        "peerkit publish caldav https://cal.example.org/paolo/martedi/ --user paolo",
        "--group mastermind-del-martedi",
    ),
)
app = typer.Typer(
    help="Publish meetings to a shared calendar server (CalDAV).",
    epilog=CALDAV_EXAMPLES,
    no_args_is_help=True,
)


@app.command("caldav", epilog=CALDAV_EXAMPLES)
@catch_errors
def publish_caldav(
    ctx: typer.Context,
    url: Annotated[
        str,
        typer.Argument(
            help="The calendar's URL (a CalDAV collection).", show_default=False, metavar="URL"
        ),
    ],
    user: Annotated[
        str | None,
        typer.Option("--user", help="User name on the server.", show_default=False, metavar="USER"),
    ] = None,
    group: Annotated[str | None, group_option("Only this group's meetings.")] = None,
) -> None:
    """Create or update one event per meeting (password from PEERKIT_CALDAV_PASSWORD)."""
    from peerkit.config import mask_url
    from peerkit.publish import caldav_password, calendar_url, put_all
    from peerkit.services.groups import roster
    from peerkit.services.outbox import feeds

    url = calendar_url(url)  # refused before the database is opened
    app_ctx = app_context(ctx)
    with app_ctx.db().read() as session:
        chosen = [roster.resolve(session, group)] if group else roster.list_groups(session, True)
        items = feeds.resources(session, feeds.group_meetings(session, chosen))
    count = put_all(url, user or app_ctx.settings.default("caldav_user"), caldav_password(), items)
    message(f"Published {count} meeting(s) to {mask_url(url)}.")
