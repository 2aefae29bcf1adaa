"""Ctrl-C (issue 13, item 11): exit 130, one line, and nothing half-written.

A real SIGINT is sent to `python -m peerkit` while it is working: during a long import
(its write-ahead log is growing), and during `plan week` over many groups (its first
files are appearing). An import interrupted adds nobody; a `plan week` interrupted has
committed its plan before writing any file, so every file on disk belongs to a meeting
in the database, and a second run writes the files that are missing.
"""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import Cli

if TYPE_CHECKING:
    from tests.factories import World

pytest_plugins = ["tests.factories"]

WEEK = "2026-W49"
GROUPS = 120
SIZE = 6


def start(*args: str) -> subprocess.Popen[str]:
    """`python -m peerkit ARGS`, with Ctrl-C's default action even if ours ignores it."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.Popen(
        [sys.executable, "-m", "peerkit", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def interrupt_when(proc: subprocess.Popen[str], working: Callable[[], bool]) -> str:
    """Send SIGINT as soon as `working()` says so; the stderr of the run."""
    deadline = time.monotonic() + 120
    while not working():
        assert proc.poll() is None, f"finished before it could be interrupted: {proc.stderr}"
        assert time.monotonic() < deadline, "never started working"
        time.sleep(0.005)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=120)
    return err


def count(db_path: Path, table: str) -> int:
    with sqlite3.connect(db_path) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


@pytest.mark.slow
def test_ctrl_c_during_a_long_import(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    cli.ok("init", "--community", "Insieme")
    people = tmp_path / "people.csv"
    with people.open("w", newline="", encoding="utf-8") as out:
        rows = csv.writer(out)
        rows.writerow(["name", "email"])
        rows.writerows([f"Person {n}", f"p{n}@example.com"] for n in range(120_000))
    wal = Path(f"{db_path}-wal")
    proc = start("--db", str(db_path), "member", "import", str(people))
    err = interrupt_when(proc, lambda: wal.exists() and wal.stat().st_size > 256 * 1024)
    assert proc.returncode == 130, err
    assert err == "Interrupted.\n"
    assert count(db_path, "member") == 0  # all or nothing: nothing
    assert cli.ok("db", "check").exit_code == 0


def build(world: World) -> None:
    """GROUPS groups of SIZE members, meeting on Tuesdays, in one transaction."""
    from peerkit.services.groups import roster
    from peerkit.services.members import profiles

    with world.db.write() as session:
        for g in range(GROUPS):
            raw = roster.GroupFields(name=f"Group {g}", day="tue", start=date(2026, 12, 1))
            group = roster.create(session, raw, "Europe/Rome", date(2026, 11, 1))
            for n in range(SIZE):
                fields = profiles.MemberFields(name=f"M {g}-{n}", email=f"m{g}-{n}@example.com")
                member = profiles.add(session, fields, {}, date(2026, 11, 1))
                roster.add_member(session, group, member, date(2026, 11, 1))


def uids_in(db_path: Path) -> set[str]:
    with sqlite3.connect(db_path) as conn:
        return {row[0] for row in conn.execute("SELECT uid FROM meeting")}


def uid_of(ics: Path) -> str:
    (line,) = [ln for ln in ics.read_text(encoding="utf-8").splitlines() if ln.startswith("UID:")]
    return line.removeprefix("UID:")


@pytest.mark.slow
def test_ctrl_c_during_plan_week(world: World, cli: Cli, db_path: Path, tmp_path: Path) -> None:
    build(world)
    world.db.dispose()
    out = tmp_path / "outbox"
    proc = start("--db", str(db_path), "plan", "week", "--week", WEEK, "--out", str(out))
    err = interrupt_when(proc, lambda: any((out / WEEK).glob("*/invite-*.eml")))
    assert proc.returncode == 130, err
    assert err.splitlines()[-1] == "Interrupted."
    written = sorted((out / WEEK).glob("*/session.ics"))
    assert 0 < len(written) < GROUPS, "interrupted while writing the files"
    assert {uid_of(f) for f in written} <= uids_in(db_path)  # no file for a rolled-back meeting
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]  # no half-written file
    again = cli("plan", "week", "--week", WEEK, "--out", str(out))
    assert again.exit_code == 0, again.stderr
    folders = sorted((out / WEEK).iterdir())
    assert len(folders) == GROUPS
    for folder in folders:
        assert len(list(folder.glob("invite-*.eml"))) == SIZE, folder
        assert (folder / "agenda.md").is_file()
    assert {uid_of(f) for f in (out / WEEK).glob("*/session.ics")} == uids_in(db_path)


def test_ctrl_c_while_the_app_is_being_built(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before any command runs (Typer building the commands): still 130 and one line."""
    from peerkit.commands import _root

    def stopped(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(_root, "build_app", stopped)
    monkeypatch.setattr(sys, "argv", ["peerkit", "member", "list"])
    with pytest.raises(SystemExit) as stop:
        _root.run()
    assert stop.value.code == 130
    assert capsys.readouterr().err == "Interrupted.\n"
