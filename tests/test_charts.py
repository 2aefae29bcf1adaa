"""Pictures (issue 16, item 6): the week of `group slots`, attendance over time in `stats`.

The charts are drawn for a table only (JSON and CSV are as they were); they are read here as a
person reads them: the cells of each row, at 80 columns and narrower, in both languages, and
with colour where the terminal has it.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli
from tests.test_cli_formation import AddMember, chart_bars, person

NOT_FREE = "·" * 48


@pytest.fixture
def trio(cli: Cli, add_member: AddMember) -> dict[str, int]:
    """Anna in Rome (Tue 18:00-21:00), Cy in New York (Tue 12:00-15:00), Ben in London
    (Tue 19:00-22:00): group "trio", in Europe/Rome."""
    ids = {
        "anna": person(add_member, "Anna", "Europe/Rome", "tue 18:00-21:00"),
        "cy": person(add_member, "Cy", "America/New_York", "tue 12:00-15:00"),
        "ben": person(add_member, "Ben", "Europe/London", "tue 19:00-22:00"),
    }
    cli.ok("group", "create", "Trio", "--timezone", "Europe/Rome",
           *(a for i in ids.values() for a in ("--member", str(i))))  # fmt: skip
    return ids


def _cells(bar: str, start: str, end: str, per_hour: int = 2) -> str:
    """A bar free from START to END (whole cells), busy elsewhere."""
    first = int(start[:2]) * per_hour + int(start[3:]) * per_hour // 60
    last = int(end[:2]) * per_hour + int(end[3:]) * per_hour // 60
    return "·" * first + "█" * (last - first) + "·" * (24 * per_hour - last)


# --- group slots: the week as a chart -------------------------------------------------------------


def test_the_chart_is_in_the_readers_zone_with_timezone(cli: Cli, trio: dict[str, int]) -> None:
    """--timezone: the windows and the chart in the reader's zone; JSON rows say which."""
    rows = json.loads(
        cli.ok("group", "slots", "trio", "--from", "2026-01-12", "--timezone", "Asia/Tokyo",
               "-f", "json").stdout
    )  # fmt: skip
    # Everyone: 20:00-21:00 in Rome on Tuesday is 04:00-05:00 on Wednesday in Tokyo.
    everyone = [(r["date"], r["start"], r["end"], r["timezone"]) for r in rows if r["everyone"]]
    assert everyone == [("2026-01-14", "04:00", "05:00", "Asia/Tokyo")]
    out = cli.ok("group", "slots", "trio", "--from", "2026-01-12", "--timezone",
                 "Asia/Tokyo").stdout  # fmt: skip
    assert "The week in Asia/Tokyo" in out
    assert "Wed 14 Jan" in out
    bars = chart_bars(out)
    assert bars["Anna"][-1] == _cells(NOT_FREE, "02:00", "05:00")  # 18-21 in Rome
    assert bars["everyone"][-1] == _cells(NOT_FREE, "04:00", "05:00")


def test_an_unknown_reader_zone_is_refused(cli: Cli, trio: dict[str, int]) -> None:
    result = cli("group", "slots", "trio", "--timezone", "Mars/Olympus")
    assert result.exit_code == 1
    assert "Mars/Olympus" in result.stderr


def test_without_timezone_the_group_zone_as_before(cli: Cli, trio: dict[str, int]) -> None:
    rows = json.loads(cli.ok("group", "slots", "trio", "--from", "2026-01-12", "-f",
                             "json").stdout)  # fmt: skip
    assert {r["timezone"] for r in rows} == {"Europe/Rome"}
    assert (
        "The week in Europe/Rome; one cell = 30 min"
        in cli.ok("group", "slots", "trio", "--from", "2026-01-12").stdout
    )


def test_at_80_columns_a_cell_is_half_an_hour_and_long_names_end_in_an_ellipsis(
    cli: Cli, trio: dict[str, int], add_member: AddMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    long = "Maria Vittoria Alessandra Bonaventura-Castiglioni"
    cli.ok("group", "add", "trio", str(person(add_member, long, "Europe/Rome",
                                              "tue 20:00-23:00")))  # fmt: skip
    monkeypatch.setenv("COLUMNS", "80")
    out = cli.ok("group", "slots", "trio", "--from", "2026-01-12").stdout
    chart = out[out.index("The week in") :]
    assert max(len(line) for line in chart.splitlines()) <= 80
    bars = chart_bars(chart)
    assert all(len(b) == 48 for day in bars.values() for b in day)
    (label,) = [k for k in bars if k.startswith("Maria")]
    assert label.endswith("…")
    assert len(label) < len(long)


def test_on_a_narrow_terminal_a_cell_is_an_hour(
    cli: Cli, trio: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "50")
    out = cli.ok("group", "slots", "trio", "--from", "2026-01-12").stdout
    chart = out[out.index("The week in") :]
    assert "one cell = 60 min" in " ".join(chart.split())
    rows = {line.split()[0]: line.split()[-1] for line in chart.splitlines()[1:] if line.strip()}
    assert rows["Anna"] == _cells("", "18:00", "21:00", per_hour=1)
    assert rows["Ben"] == _cells("", "20:00", "23:00", per_hour=1)  # 19-22 in London
    assert "0  3  6  9  12 15 18 21" in chart
    assert max(len(line) for line in chart.splitlines()) <= 50


def test_the_days_are_in_the_communitys_language(cli: Cli, trio: dict[str, int]) -> None:
    """Near days in words, the others with their date (and year, far from today)."""
    assert " Tue 1 Dec " in cli.ok("group", "slots", "trio").stdout  # today is Fri 27 Nov
    assert " Tue 13 Jan 2026 " in cli.ok("group", "slots", "trio", "--from", "2026-01-12").stdout
    cli.ok("group", "add", "trio", str(person_today(cli)))
    assert " today " in cli.ok("group", "slots", "trio").stdout
    cli.ok("init", "--community", "Insieme", "--locale", "it")
    assert " oggi " in cli.ok("group", "slots", "trio").stdout
    assert " mar 13 gen 2026 " in cli.ok("group", "slots", "trio", "--from", "2026-01-12").stdout


def person_today(cli: Cli) -> int:
    """Someone free on Fridays (the tests' today is Friday 27 November 2026)."""
    return int(
        cli.ok("member", "add", "Fri Day", "--email", "fri@example.com", "--available",
               "fri 09:00-10:00").stdout
    )  # fmt: skip


def _styled(out: str, label: str) -> list[tuple[str, str]]:
    """The (style codes, text) runs of the chart row of LABEL."""
    (line,) = [ln for ln in out.splitlines() if re.sub(r"\x1b\[[0-9;]*m", "", ln).strip()
               .startswith(label + " ")]  # fmt: skip
    return re.findall(r"\x1b\[([0-9;]*)m([^\x1b]*)", line)


def test_the_common_window_is_highlighted_in_colour(
    cli: Cli, trio: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where everyone is free a member's cells are green, where all but one are yellow."""
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    out = cli.ok("group", "slots", "trio", "--from", "2026-01-12").stdout
    anna = [(codes, text) for codes, text in _styled(out, "Anna") if "█" in text]
    # Anna 18-21: 18:00-20:00 all but Ben (yellow), 20:00-21:00 everyone (bold green).
    assert [(text, "33" in codes.split(";"), "32" in codes.split(";")) for codes, text in anna] == [
        ("████", True, False),
        ("██", False, True),
    ]
    legend = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert "green: everyone   yellow: all but one" in legend
    assert "█ free  ▒ partly  · busy" in legend


# --- attendance over time: the statements against every row, on SQLite and PostgreSQL ------------


def _reference(
    session: Any, group: Any, since: date | None, today: date
) -> list[tuple[int, list[Any], list[Any]]]:
    """timeline.attendance, from every row, in Python: (group id, meetings, lines)."""
    from sqlmodel import select

    from peerkit.enums import AttendanceStatus, MeetingStatus
    from peerkit.models import Attendance, Meeting, Member, Membership
    from peerkit.services.groups import roster
    from peerkit.services.reports.timeline import LAST, Held, Line

    chosen = [group] if group is not None else roster.list_groups(session)
    marks = list(session.exec(select(Attendance)))
    people = {m.id: m for m in session.exec(select(Member))}
    found = []
    for g in chosen:
        meetings = sorted(
            (m for m in session.exec(select(Meeting).where(Meeting.group_id == g.id))
             if m.status == MeetingStatus.DONE and m.slot_date <= today
             and (since is None or m.slot_date >= since)),
            key=lambda m: (m.slot_date, m.id),
        )[-LAST:]  # fmt: skip
        held = [
            Held(
                m.slot_date,
                frozenset(
                    a.member_id
                    for a in marks
                    if a.meeting_id == m.id and a.status == AttendanceStatus.PRESENT
                ),
                frozenset(
                    a.member_id
                    for a in marks
                    if a.meeting_id == m.id and a.status == AttendanceStatus.ABSENT
                ),
            )
            for m in meetings
        ]
        current = sorted(
            (s for s in session.exec(select(Membership).where(Membership.group_id == g.id))
             if s.left_on is None and people[s.member_id].forgotten_at is None),
            key=lambda s: (s.joined, s.id),
        )  # fmt: skip
        ids = [s.member_id for s in current]
        marked = {m for h in held for m in h.present | h.absent}
        gone = sorted(
            (people[m].name, m) for m in marked - set(ids) if people[m].forgotten_at is None
        )

        def marks_of(member: int, held: list[Held] = held) -> tuple[Any, ...]:
            return tuple(
                AttendanceStatus.PRESENT if member in h.present
                else AttendanceStatus.ABSENT if member in h.absent else None
                for h in held
            )  # fmt: skip

        lines = [Line(m, people[m].name, True, marks_of(m)) for m in ids]
        lines += [Line(m, name, False, marks_of(m)) for name, m in gone]
        found.append((g.id, held, lines))
    return found


def _timelines_agree(db: Any, seed: int) -> int:
    import random as rnd

    from sqlmodel import select

    from peerkit.models import Group
    from peerkit.services.reports import timeline
    from tests import random_community

    today = random_community.TODAY
    with db.read() as session:
        ids = list(session.exec(select(Group.id)))
    compared = 0
    for group_id in [None, *ids]:
        for since in [None, *random_community.since_options(rnd.Random(-seed))]:
            with db.read() as session:
                group = None if group_id is None else session.get(Group, group_id)
                got = [
                    (t.group.id, t.meetings, t.lines)
                    for t in timeline.attendance(session, group, since, today)
                ]
                assert got == _reference(session, group, since, today), (seed, group_id, since)
                compared += sum(len(m) for _, m, _ in got)
    return compared


def _random_db(tmp_path: Path, url: str | None, seed: int) -> Any:
    import random as rnd

    from peerkit.config import Settings
    from peerkit.db import open_database
    from tests import random_community

    db = open_database(Settings(db_path=tmp_path / f"timeline-{seed}.db", database_url=url))
    with db.write() as session:
        random_community.build(session, rnd.Random(seed))
    return db


@pytest.mark.parametrize("seed", range(4))
def test_the_timeline_says_what_every_row_says_on_sqlite(tmp_path: Path, seed: int) -> None:
    db = _random_db(tmp_path, None, seed)
    assert _timelines_agree(db, seed) > 0  # meetings were compared
    db.dispose()


@pytest.mark.postgres
def test_the_timeline_says_what_every_row_says_on_postgres(tmp_path: Path, pg_url: str) -> None:
    db = _random_db(tmp_path, pg_url, 1)
    assert _timelines_agree(db, 1) > 0
    db.dispose()
