"""The cycle collector is paused while peerkit loads and runs again once a database is open
(peerkit.loading); peerkit used as a library leaves it as it found it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import gc, sys
from pathlib import Path
from peerkit import loading
from peerkit.config import Settings
from peerkit.db import open_database

{before}
loading.pause()
print("paused", gc.isenabled())
db = open_database(Settings(db_path=Path(sys.argv[1])))
print("open", gc.isenabled(), len(gc.get_objects()) < gc.get_freeze_count())
db.dispose()
"""


def run(tmp_path: Path, before: str = "") -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(before=before), str(tmp_path / "p.db")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_paused_while_loading_and_on_once_the_database_is_open(tmp_path: Path) -> None:
    # on again, and what was loaded is frozen: more objects frozen than the collector walks
    assert run(tmp_path) == ["paused False", "open True True"]


def test_a_collector_someone_else_turned_off_stays_off(tmp_path: Path) -> None:
    assert run(tmp_path, before="gc.disable()") == ["paused False", "open False False"]


def last_line(code: str, tmp_path: Path) -> str:
    """The last line CODE (a console script run with `sys.argv[1]` a new database) wrote
    to stderr."""
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "p.db")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stderr.strip().splitlines()[-1]


def test_the_console_script_pauses_it_until_the_database_is_open(tmp_path: Path) -> None:
    code = (
        "import gc, sys, runpy\n"
        "from peerkit import loading\n"
        "seen = []\n"
        "real = loading.loaded\n"
        "def loaded():\n"
        "    seen.append(gc.isenabled())\n"
        "    real()\n"
        "    seen.append(gc.isenabled())\n"
        "loading.loaded = loaded\n"
        "sys.argv = ['peerkit', '--db', sys.argv[1], 'member', 'list']\n"
        "try:\n"
        "    runpy.run_module('peerkit', run_name='__main__')\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
        "print(seen, gc.isenabled(), file=sys.stderr)\n"
    )
    assert last_line(code, tmp_path) == "[False, True] True"


def test_the_console_script_freezes_everything_when_the_command_is_over(tmp_path: Path) -> None:
    """The interpreter's last collection walks nothing that was loaded or made."""
    code = (
        "import gc, sys, runpy, atexit\n"
        "atexit.register(lambda: print(len(gc.get_objects()), gc.get_freeze_count() > 100_000,"
        " file=sys.stderr))\n"
        "sys.argv = ['peerkit', '--db', sys.argv[1], 'member', 'list']\n"
        "runpy.run_module('peerkit', run_name='__main__')\n"
    )
    walked, frozen = last_line(code, tmp_path).split()
    assert frozen == "True"
    assert int(walked) < 1000  # what the collector would still walk at exit
