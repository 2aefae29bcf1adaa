"""The URLs of the servers peerkit talks to: refused in one line when malformed, where
they are set (config.toml) and where they are used (--send, publish caldav, the database),
and never shown with a secret in them, however short or common the secret is."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import Cli, invoke
from tests.servers import free_port

BAD_SMTP = [
    "smtp://[::1",  # an IPv6 host that is never closed
    "smtp://[::1:25",
    "smtp://",  # no host
    "smtp://:25",
    "smtp://mail.example.com:99999",  # no such port
    "smtp://mail.example.com:0",
    "smtp://mail.example.com:twenty-five",
    "imap://mail.example.com",  # not a scheme for sending
    "mail.example.com:25",
    "smtp://mail example.com:25",
]
BAD_CALDAV = [
    "http://[::1/cal/",
    "https://",
    "https://cloud.example.com:99999/cal/",
    "https://cloud.example.com:dav/cal/",
    "caldav://cloud.example.com/cal/",
    "cloud.example.com/cal/",
]
BAD_DATABASE = [
    "postgresql+psycopg://u@[::1/peerkit",
    "postgresql+psycopg://u@db.example.com:99999/peerkit",
    "postgresql+psycopg://u@db.example.com:abc/peerkit",
]


def one_error(result: Any, *fragments: str) -> str:
    """Exit 1 and exactly one line on stderr, "Error: ...", with FRAGMENTS in it."""
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("Error: "), result.stderr
    assert "internal error" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr
    return str(result.stderr)


@pytest.fixture
def community(cli: Cli) -> Cli:
    cli.ok("init", "--community", "C", "--timezone", "Europe/Rome",
           "--organiser-name", "Paolo", "--organiser-email", "paolo@example.com")  # fmt: skip
    cli.ok("member", "add", "Giulia", "--email", "giulia@example.com")
    cli.ok("group", "create", "G", "--day", "tue", "--time", "18:30", "--start", "2026-12-08",
           "--member", "1")  # fmt: skip
    cli.ok("session", "plan", "g", "--from", "2026-12-08", "--count", "1")
    return cli


def write_config(home: Path, text: str) -> None:
    folder = home / ".config" / "peerkit"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.toml").write_text(text, encoding="utf-8")


# --- malformed URLs: when used ---------------------------------------------------------------


@pytest.mark.parametrize("url", BAD_SMTP)
@pytest.mark.parametrize(
    "command",
    [("plan", "week", "--week", "2026-W50"), ("invite", "1"), ("remind",)],
    ids=["plan-week", "invite", "remind"],
)
def test_a_malformed_smtp_url_is_one_line_before_anything_is_written(
    community: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, command: Any
) -> None:
    monkeypatch.setenv("PEERKIT_SMTP_URL", url)
    out = tmp_path / "out"
    one_error(community(*command, "--out", str(out), "--send"), "SMTP URL")
    assert not out.exists()


@pytest.mark.parametrize("url", BAD_CALDAV)
def test_a_malformed_caldav_url_is_one_line_and_opens_no_database(
    cli: Cli, db_path: Path, url: str
) -> None:
    one_error(cli("publish", "caldav", url, "--user", "paolo"), "CalDAV URL")
    assert not db_path.exists()


@pytest.mark.parametrize("url", BAD_DATABASE)
def test_a_malformed_database_url_is_one_line(url: str) -> None:
    one_error(invoke(["--database-url", url, "member", "list"]), "database URL")


# --- malformed URLs: when set (config.toml) --------------------------------------------------


@pytest.mark.parametrize(
    ("key", "url"),
    [*(("smtp_url", u) for u in BAD_SMTP), *(("caldav_url", u) for u in BAD_CALDAV),
     *(("database_url", u) for u in BAD_DATABASE)],
)  # fmt: skip
def test_config_file_urls_are_checked_when_read(
    cli: Cli, isolated_env: Path, db_path: Path, key: str, url: str
) -> None:
    write_config(isolated_env, f'{key} = "{url}"\n')
    one_error(cli("member", "list"), "config.toml", f"'{key}'")
    assert not db_path.exists()


def test_good_urls_in_the_config_file_are_accepted(cli: Cli, isolated_env: Path) -> None:
    write_config(
        isolated_env,
        'smtp_url = "smtp+starttls://paolo@[::1]:587"\n'
        'caldav_url = "https://cloud.example.com/remote.php/dav/calendars/paolo/c/"\n',
    )
    cli.ok("member", "list")


# --- secrets: masked by the URL's structure --------------------------------------------------


@pytest.mark.parametrize(
    ("key", "scheme", "secret_from"),
    [("smtp_url", "smtps", "PEERKIT_SMTP_PASSWORD"),
     ("caldav_url", "https", "PEERKIT_CALDAV_PASSWORD")],
)  # fmt: skip
def test_a_password_in_a_config_url_is_refused_and_not_shown(
    cli: Cli, isolated_env: Path, key: str, scheme: str, secret_from: str
) -> None:
    # "must" is also a word of the message: only the password's place is masked.
    write_config(isolated_env, f'{key} = "{scheme}://paolo:must@host.example/"\n')
    shown = f"'{scheme}://paolo:***@host.example/'"
    text = one_error(cli("db", "path"), secret_from, shown)
    assert text.count("must") == 1  # "must not contain", and nowhere else


def test_a_caldav_url_with_a_password_is_refused_and_masked(cli: Cli) -> None:
    url = "https://paolo:URL@cloud.example.com/dav/calendars/paolo/c/"
    text = one_error(cli("publish", "caldav", url))
    assert text == (
        "Error: the CalDAV URL must not contain a password "
        "('https://paolo:***@cloud.example.com/dav/calendars/paolo/c/'); "
        "put it in PEERKIT_CALDAV_PASSWORD.\n"
    )


def test_an_smtp_url_with_a_one_letter_password(
    community: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEERKIT_SMTP_URL", "smtp://paolo:a@mail.example.com:25")
    text = one_error(community("invite", "1", "--out", str(tmp_path / "o"), "--send"))
    assert "'smtp://paolo:***@mail.example.com:25'" in text
    assert "PEERKIT_SMTP_PASSWORD" in text


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+psycopg://u:a@db.example.com/peerkit",
         "postgresql+psycopg://u:***@db.example.com/peerkit"),
        ("postgresql+psycopg://db:db@db/db", "postgresql+psycopg://db:***@db/db"),
        ("postgresql+psycopg://u@h/p?password=zz&sslmode=require&sslpassword=k",
         "postgresql+psycopg://u@h/p?password=***&sslmode=require&sslpassword=***"),
        ("postgresql+psycopg://u:p%40ss@h/p", "postgresql+psycopg://u:***@h/p"),
        ("postgresql+psycopg://u@h/p", "postgresql+psycopg://u@h/p"),
    ],
)  # fmt: skip
def test_db_path_masks_passwords_by_structure(url: str, shown: str) -> None:
    result = invoke(["--database-url", url, "db", "path"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{shown}\n"


def test_a_malformed_database_url_is_shown_masked() -> None:
    text = one_error(
        invoke(["--database-url", "postgresql+psycopg://u:hunter2@[::1/p", "db", "path"])
    )
    assert "u:***@[::1/p" in text
    assert "hunter2" not in text


@pytest.fixture
def login_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """An SMTP server (no TLS) whose login refuses everyone."""
    from aiosmtpd.smtp import AuthResult

    port = free_port()
    controller = Controller(
        object(), hostname="127.0.0.1", port=port, auth_require_tls=False,
        authenticator=lambda *args: AuthResult(success=False, handled=False),
    )  # fmt: skip
    controller.start()
    yield port
    controller.stop()


def test_a_one_letter_smtp_password_does_not_garble_the_error(
    community: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, login_server: int
) -> None:
    monkeypatch.setenv("PEERKIT_SMTP_URL", f"smtp://paolo@127.0.0.1:{login_server}")
    monkeypatch.setenv("PEERKIT_SMTP_PASSWORD", "a")
    result = community("invite", "1", "--out", str(tmp_path / "o"), "--send")
    assert result.exit_code == 1
    (error,) = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert error.startswith(f"Error: cannot send through smtp://paolo@127.0.0.1:{login_server}: ")
    assert "Authentication" in error  # the server's words, whole
    assert "***" not in error
    assert error.endswith("Nothing was sent.")


def test_an_unreachable_caldav_server_with_a_common_word_for_password(
    community: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("caldav")
    monkeypatch.setenv("PEERKIT_CALDAV_PASSWORD", "to")
    url = f"http://127.0.0.1:{free_port()}/paolo/c/?token=s3cret"
    text = one_error(community("publish", "caldav", url, "--user", "paolo"), "cannot publish to")
    assert "/paolo/c/?token=***:" in text
    assert "s3cret" not in text
    assert "***" not in text.replace("token=***", "")
    assert "Check the URL (it must name a calendar)" in text  # "to" is left as it is


def test_a_database_server_that_cannot_be_reached_is_shown_masked() -> None:
    pytest.importorskip("psycopg")
    url = f"postgresql+psycopg://u:a@127.0.0.1:{free_port()}/p?password=hunter2&sslmode=disable"
    text = one_error(invoke(["--database-url", url, "member", "list"]), "cannot connect to")
    assert "postgresql+psycopg://u:***@127.0.0.1:" in text
    assert "/p?password=***&sslmode=disable:" in text
    assert "hunter2" not in text
