"""`invite` and `--send` against a real SMTP server (aiosmtpd) started on loopback."""

from __future__ import annotations

import email
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC
from email.message import Message
from email.policy import default
from pathlib import Path
from typing import Any

import icalendar
import pytest
import vobject
from aiosmtpd.controller import Controller

from peerkit.mail import header_value
from tests.conftest import Cli, assert_error
from tests.servers import free_port, smtp_server


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: Message


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)
    refuse: bool = False

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Handler]:
    with smtp_server(Handler(), monkeypatch) as handler:
        yield handler


@pytest.fixture
def meeting(cli: Cli) -> Cli:
    cli.ok(
        "init",
        "--community",
        "Freelance Insieme",
        "--locale",
        "it",
        "--timezone",
        "Europe/Rome",
        "--organiser-name",
        "Paolo Pavan",
        "--organiser-email",
        "paolo@example.com",
    )
    people = [("Giulia Rossi", "giulia@example.com", "Europe/Rome", "it"),
              ("Emma Clarke", "emma@example.com", "Europe/London", "en"),
              ("Daniel Kim", "daniel@example.com", "America/New_York", "en")]  # fmt: skip
    for name, address, zone, locale in people:
        cli.ok("member", "add", name, "--email", address, "--timezone", zone, "--locale", locale)
    cli.ok("group", "create", "Martedì", "--day", "tue", "--time", "18:30", "--start",
           "2026-12-08", "--member", "1", "--member", "2", "--member", "3")  # fmt: skip
    cli.ok("session", "plan", "martedi", "--from", "2026-12-08", "--count", "1")
    return cli


ADDRESSES = {"giulia@example.com", "emma@example.com", "daniel@example.com"}


def assert_send_failed(result: Any, *fragments: str) -> None:
    """The .eml files were written (stdout lists them); sending failed with a clear error."""
    assert result.exit_code == 1, result.stderr
    assert "\nError: " in "\n" + result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


def _calendar_part(message: Message) -> tuple[Message, icalendar.Calendar]:
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    return part, icalendar.Calendar.from_ical(part.get_payload(decode=True))


def test_invite_writes_one_imip_message_per_attendee(meeting: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = meeting("invite", "1", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    files = sorted(out.glob("*.eml"))
    assert len(files) == 3
    assert (
        result.stdout.splitlines() == [str(f) for f in sorted(files, key=lambda f: f.name)]
        or len(result.stdout.splitlines()) == 3
    )
    for path in files:
        raw = path.read_bytes()
        assert path.stat().st_mode & 0o777 == 0o600
        message = email.message_from_bytes(raw, policy=default)
        (to,) = message.get_all("To")
        mine = to.addresses[0].addr_spec
        assert mine in ADDRESSES
        for other in ADDRESSES - {mine}:
            assert other.encode() not in raw  # no other member's address, anywhere
        assert message["From"].addresses[0].addr_spec == "paolo@example.com"
        assert message["Reply-To"].addresses[0].addr_spec == "paolo@example.com"
        assert message.get_content_type() == "multipart/alternative"
        types = [p.get_content_type() for p in message.iter_parts()]
        assert types == ["text/plain", "text/html", "text/calendar"]
        part, cal = _calendar_part(message)
        assert part.get_param("method") == "REQUEST"
        theirs = vobject.readOne(part.get_payload(decode=True).decode("utf-8"))
        assert theirs.vevent.dtstart.value.astimezone(UTC) == cal.walk("VEVENT")[0][
            "DTSTART"
        ].dt.astimezone(UTC)
        assert part.get_content_charset() == "utf-8"
        assert str(cal["METHOD"]) == "REQUEST"
        (event,) = cal.walk("VEVENT")
        attendees = event.get("ATTENDEE")
        assert str(attendees).lower() == f"mailto:{mine}"
        assert attendees.params["RSVP"] == "TRUE"
        assert attendees.params["PARTSTAT"] == "NEEDS-ACTION"
        assert attendees.params["ROLE"] == "REQ-PARTICIPANT"
        assert str(event["ORGANIZER"]).lower() == "mailto:paolo@example.com"


def test_each_member_reads_it_in_their_language_and_zone(meeting: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    meeting.ok("invite", "1", "--out", str(out))
    giulia = (out / "invite-1-giulia-rossi.eml").read_bytes()
    daniel = (out / "invite-3-daniel-kim.eml").read_bytes()
    text_it = email.message_from_bytes(giulia, policy=default).get_body(("plain",)).get_content()
    text_en = email.message_from_bytes(daniel, policy=default).get_body(("plain",)).get_content()
    assert "martedì 8 dicembre 2026, 18:30 (Europe/Rome)" in text_it
    assert "Tuesday 8 December 2026, 12:30 (America/New_York)" in text_en


def test_send_delivers_each_message_once_to_one_recipient(
    meeting: Cli, smtp: Handler, tmp_path: Path
) -> None:
    result = meeting("invite", "1", "--out", str(tmp_path / "o"), "--send")
    assert result.exit_code == 0, result.stderr
    assert len(smtp.received) == 3
    assert sorted(r.rcpt_tos[0] for r in smtp.received) == sorted(ADDRESSES)
    assert all(len(r.rcpt_tos) == 1 for r in smtp.received)
    assert all(r.mail_from == "paolo@example.com" for r in smtp.received)
    for r in smtp.received:
        _part, cal = _calendar_part(r.message)
        assert str(cal["METHOD"]) == "REQUEST"
    again = meeting("invite", "1", "--out", str(tmp_path / "o"), "--send")
    assert again.exit_code == 0
    assert len(smtp.received) == 3  # nothing twice
    assert "3 had been sent before" in again.stderr


def test_a_moved_meeting_is_sent_again_as_an_update(
    meeting: Cli, smtp: Handler, tmp_path: Path
) -> None:
    meeting.ok("invite", "1", "--out", str(tmp_path / "o"), "--send")
    first = _calendar_part(smtp.received[0].message)[1].walk("VEVENT")[0]
    meeting.ok("session", "move", "1", "--to", "2026-12-09 18:30")
    meeting.ok("invite", "1", "--out", str(tmp_path / "o"), "--send")
    assert len(smtp.received) == 6
    update = _calendar_part(smtp.received[-1].message)[1].walk("VEVENT")[0]
    assert str(update["UID"]) == str(first["UID"])
    assert int(update["SEQUENCE"]) == int(first["SEQUENCE"]) + 1


def test_cancel_sends_method_cancel(meeting: Cli, smtp: Handler, tmp_path: Path) -> None:
    meeting.ok("invite", "1", "--out", str(tmp_path / "o"), "--send")
    refused = meeting("invite", "1", "--method", "cancel")
    assert_error(refused, "session cancel 1")
    meeting.ok("session", "cancel", "1", "--reason", "sciopero dei treni")
    meeting.ok("invite", "1", "--method", "cancel", "--out", str(tmp_path / "o"), "--send")
    cancels = smtp.received[3:]
    assert len(cancels) == 3
    first = _calendar_part(smtp.received[0].message)[1].walk("VEVENT")[0]
    for r in cancels:
        part, cal = _calendar_part(r.message)
        assert part.get_param("method") == "CANCEL"
        assert str(cal["METHOD"]) == "CANCEL"
        (event,) = cal.walk("VEVENT")
        assert str(event["UID"]) == str(first["UID"])
        assert str(event["STATUS"]) == "CANCELLED"
        assert int(event["SEQUENCE"]) > int(first["SEQUENCE"])
    assert_error(meeting("invite", "1"), "--method cancel")


def test_a_server_that_is_down_is_a_clear_error_and_records_nothing(
    meeting: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEERKIT_SMTP_URL", f"smtp://127.0.0.1:{free_port()}")
    monkeypatch.setenv("PEERKIT_SMTP_PASSWORD", "hunter2-secret")
    result = meeting("invite", "1", "--out", str(tmp_path / "o"), "--send")
    assert_send_failed(result, "cannot send through smtp://127.0.0.1", "Nothing was sent")
    assert "hunter2" not in result.stderr + result.stdout
    # Once a server answers, everything is still to be sent.
    handler = Handler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setenv("PEERKIT_SMTP_URL", f"smtp://127.0.0.1:{port}")
        meeting.ok("invite", "1", "--out", str(tmp_path / "o"), "--send")
    finally:
        controller.stop()
    assert len(handler.received) == 3


def test_a_server_that_refuses_records_nothing(meeting: Cli, smtp: Handler, tmp_path: Path) -> None:
    smtp.refuse = True
    assert_send_failed(meeting("invite", "1", "--out", str(tmp_path / "o"), "--send"), "550")
    smtp.refuse = False
    meeting.ok("invite", "1", "--out", str(tmp_path / "o"), "--send")
    assert len(smtp.received) == 3


def test_send_without_a_server_configured_is_a_clear_error(meeting: Cli, tmp_path: Path) -> None:
    assert_error(meeting("invite", "1", "--out", str(tmp_path / "o"), "--send"), "PEERKIT_SMTP_URL")


@pytest.mark.parametrize(
    "url", ["http://host", "smtp://", "smtp://user:pw@host:25", "smtps://host:notaport"]
)
def test_bad_smtp_urls_are_refused(
    meeting: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("PEERKIT_SMTP_URL", url)
    result = meeting("invite", "1", "--out", str(tmp_path / "o"), "--send")
    assert_error(result)
    assert ":pw@" not in result.stderr
    assert not (tmp_path / "o").exists()  # refused before anything was written


def test_header_values_never_carry_line_breaks() -> None:
    assert header_value("Paolo\r\nBcc: all@example.com") == "Paolo Bcc: all@example.com"
    assert "\n" not in header_value("a\nb\rc\x00d\x1be")


def test_plan_week_send_invites_once_and_cancels(
    meeting: Cli, smtp: Handler, tmp_path: Path
) -> None:
    out = tmp_path / "outbox"
    meeting.ok("plan", "week", "--week", "2026-W50", "--out", str(out), "--send")
    assert sorted(r.rcpt_tos[0] for r in smtp.received) == sorted(ADDRESSES)
    meeting.ok("plan", "week", "--week", "2026-W50", "--out", str(out), "--send")
    assert len(smtp.received) == 3  # a cron job running twice sends nothing twice
    meeting.ok("session", "cancel", "1")
    meeting.ok("plan", "week", "--week", "2026-W50", "--out", str(out), "--send")
    cancels = smtp.received[3:]
    assert sorted(r.rcpt_tos[0] for r in cancels) == sorted(ADDRESSES)
    assert all(_calendar_part(r.message)[0].get_param("method") == "CANCEL" for r in cancels)
    assert not list((out / "2026-W50" / "martedi").glob("invite-*.eml"))


def test_plan_week_dry_run_with_send_sends_nothing(
    meeting: Cli, smtp: Handler, tmp_path: Path
) -> None:
    meeting.ok(
        "plan", "week", "--week", "2026-W50", "--out", str(tmp_path / "o"), "--send", "--dry-run"
    )
    assert smtp.received == []
    assert not (tmp_path / "o").exists()


def test_remind_sends_each_member_one_reminder_in_their_language(
    meeting: Cli, smtp: Handler, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "outbox"
    monkeypatch.setenv("PEERKIT_NOW", "2026-12-07T20:00:00+01:00")
    early = meeting("remind", "--within", "12", "--out", str(out), "--send")
    assert early.exit_code == 0, early.stderr
    assert smtp.received == []  # 22.5 hours away: not yet
    monkeypatch.setenv("PEERKIT_NOW", "2026-12-08T09:00:00+01:00")
    written = meeting("remind", "--out", str(out))
    assert written.exit_code == 0
    assert len(written.stdout.splitlines()) == 3
    assert smtp.received == []  # without --send nothing is sent
    meeting.ok("remind", "--out", str(out), "--send")
    assert sorted(r.rcpt_tos[0] for r in smtp.received) == sorted(ADDRESSES)
    meeting.ok("remind", "--out", str(out), "--send")
    assert len(smtp.received) == 3  # once per member per meeting
    texts = {r.rcpt_tos[0]: r.message.get_body(("plain",)).get_content() for r in smtp.received}
    assert "martedì 8 dicembre 2026, 18:30 (Europe/Rome)" in texts["giulia@example.com"]
    assert "Tuesday 8 December 2026, 17:30 (Europe/London)" in texts["emma@example.com"]
    assert all(r.message.get_content_type() == "text/plain" for r in smtp.received)


def test_remind_rejects_a_silly_window(meeting: Cli) -> None:
    assert_error(meeting("remind", "--within", "0"), "--within")


# --- encrypted servers with a login -----------------------------------------------------


@pytest.fixture
def tls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """A private CA that the client trusts (through SSL_CERT_FILE) and a server certificate."""
    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    return cert


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
    from aiosmtpd.smtp import AuthResult

    ok = auth_data.login == b"paolo" and auth_data.password == b"s3cret-pw"
    return AuthResult(success=ok)


@pytest.mark.parametrize("scheme", ["smtp+starttls", "smtps"])
def test_encrypted_servers_with_a_login(
    meeting: Cli, tls: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scheme: str
) -> None:
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.configure_cert(context)
    handler = Handler()
    port = free_port()
    if scheme == "smtps":
        # Implicit TLS: aiosmtpd does not see it as TLS, so AUTH is allowed explicitly.
        controller = Controller(handler, hostname="127.0.0.1", port=port, ssl_context=context,
                                authenticator=_authenticator, auth_require_tls=False)  # fmt: skip
    else:
        controller = Controller(handler, hostname="127.0.0.1", port=port, tls_context=context,
                                require_starttls=True, authenticator=_authenticator,
                                auth_require_tls=True)  # fmt: skip
    controller.start()
    try:
        monkeypatch.setenv("PEERKIT_SMTP_URL", f"{scheme}://paolo@127.0.0.1:{port}")
        monkeypatch.setenv("PEERKIT_SMTP_PASSWORD", "s3cret-pw")
        meeting.ok("invite", "1", "--out", str(tmp_path / "o"), "--send")
    finally:
        controller.stop()
    assert sorted(r.rcpt_tos[0] for r in handler.received) == sorted(ADDRESSES)
