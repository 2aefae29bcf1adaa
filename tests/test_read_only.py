"""A database peerkit may not write (issue 13, item 6): reading works, writing says why.

Root ignores file modes, so every command here runs in a subprocess with file modes
enforced (tests/unprivileged.py); the community is built beforehand, in-process.
Two places are read-only: the file (0400), and its folder (0500, where SQLite cannot
create the -wal and -shm files a WAL database needs: the file is read as immutable).
"""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import unprivileged
from tests.conftest import Cli, isolate

WHERE = ("file", "folder")
READING = [
    ("member", "list", "--format", "json"),
    ("member", "show", "1", "--format", "json"),
    ("member", "export", "--format", "json"),
    ("group", "list", "--format", "json"),
    ("session", "list", "--format", "json"),
    ("agenda", "1", "--format", "json"),
    ("stats", "--format", "json"),
    ("export", "ics", "--all"),
    ("event", "list", "--format", "json"),
    ("commitment", "list", "--format", "json"),
    ("db", "check"),
    ("db", "path"),
]
WRITING = [
    ("member", "add", "Cy Young", "--email", "cy@example.com"),
    ("member", "pause", "1"),
    ("session", "plan", "martedi", "--count", "2"),
    ("plan", "week", "--week", "2026-W49"),
    ("plan", "week", "--week", "2026-W49", "--dry-run"),
    ("commitment", "add", "1", "Ship it"),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small community: three members, a group with a planned meeting, a commitment."""
    root = tmp_path_factory.mktemp("read-only")
    folder = root / "community"
    with pytest.MonkeyPatch.context() as patch:
        isolate(patch, root / "home")
        cli = Cli(folder / "peerkit.db")
        cli.ok("init", "--community", "Insieme", "--timezone", "Europe/Rome",
               "--organiser-name", "Paolo", "--organiser-email", "paolo@example.com")  # fmt: skip
        for name in ("Anna Bianchi", "Bruno Verdi", "Carla Neri"):
            email = name.split()[0].lower() + "@example.com"
            cli.ok("member", "add", name, "--email", email)
        cli.ok("group", "create", "Martedì", "--day", "tue", "--time", "18:30", "--start",
               "2026-12-01", "--member", "1", "--member", "2", "--member", "3")  # fmt: skip
        cli.ok("session", "plan", "martedi", "--from", "2026-12-01", "--count", "1")
        cli.ok("commitment", "add", "1", "Call three clients", "--session", "1")
    return folder


@pytest.fixture(params=WHERE)
def locked(request: pytest.FixtureRequest, built: Path, tmp_path: Path) -> Iterator[Path]:
    """A copy of the community whose file, or folder, is read-only; restored afterwards."""
    folder = tmp_path / "copy"
    folder.mkdir()
    path = folder / "peerkit.db"
    path.write_bytes((built / "peerkit.db").read_bytes())
    target = path if request.param == "file" else folder
    target.chmod(0o400 if request.param == "file" else 0o500)
    try:
        yield path
    finally:
        folder.chmod(0o700)
        path.chmod(0o600)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_reading_commands_work_on_a_read_only_database(locked: Path) -> None:
    before = digest(locked)
    for args in READING:
        done = unprivileged.peerkit("--db", str(locked), *args)
        assert done.returncode == 0, (args, done.stderr)
        assert "Error" not in done.stderr, (args, done.stderr)
    members = json.loads(unprivileged.peerkit("--db", str(locked), "member", "list",
                                              "--format", "json").stdout)  # fmt: skip
    assert [m["name"] for m in members] == ["Anna Bianchi", "Bruno Verdi", "Carla Neri"]
    assert digest(locked) == before
    assert sorted(p.name for p in locked.parent.iterdir()) == ["peerkit.db"]  # no -wal, -shm


@pytest.mark.slow
def test_writing_commands_say_the_database_is_read_only(locked: Path, tmp_path: Path) -> None:
    before = digest(locked)
    csv_file = tmp_path / "people.csv"
    with csv_file.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows([["name", "email"], ["Dora Blu", "dora@example.com"]])
    outbox = tmp_path / "outbox"
    for args in [*WRITING, ("member", "import", str(csv_file))]:
        extra = ("--out", str(outbox)) if args[0] == "plan" else ()
        done = unprivileged.peerkit("--db", str(locked), *args, *extra)
        assert done.returncode == 1, (args, done.stdout, done.stderr)
        assert done.stdout == ""
        (line,) = done.stderr.splitlines()
        assert line.startswith("Error: the database "), line
        assert "is read-only" in line
        assert "internal error" not in line
    assert digest(locked) == before
    assert not outbox.exists()  # refused before anything was written


def test_the_message_names_what_is_read_only(locked: Path) -> None:
    done = unprivileged.peerkit("--db", str(locked), "member", "pause", "1")
    assert done.returncode == 1
    reason = "the file is read-only" if locked.stat().st_mode & 0o200 == 0 else "its folder"
    assert reason in done.stderr
    assert str(locked) in done.stderr


def test_a_read_only_folder_with_a_live_write_ahead_log(built: Path, tmp_path: Path) -> None:
    """Committed changes still in the -wal file are read (not the immutable file alone)."""
    folder = tmp_path / "live"
    folder.mkdir()
    path = folder / "peerkit.db"
    path.write_bytes((built / "peerkit.db").read_bytes())
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("PRAGMA journal_mode = WAL")
        writer.execute("PRAGMA wal_autocheckpoint = 0")  # the change stays in the -wal file
        writer.execute("UPDATE member SET name = 'Anna Bianchi-Rossi' WHERE id = 1")
        assert Path(f"{path}-wal").stat().st_size > 0
        folder.chmod(0o500)
        try:
            done = unprivileged.peerkit("--db", str(path), "member", "show", "1", "-f", "json")
        finally:
            folder.chmod(0o700)
    finally:
        writer.close()
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["name"] == "Anna Bianchi-Rossi"


def test_a_new_database_in_a_read_only_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o500)
    try:
        done = unprivileged.peerkit("--db", str(folder / "peerkit.db"), "member", "list")
    finally:
        folder.chmod(0o700)
    assert done.returncode == 1
    (line,) = done.stderr.splitlines()
    assert line.startswith("Error: cannot create the database ")
    assert "Permission denied" in line
    assert list(folder.iterdir()) == []


def test_a_backup_of_a_read_only_database(locked: Path, tmp_path: Path) -> None:
    copy = tmp_path / "backup.db"
    done = unprivileged.peerkit("--db", str(locked), "db", "backup", str(copy))
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{copy}\n"
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT count(*) FROM member").fetchone() == (3,)
    assert sorted(p.name for p in locked.parent.iterdir()) == ["peerkit.db"]


def test_a_read_only_database_that_needs_an_upgrade(locked: Path) -> None:
    locked.parent.chmod(0o700)
    locked.chmod(0o600)
    with sqlite3.connect(locked) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0006'")
    conn.close()
    locked.chmod(0o400)
    for args in (("member", "list"), ("db", "upgrade")):
        done = unprivileged.peerkit("--db", str(locked), *args)
        assert done.returncode == 1, (args, done.stderr)
        (line,) = done.stderr.splitlines()
        assert "is read-only (the file is read-only)" in line
        assert "needs an upgrade" in line
    assert not (locked.parent / "backups").exists()
