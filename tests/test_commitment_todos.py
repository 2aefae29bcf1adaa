"""Commitments as tasks (VTODO) in a member's own calendar, read by the four parsers.

`export ics --member` carries the member's commitments; `commitment done` and `commitment
drop` give the same task a new version (SEQUENCE, DTSTAMP) and its status. Every parser of
tests/parsers.py (Thunderbird's, Evolution's, Python's, Radicale's) reads what the database
says, and so does a real CalDAV server that keeps the tasks.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import icalendar
import pytest
import sqlalchemy as sa

from tests.conftest import Cli, built_demo
from tests.parsers import PARSERS, Task, all_tasks_many

pytest_plugins = ["tests.parsers"]

GIULIA = "Giulia Rossi"
# What a member may type: commas, semicolons, a backslash, a colon at the start of a line of
# the file, quotes, an emoji and accents; a calendar writes it escaped and reads it back as is.
HOSTILE = 'END:VTODO, then; BEGIN:VEVENT \\n "quoted" ⏰ già fatto'


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo community (peerkit demo), built once."""
    return built_demo(tmp_path_factory) / "peerkit.db"


@pytest.fixture
def demo(built: Path, tmp_path: Path) -> Cli:
    """A copy of the demo's database, for one test."""
    copy = tmp_path / "demo.db"
    shutil.copy(built, copy)
    return Cli(copy)


def export(cli: Cli, *scope: str) -> bytes:
    out = cli.db_path.parent / "export.ics"
    out.unlink(missing_ok=True)
    cli.ok("export", "ics", *scope, "--output", str(out))
    return out.read_bytes()


def recorded(cli: Cli, member: str) -> list[Task]:
    """The member's commitments as the database has them, as a task app should show them."""
    status = {"open": "NEEDS-ACTION", "done": "COMPLETED", "dropped": "CANCELLED"}
    with sqlite3.connect(cli.db_path) as conn:
        rows = conn.execute(
            "SELECT c.uid, c.text, c.due, c.status, m.uid, c.closed_at FROM commitment c "
            "JOIN member p ON p.id = c.member_id LEFT JOIN meeting m ON m.id = c.meeting_id "
            "WHERE p.name = ?",
            (member,),
        ).fetchall()
    return sorted(
        Task(uid, text, due or "", status[state], meeting or "", 0 if closed is None else 1)
        for uid, text, due, state, meeting, closed in rows
    )


def todos(data: bytes) -> dict[str, icalendar.Todo]:
    cal = icalendar.Calendar.from_ical(data)
    return {str(t["UID"]): t for t in cal.walk("VTODO")}


def add(cli: Cli, *args: str) -> int:
    return int(cli.ok("commitment", "add", *args).stdout.strip())


def test_a_members_calendar_carries_their_commitments_read_alike_by_four_parsers(
    demo: Cli, parsers: tuple[str, ...]
) -> None:
    add(demo, GIULIA, HOSTILE, "--due", "2026-12-15")
    add(demo, GIULIA, "No date for this one")
    data = export(demo, "--member", GIULIA)
    expected = recorded(demo, GIULIA)
    assert len(expected) == 3  # the demo's one, and the two above
    assert {t.summary for t in expected} >= {HOSTILE, "No date for this one"}
    (found,) = all_tasks_many([data])
    assert found == dict.fromkeys(PARSERS, expected)
    # Only hers: no other member's task, nor anyone's address on a task.
    with sqlite3.connect(demo.db_path) as conn:
        others = [u for (u,) in conn.execute("SELECT uid FROM commitment WHERE member_id != 1")]
    assert others
    assert not set(others) & set(todos(data))
    for todo in todos(data).values():
        assert "ATTENDEE" not in todo
        assert "ORGANIZER" not in todo
        assert todo["DTSTAMP"].dt == todo["LAST-MODIFIED"].dt
    # Where it came from, in words, and no DUE without a due date.
    by_text = {str(t["SUMMARY"]): t for t in todos(data).values()}
    assert str(by_text[HOSTILE]["DESCRIPTION"]).startswith(
        "Dall'incontro Mastermind del martedì del "
    )
    assert "DUE" not in by_text["No date for this one"]
    assert by_text[HOSTILE]["DUE"].params.get("VALUE") == "DATE"


def test_done_and_drop_give_the_same_task_a_new_version(
    demo: Cli, parsers: tuple[str, ...]
) -> None:
    done = add(demo, GIULIA, "Finish the deck", "--due", "2026-12-04")
    dropped = add(demo, GIULIA, "Learn the harp")
    before = todos(export(demo, "--member", GIULIA))
    demo.ok("commitment", "done", str(done))
    demo.ok("commitment", "drop", str(dropped))
    after_data = export(demo, "--member", GIULIA)
    after = todos(after_data)
    assert set(after) == set(before)  # the same UIDs: apps replace the tasks
    (found,) = all_tasks_many([after_data])
    assert found == dict.fromkeys(PARSERS, recorded(demo, GIULIA))
    changed = {str(t.summary): t for t in found["libical"]}
    assert changed["Finish the deck"].status == "COMPLETED"
    assert changed["Learn the harp"].status == "CANCELLED"
    with sqlite3.connect(demo.db_path) as conn:
        closed = dict(conn.execute("SELECT uid, closed_at FROM commitment"))
    for text in ("Finish the deck", "Learn the harp"):
        uid = changed[text].uid
        assert int(after[uid]["SEQUENCE"]) > int(before[uid]["SEQUENCE"])
        when = datetime.fromisoformat(closed[uid]).replace(microsecond=0, tzinfo=UTC)
        assert after[uid]["DTSTAMP"].dt == after[uid]["LAST-MODIFIED"].dt == when
        assert before[uid]["DTSTAMP"].dt == before[uid]["CREATED"].dt
    completed = after[changed["Finish the deck"].uid]
    assert completed["COMPLETED"].dt.tzinfo is not None
    assert int(completed["PERCENT-COMPLETE"]) == 100
    assert "COMPLETED" not in after[changed["Learn the harp"].uid]
    # Done is final: a second done changes nothing, and a drop after it is refused.
    demo.ok("commitment", "done", str(done))
    assert export(demo, "--member", GIULIA) == after_data
    refused = demo("commitment", "drop", str(done))
    assert refused.exit_code != 0
    assert "Traceback" not in refused.stderr


@pytest.mark.parametrize(
    "scope", [("--group", "mastermind-del-martedi"), ("--all",), ("--session", "1")]
)
def test_shared_feeds_carry_no_tasks(demo: Cli, scope: tuple[str, ...]) -> None:
    """A group's or everyone's calendar is shared: a task in it would be every subscriber's."""
    data = export(demo, *scope)
    assert b"BEGIN:VEVENT" in data
    assert b"VTODO" not in data


def test_outbox_check_holds_each_task_to_its_commitment(demo: Cli, tmp_path: Path) -> None:
    """A member's calendar as exported is fine; once the commitment is done, the file written
    before says so; a task edited by hand, or naming no commitment, is named."""
    made = add(demo, GIULIA, HOSTILE, "--due", "2026-12-15")
    folder = tmp_path / "feeds"
    folder.mkdir()
    feed = folder / "giulia.ics"
    feed.write_bytes(export(demo, "--member", GIULIA))
    result = demo("outbox", "check", str(feed), "--format", "json")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    (verdict,) = json.loads(result.stdout)
    assert verdict["ok"], verdict
    assert verdict["about"].endswith("2 commitments")

    demo.ok("commitment", "done", str(made))
    (verdict,) = json.loads(demo("outbox", "check", str(feed), "--format", "json").stdout)
    assert verdict["problems"] == [
        f"commitment {made}: STATUS:NEEDS-ACTION but it is done (COMPLETED)",
        f"commitment {made}: COMPLETED is there only when the commitment is done",
        f"commitment {made}: SEQUENCE 0 but the commitment is at 1: written before the "
        "commitment changed",
    ]

    data = export(demo, "--member", GIULIA)
    edited = data.replace(b"DUE;VALUE=DATE:20261215", b"DUE;VALUE=DATE:20261216")
    edited = edited.replace(b"STATUS:COMPLETED", b"STATUS:CANCELLED")
    feed.write_bytes(
        edited.replace(b"BEGIN:VTODO\r\n", b"BEGIN:VTODO\r\nATTENDEE:mailto:x@example.com\r\n", 1)
    )
    (verdict,) = json.loads(demo("outbox", "check", str(feed), "--format", "json").stdout)
    problems = "\n".join(verdict["problems"])
    assert f"commitment {made}: STATUS:CANCELLED but it is done (COMPLETED)" in problems
    assert "DUE 2026-12-16 but it is due on 2026-12-15 (a date, VALUE=DATE)" in problems
    assert "ATTENDEE in a task: a member's tasks are their own and name nobody" in problems

    feed.write_bytes(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nBEGIN:VTODO\r\n"
        b"UID:nobody@peerkit\r\nDTSTAMP:20261201T000000Z\r\nSUMMARY:x\r\nEND:VTODO\r\n"
        b"END:VCALENDAR\r\n"
    )
    (verdict,) = json.loads(demo("outbox", "check", str(feed), "--format", "json").stdout)
    assert verdict["problems"] == ["task UID nobody@peerkit names no commitment in the database"]


def test_tasks_round_trip_through_radicale(
    demo: Cli, parsers: tuple[str, ...], tmp_path: Path
) -> None:
    """Each task PUT as its own resource into a task list (a calendar collection for VTODO)
    of a real Radicale, read back, is read by the four parsers as the database says."""
    import caldav

    from tests.servers import radicale_calendar

    done = add(demo, GIULIA, HOSTILE, "--due", "2026-12-15")
    demo.ok("commitment", "done", str(done))
    exported = icalendar.Calendar.from_ical(export(demo, "--member", GIULIA))
    with radicale_calendar(tmp_path / "radicale", "community") as url:
        client = caldav.DAVClient(url, username="paolo", password="x")
        tasks = client.principal().make_calendar(
            name="tasks", cal_id="tasks", supported_calendar_component_set=["VTODO"]
        )
        for todo in exported.walk("VTODO"):
            one = icalendar.Calendar()
            one.add("prodid", str(exported["PRODID"]))
            one.add("version", "2.0")
            one.add_component(todo)
            # PUT as a task app does (caldav's save_todo would raise the SEQUENCE itself)
            response = client.put(
                f"{tasks.url}{todo['UID']}.ics",
                one.to_ical().decode("utf-8"),
                {"Content-Type": "text/calendar; charset=utf-8"},
            )
            assert response.status in (201, 204), response.status
        back = [item.data.encode("utf-8") for item in tasks.todos(include_completed=True)]
    assert len(back) == 2
    read = all_tasks_many(back)
    found = {p: sorted(t for one in read for t in one[p]) for p in PARSERS}
    assert found == dict.fromkeys(PARSERS, recorded(demo, GIULIA))


def test_the_migration_gives_every_earlier_commitment_its_own_uid(tmp_path: Path) -> None:
    from peerkit.migrations.runner import run_upgrade

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    run_upgrade(engine, "0011")
    now = datetime(2026, 11, 1, tzinfo=UTC).isoformat()
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO member (id, name, timezone, locale, skills, needs, availability, "
            "mentor_capacity, status, joined) "
            "VALUES (1, 'A', 'UTC', 'en', '[]', '[]', '[]', 0, 'active', '2026-11-01')"
        )
        for i in (1, 2, 3):
            conn.exec_driver_sql(
                "INSERT INTO commitment (id, member_id, text, status, created_at) "
                f"VALUES ({i}, 1, 'x', 'open', '{now}')"
            )
    run_upgrade(engine)
    with engine.connect() as conn:
        uids = [u for (u,) in conn.exec_driver_sql("SELECT uid FROM commitment")]
    engine.dispose()
    assert len(uids) == len(set(uids)) == 3
    assert all(u.endswith("@peerkit") for u in uids)
