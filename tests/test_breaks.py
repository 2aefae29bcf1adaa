"""Holidays and breaks through the CLI: `break add/list/remove`, `init --holidays`, `group
edit --on-holiday`, and what `session plan` and `plan week` do on those days (skip, move,
cancel), with the rotation kept fair and the members' own holidays as warnings.

The community is Italian (holidays IT): Ferragosto (15 August), Natale and Santo Stefano
(25 and 26 December), Immacolata (8 December). Today is 2026-11-27 (conftest).
"""

from __future__ import annotations

import email
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from email.policy import default
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, Result, assert_error, assert_usage_error
from tests.servers import smtp_server

ROME = ("Giulia Rossi", "Marco Bianchi", "Chiara Esposito")
DELHI = ("Priya Shah", "Arjun Rao", "Kavya Iyer")


def as_json(result: Result) -> Any:
    return json.loads(result.stdout)


@pytest.fixture
def community(cli: Cli) -> Cli:
    """Freelance Insieme, in Rome, with Italy's public holidays; three members in Rome and
    three in Delhi (India's holidays are theirs)."""
    cli.ok(
        "init", "--community", "Freelance Insieme", "--timezone", "Europe/Rome",
        "--organiser-name", "Paolo Pavan", "--organiser-email", "paolo@example.com",
        "--holidays", "it",
    )  # fmt: skip
    for n, name in enumerate(ROME):
        cli.ok("member", "add", name, "--email", f"rome{n}@example.com", "--timezone",
               "Europe/Rome")  # fmt: skip
    for n, name in enumerate(DELHI):
        cli.ok("member", "add", name, "--email", f"delhi{n}@example.com", "--timezone",
               "Asia/Kolkata")  # fmt: skip
    return cli


def group(cli: Cli, name: str, day: str, start: str, *members: str) -> str:
    chosen = members or ("1", "2", "3", "4", "5", "6")
    refs = [x for m in chosen for x in ("--member", m)]
    cli.ok("group", "create", name, "--day", day, "--time", "18:30", "--timezone",
           "Europe/Rome", "--start", start, *refs)  # fmt: skip
    return name.lower()


def planned(cli: Cli, slug: str, *options: str) -> tuple[list[str], str]:
    """The starts of the meetings `session plan` makes (local, ISO), and what it said."""
    result = cli.ok("session", "plan", slug, "--format", "json", *options)
    return [row["start"][:10] for row in as_json(result)], result.stderr


# --- the breaks themselves ---------------------------------------------------------------


def test_break_add_list_remove(community: Cli) -> None:
    group(community, "Martedi", "tue", "2026-12-01")
    made = community.ok("break", "add", "--from", "2026-12-24", "--to", "2027-01-06",
                        "--reason", "Natale")  # fmt: skip
    assert made.stdout.strip() == "1"
    assert "no meetings from 2026-12-24 to 2027-01-06" in made.stderr
    second = community.ok("break", "add", "--from", "2026-08-10", "--to", "2026-08-21",
                          "--group", "martedi", "--format", "json")  # fmt: skip
    assert as_json(second) == {"id": 2, "from": "2026-08-10", "to": "2026-08-21",
                               "group": "martedi", "reason": None, "days": 12}  # fmt: skip
    rows = as_json(community.ok("break", "list", "--format", "json"))
    assert [(r["id"], r["group"], r["reason"]) for r in rows] == [
        (2, "martedi", None), (1, None, "Natale")
    ]  # fmt: skip
    csv = community.ok("break", "list", "--format", "csv").stdout.splitlines()
    assert csv[0] == "id,from,to,group,reason,days"
    assert csv[2] == "1,2026-12-24,2027-01-06,,Natale,14"
    table = community.ok("break", "list").stdout
    assert "(everyone)" in table
    assert "Natale" in table
    community.ok("break", "remove", "1")
    assert [r["id"] for r in as_json(community.ok("break", "list", "--format", "json"))] == [2]
    assert_error(community("break", "remove", "1"), "no break has id 1")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--from", "2026-12-24", "--to", "2026-12-01"), "is after --to"),
        (("--from", "2026-12-32", "--to", "2027-01-06"), "--from must look like 2026-12-31"),
        (("--from", "2026-12-24", "--to", "6 gennaio"), "--to must look like 2026-12-31"),
        (("--from", "1900-01-01", "--to", "2026-01-06"), "outside the years"),
        (("--from", "2026-12-24", "--to", "2027-01-06", "--group", "nope"), "no group has"),
        (("--from", "2026-12-24", "--to", "2027-01-06", "--reason", "a\x1bb"), "control"),
    ],
)
def test_break_add_refuses_at_the_door(
    community: Cli, args: tuple[str, ...], fragment: str
) -> None:
    assert_error(community("break", "add", *args), fragment)
    assert as_json(community.ok("break", "list", "--format", "json")) == []


def test_break_add_needs_both_dates(community: Cli) -> None:
    assert_usage_error(community("break", "add", "--from", "2026-12-24"), "--to")


@pytest.mark.parametrize(
    ("codes", "fragment"),
    [
        ("XX", "unknown country 'XX'"),
        ("IT,ZZ", "unknown country 'ZZ'"),
        ("GB-XYZ", "its regions are ENG, NIR, SCT, WLS"),
    ],
)
def test_init_refuses_an_unknown_country_or_region(cli: Cli, codes: str, fragment: str) -> None:
    cli.ok("init", "--holidays", "IT")
    assert_error(cli("init", "--holidays", codes), fragment)


def test_init_sets_and_clears_the_holiday_countries(cli: Cli) -> None:
    cli.ok("init")
    assert "Updated holidays." in cli.ok("init", "--holidays", " it , gb-eng ").stderr
    assert "nothing changed" in cli.ok("init", "--holidays", "IT,GB-ENG").stderr
    assert "Updated holidays." in cli.ok("init", "--holidays", "").stderr
    assert "nothing changed" in cli.ok("init", "--holidays", "").stderr


def test_group_edit_on_holiday_is_shown(community: Cli) -> None:
    slug = group(community, "Martedi", "tue", "2026-12-01")
    shown = as_json(community.ok("group", "show", slug, "--format", "json"))
    assert shown["on_holiday"] == "skip"
    community.ok("group", "edit", slug, "--on-holiday", "Next-Day")
    assert as_json(community.ok("group", "show", slug, "-f", "json"))["on_holiday"] == "next-day"
    assert "next-day" in community.ok("group", "show", slug).stdout
    assert_error(community("group", "edit", slug, "--on-holiday", "tomorrow"), "skip, next-day")
    assert_usage_error(community("group", "edit", slug), "--on-holiday")
    assert_error(community("group", "edit", "nope", "--on-holiday", "skip"), "no group has")


# --- planning around them -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("choice", "starts", "said"),
    [
        ("skip", ["2027-08-08", "2027-08-22"], "Sun 15 Aug: Assumption Of Mary Day (IT): skipped"),
        ("next-day", ["2027-08-08", "2027-08-16", "2027-08-22"], "moved to Mon 16 Aug"),
        ("previous-day", ["2027-08-08", "2027-08-14", "2027-08-22"], "moved to Sat 14 Aug"),
    ],
)
def test_ferragosto_with_each_choice(
    community: Cli, choice: str, starts: list[str], said: str
) -> None:
    slug = group(community, "Domenica", "sun", "2027-08-08")
    community.ok("group", "edit", slug, "--on-holiday", choice)
    found, stderr = planned(community, slug, "--from", "2027-08-08", "--count", "3")
    assert found == starts
    assert f"{slug}: " in stderr
    assert said in stderr
    again, _ = planned(community, slug, "--from", "2027-08-08", "--count", "3")
    assert again == starts  # planning again adds nothing, and makes no skipped meeting
    rows = as_json(community.ok("session", "list", "--group", slug, "--format", "json"))
    assert [r["start"][:10] for r in rows] == starts


@pytest.mark.parametrize(
    ("choice", "starts"),
    [
        ("next-day", ["2026-12-18", "2026-12-27", "2027-01-02"]),
        ("previous-day", ["2026-12-18", "2026-12-24", "2026-12-31"]),
        ("skip", ["2026-12-18"]),
    ],
)
def test_natale_moves_on_past_santo_stefano(community: Cli, choice: str, starts: list[str]) -> None:
    """Natale is a Friday in 2026 and Santo Stefano the Saturday: a day on is Sunday. New
    Year's Day (Capodanno) is the next Friday."""
    slug = group(community, "Venerdi", "fri", "2026-12-18")
    community.ok("group", "edit", slug, "--on-holiday", choice)
    found, stderr = planned(community, slug, "--from", "2026-12-18", "--count", "3")
    assert found == starts
    assert "Fri 25 Dec: Christmas Day (IT)" in stderr
    assert "Fri 1 Jan: New Year's Day (IT)" in stderr


def test_a_break_longer_than_a_move_skips_the_meeting(community: Cli) -> None:
    slug = group(community, "Martedi", "tue", "2026-12-01")
    community.ok("group", "edit", slug, "--on-holiday", "next-day")
    community.ok("break", "add", "--from", "2026-12-28", "--to", "2027-01-06", "--reason",
                 "Natale")  # fmt: skip
    found, stderr = planned(community, slug, "--from", "2026-12-22", "--count", "3")
    assert found == ["2026-12-22", "2027-01-07"]
    assert "Tue 29 Dec: break (Natale): skipped" in stderr
    assert "Tue 5 Jan: break (Natale): moved to Thu 7 Jan" in stderr


def test_a_break_of_one_group_leaves_the_others_alone(community: Cli) -> None:
    one = group(community, "Martedi", "tue", "2027-02-02", "1", "2", "3")
    other = group(community, "Ancora", "tue", "2027-02-02", "4", "5", "6")
    community.ok("break", "add", "--from", "2027-02-08", "--to", "2027-02-14", "--group", one)
    assert planned(community, one, "--from", "2027-02-02", "--count", "2")[0] == ["2027-02-02"]
    found = planned(community, other, "--from", "2027-02-02", "--count", "2")[0]
    assert found == ["2027-02-02", "2027-02-09"]


def test_plan_week_says_skipped_and_moved(community: Cli, tmp_path: Path) -> None:
    sunday = group(community, "Domenica", "sun", "2027-08-01", "1", "2", "3")
    monday = group(community, "Spostata", "sun", "2027-08-01", "4", "5", "6")
    community.ok("group", "edit", monday, "--on-holiday", "next-day")
    out = tmp_path / "outbox"
    result = community.ok("plan", "week", "--week", "2027-W32", "--out", str(out), "-f", "json")
    rows = {r["group"]: r for r in as_json(result)}
    assert rows[sunday]["status"] == "skipped"
    assert rows[sunday]["session"] is None
    assert rows[sunday]["note"] == "Sun 15 Aug: Assumption Of Mary Day (IT): skipped"
    assert rows[monday]["status"] == "planned"
    assert rows[monday]["start"][:10] == "2027-08-16"
    assert "moved to Mon 16 Aug" in rows[monday]["note"]
    assert f"{sunday}: Sun 15 Aug: Assumption Of Mary Day (IT): skipped" in result.stderr
    assert not (out / "2027-W32" / sunday).exists()
    invitation = next((out / "2027-W32" / monday).glob("invite-*.eml")).read_bytes()
    assert b"DTSTART;TZID=Europe/Rome:20270816T183000" in invitation
    again = community.ok("plan", "week", "--week", "2027-W32", "--out", str(out), "-f", "json")
    assert all(f["status"] == "unchanged" for r in as_json(again) for f in r["files"])


# --- the rotation ---------------------------------------------------------------------------


def hot_seats(cli: Cli, week: str, out: Path, *more: str) -> list[int]:
    rows = as_json(cli.ok("plan", "week", "--week", week, "--out", str(out), "-f", "json", *more))
    return rows[0]["hot_seat"]


def test_a_skipped_meeting_takes_nobodys_turn(community: Cli, tmp_path: Path) -> None:
    slug = group(community, "Martedi", "tue", "2027-03-02")
    out = tmp_path / "outbox"
    first = hot_seats(community, "2027-W09", out)
    session = as_json(community.ok("session", "list", "--format", "json"))[0]["id"]
    present = [x for m in range(1, 7) for x in ("--present", str(m))]
    community.ok("session", "attend", str(session), *present)
    would = hot_seats(community, "2027-W10", out, "--dry-run")  # who the next turn is
    assert would
    assert not set(would) & set(first)
    community.ok("break", "add", "--from", "2027-03-09", "--to", "2027-03-09", "--group", slug,
                 "--reason", "Sciopero")  # fmt: skip
    skipped = as_json(community.ok("plan", "week", "--week", "2027-W10", "--out", str(out),
                                   "-f", "json"))  # fmt: skip
    assert skipped[0]["status"] == "skipped"
    assert skipped[0]["hot_seat"] == []
    assert hot_seats(community, "2027-W11", out) == would  # the turn waited for them


# --- a break after the invitations ------------------------------------------------------------


@dataclass
class Handler:
    received: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(email.message_from_bytes(envelope.content, policy=default))
        return "250 Message accepted"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Handler]:
    with smtp_server(Handler(), monkeypatch) as handler:
        yield handler


def test_a_break_after_the_invitations_cancels_the_meeting(
    community: Cli, smtp: Handler, tmp_path: Path
) -> None:
    slug = group(community, "Martedi", "tue", "2027-02-02")
    out = tmp_path / "outbox"
    community.ok("plan", "week", "--week", "2027-W06", "--out", str(out), "--send")
    assert len(smtp.received) == 6
    assert len(list((out / "2027-W06" / slug).glob("invite-*.eml"))) == 6
    community.ok("break", "add", "--from", "2027-02-08", "--to", "2027-02-12", "--reason",
                 "Settimana bianca")  # fmt: skip
    result = community.ok("plan", "week", "--week", "2027-W06", "--out", str(out), "--send",
                          "-f", "json")  # fmt: skip
    (row,) = as_json(result)
    assert row["status"] == "cancelled"
    assert row["note"] == "Tue 9 Feb: break (Settimana bianca): cancelled"
    shown = as_json(community.ok("session", "show", str(row["session"]), "-f", "json"))
    assert shown["status"] == "cancelled"
    assert shown["cancel_reason"] == "break (Settimana bianca)"
    cancels = smtp.received[6:]
    assert len(cancels) == 6
    for message in cancels:
        assert message["Subject"].startswith("Cancelled: ")
        text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert "break (Settimana bianca)" in text
        calendar = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
        assert calendar.get_param("method") == "CANCEL"
    assert not list((out / "2027-W06" / slug).glob("invite-*.eml"))
    community.ok("plan", "week", "--week", "2027-W06", "--out", str(out), "--send")
    assert len(smtp.received) == 12  # sent once


def test_a_holiday_set_after_planning_cancels_a_meeting_ahead(community: Cli) -> None:
    community.ok("init", "--holidays", "")
    slug = group(community, "Martedi", "tue", "2026-12-01")
    community.ok("session", "plan", slug, "--from", "2026-12-01", "--count", "2")
    community.ok("init", "--holidays", "IT")
    said = community.ok("session", "plan", slug, "--from", "2026-12-01", "--count", "2").stderr
    assert "Tue 8 Dec: Immaculate Conception (IT): planned before; plan week will cancel" in said
    rows = as_json(community.ok("plan", "week", "--week", "2026-W50", "-f", "json"))
    assert rows[0]["status"] == "cancelled"


# --- the members' own holidays ------------------------------------------------------------------


def test_members_holidays_are_warnings(community: Cli, tmp_path: Path) -> None:
    """26 January is India's Republic Day: half the group lives in Delhi."""
    slug = group(community, "Martedi", "tue", "2027-01-19")
    said = planned(community, slug, "--from", "2027-01-19", "--count", "2")[1]
    expected = "Tue 26 Jan: 3 of 6 members have a public holiday that day (Republic Day, IN)"
    assert f"{slug}: {expected}" in said
    assert "Tue 19 Jan" not in said
    result = community.ok("plan", "week", "--week", "2027-W04", "--out", str(tmp_path), "-f",
                          "json")  # fmt: skip
    (row,) = as_json(result)
    assert row["status"] == "planned"
    assert expected in row["note"]
    assert expected in result.stderr


def test_no_holiday_countries_no_warnings(community: Cli) -> None:
    community.ok("init", "--holidays", "")
    slug = group(community, "Martedi", "tue", "2027-01-19")
    found, said = planned(community, slug, "--from", "2027-01-19", "--count", "2")
    assert found == ["2027-01-19", "2027-01-26"]
    assert "holiday" not in said


# --- the number of statements -------------------------------------------------------------------


def statements(cli: Cli, *args: str) -> int:
    """How many SQL statements one command sends (an executemany counts once)."""
    import sqlalchemy as sa

    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(statement)

    sa.event.listen(sa.Engine, "before_cursor_execute", count)
    try:
        cli.ok(*args)
    finally:
        sa.event.remove(sa.Engine, "before_cursor_execute", count)
    return len(seen)


def test_plan_week_sends_as_many_statements_with_holidays_and_breaks(
    community: Cli, tmp_path: Path
) -> None:
    community.ok("init", "--holidays", "")
    for name in ("Uno", "Due", "Tre"):
        group(community, name, "tue", "2027-04-20", "1", "2", "3")
    week = ("plan", "week", "--week", "2027-W17", "--out", str(tmp_path), "--dry-run")
    before = statements(community, *week)
    community.ok("init", "--holidays", "IT")  # 25 aprile is a Sunday in 2027
    community.ok("break", "add", "--from", "2027-04-27", "--to", "2027-04-27", "--group", "uno")
    community.ok("break", "add", "--from", "2027-05-01", "--to", "2027-05-02")
    rows = as_json(community.ok(*week, "-f", "json"))
    assert [r["status"] for r in rows] == ["skipped", "planned", "planned"]
    assert statements(community, *week) == before
