"""The database never loses data: pragmas, migrations, backups, locking, file modes."""

from __future__ import annotations

import json
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from peerkit import models
from peerkit.config import Settings, default_db_path
from peerkit.db import current_revision, list_backups, open_database, upgrade
from peerkit.errors import PeerkitError
from peerkit.migrations import HEAD
from peerkit.migrations.runner import head_revision, run_upgrade
from tests.conftest import Cli


def _open(path: Path):  # type: ignore[no-untyped-def]
    return open_database(Settings(db_path=path))


def test_head_constant_matches_the_migration_scripts() -> None:
    assert head_revision() == HEAD


def _migrated_engine(path: Path) -> sa.Engine:
    """An empty database brought to head by running every migration (no shortcut)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(f"sqlite:///{path}")
    run_upgrade(engine)
    return engine


def test_migrated_schema_equals_the_models(db_path: Path) -> None:
    engine = _migrated_engine(db_path)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == HEAD
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(ctx, models.load_all()) == []
    engine.dispose()


def _schema(engine: sa.Engine) -> dict[str, object]:
    inspector = sa.inspect(engine)
    shape: dict[str, object] = {}
    for table in sorted(inspector.get_table_names()):
        shape[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)
            ],
            "pk": inspector.get_pk_constraint(table)["constrained_columns"],
            "fks": sorted(
                (f["name"], tuple(f["constrained_columns"]), f["referred_table"],
                 (f.get("options") or {}).get("ondelete"))
                for f in inspector.get_foreign_keys(table)
            ),
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in inspector.get_indexes(table)
            ),
            "uniques": sorted(
                (u["name"], tuple(u["column_names"]))
                for u in inspector.get_unique_constraints(table)
            ),
            "checks": sorted(
                (c["name"], c["sqltext"]) for c in inspector.get_check_constraints(table)
            ),
        }  # fmt: skip
    return shape


def test_a_fresh_database_gets_the_same_schema_as_the_migrations(tmp_path: Path) -> None:
    migrated = _migrated_engine(tmp_path / "migrated.db")
    fresh = _open(tmp_path / "fresh.db")
    assert current_revision(fresh.engine) == HEAD
    assert _schema(fresh.engine) == _schema(migrated)
    fresh.dispose()
    migrated.dispose()


def test_connection_pragmas(db_path: Path) -> None:
    db = _open(db_path)
    with db.engine.connect() as conn:
        pragma = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("foreign_keys", "journal_mode", "busy_timeout", "secure_delete")
        }
    db.dispose()
    assert pragma["foreign_keys"] == 1
    assert pragma["journal_mode"] == "wal"
    assert pragma["busy_timeout"] >= 5000
    assert pragma["secure_delete"] == 1


def test_write_transactions_begin_immediate(db_path: Path) -> None:
    db = _open(db_path)
    statements: list[str] = []
    sa.event.listen(
        db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]), named=False
    )
    with db.write() as session:
        session.exec(sa.text("SELECT 1"))  # type: ignore[call-overload]
    with db.read() as session:
        session.exec(sa.text("SELECT 1"))  # type: ignore[call-overload]
    db.dispose()
    begins = [s for s in statements if s.startswith("BEGIN")]
    assert begins == ["BEGIN IMMEDIATE", "BEGIN"]


def test_default_database_is_private(isolated_env: Path) -> None:
    cli = Cli(default_db_path())
    result = cli("member", "list", db=False)
    assert result.exit_code == 0, result.stderr
    path = default_db_path()
    assert path.is_relative_to(isolated_env)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_wal_files_are_private_too(db_path: Path) -> None:
    db = _open(db_path)
    conn = db.engine.connect()
    conn.exec_driver_sql("SELECT count(*) FROM member").all()
    for suffix in ("-wal", "-shm"):
        extra = Path(f"{db_path}{suffix}")
        if extra.exists():
            assert stat.S_IMODE(extra.stat().st_mode) == 0o600
    conn.close()
    db.dispose()


def test_a_database_from_a_newer_peerkit_is_refused(db_path: Path) -> None:
    _open(db_path).dispose()
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(PeerkitError, match="newer peerkit"):
        _open(db_path)


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 100)
    cli = Cli(path)
    result = cli("member", "list")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert "Traceback" not in result.stderr
    assert path.read_text().startswith("these are my notes")


# --- migrations of tables with children -----------------------------------------------

EXTRA_MIGRATION = '''
"""Test-only: rebuild the member table in batch mode (as a real column change would)."""
import sqlalchemy as sa
from alembic import op

revision = "9001"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("member", recreate="always") as batch:
        batch.add_column(sa.Column("nickname", sa.String(), nullable=True))


def downgrade():
    with op.batch_alter_table("member", recreate="always") as batch:
        batch.drop_column("nickname")
'''


def _member_with_history(cli: Cli) -> None:
    cli.ok("member", "add", "Giulia Rossi", "--email", "giulia@example.com")
    cli.ok("member", "pause", "giulia@example.com")
    cli.ok("member", "resume", "giulia@example.com")


def test_batch_migration_keeps_the_children(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    _member_with_history(cli)
    with sqlite3.connect(db_path) as conn:
        before = conn.execute("SELECT member_id, action FROM member_history").fetchall()
    assert len(before) == 3
    versions = tmp_path / "extra_versions"
    versions.mkdir()
    (versions / "9001_rebuild_member.py").write_text(
        textwrap.dedent(EXTRA_MIGRATION).format(head=HEAD)
    )
    db = _open(db_path)
    run_upgrade(db.engine, extra_version_locations=[versions])
    assert current_revision(db.engine) == "9001"
    with db.engine.connect() as conn:
        after = conn.exec_driver_sql("SELECT member_id, action FROM member_history").all()
        columns = [c["name"] for c in sa.inspect(conn).get_columns("member")]
        fk_on = conn.exec_driver_sql("PRAGMA foreign_keys").scalar()
    db.dispose()
    assert [tuple(r) for r in after] == before
    assert "nickname" in columns
    assert fk_on == 1


def test_upgrade_of_an_existing_database_makes_an_online_backup_first(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    _member_with_history(cli)
    versions = tmp_path / "extra_versions"
    versions.mkdir()
    (versions / "9001_rebuild_member.py").write_text(
        textwrap.dedent(EXTRA_MIGRATION).format(head=HEAD)
    )
    db = _open(db_path)
    saved = upgrade(db, HEAD, extra_version_locations=[versions])
    db.dispose()
    assert saved is not None
    assert list_backups(db_path) == [saved]
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    with sqlite3.connect(saved) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD,)
        assert conn.execute("SELECT name FROM member").fetchall() == [("Giulia Rossi",)]
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)


def test_a_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (n INTEGER)")
    result = Cli(path)("member", "list")
    assert result.exit_code == 1
    assert "not a peerkit database" in result.stderr
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"invoices"}


def test_db_upgrade_on_a_current_database(cli: Cli) -> None:
    cli.ok("member", "list")
    result = cli("db", "upgrade")
    assert result.exit_code == 0
    assert result.stderr.startswith("Already up to date")
    assert result.stdout == ""


def test_fresh_database_is_not_backed_up(cli: Cli, db_path: Path) -> None:
    cli.ok("member", "list")
    assert list_backups(db_path) == []


# --- concurrency ----------------------------------------------------------------------

WRITER = """
import sys
from typer.testing import CliRunner
from peerkit.cli import app
n = int(sys.argv[2])
for i in range(5):
    r = CliRunner().invoke(app, ["--db", sys.argv[1], "member", "add", f"P{n}-{i}",
                                 "--email", f"p{n}-{i}@example.com", "--skills", "x"])
    if r.exit_code != 0:
        print(r.stderr, file=sys.stderr)
        sys.exit(1)
"""


@pytest.mark.slow
def test_concurrent_writers_wait_instead_of_failing(cli: Cli, db_path: Path) -> None:
    cli.ok("init", "--community", "Test")
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db_path), str(n)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(6)
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, errors
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM member").fetchone() == (30,)


def test_db_check_reports_a_broken_foreign_key(cli: Cli, db_path: Path) -> None:
    _member_with_history(cli)
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute(
            "INSERT INTO member_history (member_id, action, at) VALUES (999, 'x', '2026-01-01')"
        )
    result = cli("db", "check")
    assert result.exit_code == 1
    assert "foreign key" in result.stderr
    assert result.stdout == ""


def test_an_older_database_is_upgraded_on_open_after_a_backup(db_path: Path) -> None:
    """A database at the first revision, with members, is brought to head when opened."""
    db_path.parent.mkdir(parents=True)
    engine = sa.create_engine(f"sqlite:///{db_path}")
    run_upgrade(engine, target="0001")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO member (name, email, timezone, locale, skills, needs, availability, "
            "mentor_capacity, status, joined) VALUES ('Ada', 'ada@example.com', 'UTC', 'en', "
            "'[]', '[]', '[]', 0, 'active', '2026-01-01')"
        )
        conn.exec_driver_sql(
            "INSERT INTO member_history (member_id, action, at) VALUES (1, 'joined', "
            "'2026-01-01 00:00:00')"
        )
    engine.dispose()
    result = Cli(db_path)("member", "list", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert [m["name"] for m in json.loads(result.stdout)] == ["Ada"]
    (saved,) = list_backups(db_path)
    assert saved.name.endswith("-rev0001.db")
    with sqlite3.connect(saved) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD,)
        assert conn.execute("SELECT count(*) FROM member_history").fetchone() == (1,)


def test_an_sqlite_url_opens_the_file_it_names(tmp_path: Path, cli: Cli) -> None:
    """--database-url sqlite:///FILE is --db FILE: that file (mode 0600), not the default one."""
    target = tmp_path / "named" / "community.db"
    target.parent.mkdir()
    url = f"sqlite:///{target}"
    adding = ("member", "add", "Ada Lovelace", "--email", "ada@example.org")
    added = cli("--database-url", url, *adding, db=False)
    assert added.exit_code == 0, added.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert not cli.db_path.exists()
    listed = cli("--database-url", url, "member", "list", "--format", "json", db=False)
    assert [m["email"] for m in json.loads(listed.stdout)] == ["ada@example.org"]
    assert cli("--database-url", url, "db", "path", db=False).stdout.strip() == str(target)


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "sqlite+pysqlite://"])
def test_an_sqlite_url_without_a_file_is_refused(cli: Cli, url: str) -> None:
    result = cli("--database-url", url, "member", "list", db=False)
    assert result.exit_code == 1, result.stderr
    assert result.stderr.startswith(f"Error: the database URL '{url}' names no file")
    assert "Traceback" not in result.stderr
