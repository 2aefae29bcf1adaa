"""Addresses outside ASCII (RFC 6530): accepted at the door, and then working everywhere.

An internationalised domain (anna@bücher.example) travels in its IDNA form
(xn--bcher-kva.example) in headers, calendars and the SMTP envelope. A local part outside
ASCII (üñí@exämple.com) is written with UTF-8 headers and sent with SMTPUTF8; a server
that does not offer SMTPUTF8 gets the other messages, and one clear error names the rest.
"""

from __future__ import annotations

import email
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.errors import NonASCIILocalPartDefect
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import icalendar
import pytest
from aiosmtpd.controller import Controller

from tests.conftest import Cli, assert_error
from tests.servers import free_port

UMLAUT = "üñí@exämple.com"  # a local part outside ASCII: only SMTPUTF8 carries it
UMLAUT_WIRE = "üñí@xn--exmple-cua.com"
ANNA = "anna@bücher.example"  # an internationalised domain only
ANNA_WIRE = "anna@xn--bcher-kva.example"
BOB = "bob@example.com"
WEEK = "2026-W50"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    smtputf8: bool
    raw: bytes


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(
            Received(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                envelope.smtp_utf8,
                envelope.original_content,
            )
        )
        return "250 Message accepted"

    def by_recipient(self) -> dict[str, Received]:
        return {r.rcpt_tos[0]: r for r in self.received}


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Start an SMTP server (with or without SMTPUTF8) that PEERKIT_SMTP_URL points at."""
    controllers: list[Controller] = []

    def start(smtputf8: bool) -> Handler:
        handler, port = Handler(), free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port, enable_SMTPUTF8=smtputf8)
        controller.start()
        controllers.append(controller)
        monkeypatch.setenv("PEERKIT_SMTP_URL", f"smtp://127.0.0.1:{port}")
        return handler

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def world(cli: Cli) -> Cli:
    """Three members (outside-ASCII local part, IDN domain, plain) in one group."""
    cli.ok("init", "--community", "Weltweit", "--timezone", "Europe/Rome",
           "--organiser-name", "Paolo", "--organiser-email", "paolo@example.com")  # fmt: skip
    assert cli.ok("member", "add", "Üñí", "--email", "ÜÑÍ@EXÄMPLE.com").stdout == "1\n"
    assert cli.ok("member", "add", "Anna", "--email", ANNA).stdout == "2\n"
    assert cli.ok("member", "add", "Bob", "--email", BOB).stdout == "3\n"
    cli.ok("group", "create", "Welt", "--day", "tue", "--time", "18:30", "--start",
           "2026-12-08", "--member", "1", "--member", "2", "--member", "3")  # fmt: skip
    return cli


def _eml(raw: bytes) -> EmailMessage:
    """A message as a mail program reads it: UTF-8 headers (RFC 6532) decoded as UTF-8.

    (Python's bytes parser predates RFC 6532: it reads such headers as undecodable.)
    """
    message = email.message_from_string(raw.decode("utf-8"), policy=default)
    assert isinstance(message, EmailMessage)
    return message


def _addr(raw: bytes, header: str) -> str:
    """The one address of a header; no defect but the one RFC 6532 allows."""
    found = _eml(raw)[header]
    (address,) = found.addresses
    defects = [d for d in found.defects if not isinstance(d, NonASCIILocalPartDefect)]
    assert not defects, defects
    return str(address.addr_spec)


def _attendees(raw: bytes) -> list[str]:
    """The ATTENDEE addresses of a message's calendar part, mailto: decoded."""
    message = email.message_from_bytes(raw, policy=default)
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    (event,) = icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
    found = event.get("ATTENDEE")
    attendees = found if isinstance(found, list) else [found]
    for address in [*attendees, event["ORGANIZER"]]:
        assert str(address).isascii()  # a URI: ASCII only
    return [unquote(str(a).removeprefix("mailto:")) for a in attendees]


# --- at the door --------------------------------------------------------------------------


def test_addresses_are_kept_as_typed_and_found_in_either_form(world: Cli) -> None:
    shown = world.ok("member", "list", "--format", "csv").stdout
    assert UMLAUT in shown  # lower-cased, as every address is
    assert ANNA in shown
    assert "xn--" not in shown
    assert world.ok("member", "show", ANNA_WIRE, "-f", "json").stdout.count('"id": 2') == 1
    assert world.ok("member", "show", UMLAUT_WIRE, "-f", "json").stdout.count('"id": 1') == 1
    duplicate = world("member", "add", "Anna again", "--email", ANNA_WIRE)
    assert duplicate.exit_code == 1
    assert "already belongs to #2" in duplicate.stderr


@pytest.mark.parametrize(
    "address",
    ["anna@bü cher.example", "anna@xn--zz.example", "anna@exämple", "ü@@exämple.com"],
)
def test_addresses_that_cannot_travel_are_refused_at_every_door(
    world: Cli, tmp_path: Path, address: str
) -> None:
    assert_error(world("member", "add", "Zoë", "--email", address), "e-mail address")
    assert_error(world("member", "edit", "3", "--email", address), "e-mail address")
    assert_error(world("init", "--organiser-email", address), "e-mail address")
    sheet = tmp_path / "in.csv"
    sheet.write_text(f"name,email\nZoë,{address}\n", encoding="utf-8")
    assert_error(world("member", "import", str(sheet)), "line 2")
    assert world.ok("member", "list", "-f", "csv").stdout.count("\n") == 4  # nothing added


def test_import_takes_them_and_export_gives_them_back(cli: Cli, tmp_path: Path) -> None:
    sheet = tmp_path / "in.csv"
    sheet.write_text(f"name,email\nÜñí,{UMLAUT}\nAnna,{ANNA_WIRE}\n", encoding="utf-8")
    cli.ok("member", "import", str(sheet))
    exported = cli.ok("member", "export", "--format", "csv").stdout
    assert UMLAUT in exported
    assert ANNA in exported  # stored in the form people read


# --- files ----------------------------------------------------------------------------------


def test_plan_week_writes_messages_a_mail_program_reads(world: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    world.ok("plan", "week", "--week", WEEK, "--out", str(out))
    files = [p.read_bytes() for p in (out / WEEK / "welt").glob("*.eml")]
    mails = {_addr(raw, "To"): raw for raw in files}
    assert set(mails) == {UMLAUT_WIRE, ANNA_WIRE, BOB}
    for address, raw in mails.items():
        assert _addr(raw, "From") == "paolo@example.com"
        assert _attendees(raw) == [address]
    raw = next((out / WEEK / "welt").glob("invite-2-*.eml")).read_bytes()
    assert raw.split(b"\r\n\r\n")[0].isascii()  # an IDN domain alone: ASCII headers


def test_every_command_that_touches_them_works(
    world: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.ok("session", "plan", "welt", "--from", "2026-12-08", "--count", "1")
    world.ok("invite", "1", "--out", str(tmp_path / "invite"))
    world.ok("export", "ics", "--all", "--output", str(tmp_path / "all.ics"))
    world.ok("export", "ics", "--member", ANNA_WIRE, "--output", str(tmp_path / "anna.ics"))
    world.ok("site", "build", "--out", str(tmp_path / "site"))
    world.ok("member", "export", "1", "--format", "json")
    world.ok("mentor", "pair", "2", "1", "--topic", "Bücher")
    world.ok("mentor", "checkin", "1", "--start", "2026-12-03 18:30", "--out",
             str(tmp_path / "checkin"))  # fmt: skip
    world.ok("event", "create", "Fest", "--start", "2026-12-08 20:00", "--capacity", "5")
    world.ok("event", "rsvp", "1", "1", "--out", str(tmp_path / "events"))
    monkeypatch.setenv("PEERKIT_NOW", "2026-12-08T09:00:00+01:00")
    world.ok("remind", "--out", str(tmp_path / "remind"))
    checkins = {_addr(p.read_bytes(), "To") for p in (tmp_path / "checkin").glob("*.eml")}
    assert checkins == {UMLAUT_WIRE, ANNA_WIRE}
    reminded = sorted(_addr(p.read_bytes(), "To") for p in (tmp_path / "remind").rglob("*.eml"))
    assert reminded == sorted([UMLAUT_WIRE, UMLAUT_WIRE, ANNA_WIRE, BOB])  # meeting, event
    calendar = icalendar.Calendar.from_ical((tmp_path / "all.ics").read_bytes())
    assert calendar.walk("VEVENT")


# --- sending ----------------------------------------------------------------------------------


def test_sent_with_smtputf8_when_the_server_offers_it(
    world: Cli, server: Any, tmp_path: Path
) -> None:
    smtp = server(smtputf8=True)
    world.ok("plan", "week", "--week", WEEK, "--out", str(tmp_path / "o"), "--send")
    got = smtp.by_recipient()
    assert set(got) == {UMLAUT_WIRE, ANNA_WIRE, BOB}
    assert got[UMLAUT_WIRE].smtputf8
    assert not got[ANNA_WIRE].smtputf8  # the IDNA form is plain ASCII
    assert not got[BOB].smtputf8
    for address, received in got.items():
        assert received.mail_from == "paolo@example.com"
        assert _addr(received.raw, "To") == address
        assert _attendees(received.raw) == [address]


def test_a_server_without_smtputf8_gets_the_rest_and_one_clear_error(
    world: Cli, server: Any, tmp_path: Path
) -> None:
    out = str(tmp_path / "o")
    plain = server(smtputf8=False)
    result = world("plan", "week", "--week", WEEK, "--out", out, "--send")
    assert result.exit_code == 1
    (error,) = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert "does not offer SMTPUTF8" in error
    assert UMLAUT in error
    assert "2 of 3 were sent" in error
    assert "Traceback" not in result.stderr
    assert set(plain.by_recipient()) == {ANNA_WIRE, BOB}
    again = world("plan", "week", "--week", WEEK, "--out", out, "--send")
    assert again.exit_code == 1  # still held back, and nobody gets a second copy
    assert len(plain.received) == 2
    utf8 = server(smtputf8=True)
    world.ok("plan", "week", "--week", WEEK, "--out", out, "--send")
    assert set(utf8.by_recipient()) == {UMLAUT_WIRE}  # only what was still to send


def test_an_organiser_with_an_international_address(cli: Cli, server: Any, tmp_path: Path) -> None:
    cli.ok("init", "--organiser-name", "Bea", "--organiser-email", "bea@bücher.example")
    cli.ok("member", "add", "Bob", "--email", BOB)
    cli.ok("group", "create", "G", "--day", "tue", "--time", "18:30", "--start", "2026-12-08",
           "--member", "1")  # fmt: skip
    smtp = server(smtputf8=False)
    cli.ok("plan", "week", "--week", WEEK, "--out", str(tmp_path / "o"), "--send")
    (received,) = smtp.received
    assert received.mail_from == "bea@xn--bcher-kva.example"
    assert _addr(received.raw, "From") == "bea@xn--bcher-kva.example"
    assert _addr(received.raw, "Reply-To") == "bea@xn--bcher-kva.example"


def test_a_row_from_before_that_cannot_travel_is_held_back_not_a_crash(
    world: Cli, db_path: Path, server: Any, tmp_path: Path
) -> None:
    """An address stored before the rule (here written straight into the database) that IDNA
    cannot write: the week is planned, its files written, and sending names it."""
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE member SET email = 'anna@bü_cher.example' WHERE id = 2")
    out = str(tmp_path / "o")
    world.ok("plan", "week", "--week", WEEK, "--out", out)
    world.ok("invite", "1", "--out", str(tmp_path / "invite"))
    world.ok("export", "ics", "--all", "--output", str(tmp_path / "all.ics"))
    world.ok("site", "build", "--out", str(tmp_path / "site"))
    world.ok("member", "export", "--format", "csv")
    assert _addr(next((tmp_path / "invite").glob("invite-2-*.eml")).read_bytes(), "To") == (
        "anna@bü_cher.example"
    )
    smtp = server(smtputf8=False)
    result = world("plan", "week", "--week", WEEK, "--out", out, "--send")
    assert_error_line(result, "anna@bü_cher.example", "SMTPUTF8")
    assert set(smtp.by_recipient()) == {BOB}


def assert_error_line(result: Any, *fragments: str) -> None:
    assert result.exit_code == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in errors[0]


def test_a_login_outside_ascii_is_a_clear_error(
    world: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aiosmtpd.smtp import AuthResult

    port = free_port()
    controller = Controller(
        Handler(), hostname="127.0.0.1", port=port, auth_require_tls=False,
        authenticator=lambda *args: AuthResult(success=True),
    )  # fmt: skip
    controller.start()
    try:
        monkeypatch.setenv("PEERKIT_SMTP_URL", f"smtp://paolo@127.0.0.1:{port}")
        monkeypatch.setenv("PEERKIT_SMTP_PASSWORD", "pässwort")
        result = world("plan", "week", "--week", WEEK, "--out", str(tmp_path / "o"), "--send")
    finally:
        controller.stop()
    assert_error_line(result, "outside ASCII", "Nothing was sent")
    assert "pässwort" not in result.stderr
