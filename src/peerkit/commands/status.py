"""peerkit status: the organiser's week on one screen (docs/status.md)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from peerkit.commands._options import EMPTY_FOLDER, TimezoneOpt, complete_week
from peerkit.context import app_context
from peerkit.errors import catch_errors
from peerkit.output import to_json
from peerkit.text import examples

STATUS_EXAMPLES = examples(
    "peerkit status",
    "peerkit status --week 2026-W50 --timezone America/New_York",
    "peerkit status --format json",
)


class PageFormat(StrEnum):
    """A page, not a list: no CSV."""

    table = "table"
    json = "json"


ANSWER_LABELS = (("coming", "coming"), ("maybe", "maybe"), ("not_coming", "not coming"),
                 ("no_answer", "no answer"))  # fmt: skip
SEND_HINT = {
    "invitation": "peerkit plan week --send",
    "cancellation": "peerkit invite SESSION --method cancel --send",
    "reminder": "peerkit remind --send",
}


@catch_errors
def status(
    ctx: typer.Context,
    week: Annotated[
        str | None,
        typer.Option(
            "--week",
            help="ISO week, e.g. 2026-W50 (default: this week).",
            show_default=False,
            metavar="WEEK",
            autocompletion=complete_week,
        ),
    ] = None,
    timezone: TimezoneOpt = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="The outbox plan week writes to (default: outbox/ beside the database).",
            show_default=False,
            file_okay=False,
            **EMPTY_FOLDER,
        ),
    ] = None,
    fmt: Annotated[
        PageFormat,
        typer.Option("--format", "-f", help="Output format.", case_sensitive=False),
    ] = PageFormat.table,
) -> None:
    """The organiser's week: meetings, answers, unsent messages, commitments due,
    waitlists, members at risk and why, quiet mentorships.

    Times are on the community's clock (or --timezone's), in its language.
    """
    from peerkit.context import community_defaults
    from peerkit.services.common import community, schedule, validate
    from peerkit.services.outbox import delivery
    from peerkit.services.reports import status as svc

    app_ctx = app_context(ctx)
    if week is not None:
        week = schedule.week_label(schedule.iso_week(week)[0])
    viewer = validate.timezone(timezone) if timezone else None
    outbox = delivery.Place(out, app_ctx.settings.outbox_dir).folder()
    when = svc.When(app_ctx.today(), app_ctx.now(), week)
    with app_ctx.db().read() as session:
        page = svc.report(session, when, outbox)
        clock = community.clock(session, when.today, viewer, community_defaults(app_ctx.settings))
    if fmt is PageFormat.json:
        print(to_json(page))
    else:
        _Page(page, clock).show()


class _Page:
    """The page for people: one section after the other, each fitting 80 columns."""

    def __init__(self, page: dict[str, Any], clock: Any) -> None:
        from peerkit.output import _console

        self.page = page
        self.clock = clock
        self.console = _console()

    def show(self) -> None:
        page = self.page
        name = f"{page['community']}: " if page["community"] else ""
        self.title(f"{name}week {page['week']}, {self.clock.day(page['today'], words=False)}")
        self.meetings()
        self.commitments()
        self.waitlists()
        self.at_risk()
        self.quiet()

    # --- pieces ---------------------------------------------------------------------------

    def title(self, text: str) -> None:
        from peerkit.output import _text

        self.console.print(_text(text), style="bold")

    def section(self, text: str, empty: str | None = None) -> None:
        from peerkit.output import _text

        self.console.print()
        line = _text(text)
        line.stylize("bold")
        if empty is not None:
            line.append(f": {empty}")
        self.console.print(line)

    def grid(self, rows: list[tuple[str, Any]]) -> None:
        """Labelled lines under an item, the values wrapped at word boundaries."""
        from rich.table import Table

        from peerkit.output import _text

        table = Table.grid(padding=(0, 2), pad_edge=True)
        table.add_column(style="dim", no_wrap=True)
        table.add_column(overflow="fold")
        for label, value in rows:
            table.add_row(label, _text(value))
        self.console.print(table)

    def table(self, columns: list[str], rows: list[list[Any]]) -> None:
        from rich import box
        from rich.table import Table

        from peerkit.output import _text

        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=True)
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*(_text(cell) for cell in row))
        self.console.print(table)

    @staticmethod
    def names(people: list[dict[str, Any] | None]) -> str:
        return ", ".join(_name(p) for p in people if p is not None)

    # --- sections ---------------------------------------------------------------------------

    def meetings(self) -> None:
        found = self.page["meetings"]
        if not found:
            self.section("Meetings", "none this week.")
            return
        self.section("Meetings")
        unsent = self.page["unsent"]
        for meeting in found:
            self.console.print()
            head = f"{self.clock.when(meeting['start'])}  {meeting['group_name']}"
            tail = f"  (session {meeting['session']}"
            tail += f", {meeting['status']})" if meeting["status"] != "planned" else ")"
            self.title(head + tail)
            rows: list[tuple[str, Any]] = []
            if meeting["hot_seat"]:
                rows.append(("hot seat", self.names(meeting["hot_seat"])))
            elif meeting["status"] == "planned":
                rows.append(("hot seat", "not chosen yet: peerkit plan week"))
            if meeting["facilitator"]:
                rows.append(("facilitator", _name(meeting["facilitator"])))
            if meeting["status"] != "cancelled":
                for key, label in ANSWER_LABELS:
                    if meeting["answers"][key]:
                        rows.append((label, self.names(meeting["answers"][key])))
            mine = [u for u in unsent if u["session"] == meeting["session"]]
            rows += self.not_sent(meeting, mine)
            self.grid(rows)

    def not_sent(self, meeting: dict[str, Any], unsent: list[dict[str, Any]]) -> list[Any]:
        rows = []
        if meeting["changed_since_written"]:
            rows.append(("to write", "changed since its invitations: peerkit plan week"))
        for kind, hint in SEND_HINT.items():
            mine = [u for u in unsent if u["kind"] == kind]
            if mine:
                rows.append(("not sent", f"{len(mine)} {kind}(s) written, not sent: {hint}"))
        return rows

    def commitments(self) -> None:
        found = self.page["commitments"]
        if not found:
            self.section("Commitments due this week", "none.")
            return
        self.section("Commitments due this week")
        self.table(
            ["due", "who", "commitment", "id"],
            [[self.clock.relative(_date(c["due"])), _name(c["member"]), c["text"], c["id"]]
             for c in found],
        )  # fmt: skip

    def waitlists(self) -> None:
        found = self.page["waitlists"]
        if not found:
            self.section("Waitlists", "nobody waiting.")
            return
        self.section("Waitlists")
        for event in found:
            self.console.print()
            seats = f"{event['going']}/{event['capacity']}" if event["capacity"] else event["going"]
            when = self.clock.when(event["start"])
            self.title(f"{when}  {event['title']}  (event {event['event']})")
            rows: list[tuple[str, Any]] = [("going", f"{seats}")]
            if event["offered"]:
                offers = [f"{_name(p)} (until {self.clock.when(p['until'])})" if p["until"]
                          else _name(p) for p in event["offered"]]  # fmt: skip
                rows.append(("offered", ", ".join(offers)))
            if event["waitlist"]:
                rows.append(("waiting", self.names(event["waitlist"])))
            self.grid(rows)

    def at_risk(self) -> None:
        found = self.page["at_risk"]
        if not found:
            self.section("Members at risk", "none.")
            return
        self.section("Members at risk")
        self.table(
            ["member", "why"],
            [[_name(r["member"]),
              f"missed {r['missed']} of the last {r['of']} meetings of {r['group_name']}"]
             for r in found],
        )  # fmt: skip

    def quiet(self) -> None:
        from peerkit.services.reports.status import QUIET_WEEKS

        found = self.page["quiet_mentorships"]
        title = f"Mentorships quiet for {QUIET_WEEKS} weeks or more"
        if not found:
            self.section(title, "none.")
            return
        self.section(title)
        rows = []
        for pair in found:
            if pair["last_checkin"]:
                why = f"last check-in {self.clock.relative(_date(pair['last_checkin']))}"
            else:
                why = f"no check-in since it started {self.clock.relative(_date(pair['started']))}"
            people = f"{_name(pair['mentor'])} → {_name(pair['mentee'])}"
            rows.append([people, why, pair["mentorship"]])
        self.table(["mentor → mentee", "why", "id"], rows)


def _name(person: dict[str, Any]) -> str:
    return str(person["name"] or f"#{person['id']}")


def _date(text: str) -> Any:
    from datetime import date

    return date.fromisoformat(text)
