"""Events, finished: `event show`, `edit`, `cancel`; withdrawn invitations; waitlist offers
with a deadline passed on by `peerkit remind`; invitations on every path that promotes.

Everything goes through the CLI, against SQLite and PostgreSQL; every --send goes to a real
SMTP server (aiosmtpd) on loopback, and what is written or sent is read back with icalendar.
"""

from __future__ import annotations

import email
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import icalendar
import pytest

from peerkit.services.outbox.message import NO_ORGANISER
from tests.conftest import Cli, Result, assert_error, invoke, without_creation_note
from tests.servers import smtp_server

START = "2026-12-10 19:00"  # a Thursday; Rome is on +01:00
BEFORE = "2026-11-27T12:00:00+01:00"  # "now": two weeks before the event

# name, e-mail, zone, language: the members of the test community, ids 1 to 5.
PEOPLE = [("Anna Bianchi", "anna@example.com", "Europe/Rome", "en"),
          ("Bruno Costa", "bruno@example.com", "America/New_York", "en"),
          ("Chiara Neri", "chiara@example.com", "Europe/Rome", "it"),
          ("Dario Fo", "dario@example.com", "Europe/London", "en"),
          ("Elena Gallo", "elena@example.com", "Europe/Rome", "en")]  # fmt: skip
ADDRESS = {n: address for n, (_name, address, _zone, _locale) in enumerate(PEOPLE, start=1)}
SLUG = {1: "anna-bianchi", 2: "bruno-costa", 3: "chiara-neri", 4: "dario-fo", 5: "elena-gallo"}


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def frozen_now(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEERKIT_NOW", BEFORE)


class Pg:
    """Runs peerkit in-process against a PostgreSQL database (as Cli does for SQLite)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __call__(self, *args: str) -> Result:
        return invoke(["--database-url", self.url, *args])

    def ok(self, *args: str) -> Result:
        result = self(*args)
        assert result.exit_code == 0, (result.stdout, result.stderr)
        return result


def fill(cli: Any, *, organiser: bool = True) -> Any:
    who = ["--organiser-name", "Paolo Pavan", "--organiser-email", "paolo@example.com"]
    cli.ok("init", "--community", "Freelance Insieme", "--timezone", "Europe/Rome",
           "--locale", "en", *(who if organiser else []))  # fmt: skip
    for number, (name, address, zone, locale) in enumerate(PEOPLE, start=1):
        added = cli.ok(
            "member", "add", name, "--email", address, "--timezone", zone, "--locale", locale
        )
        assert added.stdout.strip() == str(number)
    return cli


@pytest.fixture
def community(cli: Cli) -> Cli:
    return fill(cli)


@pytest.fixture(params=["sqlite", "postgresql"])
def anywhere(request: pytest.FixtureRequest, cli: Cli) -> Any:
    """The test community on SQLite, then on PostgreSQL."""
    if request.param == "sqlite":
        return fill(cli)
    return fill(Pg(request.getfixturevalue("pg_url")))


@dataclass
class Received:
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=default)
        assert isinstance(message, EmailMessage)
        self.received.append(Received(list(envelope.rcpt_tos), message))
        return "250 Message accepted"

    def sent(self) -> list[tuple[str, str, int]]:
        """(recipient, METHOD, SEQUENCE) of each calendar message, in order."""
        found = []
        for r in self.received:
            assert len(r.rcpt_tos) == 1
            method, vevent = calendar_of(r.message)
            found.append((r.rcpt_tos[0], method, int(vevent["SEQUENCE"])))
        return found


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Handler]:
    with smtp_server(Handler(), monkeypatch) as handler:
        yield handler


# --- helpers ----------------------------------------------------------------------------


def create(cli: Any, *extra: str, title: str = "Pricing workshop", start: str = START) -> int:
    result = cli.ok("event", "create", title, "--start", start, *extra)
    return int(result.stdout)


def show(cli: Any, event: int) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(cli.ok("event", "show", str(event), "-f", "json").stdout)
    return data


def listed(cli: Any, event: int) -> dict[str, Any]:
    rows = json.loads(cli.ok("event", "list", "--format", "json").stdout)
    found: dict[str, Any] = next(r for r in rows if r["id"] == event)
    return found


def ids(people: list[dict[str, Any]]) -> list[int]:
    return [p["member_id"] for p in people]


def answer(cli: Any, event: int, member: int, out: Path, *extra: str) -> Result:
    return cli.ok("event", "rsvp", str(event), str(member), "--out", str(out), *extra)


def eml(out: Path, event: int, member: int) -> Path:
    return out / f"event-{event}-{member}-{SLUG[member]}.eml"


def read(path: Path) -> EmailMessage:
    message = email.message_from_bytes(path.read_bytes(), policy=default)
    assert isinstance(message, EmailMessage)
    return message


def calendar_of(message: EmailMessage) -> tuple[str, Any]:
    """METHOD and the one VEVENT of an iMIP message; the part's method= agrees."""
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    cal = icalendar.Calendar.from_ical(payload)
    (vevent,) = cal.walk("VEVENT")
    assert part.get_param("method") == str(cal["METHOD"])
    return str(cal["METHOD"]), vevent


def version(path: Path) -> tuple[str, int, datetime, str | None]:
    """METHOD, SEQUENCE, DTSTAMP and STATUS of an .eml's calendar."""
    method, vevent = calendar_of(read(path))
    status = str(vevent["STATUS"]) if "STATUS" in vevent else None
    return method, int(vevent["SEQUENCE"]), vevent["DTSTAMP"].dt, status


def attendees(path: Path) -> list[Any]:
    _method, vevent = calendar_of(read(path))
    found = vevent.get("ATTENDEE")
    return found if isinstance(found, list) else [found]


def text_of(path: Path) -> str:
    body = read(path).get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- event show -------------------------------------------------------------------------


def test_show_gives_details_who_is_going_the_waitlist_in_order_and_who_declined(
    community: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    event = create(community, "--capacity", "2", "--location", "Via Roma 1",
                   "--description", "Bring your price list.\nCoffee from 18:45.")  # fmt: skip
    for member in (1, 2, 4, 3, 5):
        answer(community, event, member, out)
    answer(community, event, 5, out, "--no")  # off the waitlist
    shown = show(community, event)
    assert {k: shown[k] for k in ("id", "title", "status", "start", "capacity", "location")} == {
        "id": event,
        "title": "Pricing workshop",
        "status": "planned",
        "start": "2026-12-10T19:00:00+01:00",
        "capacity": 2,
        "location": "Via Roma 1",
    }
    assert shown["description"] == "Bring your price list.\nCoffee from 18:45."
    assert ids(shown["going"]) == [1, 2]
    assert ids(shown["waitlist"]) == [4, 3]  # in the order they answered
    assert [p["position"] for p in shown["waitlist"]] == [1, 2]
    assert ids(shown["declined"]) == [5]
    assert shown["going"][0]["email"] == "anna@example.com"
    table = community.ok("event", "show", str(event)).stdout
    for text in ("Pricing workshop", "Going", "Waitlist, in order", "Declined", "Dario Fo"):
        assert text in table
    assert table.index("Dario Fo") < table.index("Chiara Neri")  # the waitlist, in order
    csv_rows = community.ok("event", "show", str(event), "-f", "csv").stdout.splitlines()
    assert csv_rows[0].startswith("event_id,answer,position,member_id")
    assert [row.split(",")[1] for row in csv_rows[1:]] == [
        "going", "going", "waitlist", "waitlist", "declined"
    ]  # fmt: skip
    assert_error(community("event", "show", "99"), "99")


# --- event edit -------------------------------------------------------------------------


def test_an_edit_sends_everyone_with_a_seat_a_newer_version(
    community: Cli, smtp: Handler, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    event = create(community, "--capacity", "2")
    for member in (1, 2, 3):  # 3 is waitlisted
        answer(community, event, member, out, "--send")
    assert smtp.sent() == [("anna@example.com", "REQUEST", 0), ("bruno@example.com", "REQUEST", 0)]
    _m, _s, first_stamp, _st = version(eml(out, event, 1))
    first_id = read(eml(out, event, 1))["Message-ID"]

    edited = community.ok(
        "event", "edit", str(event), "--title", "Pricing clinic", "--start", "2026-12-11 18:00",
        "--location", "Via Po 2", "--description", "<b>Bring</b> your price list.",
        "--out", str(out), "--send",
    )  # fmt: skip

    assert "Updated event 1 (Pricing clinic): title, start, location, description." in (
        edited.stderr
    )
    assert "2 members with a seat get the new version." in edited.stderr
    assert sorted(edited.stdout.splitlines()) == [str(eml(out, event, m)) for m in (1, 2)]
    assert smtp.sent()[2:] == [
        ("anna@example.com", "REQUEST", 1),
        ("bruno@example.com", "REQUEST", 1),
    ]
    for member in (1, 2):
        method, sequence, stamp, status = version(eml(out, event, member))
        assert (method, sequence, status) == ("REQUEST", 1, "CONFIRMED")
        assert stamp > first_stamp
        _method, vevent = calendar_of(read(eml(out, event, member)))
        assert str(vevent["SUMMARY"]) == "Pricing clinic"
        assert str(vevent["LOCATION"]) == "Via Po 2"
        assert vevent["DTSTART"].dt.astimezone(UTC) == datetime(2026, 12, 11, 17, 0, tzinfo=UTC)
        assert "has changed, and you still have a seat" in text_of(eml(out, event, member))
        assert "<b>Bring</b> your price list." in text_of(eml(out, event, member))
        html = read(eml(out, event, member)).get_body(("html",))
        assert html is not None
        assert "&lt;b&gt;Bring&lt;/b&gt;" in html.get_content()
    assert read(eml(out, event, 1))["Message-ID"] != first_id
    assert not eml(out, event, 3).exists()  # waitlisted: never invited, not told
    assert listed(community, event)["title"] == "Pricing clinic"
    assert listed(community, event)["start"] == "2026-12-11T18:00:00+01:00"

    before = snapshot(out)
    again = community.ok("event", "edit", str(event), "--title", "Pricing clinic",
                         "--out", str(out), "--send")  # fmt: skip
    assert "No change to event 1" in again.stderr
    assert again.stdout == ""
    assert len(smtp.received) == 4
    assert snapshot(out) == before


def test_a_capacity_below_the_seats_taken_is_refused(community: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    event = create(community, "--capacity", "3")
    for member in (1, 2, 3, 4):
        answer(community, event, member, out)
    before = snapshot(out)
    refused = community("event", "edit", str(event), "--capacity", "2", "--title", "Smaller",
                        "--out", str(out))  # fmt: skip
    assert_error(refused, "--capacity 2", "3 members have a seat", "takes no seat back")
    shown = show(community, event)
    assert (shown["capacity"], shown["title"]) == (3, "Pricing workshop")  # nothing changed
    assert ids(shown["going"]) == [1, 2, 3]
    assert snapshot(out) == before
    community.ok("event", "edit", str(event), "--capacity", "3", "--out", str(out))


def test_a_higher_capacity_gives_the_new_seats_to_the_waitlist_in_order(
    community: Cli, smtp: Handler, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    event = create(community, "--capacity", "1")
    for member in (1, 4, 2, 3):
        answer(community, event, member, out, "--send")
    anna = eml(out, event, 1).read_bytes()
    edited = community.ok("event", "edit", str(event), "--capacity", "3", "--out", str(out),
                          "--send")  # fmt: skip
    assert "A new seat: #4 Dario Fo <dario@example.com> moves up from the waitlist." in (
        edited.stderr
    )
    assert "#2 Bruno Costa" in edited.stderr
    assert "get the new version" not in edited.stderr  # seats are not news to the others
    assert smtp.sent()[1:] == [
        ("dario@example.com", "REQUEST", 0),
        ("bruno@example.com", "REQUEST", 0),
    ]
    assert eml(out, event, 1).read_bytes() == anna
    assert ids(show(community, event)["going"]) == [1, 4, 2]
    community.ok("event", "edit", str(event), "--capacity", "0", "--out", str(out), "--send")
    assert show(community, event)["capacity"] is None  # no limit: everyone waiting has a seat
    assert smtp.sent()[-1] == ("chiara@example.com", "REQUEST", 0)


def test_a_new_time_zone_alone_keeps_the_local_time(community: Cli) -> None:
    event = create(community)
    community.ok("event", "edit", str(event), "--timezone", "Europe/London")
    row = listed(community, event)
    assert (row["timezone"], row["start"]) == ("Europe/London", "2026-12-10T19:00:00+00:00")


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--claim-hours", "999"], ["--claim-hours 999"]),
        (["--claim-hours", "-1"], ["--claim-hours -1"]),
        (["--duration", "5"], ["--duration 5"]),
        (["--capacity", "-2"], ["--capacity -2"]),
        (["--start", "2026-11-20 19:00"], ["has passed"]),
        (["--start", "tomorrow"], ["--start"]),
        (["--timezone", "Mars/Olympus"], ["Mars/Olympus"]),
        (["--title", ""], ["empty"]),
        (["--description", "a\x07b"], ["control"]),
    ],
)
def test_bad_edits_are_refused_and_change_nothing(
    community: Cli, args: list[str], fragments: list[str]
) -> None:
    event = create(community)
    before = show(community, event)
    assert_error(community("event", "edit", str(event), *args), *fragments)
    assert show(community, event) == before


def test_started_or_cancelled_events_cannot_be_edited(
    community: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    cancelled, started = create(community), create(community, title="Started")
    community.ok("event", "cancel", str(cancelled))
    assert_error(community("event", "edit", str(cancelled), "--title", "X"), "cancelled")
    monkeypatch.setenv("PEERKIT_NOW", "2026-12-10T19:30:00+01:00")
    assert_error(community("event", "edit", str(started), "--title", "X"), "already started")
    assert_error(community("event", "cancel", str(started)), "already started")


# --- event cancel -----------------------------------------------------------------------


def test_cancel_tells_everyone_with_a_seat_and_keeps_the_event_in_history(
    community: Cli, smtp: Handler, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    event = create(community, "--capacity", "2")
    for member in (1, 2, 3):
        answer(community, event, member, out, "--send")
    result = community.ok("event", "cancel", str(event), "--reason", "The room is flooded",
                          "--out", str(out), "--send")  # fmt: skip
    assert "Cancelled event 1 (Pricing workshop); 2 members with a seat told." in result.stderr
    assert smtp.sent()[2:] == [
        ("anna@example.com", "CANCEL", 1),
        ("bruno@example.com", "CANCEL", 1),
    ]
    for member in (1, 2):
        assert version(eml(out, event, member))[::3] == ("CANCEL", "CANCELLED")
        (attendee,) = attendees(eml(out, event, member))
        assert str(attendee).lower() == f"mailto:{ADDRESS[member]}"
        assert attendee.params["RSVP"] == "FALSE"
        assert "is cancelled" in text_of(eml(out, event, member))
        assert "Reason: The room is flooded" in text_of(eml(out, event, member))
    assert not eml(out, event, 3).exists()  # waitlisted: never invited
    row = listed(community, event)
    assert (row["status"], row["going"], row["waitlist"]) == ("cancelled", 2, 1)  # as it was
    assert show(community, event)["cancel_reason"] == "The room is flooded"
    table = community.ok("event", "list").stdout
    assert "cancelled" in table
    assert_error(community("event", "rsvp", str(event), "4", "--out", str(out)), "cancelled")

    again = community.ok("event", "cancel", str(event), "--out", str(out), "--send")
    assert "Already cancelled: event 1" in again.stderr
    assert len(smtp.received) == 4  # nothing sent twice
    feed = icalendar.Calendar.from_ical(community.ok("export", "ics", "--member", "1").stdout)
    (vevent,) = [e for e in feed.walk("VEVENT") if str(e["SUMMARY"]) == "Pricing workshop"]
    assert str(vevent["STATUS"]) == "CANCELLED"
    monkeypatch.setenv("PEERKIT_NOW", "2026-12-10T12:00:00+01:00")
    reminded = community.ok("remind", "--out", str(tmp_path / "outbox"), "--send")
    assert "0 event(s)" in reminded.stderr
    assert len(smtp.received) == 4


# --- withdrawn invitations ----------------------------------------------------------------


def test_a_member_who_says_no_gets_a_cancellation_for_them_only(
    community: Cli, smtp: Handler, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    event = create(community, "--capacity", "3")
    for member in (1, 2):
        answer(community, event, member, out, "--send")
    bruno = eml(out, event, 2).read_bytes()
    first_id = read(eml(out, event, 1))["Message-ID"]
    _method, vevent = calendar_of(read(eml(out, event, 1)))
    uid = str(vevent["UID"])

    declined = answer(community, event, 1, out, "--no", "--send")

    assert "Their invitation is withdrawn" in declined.stderr
    assert declined.stdout.splitlines() == [str(eml(out, event, 1))]
    method, sequence, _stamp, status = version(eml(out, event, 1))
    assert (method, sequence) == ("CANCEL", 1)
    assert status is None  # RFC 5546: removing one attendee says no STATUS (the event goes on)
    (attendee,) = attendees(eml(out, event, 1))
    assert str(attendee).lower() == "mailto:anna@example.com"
    assert attendee.params["RSVP"] == "FALSE"
    assert str(calendar_of(read(eml(out, event, 1)))[1]["UID"]) == uid
    assert "your seat at Pricing workshop" in text_of(eml(out, event, 1))
    assert b"bruno@example.com" not in eml(out, event, 1).read_bytes()
    assert eml(out, event, 2).read_bytes() == bruno  # only for her
    assert smtp.sent() == [("anna@example.com", "REQUEST", 0), ("bruno@example.com", "REQUEST", 0),
                           ("anna@example.com", "CANCEL", 1)]  # fmt: skip
    assert listed(community, event)["status"] == "planned"

    # She changes her mind: a new invitation, newer than the cancellation, sent again.
    back = answer(community, event, 1, out, "--send")
    assert "has a seat" in back.stderr
    assert version(eml(out, event, 1))[:2] == ("REQUEST", 2)
    assert read(eml(out, event, 1))["Message-ID"] != first_id
    answer(community, event, 1, out, "--no", "--send")
    assert version(eml(out, event, 1))[:2] == ("CANCEL", 3)
    assert smtp.sent()[3:] == [
        ("anna@example.com", "REQUEST", 2),
        ("anna@example.com", "CANCEL", 3),
    ]
    # An event edit later: her messages stay newer than any she had.
    answer(community, event, 1, out, "--send")
    community.ok("event", "edit", str(event), "--title", "Pricing clinic", "--out", str(out),
                 "--send")  # fmt: skip
    assert smtp.sent()[-3:] == [("anna@example.com", "REQUEST", 4),
                                ("bruno@example.com", "REQUEST", 1),
                                ("anna@example.com", "REQUEST", 5)]  # fmt: skip


def test_a_waitlisted_member_who_says_no_gets_no_message(community: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    event = create(community, "--capacity", "1")
    answer(community, event, 1, out)
    answer(community, event, 2, out)
    result = answer(community, event, 2, out, "--no")
    assert result.stdout == ""
    assert "withdrawn" not in result.stderr
    assert not eml(out, event, 2).exists()


# --- every path that promotes invites, and sends with --send ------------------------------


@pytest.mark.parametrize("path", ["rsvp-no", "member-remove", "member-forget", "edit-capacity"])
def test_every_path_that_promotes_writes_and_sends_the_invitation(
    community: Cli, smtp: Handler, db_path: Path, path: str
) -> None:
    outbox = db_path.parent / "outbox" / "events"  # the default folder, for every command
    event = create(community, "--capacity", "1")
    community.ok("event", "rsvp", str(event), "1")
    community.ok("event", "rsvp", str(event), "2")
    commands = {
        "rsvp-no": ("event", "rsvp", str(event), "1", "--no"),
        "member-remove": ("member", "remove", "1"),
        "member-forget": ("member", "forget", "1", "--yes"),
        "edit-capacity": ("event", "edit", str(event), "--capacity", "2"),
    }
    result = community.ok(*commands[path], "--send")
    assert "#2 Bruno Costa <bruno@example.com> moves up" in result.stderr
    assert str(eml(outbox, event, 2)) in result.stdout.splitlines()
    assert version(eml(outbox, event, 2))[:2] == ("REQUEST", 0)
    (attendee,) = attendees(eml(outbox, event, 2))
    assert str(attendee).lower() == "mailto:bruno@example.com"
    assert ("bruno@example.com", "REQUEST", 0) in smtp.sent()
    assert [to for to, _m, _s in smtp.sent()].count("bruno@example.com") == 1
    assert "Sent" in result.stderr
    assert 2 in ids(show(community, event)["going"])
    again = community.ok("event", "rsvp", str(event), "2", "--send")  # nothing new to send
    assert [to for to, _m, _s in smtp.sent()].count("bruno@example.com") == 1
    assert again.stdout == ""


def test_leaving_with_send_and_no_mail_server_is_refused_before_anything_changes(
    community: Cli,
) -> None:
    event = create(community, "--capacity", "1")
    community.ok("event", "rsvp", str(event), "1")
    community.ok("event", "rsvp", str(event), "2")
    assert_error(community("member", "remove", "1", "--send"), "PEERKIT_SMTP_URL")
    assert ids(show(community, event)["going"]) == [1]
    shown = json.loads(community.ok("member", "show", "1", "-f", "json").stdout)
    assert shown["status"] == "active"


# --- offers with a deadline ---------------------------------------------------------------


def test_a_seat_offered_from_the_waitlist_lapses_and_goes_to_the_next(
    community: Cli, smtp: Handler, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, outbox = tmp_path / "out", tmp_path / "outbox"
    event = create(community, "--capacity", "1", "--claim-hours", "24")
    for member in (1, 2, 3):
        answer(community, event, member, out, "--send")
    freed = answer(community, event, 1, out, "--no", "--send")
    assert "#2 Bruno Costa <bruno@example.com> moves up from the waitlist (offered until " in (
        freed.stderr
    )
    assert "2026-11-28 12:00" in freed.stderr
    offer = read(eml(out, event, 2))
    assert str(offer["Subject"]).startswith("A seat for you: Pricing workshop")
    # Bruno is in New York: his deadline is written in his own zone.
    assert "accept it by Saturday 28 November 2026, 06:00" in text_of(eml(out, event, 2))
    assert show(community, event)["going"][0]["offer_until"] == "2026-11-28T12:00:00+01:00"
    sent = len(smtp.received)

    monkeypatch.setenv("PEERKIT_NOW", "2026-11-28T11:00:00+01:00")  # in time: nothing lapses
    early = community.ok("remind", "--out", str(outbox), "--send")
    assert "lapsed" not in early.stderr
    assert len(smtp.received) == sent

    monkeypatch.setenv("PEERKIT_NOW", "2026-11-28T13:00:00+01:00")
    dry = community.ok("remind", "--out", str(outbox), "--send", "--dry-run")
    assert "would lapse" in dry.stderr
    assert ids(show(community, event)["going"]) == [2]  # a dry run changes nothing
    assert not outbox.exists()
    swept = community.ok("remind", "--out", str(outbox), "--send")
    assert (
        "The seat offered to #2 Bruno Costa <bruno@example.com> at Pricing workshop lapsed; "
        "offered to #3 Chiara Neri <chiara@example.com>." in swept.stderr
    )
    folder = outbox / "events"
    assert version(eml(folder, event, 2))[:2] == ("CANCEL", 1)  # his offer withdrawn
    assert version(eml(folder, event, 3))[:2] == ("REQUEST", 0)
    assert "si è liberato un posto" in text_of(eml(folder, event, 3))
    assert smtp.sent()[sent:] == [("bruno@example.com", "CANCEL", 1),
                                  ("chiara@example.com", "REQUEST", 0)]  # fmt: skip
    shown = show(community, event)
    assert ids(shown["going"]) == [3]
    assert shown["going"][0]["offer_until"] == "2026-11-29T13:00:00+01:00"
    assert {p["member_id"]: p["offer_lapsed"] for p in shown["declined"]} == {1: False, 2: True}

    # Cron runs again: nothing more changes, nothing more is sent.
    files = snapshot(outbox)
    again = community.ok("remind", "--out", str(outbox), "--send")
    assert "lapsed" not in again.stderr
    assert again.stdout == ""
    assert snapshot(outbox) == files
    assert show(community, event) == shown
    assert len(smtp.received) == sent + 2

    # Chiara accepts in time: the seat is hers, and no deadline can take it back.
    accepted = answer(community, event, 3, out, "--send")
    assert "#3 Chiara Neri <chiara@example.com> accepted the seat offered" in accepted.stderr
    assert accepted.stdout == ""
    assert show(community, event)["going"][0]["offer_until"] is None
    monkeypatch.setenv("PEERKIT_NOW", "2026-12-05T13:00:00+01:00")
    community.ok("remind", "--out", str(outbox), "--send")
    assert ids(show(community, event)["going"]) == [3]
    assert len(smtp.received) == sent + 2


def test_an_offer_is_accepted_late_until_remind_passes_it_on(
    community: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    event = create(community, "--capacity", "1", "--claim-hours", "2")
    for member in (1, 2, 3):
        answer(community, event, member, out)
    answer(community, event, 1, out, "--no")
    monkeypatch.setenv("PEERKIT_NOW", "2026-11-27T20:00:00+01:00")  # past 14:00
    assert "accepted the seat offered" in answer(community, event, 2, out).stderr
    community.ok("remind", "--out", str(tmp_path / "outbox"))
    assert ids(show(community, event)["going"]) == [2]


def test_claim_hours_set_on_create_or_edit_and_taken_away(
    community: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    event = create(community, "--capacity", "1")
    for member in (1, 2, 3):
        answer(community, event, member, out)
    community.ok("event", "edit", str(event), "--claim-hours", "12")
    assert show(community, event)["claim_hours"] == 12
    answer(community, event, 1, out, "--no")
    assert show(community, event)["going"][0]["offer_until"] == "2026-11-28T00:00:00+01:00"
    community.ok("event", "edit", str(event), "--claim-hours", "0")  # no deadline any more
    shown = show(community, event)
    assert (shown["claim_hours"], shown["going"][0]["offer_until"]) == (None, None)
    monkeypatch.setenv("PEERKIT_NOW", "2026-12-01T12:00:00+01:00")
    community.ok("remind", "--out", str(tmp_path / "outbox"))
    assert ids(show(community, event)["going"]) == [2]
    assert_error(community("event", "create", "X", "--start", START, "--claim-hours", "0"),
                 "--claim-hours 0")  # fmt: skip


def test_the_sweep_and_acceptance_are_services_others_can_call(
    community: Cli, db_path: Path, tmp_path: Path
) -> None:
    """`replies` calls these: accepting an offer, and the sweep of lapsed offers."""
    from peerkit.config import Settings
    from peerkit.db import open_database
    from peerkit.models import Member
    from peerkit.services.events import seats

    out = tmp_path / "out"
    event = create(community, "--capacity", "1", "--claim-hours", "1")
    for member in (1, 2, 3, 4):
        answer(community, event, member, out)
    answer(community, event, 1, out, "--no")  # Bruno is offered the seat until 13:00
    db = open_database(Settings(db_path=db_path))
    try:
        later = datetime(2026, 11, 27, 12, 30, tzinfo=UTC)  # 13:30 in Rome
        with db.write() as session:
            (lapsed,) = seats.expire_offers(session, later)
            assert (lapsed.member.id, lapsed.promoted) == (2, [3])
            assert seats.expire_offers(session, later) == []  # a second run: nothing more
            chiara = session.get(Member, 3)
            assert chiara is not None
            found = seats.resolve(session, str(event))
            taken = seats.accept_offer(session, found, chiara, later)
            assert (taken.status, taken.changed, taken.accepted) == ("going", True, True)
            again = seats.accept_offer(session, found, chiara, later)
            assert (again.changed, again.accepted) == (False, False)
    finally:
        db.dispose()
    assert ids(show(community, event)["going"]) == [3]


# --- without an organiser e-mail ------------------------------------------------------------


def test_answers_and_promotions_are_recorded_without_an_organiser(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    community = fill(cli, organiser=False)
    out = tmp_path / "out"
    event = create(community, "--capacity", "1", "--claim-hours", "1")
    first = answer(community, event, 1, out)
    assert first.stdout == ""
    assert "has a seat" in first.stderr
    assert "No message written: the community has no organiser e-mail" in first.stderr
    answer(community, event, 2, out)
    answer(community, event, 3, out)
    assert "#2 Bruno Costa" in answer(community, event, 1, out, "--no").stderr
    community.ok("member", "remove", "2")  # Chiara moves up
    community.ok("event", "edit", str(event), "--capacity", "2", "--title", "Clinic")
    monkeypatch.setenv("PEERKIT_NOW", "2026-11-27T16:00:00+01:00")
    assert "lapsed" in community.ok("remind", "--out", str(tmp_path / "outbox")).stderr
    community.ok("event", "cancel", str(event))
    assert not out.exists()
    assert not (tmp_path / "outbox" / "events").exists()
    shown = show(community, event)
    assert shown["status"] == "cancelled"
    assert {p["member_id"] for p in shown["declined"]} == {1, 2, 3}
    # Sending needs the organiser: refused before the answer is recorded.
    monkeypatch.setenv("PEERKIT_SMTP_URL", "smtp://127.0.0.1:1")  # never reached
    other = create(community, title="Social")
    refused = community("event", "rsvp", str(other), "4", "--send")
    assert refused.exit_code == 1
    assert without_creation_note(refused.stderr) == f"Error: {NO_ORGANISER}\n"
    assert show(community, other)["going"] == []


# --- the same on PostgreSQL -----------------------------------------------------------------


def test_the_whole_loop_on_sqlite_and_postgresql(
    anywhere: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file written along the way, in one outbox, passes `outbox check` at each step."""
    outbox = tmp_path / "outbox"
    out = outbox / "events"  # where `remind --out outbox` writes the offers too

    def checked() -> None:
        done = anywhere("outbox", "check", str(outbox), "--format", "json")
        assert done.exit_code == 0, done.stdout
        assert all(v["ok"] for v in json.loads(done.stdout))

    event = create(anywhere, "--capacity", "2", "--claim-hours", "24")
    for member in (1, 2, 3, 4):
        answer(anywhere, event, member, out)
    answer(anywhere, event, 1, out, "--no")  # withdrawn; Chiara offered the seat
    assert version(eml(out, event, 1))[:2] == ("CANCEL", 1)
    checked()
    anywhere.ok("event", "edit", str(event), "--capacity", "3", "--location", "Via Po 2",
                "--out", str(out))  # fmt: skip
    assert version(eml(out, event, 2))[:2] == ("REQUEST", 1)  # the update
    assert version(eml(out, event, 4))[:2] == ("REQUEST", 1)  # a new seat, after the edit
    checked()  # Anna's withdrawal, of the version before, still stands
    monkeypatch.setenv("PEERKIT_NOW", "2026-11-29T12:00:00+01:00")
    swept = anywhere.ok("remind", "--out", str(outbox))
    assert swept.stderr.count("lapsed") == 2  # Chiara's and Dario's offers
    assert anywhere.ok("remind", "--out", str(outbox)).stdout == ""
    assert version(eml(out, event, 3))[:2] == ("CANCEL", 2)
    checked()
    shown = show(anywhere, event)
    assert ids(shown["going"]) == [2]
    assert sorted(ids(shown["declined"])) == [1, 3, 4]
    anywhere.ok("event", "rsvp", str(event), "1", "--out", str(out))  # Anna is back
    assert version(eml(out, event, 1))[:2] == ("REQUEST", 3)
    checked()
    anywhere.ok("event", "cancel", str(event), "--reason", "Snow", "--out", str(out))
    assert version(eml(out, event, 2))[::3] == ("CANCEL", "CANCELLED")
    assert version(eml(out, event, 1))[::3] == ("CANCEL", "CANCELLED")
    assert listed(anywhere, event)["status"] == "cancelled"
    checked()


def test_a_new_claim_hours_keeps_the_deadline_of_offers_made(
    community: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    event = create(community, "--capacity", "1", "--claim-hours", "24")
    for member in (1, 2, 3):
        answer(community, event, member, out)
    answer(community, event, 1, out, "--no")  # Bruno: until 28 November, 12:00
    community.ok("event", "edit", str(event), "--claim-hours", "2")
    assert show(community, event)["going"][0]["offer_until"] == "2026-11-28T12:00:00+01:00"
    answer(community, event, 2, out, "--no")  # Chiara, offered now: two hours
    assert show(community, event)["going"][0]["offer_until"] == "2026-11-27T14:00:00+01:00"


def test_remind_on_a_read_only_database_says_offers_wait_and_still_reminds(
    community: Cli, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests import unprivileged

    out = tmp_path / "out"
    event = create(community, "--capacity", "1", "--claim-hours", "1")
    for member in (1, 2, 3):
        answer(community, event, member, out)
    answer(community, event, 1, out, "--no")  # Bruno: until 13:00
    db_path.chmod(0o400)
    try:
        monkeypatch.setenv("PEERKIT_NOW", "2026-11-27T15:00:00+01:00")
        done = unprivileged.peerkit("--db", str(db_path), "remind", "--out", str(tmp_path / "o"))
    finally:
        db_path.chmod(0o600)
    assert done.returncode == 0, done.stderr
    assert "1 seat offer(s) are past their deadline, but the database is read-only" in done.stderr
    assert "Wrote 0 reminder(s)" in done.stderr
    assert ids(show(community, event)["going"]) == [2]  # passed on by the next run that can write
    assert "lapsed" in community.ok("remind", "--out", str(tmp_path / "o")).stderr


def test_outbox_check_holds_a_withdrawal_to_its_member_and_to_rfc_5546(
    community: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "outbox" / "events"
    event = create(community, "--capacity", "2")
    for member in (1, 2):
        answer(community, event, member, out)
    answer(community, event, 1, out, "--no")
    assert community.ok("outbox", "check", str(out)).exit_code == 0
    path = eml(out, event, 1)
    data = path.read_bytes()
    assert data.count(b"SEQUENCE:1\r\n") == 1
    path.write_bytes(data.replace(b"SEQUENCE:1\r\n", b"SEQUENCE:1\r\nSTATUS:CONFIRMED\r\n"))
    planted = community("outbox", "check", str(out))
    assert planted.exit_code == 1
    assert "RFC 5546 says a cancellation for some attendees has no STATUS" in planted.stdout
    path.write_bytes(data.replace(b"SEQUENCE:1\r\n", b"SEQUENCE:0\r\n"))  # the invitation's
    older = community("outbox", "check", str(out))
    assert older.exit_code == 1  # a withdrawal no newer than what it withdraws
    assert "SEQUENCE 0 but the event is at 1" in older.stdout
