"""The outbox's single rules: one "no organiser" error, one ledger of what was delivered,
one place for the mail server and the outbox folder."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from peerkit.config import Settings
from peerkit.services.outbox import delivery, ledger
from peerkit.services.outbox.message import NO_ORGANISER, Message
from tests.conftest import Cli, without_creation_note

pytest_plugins = ["tests.factories"]

NOW = "2026-12-14T09:00:00+01:00"


@pytest.fixture
def no_organiser(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """A community without an organiser e-mail: a group meeting, a mentorship, an event."""
    monkeypatch.setenv("PEERKIT_NOW", NOW)
    cli.ok("init", "--timezone", "Europe/Rome")
    cli.ok("member", "add", "Ann Aalto", "--email", "ann@example.com")
    cli.ok("member", "add", "Bo Berg", "--email", "bo@example.com")
    cli.ok("group", "create", "Monday", "--day", "mon", "--time", "18:30",
           "--start", "2026-12-07", "--member", "1", "--member", "2")  # fmt: skip
    cli.ok("session", "plan", "monday", "--from", "2026-12-14", "--count", "1")
    cli.ok("mentor", "pair", "1", "2", "--topic", "pricing")
    cli.ok("event", "create", "Social", "--start", "2026-12-20 19:00")
    return cli


@pytest.mark.parametrize(
    "args",
    [
        ("invite", "1"),
        ("invite", "1", "--send"),
        ("mentor", "checkin", "1", "--start", "2026-12-17 18:30"),
        ("event", "rsvp", "1", "1", "--send"),  # without --send, the answer is recorded
    ],
    ids=["invite", "invite-send", "mentor-checkin", "event-rsvp-send"],
)
def test_no_organiser_is_the_same_error_from_every_command(
    no_organiser: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, args: tuple[str, ...]
) -> None:
    monkeypatch.setenv("PEERKIT_SMTP_URL", "smtp://127.0.0.1:1")  # never reached
    result = no_organiser(*args, "--out", str(tmp_path / "out"))
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert without_creation_note(result.stderr) == f"Error: {NO_ORGANISER}\n"
    assert not (tmp_path / "out").exists()


def test_without_an_organiser_plan_week_and_remind_send_nothing(
    no_organiser: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Cron jobs keep working: the agendas are written, and nothing is sent (or tried)."""
    monkeypatch.setenv("PEERKIT_SMTP_URL", "smtp://127.0.0.1:1")  # nobody there
    out = str(tmp_path / "out")
    week = no_organiser.ok("plan", "week", "--week", "2026-W51", "--out", out, "--send")
    assert "no invitations written: set the organiser first" in week.stderr
    assert "sending" not in week.stderr
    reminded = no_organiser.ok("remind", "--out", out, "--send")
    assert reminded.stdout == ""
    assert reminded.stderr.startswith("Wrote 0 reminder(s) for 1 meeting(s)")


# --- the ledger: what was delivered -----------------------------------------------------------


@pytest.fixture
def community(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("PEERKIT_NOW", NOW)
    cli.ok("init", "--timezone", "Europe/Rome", "--organiser-name", "Olga",
           "--organiser-email", "olga@example.com")  # fmt: skip
    cli.ok("member", "add", "Ann Aalto", "--email", "ann@example.com")
    cli.ok("member", "add", "Bo Berg", "--email", "bo@example.com")
    cli.ok("group", "create", "Monday", "--day", "mon", "--time", "18:30",
           "--start", "2026-12-07", "--member", "1", "--member", "2")  # fmt: skip
    cli.ok("session", "plan", "monday", "--from", "2026-12-14", "--count", "1")
    cli.ok("mentor", "pair", "1", "2", "--topic", "pricing")
    cli.ok("mentor", "checkin", "1", "--start", "2026-12-17 18:30")
    cli.ok("event", "create", "Social", "--start", "2026-12-20 19:00")
    cli.ok("event", "rsvp", "1", "1")
    cli.ok("event", "rsvp", "1", "2")
    return cli


def _every_kind(session: Any) -> dict[str, list[Message]]:
    from datetime import date

    from peerkit.services.events import seats
    from peerkit.services.groups import meetings
    from peerkit.services.mentoring import checkins as checkin_svc
    from peerkit.services.outbox import checkins, events, invitations, reminders

    meeting = meetings.resolve(session, 1)
    event = seats.resolve(session, "1")
    return {
        "invite": invitations.prepare(session, meeting, "request"),
        "reminder": reminders.prepare(session, meeting),
        "checkin": checkins.messages(session, checkin_svc.resolve(session, "1")),
        "event": [events.invitation(session, event, m) for m in seats.attendees(session, event)],
        "event-reminder": events.reminders(session, event, date(2026, 12, 14)),
    }


@pytest.mark.parametrize("kind", ["invite", "reminder", "checkin", "event", "event-reminder"])
def test_the_ledger_decides_what_was_delivered_for_every_kind(
    community: Cli, database: Any, kind: str
) -> None:
    with database.write() as session:
        messages = _every_kind(session)[kind]
        assert len(messages) == 2
        assert {m.key.kind for m in messages} == {kind}
        assert ledger.unsent(session, messages) == messages
        ledger.record(session, messages[:1])
    with database.read() as session:
        again = _every_kind(session)[kind]
        assert [m.member_id for m in ledger.unsent(session, again)] == [messages[1].member_id]
        # A new version (a higher SEQUENCE) is not the one delivered: it goes again.
        newer = [replace(m, key=replace(m.key, sequence=m.key.sequence + 1)) for m in again]
        assert ledger.unsent(session, newer) == newer
        # Nothing else counts as delivered: the other kinds are all still to send.
        others = [m for k, ms in _every_kind(session).items() if k != kind for m in ms]
        assert ledger.unsent(session, others) == others


def test_every_message_is_named_after_its_kind_and_member(community: Cli, database: Any) -> None:
    with database.read() as session:
        names = {k: sorted(m.filename for m in ms) for k, ms in _every_kind(session).items()}
    assert names == {
        "invite": ["invite-1-ann-aalto.eml", "invite-2-bo-berg.eml"],
        "reminder": ["reminder-1-ann-aalto.eml", "reminder-2-bo-berg.eml"],
        "checkin": ["checkin-1-1-ann-aalto.eml", "checkin-1-2-bo-berg.eml"],
        "event": ["event-1-1-ann-aalto.eml", "event-1-2-bo-berg.eml"],
        "event-reminder": ["event-reminder-1-1-ann-aalto.eml", "event-reminder-1-2-bo-berg.eml"],
    }


# --- settings: the mail server and the outbox folder ------------------------------------------


def test_the_smtp_url_comes_from_the_environment_before_the_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(db_path=tmp_path / "p.db", config={"smtp_url": "smtp://config:25"})
    assert settings.smtp_url == "smtp://config:25"
    monkeypatch.setenv("PEERKIT_SMTP_URL", "smtps://env@mail.example.com")
    assert settings.smtp_url == "smtps://env@mail.example.com"
    target = delivery.smtp_target(settings.smtp_url)
    assert target.describe() == "smtps://env@mail.example.com:465"


def test_no_smtp_url_is_one_clear_error() -> None:
    with pytest.raises(Exception, match="--send needs a mail server") as raised:
        delivery.smtp_target(None)
    assert str(raised.value) == delivery.NO_SERVER


def test_the_outbox_is_beside_an_sqlite_database_or_in_the_data_folder(tmp_path: Path) -> None:
    from peerkit.config import data_dir

    assert Settings(db_path=tmp_path / "p.db").outbox_dir == tmp_path / "outbox"
    server = Settings(db_path=tmp_path / "p.db", database_url="postgresql://h/db")
    assert server.outbox_dir == data_dir() / "outbox"
    place = delivery.Place(None, tmp_path / "outbox")
    assert place.folder("events") == tmp_path / "outbox" / "events"
    assert delivery.Place(Path("~/mine"), tmp_path).folder("events") == Path.home() / "mine"
