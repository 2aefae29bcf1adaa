"""The shared, multi-organiser mode: the same commands against a real PostgreSQL."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from peerkit import models
from peerkit.config import Settings
from peerkit.db import open_database
from peerkit.migrations import HEAD
from peerkit.migrations.runner import run_upgrade
from tests import statuses
from tests.conftest import Result, invoke

pytestmark = pytest.mark.postgres


def run(url: str, *args: str) -> Result:
    return invoke(["--database-url", url, *args])


def ok(url: str, *args: str) -> Result:
    result = run(url, *args)
    assert result.exit_code == 0, result.stderr
    return result


def test_migrated_schema_equals_the_models_on_postgres(pg_url: str) -> None:
    engine = sa.create_engine(pg_url)
    run_upgrade(engine)  # every migration, not the fresh-database shortcut
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == HEAD
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(ctx, models.load_all()) == []
    engine.dispose()


def test_a_fresh_postgres_database_matches_the_models(pg_url: str) -> None:
    db = open_database(Settings(db_path=Path("unused"), database_url=pg_url))
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(ctx, models.load_all()) == []
    db.dispose()


def test_postgres_upgrades_0005_with_data_and_refuses_unknown_words(pg_url: str) -> None:
    engine = sa.create_engine(pg_url)
    run_upgrade(engine, target="0005")
    with engine.begin() as conn:
        statuses.fill(conn)
    with engine.connect() as conn:
        before = statuses.stored(conn)
    assert len(statuses.accepted_nonsense(engine)) == 14  # no constraints yet
    run_upgrade(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == HEAD
        assert statuses.stored(conn) == before
        checks = conn.exec_driver_sql(
            "SELECT count(*) FROM pg_constraint WHERE contype = 'c' AND conname LIKE 'ck_%%'"
        ).scalar()
    # 14 from 0006, 3 on the answers of 0011, 2 of 0013 (breaks), 1 on access_login (0015),
    # 1 on the pair rules (0017)
    assert checks == 21
    assert statuses.accepted_nonsense(engine) == []
    engine.dispose()


def test_a_fresh_postgres_database_refuses_an_unknown_status(pg_url: str) -> None:
    ok(pg_url, "member", "add", "Ada", "--email", "ada@example.com")
    engine = sa.create_engine(pg_url)
    with pytest.raises(sa.exc.IntegrityError, match="ck_member_status"), engine.begin() as conn:
        conn.exec_driver_sql("UPDATE member SET status = 'asleep'")
    engine.dispose()


def test_members_on_postgres(pg_url: str) -> None:
    ok(pg_url, "init", "--community", "Freelance Insieme", "--timezone", "Europe/Rome")
    first = ok(
        pg_url,
        "member",
        "add",
        "Giulia Rossi",
        "--email",
        "Giulia@Example.com",
        "--available",
        "tue 18:00-20:00",
        "--skills",
        "branding",
    )
    assert first.stdout.strip() == "1"
    ok(pg_url, "member", "edit", "giulia@example.com", "--stage", "early")
    dup = run(pg_url, "member", "add", "Other", "--email", "GIULIA@example.com")
    assert dup.exit_code == 1
    assert "already belongs" in dup.stderr
    shown = json.loads(ok(pg_url, "member", "show", "Giulia Rossi", "-f", "json").stdout)
    assert shown["timezone"] == "Europe/Rome"
    assert shown["availability"] == ["tue 18:00-20:00"]
    assert shown["stage"] == "early"


def test_csv_round_trip_and_sequence_on_postgres(pg_url: str, tmp_path: Path) -> None:
    csv_file = tmp_path / "members.csv"
    csv_file.write_text(
        "id,name,email,skills\n"
        "7,Ada Lovelace,ada@example.com,math; engines\n"
        "9,Grace Hopper,grace@example.com,compilers\n"
    )
    ok(pg_url, "member", "import", str(csv_file))
    # A member added afterwards gets a fresh id, past the imported ones.
    new = ok(pg_url, "member", "add", "Linus", "--email", "linus@example.com")
    assert int(new.stdout) == 10
    exported = ok(pg_url, "member", "export").stdout
    assert exported.splitlines()[1].startswith("7,Ada Lovelace,ada@example.com")


def test_import_is_all_or_nothing_on_postgres(pg_url: str, tmp_path: Path) -> None:
    csv_file = tmp_path / "members.csv"
    csv_file.write_text("name,email\nAda,ada@example.com\nBad,not-an-email\n")
    result = run(pg_url, "member", "import", str(csv_file))
    assert result.exit_code == 1
    assert "line 3" in result.stderr
    assert json.loads(ok(pg_url, "member", "list", "-f", "json").stdout) == []


def test_forget_on_postgres(pg_url: str) -> None:
    ok(pg_url, "member", "add", "Zefferina Quaglierini", "--email", "zq@example.com")
    ok(pg_url, "member", "forget", "zq@example.com", "--yes")
    engine = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT name, email, status FROM member").all()
        vacuumed = None
        for _ in range(50):  # statistics reach other sessions asynchronously
            conn.exec_driver_sql("SELECT pg_stat_clear_snapshot()")
            vacuumed = conn.exec_driver_sql(
                "SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'member'"
            ).scalar()
            if vacuumed:
                break
            time.sleep(0.1)
    engine.dispose()
    assert rows == [("Forgotten member #1", None, "left")]
    assert vacuumed == 1


def test_db_commands_on_postgres(pg_url: str) -> None:
    secret_url = pg_url.replace("postgres@", "postgres:s3cret@")
    path = run(secret_url, "db", "path")
    assert path.exit_code == 0
    assert "s3cret" not in path.stdout
    assert "***" in path.stdout
    empty = run(pg_url, "db", "check")  # db check creates nothing, not even tables
    assert empty.exit_code == 1
    assert "the database is empty" in empty.stderr
    ok(pg_url, "member", "list")
    ok(pg_url, "db", "check")
    backup = run(pg_url, "db", "backup")
    assert backup.exit_code == 1
    assert "pg_dump" in backup.stderr
