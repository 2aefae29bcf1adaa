"""`db check` tells the truth (issue 13, item 2): every problem in words, one line each.

It creates nothing (no file, no table, no -wal), never upgrades what it checks, and ends
with exit 1 on any problem: a missing or empty file, a file that is not a database or is
damaged, broken references, an old, unknown or missing schema revision, a schema that
differs from the models (a table, column or index dropped, a table peerkit does not know).
"""

from __future__ import annotations

import hashlib
import random
import sqlite3
from pathlib import Path

import pytest

from peerkit.migrations import HEAD
from tests.conftest import Cli, Result, invoke, isolate


@pytest.fixture(scope="module")
def healthy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A community with members, a group, meetings and a commitment: a few pages of data."""
    root = tmp_path_factory.mktemp("check")
    path = root / "community" / "peerkit.db"
    with pytest.MonkeyPatch.context() as patch:
        isolate(patch, root / "home")
        cli = Cli(path)
        cli.ok("init", "--community", "Insieme", "--timezone", "Europe/Rome")
        for n in range(1, 41):
            cli.ok("member", "add", f"Member {n}", "--email", f"m{n}@example.com",
                   "--bio", "A freelance designer who likes long walks. " * 8)  # fmt: skip
        cli.ok("group", "create", "Martedì", "--day", "tue", "--time", "18:30", "--start",
               "2026-12-01", "--member", "1", "--member", "2", "--member", "3")  # fmt: skip
        cli.ok("session", "plan", "martedi", "--from", "2026-12-01", "--count", "4")
        cli.ok("commitment", "add", "1", "Call three clients", "--session", "1")
    return path


@pytest.fixture
def copy(healthy: Path, tmp_path: Path) -> Path:
    target = tmp_path / "alone" / "copy.db"
    target.parent.mkdir()
    target.write_bytes(healthy.read_bytes())
    return target


def check(path: Path) -> Result:
    return invoke(["--db", str(path), "db", "check"])


def problems(result: Result) -> list[str]:
    """The problem lines: exit 1, a heading with their count, then one indented line each."""
    assert result.exit_code == 1, result
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert "internal error" not in result.stderr
    heading, *lines = result.stderr.splitlines()
    assert heading.startswith("Error: ")
    assert heading.endswith(f"has {len(lines)} problem(s):"), heading
    assert all(line.startswith("  ") and line.strip() for line in lines)
    return [line.strip() for line in lines]


def run_sql(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_healthy_database_is_ok_and_left_exactly_as_it_was(copy: Path) -> None:
    before = digest(copy)
    result = check(copy)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "ok: integrity, foreign keys and schema are fine.\n"
    assert digest(copy) == before
    assert sorted(p.name for p in copy.parent.iterdir()) == ["copy.db"]  # no -wal, -shm


def test_a_database_that_does_not_exist_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "typo" / "peerkit.db"
    result = check(path)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: there is no database at {path} (nothing was created); check --db or "
        "PEERKIT_DB (peerkit db path shows the file peerkit uses)."
    ]
    assert not path.parent.exists()


def test_an_empty_file_is_said_to_be_empty_and_stays_empty(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    assert problems(check(path)) == [
        "the file is empty: it holds no peerkit tables yet (nothing to check)"
    ]
    assert path.stat().st_size == 0


def test_a_truncated_database_is_damaged(copy: Path) -> None:
    copy.write_bytes(copy.read_bytes()[: 3 * 4096])
    (line,) = problems(check(copy))
    assert line.startswith("the file is damaged and cannot be read (")
    assert line.endswith("restore a backup")


def test_random_bytes_are_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "noise.db"
    path.write_bytes(random.Random(13).randbytes(64 * 1024))
    assert problems(check(path)) == [
        "the file is not an SQLite database (or its first page is destroyed)"
    ]


@pytest.mark.parametrize("seed", range(6))
def test_random_damage_is_reported_never_an_internal_error(copy: Path, seed: int) -> None:
    """Bytes changed anywhere after the header: text that is not UTF-8, broken pages."""
    data = bytearray(copy.read_bytes())
    rng = random.Random(seed)
    for _ in range(300):
        data[rng.randrange(100, len(data))] = rng.randrange(256)
    copy.write_bytes(bytes(data))
    assert problems(check(copy))


def test_damage_inside_the_pages_names_what_integrity_check_found(copy: Path) -> None:
    """Two leaf pages of the members' table damaged: the schema still reads, the data not."""
    with sqlite3.connect(copy) as conn:
        leaves = [
            n for (n,) in conn.execute(
                "SELECT pageno FROM dbstat WHERE name = 'member' AND pagetype = 'leaf' "
                "ORDER BY pageno"
            )
        ]  # fmt: skip
    conn.close()
    assert len(leaves) >= 2
    data = bytearray(copy.read_bytes())
    rng = random.Random(7)
    for page in (leaves[len(leaves) // 2] - 1, leaves[-1] - 1):  # pageno counts from 1
        for i in range(page * 4096 + 200, page * 4096 + 900):
            data[i] = rng.randrange(256)
    copy.write_bytes(bytes(data))
    found = problems(check(copy))
    assert any(line.startswith("damage found by SQLite's integrity check: ") for line in found)


def test_a_dropped_table_is_missing(copy: Path) -> None:
    run_sql(copy, "DROP TABLE commitment")
    assert problems(check(copy)) == ["table commitment is missing"]  # its indexes with it


def test_a_dropped_column_is_missing(copy: Path) -> None:
    run_sql(copy, "ALTER TABLE member DROP COLUMN bio")
    assert problems(check(copy)) == ["table member has no column bio"]


def test_a_dropped_index_is_missing(copy: Path) -> None:
    run_sql(copy, "DROP INDEX ix_commitment_status")
    assert problems(check(copy)) == [
        "the index ix_commitment_status on commitment(status) is missing"
    ]


def test_tables_and_indexes_peerkit_does_not_know(copy: Path) -> None:
    run_sql(copy, "CREATE TABLE notes (text TEXT)", "CREATE INDEX my_names ON member (name)")
    assert problems(check(copy)) == [
        "table notes is not one of peerkit's tables",
        "the index my_names on member(name) is not one of peerkit's",
    ]


def test_broken_references_are_counted_per_table(copy: Path) -> None:
    run_sql(copy, *(
        f"INSERT INTO member_history (member_id, action, at) VALUES ({900 + i}, 'x', '2026-01-01')"
        for i in range(7)
    ))  # fmt: skip
    (line,) = problems(check(copy))
    assert line.startswith(
        "foreign key: 7 row(s) of table member_history refer to a missing row of member (row id "
    )
    assert line.endswith(" and 2 more)")


def test_an_older_schema_is_reported_and_not_upgraded(copy: Path) -> None:
    run_sql(copy, "UPDATE alembic_version SET version_num = '0006'")
    assert problems(check(copy)) == [
        f"the schema is at revision 0006, older than this peerkit's {HEAD}: "
        "run peerkit db upgrade (it takes a backup first)"
    ]
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0006",)
    assert not (copy.parent / "backups").exists()


def test_a_schema_from_a_newer_peerkit(copy: Path) -> None:
    run_sql(copy, "UPDATE alembic_version SET version_num = '9999_future'")
    (line,) = problems(check(copy))
    assert "9999_future" in line
    assert "newer peerkit" in line


def test_a_missing_revision(copy: Path) -> None:
    run_sql(copy, "DROP TABLE alembic_version")
    (line,) = problems(check(copy))
    assert line.startswith("the table alembic_version is missing")


# --- PostgreSQL ------------------------------------------------------------------------------


def pg(url: str, *args: str) -> Result:
    return invoke(["--database-url", url, *args])


@pytest.mark.postgres
def test_postgres_empty_healthy_and_damaged(pg_url: str) -> None:
    import sqlalchemy as sa

    assert problems(pg(pg_url, "db", "check")) == [
        "the database is empty: it holds no peerkit tables"
    ]
    assert pg(pg_url, "member", "add", "Ada", "--email", "ada@example.com").exit_code == 0
    assert pg(pg_url, "db", "check").exit_code == 0
    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE commitment")
        conn.exec_driver_sql("ALTER TABLE member DROP COLUMN bio")
        conn.exec_driver_sql("ALTER TABLE member ADD CONSTRAINT named CHECK (name <> '') NOT VALID")
    engine.dispose()
    assert problems(pg(pg_url, "db", "check")) == [
        "table commitment is missing",
        "table member has no column bio",
        "constraint named on table member is not valid (the server does not enforce or use it)",
    ]
