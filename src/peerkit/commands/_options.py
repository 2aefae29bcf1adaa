"""Option aliases shared by several commands, and what the shell completes for them.

Completion runs on every Tab: values come from one small read-only query on the
community's SQLite file (sqlite3 itself, not the database stack), and never an error
(a completer that cannot answer offers nothing, and the shell falls back to file names).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date, timedelta
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

# --- completion ------------------------------------------------------------------------------

LIMIT = 50  # values offered at most for one Tab: the first letters narrow them down


def _database(ctx: typer.Context) -> Path | None:
    """The SQLite file the command line being completed would open, settled as
    config.resolve_settings settles it (--db or PEERKIT_DB, then --database-url or
    PEERKIT_DATABASE_URL, then config.toml, then the default); None for a server database.

    A root without the global options (none was typed: see _root.completion_app) leaves
    their variables to be read here."""
    given = ctx.find_root().params
    if "db" in given:
        db, url = given.get("db"), given.get("database_url")
    else:
        db, url = os.environ.get("PEERKIT_DB"), os.environ.get("PEERKIT_DATABASE_URL")
    if not url and not db:
        from peerkit import config

        settings = config.load_config_file()
        url = settings.get("database_url")
        db = Path(settings["db"]).expanduser() if settings.get("db") else config.default_db_path()
    if url:
        return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None
    return Path(db) if db else None


def _rows(ctx: typer.Context, sql: str, *args: Any) -> list[Any]:
    """The rows of one query on the community's database, opened read-only; none when it
    cannot be read (no file yet, a server database, a lock): completing a word must never
    put an error on the user's command line."""
    try:
        path = _database(ctx)
        if path is None or not path.is_file():
            return []
        import sqlite3
        from urllib.parse import quote

        conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute(sql, args).fetchall()
        finally:
            conn.close()
    except Exception:  # completion offers nothing rather than break the shell's line
        return []


def _like(incomplete: str) -> str:
    """A LIKE pattern for what starts with INCOMPLETE (its % and _ taken literally)."""
    escaped = incomplete.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%"


def complete_member(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Members by e-mail, and by name where the name is theirs alone (as a reference)."""
    rows = _rows(
        ctx,
        "SELECT name, email FROM member WHERE forgotten_at IS NULL AND "
        "(name LIKE ?1 ESCAPE '\\' OR email LIKE ?1 ESCAPE '\\') "
        "ORDER BY status = 'left', name LIMIT ?2",
        _like(incomplete),
        LIMIT,
    )
    names = [name for name, _email in rows]
    offered: list[tuple[str, str]] = []
    for name, email in rows:
        if names.count(name) == 1:
            offered.append((name, email or ""))
        if email:
            offered.append((email, name))
    return offered


def complete_group(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Group slugs, active groups first, with their names."""
    return [
        (slug, name)
        for slug, name in _rows(
            ctx,
            "SELECT slug, name FROM peer_group WHERE slug LIKE ?1 ESCAPE '\\' "
            "ORDER BY status != 'active', slug LIMIT ?2",
            _like(incomplete),
            LIMIT,
        )
    ]


def complete_event(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Event ids, the latest first, with their titles and dates."""
    return [
        (str(i), f"{title}, {day}" + (" (cancelled)" if status == "cancelled" else ""))
        for i, title, day, status in _rows(
            ctx,
            "SELECT id, title, substr(start, 1, 10), status FROM community_event "
            "WHERE CAST(id AS TEXT) LIKE ?1 ESCAPE '\\' ORDER BY start DESC LIMIT ?2",
            _like(incomplete),
            LIMIT,
        )
    ]


def complete_session(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Session (meeting) ids, those nearest to now first, with their group and date."""
    return [
        (str(i), f"{slug}, {day}, {status}")
        for i, slug, day, status in _rows(
            ctx,
            "SELECT m.id, g.slug, substr(m.start, 1, 10), m.status FROM meeting m "
            "JOIN peer_group g ON g.id = m.group_id WHERE CAST(m.id AS TEXT) LIKE ?1 "
            "ESCAPE '\\' ORDER BY abs(julianday(m.start) - julianday('now')) LIMIT ?2",
            _like(incomplete),
            LIMIT,
        )
    ]


ZONE_AREAS = ("Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia",
              "Europe", "Indian", "Pacific")  # fmt: skip


def complete_timezone(incomplete: str) -> list[str]:
    """IANA time zones (Area/City), read from the system's zone folders that can match."""
    import zoneinfo

    for root in map(Path, zoneinfo.TZPATH):
        if (root / "Europe").is_dir():
            break
    else:  # no system zone files (the tzdata package): the slower full list
        return sorted(z for z in zoneinfo.available_timezones() if z.startswith(incomplete))
    found = ["UTC"] if "UTC".startswith(incomplete) else []
    for area in ZONE_AREAS:
        if incomplete.startswith(f"{area}/") or f"{area}/".startswith(incomplete):
            folder = root / area
            found += sorted(
                p.relative_to(root).as_posix()
                for p in folder.rglob("*")
                if p.is_file() and p.relative_to(root).as_posix().startswith(incomplete)
            )
    return found


def _today() -> date:
    """Today, or PEERKIT_TODAY as the commands read it."""
    try:
        return date.fromisoformat(os.environ.get("PEERKIT_TODAY", ""))
    except ValueError:
        return date.today()


WEEK_NOTES = {-1: "last week", 0: "this week", 1: "next week"}


def complete_week(incomplete: str) -> list[tuple[str, str]]:
    """ISO weeks from last week to eight weeks ahead, with their dates."""
    today = _today()
    monday = today - timedelta(days=today.weekday())
    offered = []
    for n in range(-1, 9):
        start = monday + timedelta(weeks=n)
        year, week, _ = start.isocalendar()
        end = start + timedelta(days=6)
        note = f", {WEEK_NOTES[n]}" if n in WEEK_NOTES else ""
        offered.append((f"{year}-W{week:02d}", f"{start:%d %b} - {end:%d %b %Y}{note}"))
    return [(w, text) for w, text in offered if w.startswith(incomplete)]


def complete_date(incomplete: str) -> list[tuple[str, str]]:
    """Today's date, the form every date option takes."""
    today = _today().isoformat()
    return [(today, "today")] if today.startswith(incomplete) else []


def complete_template(incomplete: str) -> list[str]:
    """The built-in templates' names."""
    from peerkit.resources import builtin_templates_dir

    try:
        names = sorted(p.name for p in builtin_templates_dir().glob("*.j2"))
    except OSError:
        return []
    return [n for n in names if n.startswith(incomplete)]


def words(*choices: str) -> Callable[[str], list[str]]:
    """A completer offering CHOICES, for an option whose values are a few known words."""

    def complete(incomplete: str) -> list[str]:
        return [c for c in choices if c.startswith(incomplete)]

    return complete


# --- the options --------------------------------------------------------------------------------

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
        metavar="FILE",
        **EMPTY_FILE,
    ),
]
ForceOpt = Annotated[
    bool, typer.Option("--force", help="With --output: replace FILE if it already exists.")
]
TimezoneOpt = Annotated[
    str | None,
    typer.Option(
        "--timezone",
        help="IANA time zone, e.g. Europe/Rome.",
        show_default=False,
        metavar="TZ",
        autocompletion=complete_timezone,
    ),
]
LocaleOpt = Annotated[
    str | None,
    typer.Option(
        "--locale",
        help="Language: en or it.",
        show_default=False,
        metavar="LANG",
        autocompletion=words("en", "it"),
    ),
]
SkillsOpt = Annotated[
    str | None,
    typer.Option(
        "--skills",
        help="What they can help others with, comma-separated.",
        show_default=False,
        metavar="LIST",
    ),
]
NeedsOpt = Annotated[
    str | None,
    typer.Option(
        "--needs",
        help="What they want help with, comma-separated.",
        show_default=False,
        metavar="LIST",
    ),
]
StageOpt = Annotated[
    str | None,
    typer.Option(
        "--stage",
        help="Business stage: idea, early, growth or established.",
        show_default=False,
        metavar="STAGE",
        autocompletion=words("idea", "early", "growth", "established"),
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
        metavar="WINDOW",
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
    typer.Argument(
        help="A member: id, e-mail or exact name.",
        show_default=False,
        metavar="REF",
        autocompletion=complete_member,
    ),
]
GroupRef = Annotated[
    str,
    typer.Argument(
        help="A group: id or slug.",
        show_default=False,
        metavar="GROUP",
        autocompletion=complete_group,
    ),
]
SessionRef = Annotated[
    str,
    typer.Argument(
        help="A session (meeting) id.",
        show_default=False,
        metavar="SESSION",
        autocompletion=complete_session,
    ),
]
EventRef = Annotated[
    str,
    typer.Argument(
        help="An event id (see event list).", metavar="EVENT", autocompletion=complete_event
    ),
]


def member_option(name: str, text: str, **more: Any) -> Any:
    """An option naming a member (REF), completed with the community's members."""
    return typer.Option(
        name, help=text, show_default=False, metavar="REF", autocompletion=complete_member, **more
    )


def group_option(text: str) -> Any:
    """--group GROUP, completed with the community's group slugs."""
    return typer.Option(
        "--group", help=text, show_default=False, metavar="GROUP", autocompletion=complete_group
    )


def session_option(text: str) -> Any:
    """--session SESSION, completed with the community's meetings."""
    return typer.Option(
        "--session",
        help=text,
        show_default=False,
        metavar="SESSION",
        autocompletion=complete_session,
    )


def date_option(name: str, text: str) -> Any:
    """An option taking a date (YYYY-MM-DD)."""
    return typer.Option(
        name, help=text, show_default=False, metavar="DATE", autocompletion=complete_date
    )


WideOpt = Annotated[
    bool,
    typer.Option(
        "--wide",
        help="Show every column of the table at full width (by default, on a terminal, the "
        "least important columns are left out when they do not fit).",
    ),
]


# mentor match and group form: pairs that don't repeat (services/members/pairing.py)
WindowOpt = Annotated[
    str | None,
    typer.Option(
        "--window",
        help="Days before two members who were together are put together again: 90, 90d or "
        "12w; 0 lets any pair repeat (default: pair_window_days in config.toml, else 90).",
        show_default=False,
        metavar="DAYS",
    ),
]
MustPairOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--must-pair",
        help="Put these two members together in this run: A,B (id, e-mail or name; repeatable).",
        show_default=False,
        metavar="A,B",
    ),
]
NeverPairOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--never-pair",
        help="Never put these two members together in this run: A,B (repeatable).",
        show_default=False,
        metavar="A,B",
    ),
]
RememberOpt = Annotated[
    bool,
    typer.Option(
        "--remember",
        help="Save this run's --must-pair and --never-pair: they then hold in every run of "
        "mentor match and group form.",
    ),
]
ForgetPairOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--forget-pair",
        help="Delete the saved rule about these two members: A,B (repeatable).",
        show_default=False,
        metavar="A,B",
    ),
]
ConfirmOpt = Annotated[
    list[str] | None,
    member_option("--confirm", "Include this benched member after all (repeatable)."),
]
