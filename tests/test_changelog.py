"""The change log: every write is recorded with who made it (`peerkit log`), in the same
transaction, and a forgotten member's personal data leaves it too."""

from __future__ import annotations

import getpass
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, assert_error

AddMember = Callable[..., int]

GIULIA = "Giulia Ferri <giulia@example.org>"
KEYS = ["at", "by", "action", "entity", "id", "before", "after"]


def log(cli: Cli, *options: str) -> list[dict[str, Any]]:
    found = json.loads(cli.ok("log", "--format", "json", *options).stdout)
    assert isinstance(found, list)
    return found


def count(db_path: Path) -> int:
    with sqlite3.connect(db_path) as conn:
        return int(conn.execute("SELECT count(*) FROM change_log").fetchone()[0])


@pytest.fixture
def community(cli: Cli) -> Cli:
    """A community whose organiser is Paolo; two members and a group, made as Giulia."""
    cli.ok("init", "--organiser-name", "Paolo Pavan", "--organiser-email", "paolo@example.org")
    cli.ok("--as", GIULIA, "member", "add", "Marco Rossi", "--email", "marco@example.com",
           "--timezone", "Europe/Rome")  # fmt: skip
    cli.ok("--as", GIULIA, "member", "add", "Anna Neri", "--email", "anna@example.com")
    cli.ok("--as", GIULIA, "group", "create", "Roma", "--day", "tue", "--time", "18:30",
           "--timezone", "Europe/Rome", "--start", "2026-12-01", "--member", "1",
           "--member", "2")  # fmt: skip
    return cli


def test_a_change_says_who_made_it_and_what_changed(community: Cli) -> None:
    community.ok("--as", GIULIA, "member", "edit", "Marco Rossi", "--timezone", "Europe/London")
    newest = log(community)[0]
    assert list(newest)[:7] == KEYS
    assert newest["by"] == GIULIA
    assert newest["by_email"] == "giulia@example.org"
    assert (newest["action"], newest["entity"], newest["id"]) == ("change", "member", 1)
    assert newest["before"] == {"timezone": "Europe/Rome"}
    assert newest["after"] == {"timezone": "Europe/London"}
    table = community.ok("log", "--member", "Marco Rossi", "--format", "table").stdout
    said = "Giulia Ferri changed member Marco Rossi: timezone Europe/Rome → Europe/London"
    assert said in table


def test_a_create_records_the_whole_row(community: Cli) -> None:
    (made,) = [e for e in log(community, "--member", "1") if e["entity"] == "member"]
    assert made["action"] == "create"
    assert made["before"] is None
    assert made["after"]["name"] == "Marco Rossi"
    assert made["after"]["email"] == "marco@example.com"
    assert made["after"]["timezone"] == "Europe/Rome"
    assert made["after"]["skills"] == []


def test_who_is_acting_as_env_config_organiser_or_system_user(
    community: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from peerkit.config import config_path

    community.ok("member", "edit", "1", "--bio", "one")  # nobody said: the community organiser
    assert log(community)[0]["by"] == "Paolo Pavan <paolo@example.org>"
    monkeypatch.setenv("PEERKIT_AS", "Sara Blu <sara@example.org>")
    community.ok("member", "edit", "1", "--bio", "two")
    assert log(community)[0]["by"] == "Sara Blu <sara@example.org>"
    monkeypatch.delenv("PEERKIT_AS")
    config_path().parent.mkdir(parents=True, exist_ok=True)
    config_path().write_text(
        'organiser_name = "Carla Verdi"\norganiser_email = "carla@example.org"\n'
    )
    community.ok("member", "edit", "1", "--bio", "three")
    assert log(community)[0]["by"] == "Carla Verdi <carla@example.org>"
    assert [e["after"].get("bio") for e in log(community, "--member", "1")[:3]] == [
        "three",
        "two",
        "one",
    ]


def test_without_anyone_named_the_system_user_is_acting(cli: Cli) -> None:
    cli.ok("member", "add", "Ann Lee", "--email", "ann@example.com")
    assert {e["by"] for e in log(cli)} == {getpass.getuser()}
    assert {e["by_email"] for e in log(cli)} == {None}


def test_each_kind_of_write_is_recorded(community: Cli, tmp_path: Path) -> None:
    cli = community
    cli.ok("session", "plan", "roma", "--from", "2026-12-01", "--count", "1")
    cli.ok("session", "attend", "1", "--present", "1", "--absent", "2")
    cli.ok("commitment", "add", "Marco Rossi", "Send the price list")
    cli.ok("mentor", "pair", "Anna Neri", "Marco Rossi", "--topic", "pricing")
    cli.ok("mentor", "checkin", "1", "--start", "2026-12-14 18:00", "--out", str(tmp_path / "m"))
    cli.ok("event", "create", "Aperitivo", "--start", "2026-12-18 19:00", "--capacity", "1")
    cli.ok("event", "rsvp", "1", "Marco Rossi", "--out", str(tmp_path / "ev"))
    cli.ok("plan", "week", "--week", "2026-W50", "--out", str(tmp_path / "week"))
    cli.ok("group", "remove", "roma", "Anna Neri")
    seen = {(e["action"], e["entity"]) for e in log(cli)}
    for wanted in [
        ("create", "community"), ("create", "member"), ("create", "group"),
        ("create", "membership"), ("create", "meeting"), ("create", "attendance"),
        ("create", "commitment"), ("create", "mentorship"), ("create", "event"),
        ("create", "rsvp"), ("change", "membership"), ("create", "checkin"),
    ]:  # fmt: skip
        assert wanted in seen, wanted
    week = [e for e in log(cli, "--group", "roma") if e["entity"] == "meeting"]
    planned = [
        e for e in week if e["action"] == "create" and e["after"]["slot_date"] == "2026-12-08"
    ]
    assert planned, week
    assert planned[0]["after"]["hot_seat"], week  # plan week: its roles too
    (checkin,) = [e for e in log(cli, "--member", "Marco Rossi") if e["entity"] == "checkin"]
    assert checkin["member_id"] == 1  # the mentee's
    assert [e for e in log(cli, "--member", "Anna Neri") if e["entity"] == "checkin"]  # mentor
    attendance = [e for e in log(cli, "--member", "2") if e["entity"] == "attendance"]
    assert attendance[0]["after"]["status"] == "absent"
    assert attendance[0]["group_id"] == 1


def test_member_import_and_update_are_recorded(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("name,email,timezone\nAnn Lee,ann@example.com,Europe/Rome\n"
                    "Bob Ray,bob@example.com,UTC\n")  # fmt: skip
    cli.ok("--as", GIULIA, "member", "import", str(path))
    path.write_text("name,email,timezone\nAnn Lee,ann@example.com,Europe/London\n"
                    "Bob Ray,bob@example.com,UTC\n")  # fmt: skip
    cli.ok("--as", "Sara Blu <sara@example.org>", "member", "import", str(path), "--update")
    ann = log(cli, "--member", "ann@example.com")
    assert [(e["action"], e["by"]) for e in ann] == [
        ("change", "Sara Blu <sara@example.org>"),
        ("import", GIULIA),
    ]
    assert ann[0]["before"] == {"timezone": "Europe/Rome"}
    assert ann[0]["after"] == {"timezone": "Europe/London"}
    assert ann[1]["after"]["name"] == "Ann Lee"
    assert ann[1]["after"]["skills"] == []
    assert [e["action"] for e in log(cli, "--member", "bob@example.com")] == ["import"]


def test_a_failed_command_and_a_dry_run_leave_no_entry(
    community: Cli, db_path: Path, tmp_path: Path
) -> None:
    before = count(db_path)
    path = tmp_path / "people.csv"
    path.write_text("name,email\nAnn Lee,ann@example.com\nBad,not-an-address\n")
    assert_error(community("member", "import", str(path)))
    path.write_text("name,email\nAnn Lee,ann@example.com\n")
    community.ok("member", "import", str(path), "--dry-run")
    community.ok("plan", "week", "--week", "2026-W50", "--out", str(tmp_path / "w"), "--dry-run")
    result = community("member", "edit", "Marco Rossi", "--timezone", "Mars/Olympus")
    assert result.exit_code != 0
    assert count(db_path) == before


def test_an_entry_is_written_in_the_transaction_of_its_change(
    community: Cli, db_path: Path
) -> None:
    """A change flushed (its entry with it) and then undone by an error leaves neither."""
    from datetime import date

    from peerkit.config import Settings
    from peerkit.db import open_database
    from peerkit.services.members import profiles

    before = count(db_path)
    db = open_database(Settings(db_path=db_path))

    def change_then_fail() -> None:
        with db.write() as session:
            fields = profiles.MemberFields(name="Ann Lee", email="ann@example.com")
            profiles.add(session, fields, {}, date(2026, 11, 27))
            session.flush()
            assert count_in(session) == before + 1  # written, not yet committed
            raise RuntimeError("stop")

    try:
        with pytest.raises(RuntimeError):
            change_then_fail()
    finally:
        db.dispose()
    assert count(db_path) == before
    assert "ann@example.com" not in community.ok("member", "list", "-f", "json").stdout


def count_in(session: Any) -> int:
    import sqlalchemy as sa

    return int(session.execute(sa.text("SELECT count(*) FROM change_log")).scalar_one())


def test_filters(community: Cli) -> None:
    community.ok("--as", "Sara Blu <sara@example.org>", "member", "edit", "2", "--bio", "Hi")
    assert {e["id"] for e in log(community, "--by", "sara") if e["entity"] == "member"} == {2}
    assert log(community, "--by", "SARA@example.org")[0]["by_email"] == "sara@example.org"
    assert log(community, "--by", "nobody") == []
    assert all(e["member_id"] == 2 for e in log(community, "--member", "Anna Neri"))
    grouped = log(community, "--group", "roma")
    assert {e["entity"] for e in grouped} == {"group", "membership"}
    assert log(community, "--since", "2199-01-01") == []
    assert len(log(community, "--since", "2000-01-01")) == len(log(community))
    stamps = [e["at"] for e in log(community)]
    assert stamps == sorted(stamps, reverse=True)  # newest first, as git log
    assert_error(community("log", "--member", "Nobody Here"))
    bad = community("log", "--since", "yesterday")
    assert bad.exit_code != 0
    assert "Traceback" not in bad.stderr


def test_csv_and_table(community: Cli) -> None:
    csv_text = community.ok("log", "--format", "csv").stdout
    assert csv_text.splitlines()[0].startswith("at,by,action,entity,id,before,after")
    assert "Giulia Ferri created member Marco Rossi" in community.ok("log").stdout


def test_hostile_text_is_shown_literally(community: Cli) -> None:
    community.ok("--as", "Eve [bold]x[/bold] <eve@example.org>", "member", "edit", "1",
                 "--bio", "[red]boom[/red]")  # fmt: skip
    table = community.ok("log", "--by", "eve").stdout
    assert "Eve [bold]x[/bold] changed member Marco Rossi" in table
    assert "(none) → [red]boom[/red]" in table


def test_forget_erases_the_member_from_the_log(
    community: Cli, db_path: Path, tmp_path: Path
) -> None:
    cli = community
    cli.ok("--as", "Marco Rossi <marco@example.com>", "member", "edit", "2", "--bio", "Nice")
    cli.ok("member", "edit", "1", "--bio", "Marco's secret story")
    cli.ok("mentor", "pair", "Marco Rossi", "Anna Neri", "--topic", "divorce lawyers")
    about = log(cli, "--member", "1")
    shapes = [(e["action"], e["entity"], sorted(e["after"] or {})) for e in about]
    cli.ok("member", "forget", "Marco Rossi", "--yes")
    data = b"".join(p.read_bytes() for p in db_path.parent.glob(db_path.name + "*"))
    for secret in (b"marco@example.com", b"Marco Rossi", b"secret story", b"divorce lawyers"):
        assert secret not in data, secret
    assert b"anna@example.com" in data
    after = log(cli, "--member", "1")
    kept = [e for e in after if e["entry"] in {x["entry"] for x in about}]
    assert [(e["action"], e["entity"], sorted(e["after"] or {})) for e in kept] == shapes
    made = next(e for e in kept if e["action"] == "create" and e["entity"] == "member")
    assert made["after"]["name"] is None
    assert made["after"]["email"] is None
    assert made["after"]["id"] == 1
    by_him = [
        e for e in log(cli, "--member", "2") if e["after"] and e["after"].get("bio") == "Nice"
    ]
    assert by_him[0]["by"] == "erased"
    assert by_him[0]["by_email"] is None


def test_member_export_includes_the_log(community: Cli) -> None:
    community.ok("--as", "Marco Rossi <marco@example.com>", "member", "edit", "2", "--bio", "Hi")
    record = json.loads(community.ok("member", "export", "Marco Rossi", "--format", "json").stdout)
    assert any(e["entity"] == "member" and e["action"] == "create" for e in record["log"])
    assert [e["after"] for e in record["log_by_them"]] == [{"bio": "Hi"}]
    assert all(list(e)[:7] == KEYS for e in record["log"])


def test_add_member_fixture_is_logged(cli: Cli, add_member: AddMember) -> None:
    add_member("Ann Lee", "ann@example.com")
    assert [e["action"] for e in log(cli, "--member", "1")] == ["create"]


# --- PostgreSQL -------------------------------------------------------------------------


def pg_log(url: str, *options: str) -> list[dict[str, Any]]:
    from tests.conftest import invoke

    result = invoke(["--database-url", url, "log", "--format", "json", *options])
    assert result.exit_code == 0, result.stderr
    found = json.loads(result.stdout)
    assert isinstance(found, list)
    return found


@pytest.mark.postgres
def test_on_postgres_the_login_acts_and_forget_erases(pg_url: str, tmp_path: Path) -> None:
    import sqlalchemy as sa

    from tests.conftest import invoke

    def ok(*args: str) -> None:
        result = invoke(["--database-url", pg_url, *args])
        assert result.exit_code == 0, result.stderr

    login = sa.make_url(pg_url).username
    ok("init", "--organiser-name", "Paolo Pavan", "--organiser-email", "paolo@example.org")
    path = tmp_path / "people.csv"
    path.write_text("name,email,skills\nZefferina Quaglierini,zq@example.com,sales;tax\n")
    ok("member", "import", str(path))  # nobody said: the database login, not the organiser
    ok("--as", GIULIA, "member", "edit", "zq@example.com", "--bio", "Her story")
    (edited, imported) = pg_log(pg_url, "--member", "1")
    assert imported["by"] == login
    assert imported["action"] == "import"
    assert imported["after"]["skills"] == ["sales", "tax"]
    assert imported["after"]["email"] == "zq@example.com"
    assert edited["by"] == GIULIA
    ok("member", "forget", "zq@example.com", "--yes")
    erased = pg_log(pg_url, "--member", "1")
    text = json.dumps(erased)
    for secret in ("Zefferina", "zq@example.com", "Her story", "sales"):
        assert secret not in text
    assert {e["action"] for e in erased} >= {"import", "change"}
