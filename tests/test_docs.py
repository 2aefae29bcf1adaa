"""The documentation tells the truth about the program.

- docs/cli.md is exactly what Typer generates from the app today;
- every command, option and argument explains itself in --help;
- the README starts with the two commands a new user types;
- links between the documents lead somewhere, and every config key and
  environment variable the program reads is documented.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main

from peerkit.cli import app
from peerkit.config import CONFIG_KEYS

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"
REGENERATE = "typer peerkit.cli utils docs --name peerkit --output docs/cli.md"
FRESH_MACHINE_COMMANDS = [
    "pip install . && peerkit demo",
    "pip install '.[test]' && ./check",
]


# --- docs/cli.md ------------------------------------------------------------------------


def test_cli_reference_is_generated_from_the_app(tmp_path: Path) -> None:
    generated = tmp_path / "cli.md"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "typer",
            "peerkit.cli",
            "utils",
            "docs",
            "--name",
            "peerkit",
            "--output",
            str(generated),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    committed = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert generated.read_text(encoding="utf-8") == committed, (
        f"docs/cli.md is out of date. Regenerate it from the repository root with:\n  {REGENERATE}"
    )


# --- help texts -------------------------------------------------------------------------


def _walk(command: Any, path: str) -> list[tuple[str, Any]]:
    """The command and, for a group, every sub-command below it."""
    found = [(path, command)]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        found.extend(_walk(sub, f"{path} {name}"))
    return found


COMMANDS = _walk(typer.main.get_command(app), "peerkit")


MEMBER_COMMANDS = (
    "add",
    "list",
    "show",
    "edit",
    "remove",
    "pause",
    "resume",
    "forget",
    "import",
    "export",
)


def test_the_walk_sees_the_commands_of_this_version() -> None:
    paths = {path for path, _ in COMMANDS}
    expected = {
        "peerkit",
        "peerkit init",
        "peerkit demo",
        "peerkit member",
        "peerkit db",
        *(f"peerkit member {c}" for c in MEMBER_COMMANDS),
        *(f"peerkit db {c}" for c in ("path", "backup", "check", "upgrade")),
    }
    assert expected <= paths


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[path for path, _ in COMMANDS])
def test_every_command_has_help(path: str, command: Any) -> None:
    text = (command.help or command.short_help or "").strip()
    assert text, f"`{path}` has no help text: give it a docstring or help=..."


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[path for path, _ in COMMANDS])
def test_every_option_and_argument_has_help(path: str, command: Any) -> None:
    missing = [p.name for p in command.params if not (getattr(p, "help", None) or "").strip()]
    assert not missing, f"`{path}`: no help text for {', '.join(missing)}"


# --- README -----------------------------------------------------------------------------


def test_readme_starts_with_what_peerkit_is_then_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    fence = text.find("```")
    assert fence != -1, "the README has no code block"
    before, after = text[:fence], text[fence:]
    paragraphs = [p.strip() for p in before.split("\n\n") if p.strip() and not p.startswith("# ")]
    assert len(paragraphs) == 1, "the README must open with one short paragraph"
    assert "peerkit" in paragraphs[0]
    assert "##" not in before
    first_block = after.split("\n", 1)[1].split("```", 1)[0]
    assert first_block.strip().splitlines() == FRESH_MACHINE_COMMANDS


def test_the_check_command_in_the_readme_exists() -> None:
    check = ROOT / "check"
    assert check.is_file()
    assert os.access(check, os.X_OK), "./check must be executable"


# --- links and coverage -----------------------------------------------------------------

LINK = re.compile(r"\]\(([^)\s]+)\)")


def _documents() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(document: Path) -> set[str]:
    text = document.read_text(encoding="utf-8")
    text = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    return {_slug(m.group(1)) for m in re.finditer(r"^#+\s+(.+)$", text, flags=re.MULTILINE)}


def _leads_somewhere(document: Path, target: str) -> bool:
    file_part, _, anchor = target.partition("#")
    linked = (document.parent / file_part).resolve() if file_part else document
    if not linked.exists():
        return False
    return not anchor or linked.suffix != ".md" or anchor in _anchors(linked)


@pytest.mark.parametrize("document", _documents(), ids=lambda p: p.name)
def test_relative_links_lead_somewhere(document: Path) -> None:
    targets = LINK.findall(document.read_text(encoding="utf-8"))
    relative = [t for t in targets if not re.match(r"[a-z]+:", t)]
    broken = [t for t in relative if not _leads_somewhere(document, t)]
    assert not broken, f"{document.name}: broken links {broken}"


def test_the_link_check_finds_broken_links() -> None:
    index = DOCS / "index.md"
    assert _leads_somewhere(index, "members.md#availability")
    assert not _leads_somewhere(index, "members.md#no-such-heading")
    assert not _leads_somewhere(index, "no-such-page.md")


def test_every_config_key_is_documented() -> None:
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    missing = [key for key in CONFIG_KEYS if f"| `{key}` |" not in text]
    assert not missing, f"docs/configuration.md does not describe: {', '.join(missing)}"


def test_every_environment_variable_is_documented() -> None:
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "src").rglob("*.py"))
    names = set(re.findall(r"\bPEERKIT_[A-Z_]+\b", sources))
    assert "PEERKIT_DB" in names
    missing = sorted(name for name in names if f"`{name}" not in text)
    assert not missing, f"docs/configuration.md does not mention: {', '.join(missing)}"


# --- the template reference -------------------------------------------------------------


def _template_context(tmp_path: Path) -> dict[str, Any]:
    """Everything an invitation template sees, for the demo's meetings."""
    from datetime import date

    from sqlmodel import select

    from peerkit.config import Settings
    from peerkit.db import open_database
    from peerkit.models import Meeting, Member
    from peerkit.services.groups import agenda
    from peerkit.services.outbox import meeting_mail
    from peerkit.services.reports import demo

    path = demo.build(tmp_path / "demo", date(2026, 11, 27))
    db = open_database(Settings(db_path=path))
    merged: dict[str, Any] = {}
    try:
        with db.read() as session:
            for meeting in session.exec(select(Meeting)):
                built = agenda.build(session, meeting)
                data = dict(built)  # what a template sees
                member = session.get(Member, data["session"]["hot_seat"][0])
                assert member is not None
                data["recipient"] = meeting_mail.recipient_context(meeting, built, member)
                data["organiser"] = {"name": "", "email": ""}
                merged.update({k: v for k, v in data.items() if v or k not in merged})
    finally:
        db.dispose()
    return merged


def _keys(value: Any, top: bool = True) -> set[tuple[str, bool]]:
    """(key, is_top_level) for every mapping key at any depth."""
    found: set[tuple[str, bool]] = set()
    if isinstance(value, dict):
        for key, sub in value.items():
            found.add((key, top))
            found |= _keys(sub, top=False)
    elif isinstance(value, list):
        for item in value:
            found |= _keys(item, top=False)
    return found


def test_every_template_variable_is_documented(tmp_path: Path) -> None:
    text = (DOCS / "templates.md").read_text(encoding="utf-8")
    spans = set(re.findall(r"`([^`\n]+)`", text))
    context = _template_context(tmp_path)
    assert {"sections", "hot_seats", "commitments", "recipient"} <= set(context)

    def documented(key: str, top: bool) -> bool:
        if top:
            return key in spans or any(s.startswith((f"{key}.", f"{key}[")) for s in spans)
        return any(s.endswith((f".{key}", f'["{key}"]')) for s in spans)

    missing = sorted(k for k, top in _keys(context) if not documented(k, top))
    assert not missing, f"docs/templates.md does not describe the template variables: {missing}"


def test_every_promise_in_the_security_page_names_tests_that_exist() -> None:
    """docs/security.md says which tests hold peerkit to each promise: they must exist."""
    text = (DOCS / "security.md").read_text(encoding="utf-8")
    files = set(re.findall(r"`(tests/test_\w+\.py)`", text))
    assert len(files) >= 10
    missing = sorted(f for f in files if not (ROOT / f).is_file())
    assert not missing, f"docs/security.md names test files that do not exist: {missing}"
    named = re.findall(r"`(tests/test_\w+\.py)` \(([^)]*)\)", text)
    for path, inside in named:
        source = (ROOT / path).read_text(encoding="utf-8")
        for test in re.findall(r"`(test_\w+)`", inside):
            assert f"def {test}(" in source, f"docs/security.md: {path} has no {test}"
