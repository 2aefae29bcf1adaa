"""The first import into a new SQLite file is written through a rollback journal, not WAL.

A new file has nobody reading it, so the import skips the WAL's second copy of every page;
it stays one transaction, and the file is in WAL mode again afterwards (bulk.new_file).
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from peerkit.config import Settings
from peerkit.db import Database, open_database
from peerkit.services.members import bulk
from tests.conftest import Cli


def _one(path: Path, sql: str) -> object:
    """The one value SQL reads from the database at PATH, on a connection of its own."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def _journal_mode(path: Path) -> str:
    return str(_one(path, "PRAGMA journal_mode"))


def _count(path: Path, table: str) -> int:
    return int(str(_one(path, f"SELECT count(*) FROM {table}")))


def _new(db_path: Path) -> Database:
    db = open_database(Settings(db_path=db_path))
    assert _journal_mode(db_path) == "wal"
    return db


def _insert(conn: sa.Connection, name: str) -> None:
    conn.execute(
        sa.insert(bulk.MEMBER_TABLE).values(
            name=name, timezone="UTC", locale="en", skills=[], needs=[], availability=[],
            mentor_capacity=0, status="active", joined=date(2026, 3, 2),
        )
    )  # fmt: skip


def _add(db: Database, name: str) -> str:
    """One member written in a write session; the journal mode that session had, and how
    it syncs (2 FULL, 3 EXTRA: the folder too, after the journal is removed)."""
    with db.write() as session:
        conn = session.connection()
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        sync = conn.exec_driver_sql("PRAGMA synchronous").scalar()
        _insert(conn, name)
    return f"{mode} {sync}"


def test_a_new_file_is_written_through_a_rollback_journal_and_left_in_wal(
    db_path: Path,
) -> None:
    db = _new(db_path)
    with bulk.new_file(db.engine):
        assert _add(db, "Anna") == "delete 3"
    assert _journal_mode(db_path) == "wal"
    assert not Path(f"{db_path}-journal").exists()
    assert _count(db_path, "member") == 1
    assert _add(db, "Bruno") == "wal 2"  # only the connections opened inside


def test_a_file_another_connection_has_open_stays_in_wal(db_path: Path) -> None:
    db = _new(db_path)
    other = sqlite3.connect(db_path)
    try:
        other.execute("SELECT count(*) FROM member").fetchone()
        with bulk.new_file(db.engine):
            assert _add(db, "Anna") == "wal 2"
        assert other.execute("SELECT count(*) FROM member").fetchone()[0] == 1
    finally:
        other.close()
    assert _journal_mode(db_path) == "wal"


def test_a_write_that_fails_leaves_nothing_and_the_next_connection_is_in_wal(
    db_path: Path,
) -> None:
    db = _new(db_path)

    def stopped() -> None:
        with bulk.new_file(db.engine), db.write() as session:
            _insert(session.connection(), "Anna")
            raise RuntimeError("stopped half-way")

    with pytest.raises(RuntimeError):
        stopped()
    assert _count(db_path, "member") == 0
    assert _add(db, "Bruno") == "wal 2"
    assert _journal_mode(db_path) == "wal"


def test_member_import_into_a_new_file_leaves_it_in_wal_with_every_member(
    cli: Cli, tmp_path: Path, db_path: Path
) -> None:
    path = tmp_path / "members.csv"
    rows = "".join(f"Member {i},m{i}@example.com\n" for i in range(2500))
    path.write_text(f"name,email\n{rows}", encoding="utf-8")
    result = cli("member", "import", str(path))
    assert result.exit_code == 0, result.stderr
    assert _journal_mode(db_path) == "wal"
    assert not Path(f"{db_path}-journal").exists()
    assert _count(db_path, "member") == 2500
    assert _count(db_path, "member_history") == 2500
    assert _count(db_path, "change_log") == 2501  # the community, then each member
