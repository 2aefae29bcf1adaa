"""Option aliases shared by several commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from peerkit.output import Format

FormatOpt = Annotated[
    Format,
    typer.Option("--format", "-f", help="Output format.", case_sensitive=False),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="Write to FILE (mode 0600) instead of stdout.", dir_okay=False
    ),
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
