"""Small truths (issue 16, item 7): what the docs and messages say is what peerkit does.

A new database's path is shown quoted when it holds a newline or an escape; `templates list`
and `templates show` take --format; the README's `mentor match` is the command's real output;
nothing that exists is announced as "coming"; docs/cron.md's summary lines, and their place in
the log, are what `plan week` prints. (Ctrl-C and exit 130: tests/test_interrupt.py.)
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from peerkit.resources import builtin_templates_dir
from tests.conftest import Cli

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"


# --- "Created a new, empty database at ..." -------------------------------------------------------


@pytest.mark.parametrize("odd", ["new\nline.db", "esc\x1b[31mred.db"])
def test_a_new_database_whose_path_has_escapes_is_named_quoted(
    cli: Cli, tmp_path: Path, odd: str
) -> None:
    path = tmp_path / odd
    result = cli("--db", str(path), "member", "list", db=False)
    assert result.exit_code == 0, result.stderr
    first = result.stderr.splitlines()[0]
    assert first == f"Created a new, empty database at {str(path)!r}."
    assert "\x1b" not in result.stderr
    assert path.is_file()


def test_a_plain_path_is_named_as_it_is(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "plain folder" / "new.db"
    path.parent.mkdir()
    result = cli("--db", str(path), "member", "list", db=False)
    assert result.stderr.splitlines()[0] == f"Created a new, empty database at {path}."


# --- templates list / show --format ---------------------------------------------------------------


@pytest.fixture
def mine(isolated_env: Path) -> Path:
    """The user's own agenda.md.j2, in their template folder."""
    folder = isolated_env / ".config" / "peerkit" / "templates"
    folder.mkdir(parents=True)
    (folder / "agenda.md.j2").write_text("# {{ group.name }}\n", encoding="utf-8")
    return folder


def test_templates_list_json_names_the_file_used(cli: Cli, mine: Path) -> None:
    result = cli.ok("templates", "list", "--format", "json")
    rows = json.loads(result.stdout)
    assert [set(r) for r in rows] == [{"name", "source", "path"}] * len(rows)
    by_name = {r["name"]: r for r in rows}
    assert set(by_name) == {p.name for p in builtin_templates_dir().glob("*.j2")}
    assert by_name["agenda.md.j2"] == {
        "name": "agenda.md.j2",
        "source": "yours",
        "path": str(mine / "agenda.md.j2"),
    }
    assert by_name["invite.txt.j2"]["source"] == "built-in"
    assert Path(by_name["invite.txt.j2"]["path"]) == builtin_templates_dir() / "invite.txt.j2"
    assert result.stderr == ""  # only JSON, nothing else


def test_templates_list_csv_has_the_same_keys(cli: Cli, mine: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(cli.ok("templates", "list", "-f", "csv").stdout)))
    assert list(rows[0]) == ["name", "source", "path"]
    assert {r["name"]: r["source"] for r in rows}["agenda.md.j2"] == "yours"


def test_templates_list_table_is_unchanged(cli: Cli, mine: Path) -> None:
    result = cli.ok("templates", "list")
    assert "yours" in result.stdout
    assert "path" not in result.stdout
    assert str(mine) in result.stderr


def test_templates_show_json_and_csv(cli: Cli, mine: Path) -> None:
    shown = json.loads(cli.ok("templates", "show", "agenda.md.j2", "--format", "json").stdout)
    assert shown == {
        "name": "agenda.md.j2",
        "source": "yours",
        "path": str(mine / "agenda.md.j2"),
        "text": "# {{ group.name }}\n",
    }
    builtin = json.loads(cli.ok("templates", "show", "invite.txt.j2", "-f", "json").stdout)
    assert builtin["source"] == "built-in"
    assert builtin["text"] == (builtin_templates_dir() / "invite.txt.j2").read_text("utf-8")
    (row,) = csv.DictReader(io.StringIO(cli.ok("templates", "show", "agenda.md.j2", "-f",
                                                "csv").stdout))  # fmt: skip
    assert row == {**shown}
    assert cli.ok("templates", "show", "agenda.md.j2").stdout == "# {{ group.name }}\n"


def test_templates_show_json_of_an_unknown_template_is_an_error(cli: Cli) -> None:
    result = cli("templates", "show", "nope.j2", "--format", "json")
    assert result.exit_code == 1
    assert result.stdout == ""


# --- the README's mentor match --------------------------------------------------------------------


def _block_after(text: str, command: str) -> list[str]:
    """The lines a code block shows after `$ COMMAND`, up to the next prompt or the fence."""
    lines = text.splitlines()
    start = lines.index(f"$ {command}") + 1
    shown = []
    for line in lines[start:]:
        if line.startswith(("$ ", "```")):
            break
        shown.append(line)
    return shown


def test_the_readme_mentor_match_is_what_the_command_prints(cli: Cli, tmp_path: Path) -> None:
    """The README's tour: the demo built on 2026-11-27 (the tests' today), then `mentor match`."""
    demo = tmp_path / "peerkit-demo"
    assert cli("demo", "--dir", str(demo), db=False).exit_code == 0
    result = cli("--db", str(demo / "peerkit.db"), "mentor", "match", db=False)
    assert result.exit_code == 0, result.stderr
    printed = [line.rstrip() for line in (result.stdout + result.stderr).splitlines()]
    shown = [
        line.rstrip() for line in _block_after(README.read_text("utf-8"), "peerkit mentor match")
    ]
    assert shown == printed, "README.md: paste the real output of `peerkit mentor match`"


# --- nothing that exists is "coming" ----------------------------------------------------------


COMING = re.compile(r"\(coming\)|coming soon|not (yet )?implemented|will use it", re.IGNORECASE)


def test_no_text_announces_as_coming_what_exists(cli: Cli) -> None:
    documents = [README, *sorted(DOCS.glob("*.md"))]
    found = [
        f"{doc.name}: {line.strip()[:80]}"
        for doc in documents
        for line in doc.read_text("utf-8").splitlines()
        if COMING.search(line)
    ]
    assert not found, found
    helps = cli.ok("--help").stdout
    for noun in ("member", "group", "mentor", "event", "templates", "db"):
        helps += cli.ok(noun, "--help").stdout
    assert not COMING.search(helps)


# --- docs/cron.md ---------------------------------------------------------------------------------

SUMMARY = re.compile(
    r"^\d{4}-W\d\d: (would write|wrote) \d+ file\(s\), \d+ unchanged, under \S+\.$"
)


def _peerkit(
    cwd: Path, today: str, *args: str, log: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`peerkit ARGS` in CWD on its day, as cron runs it: stdout and stderr into LOG, if given."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "PEERKIT_TODAY": today,
           "PEERKIT_DB": "freelance-insieme.db"}  # fmt: skip
    command = [sys.executable, "-m", "peerkit", *args]
    if log is None:
        return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    with log.open("a", encoding="utf-8") as out:
        return subprocess.run(command, cwd=cwd, env=env, stdout=out, stderr=out, text=True)


def _shape(lines: list[str]) -> list[str]:
    """A log as its summary lines, and its CSV rows cut to their first five cells."""
    return [line if SUMMARY.match(line) else ",".join(line.split(",")[:5]) for line in lines]


@pytest.mark.slow
def test_the_cron_page_shows_the_summary_lines_plan_week_prints(cli: Cli, tmp_path: Path) -> None:
    """The page's story, replayed: the demo of 2026-11-27 copied, then Mondays."""
    assert cli("demo", "--dir", str(tmp_path / "demo"), db=False).exit_code == 0
    here = tmp_path / "communities"
    here.mkdir()
    shutil.copy(tmp_path / "demo" / "peerkit.db", here / "freelance-insieme.db")
    printed: list[str] = []
    dry = _peerkit(here, "2026-11-30", "plan", "week", "--out", "outbox", "--dry-run")
    printed.append(dry.stderr.splitlines()[-1])
    log = here / "plan-week.log"
    for today in ("2026-11-30", "2026-12-07", "2026-12-07"):
        run = _peerkit(here, today, "plan", "week", "--out", "outbox", "--format", "csv", log=log)
        assert run.returncode == 0
    logged = log.read_text("utf-8").splitlines()
    for _ in range(2):
        third = _peerkit(here, "2026-12-14", "plan", "week", "--out", "outbox", "--format", "json")
        assert third.returncode == 0, third.stderr
        printed.append(third.stderr.splitlines()[-1])
    printed += [line for line in logged if SUMMARY.match(line)]

    page = (DOCS / "cron.md").read_text("utf-8")
    said = {line for line in page.splitlines() if SUMMARY.match(line)}
    in_text = set(re.findall(r"`(\d{4}-W\d\d: (?:would write|wrote) [^`]*\.)`", page))
    assert said, "the page shows summary lines"
    assert said | in_text <= set(printed), sorted((said | in_text) - set(printed))
    assert _shape(_block_after(page, "cat plan-week.log")) == _shape(logged)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_in_a_log_the_summary_line_comes_after_the_rows(cli: Cli, tmp_path: Path, fmt: str) -> None:
    """docs/cron.md, Logs: with `>> log 2>&1` each run's rows come first, its summary last."""
    assert cli("demo", "--dir", str(tmp_path / "demo"), db=False).exit_code == 0
    here = tmp_path / "demo"
    shutil.copy(here / "peerkit.db", here / "freelance-insieme.db")
    log = here / "plan-week.log"
    run = _peerkit(here, "2026-11-30", "plan", "week", "--format", fmt, log=log)
    assert run.returncode == 0
    lines = log.read_text("utf-8").splitlines()
    assert SUMMARY.match(lines[-1]), lines[-1]
    assert not any(SUMMARY.match(line) for line in lines[:-1])
