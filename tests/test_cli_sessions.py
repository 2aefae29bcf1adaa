"""`peerkit session ...` through the CLI: plan, list, show, move, cancel, attend, notes.

Exit code, stdout and stderr are asserted separately. Sessions are stored as UTC plus
the IANA zone and shown in their own zone (cli.md); a group meets at the same local
wall-clock time all year, across daylight-saving changes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import Cli, Result, assert_error, assert_usage_error

AddMember = Callable[..., int]

SESSION_KEYS = {
    "id",
    "group",
    "start",
    "end",
    "timezone",
    "status",
    "sequence",
    "uid",
    "location",
    "hot_seat",
    "facilitator",
    "attendance",
    "answers",
}
# Keys beyond the contract that peerkit also shows (documented in docs/).
SESSION_EXTRA_KEYS = {"timekeeper", "notes", "cancel_reason"} | {
    "version",
    "changed_by",
    "changed_at",
}
ROW_VERSION_KEYS = ("version", "changed_by", "changed_at")  # session show adds them


# --- helpers --------------------------------------------------------------------------------------


def as_json(result: Result) -> Any:
    return json.loads(result.stdout)


def show(cli: Cli, session_id: int | str) -> dict[str, Any]:
    return as_json(cli.ok("session", "show", str(session_id), "--format", "json"))


def sessions(cli: Cli, *options: str) -> list[dict[str, Any]]:
    return as_json(cli.ok("session", "list", "--format", "json", *options))


def plan(cli: Cli, group: str, *options: str) -> list[dict[str, Any]]:
    return as_json(cli.ok("session", "plan", group, *options, "--format", "json"))


def starts(rows: list[dict[str, Any]]) -> list[str]:
    return [r["start"] for r in rows]


def instant(text: str) -> datetime:
    parsed = datetime.fromisoformat(text)
    assert parsed.tzinfo is not None, f"{text} has no UTC offset"
    return parsed


def assert_session_shape(obj: dict[str, Any]) -> None:
    assert set(obj) >= SESSION_KEYS
    assert set(obj) - SESSION_KEYS <= SESSION_EXTRA_KEYS


@pytest.fixture
def people(add_member: AddMember) -> dict[str, int]:
    return {
        "anna": add_member("Anna Bianchi", "anna@example.com"),
        "bruno": add_member("Bruno Verdi", "bruno@example.com"),
        "carla": add_member("Carla Neri", "carla@example.com"),
    }


@pytest.fixture
def rome(cli: Cli, people: dict[str, int]) -> str:
    """A weekly Tuesday 18:30 Europe/Rome group, first meeting 2027-03-02."""
    cli.ok(
        "group", "create", "Roma", "--timezone", "Europe/Rome", "--day", "tue",
        "--time", "18:30", "--start", "2027-03-02", "--location", "Via Roma 1",
        "--member", "1", "--member", "2", "--member", "3",
    )  # fmt: skip
    return "roma"


@pytest.fixture
def planned(cli: Cli, rome: str) -> list[dict[str, Any]]:
    """Four meetings: 2, 9, 16 and 23 March 2027."""
    return plan(cli, rome, "--from", "2027-03-01", "--count", "4")


# --- plan -----------------------------------------------------------------------------------------


def test_plan_from_a_date_with_a_count(cli: Cli, rome: str) -> None:
    cli.ok("init", "--timezone", "Europe/Rome")
    result = cli("session", "plan", rome, "--from", "2027-03-01", "--count", "3")
    assert result.exit_code == 0
    # The table shows the community's clock, with the zone (this computer is on UTC).
    assert "Tue 2 Mar 18:30 CET" in result.stdout
    assert "Tue 16 Mar 18:30 CET" in result.stdout
    assert "Added 3 meeting(s); 0 already existed." in result.stderr
    assert starts(sessions(cli)) == [
        "2027-03-02T18:30:00+01:00",
        "2027-03-09T18:30:00+01:00",
        "2027-03-16T18:30:00+01:00",
    ]


def test_plan_json_says_what_was_created(cli: Cli, rome: str) -> None:
    rows = plan(cli, rome, "--from", "2027-03-01", "--count", "2")
    assert [(r["id"], r["group"], r["created"]) for r in rows] == [(1, rome, True), (2, rome, True)]
    for row in rows:
        assert_session_shape({k: v for k, v in row.items() if k != "created"})


def test_plan_again_adds_nothing(cli: Cli, rome: str) -> None:
    first = plan(cli, rome, "--from", "2027-03-01", "--count", "3")
    result = cli("session", "plan", rome, "--from", "2027-03-01", "--count", "3", "-f", "json")
    assert result.exit_code == 0
    assert "Added 0 meeting(s); 3 already existed." in result.stderr
    again = as_json(result)
    assert [r["created"] for r in again] == [False, False, False]
    assert [(r["id"], r["uid"]) for r in again] == [(r["id"], r["uid"]) for r in first]
    assert len(sessions(cli)) == 3


def test_plan_overlapping_ranges_adds_only_the_new_ones(cli: Cli, rome: str) -> None:
    plan(cli, rome, "--from", "2027-03-01", "--count", "2")
    rows = plan(cli, rome, "--from", "2027-03-01", "--count", "4")
    assert [r["created"] for r in rows] == [False, False, True, True]
    assert len(sessions(cli)) == 4


def test_plan_until_a_date_is_inclusive(cli: Cli, rome: str) -> None:
    rows = plan(cli, rome, "--from", "2027-03-01", "--until", "2027-03-16")
    assert starts(rows) == [
        "2027-03-02T18:30:00+01:00",
        "2027-03-09T18:30:00+01:00",
        "2027-03-16T18:30:00+01:00",
    ]


def test_plan_defaults_to_one_meeting_from_today(cli: Cli) -> None:
    # PEERKIT_TODAY is Friday 2026-11-27: the next Tuesday is 1 December.
    cli.ok("group", "create", "Weekly", "--day", "tue", "--timezone", "Europe/Rome")
    rows = plan(cli, "weekly")
    assert starts(rows) == ["2026-12-01T18:30:00+01:00"]


def test_plan_never_goes_before_the_first_meeting(cli: Cli, rome: str) -> None:
    rows = plan(cli, rome, "--from", "2027-01-01", "--count", "1")
    assert starts(rows) == ["2027-03-02T18:30:00+01:00"]


def test_plan_biweekly(cli: Cli) -> None:
    cli.ok("group", "create", "Fortnight", "--cadence", "biweekly", "--start", "2026-12-01")
    rows = plan(cli, "fortnight", "--from", "2026-12-02", "--count", "3")
    assert [r["start"][:10] for r in rows] == ["2026-12-15", "2026-12-29", "2027-01-12"]


def test_plan_monthly_keeps_the_weekday_of_the_month(cli: Cli) -> None:
    # 8 December 2026 is the second Tuesday of the month.
    cli.ok("group", "create", "Monthly", "--cadence", "monthly", "--start", "2026-12-08")
    rows = plan(cli, "monthly", "--from", "2026-12-01", "--count", "4")
    assert [r["start"][:10] for r in rows] == [
        "2026-12-08",
        "2027-01-12",
        "2027-02-09",
        "2027-03-09",
    ]


def test_local_time_is_kept_across_daylight_saving(cli: Cli, rome: str) -> None:
    # Rome moves to summer time on 28 March 2027 and back on 31 October 2027.
    rows = plan(cli, rome, "--from", "2027-03-20", "--count", "2")
    assert starts(rows) == ["2027-03-23T18:30:00+01:00", "2027-03-30T18:30:00+02:00"]
    rows = plan(cli, rome, "--from", "2027-10-25", "--count", "2")
    assert starts(rows) == ["2027-10-26T18:30:00+02:00", "2027-11-02T18:30:00+01:00"]
    for row in sessions(cli):
        assert row["end"][11:16] == "20:00"


def test_plan_dry_run_writes_nothing(cli: Cli, rome: str) -> None:
    result = cli("session", "plan", rome, "--from", "2027-03-01", "--count", "3", "--dry-run")
    assert result.exit_code == 0
    assert "Tue 2 Mar" in result.stdout
    assert "Would add 3 meeting(s)" in result.stderr
    assert sessions(cli) == []
    # and the real run afterwards creates them all
    assert [r["created"] for r in plan(cli, rome, "--from", "2027-03-01", "--count", "3")] == [
        True,
        True,
        True,
    ]


def test_plan_with_count_and_until_is_a_usage_error(cli: Cli, rome: str) -> None:
    result = cli("session", "plan", rome, "--count", "2", "--until", "2027-05-01")
    assert_usage_error(result, "--count", "--until")
    assert sessions(cli) == []


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        (["--count", "0"], "--count"),
        (["--count", "-3"], "--count"),
        (["--count", "100000"], "--count"),
        (["--from", "2027-02-30"], "--from"),
        (["--from", "tomorrow"], "--from"),
        (["--until", "someday"], "--until"),
    ],
)
def test_plan_refuses_bad_values(cli: Cli, rome: str, options: list[str], fragment: str) -> None:
    assert_error(cli("session", "plan", rome, *options), fragment)
    assert sessions(cli) == []


def test_plan_refuses_too_many_meetings_at_once(cli: Cli, rome: str) -> None:
    assert_error(cli("session", "plan", rome, "--until", "2099-01-01"), "at most")
    assert sessions(cli) == []


def test_plan_with_a_non_numeric_count_is_a_usage_error(cli: Cli, rome: str) -> None:
    assert_usage_error(cli("session", "plan", rome, "--count", "many"), "--count")


def test_plan_unknown_group(cli: Cli) -> None:
    assert_error(cli("session", "plan", "ghost", "--count", "1"), "ghost")


def test_plan_without_group_is_a_usage_error(cli: Cli) -> None:
    assert_usage_error(cli("session", "plan"), "G")


# --- list -----------------------------------------------------------------------------------------


def test_list_table(cli: Cli, planned: list[dict[str, Any]]) -> None:
    result = cli("session", "list")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert "roma" in result.stdout
    # No community zone was set: the table is on UTC, as is this computer (no zone shown).
    assert "Tue 23 Mar 17:30 " in result.stdout
    assert "2027-03-23" not in result.stdout


def test_list_table_names_people_on_the_communitys_clock(
    cli: Cli, planned: list[dict[str, Any]]
) -> None:
    cli.ok("init", "--timezone", "Europe/Rome", "--locale", "it")
    cli.ok("plan", "week", "--week", "2027-W10", "--out", str(cli.db_path.parent / "out"))
    shown = show(cli, 2)
    assert shown["hot_seat"]
    result = cli.ok("session", "list")
    # In the community's language and zone; the reader's computer is on UTC, so CET is said.
    assert "mar 9 mar 18:30 CET" in result.stdout
    names = {1: "Anna Bianchi", 2: "Bruno Verdi", 3: "Carla Neri"}
    line = next(row for row in result.stdout.splitlines() if "mar 9 mar" in row)
    assert ", ".join(names[i] for i in shown["hot_seat"]) in line
    assert (
        json.loads(cli.ok("session", "list", "-f", "json").stdout)[1]["hot_seat"]
        == (shown["hot_seat"])
    )


def test_list_json_is_every_session(cli: Cli, planned: list[dict[str, Any]]) -> None:
    rows = sessions(cli)
    assert [r["id"] for r in rows] == [1, 2, 3, 4]
    for row in rows:
        assert_session_shape(row)
    shown = show(cli, 1)
    assert list(shown)[-3:] == list(ROW_VERSION_KEYS)
    assert rows[0] == {k: v for k, v in shown.items() if k not in ROW_VERSION_KEYS}


def test_list_csv_has_the_json_keys_as_columns(cli: Cli, planned: list[dict[str, Any]]) -> None:
    """cli.md: CSV columns are the same names as the JSON keys."""
    result = cli.ok("session", "list", "--format", "csv")
    assert result.stderr == ""
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert [r["id"] for r in rows] == ["1", "2", "3", "4"]
    missing = SESSION_KEYS - set(rows[0])
    assert missing == set(), f"missing CSV columns: {sorted(missing)}"


def test_list_empty(cli: Cli) -> None:
    cli.ok("db", "path")
    result = cli("session", "list")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "No sessions" in result.stderr
    assert sessions(cli) == []


def test_list_by_group(cli: Cli, planned: list[dict[str, Any]]) -> None:
    cli.ok("group", "create", "Other", "--start", "2027-03-04")
    plan(cli, "other", "--from", "2027-03-01", "--count", "2")
    assert {r["group"] for r in sessions(cli)} == {"roma", "other"}
    assert [r["group"] for r in sessions(cli, "--group", "other")] == ["other", "other"]
    assert [r["id"] for r in sessions(cli, "--group", "1")] == [1, 2, 3, 4]


def test_list_unknown_group(cli: Cli, planned: list[dict[str, Any]]) -> None:
    assert_error(cli("session", "list", "--group", "ghost"), "ghost")


def test_list_from_to_is_inclusive(cli: Cli, planned: list[dict[str, Any]]) -> None:
    rows = sessions(cli, "--from", "2027-03-09", "--to", "2027-03-16")
    assert starts(rows) == ["2027-03-09T18:30:00+01:00", "2027-03-16T18:30:00+01:00"]
    assert starts(sessions(cli, "--from", "2027-03-16")) == [
        "2027-03-16T18:30:00+01:00",
        "2027-03-23T18:30:00+01:00",
    ]
    assert starts(sessions(cli, "--to", "2027-03-02")) == ["2027-03-02T18:30:00+01:00"]
    assert sessions(cli, "--from", "2027-03-10", "--to", "2027-03-15") == []


def test_list_dates_are_in_the_sessions_own_zone(cli: Cli) -> None:
    """Tuesday 08:00 in Auckland is Monday in UTC; Tuesday 20:00 in Los Angeles is
    Wednesday in UTC. Both are Tuesday meetings, listed on Tuesday."""
    cli.ok(
        "group", "create", "Kiwi", "--timezone", "Pacific/Auckland", "--day", "tue",
        "--time", "08:00", "--start", "2026-12-01",
    )  # fmt: skip
    cli.ok(
        "group", "create", "Angels", "--timezone", "America/Los_Angeles", "--day", "tue",
        "--time", "20:00", "--start", "2026-12-01",
    )  # fmt: skip
    plan(cli, "kiwi", "--from", "2026-12-01", "--count", "2")
    plan(cli, "angels", "--from", "2026-12-01", "--count", "2")
    tuesday = sessions(cli, "--from", "2026-12-01", "--to", "2026-12-01")
    assert sorted((r["group"], r["start"]) for r in tuesday) == [
        ("angels", "2026-12-01T20:00:00-08:00"),
        ("kiwi", "2026-12-01T08:00:00+13:00"),
    ]
    assert sessions(cli, "--from", "2026-11-30", "--to", "2026-11-30") == []
    assert sessions(cli, "--from", "2026-12-02", "--to", "2026-12-02") == []


def test_list_in_the_viewers_time_zone(cli: Cli, planned: list[dict[str, Any]]) -> None:
    result = cli("session", "list", "--timezone", "America/New_York", "--to", "2027-03-09")
    assert result.exit_code == 0
    assert result.stderr == ""
    # 18:30 in Rome is 12:30 in New York on 9 March (New York is still on standard time);
    # the reader gave their zone, so none is added.
    assert "Tue 9 Mar 12:30 " in result.stdout
    assert "Tue 2 Mar 12:30 " in result.stdout


def test_list_json_with_a_viewer_zone_keeps_start_and_adds_the_viewers_time(
    cli: Cli, planned: list[dict[str, Any]]
) -> None:
    rows = sessions(cli, "--timezone", "America/New_York")
    # New York moves to summer time on 14 March 2027, Rome on 28 March.
    assert [r["start"] for r in rows][:3] == [
        "2027-03-02T18:30:00+01:00",
        "2027-03-09T18:30:00+01:00",
        "2027-03-16T18:30:00+01:00",
    ]
    viewer = [
        [v for v in r.values() if isinstance(v, str) and v.endswith(("-05:00", "-04:00"))]
        for r in rows
    ]
    assert "2027-03-09T12:30:00-05:00" in viewer[1]
    assert "2027-03-16T13:30:00-04:00" in viewer[2]


def test_list_refuses_an_unknown_viewer_zone(cli: Cli, planned: list[dict[str, Any]]) -> None:
    assert_error(cli("session", "list", "--timezone", "Europe"), "unknown time zone")


def test_list_refuses_a_bad_date(cli: Cli, planned: list[dict[str, Any]]) -> None:
    assert_error(cli("session", "list", "--from", "03/09/2027"), "--from")
    assert_error(cli("session", "list", "--to", "2027-02-30"), "--to")


# --- show -----------------------------------------------------------------------------------------


def test_show_json(cli: Cli, planned: list[dict[str, Any]]) -> None:
    result = cli.ok("session", "show", "2", "--format", "json")
    assert result.stderr == ""
    shown = as_json(result)
    assert_session_shape(shown)
    expected = {
        "id": 2,
        "group": "roma",
        "start": "2027-03-09T18:30:00+01:00",
        "end": "2027-03-09T20:00:00+01:00",
        "timezone": "Europe/Rome",
        "status": "planned",
        "sequence": 0,
        "location": "Via Roma 1",
        "hot_seat": [],
        "facilitator": None,
        "attendance": [],
    }
    assert {key: shown[key] for key in expected} == expected
    assert isinstance(shown["uid"], str)
    assert len(shown["uid"]) > 10
    assert len({show(cli, r["id"])["uid"] for r in planned}) == 4


def test_show_table(cli: Cli, planned: list[dict[str, Any]]) -> None:
    cli.ok("init", "--timezone", "Europe/Rome")
    result = cli.ok("session", "show", "2")
    assert result.stderr == ""
    for text in ("roma", "Tue 9 Mar 18:30 CET", "Europe/Rome", "planned", "Via Roma 1"):
        assert text in result.stdout


@pytest.mark.parametrize("ref", ["99", "abc", "0", "#42"])
def test_show_unknown_session(cli: Cli, planned: list[dict[str, Any]], ref: str) -> None:
    assert_error(cli("session", "show", ref), ref)


def test_show_unknown_session_points_to_the_list(cli: Cli, planned: list[dict[str, Any]]) -> None:
    assert_error(cli("session", "show", "99"), "99", "peerkit session list")


# --- move -----------------------------------------------------------------------------------------


def test_move_raises_the_sequence_and_keeps_the_uid(
    cli: Cli, planned: list[dict[str, Any]]
) -> None:
    before = show(cli, 2)
    result = cli("session", "move", "2", "--to", "2027-03-10 19:00")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "2027-03-10T19:00:00+01:00" in result.stderr
    after = show(cli, 2)
    assert after["start"] == "2027-03-10T19:00:00+01:00"
    assert after["end"] == "2027-03-10T20:30:00+01:00"
    assert after["sequence"] == before["sequence"] + 1
    assert after["uid"] == before["uid"]
    assert after["status"] == "planned"


def test_move_twice_raises_the_sequence_twice(cli: Cli, planned: list[dict[str, Any]]) -> None:
    cli.ok("session", "move", "2", "--to", "2027-03-10 19:00")
    cli.ok("session", "move", "2", "--to", "2027-03-11 19:00")
    assert show(cli, 2)["sequence"] == 2


def test_move_in_a_given_zone(cli: Cli, planned: list[dict[str, Any]]) -> None:
    uid = show(cli, 2)["uid"]
    cli.ok("session", "move", "2", "--to", "2027-03-10 13:00", "--timezone", "America/New_York")
    after = show(cli, 2)
    wanted = datetime(2027, 3, 10, 13, 0, tzinfo=ZoneInfo("America/New_York"))
    assert instant(after["start"]) == wanted
    assert (after["sequence"], after["uid"]) == (1, uid)


def test_move_does_not_bring_the_old_slot_back(cli: Cli, planned: list[dict[str, Any]]) -> None:
    cli.ok("session", "move", "2", "--to", "2027-03-10 19:00")
    rows = plan(cli, "roma", "--from", "2027-03-01", "--count", "4")
    assert [r["created"] for r in rows] == [False, False, False, False]
    assert len(sessions(cli)) == 4


def test_move_a_cancelled_session_is_refused(cli: Cli, planned: list[dict[str, Any]]) -> None:
    cli.ok("session", "cancel", "2")
    before = show(cli, 2)
    assert_error(cli("session", "move", "2", "--to", "2027-03-10 19:00"), "cancelled")
    assert show(cli, 2) == before


@pytest.mark.parametrize(
    ("to", "fragment"),
    [
        ("tomorrow", "--to"),
        ("2027-03-10", "--to"),
        ("2027-13-10 19:00", "--to"),
        ("2027-03-10 25:00", "25:00"),
        ("2027-03-10 7pm", "7pm"),
    ],
)
def test_move_refuses_a_bad_time(
    cli: Cli, planned: list[dict[str, Any]], to: str, fragment: str
) -> None:
    before = show(cli, 2)
    assert_error(cli("session", "move", "2", "--to", to), fragment)
    assert show(cli, 2) == before


def test_move_refuses_an_unknown_zone(cli: Cli, planned: list[dict[str, Any]]) -> None:
    result = cli("session", "move", "2", "--to", "2027-03-10 19:00", "--timezone", "../etc/x")
    assert_error(result, "unknown time zone")
    assert show(cli, 2)["sequence"] == 0


def test_move_without_to_is_a_usage_error(cli: Cli, planned: list[dict[str, Any]]) -> None:
    assert_usage_error(cli("session", "move", "2"), "--to")


def test_move_unknown_session(cli: Cli, planned: list[dict[str, Any]]) -> None:
    assert_error(cli("session", "move", "99", "--to", "2027-03-10 19:00"), "99")


# --- cancel ---------------------------------------------------------------------------------------


def test_cancel(cli: Cli, planned: list[dict[str, Any]]) -> None:
    before = show(cli, 2)
    result = cli("session", "cancel", "2", "--reason", "Holiday")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "Cancelled session 2" in result.stderr
    after = show(cli, 2)
    assert after["status"] == "cancelled"
    assert after["sequence"] == before["sequence"] + 1
    assert after["uid"] == before["uid"]
    assert after.get("cancel_reason", "Holiday") == "Holiday"
    assert [r["id"] for r in sessions(cli)] == [1, 2, 3, 4]  # kept


def test_cancel_twice_is_idempotent(cli: Cli, planned: list[dict[str, Any]]) -> None:
    cli.ok("session", "cancel", "2")
    result = cli("session", "cancel", "2")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "already cancelled" in result.stderr
    assert show(cli, 2)["sequence"] == 1


def test_a_cancelled_session_is_never_planned_again(
    cli: Cli, planned: list[dict[str, Any]]
) -> None:
    cli.ok("session", "cancel", "2")
    rows = plan(cli, "roma", "--from", "2027-03-01", "--until", "2027-03-23")
    assert [(r["id"], r["status"], r["created"]) for r in rows] == [
        (1, "planned", False),
        (2, "cancelled", False),
        (3, "planned", False),
        (4, "planned", False),
    ]
    on_the_day = sessions(cli, "--from", "2027-03-09", "--to", "2027-03-09")
    assert [(r["id"], r["status"]) for r in on_the_day] == [(2, "cancelled")]


def test_a_cancelled_session_is_never_recreated_by_plan_week(
    cli: Cli, planned: list[dict[str, Any]], tmp_path: Path
) -> None:
    cli.ok("session", "cancel", "2")
    # 9 March 2027 is in ISO week 2027-W10.
    out = tmp_path / "out"
    result = cli.ok("plan", "week", "--week", "2027-W10", "--out", str(out), "-f", "json")
    rows = [r for r in as_json(result) if r["group"] == "roma"]
    assert [(r["session"], r["status"]) for r in rows] == [(2, "cancelled")]
    on_the_day = sessions(cli, "--from", "2027-03-09", "--to", "2027-03-09")
    assert [(r["id"], r["status"]) for r in on_the_day] == [(2, "cancelled")]
    assert show(cli, 2)["sequence"] == 1
    assert list((out / "2027-W10" / "roma").glob("invite*.eml")) == []


def test_cancel_unknown_session(cli: Cli, planned: list[dict[str, Any]]) -> None:
    assert_error(cli("session", "cancel", "99"), "99")


# --- attend ---------------------------------------------------------------------------------------


def test_attend_records_who_came_and_marks_the_session_done(
    cli: Cli, planned: list[dict[str, Any]], people: dict[str, int]
) -> None:
    result = cli(
        "session", "attend", "1", "--present", "Anna Bianchi", "--present", "3",
        "--absent", "bruno@example.com",
    )  # fmt: skip
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "2 present, 1 absent" in result.stderr
    shown = show(cli, 1)
    assert shown["status"] == "done"
    assert sorted((a["member"], a["status"]) for a in shown["attendance"]) == [
        (people["anna"], "present"),
        (people["bruno"], "absent"),
        (people["carla"], "present"),
    ]


def test_attend_again_corrects_the_record(
    cli: Cli, planned: list[dict[str, Any]], people: dict[str, int]
) -> None:
    cli.ok("session", "attend", "1", "--absent", "1")
    cli.ok("session", "attend", "1", "--present", "1")
    assert show(cli, 1)["attendance"] == [{"member": people["anna"], "status": "present"}]


def test_attend_unknown_member_records_nothing(
    cli: Cli, planned: list[dict[str, Any]], people: dict[str, int]
) -> None:
    result = cli("session", "attend", "1", "--present", "1", "--absent", "Bruno")
    assert_error(result, "Bruno", "Bruno Verdi")
    shown = show(cli, 1)
    assert (shown["status"], shown["attendance"]) == ("planned", [])


def test_attend_same_member_both_ways_is_a_usage_error(
    cli: Cli, planned: list[dict[str, Any]]
) -> None:
    result = cli("session", "attend", "1", "--present", "1", "--absent", "anna@example.com")
    assert_usage_error(result, "--present", "--absent")
    shown = show(cli, 1)
    assert (shown["status"], shown["attendance"]) == ("planned", [])


def test_attend_without_anyone_is_a_usage_error(cli: Cli, planned: list[dict[str, Any]]) -> None:
    assert_usage_error(cli("session", "attend", "1"), "--present")
    assert show(cli, 1)["status"] == "planned"


def test_attend_a_cancelled_session_is_refused(cli: Cli, planned: list[dict[str, Any]]) -> None:
    cli.ok("session", "cancel", "1")
    assert_error(cli("session", "attend", "1", "--present", "1"), "cancelled")
    assert show(cli, 1)["status"] == "cancelled"


def test_attend_unknown_session(cli: Cli, planned: list[dict[str, Any]]) -> None:
    assert_error(cli("session", "attend", "99", "--present", "1"), "99")


# --- notes ----------------------------------------------------------------------------------------


def test_notes_text_saves_and_no_option_prints(cli: Cli, planned: list[dict[str, Any]]) -> None:
    result = cli("session", "notes", "1", "--text", "Anna found a new client.")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "Saved the notes of session 1" in result.stderr
    printed = cli("session", "notes", "1")
    assert printed.exit_code == 0
    assert printed.stdout == "Anna found a new client.\n"
    assert printed.stderr == ""


def test_notes_keep_several_lines(cli: Cli, planned: list[dict[str, Any]]) -> None:
    cli.ok("session", "notes", "1", "--text", "First line\nSecond line")
    assert cli.ok("session", "notes", "1").stdout == "First line\nSecond line\n"


def test_notes_text_replaces_earlier_notes(cli: Cli, planned: list[dict[str, Any]]) -> None:
    cli.ok("session", "notes", "1", "--text", "Draft")
    cli.ok("session", "notes", "1", "--text", "Final")
    assert cli.ok("session", "notes", "1").stdout == "Final\n"


def test_notes_of_a_session_without_notes_print_nothing(
    cli: Cli, planned: list[dict[str, Any]]
) -> None:
    result = cli("session", "notes", "2")
    assert result.exit_code == 0
    assert result.stdout == ""


def test_notes_edit_without_a_terminal_is_a_usage_error(
    cli: Cli, planned: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDITOR", "false")
    monkeypatch.setenv("VISUAL", "false")
    cli.ok("session", "notes", "1", "--text", "Keep me")
    assert_usage_error(cli("session", "notes", "1", "--edit"), "--edit", "--text")
    assert cli.ok("session", "notes", "1").stdout == "Keep me\n"


def test_notes_text_and_edit_together_is_a_usage_error(
    cli: Cli, planned: list[dict[str, Any]]
) -> None:
    assert_usage_error(cli("session", "notes", "1", "--text", "x", "--edit"), "--text", "--edit")
    assert cli.ok("session", "notes", "1").stdout == ""


def test_notes_refuse_control_characters(cli: Cli, planned: list[dict[str, Any]]) -> None:
    assert_error(cli("session", "notes", "1", "--text", "bad \x1b[2J escape"), "control")
    assert cli.ok("session", "notes", "1").stdout == ""


def test_notes_unknown_session(cli: Cli, planned: list[dict[str, Any]]) -> None:
    assert_error(cli("session", "notes", "99"), "99")
