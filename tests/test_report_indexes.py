"""The indexes of migration 0008 (issue 19): the report reads through them, and the migration
adds them to a database with rows, on SQLite and PostgreSQL, and takes them away again.

`peerkit stats` finds the held meetings of the groups in each of its queries and counts the
commitments per group and member: with the columns those need in one index each, SQLite
answers from the index alone (EXPLAIN QUERY PLAN says "USING COVERING INDEX"), and no query of
the report reads a whole table of meetings, marks, hot seats or commitments.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlmodel import Session

from peerkit.config import Settings
from peerkit.db import Database, open_database
from peerkit.migrations import HEAD
from peerkit.migrations.runner import make_config, run_upgrade
from peerkit.output import to_json
from peerkit.services.reports import stats
from tests import random_community

NEW = {"meeting": "ix_meeting_group_status_slot", "commitment": "ix_commitment_group_member_status"}


def _filled(tmp_path: Path, url: str | None = None, seed: int = 3) -> Database:
    db = open_database(Settings(db_path=tmp_path / "report.db", database_url=url))
    with db.write() as session:
        random_community.build(session, random.Random(seed))
    return db


def _plans(db: Database) -> list[str]:
    """EXPLAIN QUERY PLAN of every statement of the report, one line per step."""
    seen: list[tuple[str, Any]] = []

    def note(_conn: Any, _cursor: Any, statement: str, params: Any, *_rest: Any) -> None:
        seen.append((statement, params))

    sa.event.listen(db.engine, "before_cursor_execute", note)
    with db.read() as session:
        stats.compute(session, None, None, random_community.TODAY)
    sa.event.remove(db.engine, "before_cursor_execute", note)
    steps = []
    with db.engine.connect() as conn:
        for statement, params in seen:
            if statement.lstrip().upper().startswith("SELECT"):
                plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)
                steps += [row[3] for row in plan]
    return steps


def test_the_report_reads_held_meetings_and_commitments_from_the_new_indexes(
    tmp_path: Path,
) -> None:
    db = _filled(tmp_path)
    steps = _plans(db)
    db.dispose()
    for table, index in NEW.items():
        assert any(f"{table} USING COVERING INDEX {index}" in s for s in steps), (table, steps)
    big = ("meeting", "attendance", "hot_seat", "commitment")
    assert [s for s in steps if s.startswith("SCAN ") and s.split()[1] in big] == []


def _indexes(engine: sa.Engine) -> dict[str, set[str]]:
    inspector = sa.inspect(engine)
    return {table: {i["name"] or "" for i in inspector.get_indexes(table)} for table in NEW}


def _report(engine: sa.Engine) -> str:
    with Session(engine) as session:
        return to_json(stats.compute(session, None, None, random_community.TODAY))


def _upgrade_and_back(engine: sa.Engine) -> None:
    """At 0007 with a community in it: to 0008 (the indexes there) and on to the head, with
    the same report, and back.

    The community is made with today's models, then the schema taken back to 0007. The
    report is made with today's models too, so at the head only (today's models read columns
    that later migrations add)."""
    run_upgrade(engine)
    with Session(engine) as session:
        random_community.build(session, random.Random(5))
        session.commit()
    before = _report(engine)
    _downgrade(engine, "0007")
    assert not any(NEW[t] in found for t, found in _indexes(engine).items())
    run_upgrade(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == HEAD
    assert all(NEW[t] in found for t, found in _indexes(engine).items())
    assert _report(engine) == before
    _downgrade(engine, "0007")
    assert not any(NEW[t] in found for t, found in _indexes(engine).items())


def _downgrade(engine: sa.Engine, target: str) -> None:
    cfg = make_config()
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, target)
        conn.commit()


@pytest.fixture
def without_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The report as it was at 0007 and 0008: members' answers (0010) have no table there."""
    nothing = sa.select(sa.literal(0), sa.literal(0)).where(sa.false())  # no row: no no-shows
    monkeypatch.setattr(stats, "_no_shows_query", lambda _held: nothing)


@pytest.mark.usefixtures("without_answers")
def test_0008_adds_the_indexes_to_a_sqlite_database_with_rows(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    _upgrade_and_back(engine)
    engine.dispose()


@pytest.mark.postgres
@pytest.mark.usefixtures("without_answers")
def test_0008_adds_the_indexes_to_a_postgres_database_with_rows(pg_url: str) -> None:
    engine = sa.create_engine(pg_url)
    _upgrade_and_back(engine)
    engine.dispose()
