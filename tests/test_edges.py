"""Edges found in review: bad input creates nothing, import history, pauses in CSV, pipes."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Cli


@pytest.mark.parametrize(
    "args",
    [
        ("member", "add", "Ann", "--email", "not-an-email"),
        ("member", "add", "Ann", "--email", "ann@example.com", "--timezone", "Europe"),
        ("init", "--timezone", "../../etc/passwd"),
        ("init", "--locale", "fr"),
    ],
)
def test_bad_input_creates_no_database(cli: Cli, db_path: Path, args: tuple[str, ...]) -> None:
    result = cli(*args)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert not db_path.exists()
    assert not db_path.parent.exists() or not any(db_path.parent.iterdir())


def test_a_bad_csv_creates_no_database(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    csv_file = tmp_path / "m.csv"
    csv_file.write_text("name,email\nAnn,not-an-email\n")
    result = cli("member", "import", str(csv_file))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: nothing was imported")
    assert not db_path.exists()


def test_a_new_database_is_announced_once(cli: Cli, db_path: Path) -> None:
    first = cli("member", "list")
    assert first.stderr.startswith(f"Created a new, empty database at {db_path}.")
    assert "Created" not in cli("member", "list").stderr


def test_import_records_history(cli: Cli, tmp_path: Path, db_path: Path) -> None:
    cli.ok("member", "add", "Ann Lee", "--email", "ann@example.com")
    new = tmp_path / "new.csv"
    new.write_text("name,email\nBob Ray,bob@example.com\nCy Young,cy@example.com\n")
    cli.ok("member", "import", str(new))
    change = tmp_path / "change.csv"
    change.write_text("email,stage\nann@example.com,growth\n")  # --update needs no name column
    cli.ok("member", "import", "--update", str(change))
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(
            "SELECT member_id, action FROM member_history ORDER BY member_id, id"
        ).fetchall()
    assert rows == [(1, "joined"), (1, "edited"), (2, "imported"), (3, "imported")]
    record = json.loads(cli.ok("member", "export", "bob@example.com").stdout)
    assert [h["action"] for h in record["history"]] == ["imported"]
    assert json.loads(cli.ok("member", "show", "1", "-f", "json").stdout)["stage"] == "growth"


def test_new_rows_need_a_name_even_with_update(cli: Cli, tmp_path: Path) -> None:
    cli.ok("member", "add", "Ann Lee", "--email", "ann@example.com")
    change = tmp_path / "change.csv"
    change.write_text("email,stage\nann@example.com,growth\nnew@example.com,idea\n")
    result = cli("member", "import", "--update", str(change))
    assert result.exit_code == 1
    assert "line 3: name: a new member needs a name." in result.stderr


def test_paused_until_in_csv_means_paused(cli: Cli, tmp_path: Path) -> None:
    csv_file = tmp_path / "m.csv"
    csv_file.write_text("name,email,paused_until\nAnn,ann@example.com,2027-01-15\n")
    cli.ok("member", "import", str(csv_file))
    shown = json.loads(cli.ok("member", "show", "Ann", "-f", "json").stdout)
    assert (shown["status"], shown["paused_until"]) == ("paused", "2027-01-15")


def test_an_ended_pause_exports_as_active_and_round_trips(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli.ok("member", "add", "Ann", "--email", "ann@example.com")
    cli.ok("member", "pause", "Ann", "--until", "2026-12-10")
    monkeypatch.setenv("PEERKIT_TODAY", "2026-12-11")
    exported = tmp_path / "e.csv"
    cli.ok("member", "export", "-o", str(exported))
    row = exported.read_text().splitlines()[1]
    assert ",active,," in row
    fresh = Cli(tmp_path / "fresh.db")
    fresh.ok("member", "import", str(exported))
    again = tmp_path / "again.csv"
    fresh.ok("member", "export", "-o", str(again))
    assert again.read_bytes() == exported.read_bytes()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("lunedi 09:00-10:00", "mon 09:00-10:00"), ("venerdi 18:00-19:30", "fri 18:00-19:30")],
)
def test_italian_day_names_without_accents(cli: Cli, typed: str, stored: str) -> None:
    cli.ok("member", "add", "Ann", "--email", "ann@example.com", "--available", typed)
    shown = json.loads(cli.ok("member", "show", "Ann", "-f", "json").stdout)
    assert shown["availability"] == [stored]


def test_export_offers_only_csv_and_json(cli: Cli) -> None:
    result = cli("member", "export", "--format", "table")
    assert result.exit_code == 2
    assert result.stdout == ""


@pytest.mark.slow
def test_a_closed_pipe_ends_quietly(cli: Cli, db_path: Path) -> None:
    for n in range(300):
        cli.ok("member", "add", f"Person {n}", "--email", f"p{n}@example.com")
    proc = subprocess.run(
        f"'{sys.executable}' -m peerkit --db '{db_path}' member list -f json | head -c 10",
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.stdout == "[\n  {\n    "
    assert "Traceback" not in proc.stderr
    assert "Error" not in proc.stderr


def test_an_unreachable_postgres_is_a_clear_error(cli: Cli) -> None:
    result = cli(
        "--database-url", "postgresql+psycopg://u:secret@127.0.0.1:9/db", "member", "list", db=False
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot connect to postgresql+psycopg://u:***@")
    assert "secret" not in result.stderr
    assert "Traceback" not in result.stderr


def _group_with_volunteers(cli: Cli) -> None:
    cli.ok("init", "--organiser-name", "Paolo", "--organiser-email", "paolo@example.com")
    for n in range(1, 6):
        cli.ok("member", "add", f"P{n}", "--email", f"p{n}@example.com")
    cli.ok("group", "create", "Vol", "--day", "tue", "--start", "2026-12-08",
           *[x for n in range(1, 6) for x in ("--member", str(n))])  # fmt: skip
    cli.ok("group", "add", "vol", "1", "2", "3", "--rotates")


def test_replacing_a_paused_facilitator_never_doubles_the_roles(cli: Cli, tmp_path: Path) -> None:
    _group_with_volunteers(cli)
    out = str(tmp_path / "out")
    cli.ok("plan", "week", "--week", "2026-W50", "--out", out)
    before = json.loads(cli.ok("session", "show", "1", "-f", "json").stdout)
    cli.ok("member", "pause", str(before["facilitator"]), "--until", "2027-01-31")
    cli.ok("plan", "week", "--week", "2026-W50", "--out", out)
    after = json.loads(cli.ok("session", "show", "1", "-f", "json").stdout)
    assert after["facilitator"] not in (None, before["facilitator"])
    assert after["timekeeper"] != after["facilitator"]


def test_re_planning_a_past_week_keeps_its_invitations(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _group_with_volunteers(cli)
    out = tmp_path / "out"
    cli.ok("plan", "week", "--week", "2026-W50", "--out", str(out))
    invites = sorted((out / "2026-W50" / "vol").glob("invite-*.eml"))
    assert len(invites) == 5
    monkeypatch.setenv("PEERKIT_TODAY", "2027-01-15")
    result = cli.ok("plan", "week", "--week", "2026-W50", "--out", str(out), "-f", "json")
    assert sorted((out / "2026-W50" / "vol").glob("invite-*.eml")) == invites
    assert json.loads(result.stdout)[0]["note"] == "in the past: no invitations"
