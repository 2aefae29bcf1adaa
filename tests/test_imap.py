"""`peerkit replies fetch`: replies read from a real IMAP server (Dovecot, tests/imap_server.py).

The transport is tested on its own (services/replies/imap.py) and through the command, on a
root app that has only `replies fetch`; the whole path (the replies recorded in the database)
needs the replies core, `peerkit.services.replies.run`, and is skipped where it is not
there. Every failure is one line, never a traceback.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import socket
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from peerkit.errors import PeerkitError, UsageProblem
from peerkit.services.replies import imap
from tests.conftest import Cli, Result
from tests.imap_server import ImapServer, dovecot

SAMPLES = [
    b"From: Giulia <giulia@example.com>\r\nTo: paolo@example.com\r\nSubject: Accepted: G\r\n"
    b"Message-ID: <1@example.com>\r\n\r\nYes, I will be there.\r\n",
    # 8-bit text, a long line, a tab, and trailing spaces: all kept as sent
    b"From: =?utf-8?q?Lu=C3=A0?= <lua@example.com>\r\nSubject: =?utf-8?q?s=C3=AC?=\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    + "sì, vengo \t  \r\n".encode()
    + b"x" * 5000
    + b"\r\n",
    b"From: emma@example.com\r\nSubject: Re: G\r\n\r\ncan't make it\r\n",
]
FOLDER_WITH_ACCENTS = "Risposte già lette & co"


@dataclasses.dataclass
class Said:
    """What the replies core made of a message (its Outcome has these two fields)."""

    source: str
    action: str


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ImapServer]:
    """A Dovecot whose test CA this process trusts."""
    with dovecot() as running:
        monkeypatch.setenv("SSL_CERT_FILE", str(running.ca))
        yield running


def read_all(
    mailbox: imap.ImapTarget,
    secret: str,
    *,
    readonly: bool = False,
    move_to: str | None = None,
    answer: Any = None,
    max_message: int = imap.MAX_MESSAGE,
) -> tuple[list[tuple[str, bytes]], imap.Fetched]:
    """Every message the service reads; ANSWER(label) is the action the core would give it."""
    seen: list[tuple[str, bytes]] = []

    def handle(batch: list[tuple[str, bytes]]) -> Sequence[Said]:
        seen.extend(batch)
        return [Said(label, answer(label) if answer else "ignored") for label, _raw in batch]

    with imap.open_mailbox(mailbox, secret, readonly=readonly, max_message=max_message) as box:
        done = imap.fetch_replies(box, handle, move_to=move_to)
    return seen, done


def without_recent(flags: set[str]) -> set[str]:
    return flags - {"\\Recent"}


# --- reading ------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["imaps", "imap+starttls"])
def test_messages_are_read_byte_for_byte(server: ImapServer, scheme: str) -> None:
    uids = [server.append(raw) for raw in SAMPLES]
    mailbox = imap.target(server.url(scheme))
    assert (mailbox.scheme, mailbox.folder, mailbox.user) == (scheme, "INBOX", server.user)
    seen, done = read_all(mailbox, server.password)
    assert seen == [(f"imap:INBOX/{uid}", raw) for uid, raw in zip(uids, SAMPLES, strict=True)]
    assert (done.read, done.moved, done.skipped) == (3, 0, [])
    # Read, not touched: no \Seen, nothing moved or flagged.
    left = server.messages()
    assert [left[uid][0] for uid in uids] == SAMPLES
    assert all(without_recent(flags) == set() for _raw, flags in left.values())
    logins = [line for line in server.log().splitlines() if "Login: user=<" in line]
    assert ", TLS," in logins[-1]  # STARTTLS was done before the password was sent


def test_plain_imap_is_for_this_machine_only(server: ImapServer) -> None:
    server.append(SAMPLES[0])
    seen, _done = read_all(imap.target(server.url("imap")), server.password)
    assert [raw for _label, raw in seen] == [SAMPLES[0]]
    with pytest.raises(PeerkitError, match="only for a server on this machine"):
        imap.target("imap://paolo@mail.example.com/INBOX")


def test_folder_option_wins_over_the_url_and_names_may_have_spaces_and_accents(
    server: ImapServer,
) -> None:
    server.create(imap._utf7(FOLDER_WITH_ACCENTS))
    server.append(SAMPLES[2], imap._utf7(FOLDER_WITH_ACCENTS))
    server.append(SAMPLES[0])
    mailbox = imap.target(server.url(folder="INBOX"), FOLDER_WITH_ACCENTS)
    seen, _done = read_all(mailbox, server.password)
    assert seen == [(f"imap:{FOLDER_WITH_ACCENTS}/1", SAMPLES[2])]
    from_url = imap.target(server.url(folder=FOLDER_WITH_ACCENTS))
    assert from_url.folder == FOLDER_WITH_ACCENTS


def test_an_empty_folder_reads_nothing(server: ImapServer) -> None:
    seen, done = read_all(imap.target(server.url()), server.password, move_to=None)
    assert (seen, done.read) == ([], 0)


def test_an_oversized_message_is_skipped_and_reported(server: ImapServer) -> None:
    small = server.append(SAMPLES[0])
    big = server.append(b"Subject: big\r\n\r\n" + b"y" * 4000 + b"\r\n")
    seen, done = read_all(imap.target(server.url()), server.password, max_message=2000)
    assert seen == [(f"imap:INBOX/{small}", SAMPLES[0])]
    assert [(s.label, s.size > 2000) for s in done.skipped] == [(f"imap:INBOX/{big}", True)]
    assert "not read, left where it is" in done.skipped[0].reason
    assert big in server.messages()  # left in place


def test_messages_are_read_in_batches(server: ImapServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imap, "BATCH_COUNT", 2)
    for raw in SAMPLES + SAMPLES:
        server.append(raw)
    batches: list[int] = []

    def handle(batch: list[tuple[str, bytes]]) -> Sequence[Said]:
        batches.append(len(batch))
        return [Said(label, "recorded") for label, _raw in batch]

    with imap.open_mailbox(imap.target(server.url()), server.password, readonly=False) as box:
        server.create("Replies")
        done = imap.fetch_replies(box, handle, move_to="Replies")
    assert batches == [2, 2, 2]
    assert (done.read, done.moved) == (6, 6)
    assert server.messages() == {}


# --- moving the replies -------------------------------------------------------------------


@pytest.mark.parametrize(
    "capability",
    [None, "IMAP4rev1 LITERAL+ UIDPLUS", "IMAP4rev1 LITERAL+"],
    ids=["move", "copy-uid-expunge", "copy-expunge"],
)
def test_move_to_moves_only_the_replies(monkeypatch: pytest.MonkeyPatch, capability: Any) -> None:
    with dovecot(capability=capability) as server:
        monkeypatch.setenv("SSL_CERT_FILE", str(server.ca))
        server.create(imap._utf7(FOLDER_WITH_ACCENTS))
        uids = [server.append(raw) for raw in [*SAMPLES, b"Subject: other\r\n\r\nx\r\n"]]
        actions = {uids[0]: "recorded", uids[1]: "refused", uids[2]: "unchanged"}
        _seen, done = read_all(
            imap.target(server.url()),
            server.password,
            move_to=FOLDER_WITH_ACCENTS,
            answer=lambda label: actions.get(int(label.rsplit("/", 1)[1]), "ignored"),
        )
        assert (done.moved, done.notes) == (2, [])
        left = server.messages()
        assert sorted(left) == [uids[1], uids[3]]
        assert all("\\Deleted" not in flags for _raw, flags in left.values())
        moved = server.messages(imap._utf7(FOLDER_WITH_ACCENTS))
        assert sorted(raw for raw, _flags in moved.values()) == sorted([SAMPLES[0], SAMPLES[2]])


def test_without_uidplus_other_deleted_messages_are_never_expunged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with dovecot(capability="IMAP4rev1 LITERAL+") as server:
        monkeypatch.setenv("SSL_CERT_FILE", str(server.ca))
        server.create("Replies")
        reply, theirs = server.append(SAMPLES[0]), server.append(SAMPLES[1])
        with server.client() as client:  # another mail program marked it, not yet expunged
            client.select("INBOX")
            client.uid("STORE", str(theirs), "+FLAGS", r"(\Deleted)")
        _seen, done = read_all(
            imap.target(server.url()),
            server.password,
            move_to="Replies",
            answer=lambda label: "recorded" if label.endswith(f"/{reply}") else "ignored",
        )
        assert done.moved == 1
        assert "no UIDPLUS" in done.notes[0]
        left = server.messages()
        assert sorted(left) == [reply, theirs]  # nothing expunged: theirs is still there
        assert all("\\Deleted" in flags for _raw, flags in left.values())
        assert [raw for raw, _f in server.messages("Replies").values()] == [SAMPLES[0]]


def test_a_dry_run_reads_but_never_moves_or_flags(server: ImapServer) -> None:
    server.create("Replies")
    for raw in SAMPLES:
        server.append(raw)
    before = server.messages()
    seen, done = read_all(
        imap.target(server.url()),
        server.password,
        readonly=True,
        move_to="Replies",
        answer=lambda label: "ignored" if label.endswith("/3") else "would record",
    )
    assert len(seen) == 3
    assert done.moved == 0
    assert imap.would_move(done.outcomes) == 2
    assert all(flags == {"\\Recent"} for _raw, flags in before.values())
    # Opened read-only (EXAMINE): even \Recent, which a SELECT takes away, is still there.
    assert server.messages() == before
    assert server.messages("Replies") == {}


def test_nothing_is_moved_when_recording_fails(server: ImapServer) -> None:
    server.create("Replies")
    server.append(SAMPLES[0])

    def handle(batch: list[tuple[str, bytes]]) -> Sequence[Said]:
        raise PeerkitError("the database is busy")

    with (
        pytest.raises(PeerkitError, match="busy"),
        imap.open_mailbox(imap.target(server.url()), server.password, readonly=False) as box,
    ):
        imap.fetch_replies(box, handle, move_to="Replies")
    assert len(server.messages()) == 1
    assert server.messages("Replies") == {}


def test_move_to_a_folder_that_does_not_exist_is_refused_before_reading(
    server: ImapServer,
) -> None:
    server.append(SAMPLES[0])
    calls: list[int] = []
    with imap.open_mailbox(imap.target(server.url()), server.password, readonly=False) as box:
        with pytest.raises(PeerkitError, match=r"no folder 'Archve'.*create it"):
            imap.fetch_replies(box, lambda b: calls.append(1) or [], move_to="Archve")
        with pytest.raises(UsageProblem, match="folder being read"):
            imap.fetch_replies(box, lambda b: [], move_to="INBOX")
    assert calls == []


def test_the_server_going_away_before_the_move_is_one_line(server: ImapServer) -> None:
    server.create("Replies")
    server.append(SAMPLES[0])

    def handle(batch: list[tuple[str, bytes]]) -> Sequence[Said]:
        server.stop()  # the replies are recorded, then the server is gone
        return [Said(label, "recorded") for label, _raw in batch]

    with (
        pytest.raises(PeerkitError, match=r"closed the connection while moving|cannot talk to"),
        imap.open_mailbox(imap.target(server.url()), server.password, readonly=False) as box,
    ):
        imap.fetch_replies(box, handle, move_to="Replies")


# --- the command, on a root with only `replies fetch` ----------------------------------------


@functools.cache
def fetch_command() -> Any:
    from peerkit.commands._root import new_app
    from peerkit.commands.replies.fetch import register

    root = new_app()
    replies = typer.Typer(name="replies", help="Replies.")
    register(replies)
    root.add_typer(replies, name="replies")
    return typer.main.get_command(root)


def fetch(db: Path, *args: str) -> Result:
    """`peerkit --db DB replies fetch ARGS`, in process, as tests/conftest.py's invoke."""
    runner = CliRunner()
    command = fetch_command()
    code: Any = 0
    with runner.isolation() as (out, err, _output):
        try:
            command.main(args=["--db", str(db), "replies", "fetch", *args], prog_name="peerkit")
        except SystemExit as exc:
            code = 0 if exc.code is None else exc.code
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
    return Result(code, stdout, stderr)


def one_line(result: Result, *fragments: str, code: int = 1) -> str:
    """Exit CODE, nothing on stdout, exactly one line on stderr: "Error: ..." with FRAGMENTS."""
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("Error: "), result.stderr
    assert "Traceback" not in result.stderr
    assert "internal error" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr
    return result.stderr


@pytest.fixture
def logged_in(server: ImapServer, monkeypatch: pytest.MonkeyPatch) -> ImapServer:
    monkeypatch.setenv("PEERKIT_IMAP_URL", server.url())
    monkeypatch.setenv("PEERKIT_IMAP_PASSWORD", server.password)
    return server


def test_without_a_mailbox_fetch_says_what_to_set(tmp_path: Path) -> None:
    one_line(fetch(tmp_path / "p.db"), "PEERKIT_IMAP_URL", "imap_url in config.toml")
    assert not (tmp_path / "p.db").exists()


def test_without_a_password_fetch_names_the_keyring_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEERKIT_IMAP_URL", "imaps://paolo%40example.com@imap.example.com/INBOX")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    one_line(fetch(tmp_path / "p.db"), "PEERKIT_IMAP_PASSWORD",
             "keyring set peerkit imap:paolo@example.com@imap.example.com")  # fmt: skip


def test_a_folder_that_does_not_exist_is_one_line(logged_in: ImapServer, tmp_path: Path) -> None:
    logged_in.create("Replies")
    one_line(fetch(tmp_path / "p.db", "--folder", "Nope"),
             "no folder 'Nope'", "INBOX, Replies", "--folder")  # fmt: skip
    one_line(fetch(tmp_path / "p.db", "--move-to", "Archve"), "no folder 'Archve'")
    assert not (tmp_path / "p.db").exists()  # nothing to record: no database made


def test_a_wrong_password_is_one_line_and_never_shown(
    logged_in: ImapServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEERKIT_IMAP_PASSWORD", "wrong-horse")
    stderr = one_line(fetch(tmp_path / "p.db"), "refused the login of paolo@example.com",
                      "AUTHENTICATIONFAILED", "PEERKIT_IMAP_PASSWORD")  # fmt: skip
    assert "wrong-horse" not in stderr


def test_a_certificate_that_does_not_verify_is_one_line(
    logged_in: ImapServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    logins = logged_in.log().count("Login: user=<")  # the fixture's own
    monkeypatch.delenv("SSL_CERT_FILE")  # the test CA is not trusted any more
    for scheme in ("imaps", "imap+starttls"):
        monkeypatch.setenv("PEERKIT_IMAP_URL", logged_in.url(scheme))
        one_line(fetch(tmp_path / "p.db"), "certificate", "does not verify")
    assert logged_in.log().count("Login: user=<") == logins  # the password never left


def test_the_wrong_kind_of_port_is_one_line(
    logged_in: ImapServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = logged_in.starttls_port
    monkeypatch.setenv("PEERKIT_IMAP_URL", f"imaps://paolo%40example.com@127.0.0.1:{port}/INBOX")
    one_line(fetch(tmp_path / "p.db"), "TLS with", "failed", "imaps, 993")


@pytest.fixture
def rude_server() -> Iterator[tuple[int, list[str]]]:
    """A TCP server that does one rude thing per connection: 'close' at once, or 'hang'."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    behaviour = ["close"]
    held: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                conn, _addr = listener.accept()
            except OSError:
                return
            if behaviour[0] == "close":
                conn.close()
            else:
                held.append(conn)  # accepted, never greeted

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], behaviour
    finally:
        listener.close()
        for conn in held:
            conn.close()


def test_a_server_that_closes_or_is_gone_is_one_line(
    rude_server: tuple[int, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port, _behaviour = rude_server
    monkeypatch.setenv("PEERKIT_IMAP_PASSWORD", "pw")
    monkeypatch.setenv("PEERKIT_IMAP_URL", f"imap+starttls://paolo@127.0.0.1:{port}/INBOX")
    one_line(fetch(tmp_path / "p.db"), "closed the connection while connecting")
    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        gone = spare.getsockname()[1]  # bound, not listening: nobody answers there
        monkeypatch.setenv("PEERKIT_IMAP_URL", f"imaps://paolo@127.0.0.1:{gone}/INBOX")
        one_line(fetch(tmp_path / "p.db"), "cannot talk to", "refused")


def test_a_server_that_never_answers_times_out(rude_server: tuple[int, list[str]]) -> None:
    port, behaviour = rude_server
    behaviour[0] = "hang"
    mailbox = imap.target(f"imap+starttls://paolo@127.0.0.1:{port}/INBOX")
    mailbox = dataclasses.replace(mailbox, timeout=0.5)
    started = time.monotonic()
    with pytest.raises(PeerkitError, match=r"did not answer within 0\.5 seconds"):
        imap.open_mailbox(mailbox, "pw", readonly=True).__enter__()
    assert time.monotonic() - started < 10


def test_an_oversized_message_through_the_command(logged_in: ImapServer, tmp_path: Path) -> None:
    big = logged_in.append(b"Subject: big\r\n\r\n" + b"z" * (imap.MAX_MESSAGE + 10) + b"\r\n")
    result = fetch(tmp_path / "p.db", "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows == [
        {"source": f"imap:INBOX/{big}", "kind": "message", "member": None, "target": None,
         "answer": None, "action": "skipped", "reason": rows[0]["reason"]}
    ]  # fmt: skip
    assert "bytes, more than the 10 MB a reply can be" in rows[0]["reason"]
    assert "skipped 1 too large" in result.stderr
    assert big in logged_in.messages()


# --- where the URL is set ---------------------------------------------------------------------


def write_config(home: Path, text: str) -> None:
    folder = home / ".config" / "peerkit"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.toml").write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("imaps://paolo:hunter2@imap.example.com/INBOX", "must not contain a password"),
        ("imap+starttls://paolo:x@imap.example.com:143/INBOX", "must not contain a password"),
        ("pop3://paolo@mail.example.com/", "starts with 'pop3://'"),
        ("imap://paolo@mail.example.com/INBOX", "only for a server on this machine"),
        ("imaps://imap.example.com/INBOX", "names no user"),
        ("imaps://paolo@imap.example.com/INBOX?x=1", "may only name a folder"),
        ("imaps://paolo@imap.example.com:99999/INBOX", "port"),
    ],
)
def test_a_bad_imap_url_in_the_config_file_is_refused(
    cli: Cli, isolated_env: Path, url: str, fragment: str
) -> None:
    write_config(isolated_env, f'imap_url = "{url}"\n')
    stderr = one_line(cli("db", "path"), "imap_url", fragment)
    assert "hunter2" not in stderr
    assert ":x@" not in stderr


def test_a_password_in_peerkit_imap_url_is_refused_and_masked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEERKIT_IMAP_URL", "imaps://paolo:p@imap.example.com/INBOX")
    stderr = one_line(fetch(tmp_path / "p.db"), "must not contain a password", "paolo:***@")
    assert ":p@" not in stderr


def test_an_imap_password_in_the_config_file_is_refused(cli: Cli, isolated_env: Path) -> None:
    write_config(isolated_env, 'imap_password = "hunter2"\n')
    stderr = one_line(cli("db", "path"), "'imap_password' does not belong", "PEERKIT_IMAP_PASSWORD")
    assert "hunter2" not in stderr


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("imaps://paolo%40example.com@imap.example.com/INBOX",
         ("imaps", "imap.example.com", 993, "paolo@example.com", "INBOX")),
        ("imap+starttls://paolo@imap.example.com/Lists/peerkit",
         ("imap+starttls", "imap.example.com", 143, "paolo", "Lists/peerkit")),
        ("imaps://paolo@[::1]:10993", ("imaps", "::1", 10993, "paolo", "INBOX")),
        ("imap://paolo@127.0.0.1:1143/INBOX", ("imap", "127.0.0.1", 1143, "paolo", "INBOX")),
        ("imap://paolo@localhost:1143/Risposte%20gi%C3%A0",
         ("imap", "localhost", 1143, "paolo", "Risposte già")),
    ],
)  # fmt: skip
def test_good_imap_urls(cli: Cli, isolated_env: Path, url: str, expected: tuple[Any, ...]) -> None:
    write_config(isolated_env, f'imap_url = "{url}"\n')
    cli.ok("db", "path")
    found = imap.target(url)
    assert (found.scheme, found.host, found.port, found.user, found.folder) == expected


def test_the_environment_wins_over_the_config_file(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from peerkit.config import resolve_settings

    write_config(isolated_env, 'imap_url = "imaps://a@imap.example.com/INBOX"\n')
    settings = resolve_settings(None, None, True, False)
    assert settings.imap_url == "imaps://a@imap.example.com/INBOX"
    monkeypatch.setenv("PEERKIT_IMAP_URL", "imaps://b@imap.example.com/INBOX")
    assert settings.imap_url == "imaps://b@imap.example.com/INBOX"


def test_modified_utf7_folder_names() -> None:
    for name, wire in [("INBOX", "INBOX"), ("A & B", "A &- B"), ("già", "gi&AOA-"),
                       ("日本語", "&ZeVnLIqe-"), ("~peter/mail/台北/日本語",
                                             "~peter/mail/&U,BTFw-/&ZeVnLIqe-")]:  # fmt: skip
        assert imap._utf7(name) == wire
        assert imap._from_utf7(wire) == name


# --- the whole path: replies recorded ----------------------------------


def replies_core() -> Any:
    """peerkit.services.replies, the core `replies fetch` records with."""
    from peerkit.services import replies

    return replies


@pytest.fixture
def meeting(cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A community with one meeting, invitations written; the invitation .ics for Giulia."""
    monkeypatch.setenv("PEERKIT_NOW", "2026-12-01T10:00:00+01:00")
    cli.ok("init", "--community", "C", "--timezone", "Europe/Rome",
           "--organiser-name", "Paolo", "--organiser-email", "paolo@example.com")  # fmt: skip
    cli.ok("member", "add", "Giulia", "--email", "giulia@example.com")
    cli.ok("member", "add", "Emma", "--email", "emma@example.com")
    cli.ok("group", "create", "G", "--day", "tue", "--time", "18:30", "--start", "2026-12-08",
           "--member", "1", "--member", "2")  # fmt: skip
    cli.ok("session", "plan", "g", "--from", "2026-12-08", "--count", "1")
    out = tmp_path / "out"
    cli.ok("invite", "1", "--out", str(out))
    return next(p for p in out.rglob("*.eml") if "giulia" in p.name.lower())


def reply_to(invitation: Path, partstat: str) -> bytes:
    """Giulia's REPLY to her invitation, as a calendar program writes one."""
    import email
    from email.message import EmailMessage

    import icalendar

    parsed = email.message_from_bytes(invitation.read_bytes())
    ics = next(p for p in parsed.walk() if p.get_content_type() == "text/calendar")
    request = icalendar.Calendar.from_ical(ics.get_payload(decode=True))
    event = next(iter(request.walk("VEVENT")))
    reply = icalendar.Calendar()
    reply.add("prodid", "-//test//EN")
    reply.add("version", "2.0")
    reply.add("method", "REPLY")
    answer = icalendar.Event()
    for key in ("UID", "SEQUENCE", "DTSTART", "ORGANIZER"):
        if key in event:
            answer[key] = event[key]
    answer.add("dtstamp", icalendar.vDatetime.from_ical("20261201T100000Z"))
    attendee = icalendar.vCalAddress("mailto:giulia@example.com")
    attendee.params["PARTSTAT"] = partstat
    answer.add("attendee", attendee)
    reply.add_component(answer)
    msg = EmailMessage()
    msg["From"] = "Giulia <giulia@example.com>"
    msg["To"] = "paolo@example.com"
    msg["Subject"] = "Accepted: G"
    msg.set_content("Giulia has accepted.")
    msg.add_alternative(reply.to_ical(), maintype="text", subtype="calendar",
                        params={"method": "REPLY"})  # fmt: skip
    return msg.as_bytes().replace(b"\n", b"\r\n")


def test_fetch_records_replies_and_moves_only_them(
    cli: Cli, logged_in: ImapServer, meeting: Path
) -> None:
    replies_core()
    logged_in.create("Replies")
    reply = logged_in.append(reply_to(meeting, "ACCEPTED"))
    other = logged_in.append(b"From: shop@example.com\r\nSubject: Sale\r\n\r\n50% off\r\n")
    dry = cli("replies", "fetch", "--move-to", "Replies", "--dry-run", "--format", "json")
    assert dry.exit_code == 0, dry.stderr
    assert {row["source"] for row in json.loads(dry.stdout)} == {
        f"imap:INBOX/{reply}",
        f"imap:INBOX/{other}",
    }
    assert "would move 1" in dry.stderr
    assert sorted(logged_in.messages()) == [reply, other]  # a dry run moves nothing

    done = cli("replies", "fetch", "--move-to", "Replies", "--format", "json")
    assert done.exit_code == 0, done.stderr
    rows = {row["source"]: row for row in json.loads(done.stdout)}
    assert rows[f"imap:INBOX/{reply}"]["action"] == "recorded"
    assert rows[f"imap:INBOX/{other}"]["action"] != "recorded"
    assert sorted(logged_in.messages()) == [other]
    assert len(logged_in.messages("Replies")) == 1
    shown = json.loads(cli.ok("session", "show", "1", "--format", "json").stdout)
    assert [a["answer"] for a in shown["answers"]] == ["accepted"]

    again = cli("replies", "fetch", "--format", "json")  # the rest again: nothing new
    assert again.exit_code == 0, again.stderr
    assert [row["source"] for row in json.loads(again.stdout)] == [f"imap:INBOX/{other}"]


def test_fetch_passes_lapsed_event_offers_on_as_remind_does(
    cli: Cli, logged_in: ImapServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A seat offered from the waitlist and not taken in time goes to the next on the next
    `replies fetch`, even when the mailbox holds nothing new (a cron job that runs only it)."""
    monkeypatch.setenv("PEERKIT_NOW", "2026-12-01T10:00:00+01:00")
    cli.ok("init", "--community", "C", "--timezone", "Europe/Rome",
           "--organiser-name", "Paolo", "--organiser-email", "paolo@example.com")  # fmt: skip
    for name in ("Anna", "Bruno", "Chiara"):
        cli.ok("member", "add", name, "--email", f"{name.lower()}@example.com")
    event = cli.ok("event", "create", "Workshop", "--start", "2026-12-20 18:00",
                   "--capacity", "1", "--claim-hours", "24").stdout.strip()  # fmt: skip
    for member in ("1", "2", "3"):
        cli.ok("event", "rsvp", event, member)
    cli.ok("event", "rsvp", event, "1", "--no")  # Bruno is offered the seat, for 24 hours
    monkeypatch.setenv("PEERKIT_NOW", "2026-12-02T11:00:00+01:00")  # past his deadline
    dry = cli("replies", "fetch", "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert "would lapse" in dry.stderr
    done = cli("replies", "fetch")
    assert done.exit_code == 0, done.stderr
    assert (
        "The seat offered to #2 Bruno <bruno@example.com> at Workshop lapsed; offered to "
        "#3 Chiara <chiara@example.com>." in done.stderr
    )
    shown = json.loads(cli.ok("event", "show", event, "-f", "json").stdout)
    assert [p["member_id"] for p in shown["going"]] == [3]
    again = cli("replies", "fetch")
    assert "lapsed" not in again.stderr  # once only
