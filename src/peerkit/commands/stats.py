"""peerkit stats: how groups meet, who is drifting away, and the balance of give and take."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from peerkit.commands._options import WideOpt, date_option, group_option
from peerkit.context import app_context, many_rows
from peerkit.enums import AttendanceStatus
from peerkit.errors import catch_errors
from peerkit.output import Column, Format, message, to_json
from peerkit.text import examples

GROUP_COLUMNS = (
    Column("group"),
    Column("sessions", priority=3, right=True),
    Column("attendance"),
    Column("hot_seats", priority=2, right=True),
    Column("commitments_done", priority=4, right=True),
    Column("commitments_open", priority=2, right=True),
    Column("commitments_kept", priority=3, right=True),
)
CSV_COLUMNS = ("member", "name", "attended", "missed", "no_shows", "hot_seats",
               "commitments_done", "commitments_open", "mentoring_given", "mentoring_received",
               "facilitated", "gives", "receives", "at_risk", "outside_hours")  # fmt: skip
MEMBER_COLUMNS = (
    Column("member", priority=5),
    Column("name"),
    Column("attendance"),
    Column("attended", priority=4, right=True),
    Column("missed", priority=2, right=True),
    Column("no_shows", priority=3, right=True),
    Column("hot_seats", priority=2, right=True),
    Column("commitments_done", priority=4, right=True, header="c. done"),
    Column("commitments_open", priority=2, right=True, header="c. open"),
    Column("mentoring_given", priority=3, right=True),
    Column("mentoring_received", priority=3, right=True),
    Column("outside_hours", priority=4, right=True, header="outside 08\u201321"),
    Column("at_risk"),
)
COUNTS = ("attended", "missed", "no_shows", "hot_seats", "commitments_done", "commitments_open",
          "mentoring_given", "mentoring_received", "outside_hours")  # fmt: skip


STATS_EXAMPLES = examples(
    "peerkit stats",
    "peerkit stats --group mastermind-del-martedi --since 2026-11-01",
    "peerkit stats --format json",
)


@catch_errors
def stats(
    ctx: typer.Context,
    group: Annotated[str | None, group_option("One group (id or slug).")] = None,
    since: Annotated[
        str | None, date_option("--since", "Only meetings from DATE (YYYY-MM-DD).")
    ] = None,
    fmt: Annotated[
        Format,
        typer.Option("--format", "-f", help="Output format.", case_sensitive=False),
    ] = Format.table,
    wide: WideOpt = False,
) -> None:
    """Community health: attendance, hot seats, commitments and mentoring per group and member.

    A member is at risk when they missed 2 or more of their group's last 4 held meetings; no
    shows are meetings they said they would come to (their reply) and missed.
    Members who only receive (hot seats, mentoring) and those who only give (mentoring,
    facilitating) are listed at the end.
    """
    from peerkit.services.common import validate
    from peerkit.services.groups import roster
    from peerkit.services.reports import stats as stats_svc

    app_ctx = app_context(ctx)
    first = validate.iso_date(since, "--since") if since is not None else None
    # One snapshot, read on two connections: the counting beside the marks (connections.beside).
    with app_ctx.db().read(snapshot=True) as session, many_rows():  # a row per meeting, member
        chosen = roster.resolve(session, group) if group is not None else None
        found = stats_svc.compute(session, chosen, first, app_ctx.today())
        if fmt is Format.table:  # the chart: each group's last meetings, who came to each
            from peerkit.services.common import community
            from peerkit.services.reports import timeline

            over_time = timeline.attendance(session, chosen, first, app_ctx.today())
            row = community.get(session)
            locale = row.locale if row else "en"
    if fmt is Format.json:
        print(to_json(found))
    elif fmt is Format.csv:
        from peerkit.output import emit

        rows = [
            {k: (str(v).lower() if isinstance(v, bool) else v) for k, v in m.items()}
            for m in found["members"]
        ]
        emit(rows, fmt, MEMBER_COLUMNS, csv_columns=CSV_COLUMNS)
    else:
        _tables(found, over_time, locale, wide)


def _tables(found: dict[str, Any], over_time: list[Any], locale: str, wide: bool) -> None:
    from peerkit.output import show_table

    groups = [
        {
            "group": g["group"],
            "sessions": str(g["sessions"]),
            "attendance": f"{_spark(g['attendance_trend'])} {_pct(g['attendance_rate'])}",
            "hot_seats": str(g["hot_seats"]),
            "commitments_done": str(g["commitments_done"]),
            "commitments_open": str(g["commitments_open"]),
            "commitments_kept": _pct(g["commitments_kept"]),
        }
        for g in found["groups"]
    ]
    # Cells too long for a narrow pipe end in an ellipsis, as they always have.
    show_table(groups, GROUP_COLUMNS, title="Groups", wide=wide, overflow="ellipsis")
    _over_time(over_time, locale)
    people = [
        {
            "member": str(m["member"]),
            "name": m["name"],
            "attendance": "".join(
                "●" if s == AttendanceStatus.PRESENT else "○" for s in m["attendance"][-12:]
            ),
            **{k: str(m[k]) for k in COUNTS},
            "at_risk": "AT RISK" if m["at_risk"] else "",
        }
        for m in found["members"]
    ]
    title = "Members (● present, ○ absent, oldest first)"
    show_table(people, MEMBER_COLUMNS, title=title, wide=wide, overflow="ellipsis")
    names = {m["member"]: m["name"] for m in found["members"]}
    balance = found["give_and_take"]
    if balance["only_receive"]:
        message("Only receive: " + ", ".join(names[i] for i in balance["only_receive"]) + ".")
    if balance["only_give"]:
        message("Only give: " + ", ".join(names[i] for i in balance["only_give"]) + ".")


NAMES_UP_TO = 30  # characters of a group's or member's name in the chart
MARKS = {AttendanceStatus.PRESENT: ("●", "green"), AttendanceStatus.ABSENT: ("○", "red")}
NO_MARK = ("·", "dim")


def _over_time(over_time: list[Any], locale: str) -> None:
    """Attendance over time: for each group that has held meetings, a bar per meeting (its
    share present) and a row per member, a mark per meeting, aligned under the bars."""
    from rich.table import Table
    from rich.text import Text

    from peerkit.output import _console, _text
    from peerkit.services.reports.timeline import LAST

    shown = [t for t in over_time if t.meetings]
    if not shown:
        return
    table = Table(box=None, show_header=False)
    table.add_column("who", no_wrap=True, overflow="ellipsis", max_width=NAMES_UP_TO)
    table.add_column("meetings", no_wrap=True, min_width=max(len(t.meetings) for t in shown))
    table.add_column("summary", no_wrap=True)
    for n, line in enumerate(shown):
        if n:
            table.add_row("", "", "")
        spark = Text(_spark([m.rate for m in line.meetings]), "cyan")
        summary = f"{_pct(line.rate)}  {_span(line.meetings, locale)}"
        table.add_row(Text(_text(line.group.name).plain, "bold"), spark, summary)
        for member in line.lines:
            name = _text("  " + member.name)
            if not member.current:
                name.stylize("dim")
            marks = Text()
            for mark in member.marks:
                marks.append(*(NO_MARK if mark is None else MARKS[mark]))
            summary = f"{member.attended}/{member.marked}" if member.marked else ""
            table.add_row(name, marks, summary)
    console = _console()
    console.print(f"Attendance over time: each group's last {LAST} held meetings, oldest first")
    console.print(table)
    console.print(
        "▁…█ share present   ● present  ○ absent  · no mark   n/m: present n of m marked",
        style="dim",
    )


def _span(meetings: list[Any], locale: str) -> str:
    """The dates of the first and last meeting drawn: '24 Nov - 1 Dec' (one: '1 Dec')."""
    from peerkit.i18n import format_day_month

    first, last = meetings[0].day, meetings[-1].day
    if first == last:
        return format_day_month(first, locale)
    years = first.year != last.year
    ends = [format_day_month(d, locale) + (f" {d.year}" if years else "")
            for d in (first, last)]  # fmt: skip
    return " - ".join(ends)


def _spark(values: list[float | None]) -> str:
    bars = "▁▂▃▄▅▆▇█"
    return "".join(" " if v is None else bars[min(7, int(v * 7.999))] for v in values[-12:])


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"
