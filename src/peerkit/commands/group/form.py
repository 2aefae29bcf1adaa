"""peerkit group form / group slots: proposing groups and finding their common times."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer

from peerkit.commands._options import (
    ConfirmOpt,
    DryRunOpt,
    ForgetPairOpt,
    FormatOpt,
    GroupRef,
    MustPairOpt,
    NeverPairOpt,
    RememberOpt,
    WideOpt,
    WindowOpt,
    complete_timezone,
    date_option,
    words,
)
from peerkit.context import app_context, community_defaults
from peerkit.defaults import FORMATION
from peerkit.enums import GroupKind, values
from peerkit.errors import catch_errors
from peerkit.output import Column, Format, emit, message, to_json
from peerkit.text import examples

FORM_COLUMNS = (
    Column("n"),
    Column("size", priority=3),
    Column("slot", wrap=True, min_width=11),
    Column("score", priority=2),
    Column("members"),
    Column("reasons", wrap=True, min_width=20),
)
CSV_COLUMNS = ("n", "size", "day", "time", "timezone", "score", "members", "reasons", "group")
LIST_SET_ASIDE = 10  # more members set aside than this: one line a reason, not one a member
SHOWN_IDS = 5  # ids named on a line of members set aside
FORMATION_TIME_LIMIT = 5.0  # seconds: --time-limit (services.formation.DEFAULT_TIME_LIMIT)
SLOT_COLUMNS = (
    Column("day"),
    Column("date", priority=2),
    Column("start"),
    Column("end"),
    Column("minutes", priority=4),
    Column("available", wrap=True),
    Column("missing", priority=2, wrap=True),
    Column("at", priority=3),
    Column("hard_for", header="hard for", priority=1, wrap=True),
)
SLOT_CSV_COLUMNS = (
    "day",
    "date",
    "start",
    "end",
    "minutes",
    "timezone",
    "everyone",
    "available",
    "missing",
)


def form_command(
    ctx: typer.Context,
    size: Annotated[
        str,
        typer.Option(
            "--size", help="Members per group, MIN-MAX.", show_default=True, metavar="MIN-MAX"
        ),
    ] = FORMATION.size,
    source: Annotated[
        str,
        typer.Option(
            "--from",
            help="unassigned: active members in no active group of the kind; "
            "active: every active member.",
            show_default=True,
            metavar="unassigned|active",
            autocompletion=words("unassigned", "active"),
        ),
    ] = "unassigned",
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="The kind of group to form.",
            show_default=True,
            metavar="KIND",
            autocompletion=words(*values(GroupKind)),
        ),
    ] = FORMATION.kind.value,
    duration: Annotated[
        int,
        typer.Option(
            "--duration",
            help="Minutes every group needs in common.",
            show_default=True,
            metavar="MINUTES",
        ),
    ] = FORMATION.duration,
    separate: Annotated[
        str | None,
        typer.Option(
            "--separate",
            help="'industry': never two members of one industry in a group.",
            show_default=False,
            metavar="industry",
            autocompletion=words("industry"),
        ),
    ] = None,
    apply: Annotated[
        bool, typer.Option("--apply", help="Create the proposed groups (one transaction).")
    ] = False,
    seed: Annotated[
        int, typer.Option("--seed", help="Same seed, same data: same groups.", show_default=True)
    ] = 0,
    window: WindowOpt = None,
    must_pair: MustPairOpt = None,
    never_pair: NeverPairOpt = None,
    remember: RememberOpt = False,
    forget_pair: ForgetPairOpt = None,
    confirm: ConfirmOpt = None,
    time_limit: Annotated[
        float,
        typer.Option(
            "--time-limit",
            help="Seconds for the exact step that places members the search left out (0: none).",
            show_default=True,
            metavar="SECONDS",
        ),
    ] = FORMATION_TIME_LIMIT,
    dry_run: DryRunOpt = False,
    fmt: FormatOpt = Format.table,
    wide: WideOpt = False,
) -> None:
    """Propose groups from the member pool; --apply creates them.

    Every group has a weekly window of --duration minutes that all its members declared
    free (their own zones, this coming week); see docs/forming-groups.md for the score.
    Members who cannot be placed (paused, left, no window) are set aside with their reason.
    When the search leaves others out, an exact step places everyone it can within
    --time-limit and says whether the result is proven. Two members who shared a group
    within --window days are kept apart whenever the same people can be placed otherwise;
    never-pairs are kept apart, must-pairs put together. A member absent from their last 2
    meetings is benched unless --confirm names them. With --apply --dry-run (or --remember
    --dry-run), writes nothing.
    """
    from peerkit.services.common import community
    from peerkit.services.formation import proposals
    from peerkit.services.members import pairing

    app_ctx = app_context(ctx)
    low, high = proposals.parse_size(size)
    opts = proposals.check_options(
        proposals.FormOptions(low, high, source, kind, duration, separate, seed)
    )
    pair_opts = pairing.options(
        window, must_pair, never_pair, forget_pair, remember, confirm, app_ctx.settings.config
    )
    proposals.check_time_limit(time_limit)
    db = app_ctx.db()
    if apply or pair_opts.writes:
        db.refuse_if_read_only()
    # The search reads (it may take long, holding no write lock); --apply (and saving the pair
    # rules) then writes in a transaction of its own, refused when a member or group it read
    # changed meanwhile.
    with db.read() as session:
        row = community.get(session)
        zone = row.timezone if row else community_defaults(app_ctx.settings).timezone or "UTC"
        pairs = pairing.resolve(session, pair_opts, app_ctx.today(), "group form")
        proposal, read = proposals.propose_read(
            session, opts, app_ctx.today(), zone, pairs, time_limit
        )
        names = proposals.names(session, _named(proposal)) if fmt is Format.table else {}
    if apply or pair_opts.writes:
        with db.dry_run() if dry_run else db.write() as session:
            if pair_opts.writes:
                pairing.save(session, pairs)
            if apply:
                proposals.apply(session, proposal, opts, app_ctx.today(), zone, read)
    _show_proposal(proposal, names, fmt, wide)
    if pair_opts.writes:
        done = "Would save" if dry_run else "Saved"
        message(f"{done} the pair rules ({len(pair_opts.must) + len(pair_opts.never)} given, "
                f"{len(pair_opts.forget)} forgotten).")  # fmt: skip
    if apply:
        made = ", ".join(g["group"] for g in proposal["groups"]) or "none"
        done = "Would create" if dry_run else "Created"
        message(f"{done} {len(proposal['groups'])} group(s): {made}.")


def _named(proposal: dict[str, Any]) -> list[int]:
    """The members a table names: those placed, those the search left out or benched, and
    those of the pair rules."""
    ids = [m for g in proposal["groups"] for m in g["members"]]
    aside = [u for u in proposal["unassigned"] if u["set_aside"]]
    shown = proposal["unassigned"] if len(aside) <= LIST_SET_ASIDE else []
    ids += [u["member"] for u in proposal["unassigned"] if not u["set_aside"] or shown]
    ids += [u["member"] for u in proposal["benched"]]
    ids += [i for r in proposal["rules"] for i in r["members"]]
    return ids


def _show_proposal(
    proposal: dict[str, Any], names: dict[int, str], fmt: Format, wide: bool
) -> None:
    if fmt is Format.json:
        print(to_json(proposal))
        return
    if fmt is Format.csv:
        emit(_csv_rows(proposal), fmt, CSV_COLUMNS, csv_columns=CSV_COLUMNS)
        return
    rows = _table_rows(proposal, names)
    emit(rows, fmt, FORM_COLUMNS, empty="No group could be formed.", wide=wide)
    aside = [u for u in proposal["unassigned"] if u["set_aside"]]
    for left in proposal["unassigned"]:
        if len(aside) <= LIST_SET_ASIDE or not left["set_aside"]:
            message(f"Not placed: {names[left['member']]} (#{left['member']}): {left['reason']}.")
    if len(aside) > LIST_SET_ASIDE:
        _summarise(aside)
    from peerkit.services.members import pairing

    for line in pairing.said(proposal, names):
        message(line)
    message(
        f"Score {proposal['score']:.3f} (0-1: placed members, weighted by their group's "
        f"score); week of {proposal['reference_week']}."
    )
    if proposal["proven"] and any(not u["set_aside"] for u in proposal["unassigned"]):
        message("No grouping that keeps the rules places more members (proven).")
    elif not proposal["proven"]:
        message(f"Not proven that no grouping places more members: {_unproven(proposal)}.")


def _unproven(proposal: dict[str, Any]) -> str:
    exact = proposal["exact"]
    if exact is None:
        return "no exact step (--time-limit 0)"
    if exact["status"] == "time limit":
        return "the exact step ran out of time; try a longer --time-limit"
    return f"the exact step could look at only {exact['members']:,} members around them"


def _summarise(aside: list[dict[str, Any]]) -> None:
    """Many members set aside: one line a reason, with the first few ids."""
    by_reason: dict[str, list[int]] = {}
    for u in aside:
        by_reason.setdefault(_kind(u["reason"]), []).append(u["member"])
    for reason, ids in sorted(by_reason.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        shown = ", ".join(f"#{i}" for i in ids[:SHOWN_IDS])
        more = f" and {len(ids) - SHOWN_IDS:,} more" if len(ids) > SHOWN_IDS else ""
        message(f"Set aside: {len(ids):,} member(s), {reason}: {shown}{more}.")


def _kind(reason: str) -> str:
    """A set-aside reason without its member's own details (dates, ids)."""
    for start in ("left the community", "paused"):
        if reason.startswith(start):
            return start
    return reason


def _csv_rows(proposal: dict[str, Any]) -> list[dict[str, Any]]:
    """One row a group, the slot in its own columns, member ids space-separated."""
    return [
        {
            "n": n,
            "size": len(g["members"]),
            **{k: g["slot"][k] for k in ("day", "time", "timezone")},
            "score": g["score"],
            "members": " ".join(str(m) for m in g["members"]),
            "reasons": "; ".join(g["reasons"]),
            "group": g.get("group"),
        }
        for n, g in enumerate(proposal["groups"], 1)
    ]


def _table_rows(proposal: dict[str, Any], names: dict[int, str]) -> list[dict[str, Any]]:
    """One row a group, members by name and reasons one a line."""
    return [
        {
            "n": n,
            "size": len(g["members"]),
            "slot": f"{g['slot']['day']} {g['slot']['time']} {g['slot']['timezone']}",
            "score": g["score"],
            "members": "\n".join(names[m] for m in g["members"]),
            "reasons": "\n".join(g["reasons"]),
            "group": g.get("group"),
        }
        for n, g in enumerate(proposal["groups"], 1)
    ]


def slots_command(
    ctx: typer.Context,
    group: GroupRef,
    start: Annotated[
        str | None, date_option("--from", "First day to look at (default today).")
    ] = None,
    weeks: Annotated[
        int,
        typer.Option(
            "--weeks", help="Keep only windows that hold in each of N weeks.", show_default=True
        ),
    ] = 1,
    zone: Annotated[
        str | None,
        typer.Option(
            "--timezone",
            help="Show the windows and the chart in this IANA zone (yours) instead of the group's.",
            show_default=False,
            metavar="TZ",
            autocompletion=complete_timezone,
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    wide: WideOpt = False,
) -> None:
    """Weekly windows when all the group's members (or all but one) are free, and a chart.

    Shown in the group's time zone (or --timezone's) for the seven days from --from; each
    member's own windows are converted on the real dates, so daylight-saving changes are taken
    into account. Under the table, a chart of each day: a row per member, a cell per half hour
    (per hour on a narrow terminal), the times everyone or all but one can make highlighted.
    """
    from peerkit.services.common import community, validate
    from peerkit.services.formation import costs, slots
    from peerkit.services.groups import roster

    app_ctx = app_context(ctx)
    first = validate.iso_date(start, "--from") if start is not None else app_ctx.today()
    with app_ctx.db().read() as session:
        week = slots.gather(session, roster.resolve(session, group), first, weeks, zone)
        done = costs.costed(week, slots.windows(week), week.group.duration)
        found, turn = done.windows, costs.rotation(done.tried)
        hint = week.zone == week.group.timezone
        names = {m.id: m.name for m in week.members}
        hard = [costs.hard_for(week, p, names) for p in done.chosen]
        row = community.get(session)
        title = f"{week.group.slug}: common times ({week.zone})"
    if fmt is not Format.table:
        emit(found, fmt, SLOT_COLUMNS, csv_columns=SLOT_CSV_COLUMNS)
        _propose(turn, week.group.slug if hint else None)
        return
    shown = [
        {
            **w,
            "available": "everyone" if w["everyone"] else [names[i] for i in w["available"]],
            "missing": [names[i] for i in w["missing"]],
            "hard_for": why,
        }
        for w, why in zip(found, hard, strict=True)
    ]
    empty = "No window where all or all but one are free."
    emit(shown, fmt, SLOT_COLUMNS, title=title, empty=empty, wide=wide)
    _propose(turn, week.group.slug if hint else None)
    _chart(week, [names[m.id] for m in week.members], row.locale if row else "en", app_ctx.today())


def _propose(turn: Any, slug: str | None) -> None:
    """The rotation that shares the early and late meetings, when every slot is hard."""
    if turn is None:
        return
    message(f"Every slot is hard for someone; {turn.sentence()}.")
    if slug is not None:
        message(f'  peerkit group edit {slug} --rotate-slots "{turn.typed}"')


EVERYONE, ALL_BUT_ONE = "everyone", "all but one"
NAMES_AT_LEAST = 12  # characters of a name kept before the chart takes an hour a cell
EDGES = 4  # the chart's padding: a space either side of each of its two columns
COMMON_STYLES = {EVERYONE: "bold green", ALL_BUT_ONE: "yellow"}
LEGEND = "{free} free  {part} partly  {busy} busy   green: everyone   yellow: all but one"


def _chart(week: Any, people: list[str], locale: str, today: date) -> None:
    """Each day someone is free: an hour ruler, a bar per member, then the bars of everyone
    and all but one; a member's free cells are coloured where everyone (or all but one) is."""
    from rich.table import Table
    from rich.text import Text

    from peerkit.i18n import short_day
    from peerkit.output import _console
    from peerkit.services.formation import slots

    console = _console()
    days = slots.chart(week)
    if not days:
        message("Nobody in the group has declared any availability.")
        return
    dates = {day.day: short_day(day.day, locale, today) for day in days}
    longest = max(len(label) for label in [*people, *dates.values(), EVERYONE, ALL_BUT_ONE])
    cell = slots.CELL_MINUTES
    if console.width < min(longest, NAMES_AT_LEAST) + 24 * 60 // cell + EDGES:
        cell = 60  # a narrow terminal: an hour a cell, 24 of them
    cells = 24 * 60 // cell
    names = max(NAMES_AT_LEAST, min(longest, console.width - cells - EDGES))
    days = slots.chart(week, cell) if cell != slots.CELL_MINUTES else days
    per_hour = 60 // cell
    ruler = "".join(f"{hour:<{3 * per_hour}}" for hour in range(0, 24, 3))
    table = Table(
        title=f"The week in {week.zone}; one cell = {cell} min",
        title_justify="left",
        box=None,
        show_header=False,
    )
    table.add_column("who", no_wrap=True, overflow="ellipsis", max_width=names)
    table.add_column("hours", no_wrap=True, min_width=cells)
    for n, day in enumerate(days):
        if n:
            table.add_row("", "")
        table.add_row(Text(dates[day.day], style="bold"), Text(ruler, "dim"))
        for who, bar in zip(people, day.members, strict=True):
            table.add_row(_name(who), _bar(bar, day))
        for label, bar in ((EVERYONE, day.everyone), (ALL_BUT_ONE, day.all_but_one)):
            table.add_row(Text(label, "italic"), _common(bar, COMMON_STYLES[label]))
    console.print(table)
    console.print(LEGEND.format(free=slots.FREE, part=slots.PART, busy=slots.BUSY), style="dim")


def _name(who: str) -> Any:
    from peerkit.output import _text

    return _text(who)


def _bar(bar: str, day: Any) -> Any:
    """A member's bar: cells not free dim, free cells green where everyone is free too and
    yellow where all but one are."""

    from peerkit.services.formation import slots

    styles = []
    for mine, everyone, most in zip(bar, day.everyone, day.all_but_one, strict=True):
        if mine == slots.BUSY:
            styles.append("dim")
        elif everyone != slots.BUSY:
            styles.append(COMMON_STYLES[EVERYONE])
        elif most != slots.BUSY:
            styles.append(COMMON_STYLES[ALL_BUT_ONE])
        else:
            styles.append("")
    return _runs(bar, styles)


def _common(bar: str, style: str) -> Any:
    from peerkit.services.formation import slots

    return _runs(bar, ["dim" if cell == slots.BUSY else style for cell in bar])


def _runs(bar: str, styles: list[str]) -> Any:
    """BAR as Rich text, each run of cells of one style in that style."""
    from itertools import groupby

    from rich.text import Text

    text = Text()
    at = 0
    for style, run in groupby(styles):
        n = len(list(run))
        text.append(bar[at : at + n], style)
        at += n
    return text


FORM_EXAMPLES = examples(
    "peerkit group form --from active",
    "peerkit group form --from active --size 4-6 --separate industry",
    "peerkit group form --from active --window 12w --never-pair 1,2",
)
SLOTS_EXAMPLES = examples(
    "peerkit group slots founders-across-time-zones",
    "peerkit group slots founders-across-time-zones --timezone America/New_York",
    "peerkit group slots mastermind-del-martedi --weeks 4 --format json",
)


def register(app: typer.Typer) -> None:
    app.command("form", epilog=FORM_EXAMPLES)(catch_errors(form_command))
    app.command("slots", epilog=SLOTS_EXAMPLES)(catch_errors(slots_command))
