"""peerkit agenda SESSION: the meeting's agenda, from the templates."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from peerkit.commands._options import ForceOpt, OutputOpt, SessionRef, words
from peerkit.context import app_context
from peerkit.errors import catch_errors
from peerkit.output import message, to_json
from peerkit.text import examples

AGENDA_EXAMPLES = examples(
    "peerkit agenda 4",
    "peerkit agenda 4 --format html --output agenda.html",
    "peerkit agenda 5 --locale it --format txt",
)


class AgendaFormat(StrEnum):
    md = "md"
    html = "html"
    txt = "txt"
    json = "json"


@catch_errors
def agenda(
    ctx: typer.Context,
    session_id: SessionRef,
    fmt: Annotated[
        AgendaFormat,
        typer.Option("--format", "-f", help="md, html, txt or json.", case_sensitive=False),
    ] = AgendaFormat.md,
    template: Annotated[
        Path | None,
        typer.Option(
            "--template",
            help="Render your own Jinja template file instead.",
            show_default=False,
            dir_okay=False,
            metavar="FILE",
        ),
    ] = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
    locale: Annotated[
        str | None,
        typer.Option(
            "--locale",
            help="Language: en or it (default: the community's).",
            show_default=False,
            metavar="LANG",
            autocompletion=words("en", "it"),
        ),
    ] = None,
) -> None:
    """Print (or write) a meeting's agenda: check-in, hot seats, commitments, close."""
    from peerkit import render
    from peerkit.services.common import validate
    from peerkit.services.groups import agenda as agenda_svc
    from peerkit.services.groups import meetings

    app_ctx = app_context(ctx)
    language = validate.locale(locale) if locale else None
    with app_ctx.db().read() as session:
        data = agenda_svc.build(session, meetings.resolve(session, session_id), language)
    if template is not None:
        text = render.render_file(template, data, data["locale"])
    elif fmt is AgendaFormat.json:
        text = to_json(agenda_svc.as_json(data)) + "\n"
    else:
        text = render.render(f"agenda.{fmt.value}.j2", data, data["locale"])
    if output is None:
        sys.stdout.write(text)
        return
    from peerkit.files import write_private

    message(f"Wrote {write_private(output, text, overwrite=force)}.")
