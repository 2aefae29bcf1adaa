"""`peerkit stats` through the CLI: groups, members, at risk, give and take, filters, formats.

The communities are built through the CLI only. Hot seats are given by `plan week`, which
rotates them among the group's members active on the meeting date, so the members and groups
are created with PEERKIT_TODAY set before the meetings, the weeks are planned, and then the
clock goes back to tests/conftest.py's 2026-11-27 to take attendance and add the rest.

Every expected number below is worked out by hand from the tables in the docstrings.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXED_TODAY, Cli, Result, assert_error

BEFORE = "2026-09-01"  # the day the communities are set up, before any meeting

GROUP_KEYS = {
    "group",
    "name",
    "sessions",
    "attendance_rate",
    "hot_seats",
    "commitments_done",
    "commitments_open",
    "commitments_dropped",
    "commitments_kept",
    "attendance_trend",
}
MEMBER_KEYS = {
    "member",
    "name",
    "attended",
    "missed",
    "no_shows",
    "hot_seats",
    "commitments_done",
    "commitments_open",
    "mentoring_given",
    "mentoring_received",
    "facilitated",
    "gives",
    "receives",
    "at_risk",
    "attendance",
    "outside_hours",
}
CONTRACT_GROUP_KEYS = {"group", "sessions", "attendance_rate"}
CONTRACT_MEMBER_KEYS = {
    "member",
    "attended",
    "missed",
    "hot_seats",
    "commitments_done",
    "commitments_open",
    "at_risk",
}

P, A = "present", "absent"


# --- helpers --------------------------------------------------------------------------------------


def as_json(result: Result) -> Any:
    return json.loads(result.stdout)


def stats(cli: Cli, *options: str) -> dict[str, Any]:
    result = cli.ok("stats", *options, "--format", "json")
    return as_json(result)


def by_member(found: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {m["member"]: m for m in found["members"]}


def by_group(found: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {g["group"]: g for g in found["groups"]}


def member_counts(row: dict[str, Any]) -> tuple[Any, ...]:
    """(attended, missed, hot seats, c. done, c. open, mentoring given, received, at risk)."""
    return (
        row["attended"],
        row["missed"],
        row["hot_seats"],
        row["commitments_done"],
        row["commitments_open"],
        row["mentoring_given"],
        row["mentoring_received"],
        row["at_risk"],
    )


def add(cli: Cli, name: str, email: str) -> int:
    return int(cli.ok("member", "add", name, "--email", email).stdout.strip())


def attend(cli: Cli, session: int, present: list[int], absent: list[int]) -> None:
    args = [x for i in present for x in ("--present", str(i))]
    args += [x for i in absent for x in ("--absent", str(i))]
    cli.ok("session", "attend", str(session), *args)


def plan_weeks(cli: Cli, out: Path, *weeks: int) -> None:
    for week in weeks:
        cli.ok("plan", "week", "--week", f"2026-W{week}", "--out", str(out))


def hot_seat(cli: Cli, session: int) -> list[int]:
    return as_json(cli.ok("session", "show", str(session), "--format", "json"))["hot_seat"]


# --- the community --------------------------------------------------------------------------------

# Tuesday Circle (45 minutes: one hot seat a meeting), facilitator Anna (1), members 2-5;
# Fabio (6) joins on 2026-11-27, after the meetings. Sessions 1-8 are the Tuesdays from
# 6 October to 24 November; 1-6 are held, 7 stays planned, 8 is cancelled.
#
#   session  date    hot seat   present       absent   rate
#   1        Oct 6   1          1, 3, 4       2, 5     0.6
#   2        Oct 13  2          1, 2, 3, 4    5        0.8
#   3        Oct 20  3          1, 2, 3, 5    4        0.8
#   4        Oct 27  4          1, 3, 4, 5    2        0.8
#   5        Nov 3   5          1, 2, 4, 5    3        0.8
#   6        Nov 10  1          1, 2, 5       3, 4     0.6
#
# 22 present, 8 absent: 22/30 = 0.733. The last four held meetings are 3-6:
# Bruno (2) missed 1 and 4 (one of the last four): not at risk; Carla (3) missed 5 and 6: at
# risk; Dario (4) missed 3 and 6: at risk; Elena (5) missed 1 and 2 (before the last four): not.
#
# Thursday (Gina 7, Hugo 8), sessions 9 (Nov 5, hot seat 7, both present) and 10 (Nov 12,
# hot seat 8, Hugo present, Gina absent): 3/4 = 0.75, trend [1.0, 0.5].
#
# Commitments: 1 Anna at 1 (done), 2 Anna at 5 (open), 3 Bruno at 2 (dropped), 4 Carla at 3
# (done), 5 Elena at 6 (open), 6 Gina at 9 (open).
# Mentoring: Fabio mentors Carla, Dario mentors Elena.

ANNA, BRUNO, CARLA, DARIO, ELENA, FABIO, GINA, HUGO = range(1, 9)
NAMES = {
    ANNA: "Anna Bianchi",
    BRUNO: "Bruno Verdi",
    CARLA: "Carla Neri",
    DARIO: "Dario Russo",
    ELENA: "Elena Galli",
    FABIO: "Fabio Conti",
    GINA: "Gina Marino",
    HUGO: "Hugo Ferri",
}
TUE, THU = "tuesday-circle", "thursday"

ATTENDANCE = {
    1: ([ANNA, CARLA, DARIO], [BRUNO, ELENA]),
    2: ([ANNA, BRUNO, CARLA, DARIO], [ELENA]),
    3: ([ANNA, BRUNO, CARLA, ELENA], [DARIO]),
    4: ([ANNA, CARLA, DARIO, ELENA], [BRUNO]),
    5: ([ANNA, BRUNO, DARIO, ELENA], [CARLA]),
    6: ([ANNA, BRUNO, ELENA], [CARLA, DARIO]),
    9: ([GINA, HUGO], []),
    10: ([HUGO], [GINA]),
}


def build_community(cli: Cli, out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEERKIT_TODAY", BEFORE)
    for member_id, name in NAMES.items():
        assert add(cli, name, f"{name.split()[0].lower()}@example.com") == member_id
    cli.ok(
        "group", "create", "Tuesday Circle", "--day", "tue", "--timezone", "Europe/Rome",
        "--start", "2026-10-06", "--duration", "45", "--facilitator", str(ANNA),
        "--member", str(BRUNO), "--member", str(CARLA), "--member", str(DARIO),
        "--member", str(ELENA),
    )  # fmt: skip
    cli.ok(
        "group", "create", "Thursday", "--day", "thu", "--timezone", "Europe/Rome",
        "--start", "2026-11-05", "--duration", "45", "--member", str(GINA), "--member", str(HUGO),
    )  # fmt: skip
    cli.ok("session", "plan", TUE, "--from", "2026-10-01", "--count", "8")  # ids 1-8
    cli.ok("session", "plan", THU, "--from", "2026-11-01", "--count", "2")  # ids 9-10
    plan_weeks(cli, out, 41, 42, 43, 44, 45, 46)

    monkeypatch.setenv("PEERKIT_TODAY", FIXED_TODAY)
    seats = {s: hot_seat(cli, s) for s in (1, 2, 3, 4, 5, 6, 9, 10)}
    assert seats == {1: [1], 2: [2], 3: [3], 4: [4], 5: [5], 6: [1], 9: [7], 10: [8]}
    for session, (present, absent) in ATTENDANCE.items():
        attend(cli, session, present, absent)
    cli.ok("session", "cancel", "8")
    cli.ok("group", "add", TUE, str(FABIO))
    for ref, session in [(ANNA, 1), (ANNA, 5), (BRUNO, 2), (CARLA, 3), (ELENA, 6), (GINA, 9)]:
        cli.ok("commitment", "add", str(ref), f"promise at {session}", "--session", str(session))
    cli.ok("commitment", "done", "1")
    cli.ok("commitment", "drop", "3")
    cli.ok("commitment", "done", "4")
    cli.ok("mentor", "pair", str(FABIO), str(CARLA))
    cli.ok("mentor", "pair", str(DARIO), str(ELENA))


@pytest.fixture(scope="module")
def community_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The community, built once (in an environment like conftest's) and backed up to a file."""
    root = tmp_path_factory.mktemp("stats-community")
    home = root / "home"
    home.mkdir()
    with pytest.MonkeyPatch.context() as monkeypatch:
        for key in [k for k in os.environ if k.startswith("PEERKIT_")]:
            monkeypatch.delenv(key)
        monkeypatch.setenv("HOME", str(home))
        monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
        monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
        monkeypatch.setenv("NO_COLOR", "1")
        monkeypatch.setenv("COLUMNS", "200")
        cli = Cli(root / "build" / "peerkit.db")
        build_community(cli, root / "outbox", monkeypatch)
        saved = root / "community.db"
        cli.ok("db", "backup", str(saved))
    return saved


@pytest.fixture
def community(cli: Cli, db_path: Path, community_file: Path) -> Cli:
    """A fresh copy of the community for each test, at the ``cli`` fixture's database."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(community_file, db_path)
    return cli


# --- the whole community --------------------------------------------------------------------------


def test_json_has_the_contract_keys(community: Cli) -> None:
    found = stats(community)
    assert set(found) == {"groups", "members", "give_and_take", "since"}
    assert found["since"] is None
    for group in found["groups"]:
        assert set(group) >= CONTRACT_GROUP_KEYS
        assert set(group) == GROUP_KEYS
    for member in found["members"]:
        assert set(member) >= CONTRACT_MEMBER_KEYS
        assert set(member) == MEMBER_KEYS
    assert set(found["give_and_take"]) == {"only_receive", "only_give"}


def test_groups(community: Cli) -> None:
    found = stats(community)
    assert [g["group"] for g in found["groups"]] == [TUE, THU]
    assert by_group(found) == {
        TUE: {
            "group": TUE,
            "name": "Tuesday Circle",
            "sessions": 6,  # 7 is only planned, 8 cancelled
            "attendance_rate": 0.733,  # 22 / 30
            "hot_seats": 6,
            "commitments_done": 2,
            "commitments_open": 2,
            "commitments_dropped": 1,
            "commitments_kept": 0.667,  # 2 / 3
            "attendance_trend": [0.6, 0.8, 0.8, 0.8, 0.8, 0.6],
        },
        THU: {
            "group": THU,
            "name": "Thursday",
            "sessions": 2,
            "attendance_rate": 0.75,
            "hot_seats": 2,
            "commitments_done": 0,
            "commitments_open": 1,
            "commitments_dropped": 0,
            "commitments_kept": None,  # nothing settled yet
            "attendance_trend": [1.0, 0.5],
        },
    }


def test_members(community: Cli) -> None:
    found = stats(community)
    members = by_member(found)
    assert list(members) == [ANNA, BRUNO, CARLA, DARIO, ELENA, FABIO, GINA, HUGO]
    assert {i: m["name"] for i, m in members.items()} == NAMES
    # attended, missed, hot seats, c. done, c. open, mentoring given, received, at risk
    assert {i: member_counts(m) for i, m in members.items()} == {
        ANNA: (6, 0, 2, 1, 1, 0, 0, False),
        BRUNO: (4, 2, 1, 0, 0, 0, 0, False),
        CARLA: (4, 2, 1, 1, 0, 0, 1, True),
        DARIO: (4, 2, 1, 0, 0, 1, 0, True),
        ELENA: (4, 2, 1, 0, 1, 0, 1, False),
        FABIO: (0, 0, 0, 0, 0, 1, 0, False),
        GINA: (1, 1, 1, 0, 1, 0, 0, False),
        HUGO: (2, 0, 1, 0, 0, 0, 0, False),
    }
    assert {i: m["attendance"] for i, m in members.items()} == {
        ANNA: [P, P, P, P, P, P],
        BRUNO: [A, P, P, A, P, P],
        CARLA: [P, P, P, P, A, A],
        DARIO: [P, P, A, P, P, A],
        ELENA: [A, A, P, P, P, P],
        FABIO: [],
        GINA: [P, A],
        HUGO: [P, P],
    }
    assert members[ANNA]["facilitated"] == 6
    assert {i: (m["gives"], m["receives"]) for i, m in members.items()} == {
        ANNA: (6, 2),
        BRUNO: (0, 1),
        CARLA: (0, 2),
        DARIO: (1, 1),
        ELENA: (0, 2),
        FABIO: (1, 0),
        GINA: (0, 1),
        HUGO: (0, 1),
    }


def test_give_and_take(community: Cli) -> None:
    balance = stats(community)["give_and_take"]
    # Anna facilitates and had hot seats, Dario mentors and had one: they are in neither list.
    assert balance == {"only_receive": [BRUNO, CARLA, ELENA, GINA, HUGO], "only_give": [FABIO]}


def test_at_risk_follows_the_last_four_meetings(community: Cli) -> None:
    """One more meeting where everyone comes: the window moves on to sessions 4-7."""
    assert {i for i, m in by_member(stats(community)).items() if m["at_risk"]} == {CARLA, DARIO}
    attend(community, 7, [ANNA, BRUNO, CARLA, DARIO, ELENA, FABIO], [])
    members = by_member(stats(community))
    # Carla missed 5 and 6 (still two of 4-7); Dario now only 6 of 4-7 (3 is out of the window).
    assert {i for i, m in members.items() if m["at_risk"]} == {CARLA}
    assert (members[DARIO]["attended"], members[DARIO]["missed"]) == (5, 2)
    assert (members[FABIO]["attended"], members[FABIO]["missed"]) == (1, 0)


# --- --group and --since --------------------------------------------------------------------------


def test_group_restricts_to_one_group_and_its_members(community: Cli) -> None:
    found = stats(community, "--group", THU)
    assert [g["group"] for g in found["groups"]] == [THU]
    assert found["groups"][0]["sessions"] == 2
    assert [m["member"] for m in found["members"]] == [GINA, HUGO]
    assert found["give_and_take"] == {"only_receive": [GINA, HUGO], "only_give": []}

    by_id = stats(community, "--group", "1")
    assert [g["group"] for g in by_id["groups"]] == [TUE]
    assert [m["member"] for m in by_id["members"]] == [ANNA, BRUNO, CARLA, DARIO, ELENA, FABIO]
    assert by_id["groups"] == [by_group(stats(community))[TUE]]


def test_since_excludes_earlier_meetings(community: Cli) -> None:
    """From 1 November: sessions 5 and 6 of Tuesday, both of Thursday."""
    found = stats(community, "--since", "2026-11-01")
    assert found["since"] == "2026-11-01"
    tue = by_group(found)[TUE]
    assert (tue["sessions"], tue["attendance_rate"], tue["hot_seats"]) == (2, 0.7, 2)
    assert tue["attendance_trend"] == [0.8, 0.6]
    assert by_group(found)[THU]["sessions"] == 2
    members = by_member(found)
    assert {i: (m["attended"], m["missed"], m["hot_seats"]) for i, m in members.items()} == {
        ANNA: (2, 0, 1),
        BRUNO: (2, 0, 0),
        CARLA: (0, 2, 0),
        DARIO: (1, 1, 0),
        ELENA: (2, 0, 1),
        FABIO: (0, 0, 0),
        GINA: (1, 1, 1),
        HUGO: (2, 0, 1),
    }
    assert members[ANNA]["facilitated"] == 2
    assert members[ANNA]["attendance"] == [P, P]
    # Dario's absence from session 3 is out of the period: he is no longer at risk.
    assert {i for i, m in members.items() if m["at_risk"]} == {CARLA}
    # Mentorships started on 2026-11-27: still counted.
    assert (members[FABIO]["mentoring_given"], members[CARLA]["mentoring_received"]) == (1, 1)
    # Bruno had no hot seat in the period and gives nothing: in neither list; Dario's hot
    # seat (session 4) is out of it, so he only gives (he mentors Elena).
    assert found["give_and_take"] == {
        "only_receive": [CARLA, ELENA, GINA, HUGO],
        "only_give": [DARIO, FABIO],
    }


def test_since_after_every_meeting(community: Cli) -> None:
    found = stats(community, "--since", "2026-11-20")
    for group in found["groups"]:
        assert group["sessions"] == 0
        assert group["attendance_rate"] is None
        assert group["hot_seats"] == 0
        assert group["attendance_trend"] == []
    for member in found["members"]:
        assert (member["attended"], member["missed"], member["hot_seats"]) == (0, 0, 0)
        assert member["attendance"] == []
        assert member["at_risk"] is False


def test_since_counts_only_commitments_made_at_meetings_from_that_date(community: Cli) -> None:
    """docs/stats.md: with --since, "commitments made ... from that date too".

    Commitments 1, 3 and 4 were made at sessions 1, 2 and 3 (October); only 2 (session 5)
    and 5 (session 6) were made at Tuesday meetings from 1 November.
    """
    tue = by_group(stats(community, "--since", "2026-11-01"))[TUE]
    counts = (tue["commitments_done"], tue["commitments_open"], tue["commitments_dropped"])
    assert counts == (0, 2, 0)
    assert tue["commitments_kept"] is None


@pytest.mark.parametrize("value", ["yesterday", "2026-02-30", "01/11/2026", ""])
def test_bad_since_is_an_error(community: Cli, value: str) -> None:
    assert_error(community("stats", "--since", value), "--since")


def test_unknown_group_is_an_error(community: Cli) -> None:
    assert_error(community("stats", "--group", "ghost"), "ghost")
    assert_error(community("stats", "--group", "99", "--format", "json"), "99")


# --- formats --------------------------------------------------------------------------------------


def test_table(community: Cli) -> None:
    result = community("stats")
    assert result.exit_code == 0
    out = result.stdout
    assert "Groups" in out
    assert "Members" in out
    table = out[out.index("Members (") :]  # (the chart above names them too)
    lines = {
        key: [line for line in table.splitlines() if text in line] for key, text in NAMES.items()
    }
    assert all(len(found) == 1 for found in lines.values()), lines
    at_risk = {key for key, found in lines.items() if "AT RISK" in found[0]}
    assert at_risk == {CARLA, DARIO}
    # one mark per held meeting, oldest first
    assert "●●●●●●" in lines[ANNA][0]
    assert "○●●○●●" in lines[BRUNO][0]
    assert "●●●●○○" in lines[CARLA][0]
    assert "○○●●●●" in lines[ELENA][0]
    assert "●○" in lines[GINA][0]
    # sparkline per meeting (0.6 -> ▅, 0.8 -> ▇, 1.0 -> █, 0.5 -> ▄) then the rate
    tue = next(line for line in out.splitlines() if TUE in line)
    assert "▅▇▇▇▇▅ 73%" in tue
    assert "67%" in tue
    thu = next(line for line in out.splitlines() if THU in line)
    assert "█▄ 75%" in thu
    assert (
        "Only receive: Bruno Verdi, Carla Neri, Elena Galli, Gina Marino, Hugo Ferri."
        in result.stderr
    )
    assert "Only give: Fabio Conti." in result.stderr


def test_csv_has_a_header_and_one_row_per_member(community: Cli) -> None:
    result = community.ok("stats", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert [r["member"] for r in rows] == [str(i) for i in NAMES]
    assert [r["name"] for r in rows] == list(NAMES.values())
    assert set(rows[0]) >= CONTRACT_MEMBER_KEYS
    carla = rows[CARLA - 1]
    assert (carla["attended"], carla["missed"], carla["mentoring_received"]) == ("4", "2", "1")
    assert [r["at_risk"].lower() for r in rows] == [
        "false", "false", "true", "true", "false", "false", "false", "false",
    ]  # fmt: skip


def test_csv_of_one_group(community: Cli) -> None:
    result = community.ok("stats", "--group", THU, "--format", "csv")
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("member,")


# --- names and privacy ----------------------------------------------------------------------------


def test_a_forgotten_member_does_not_appear_by_name(community: Cli) -> None:
    community.ok("member", "forget", str(CARLA), "--yes")
    found = stats(community)
    assert CARLA not in by_member(found)
    assert CARLA not in found["give_and_take"]["only_receive"]
    # the counts are kept: Carla's marks still count for the group
    assert by_group(found)[TUE]["attendance_rate"] == 0.733
    for fmt in ("table", "json", "csv"):
        result = community.ok("stats", "--format", fmt)
        assert "Carla" not in result.stdout + result.stderr, fmt


def test_hostile_names_are_shown_literally(cli: Cli) -> None:
    bold = add(cli, "[bold]x[/bold]", "x@example.com")
    red = add(cli, "Mentor [red]y[/red]", "y@example.com")
    cli.ok("group", "create", "G", "--day", "tue", "--start", "2026-11-03", "--member", "1")
    cli.ok("group", "add", "g", str(red))
    cli.ok("session", "plan", "g", "--from", "2026-11-01", "--count", "1")
    attend(cli, 1, [bold], [red])
    cli.ok("mentor", "pair", str(red), str(bold))
    result = cli.ok("stats")
    assert "[bold]x[/bold]" in result.stdout
    assert "Mentor [red]y[/red]" in result.stdout
    assert "Only receive: [bold]x[/bold]." in result.stderr
    assert "Only give: Mentor [red]y[/red]." in result.stderr
    names = [m["name"] for m in stats(cli)["members"]]
    assert names == ["[bold]x[/bold]", "Mentor [red]y[/red]"]


# --- small cases ----------------------------------------------------------------------------------


def test_empty_community(cli: Cli) -> None:
    result = cli("stats")
    assert result.exit_code == 0
    assert "Groups" in result.stdout
    assert "Members" in result.stdout
    assert "Only" not in result.stderr
    assert stats(cli) == {
        "groups": [],
        "members": [],
        "give_and_take": {"only_receive": [], "only_give": []},
        "since": None,
    }
    assert stats(cli, "--since", "2026-01-01")["since"] == "2026-01-01"


def test_empty_csv_has_the_same_header_as_a_full_one(cli: Cli, tmp_path: Path) -> None:
    empty = cli.ok("stats", "--format", "csv").stdout.splitlines()
    other = Cli(tmp_path / "other" / "peerkit.db")
    add(other, "Solo Member", "solo@example.com")
    other.ok("group", "create", "Solo", "--day", "tue", "--start", "2026-12-01", "--member", "1")
    full = other.ok("stats", "--format", "csv").stdout.splitlines()
    assert len(full) == 2
    assert empty == [full[0]]


def test_group_without_meetings(cli: Cli) -> None:
    anna = add(cli, "Anna Bianchi", "anna@example.com")
    cli.ok("group", "create", "New", "--day", "tue", "--start", "2026-12-01", "--member", "1")
    cli.ok("session", "plan", "new", "--count", "2")
    found = stats(cli)
    assert found["groups"] == [
        {
            "group": "new",
            "name": "New",
            "sessions": 0,
            "attendance_rate": None,
            "hot_seats": 0,
            "commitments_done": 0,
            "commitments_open": 0,
            "commitments_dropped": 0,
            "commitments_kept": None,
            "attendance_trend": [],
        }
    ]
    assert member_counts(by_member(found)[anna]) == (0, 0, 0, 0, 0, 0, 0, False)
    table = cli.ok("stats")
    assert "new" in table.stdout
    assert "AT RISK" not in table.stdout


def test_a_missed_hot_seat_is_not_a_turn(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """rotation.py: a hot seat missed through absence is not a turn, so the member gets the
    next one. stats must not count it twice (docs/stats.md: "their turns on the hot seat")."""
    monkeypatch.setenv("PEERKIT_TODAY", BEFORE)
    ada = add(cli, "Ada", "ada@example.com")
    ben = add(cli, "Ben", "ben@example.com")
    cli.ok(
        "group", "create", "Pair", "--day", "tue", "--timezone", "Europe/Rome",
        "--start", "2026-10-06", "--duration", "45", "--member", "1", "--member", "2",
    )  # fmt: skip
    cli.ok("session", "plan", "pair", "--from", "2026-10-01", "--count", "2")
    plan_weeks(cli, tmp_path / "outbox", 41)
    assert hot_seat(cli, 1) == [ada]
    attend(cli, 1, [ben], [ada])
    plan_weeks(cli, tmp_path / "outbox", 42)
    assert hot_seat(cli, 2) == [ada]  # Ada missed her turn: she gets the next one
    attend(cli, 2, [ada, ben], [])
    monkeypatch.setenv("PEERKIT_TODAY", FIXED_TODAY)
    found = stats(cli)
    assert by_member(found)[ada]["hot_seats"] == 1
    assert by_group(found)["pair"]["hot_seats"] == 1


def test_facilitating_and_keeping_time_are_giving(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Xena, Yuri and Zoe; Yuri and Zoe take turns to facilitate and keep time.

    The one meeting: hot seat Xena (fewest turns, then the lowest id), facilitator Yuri (the
    first volunteer), timekeeper Zoe (the volunteer who is not facilitating).
    """
    monkeypatch.setenv("PEERKIT_TODAY", BEFORE)
    xena = add(cli, "Xena", "xena@example.com")
    yuri = add(cli, "Yuri", "yuri@example.com")
    zoe = add(cli, "Zoe", "zoe@example.com")
    cli.ok(
        "group", "create", "Trio", "--day", "tue", "--timezone", "Europe/Rome",
        "--start", "2026-10-06", "--duration", "45", "--member", "1",
    )  # fmt: skip
    cli.ok("group", "add", "trio", str(yuri), str(zoe), "--rotates")
    cli.ok("session", "plan", "trio", "--from", "2026-10-01", "--count", "1")
    plan_weeks(cli, tmp_path / "outbox", 41)
    shown = as_json(cli.ok("session", "show", "1", "--format", "json"))
    assert (shown["hot_seat"], shown["facilitator"], shown["timekeeper"]) == ([xena], yuri, zoe)
    monkeypatch.setenv("PEERKIT_TODAY", FIXED_TODAY)
    attend(cli, 1, [xena, yuri, zoe], [])
    found = stats(cli)
    members = by_member(found)
    assert {i: (m["facilitated"], m["gives"], m["receives"]) for i, m in members.items()} == {
        xena: (0, 0, 1),
        yuri: (1, 1, 0),
        zoe: (1, 1, 0),
    }
    assert found["give_and_take"] == {"only_receive": [xena], "only_give": [yuri, zoe]}


def test_since_leaves_out_mentorships_ended_before(community: Cli) -> None:
    """Mentorships 1 (Fabio -> Carla) and 2 (Dario -> Elena) started on 2026-11-27."""
    community.ok("mentor", "end", "2")  # ended on 2026-11-27
    members = by_member(stats(community, "--since", "2026-11-27"))
    assert (members[DARIO]["mentoring_given"], members[ELENA]["mentoring_received"]) == (1, 1)
    members = by_member(stats(community, "--since", "2026-11-28"))
    assert (members[DARIO]["mentoring_given"], members[ELENA]["mentoring_received"]) == (0, 0)
    assert (members[FABIO]["mentoring_given"], members[CARLA]["mentoring_received"]) == (1, 1)


# --- attendance over time (issue 16: the chart under the groups table) ----------------------------


def _chart(out: str) -> list[str]:
    """The chart's lines, between its title and its legend, without trailing spaces."""
    start = out.index("Attendance over time")
    end = out.index("▁…█ share present")
    return [line.rstrip() for line in out[start:end].splitlines()[1:]]


def test_the_chart_draws_each_group_and_member_over_time(community: Cli) -> None:
    lines = _chart(community.ok("stats").stdout)
    assert lines == [
        " Tuesday Circle  ▅▇▇▇▇▅  73%  6 Oct - 10 Nov",  # in the order they joined
        "   Bruno Verdi   ○●●○●●  4/6",
        "   Carla Neri    ●●●●○○  4/6",
        "   Dario Russo   ●●○●●○  4/6",
        "   Elena Galli   ○○●●●●  4/6",
        "   Anna Bianchi  ●●●●●●  6/6",
        "   Fabio Conti   ······",
        "",
        " Thursday        █▄      75%  5 Nov - 12 Nov",
        "   Gina Marino   ●○      1/2",
        "   Hugo Ferri    ●●      2/2",
    ]


def test_the_chart_follows_since_and_group_and_keeps_those_who_left(community: Cli) -> None:
    community.ok("group", "remove", TUE, str(BRUNO))
    lines = _chart(community.ok("stats", "--group", TUE, "--since", "2026-10-20").stdout)
    assert lines == [
        " Tuesday Circle  ▇▇▇▅  75%  20 Oct - 10 Nov",
        "   Carla Neri    ●●○○  2/4",
        "   Dario Russo   ○●●○  2/4",
        "   Elena Galli   ●●●●  4/4",
        "   Anna Bianchi  ●●●●  4/4",
        "   Fabio Conti   ····",
        "   Bruno Verdi   ●○●●  3/4",  # left the group since: after those still in it
    ]


def test_the_chart_in_italian_and_only_in_the_table(community: Cli) -> None:
    community.ok("init", "--locale", "it")
    assert "6 ott - 10 nov" in community.ok("stats").stdout
    for fmt in ("json", "csv"):
        assert "Attendance over time" not in community.ok("stats", "--format", fmt).stdout
    assert set(stats(community)) == {"groups", "members", "give_and_take", "since"}


def test_no_chart_before_any_meeting_is_held(cli: Cli) -> None:
    add(cli, "Solo Person", "solo@example.com")
    cli.ok("group", "create", "G", "--member", "1")
    assert "Attendance over time" not in cli.ok("stats").stdout


def test_the_chart_reads_the_same_few_statements_however_many_groups(community: Cli) -> None:
    from datetime import date

    import sqlalchemy as sa

    from peerkit.config import Settings
    from peerkit.db import open_database
    from peerkit.services.reports import timeline

    def statements() -> tuple[int, int]:
        db = open_database(Settings(db_path=community.db_path))
        said: list[str] = []
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a: said.append(a[2]))
        with db.read() as session:
            groups = len(timeline.attendance(session, None, None, date(2026, 11, 27)))
        db.dispose()
        return groups, len(said)

    before = statements()
    for n in range(3):
        community.ok("group", "create", f"Extra {n}", "--member", str(GINA))
    after = statements()
    assert (before[0] + 3, before[1]) == after
