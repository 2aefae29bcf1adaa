"""Help that teaches: every --help ends with one to three examples that work as written.

Each command's examples are its epilog (peerkit.text.examples); --help shows them last. The
examples of every command (and group, and the root) are run here, in order, on a fresh copy
of the demo community as the default database, in a folder of their own: each must exit 0.
Besides the community they assume what a real organiser has: a mail server
(PEERKIT_SMTP_URL, for --send), a mailbox (PEERKIT_IMAP_URL, for replies fetch), a CalDAV
calendar at the URL they name (a Radicale here: the URL's host is the one thing changed), and
a member's reply saved as reply.eml and in ~/Maildir, and, for the examples that name
PG_URL, a copy of the community on PostgreSQL where Sara Colombo facilitates the Tuesday group
and Anna Verdi is an organiser (peerkit access).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest

from peerkit.commands._root import COMMANDS as TOP_COMMANDS
from peerkit.commands._root import PANELS
from peerkit.text import example_lines
from tests.conftest import built_demo, click_command, invoke
from tests.imap_server import dovecot
from tests.servers import radicale_calendar, smtp_server

FITS = 80  # columns: an example is shown indented by 3 and must fit
CALDAV_HOST = "https://cal.example.org/paolo/"
PG_URL = "postgresql+psycopg://paolo@db.example.org/freelance"  # commands/access.py


def _walk(command: Any, path: str) -> list[tuple[str, Any]]:
    found = [(path, command)]
    for name in command.list_commands(None) if hasattr(command, "list_commands") else []:
        found.extend(_walk(command.commands[name], f"{path} {name}"))
    return found


COMMANDS = _walk(click_command(), "peerkit")
PATHS = [path for path, _ in COMMANDS]


def command_lines(example: str) -> list[list[str]]:
    """The peerkit command lines of one example as a shell runs them: continued lines
    joined, `&&` between commands, ~ expanded."""
    line = " ".join(part.strip() for part in example.split("\\\n"))
    runs: list[list[str]] = [[]]
    for word in shlex.split(line):
        if word == "&&":
            runs.append([])
        else:
            runs[-1].append(os.path.expanduser(word) if word.startswith("~") else word)
    for words in runs:
        assert words[0] == "peerkit", example
    return [words[1:] for words in runs]


# --- what the help says --------------------------------------------------------------------


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=PATHS)
def test_every_help_ends_with_one_to_three_examples(path: str, command: Any) -> None:
    found = example_lines(command.epilog)
    assert 1 <= len(found) <= 3, f"`{path}`: give it one to three examples (its epilog)"
    for example in found:
        for line in example.splitlines():
            assert 3 + len(line) < FITS, f"`{path}`: too wide at 80 columns: {line}"
        command_lines(example)
    if not hasattr(command, "commands"):  # a command: an example of it, not just near it
        words = path.split()[1:]
        assert any(_names(words, argv) for example in found for argv in command_lines(example)), (
            f"`{path}`: no example runs it"
        )


def _names(words: list[str], argv: list[str]) -> bool:
    """Whether ARGV (global options first) runs the command WORDS."""
    while argv and argv[0].startswith("--"):
        argv = argv[2:] if argv[0] in ("--db", "--database-url", "--as") else argv[1:]
    return argv[: len(words)] == words


def test_help_shows_the_examples_last_as_typed() -> None:
    result = invoke(["member", "add", "--help"])
    assert result.exit_code == 0
    tail = result.stdout.rstrip().split("\n Examples:\n", 1)[1].splitlines()
    assert tail == [
        '   peerkit member add "Ada Lovelace" --email ada@example.org',
        '   peerkit member add "Bruno Neri" --email bruno@example.org --locale it \\',
        '       --skills seo,pricing --available "tue 18:00-20:00" --mentor-capacity 1',
    ]


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=PATHS)
def test_placeholders_are_words_not_types(path: str, command: Any) -> None:
    """No <str>, <bool>, <list[str]>, {ID} or [[ID]] in any help: ID, REF, DATE, TEXT."""
    result = invoke([*path.split()[1:], "--help"])
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert not re.search(r"<(str|bool|int|float|path|file|dir|list\[)", text), text
    assert "{" not in text.split("\n Examples:\n")[0], text
    assert "[[" not in text, text
    usage = next(line for line in text.splitlines() if "Usage:" in line)
    assert not re.search(r"\[?[a-z_]+\]?$", usage.split("[OPTIONS]")[-1].strip()), usage


def test_the_root_help_groups_the_commands_by_what_the_organiser_does() -> None:
    text = invoke(["--help"]).stdout
    titles = [t for t in PANELS if f"─ {t} ─" in text]
    assert titles == list(PANELS)
    assert "─ Commands ─" not in text  # every command is in a panel
    listed = {name for names in PANELS.values() for name in names}
    assert {c[0] for c in TOP_COMMANDS} <= listed
    where = [text.index(f"─ {title} ─") for title in PANELS]
    assert where == sorted(where)
    community = text[where[0] : where[1]]
    assert "│ member " in community
    assert "│ demo " in community


# --- the examples work as written ------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo community (peerkit demo), built once: peerkit.db and its outbox."""
    return built_demo(tmp_path_factory)


@pytest.fixture
def world(demo: Path, isolated_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo as the default database, a folder to work in, and a member's
    reply to her invitation saved as reply.eml and in ~/Maildir."""
    data = isolated_env / ".local" / "share" / "peerkit"
    shutil.copytree(demo, data, ignore=shutil.ignore_patterns("site"))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    reply = _reply(data / "outbox")
    (work / "reply.eml").write_bytes(reply)
    for sub in ("cur", "new", "tmp"):
        (isolated_env / "Maildir" / sub).mkdir(parents=True)
    (isolated_env / "Maildir" / "new" / "1.peerkit:2,").write_bytes(reply)
    return work


def _reply(outbox: Path) -> bytes:
    """Giulia Rossi's answer to her invitation: Reply, "Sì, ci sarò", Send."""
    invitation = next(outbox.rglob("invite-*-giulia-rossi.eml"))
    asked = message_from_bytes(invitation.read_bytes())
    return (
        f"From: Giulia Rossi <giulia.rossi@example.com>\r\n"
        f"To: {asked['From']}\r\n"
        f"Subject: Re: {asked['Subject']}\r\n"
        f"Date: Fri, 27 Nov 2026 10:00:00 +0100\r\n"
        f"Message-ID: <answer-1@example.com>\r\n"
        f"In-Reply-To: {asked['Message-ID']}\r\n"
        f"References: {asked['Message-ID']}\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=UTF-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
        "Sì, ci sarò\r\n"
    ).encode()


@pytest.fixture
def servers(
    request: pytest.FixtureRequest, world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    """The servers the examples of this command talk to; the URLs they are reached at."""
    _path, command = request.param
    text = command.epilog or ""
    urls: dict[str, str] = {}
    with ExitStack() as stack:
        if "--send" in text:
            stack.enter_context(smtp_server(_Accept(), monkeypatch))
        if CALDAV_HOST in text:
            urls[CALDAV_HOST] = _calendars(stack, tmp_path / "radicale", monkeypatch)
        if "replies fetch" in text:
            _mailbox(stack, (world / "reply.eml").read_bytes(), monkeypatch)
        if PG_URL in text:
            urls[PG_URL] = stack.enter_context(_postgres(request.getfixturevalue("pg_server")))
        yield urls


class _Accept:
    """An SMTP server's handler that takes every message."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return "250 OK"


def _calendars(stack: ExitStack, folder: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A Radicale with the calendars the examples name ("peerkit", "martedi"); its user's
    URL, which the examples' https://cal.example.org/paolo/ stands for."""
    import caldav

    first = stack.enter_context(radicale_calendar(folder, "peerkit"))
    base = first.rsplit("/", 2)[0] + "/"
    client = caldav.DAVClient(base, username="paolo", password="x")
    client.principal().make_calendar(name="martedi", cal_id="martedi")
    monkeypatch.setenv("PEERKIT_CALDAV_PASSWORD", "x")
    return base


@contextmanager
def _postgres(server: str) -> Iterator[str]:
    """A community on a new PostgreSQL database, its Tuesday group, two people granted access;
    the owner's URL, which the examples' PG_URL stands for. Dropped afterwards, with the
    roles the examples made (roles belong to the server, not to one database)."""
    import sqlalchemy as sa

    from peerkit.migrations import access_rules

    name = "examples_access"
    admin = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = f"{server}/{name}"
    try:
        for argv in (["init", "--community", "Freelance Insieme"],
                     ["group", "create", "Mastermind del martedì", "--day", "tue"]):  # fmt: skip
            assert invoke(["--database-url", url, *argv]).exit_code == 0
        for who, role, *groups in (
            ("Sara Colombo <sara@example.org>", "facilitator", "--group", "mastermind-del-martedi"),
            ("Anna Verdi <anna@example.org>", "organiser"),
        ):
            granted = invoke(
                ["--database-url", url, "access", "grant", who, "--role", role, *groups]
            )
            assert granted.exit_code == 0, granted.stderr
        yield url
    finally:
        owner = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with owner.connect() as conn:
            for login in ("sara", "anna"):
                conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{login}"')
            for kind in ("organiser", "facilitator", "viewer"):
                role = access_rules.role_name(conn, kind)
                found = sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r")
                if conn.execute(found, {"r": role}).first():  # the grants above made it
                    conn.exec_driver_sql(f'DROP OWNED BY "{role}"')
                    conn.exec_driver_sql(f'DROP ROLE "{role}"')
        owner.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _mailbox(stack: ExitStack, reply: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Dovecot whose INBOX holds a member's reply, and a folder "Answered";
    PEERKIT_IMAP_URL and its password point at it."""
    server = stack.enter_context(dovecot())
    server.create("Answered")
    server.append(reply)
    monkeypatch.setenv("SSL_CERT_FILE", str(server.ca))
    monkeypatch.setenv("PEERKIT_IMAP_URL", server.url())
    monkeypatch.setenv("PEERKIT_IMAP_PASSWORD", server.password)


@pytest.mark.parametrize(
    ("path", "command", "servers"),
    [(path, command, (path, command)) for path, command in COMMANDS],
    ids=PATHS,
    indirect=["servers"],
)
def test_the_examples_work_as_written(
    path: str, command: Any, world: Path, servers: dict[str, str]
) -> None:
    for example in example_lines(command.epilog):
        for argv in command_lines(example):
            argv = [_served(word, servers) for word in argv]
            result = invoke(argv)
            assert result.exit_code == 0, (example, result.stdout, result.stderr)
            assert "Traceback" not in result.stderr


def _served(word: str, urls: dict[str, str]) -> str:
    for written, running in urls.items():
        word = word.replace(written, running)
    return word
