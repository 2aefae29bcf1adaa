"""peerkit templates ...: see and customise the text templates."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from peerkit.commands._options import EMPTY_FOLDER, FormatOpt, complete_template
from peerkit.context import app_context
from peerkit.errors import PeerkitError, catch_errors
from peerkit.output import Format, data_line, emit, emit_one, message
from peerkit.text import examples

app = typer.Typer(
    help="Templates for agendas, invitations and reminders: list, show, copy to customise.",
    epilog=examples(
        "peerkit templates list",
        "peerkit templates show agenda.md.j2",
        "peerkit templates copy invite.txt.j2",
    ),
    no_args_is_help=True,
)
NameArg = Annotated[
    str,
    typer.Argument(
        help="A template name, e.g. agenda.md.j2.", metavar="NAME", autocompletion=complete_template
    ),
]


LIST_COLUMNS = ("name", "source")
KEYS = ("name", "source", "path")  # json and csv: the file that is used, yours or the built-in


@app.command(
    "list", epilog=examples("peerkit templates list", "peerkit templates list --format json")
)
@catch_errors
def templates_list(ctx: typer.Context, fmt: FormatOpt = Format.table) -> None:
    """List the templates and which ones you have customised.

    With --format json or csv: each template's name, source (yours or built-in) and path (the
    file that is used).
    """
    from peerkit import render

    app_context(ctx)
    rows = [_row(name, path) for name, path in render.used_templates()]
    emit(rows, fmt, LIST_COLUMNS, csv_columns=KEYS)
    if fmt is Format.table:
        message(f"Your templates live in {render.user_templates_dir()}.")


@app.command(
    "show",
    epilog=examples(
        "peerkit templates show agenda.md.j2",
        "peerkit templates show invite.html.j2",
        "peerkit templates show agenda.md.j2 --format json",
    ),
)
@catch_errors
def templates_show(ctx: typer.Context, name: NameArg, fmt: FormatOpt = Format.table) -> None:
    """Print the template that is used for NAME (yours if you have one).

    The default prints the text as it is; --format json gives one object with its name, source,
    path and text.
    """
    from peerkit import render

    app_context(ctx)
    text, path = render.source(name)
    if fmt is Format.table:
        sys.stdout.write(text)
        return
    emit_one({**_row(name, path), "text": text}, fmt)


def _row(name: str, path: Path) -> dict[str, Any]:
    from peerkit.resources import builtin_templates_dir

    source = "built-in" if path.parent == builtin_templates_dir() else "yours"
    return {"name": name, "source": source, "path": str(path)}


@app.command(
    "copy",
    epilog=examples(
        "peerkit templates copy invite.txt.j2",
        "peerkit templates copy agenda.md.j2 --to my-templates",
    ),
)
@catch_errors
def templates_copy(
    ctx: typer.Context,
    name: NameArg,
    to: Annotated[
        Path | None,
        typer.Option(
            "--to",
            help="Folder to copy into (default: your template folder).",
            show_default=False,
            file_okay=False,
            **EMPTY_FOLDER,
        ),
    ] = None,
) -> None:
    """Copy a built-in template to change it; your copy then replaces the built-in."""
    from peerkit import render
    from peerkit.resources import builtin_templates_dir

    app_context(ctx)
    if name not in render.builtin_names():
        raise PeerkitError(f"no built-in template called '{name}'. See: peerkit templates list")
    from peerkit import files

    folder = (to or render.user_templates_dir()).expanduser()
    target = folder / name
    if target.is_symlink() or target.exists():
        raise PeerkitError(f"{target} already exists; edit it, or remove it to start again.")
    folder.mkdir(parents=True, exist_ok=True)
    with files.new_file(target, mode=files.PUBLIC, binary=True, overwrite=False) as (handle, _):
        handle.write((builtin_templates_dir() / name).read_bytes())
    data_line(str(target))
