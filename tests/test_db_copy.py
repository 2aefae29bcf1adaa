"""peerkit db copy: the whole community to another database, verified, all or nothing."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel, select

from peerkit.config import Settings
from peerkit.db import open_database
from peerkit.enums import AnswerAbout, AnswerKind, AnswerSource, DeliveryKind, PairRuleKind
from peerkit.models import Answer, Break, Delivery, Meeting, Member, PairRule
from peerkit.services.common import copying
from peerkit.services.common.copying import Checksum, normalised
from tests.conftest import Result, assert_error, invoke, isolate

# --- a demo community with rows in every table --------------------------------------------


@pytest.fixture(scope="module")
def community(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo community, with rows added to the tables the demo leaves empty."""
    folder = tmp_path_factory.mktemp("copy-demo")
    with pytest.MonkeyPatch.context() as patch:
        isolate(patch, folder / "home")
        patch.chdir(folder)
        assert invoke(["demo", "--dir", "built"]).exit_code == 0
        path = folder / "built" / "peerkit.db"
        start = ["--db", str(path), "mentor", "checkin", "1", "--start", "2026-12-14 18:00"]
        assert invoke(start).exit_code == 0
        _fill_the_rest(path)
    return path


def _fill_the_rest(path: Path) -> None:
    db = open_database(Settings(db_path=path))
    with db.write() as session:
        meeting = session.exec(select(Meeting).order_by(sa.column("id"))).first()
        member = session.get(Member, 1)
        assert member is not None
        assert meeting is not None
        assert meeting.id is not None
        assert member.id is not None
        member.bio = "Zoë 🙂 — «quoted» and a\nnew line"
        member.skills = ["seo", "prezzi", "ünïcode"]
        session.add(member)
        session.add(
            Member(
                name="No E-mail",
                email=None,
                timezone="Asia/Tokyo",
                locale="ja",
                joined=datetime(2026, 1, 2).date(),
            )
        )
        at = datetime(2026, 11, 27, 9, 30, 15, 123456, tzinfo=UTC)
        session.add(PairRule(member_a=1, member_b=2, kind=PairRuleKind.NEVER, note="soci"))
        session.add(
            Break(start_date=date(2026, 12, 24), end_date=date(2027, 1, 6), reason="Natale")
        )
        session.add(
            Break(
                start_date=date(2027, 8, 10), end_date=date(2027, 8, 20), group_id=meeting.group_id
            )
        )
        session.add(
            Delivery(
                meeting_id=meeting.id, member_id=member.id, kind=DeliveryKind.INVITE, sent_at=at
            )
        )
        session.add(
            Answer(
                about=AnswerAbout.MEETING,
                about_id=meeting.id,
                member_id=member.id,
                answer=AnswerKind.ACCEPTED,
                sequence=1,
                dtstamp=at,
                source=AnswerSource.ITIP,
                message_id="<answer-1@example.com>",
                received_at=at,
            )
        )
    db.dispose()


@pytest.fixture
def source(community: Path, tmp_path: Path) -> Path:
    """A private copy of the community for one test."""
    path = tmp_path / "source" / "peerkit.db"
    path.parent.mkdir()
    _sqlite_copy(community, path)
    return path


def _sqlite_copy(src: Path, dest: Path) -> None:
    a, b = sqlite3.connect(src), sqlite3.connect(dest)
    a.backup(b)
    a.close()
    b.close()


def tables() -> list[sa.Table]:
    """What a copy copies: every table but the server's logins (peerkit access)."""
    copied = copying.tables()
    assert {t.name for t in SQLModel.metadata.sorted_tables} - {t.name for t in copied} == set(
        copying.SERVER_TABLES
    )
    return copied


def test_the_community_has_rows_in_every_table(source: Path) -> None:
    """A table added later must get rows here too, so that the copy is tested on it."""
    with sqlite3.connect(source) as conn:
        empty = [
            t.name for t in tables() if not conn.execute(f'SELECT 1 FROM "{t.name}"').fetchone()
        ]
    assert empty == []


# --- helpers ----------------------------------------------------------------------------------


def run(where: str | Path, *args: str) -> Result:
    flag = "--db" if isinstance(where, Path) else "--database-url"
    return invoke([flag, str(where), *args])


def ok(where: str | Path, *args: str) -> Result:
    result = run(where, *args)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return result


def rows_of(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows as peerkit reads them (typed values), in primary-key order."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t.name: [
                    tuple(r) for r in conn.execute(sa.select(t).order_by(*t.primary_key.columns))
                ]
                for t in tables()
            }
    finally:
        engine.dispose()


def raw_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows as SQLite stores them (the bytes of dates and JSON included)."""
    with sqlite3.connect(path) as conn:
        return {
            t.name: conn.execute(f'SELECT * FROM "{t.name}" ORDER BY rowid').fetchall()
            for t in tables()
        }


def revision(url: str) -> str:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return str(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar())
    finally:
        engine.dispose()


def views(where: str | Path) -> list[Any]:
    return [
        json.loads(ok(where, *argv, "--format", "json").stdout)
        for argv in (
            ["member", "list"],
            ["member", "list", "--status", "left"],
            ["stats"],
            ["group", "list"],
            ["event", "list"],
        )
    ]


# --- SQLite to SQLite ---------------------------------------------------------------------------


def test_a_copy_to_a_new_sqlite_file_is_the_same_community(source: Path, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "copy.db"
    result = ok(source, "db", "copy", f"sqlite:///{target}", "--format", "json")
    summary = json.loads(result.stdout)
    assert [row["table"] for row in summary] == [t.name for t in tables()]
    assert all(row["ok"] is True and row["rows"] > 0 for row in summary)
    assert "every count and checksum agrees" in result.stderr
    assert target.stat().st_mode & 0o777 == 0o600
    assert raw_rows(target) == raw_rows(source)
    assert revision(f"sqlite:///{target}") == revision(f"sqlite:///{source}")
    assert views(target) == views(source)
    ok(target, "db", "check")


def test_the_summary_table_names_every_table(source: Path, tmp_path: Path) -> None:
    result = ok(source, "db", "copy", f"sqlite:///{tmp_path / 'copy.db'}")
    for table in tables():
        assert f" {table.name} " in result.stdout
    assert "checksum" in result.stdout
    assert " yes " in result.stdout


def test_a_target_with_a_community_is_refused_then_replaced_with_force(
    source: Path, tmp_path: Path
) -> None:
    target = tmp_path / "copy.db"
    url = f"sqlite:///{target}"
    ok(source, "db", "copy", url)
    ok(target, "member", "add", "Only Here", "--email", "only.here@example.com")
    before = raw_rows(target)

    refused = run(source, "db", "copy", url)
    assert_error(refused, "already holds a peerkit community", "--force")
    assert len(refused.stderr.strip().splitlines()) == 1
    assert raw_rows(target) == before

    ok(source, "db", "copy", url, "--force")
    assert raw_rows(target) == raw_rows(source)
    assert "only.here@example.com" not in ok(target, "member", "list").stdout


def test_an_empty_target_at_the_same_revision_is_filled(source: Path, tmp_path: Path) -> None:
    target = tmp_path / "empty.db"
    ok(target, "db", "upgrade")  # the schema, no row
    ok(source, "db", "copy", f"sqlite:///{target}")
    assert raw_rows(target) == raw_rows(source)


def test_a_mismatch_read_back_is_an_error_naming_the_table_and_nothing_stays(
    source: Path, tmp_path: Path
) -> None:
    """The target changes a row as it is written (a trigger): the checksum catches it."""
    target = tmp_path / "changing.db"
    ok(target, "db", "upgrade")
    with sqlite3.connect(target) as conn:
        conn.execute(
            "CREATE TRIGGER change AFTER INSERT ON peer_group "
            "BEGIN UPDATE peer_group SET name = 'changed' WHERE id = NEW.id; END"
        )
    result = run(source, "db", "copy", f"sqlite:///{target}")
    assert_error(result, "does not match", "table peer_group", "checksum")
    assert "member" not in result.stderr
    assert all(rows == [] for rows in raw_rows(target).values())


def test_a_value_the_target_cannot_take_leaves_no_new_file(source: Path, tmp_path: Path) -> None:
    with sqlite3.connect(source) as conn:
        conn.execute("PRAGMA ignore_check_constraints = ON")
        conn.execute("UPDATE member SET status = 'asleep' WHERE id = 2")
    target = tmp_path / "never.db"
    result = run(source, "db", "copy", f"sqlite:///{target}")
    assert_error(result, "table member")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not target.exists()
    assert not Path(f"{target}-wal").exists()


def test_the_same_database_is_refused(source: Path) -> None:
    for url in (f"sqlite:///{source}", f"sqlite:///{source.parent}/../source/peerkit.db"):
        assert_error(run(source, "db", "copy", url), "the target is the database being copied")


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("sqlite://", "names no file"),
        ("sqlite:///:memory:", "names no file"),
        ("nonsense", "not a database URL"),
        ("postgresql+psycopg://peerkit:s3cret-word@db.example.com:99999/x", "port"),
    ],
)
def test_a_target_url_is_checked_at_the_door(source: Path, url: str, said: str) -> None:
    result = run(source, "db", "copy", url)
    assert_error(result, said)
    assert "s3cret-word" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_file_that_is_not_a_peerkit_database_is_refused(source: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
        conn.execute("INSERT INTO notes VALUES ('mine')")
    assert_error(run(source, "db", "copy", f"sqlite:///{other}", "--force"), "not a peerkit")
    with sqlite3.connect(other) as conn:
        assert conn.execute("SELECT text FROM notes").fetchall() == [("mine",)]


def test_an_unreachable_server_is_one_line_without_the_password(source: Path) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql+psycopg://peerkit:s3cret-word@127.0.0.1:{port}/community"
    result = run(source, "db", "copy", url)
    assert_error(result, "cannot connect to", "peerkit:***@127.0.0.1")
    assert "s3cret-word" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# --- the checksum -------------------------------------------------------------------------------


def test_values_are_normalised_the_same_way_from_either_database() -> None:
    aware = datetime(2026, 11, 27, 10, 0, 0, 5, tzinfo=UTC)
    assert (
        normalised(aware) == normalised(aware.replace(tzinfo=None)) == "2026-11-27T10:00:00.000005"
    )
    assert normalised(Decimal("1.50")) == normalised(Decimal("1.5")) == "1.5"
    assert normalised(True) is True
    assert normalised(1) == 1
    assert normalised({"b": [Decimal("2")], "a": None}) == {"a": None, "b": ["2"]}
    assert normalised(b"\x00\xff") == "00ff"


def test_the_checksum_sees_a_changed_value_and_a_changed_type() -> None:
    def summed(*rows: tuple[Any, ...]) -> str:
        checksum = Checksum()
        for row in rows:
            checksum.add(row)
        return checksum.hexdigest()

    base = summed((1, "Ada", True), (2, "Bruno", None))
    assert summed((1, "Ada", True), (2, "Bruno", None)) == base
    assert summed((1, "Ada", 1), (2, "Bruno", None)) != base  # a boolean is not a number
    assert summed((1, "Ada", True), (2, "Bruno", "")) != base  # NULL is not ''
    assert summed((2, "Bruno", None), (1, "Ada", True)) != base  # the order counts
    assert summed((1, "Ada", True)) != base


# --- PostgreSQL -----------------------------------------------------------------------------


@pytest.mark.postgres
def test_sqlite_to_postgresql_and_back_is_the_same_community(
    source: Path, pg_url: str, tmp_path: Path
) -> None:
    there = json.loads(ok(source, "db", "copy", pg_url, "--format", "json").stdout)
    back = tmp_path / "back.db"
    again = json.loads(ok(pg_url, "db", "copy", f"sqlite:///{back}", "--format", "json").stdout)
    assert again == there  # the same counts and checksums, computed on PostgreSQL and SQLite

    assert rows_of(pg_url) == rows_of(f"sqlite:///{source}")
    assert raw_rows(back) == raw_rows(source)
    assert revision(pg_url) == revision(f"sqlite:///{source}")
    assert views(pg_url) == views(source) == views(back)
    ok(pg_url, "db", "check")


@pytest.mark.postgres
def test_after_a_copy_to_postgresql_new_rows_get_new_ids(source: Path, pg_url: str) -> None:
    ok(source, "db", "copy", pg_url)
    with sqlite3.connect(source) as conn:
        highest = conn.execute("SELECT max(id) FROM member").fetchone()[0]
    added = ok(pg_url, "member", "add", "Nuova Persona", "--email", "nuova@example.com")
    assert int(added.stdout.strip()) == highest + 1
    ok(
        pg_url,
        "--no-input",
        "group",
        "create",
        "Nuovo gruppo",
        "--kind",
        "learning",
        "--day",
        "mon",
    )


@pytest.mark.postgres
def test_a_postgresql_target_with_a_community_needs_force(source: Path, pg_url: str) -> None:
    ok(source, "db", "copy", pg_url)
    ok(pg_url, "member", "add", "Only There", "--email", "only.there@example.com")
    before = rows_of(pg_url)
    assert_error(run(source, "db", "copy", pg_url), "already holds a peerkit community")
    assert rows_of(pg_url) == before
    ok(source, "db", "copy", pg_url, "--force")
    assert rows_of(pg_url) == rows_of(f"sqlite:///{source}")
    ok(pg_url, "member", "add", "After Force", "--email", "after.force@example.com")


@pytest.mark.postgres
def test_a_failure_half_way_leaves_postgresql_as_it_was(source: Path, pg_url: str) -> None:
    """PostgreSQL refuses a NUL in text: the copy stops at that table, and the schema it had
    created in the same transaction goes too."""
    with sqlite3.connect(source) as conn:
        conn.execute("UPDATE commitment SET text = ? WHERE id = 1", ("a\x00b",))
    result = run(source, "db", "copy", pg_url)
    assert_error(result, "cannot copy table commitment", "nothing was written")
    engine = sa.create_engine(pg_url)
    try:
        assert sa.inspect(engine).get_table_names() == []
    finally:
        engine.dispose()
