"""An invitation that says something new is a new version; one that says the same is not
sent again (services/groups/versions.py).

Calendars take an invitation as an update only when its SEQUENCE is higher and its DTSTAMP
and Message-ID are new. So: plan the week, change something its invitations show (a new
commitment, a member's new name, a paused hot seat), plan again: every changed invitation
has a higher SEQUENCE, a new DTSTAMP and a new Message-ID, and with --send it is sent again
(to a real SMTP server); plan again with nothing changed: the same bytes, nothing sent.
"""

from __future__ import annotations

import email
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.policy import default
from pathlib import Path
from typing import Any

import icalendar
import pytest

from tests.conftest import Cli
from tests.servers import smtp_server

WEEK = "2026-W50"


@dataclass
class Inbox:
    received: list[bytes] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(envelope.content)
        return "250 OK"


@pytest.fixture
def inbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    with smtp_server(Inbox(), monkeypatch) as handler:
        yield handler


@pytest.fixture
def group(cli: Cli) -> Cli:
    cli.ok("init", "--community", "Freelance Insieme", "--locale", "it", "--timezone",
           "Europe/Rome", "--organiser-name", "Paolo Pavan", "--organiser-email",
           "paolo@example.com")  # fmt: skip
    for name, address in (("Giulia Rossi", "giulia@example.com"),
                          ("Marco Bianchi", "marco@example.com"),
                          ("Sara Conti", "sara@example.com"),
                          ("Luca Ferri", "luca@example.com")):  # fmt: skip
        cli.ok("member", "add", name, "--email", address)
    cli.ok("group", "create", "Martedì", "--day", "tue", "--time", "18:30", "--start",
           "2026-12-08", *(x for i in "1234" for x in ("--member", i)))  # fmt: skip
    return cli


def _invitations(out: Path) -> dict[str, bytes]:
    folder = out / WEEK / "martedi"
    return {p.name: p.read_bytes() for p in sorted(folder.glob("invite-*.eml"))}


def _version(raw: bytes) -> tuple[int, str, str]:
    """SEQUENCE, DTSTAMP and Message-ID of an invitation."""
    message = email.message_from_bytes(raw, policy=default)
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    (event,) = icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
    return int(event["SEQUENCE"]), event["DTSTAMP"].to_ical().decode(), str(message["Message-ID"])


def _sequence(cli: Cli) -> int:
    import json

    shown = json.loads(cli.ok("session", "show", "1", "--format", "json").stdout)
    return int(shown["sequence"])


def test_a_new_commitment_makes_every_invitation_a_new_version(group: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    group.ok("plan", "week", "--week", WEEK, "--out", str(out))
    before = _invitations(out)
    assert len(before) == 4
    group.ok("commitment", "add", "Giulia Rossi", "Chiamare tre clienti")
    group.ok("plan", "week", "--week", WEEK, "--out", str(out))
    after = _invitations(out)
    assert after.keys() == before.keys()
    for name, raw in after.items():
        seq, stamp, mid = _version(raw)
        old_seq, old_stamp, old_mid = _version(before[name])
        assert seq == old_seq + 1, name
        assert stamp != old_stamp, name
        assert mid != old_mid, name
    assert b"Chiamare tre clienti" in after[next(n for n in after if "giulia" in n)]


def test_nothing_changed_means_the_same_bytes_and_the_same_version(
    group: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    group.ok("plan", "week", "--week", WEEK, "--out", str(out))
    first = _invitations(out)
    result = group.ok("plan", "week", "--week", WEEK, "--out", str(out), "--format", "json")
    assert "unchanged" in result.stdout
    assert _invitations(out) == first
    assert _sequence(group) == 0


def test_invite_after_plan_week_is_the_same_version(group: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    group.ok("plan", "week", "--week", WEEK, "--out", str(out))
    planned = _invitations(out)
    again = tmp_path / "again"
    group.ok("invite", "1", "--out", str(again))
    invited = {p.name: p.read_bytes() for p in sorted(again.rglob("invite-*.eml"))}
    assert invited == planned
    assert _sequence(group) == 0


def test_a_renamed_member_is_news_in_invite_too(group: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    group.ok("session", "plan", "martedi", "--from", "2026-12-08", "--count", "1")
    group.ok("invite", "1", "--out", str(out))
    assert _sequence(group) == 0
    group.ok("member", "edit", "Marco Bianchi", "--name", "Marco Bianchi Neri")
    group.ok("invite", "1", "--out", str(out))
    assert _sequence(group) == 1
    group.ok("invite", "1", "--out", str(out))
    assert _sequence(group) == 1  # the same again: no new version


def test_a_move_is_one_new_version_not_two(group: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    group.ok("plan", "week", "--week", WEEK, "--out", str(out))
    group.ok("session", "move", "1", "--to", "2026-12-09 18:30")
    assert _sequence(group) == 1
    group.ok("plan", "week", "--week", WEEK, "--out", str(out))
    assert _sequence(group) == 1
    for raw in _invitations(out).values():
        assert _version(raw)[0] == 1


def test_changed_invitations_are_sent_again_and_unchanged_ones_are_not(
    group: Cli, tmp_path: Path, inbox: Inbox
) -> None:
    out = tmp_path / "out"
    group.ok("plan", "week", "--week", WEEK, "--out", str(out), "--send")
    assert len(inbox.received) == 4
    group.ok("plan", "week", "--week", WEEK, "--out", str(out), "--send")
    assert len(inbox.received) == 4  # nothing new: nothing sent
    group.ok("commitment", "add", "Sara Conti", "Aggiornare il sito")
    group.ok("plan", "week", "--week", WEEK, "--out", str(out), "--send")
    assert len(inbox.received) == 8
    first = {_version(raw)[2] for raw in inbox.received[:4]}
    update = [_version(raw) for raw in inbox.received[4:]]
    assert {seq for seq, _s, _m in update} == {1}
    assert not first & {mid for _q, _s, mid in update}
    sent = {
        email.message_from_bytes(raw, policy=default)["Message-ID"] for raw in inbox.received[4:]
    }
    on_disk = {_version(raw)[2] for raw in _invitations(out).values()}
    assert sent == on_disk  # what was sent is what the outbox holds


def test_private_notes_are_no_news_for_the_invited(group: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    group.ok("plan", "week", "--week", WEEK, "--out", str(out))
    before = _invitations(out)
    group.ok("session", "notes", "1", "--text", "Giulia seemed tired; ask how the launch went.")
    group.ok("plan", "week", "--week", WEEK, "--out", str(out))
    assert _sequence(group) == 0
    assert _invitations(out) == before


def test_invite_passes_a_lost_hot_seat_on_before_it_writes_one_new_version(
    group: Cli, tmp_path: Path
) -> None:
    """A member on the hot seat is paused: `invite` settles the roles as `plan week` would,
    so the update sent is the final one, and the next `plan week` has nothing new."""
    import json

    out = tmp_path / "out"
    group.ok("plan", "week", "--week", WEEK, "--out", str(out))
    seated = json.loads(group.ok("session", "show", "1", "--format", "json").stdout)["hot_seat"]
    assert seated
    group.ok("member", "pause", str(seated[0]))
    group.ok("invite", "1", "--out", str(out / "invite"))
    after = json.loads(group.ok("session", "show", "1", "--format", "json").stdout)
    assert seated[0] not in after["hot_seat"]
    assert after["sequence"] == 1
    group.ok("plan", "week", "--week", WEEK, "--out", str(out))
    assert _sequence(group) == 1  # nothing more to say
