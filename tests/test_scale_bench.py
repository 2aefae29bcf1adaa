"""The scale benchmarks (issue 19): the generated community is valid, and scale.py runs.

benchmarks/community.py must give the same database for the same seed, and a community
every command accepts; benchmarks/scale.py --quick must produce its tables.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import invoke

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
TODAY = "2026-03-02"  # community.TODAY: the generated community's today
WEEK = "2026-W10"


def bench(*argv: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    done = subprocess.run(
        [sys.executable, *argv], env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stderr
    return done


def build(path: Path, *size: str) -> Path:
    bench(str(BENCH / "community.py"), str(path), *size)
    return path


def dump(path: Path) -> list[str]:
    """Every statement that rebuilds the database, in order (the schema's own order varies:
    SQLAlchemy creates a table's indexes from a set)."""
    conn = sqlite3.connect(path)
    try:
        return sorted(s for s in conn.iterdump() if s.startswith("CREATE")) + [
            s for s in conn.iterdump() if not s.startswith("CREATE")
        ]
    finally:
        conn.close()


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


SIZE = ("--members", "60", "--groups", "4", "--weeks", "6")
FILLED = ("member", "peer_group", "membership", "meeting", "attendance", "hot_seat", "commitment",
          "delivery", "mentorship", "community_event", "rsvp")  # fmt: skip


def test_the_same_seed_gives_the_same_database(tmp_path: Path) -> None:
    first = build(tmp_path / "a.db", *SIZE)
    again = build(tmp_path / "b.db", *SIZE)
    other = build(tmp_path / "c.db", *SIZE, "--seed", "7")
    assert dump(first) == dump(again)
    assert dump(first) != dump(other)


def test_the_community_has_what_the_issue_describes(tmp_path: Path) -> None:
    db = build(tmp_path / "c.db", *SIZE)
    sizes = [n for (n,) in rows(db, "SELECT count(*) FROM membership GROUP BY group_id")]
    assert len(sizes) == 4
    assert all(5 <= n <= 8 for n in sizes)
    assert len(rows(db, "SELECT DISTINCT timezone FROM member")) == 6
    assert {loc for (loc,) in rows(db, "SELECT DISTINCT locale FROM member")} == {"en", "it"}
    for table in ("meeting", "attendance", "hot_seat", "commitment", "delivery", "rsvp"):
        assert rows(db, f"SELECT count(*) FROM {table}")[0][0] > 0, table
    assert rows(db, "SELECT count(*) FROM meeting WHERE facilitator_id IS NOT NULL")[0][0] > 0
    assert rows(db, "SELECT count(*) FROM community_event")[0][0] >= 2


def test_every_command_accepts_the_community(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEERKIT_TODAY", TODAY)
    db = str(build(tmp_path / "c.db", *SIZE))
    out = tmp_path / "out"
    planned = invoke(["--db", db, "plan", "week", "--week", WEEK, "--out", str(out), "-f", "json"])
    assert planned.exit_code == 0, planned.stderr
    plans = json.loads(planned.stdout)
    assert len(plans) == 4
    assert all(p["status"] == "planned" and p["invited"] for p in plans)
    stats = invoke(["--db", db, "stats", "--format", "json"])
    assert stats.exit_code == 0, stats.stderr
    assert len(json.loads(stats.stdout)["groups"]) == 4
    listed = invoke(["--db", db, "member", "list", "--format", "json"])
    assert listed.exit_code == 0
    assert len(json.loads(listed.stdout)) > 0
    ics = tmp_path / "all.ics"
    exported = invoke(["--db", db, "export", "ics", "--all", "--output", str(ics)])
    assert exported.exit_code == 0, exported.stderr
    meetings = rows(Path(db), "SELECT count(*) FROM meeting")[0][0]
    assert ics.read_text(encoding="utf-8").count("BEGIN:VEVENT") == meetings
    assert invoke(["--db", db, "db", "check"]).exit_code == 0


@pytest.mark.postgres
def test_the_postgres_community_holds_the_same_rows(
    tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """community.py --url: the same rows as the SQLite file of the same size and seed."""
    import sqlalchemy as sa

    monkeypatch.setenv("PEERKIT_TODAY", TODAY)
    db = build(tmp_path / "c.db", *SIZE)
    bench(str(BENCH / "community.py"), "--url", pg_url, *SIZE)
    engine = sa.create_engine(pg_url)
    with engine.connect() as conn:
        for table in FILLED:
            count = f"SELECT count(*) FROM {table}"
            assert conn.exec_driver_sql(count).scalar() == rows(db, count)[0][0], table
    engine.dispose()
    for args in (
        ("stats", "-f", "json"),
        ("member", "list", "-f", "json"),
        ("group", "list", "-f", "json"),
    ):
        on_sqlite = invoke(["--db", str(db), *args])
        on_postgres = invoke(["--database-url", pg_url, *args])
        assert on_sqlite.exit_code == on_postgres.exit_code == 0, on_postgres.stderr
        assert on_postgres.stdout == on_sqlite.stdout, args
    again = subprocess.run(
        [sys.executable, str(BENCH / "community.py"), "--url", pg_url, *SIZE],
        env=dict(os.environ, PYTHONPATH=str(ROOT / "src")),
        capture_output=True,
        text=True,
    )
    assert again.returncode != 0
    assert "holds members already" in again.stderr


def test_the_members_csv_imports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEERKIT_TODAY", TODAY)
    csv = tmp_path / "members.csv"
    bench(str(BENCH / "community.py"), str(csv), "--csv", "--members", "80")
    db = str(tmp_path / "imported.db")
    done = invoke(["--db", db, "member", "import", str(csv)])
    assert done.exit_code == 0, done.stderr
    assert rows(Path(db), "SELECT count(*) FROM member")[0][0] == 80


def test_scale_quick_plan_week(tmp_path: Path) -> None:
    table = tmp_path / "scale.md"
    done = bench(
        str(BENCH / "scale.py"), "--quick", "--only", "plan-week", "--budget", "1",
        "--markdown", str(table), "--workdir", str(tmp_path),
    )  # fmt: skip
    text = table.read_text(encoding="utf-8")
    assert done.stdout.strip() == text.strip()
    lines = text.splitlines()
    assert sum(line.startswith("| `plan week` |") for line in lines) == 4
    assert "| `plan week` again when nothing changed |" in text
    assert "SQL statements of one `plan week`" in text
    assert "Growth: from 2 to 5 groups" in text
    from tests.pg import _bin_dir

    if _bin_dir() is not None:  # plan-week-pg-100: PostgreSQL beside SQLite
        assert "| `plan week` on PostgreSQL | 35 members, 5 groups, no history |" in text
        assert "`plan week` on PostgreSQL: both wrote the same 38 files" in text
