"""Completion that knows the community: sub-commands, options and values, in a real bash.

Bash runs the script peerkit gives it (`_PEERKIT_COMPLETE=source_bash`, what
`peerkit --install-completion` installs), registered with `complete`; each Tab is its
completion function called with COMP_WORDS and COMP_CWORD set, as bash calls it, and the
answer is what it puts in COMPREPLY. The values come from the demo community.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import peerkit
from peerkit.commands._root import (
    COMMANDS,
    bash_word,
    build_app,
    completion_app,
    completion_line,
)
from tests.conftest import FIXED_TODAY, invoke, isolate

SRC = str(Path(peerkit.__file__).resolve().parents[1])
BASH = shutil.which("bash")
HEAVY = ("sqlalchemy", "sqlmodel", "alembic", "icalendar", "jinja2", "questionary", "babel")


@pytest.fixture(scope="module")
def community(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo community's database."""
    folder = tmp_path_factory.mktemp("completion")
    with pytest.MonkeyPatch.context() as patch:
        isolate(patch, folder / "home")
        patch.chdir(folder)
        assert invoke(["demo", "--dir", "demo"]).exit_code == 0
    return folder / "demo" / "peerkit.db"


@pytest.fixture(scope="module")
def shell(tmp_path_factory: pytest.TempPathFactory, community: Path) -> Path:
    """A folder with a `peerkit` program on PATH and the completion script bash sources."""
    folder = tmp_path_factory.mktemp("shell")
    program = folder / "bin" / "peerkit"
    program.parent.mkdir()
    program.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m peerkit "$@"\n')
    program.chmod(0o755)
    script = subprocess.run(
        [str(program)],
        env={**_env(folder), "_PEERKIT_COMPLETE": "source_bash"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    (folder / "peerkit-completion.bash").write_text(script)
    return folder


def _env(folder: Path, **more: str) -> dict[str, str]:
    return {
        "PATH": f"{folder / 'bin'}:/usr/bin:/bin",
        "HOME": str(folder),
        "XDG_CONFIG_HOME": str(folder / "config"),
        "XDG_DATA_HOME": str(folder / "data"),
        "PYTHONPATH": SRC,
        "PEERKIT_TODAY": FIXED_TODAY,
        **more,
    }


TAB = r"""
source "$1"
shift
fn=$(complete -p peerkit | sed -E 's/.* -F ([^ ]+) .*/\1/')
while IFS= read -r line; do
    eval "COMP_WORDS=($line)"
    COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
    COMPREPLY=()
    "$fn" peerkit "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    printf '%s\n' "${COMPREPLY[@]}"
    echo "-- end --"
done
"""


def tab(shell: Path, *lines: str, **env: str) -> list[list[str]]:
    """What bash completes for each LINE (its words as typed; the last one is completed)."""
    assert BASH is not None
    done = subprocess.run(
        [BASH, "--norc", "--noprofile", "-c", TAB, "tab", str(shell / "peerkit-completion.bash")],
        input="".join(f"{line}\n" for line in lines),
        env=_env(shell, **env),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    answers: list[list[str]] = [[]]
    for out in done.stdout.splitlines():
        if out == "-- end --":
            answers.append([])
        elif out:
            answers[-1].append(out)
    assert len(answers) == len(lines) + 1, done.stderr
    return answers[:-1]


pytestmark = pytest.mark.skipif(BASH is None, reason="bash is not installed")


def test_the_script_registers_a_completion_function_with_complete(shell: Path) -> None:
    assert BASH is not None
    done = subprocess.run(
        [
            BASH,
            "--norc",
            "-c",
            'source "$1" && complete -p peerkit',
            "x",
            "peerkit-completion.bash",
        ],
        cwd=shell,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.startswith("complete ")
    assert " -F _peerkit_completion " in done.stdout


def test_sub_commands_and_options_at_every_level(shell: Path) -> None:
    top, member, sub, group_f, options, member_options, root_options = tab(
        shell,
        "peerkit ''",
        "peerkit member ''",
        "peerkit mem",
        "peerkit group f",
        "peerkit member add --t",
        "peerkit member list --",
        "peerkit --d",
    )
    assert sorted(top) == sorted(c[0] for c in COMMANDS)
    assert member == [
        "add", "list", "show", "edit", "remove", "pause", "resume", "forget", "import", "export",
    ]  # fmt: skip
    assert sub == ["member"]
    assert group_f == ["form"]
    assert options == ["--timezone"]
    assert member_options == ["--group", "--status", "--format", "--wide", "--help"]
    assert root_options == ["--db", "--database-url"]


def test_values_from_the_community(shell: Path, community: Path) -> None:
    db = str(community)
    names, emails, slugs, events, seat, zones, weeks, sessions = tab(
        shell,
        f"peerkit --db {db} member show Giu",
        f"peerkit --db {db} member show giu",
        f"peerkit --db {db} group show ''",
        f"peerkit --db {db} event show ''",
        f"peerkit --db {db} event rsvp 1 Mat",
        "peerkit member add --timezone Europe/Ro",
        "peerkit plan week --week 2026-W5",
        "peerkit agenda ''",
        PEERKIT_DB=db,
    )
    assert names == [r"Giulia\ Rossi"]
    assert emails == ["giulia.rossi@example.com"]
    assert sorted(slugs) == ["founders-across-time-zones", "mastermind-del-martedi"]
    assert sorted(events) == ["1", "2"]
    assert seat == [r"Matteo\ Greco"]
    assert zones == ["Europe/Rome"]
    assert weeks == ["2026-W50", "2026-W51", "2026-W52", "2026-W53"]
    assert sorted(sessions, key=int) == ["1", "2", "3", "4", "5"]


def test_a_name_completed_in_bash_is_one_word(shell: Path, community: Path) -> None:
    """What bash inserts for a name with a space and an apostrophe reads back as the name."""
    invoke(["--db", str(community), "member", "add", "Anna D'Arco", "--email", "anna@x.example"])
    (found,) = tab(shell, f"peerkit --db {community} member show Anna")
    assert found == [r"Anna\ D\'Arco"]
    assert BASH is not None
    read = subprocess.run(
        [BASH, "--norc", "-c", f"words=({found[0]}); printf '%s|' \"${{words[@]}}\""],
        capture_output=True,
        text=True,
        check=True,
    )
    assert read.stdout == "Anna D'Arco|"


def test_no_community_no_values_and_no_error(shell: Path) -> None:
    (found,) = tab(shell, "peerkit member show ''", PEERKIT_DB=str(shell / "none.db"))
    assert found == []


# --- the app built for a Tab answers as the full app ----------------------------------------


LINES = [
    "peerkit ",
    "peerkit m",
    "peerkit -",
    "peerkit --",
    "peerkit member ",
    "peerkit member -",
    "peerkit member --help ",
    "peerkit member list --",
    "peerkit member list --group ",
    "peerkit member list --status p",
    "peerkit member show ",
    "peerkit member show Giu",
    "peerkit --no-input member show ",
    "peerkit --db DB member show ",
    "peerkit --db DB ",
    "peerkit --db ",
    "peerkit agenda ",
    "peerkit agenda 4 --format ",
    "peerkit plan ",
    "peerkit plan week --week ",
    "peerkit group add mastermind-del-martedi ",
    "peerkit event rsvp 1 ",
    "peerkit templates show a",
    "peerkit frobnicate ",
]


@pytest.mark.parametrize("line", LINES)
def test_the_app_built_for_a_tab_answers_like_the_full_app(line: str, community: Path) -> None:
    line = line.replace("DB", str(community))
    words = line.split(" ")
    env = {
        "_PEERKIT_COMPLETE": "complete_bash",
        "COMP_WORDS": line,
        "COMP_CWORD": str(len(words) - 1),
        "PEERKIT_DB": str(community),
    }
    found = completion_line(env)
    assert found is not None
    one = CliRunner().invoke(completion_app(*found), [], env=env, prog_name="peerkit")
    full = CliRunner().invoke(build_app(), [], env=env, prog_name="peerkit")
    assert (one.exit_code, one.stdout) == (full.exit_code, full.stdout)
    assert one.exit_code == 0


def test_the_completion_line_of_each_shell() -> None:
    bash = {"_PEERKIT_COMPLETE": "complete_bash", "COMP_WORDS": "peerkit member show Giu",
            "COMP_CWORD": "3"}  # fmt: skip
    assert completion_line(bash) == (["member", "show"], "Giu")
    assert completion_line({**bash, "COMP_WORDS": "peerkit member ", "COMP_CWORD": "2"}) == (
        ["member"],
        "",
    )
    for shell in ("zsh", "fish"):
        line = {"_PEERKIT_COMPLETE": f"complete_{shell}", "_TYPER_COMPLETE_ARGS": "peerkit gr"}
        assert completion_line(line) == ([], "gr")
        line["_TYPER_COMPLETE_ARGS"] = 'peerkit member show "Giulia Ro'
        assert completion_line(line) == (["member", "show"], "Giulia Ro")
    power = {"_PEERKIT_COMPLETE": "complete_powershell", "_TYPER_COMPLETE_ARGS": "peerkit me",
             "_TYPER_COMPLETE_WORD_TO_COMPLETE": "me"}  # fmt: skip
    assert completion_line(power) == ([], "me")
    assert completion_line({}) is None
    assert completion_line({"_PEERKIT_COMPLETE": "source_bash"}) == ([], "-")
    assert bash_word("Anna D'Arco") == "Anna\\ D\\'Arco"
    assert bash_word("Europe/Rome") == "Europe/Rome"


# --- fast: what a Tab imports ----------------------------------------------------------------

PROBE = """
import json, sys
sys.argv = ["peerkit"]
from peerkit.commands._root import run
try:
    run()
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def _tab_modules(line: str, **env: str) -> tuple[str, set[str]]:
    words = line.split(" ")
    proc = subprocess.run(
        [sys.executable, "-c", PROBE],
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": "/nonexistent",
            "PYTHONPATH": SRC,
            "_PEERKIT_COMPLETE": "complete_bash",
            "COMP_WORDS": line,
            "COMP_CWORD": str(len(words) - 1),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    return proc.stdout, set(json.loads(proc.stderr.strip().splitlines()[-1]))


@pytest.mark.parametrize("line", ["peerkit ", "peerkit member ", "peerkit plan "])
def test_completing_a_command_name_imports_neither_the_database_nor_pydantic(line: str) -> None:
    out, loaded = _tab_modules(line)
    assert out.split()
    tops = {m.split(".")[0] for m in loaded}
    assert not tops & {*HEAVY, "pydantic", "sqlite3"}, sorted(tops & {*HEAVY, "pydantic"})
    assert not {m for m in loaded if m.startswith(("peerkit.services", "peerkit.db"))}


def test_completing_a_value_asks_sqlite_once_without_the_database_stack(community: Path) -> None:
    out, loaded = _tab_modules("peerkit member show Giu", PEERKIT_DB=str(community))
    assert out.splitlines() == [r"Giulia\ Rossi"]
    tops = {m.split(".")[0] for m in loaded}
    assert "sqlite3" in tops
    assert not tops & set(HEAVY), sorted(tops & set(HEAVY))
    assert not {m for m in loaded if m.startswith(("peerkit.services", "peerkit.db"))}
    assert os.path.exists(community)
