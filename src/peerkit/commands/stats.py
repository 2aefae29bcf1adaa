"""peerkit stats: how groups meet, who is drifting away, and the balance of give and take."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from peerkit.commands._options import WideOpt
from peerkit.context import app_context
from peerkit.enums import AttendanceStatus
from peerkit.errors import catch_errors
from peerkit.output import Column, Format, message, to_json

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
               "facilitated", "gives", "receives", "at_risk")  # fmt: skip
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
    Column("at_risk"),
)
COUNTS = ("attended", "missed", "no_shows", "hot_seats", "commitments_done", "commitments_open",
          "mentoring_given", "mentoring_received")  # fmt: skip


@catch_errors
def stats(
    ctx: typer.Context,
    group: Annotated[
        str | None, typer.Option("--group", help="One group (id or slug).", show_default=False)
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only meetings from DATE (YYYY-MM-DD).", show_default=False),
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
    with app_ctx.db().read() as session:
        chosen = roster.resolve(session, group) if group is not None else None
        found = stats_svc.compute(session, chosen, first, app_ctx.today())
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
        _tables(found, wide)


def _tables(found: dict[str, Any], wide: bool) -> None:
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


def _spark(values: list[float | None]) -> str:
    bars = "▁▂▃▄▅▆▇█"
    return "".join(" " if v is None else bars[min(7, int(v * 7.999))] for v in values[-12:])


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"
