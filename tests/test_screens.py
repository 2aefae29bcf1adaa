"""What people see: real commands in a real terminal, held to golden screens.

Each screen is one command typed at a shell prompt in tmux (a terminal of 80 or 120
columns, 50 lines), on the demo community, in Italian (the demo as built) and in English
(its copy after `peerkit init --locale en`, with LANG to match). What the pane shows is
kept in tests/screens/LANG-WIDTH-NAME.txt. After an intended change, look at the new
screens and take them:

    PEERKIT_UPDATE_SCREENS=1 pytest tests/test_screens.py

Without tmux these tests are skipped, unless PEERKIT_REQUIRE_TMUX=1 (CI): then they fail.
Both variables are read when this module is imported: the `isolate` fixture clears every
PEERKIT_ variable before each test.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import peerkit
from tests.conftest import FIXED_TODAY

REQUIRE_TMUX = os.environ.get("PEERKIT_REQUIRE_TMUX", "") not in ("", "0")
UPDATE = os.environ.get("PEERKIT_UPDATE_SCREENS", "") not in ("", "0")
SCREENS = Path(__file__).resolve().parent / "screens"
REGENERATE = "PEERKIT_UPDATE_SCREENS=1 pytest tests/test_screens.py"
HEIGHT = 50
WIDTHS = (80, 120)
LANGS = {"it": "it_IT.UTF-8", "en": "en_GB.UTF-8"}
NOW = f"{FIXED_TODAY}T09:00:00+01:00"
WEEK = "2026-W49"  # the week the demo plans on FIXED_TODAY

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Screen:
    name: str
    command: str
    langs: tuple[str, ...] = ("it",)


SCREEN_LIST = [
    Screen("demo", "peerkit demo"),
    Screen("member-list", "peerkit member list", ("it", "en")),
    Screen("group-list", "peerkit group list"),
    Screen("group-show", "peerkit group show mastermind-del-martedi"),
    Screen("group-form", "peerkit group form --from active"),
    Screen("group-slots", "peerkit group slots founders-across-time-zones --from 2026-11-30"),
    Screen("session-list", "peerkit session list", ("it", "en")),
    Screen("session-list-viewer", "peerkit session list --timezone America/New_York"),
    Screen("plan-week", f"peerkit plan week --week {WEEK}", ("it", "en")),
    Screen("commitment-list", "peerkit commitment list", ("it", "en")),
    Screen("mentor-match", "peerkit mentor match"),
    Screen("mentor-list", "peerkit mentor list"),
    Screen("event-list", "peerkit event list", ("it", "en")),
    Screen("event-show", "peerkit event show 1"),
    Screen("stats", "peerkit stats", ("it", "en")),
    Screen("status", "peerkit status", ("it", "en")),
]
CASES = [
    (screen, lang, width) for screen in SCREEN_LIST for lang in screen.langs for width in WIDTHS
]


def _tmux() -> str:
    found = shutil.which("tmux")
    if found is None:
        if REQUIRE_TMUX:
            pytest.fail("tmux not found, and PEERKIT_REQUIRE_TMUX is set")
        pytest.skip("tmux not found (set PEERKIT_REQUIRE_TMUX=1 to make this a failure)")
    return found


@dataclass(frozen=True)
class Terminal:
    """A tmux server of its own (its socket in the test's folder), with a clean environment."""

    tmux: str
    socket: Path
    env: dict[str, str]
    rc: Path  # the shell's start-up file: its prompt, and a signal when it is shown

    def run(self, *args: str, timeout: float = 60) -> str:
        done = subprocess.run(
            [self.tmux, "-u", "-S", str(self.socket), "-f", str(self.conf), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            pytest.fail(f"tmux {' '.join(args)}: exit {done.returncode}: {done.stderr.strip()}")
        return done.stdout

    @property
    def conf(self) -> Path:
        """The server stays up between screens (it would exit with its last session, and
        the next screen's session could meet it on its way out)."""
        return self.rc.with_name("tmux.conf")

    def screen(self, command: str, *, cwd: Path, width: int, lang: str, db: str) -> str:
        """What the pane shows after COMMAND was typed at a prompt and has finished."""
        session = f"s{uuid.uuid4().hex[:8]}"
        ready = f"{session}-ready"
        self.run(
            "new-session", "-d", "-s", session, "-x", str(width), "-y", str(HEIGHT),
            "-c", str(cwd),
            "-e", f"LANG={lang}", "-e", f"PEERKIT_DB={db}", "-e", f"READY={ready}",
            f"bash --rcfile '{self.rc}' --noprofile -i",
        )  # fmt: skip
        try:
            self.run("wait-for", ready)  # the first prompt is about to be shown
            self._until_prompt(session)  # typed before it, the keys would be echoed twice
            self.run("send-keys", "-t", session, "-l", command)
            self.run("send-keys", "-t", session, "Enter")
            self.run("wait-for", ready, timeout=180)  # the prompt after the command
            shown = self.run("capture-pane", "-p", "-t", session, "-S", "-", "-E", "-")
        finally:
            self.run("kill-session", "-t", session)
        lines = [line.rstrip() for line in shown.splitlines()]
        while lines and lines[-1] in ("", "$"):
            lines.pop()
        return "\n".join(lines) + "\n"

    def _until_prompt(self, session: str) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.run("capture-pane", "-p", "-t", session).rstrip().endswith("$"):
                return
            time.sleep(0.02)
        pytest.fail("the shell in tmux never showed its prompt")

    def stop(self) -> None:
        subprocess.run(
            [self.tmux, "-S", str(self.socket), "kill-server"], env=self.env, capture_output=True
        )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Terminal, Path]]:
    """The demo community in Italian (it/) and in English (en/), and a terminal to look."""
    tmux = _tmux()
    root = tmp_path_factory.mktemp("screens")
    home = root / "home"
    tools = root / "bin"
    for folder in (home, tools):
        folder.mkdir()
    wrapper = tools / "peerkit"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m peerkit "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    env = {
        "PATH": f"{tools}{os.pathsep}{os.path.dirname(tmux)}{os.pathsep}/usr/bin:/bin",
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_STATE_HOME": str(home / "state"),
        "PYTHONPATH": str(Path(peerkit.__file__).resolve().parents[1]),
        "PYTHONUTF8": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "NO_COLOR": "1",
        "PEERKIT_TODAY": FIXED_TODAY,
        "PEERKIT_NOW": NOW,
        "LANG": "C.UTF-8",
        "TZ": "Europe/Rome",
    }

    def peerkit_in(folder: Path, *args: str) -> None:
        subprocess.run(
            ["peerkit", *args], cwd=folder, env=env, check=True, capture_output=True, timeout=300
        )

    built = root / "it"
    built.mkdir()
    peerkit_in(built, "demo")
    english = root / "en"
    shutil.copytree(built, english)
    env_en = {**env, "PEERKIT_DB": "peerkit-demo/peerkit.db"}
    subprocess.run(
        ["peerkit", "init", "--locale", "en"], cwd=english, env=env_en, check=True,
        capture_output=True, timeout=120,
    )  # fmt: skip
    # The English invitations are written once here, so that every screen sees a steady week.
    subprocess.run(
        ["peerkit", "plan", "week", "--week", WEEK], cwd=english, env=env_en, check=True,
        capture_output=True, timeout=300,
    )  # fmt: skip
    rc = root / "bashrc"
    rc.write_text("PS1='$ '\nPROMPT_COMMAND='tmux wait-for -S \"$READY\"'\n", encoding="utf-8")
    (root / "tmux.conf").write_text("set -s exit-empty off\n", encoding="utf-8")
    terminal = Terminal(tmux, root / "tmux.sock", env, rc)
    try:
        yield terminal, root
    finally:
        terminal.stop()


def _golden(lang: str, width: int, name: str) -> Path:
    return SCREENS / f"{lang}-{width}-{name}.txt"


@pytest.mark.parametrize(
    ("screen", "lang", "width"), CASES, ids=[f"{lang}-{w}-{s.name}" for s, lang, w in CASES]
)
def test_screen(world: tuple[Terminal, Path], screen: Screen, lang: str, width: int) -> None:
    terminal, root = world
    cwd = root / lang
    if screen.name == "demo":  # a fresh demo of its own, beside the one the others look at
        cwd = root / f"demo-{lang}-{width}"
        cwd.mkdir()
    shown = terminal.screen(
        screen.command, cwd=cwd, width=width, lang=LANGS[lang], db="peerkit-demo/peerkit.db"
    )
    assert f"$ {screen.command}" in shown.splitlines()[0]
    assert "Traceback" not in shown
    assert all(len(line) <= width for line in shown.splitlines())
    _no_word_broken(shown)
    golden = _golden(lang, width, screen.name)
    if UPDATE:
        SCREENS.mkdir(exist_ok=True)
        golden.write_text(shown, encoding="utf-8")
        return
    if not golden.exists():
        pytest.fail(f"{golden.name} is missing: look at the screen, then take it with\n"
                    f"  {REGENERATE}\n\n{shown}")  # fmt: skip
    expected = golden.read_text(encoding="utf-8")
    if shown != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                shown.splitlines(keepends=True),
                f"tests/screens/{golden.name}",
                "the terminal now",
            )
        )
        pytest.fail(f"the screen changed; if that is intended, take it with\n"
                    f"  {REGENERATE}\n\n{diff}")  # fmt: skip


def test_every_golden_screen_belongs_to_a_case() -> None:
    """A screen that is no longer shot is not kept (nor read by anyone as current)."""
    expected = {_golden(lang, w, s.name).name for s, lang, w in CASES}
    stray = sorted(p.name for p in SCREENS.glob("*.txt") if p.name not in expected)
    assert not stray, f"golden screens no test takes: {stray}"


# Words that must never be cut in the middle: the demo's time zones, e-mail addresses and
# group slugs. (A cut one may end in an ellipsis; it may not go on, or stop, at a border.)
ATOMS = [
    "Europe/Rome", "Europe/London", "Europe/Lisbon", "America/Sao_Paulo", "America/New_York",
    "Asia/Tokyo", "mastermind-del-martedi", "founders-across-time-zones",
    "giulia.rossi@example.com", "francesca.romano@example.com", "chiara.esposito@example.com",
]  # fmt: skip


def _no_word_broken(shown: str) -> None:
    for atom in ATOMS:
        for cut in range(3, len(atom)):
            if not (atom[cut - 1].isalnum() and atom[cut].isalnum()):
                continue
            head = re.escape(atom[:cut])
            broken = re.search(rf"(?<![\w.@/-]){head}\s*([│┃]|$)", shown, re.MULTILINE)
            assert broken is None, f"'{atom}' is cut after '{atom[:cut]}':\n{shown}"


def test_the_word_check_sees_a_cut_word() -> None:
    """The check above can fail: the screens of the issue that asked for it would."""
    cut = "│ 1  │ Giulia   │ Europe/R │ it     │\n│    │ Rossi    │ ome      │        │\n"
    with pytest.raises(AssertionError, match="Europe/Rome"):
        _no_word_broken(cut)
    _no_word_broken("│ 1  │ Giulia Rossi │ Europe/Ro… │\n")


# --- the screens the documents show ------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
# Before a code block in README.md or docs/*.md: the block is that golden screen, or its
# first line, "...", and its lines from the first that starts with the quoted text on.
MARK = re.compile(
    r'<!-- screen: (?P<name>[\w-]+)(?: from "(?P<start>[^"]+)")? -->\n```\n(?P<block>.*?)```\n',
    re.DOTALL,
)


def _documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _shown_in_docs(name: str, start: str | None) -> str:
    golden = SCREENS / f"{name}.txt"
    assert golden.exists(), f"a document shows the screen {name}, which no test takes"
    text = golden.read_text(encoding="utf-8")
    if start is None:
        return text
    lines = text.splitlines(keepends=True)
    at = next((i for i, line in enumerate(lines) if line.startswith(start)), None)
    assert at is not None, f"the screen {name} has no line starting with {start!r}"
    return "".join([lines[0], "...\n", *lines[at:]])


def test_the_screens_in_the_documents_are_the_ones_the_terminal_shows() -> None:
    """Runs after the screens (the order of this file): with PEERKIT_UPDATE_SCREENS=1 the
    documents take the new screens too."""
    marks = 0
    for document in _documents():
        text = document.read_text(encoding="utf-8")

        def fresh(found: re.Match[str]) -> str:
            shown = _shown_in_docs(found["name"], found["start"])
            return found[0].replace(f"```\n{found['block']}```", f"```\n{shown}```")

        updated = MARK.sub(fresh, text)
        marks += len(MARK.findall(text))
        if UPDATE and updated != text:
            document.write_text(updated, encoding="utf-8")
            continue
        for found in MARK.finditer(text):
            assert found["block"] == _shown_in_docs(found["name"], found["start"]), (
                f"{document.name} shows an old {found['name']} screen; take the new one with\n"
                f"  {REGENERATE}"
            )
    assert marks >= 3, "README.md and docs/ show a few screens"
