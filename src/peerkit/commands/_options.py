"""Option aliases shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from peerkit.errors import UsageProblem, catch_errors
from peerkit.output import Format


def _refuse_empty(what: str) -> Callable[..., Any]:
    @catch_errors
    def check(param: typer.CallbackParam, value: str | Path | None) -> Path | None:
        if value == "":
            name = next((o for o in param.opts if o.startswith("-")), (param.name or "").upper())
            raise UsageProblem(f"{name} is empty; give {what}.")
        return None if value is None else Path(value)

    return check


def refuse_empty(what: str) -> dict[str, Any]:
    """Keywords for a path option or argument: an empty value ("") is a usage error (exit 2).

    Typer would turn "" into Path("."), the current folder, which nobody asked for; so the
    value is taken as typed (``path_type=str``) and made a Path by the check.
    """
    return {"path_type": str, "callback": _refuse_empty(what)}


EMPTY_FILE = refuse_empty("a file name")
EMPTY_FOLDER = refuse_empty("a folder (. for the current one)")

FormatOpt = Annotated[
    Format,
    typer.Option("--format", "-f", help="Output format.", case_sensitive=False),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write to FILE (mode 0600) instead of stdout. An existing FILE needs --force.",
        dir_okay=False,
        **EMPTY_FILE,
    ),
]
ForceOpt = Annotated[
    bool, typer.Option("--force", help="With --output: replace FILE if it already exists.")
]
TimezoneOpt = Annotated[
    str | None,
    typer.Option("--timezone", help="IANA time zone, e.g. Europe/Rome.", show_default=False),
]
LocaleOpt = Annotated[
    str | None, typer.Option("--locale", help="Language: en or it.", show_default=False)
]
SkillsOpt = Annotated[
    str | None,
    typer.Option(
        "--skills", help="What they can help others with, comma-separated.", show_default=False
    ),
]
NeedsOpt = Annotated[
    str | None,
    typer.Option("--needs", help="What they want help with, comma-separated.", show_default=False),
]
StageOpt = Annotated[
    str | None,
    typer.Option(
        "--stage", help="Business stage: idea, early, growth or established.", show_default=False
    ),
]
IndustryOpt = Annotated[
    str | None, typer.Option("--industry", help="Their industry or field.", show_default=False)
]
BioOpt = Annotated[
    str | None, typer.Option("--bio", help="A few words about them.", show_default=False)
]
AvailableOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--available",
        help='A weekly window in their own time zone, like "mon 18:00-20:00". Repeatable.',
        show_default=False,
    ),
]
CapacityOpt = Annotated[
    int | None,
    typer.Option(
        "--mentor-capacity",
        help="How many mentees they will take on; 0 means not mentoring.",
        show_default=False,
    ),
]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do it without asking.")]
DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Show what would happen; write nothing.")
]
MemberRef = Annotated[
    str,
    typer.Argument(help="A member: id, e-mail or exact name.", show_default=False, metavar="REF"),
]
GroupRef = Annotated[
    str, typer.Argument(help="A group: id or slug.", show_default=False, metavar="G")
]
SessionRef = Annotated[
    str, typer.Argument(help="A session (meeting) id.", show_default=False, metavar="ID")
]
WideOpt = Annotated[
    bool,
    typer.Option(
        "--wide",
        help="Show every column of the table at full width (by default, on a terminal, the "
        "least important columns are left out when they do not fit).",
    ),
]
