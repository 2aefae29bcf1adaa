"""Ctrl-C (issue 13, item 11): exit 130, one line, and nothing half-written.

A real SIGINT is sent to `python -m peerkit` while it is working: during a long import
(its write-ahead log is growing), and during `plan week` over many groups (its first
files are appearing). An import interrupted adds nobody; a `plan week` interrupted has
committed its plan before writing any file, so every file on disk belongs to a meeting
in the database, and a second run writes the files that are missing. Every long command
(stats, group form, member list, export ics, db check, plan week) answers a real SIGINT with
130 and one line; so does a Ctrl-C outside any command (Typer parsing or closing, peerkit
still loading its libraries).
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


# --- every long command, and the moments outside any command --------------------------------------

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
LONG_COMMANDS = [
    ("stats",),
    ("stats", "--format", "json"),
    ("group", "form", "--from", "active"),
    ("member", "list"),
    ("export", "ics", "--all", "--output", "{tmp}/all.ics"),
    ("db", "check"),
    ("plan", "week", "--dry-run", "--out", "{tmp}/outbox"),
]


@pytest.fixture(scope="module")
def big_community(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A year of 150 groups and 1,000 members (benchmarks/community.py): each command above
    works on it for a second or more."""
    path = tmp_path_factory.mktemp("big") / "community.db"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    built = subprocess.run(
        [sys.executable, str(BENCH / "community.py"), str(path),
         "--members", "1000", "--groups", "150", "--weeks", "52"],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    return path


def has_open(proc: subprocess.Popen[str], path: Path) -> bool:
    """The process has PATH open (it has started working on the database)."""
    try:
        fds = Path(f"/proc/{proc.pid}/fd").iterdir()
        return any(os.readlink(fd) == str(path) for fd in fds)
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
@pytest.mark.parametrize("argv", LONG_COMMANDS, ids=" ".join)
def test_ctrl_c_during_each_long_command(
    big_community: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: tuple[str, ...]
) -> None:
    monkeypatch.setenv("PEERKIT_TODAY", "2026-03-02")  # the generated community's today
    args = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    proc = start("--db", str(big_community), *args)
    opened = time.monotonic()
    err = interrupt_when(
        proc, lambda: has_open(proc, big_community) and time.monotonic() - opened > 0.3
    )
    assert proc.returncode == 130, err
    assert err.splitlines()[-1] == "Interrupted.", err
    assert "Traceback" not in err


def test_ctrl_c_while_typer_parses_or_closes_still_says_so(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Outside any command (Typer parsing the line, or closing the command's context) Typer
    answers Ctrl-C with exit 130 and no word; peerkit adds its line."""
    from peerkit.commands import _root
    from peerkit.context import AppContext

    def stopped(self: AppContext) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(AppContext, "close", stopped)  # called as the context closes
    monkeypatch.setattr(sys, "argv", ["peerkit", "--db", str(db_path), "db", "path"])
    with pytest.raises(SystemExit) as stop:
        _root.run()
    assert stop.value.code == 130
    out, err = capsys.readouterr()
    assert out == f"{db_path}\n"  # the command itself had finished
    assert err.splitlines()[-1] == "Interrupted."


INTERRUPTED_IMPORT = """
import sys

class Stop:
    def find_spec(self, name, path=None, target=None):
        if name == "typer":
            raise KeyboardInterrupt
        return None

sys.meta_path.insert(0, Stop())
sys.argv = ["peerkit", "--version"]
from peerkit.__main__ import main
main()
"""


def test_ctrl_c_while_peerkit_is_still_loading() -> None:
    """The console script's first imports (Typer, a tenth of a second) are covered too."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-c", INTERRUPTED_IMPORT], capture_output=True, text=True, env=env
    )
    assert done.returncode == 130, done.stderr
    assert done.stderr == "Interrupted.\n"


def test_the_console_script_starts_where_loading_is_covered() -> None:
    import tomllib

    project = tomllib.loads((BENCH.parent / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["scripts"]["peerkit"] == "peerkit.__main__:main"
