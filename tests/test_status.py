"""Compact times in words (peerkit.i18n) and `peerkit status`, the organiser's week.

The times: "Tue 8 Dec 18:30" / "mar 8 dic 18:30", "tomorrow" / "domani", the zone added when
the reader's clock reads otherwise, across a daylight-saving change and the turn of a year.
The page: a community with a week to plan, answers, a delivery, commitments, an event with a
waitlist, a member who keeps missing meetings and a mentorship gone quiet; read as JSON, as
a table at 80 columns in English and Italian, and counted in SQL statements.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from peerkit.i18n import Clock, relative_day, short_day, short_when, zone_label
from tests.conftest import Cli, assert_usage_error
from tests.factories import World

pytest_plugins = ["tests.factories"]

ROME = ZoneInfo("Europe/Rome")


def rome(*args: int) -> datetime:
    return datetime(*args, tzinfo=ROME)  # type: ignore[misc]


# --- compact times --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "today", "expected"),
    [
        ("en", date(2026, 12, 1), "Tue 8 Dec 18:30"),
        ("it", date(2026, 12, 1), "mar 8 dic 18:30"),
        ("en", date(2026, 12, 7), "tomorrow 18:30"),
        ("it", date(2026, 12, 7), "domani 18:30"),
        ("en", date(2026, 12, 8), "today 18:30"),
        ("it", date(2026, 12, 8), "oggi 18:30"),
        ("en", date(2026, 12, 9), "yesterday 18:30"),
        ("it", date(2026, 12, 9), "ieri 18:30"),
        ("en", date(2026, 3, 1), "Tue 8 Dec 2026 18:30"),  # beyond half a year: the year
        ("it", date(2027, 9, 1), "mar 8 dic 2026 18:30"),
        ("fr", date(2026, 12, 1), "Tue 8 Dec 18:30"),  # a language peerkit does not speak
    ],
)
def test_a_moment_in_a_few_words(locale: str, today: date, expected: str) -> None:
    moment = rome(2026, 12, 8, 18, 30)
    assert short_when(moment, locale, zone="Europe/Rome", today=today, reader="Europe/Rome") == (
        expected
    )


def test_the_moment_is_shown_on_the_zones_clock_with_the_zone_when_the_reader_is_elsewhere() -> (
    None
):
    moment = rome(2026, 12, 8, 18, 30)
    today = date(2026, 12, 1)
    assert short_when(moment, "en", zone="America/New_York", today=today,
                      reader="America/New_York") == "Tue 8 Dec 12:30"  # fmt: skip
    assert short_when(moment, "en", zone="Europe/Rome", today=today,
                      reader="America/New_York") == "Tue 8 Dec 18:30 CET"  # fmt: skip
    assert short_when(moment, "en", zone="America/Sao_Paulo", today=today,
                      reader="Europe/Rome") == "Tue 8 Dec 14:30 UTC-3"  # fmt: skip
    # Lisbon and London read the same clock: no zone is needed between them.
    assert short_when(moment, "en", zone="Europe/Lisbon", today=today,
                      reader="Europe/London") == "Tue 8 Dec 17:30"  # fmt: skip


def test_without_a_reader_zone_this_computers_is_the_readers() -> None:
    # tests/conftest.py puts the computer on UTC.
    moment = rome(2026, 12, 8, 18, 30)
    today = date(2026, 12, 1)
    assert short_when(moment, "en", zone="UTC", today=today) == "Tue 8 Dec 17:30"
    assert short_when(moment, "en", zone="Europe/Rome", today=today) == "Tue 8 Dec 18:30 CET"


def test_across_a_daylight_saving_change() -> None:
    # Rome moves its clocks from 02:00 to 03:00 on Sunday 29 March 2026 (01:00 UTC); Lagos
    # keeps UTC+1 all year, so it reads Rome's clock in winter and not in summer.
    before = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    after = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    today = date(2026, 3, 20)
    assert short_when(before, "en", zone="Europe/Rome", today=today,
                      reader="Africa/Lagos") == "Sun 29 Mar 01:30"  # fmt: skip
    assert short_when(after, "en", zone="Europe/Rome", today=today,
                      reader="Africa/Lagos") == "Sun 29 Mar 03:30 CEST"  # fmt: skip
    assert short_when(after, "it", zone="Europe/Rome", today=date(2026, 3, 28),
                      reader="Europe/Rome") == "domani 03:30"  # fmt: skip
    # A weekly 18:30 keeps its wall-clock time over the change.
    week = [rome(2026, 3, 24, 18, 30), rome(2026, 3, 31, 18, 30)]
    assert [short_when(m, "en", zone="Europe/Rome", today=today, reader="Europe/Rome")
            for m in week] == ["Tue 24 Mar 18:30", "Tue 31 Mar 18:30"]  # fmt: skip
    # In New York (summer time from 8 March) the same meetings are an hour apart from before.
    assert [short_when(m, "en", zone="America/New_York", today=today, reader="America/New_York")
            for m in week] == ["Tue 24 Mar 13:30", "Tue 31 Mar 12:30"]  # fmt: skip


def test_across_the_turn_of_a_year() -> None:
    # 23:30 UTC on 31 December is already 00:30 on 1 January in Rome.
    moment = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    zone = {"zone": "Europe/Rome", "reader": "Europe/Rome"}
    assert short_when(moment, "en", today=date(2026, 12, 31), **zone) == "tomorrow 00:30"
    assert short_when(moment, "it", today=date(2027, 1, 1), **zone) == "oggi 00:30"
    assert short_when(moment, "en", today=date(2026, 12, 28), **zone) == "Fri 1 Jan 00:30"
    assert short_when(moment, "it", today=date(2026, 6, 1), **zone) == "ven 1 gen 2027 00:30"
    assert short_when(moment, "en", zone="UTC", today=date(2026, 12, 31), reader="UTC") == (
        "today 23:30"
    )
    assert short_day(date(2027, 1, 2), "en", date(2026, 12, 30)) == "Sat 2 Jan"
    assert relative_day(date(2027, 1, 2), date(2026, 12, 30), "en") == "in 3 days"
    assert relative_day(date(2026, 12, 30), date(2027, 1, 2), "it") == "3 giorni fa"


@pytest.mark.parametrize(
    ("days", "en", "it"),
    [
        (0, "today", "oggi"),
        (1, "tomorrow", "domani"),
        (-1, "yesterday", "ieri"),
        (3, "in 3 days", "tra 3 giorni"),
        (-3, "3 days ago", "3 giorni fa"),
        (13, "in 13 days", "tra 13 giorni"),
        (14, "in 2 weeks", "tra 2 settimane"),
        (-35, "5 weeks ago", "5 settimane fa"),
        (70, "in 2 months", "tra 2 mesi"),
    ],
)
def test_how_far_a_day_is(days: int, en: str, it: str) -> None:
    today = date(2026, 12, 7)
    day = today + timedelta(days=days)
    assert relative_day(day, today, "en") == en
    assert relative_day(day, today, "it") == it


def test_zone_labels() -> None:
    assert zone_label(rome(2026, 1, 5, 12, 0)) == "CET"
    assert zone_label(rome(2026, 7, 5, 12, 0)) == "CEST"
    assert zone_label(datetime(2026, 7, 5, tzinfo=ZoneInfo("America/Sao_Paulo"))) == "UTC-3"
    assert zone_label(datetime(2026, 7, 5, tzinfo=ZoneInfo("Asia/Kathmandu"))) == "UTC+5:45"
    assert zone_label(datetime(2026, 7, 5, tzinfo=ZoneInfo("UTC"))) == "UTC"


def test_a_clock_reads_the_iso_text_of_json_rows() -> None:
    clock = Clock("Europe/Rome", "it", date(2026, 12, 7), reader="Europe/Rome")
    assert clock.when("2026-12-08T17:30:00+00:00") == "domani 18:30"
    assert clock.when(None) is None
    assert clock.day("2026-12-11") == "ven 11 dic"
    assert clock.day("2026-12-07") == "oggi"
    assert clock.day("2026-12-07", words=False) == "lun 7 dic"
    assert clock.relative(date(2026, 12, 4)) == "3 giorni fa"


# --- peerkit status -----------------------------------------------------------------------

MONDAY = date(2026, 12, 7)
NOW = "2026-12-07T09:00:00+01:00"
WEEK = "2026-W50"
JOINED = date(2026, 10, 1)


@pytest.fixture
def monday(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEERKIT_TODAY", MONDAY.isoformat())
    monkeypatch.setenv("PEERKIT_NOW", NOW)


def week_of_people(world: World, outbox: Path) -> dict[str, int]:
    """A Tuesday group of four that met three times (Bruno missed the last two), planned
    for this week; Anna said yes, Bruno no; Carla's invitation was sent."""
    from peerkit.enums import AnswerAbout, AnswerKind, AnswerSource, DeliveryKind
    from peerkit.models import Answer, Delivery

    names = {"anna": "Anna Bianchi", "bruno": "Bruno Verdi", "carla": "Carla Neri",
             "dario": "Dario Fo"}  # fmt: skip
    ids = {key: world.member(name, joined=JOINED) for key, name in names.items()}
    group = world.group("Martedì", ids.values(), start=date(2026, 11, 17), joined=JOINED)
    for day, absent in ((17, []), (24, [ids["bruno"]]), (1, [ids["bruno"]])):
        held = world.meeting_on(group, date(2026, 11 if day > 1 else 12, day))
        world.attend(held.id, [i for i in ids.values() if i not in absent], absent)
    plans = world.plan_week(WEEK, outbox)
    meeting = plans[0].session
    with world.db.write() as session:
        for who, said in (("anna", AnswerKind.ACCEPTED), ("bruno", AnswerKind.DECLINED)):
            session.add(Answer(about=AnswerAbout.MEETING, about_id=meeting, member_id=ids[who],
                               answer=said, dtstamp=datetime(2026, 12, 6, 10, tzinfo=UTC),
                               source=AnswerSource.MAIL))  # fmt: skip
        session.add(Delivery(meeting_id=meeting, member_id=ids["carla"], kind=DeliveryKind.INVITE,
                             sequence=0))  # fmt: skip
    ids["meeting"] = meeting
    ids["group"] = group
    return ids


def commitments(world: World, people: dict[str, int]) -> dict[str, int]:
    meeting = people["meeting"]
    made = {
        "late": world.commit_to(people["anna"], "Call three clients", meeting, date(2026, 12, 4)),
        "soon": world.commit_to(people["carla"], "Raise prices", meeting, date(2026, 12, 10)),
        "later": world.commit_to(people["dario"], "Write the book", meeting, date(2026, 12, 20)),
        "done": world.commit_to(people["bruno"], "Send invoices", meeting, date(2026, 12, 8)),
        "undated": world.commit_to(people["bruno"], "Rest", meeting),
    }
    world.close_commitment(made["done"], "done")
    return made


def mentorships(world: World, people: dict[str, int]) -> tuple[int, int]:
    """Anna mentors Dario since October, with no check-in (quiet); Carla mentors Bruno with a
    check-in planned next week (not quiet)."""
    from peerkit.models import Member, MentorCheckin
    from peerkit.services.mentoring import matching

    with world.db.write() as session:
        anna, bruno, carla, dario = (
            session.get(Member, people[k]) for k in ("anna", "bruno", "carla", "dario")
        )
        quiet, _ = matching.pair(session, anna, dario, "sales", date(2026, 10, 5))
        busy, _ = matching.pair(session, carla, bruno, "focus", date(2026, 10, 5))
        session.flush()
        session.add(MentorCheckin(mentorship_id=busy.id, start=rome(2026, 12, 14, 18, 0),
                                  timezone="Europe/Rome", uid="busy@peerkit"))  # fmt: skip
        return quiet.id, busy.id


@pytest.fixture
def page(world: World, cli: Cli, db_path: Path, monday: None) -> dict[str, Any]:
    people = week_of_people(world, db_path.parent / "outbox")
    made = commitments(world, people)
    quiet, busy = mentorships(world, people)
    cli.ok("event", "create", "Aperitivo", "--start", "2026-12-10 19:00", "--capacity", "1")
    cli.ok("event", "rsvp", "1", "Dario Fo")
    cli.ok("event", "rsvp", "1", "Carla Neri")
    return {"people": people, "commitments": made, "quiet": quiet, "busy": busy}


def status_json(cli: Cli, *options: str) -> dict[str, Any]:
    result = cli.ok("status", "--format", "json", *options)
    assert result.stderr == ""
    found: dict[str, Any] = json.loads(result.stdout)
    return found


def test_the_json_page(cli: Cli, page: dict[str, Any]) -> None:
    people = page["people"]
    shown = status_json(cli)
    assert (shown["week"], shown["today"], shown["timezone"]) == (WEEK, "2026-12-07", "Europe/Rome")
    [meeting] = shown["meetings"]
    assert meeting["session"] == people["meeting"]
    assert meeting["start"] == "2026-12-08T18:30:00+01:00"
    assert [p["name"] for p in meeting["hot_seat"]]
    assert all(p["id"] in people.values() for p in meeting["hot_seat"])
    answers = {k: [p["name"] for p in v] for k, v in meeting["answers"].items()}
    assert answers == {
        "coming": ["Anna Bianchi"],
        "maybe": [],
        "not_coming": ["Bruno Verdi"],
        "no_answer": ["Carla Neri", "Dario Fo"],
    }
    assert meeting["invitations_sent"] == 1
    assert meeting["changed_since_written"] is False
    # Written by plan week, not sent: everyone but Carla.
    assert sorted(u["member"]["name"] for u in shown["unsent"]) == [
        "Anna Bianchi", "Bruno Verdi", "Dario Fo"]  # fmt: skip
    assert {u["kind"] for u in shown["unsent"]} == {"invitation"}
    assert all(Path(u["file"]).is_file() for u in shown["unsent"])
    # Due by Sunday, overdue first; not the one due later, the one done, the undated one.
    made = page["commitments"]
    assert [(c["id"], c["overdue"]) for c in shown["commitments"]] == [
        (made["late"], True), (made["soon"], False)]  # fmt: skip
    assert shown["commitments"][0]["member"] == {"id": people["anna"], "name": "Anna Bianchi"}
    [event] = shown["waitlists"]
    assert (event["title"], event["capacity"], event["going"]) == ("Aperitivo", 1, 1)
    assert [p["name"] for p in event["waitlist"]] == ["Carla Neri"]
    assert shown["at_risk"] == [{
        "member": {"id": people["bruno"], "name": "Bruno Verdi"},
        "group": "martedi", "group_name": "Martedì", "missed": 2, "of": 3,
    }]  # fmt: skip
    assert shown["quiet_mentorships"] == [{
        "mentorship": page["quiet"],
        "mentor": {"id": people["anna"], "name": "Anna Bianchi"},
        "mentee": {"id": people["dario"], "name": "Dario Fo"},
        "started": "2026-10-05",
        "last_checkin": None,
    }]  # fmt: skip


def test_a_sent_invitation_and_a_change_after_writing(
    cli: Cli, page: dict[str, Any], world: World
) -> None:
    from peerkit.enums import DeliveryKind
    from peerkit.models import Delivery

    people = page["people"]
    with world.db.write() as session:
        for who in ("anna", "bruno", "dario"):
            session.add(Delivery(meeting_id=people["meeting"], member_id=people[who],
                                 kind=DeliveryKind.INVITE, sequence=0))  # fmt: skip
    assert status_json(cli)["unsent"] == []
    # Moved after its invitations were written and sent: the new version is neither.
    cli.ok("session", "move", str(people["meeting"]), "--to", "2026-12-08 19:00")
    shown = status_json(cli)
    assert shown["meetings"][0]["changed_since_written"] is True
    assert shown["meetings"][0]["invitations_sent"] == 0
    assert len(shown["unsent"]) == 4
    assert "changed since its invitations: peerkit plan week" in cli.ok("status").stdout


def test_a_member_who_left_the_group_is_not_at_risk_in_it(cli: Cli, page: dict[str, Any]) -> None:
    assert [r["member"]["name"] for r in status_json(cli)["at_risk"]] == ["Bruno Verdi"]
    cli.ok("group", "remove", "martedi", "Bruno Verdi")
    assert status_json(cli)["at_risk"] == []


def test_the_table_at_80_columns(cli: Cli, page: dict[str, Any], monkeypatch: Any) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = cli.ok("status")
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80
    text = result.stdout
    # On the community's clock (Rome); this computer is on UTC, so the zone is said.
    assert f"tomorrow 18:30 CET  Martedì  (session {page['people']['meeting']})" in text
    said = {" ".join(line.split()) for line in lines}
    assert {"coming Anna Bianchi", "not coming Bruno Verdi", "no answer Carla Neri, Dario Fo"} <= (
        said
    )
    assert "3 invitation(s) written, not sent: peerkit plan week --send" in text
    assert "3 days ago" in text
    assert "Call three clients" in text
    assert "in 3 days" in text
    assert "Raise prices" in text
    assert "Write the book" not in text
    assert "Thu 10 Dec 19:00 CET  Aperitivo  (event 1)" in text
    assert "waiting Carla Neri" in said
    assert "missed 2 of the last 3 meetings of Martedì" in text
    assert "Anna Bianchi → Dario Fo" in text
    assert "no check-in since it started 2 months ago" in text
    assert "Carla Neri → Bruno Verdi" not in text


def test_the_table_in_italian_and_in_the_readers_zone(cli: Cli, page: dict[str, Any]) -> None:
    cli.ok("init", "--locale", "it")
    text = cli.ok("status", "--timezone", "America/New_York").stdout
    assert "domani 12:30  Martedì" in text  # the reader gave their zone: none is added
    assert "3 giorni fa" in text
    assert "gio 10 dic 13:00  Aperitivo" in text


def test_an_empty_community(cli: Cli, monday: None) -> None:
    cli.ok("init", "--community", "Nuova")
    text = cli.ok("status").stdout
    for line in (
        "Nuova: week 2026-W50, Mon 7 Dec",
        "Meetings: none this week.",
        "Commitments due this week: none.",
        "Waitlists: nobody waiting.",
        "Members at risk: none.",
        "Mentorships quiet for 4 weeks or more: none.",
    ):
        assert line in text
    shown = status_json(cli)
    assert shown["meetings"] == shown["unsent"] == shown["at_risk"] == []


def test_another_week(cli: Cli, page: dict[str, Any]) -> None:
    shown = status_json(cli, "--week", "2026-w49")
    assert shown["week"] == "2026-W49"
    assert [m["status"] for m in shown["meetings"]] == ["done"]
    assert shown["unsent"] == []  # a meeting that was held: nothing left to send


def test_csv_and_a_bad_week_are_usage_errors(cli: Cli, monday: None) -> None:
    assert_usage_error(cli("status", "--format", "csv"), "csv")
    result = cli("status", "--week", "2026-W60")
    assert result.exit_code == 1
    assert "W60" in result.stderr
    assert "Traceback" not in result.stderr


# --- a fixed number of statements --------------------------------------------------------


@contextmanager
def counting(db: Any) -> Iterator[list[str]]:
    import sqlalchemy as sa

    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def groups(world: World, first: int, last: int, outbox: Path) -> None:
    """Groups FIRST to LAST - 1 of four members, each with a held meeting where two were
    absent, an open commitment due this week, a mentorship gone quiet, and this week planned."""
    from peerkit.models import Member
    from peerkit.services.mentoring import matching

    for g in range(first, last):
        ids = world.members(4, f"G{g}", joined=JOINED)
        group = world.group(f"Group {g}", ids, start=date(2026, 11, 24), joined=JOINED)
        for day in (date(2026, 11, 24), date(2026, 12, 1)):
            held = world.meeting_on(group, day)
            world.attend(held.id, ids[2:], ids[:2])
            world.commit_to(ids[0], "Something", held.id, date(2026, 12, 9))
        with world.db.write() as session:
            matching.pair(session, session.get(Member, ids[0]), session.get(Member, ids[1]),
                          None, date(2026, 10, 5))  # fmt: skip
    world.plan_week(WEEK, outbox)


def statements(world: World, outbox: Path) -> tuple[int, dict[str, Any]]:
    from peerkit.services.reports import status as svc

    when = svc.When(MONDAY, datetime.fromisoformat(NOW))
    with counting(world.db) as seen, world.db.read() as session:
        found = svc.report(session, when, outbox)
    return len(seen), found


def test_statements_do_not_grow_with_the_community(world: World, tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    groups(world, 0, 2, outbox)
    few, found = statements(world, outbox)
    assert (len(found["meetings"]), len(found["at_risk"])) == (2, 4)
    assert (len(found["quiet_mentorships"]), len(found["unsent"])) == (2, 8)
    groups(world, 2, 8, outbox)
    many, found = statements(world, outbox)
    assert (len(found["meetings"]), len(found["at_risk"])) == (8, 16)
    assert (len(found["commitments"]), len(found["unsent"])) == (16, 32)
    assert many == few, "status sends more statements for a bigger community"
    assert many <= 14, many


# --- PostgreSQL ---------------------------------------------------------------------------


@pytest.mark.postgres
def test_the_page_on_postgres(pg_url: str, tmp_path: Path, monday: None) -> None:
    """The same queries on PostgreSQL: the window of the at-risk rule, the last check-in."""
    from peerkit.config import Settings
    from peerkit.db import open_database
    from peerkit.services.reports import status as svc
    from tests.conftest import invoke

    db = open_database(Settings(db_path=tmp_path / "unused.db", database_url=pg_url))
    try:
        world = World(db)
        world.community()
        outbox = tmp_path / "outbox"
        people = week_of_people(world, outbox)
        made = commitments(world, people)
        quiet, _busy = mentorships(world, people)
        for args in (
            ("event", "create", "Aperitivo", "--start", "2026-12-10 19:00", "--capacity", "1"),
            ("event", "rsvp", "1", "Dario Fo"),
            ("event", "rsvp", "1", "Carla Neri"),
        ):
            result = invoke(["--database-url", pg_url, *args])
            assert result.exit_code == 0, result.stderr
        when = svc.When(MONDAY, datetime.fromisoformat(NOW))
        with counting(db) as seen, db.read() as session:
            found = svc.report(session, when, outbox)
        assert len(seen) <= 14
    finally:
        db.dispose()
    assert [(r["member"]["name"], r["missed"], r["of"]) for r in found["at_risk"]] == [
        ("Bruno Verdi", 2, 3)
    ]
    assert [q["mentorship"] for q in found["quiet_mentorships"]] == [quiet]
    assert [c["id"] for c in found["commitments"]] == [made["late"], made["soon"]]
    assert sorted(u["member"]["name"] for u in found["unsent"]) == [
        "Anna Bianchi", "Bruno Verdi", "Dario Fo"]  # fmt: skip
    assert [p["name"] for p in found["waitlists"][0]["waitlist"]] == ["Carla Neri"]
