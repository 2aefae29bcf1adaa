"""Statuses and kinds: StrEnums in Python, CHECK constraints in the database (revision 0006).

The PostgreSQL side of the same checks is in test_postgres.py.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from peerkit.config import Settings
from peerkit.db import Database, current_revision, list_backups, open_database
from peerkit.migrations import HEAD
from peerkit.migrations.runner import run_upgrade
from tests import statuses
from tests.conftest import Cli, assert_error


def _open(path: Path) -> Database:
    return open_database(Settings(db_path=path))


def test_every_status_column_has_a_check_listing_its_enum(tmp_path: Path) -> None:
    from sqlmodel import SQLModel

    from peerkit.enums import values
    from peerkit.models import EnumText

    db = _open(tmp_path / "fresh.db")
    inspector = sa.inspect(db.engine)
    for table, columns in statuses.enum_columns().items():
        checks = {c["name"]: c["sqltext"] for c in inspector.get_check_constraints(table)}
        for column in columns:
            kind = SQLModel.metadata.tables[table].c[column].type
            assert isinstance(kind, EnumText)
            listed = ", ".join(f"'{v}'" for v in values(kind.enum))
            assert checks[f"ck_{table}_{column}"] == f"{column} IN ({listed})"
    db.dispose()
    assert len(statuses.enum_columns()) == 13  # access_login.role (0015), pair_rule.kind (0017)


def _at_0005_with_data(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(f"sqlite:///{path}")
    run_upgrade(engine, target="0005")
    with engine.begin() as conn:
        statuses.fill(conn)
    engine.dispose()


def test_sqlite_refuses_a_word_outside_each_list(db_path: Path) -> None:
    _at_0005_with_data(db_path)
    db = _open(db_path)
    assert statuses.accepted_nonsense(db.engine) == []
    db.dispose()


def test_before_0006_any_word_was_accepted(db_path: Path) -> None:
    """The probe above can fail: without the constraints every column takes nonsense."""
    _at_0005_with_data(db_path)
    engine = sa.create_engine(f"sqlite:///{db_path}")
    assert len(statuses.accepted_nonsense(engine)) == 14
    engine.dispose()


def test_a_database_at_0005_with_data_upgrades_to_0006(db_path: Path) -> None:
    _at_0005_with_data(db_path)
    engine = sa.create_engine(f"sqlite:///{db_path}")
    with engine.connect() as conn:
        before = statuses.stored(conn)
    engine.dispose()
    cli = Cli(db_path)
    members = json.loads(cli.ok("member", "list", "-f", "json").stdout)
    assert [(m["name"], m["status"]) for m in members] == [("Ada", "active"), ("Bruno", "paused")]
    db = _open(db_path)
    assert current_revision(db.engine) == HEAD
    with db.engine.connect() as conn:
        assert statuses.stored(conn) == before
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    db.dispose()
    (saved,) = list_backups(db_path)
    assert saved.name.endswith("-rev0005.db")


def test_an_unknown_word_stops_the_upgrade_and_names_the_rows(db_path: Path) -> None:
    _at_0005_with_data(db_path)
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE meeting SET status = 'Postponed' WHERE id = 2")
    result = Cli(db_path)("member", "list")
    assert_error(result, "meeting.status = 'Postponed' (1 row)")
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0005",)
        assert conn.execute("SELECT status FROM meeting WHERE id = 2").fetchone() == ("Postponed",)
    assert len(list_backups(db_path)) == 1


def test_rows_read_back_as_enum_members(cli: Cli, db_path: Path) -> None:
    from sqlmodel import select

    from peerkit.enums import MemberStatus
    from peerkit.models import Member

    cli.ok("member", "add", "Ada", "--email", "ada@example.com")
    db = _open(db_path)
    with db.read() as session:
        (ada,) = session.exec(select(Member)).all()
        assert ada.status is MemberStatus.ACTIVE
    db.dispose()


def test_every_status_column_is_typed_with_its_enum() -> None:
    """The models say what a status column holds: its enum, not str."""
    import typing

    from sqlmodel import SQLModel

    from peerkit import models
    from peerkit.models import EnumText

    typed = 0
    models.load_all()
    for cls in vars(models).values():
        if not (isinstance(cls, type) and issubclass(cls, SQLModel) and hasattr(cls, "__table__")):
            continue
        hints = typing.get_type_hints(cls)
        for column in cls.__table__.c:
            if isinstance(column.type, EnumText):
                assert set(typing.get_args(hints[column.name]) or [hints[column.name]]) <= {
                    column.type.enum,
                    type(None),
                }, f"{cls.__name__}.{column.name} is typed {hints[column.name]}"
                typed += 1
    assert typed == sum(len(columns) for columns in statuses.enum_columns().values())


def test_a_checked_word_comes_back_as_its_enum() -> None:
    from peerkit.enums import MemberStatus, Stage
    from peerkit.errors import InvalidValue
    from peerkit.services.common import validate

    assert validate.word(" Growth ", Stage, "stage") is Stage.GROWTH
    assert validate.stage("idea") is Stage.IDEA
    assert validate.status("PAUSED") is MemberStatus.PAUSED
    with pytest.raises(InvalidValue) as caught:
        validate.word("later", Stage, "stage")
    assert caught.value.message == (
        "unknown stage 'later'; choose one of: idea, early, growth, established."
    )
