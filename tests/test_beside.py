"""`stats` counts on a second connection beside the marks, in one snapshot
(connections.beside, Database.read(snapshot=True)).

The database answers the counting statements while peerkit reads the marks; both connections
must see the same rows, whatever is written meanwhile (PostgreSQL: an imported snapshot;
SQLite: a witness of commits, and the work again in line when there was one), and a failure
on the second connection must reach the command as it would have on the first.
"""

from __future__ import annotations

import random
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from peerkit import connections
from peerkit.config import Settings
from peerkit.connections import beside
from peerkit.db import Database, open_database
from peerkit.output import to_json
from peerkit.services.reports import stats
from tests import random_community

REAL_PROCESSORS = connections.processors
sent: list[tuple[str, str]] = []  # (thread, statement) of each one _threads_of_statements saw


@pytest.fixture(autouse=True)
def two_processors(monkeypatch: pytest.MonkeyPatch) -> None:
    """The second connection is used on a machine of one processor too (CI may be one)."""
    monkeypatch.setattr(connections, "processors", lambda: 2)


def _open(tmp_path: Path, url: str | None) -> Database:
    db = open_database(Settings(db_path=tmp_path / "beside.db", database_url=url))
    with db.write() as session:
        random_community.build(session, random.Random(5))
    return db


def _report(db: Database, *, snapshot: bool = False) -> str:
    """`stats --format json` of the whole community, read in a session of its own."""
    with db.read(snapshot=snapshot) as session:
        return to_json(stats.compute(session, None, None, random_community.TODAY))


def _beside_and_alone(db: Database) -> list[str]:
    """The report on two connections equals the report on one; the threads that sent
    each statement of the first."""
    alone = _report(db)
    names, note = _threads_of_statements(db)
    found = _report(db, snapshot=True)
    sa.event.remove(db.engine, "before_cursor_execute", note)
    assert found == alone
    return names


def _threads_of_statements(db: Database) -> tuple[list[str], Any]:
    """The name of the thread of each statement sent (a list that grows), and the listener."""
    names: list[str] = []

    def note(*args: Any) -> None:
        names.append(threading.current_thread().name)
        sent.append((names[-1], args[2]))

    sa.event.listen(db.engine, "before_cursor_execute", note)
    return names, note


@pytest.mark.postgres
def test_stats_counts_beside_the_marks_on_postgres(tmp_path: Path, pg_url: str) -> None:
    db = _open(tmp_path, pg_url)
    names = _beside_and_alone(db)
    assert set(names) == {"peerkit-beside", threading.current_thread().name}
    db.dispose()


@pytest.mark.postgres
def test_both_connections_read_one_snapshot(tmp_path: Path, pg_url: str) -> None:
    """A hot seat turn and a commitment written after the report's first statement count
    neither on the session's connection nor on the second one."""
    db = _open(tmp_path, pg_url)
    before = _report(db)
    with db.read(snapshot=True) as session:
        session.connection().exec_driver_sql("SELECT 1")  # the snapshot is taken here
        writer = sa.create_engine(pg_url)
        with writer.begin() as conn:
            conn.exec_driver_sql("UPDATE commitment SET status = 'done' WHERE status <> 'done'")
            conn.exec_driver_sql("UPDATE attendance SET status = 'present' WHERE status = 'absent'")
        writer.dispose()
        during = to_json(stats.compute(session, None, None, random_community.TODAY))
    after = _report(db)
    assert during == before
    assert after != before  # the writes changed what a later report says
    db.dispose()


@pytest.mark.postgres
def test_a_failure_beside_reaches_the_caller(tmp_path: Path, pg_url: str) -> None:
    db = open_database(Settings(db_path=tmp_path / "x.db", database_url=pg_url))

    def broken(conn: sa.Connection) -> int:
        conn.exec_driver_sql("SELECT * FROM no_such_table")
        return 1

    with db.read(snapshot=True) as session:
        wait = beside(session, broken)
        assert session.connection().exec_driver_sql("SELECT 2").scalar_one() == 2
        with pytest.raises(sa.exc.ProgrammingError, match="no_such_table"):
            wait()
    db.dispose()


def test_stats_counts_beside_the_marks_on_sqlite(tmp_path: Path) -> None:
    db = _open(tmp_path, None)
    names = _beside_and_alone(db)
    assert set(names) == {"peerkit-beside", threading.current_thread().name}
    db.dispose()


def test_on_sqlite_a_commit_meanwhile_sends_the_work_back_in_line(tmp_path: Path) -> None:
    """A write committed after the session began: the second connection would read it, so
    what it found is dropped and the counting runs on the session's own connection."""
    db = _open(tmp_path, None)
    before = _report(db)
    sent.clear()
    _names, note = _threads_of_statements(db)
    with db.read(snapshot=True) as session:
        session.connection().exec_driver_sql("SELECT count(*) FROM member").scalar_one()
        writer = sqlite3.connect(tmp_path / "beside.db")
        with writer:
            writer.execute("UPDATE commitment SET status = 'done' WHERE status <> 'done'")
            writer.execute("UPDATE attendance SET status = 'present' WHERE status = 'absent'")
        writer.close()
        during = to_json(stats.compute(session, None, None, random_community.TODAY))
    sa.event.remove(db.engine, "before_cursor_execute", note)
    after = _report(db)
    assert during == before
    assert after != before
    beside_ran = [text for thread, text in sent if thread == "peerkit-beside"]
    assert beside_ran == ["BEGIN", "SELECT count(*) FROM sqlite_schema"]  # began, saw, stopped
    db.dispose()


def test_in_a_session_without_snapshot_the_work_runs_in_line(tmp_path: Path) -> None:
    db = _open(tmp_path, None)
    names, _note = _threads_of_statements(db)
    with db.read() as session:
        seen: list[sa.Connection] = []

        def work(conn: sa.Connection) -> int:
            seen.append(conn)
            return int(conn.exec_driver_sql("SELECT count(*) FROM member").scalar_one())

        wait = beside(session, work)
        assert seen == [session.connection()]  # already done, on the session's connection
        assert wait() > 0
        stats.compute(session, None, None, random_community.TODAY)
    assert set(names) == {threading.current_thread().name}
    db.dispose()


def test_the_witness_connection_is_closed_with_the_session(tmp_path: Path) -> None:
    db = _open(tmp_path, None)
    with db.read(snapshot=True) as session:
        witness = session.info["peerkit_witness"]
        assert witness.unchanged()
        raw = witness.dbapi.dbapi_connection
        assert isinstance(raw, sqlite3.Connection)
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        raw.cursor()
    db.dispose()


@pytest.mark.postgres
def test_a_second_connection_that_cannot_begin_sends_the_work_back_in_line(
    tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that refuses the snapshot (a pooler, an old server): the report still runs."""
    db = _open(tmp_path, pg_url)

    def refused(_conn: sa.Connection) -> Any:
        def begin(other: sa.Connection) -> None:
            other.exec_driver_sql("SET TRANSACTION SNAPSHOT '00000000-00000000-0'")

        return begin

    monkeypatch.setattr(connections, "_imported_snapshot", refused)
    sent.clear()
    _beside_and_alone(db)
    assert [text for thread, text in sent if thread == "peerkit-beside"] == [
        "SET TRANSACTION SNAPSHOT '00000000-00000000-0'"
    ]
    db.dispose()


def test_on_sqlite_a_second_connection_that_cannot_begin_sends_the_work_back_in_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _open(tmp_path, None)

    def locked(other: sa.Connection) -> None:
        other.exec_driver_sql("SELECT * FROM no_such_table")

    monkeypatch.setattr(connections, "_sqlite_read", locked)
    names = _beside_and_alone(db)
    assert names.count("peerkit-beside") == 2  # BEGIN, and the read that failed
    db.dispose()


def test_on_one_processor_the_work_runs_in_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two threads on one processor only take turns: no second connection then."""
    db = _open(tmp_path, None)
    monkeypatch.setattr(connections, "processors", lambda: 1)
    names, _note = _threads_of_statements(db)
    with db.read(snapshot=True) as session:
        stats.compute(session, None, None, random_community.TODAY)
    assert set(names) == {threading.current_thread().name}
    db.dispose()


def test_processors_counts_what_this_process_may_use() -> None:
    import os

    found = REAL_PROCESSORS()  # the fixture above stands in for it in every test
    assert 1 <= found <= (os.cpu_count() or 1)
    if hasattr(os, "sched_getaffinity"):
        assert found == len(os.sched_getaffinity(0))
