"""Impossible records are refused by the domain, in one line, with nothing written.

Attendance for someone not in the group, a commitment made at a meeting of a group the
member is not in, moving a meeting that took place (or into the past), inviting to a
meeting that has started, an answer from a member who left, a pause that ends before it
starts (issue 13, item 10). Today is 2026-11-27 (tests/conftest.py); the group "Monday"
meets on Mondays from 2 November, so its sessions 1 to 4 are past and 5 onwards to come.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from peerkit.models import Attendance, Member
from tests.conftest import Cli, assert_error


@pytest.fixture
def community(cli: Cli) -> Cli:
    cli.ok("init", "--community", "Circles", "--timezone", "Europe/Rome",
           "--organiser-name", "Olga", "--organiser-email", "olga@example.com")  # fmt: skip
    for n in range(1, 7):
        cli.ok("member", "add", f"Member {n}", "--email", f"m{n}@example.com")
    cli.ok("group", "create", "Monday", "--day", "mon", "--start", "2026-11-02",
           "--member", "1", "--member", "2", "--member", "3")  # fmt: skip
    cli.ok("group", "create", "Wednesday", "--day", "wed", "--member", "4", "--member", "5")
    cli.ok("session", "plan", "monday", "--from", "2026-11-02", "--count", "6")
    return cli


def _dump(cli: Cli) -> list[str]:
    with sqlite3.connect(cli.db_path) as db:
        return list(db.iterdump())


def refused(cli: Cli, *argv: str, fragment: str) -> None:
    """ARGV is refused in one line (exit 1) and the database is unchanged."""
    before = _dump(cli)
    result = cli(*argv)
    assert_error(result, fragment)
    assert result.stderr.count("\n") == 1, result.stderr
    assert _dump(cli) == before


def _show(cli: Cli, session: int) -> Any:
    return json.loads(cli.ok("session", "show", str(session), "--format", "json").stdout)


# --- attendance and commitments: by members of the group --------------------------------


def test_attendance_for_someone_not_in_the_group_is_refused(community: Cli) -> None:
    refused(community, "session", "attend", "1", "--present", "4", fragment="not in the group")
    refused(community, "session", "attend", "1", "--present", "1", "--absent", "6",
            fragment="peerkit group add monday 6")  # fmt: skip
    assert _show(community, 1)["status"] == "planned"
    community.ok("session", "attend", "1", "--present", "1", "--present", "2", "--absent", "3")
    assert _show(community, 1)["status"] == "done"


def test_attendance_after_leaving_the_group_is_refused_but_not_before(community: Cli) -> None:
    community.ok("group", "remove", "monday", "3")  # on 27 November
    community.ok("session", "attend", "4", "--present", "3")  # 23 November: still in it
    refused(community, "session", "attend", "5", "--present", "3", fragment="left the group")


def test_a_commitment_at_a_meeting_of_another_group_is_refused(community: Cli) -> None:
    refused(community, "commitment", "add", "4", "Call the bank", "--session", "1",
            fragment="not in the group monday")  # fmt: skip
    community.ok("commitment", "add", "1", "Call the bank", "--session", "1")
    community.ok("commitment", "add", "4", "Call the bank")  # at their own group's


# --- moving: only a meeting to come, only to a time to come ------------------------------


def test_moving_an_attended_meeting_is_refused(community: Cli) -> None:
    community.ok("session", "attend", "5", "--present", "1")
    refused(community, "session", "move", "5", "--to", "2026-12-01 18:30",
            fragment="attendance")  # fmt: skip


def test_moving_a_past_meeting_is_refused(community: Cli) -> None:
    refused(community, "session", "move", "2", "--to", "2026-12-01 18:30",
            fragment="past meeting")  # fmt: skip


def test_moving_a_meeting_into_the_past_is_refused(community: Cli) -> None:
    refused(community, "session", "move", "5", "--to", "2026-11-25 18:30", fragment="in the past")
    community.ok("session", "move", "5", "--to", "2026-12-01 18:30")
    assert _show(community, 5)["start"] == "2026-12-01T18:30:00+01:00"


# --- invitations: only to meetings to come -------------------------------------------------


def test_inviting_to_a_past_meeting_is_refused(community: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    refused(community, "invite", "3", "--out", str(out), fragment="meetings to come")
    assert not out.exists()
    community.ok("session", "cancel", "4")
    refused(community, "invite", "4", "--method", "cancel", "--out", str(out),
            fragment="meetings to come")  # fmt: skip
    assert not out.exists()
    community.ok("invite", "5", "--out", str(out))
    assert len(list(out.glob("*.eml"))) == 3


def test_plan_week_still_plans_and_invites_for_this_week(community: Cli, tmp_path: Path) -> None:
    """Internal paths are not the door: the week's run writes what it always wrote."""
    out = tmp_path / "out"
    community.ok("plan", "week", "--week", "2026-W49", "--out", str(out))
    assert len(list((out / "2026-W49" / "monday").glob("*.eml"))) == 3


# --- answers and pauses ----------------------------------------------------------------------


def test_an_answer_from_a_member_who_left_is_refused(community: Cli, tmp_path: Path) -> None:
    community.ok("event", "create", "Party", "--start", "2026-12-20 18:00", "--capacity", "2")
    community.ok("member", "remove", "6")
    out = str(tmp_path / "out")
    refused(community, "event", "rsvp", "1", "6", "--out", out, fragment="left the community")
    refused(community, "event", "rsvp", "1", "6", "--no", "--out", out,
            fragment="left the community")  # fmt: skip
    community.ok("event", "rsvp", "1", "5", "--no", "--out", out)


@pytest.mark.parametrize("until", ["2026-11-27", "2026-11-01"])
def test_a_pause_that_ends_before_it_starts_is_refused(community: Cli, until: str) -> None:
    refused(community, "member", "pause", "2", "--until", until, fragment="after today")


# --- the rules are the domain's: the services refuse without the command line ---------------


def test_the_services_refuse_without_the_command_line(community: Cli) -> None:
    from sqlmodel import select

    from peerkit.config import Settings
    from peerkit.db import open_database
    from peerkit.errors import Conflict
    from peerkit.services.groups import commitments, meetings

    db = open_database(Settings(db_path=community.db_path))
    try:
        with db.read() as session:
            outsider = session.get(Member, 4)
            meeting = meetings.resolve(session, "1")
            with pytest.raises(Conflict, match="not in the group"):
                meetings.attend(session, meeting, [outsider], [])
            with pytest.raises(Conflict, match="not in the group"):
                commitments.add(session, outsider, "Call", meeting=meeting)
            session.rollback()
            assert session.exec(select(Attendance)).all() == []
    finally:
        db.dispose()


def test_an_imported_pause_that_ends_before_the_member_joined_is_refused(
    tmp_path: Path,
) -> None:
    cli = Cli(tmp_path / "community" / "peerkit.db")
    cli.ok("init", "--community", "C", "--timezone", "Europe/Rome")
    csv_file = tmp_path / "members.csv"
    csv_file.write_text(
        "name,email,status,paused_until,joined\n"
        "Anna,anna@example.com,paused,2026-01-10,2026-03-01\n",
        encoding="utf-8",
    )
    result = cli("member", "import", str(csv_file))
    assert result.exit_code == 1, result.stderr
    assert "paused_until: the pause ends (2026-01-10) before the member joined (2026-03-01)" in (
        result.stderr
    )
    assert cli.ok("member", "list", "-f", "json").stdout.strip() == "[]"
