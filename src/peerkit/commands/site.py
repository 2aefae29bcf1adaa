"""peerkit site build: a static public page of what is coming up."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from peerkit.commands._options import EMPTY_FOLDER
from peerkit.context import app_context
from peerkit.errors import catch_errors
from peerkit.output import data_line, message
from peerkit.text import examples

BUILD_EXAMPLES = examples(
    "peerkit site build --out site", "peerkit site build --out /srv/www/peerkit"
)
app = typer.Typer(
    help="A static public page: upcoming events and groups with open seats.",
    epilog=BUILD_EXAMPLES,
    no_args_is_help=True,
)


@app.command("build", epilog=BUILD_EXAMPLES)
@catch_errors
def site_build(
    ctx: typer.Context,
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="The folder to write index.html into.",
            file_okay=False,
            **EMPTY_FOLDER,
        ),
    ],
) -> None:
    """Write DIR/index.html: upcoming events and groups with open seats, no member's data.

    The page is world-readable (mode 0644): it is meant to be published as it is.
    """
    from peerkit.services.reports import site

    app_ctx = app_context(ctx)
    with app_ctx.db().read() as session:
        written = site.build(session, out, app_ctx.now())
    data_line(str(written))
    message(f"Wrote the community page to {written}.")
