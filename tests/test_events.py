"""`peerkit event ...`: create, list, RSVP with a waitlist, invitations, export, reminders.

Everything goes through the CLI; calendar files are judged by icalendar, vobject and
recurring_ical_events, mail by a real aiosmtpd server, CalDAV by a real Radicale server.
"""

from __future__ import annotations

import email
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage, Message
from email.policy import default
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import vobject

from tests.conftest import Cli, Result, assert_error, assert_usage_error
from tests.servers import radicale_calendar, smtp_server

ROME = ZoneInfo("Europe/Rome")
START = "2026-12-10 19:00"  # a Thursday; Rome is on +01:00
START_UTC = datetime(2026, 12, 10, 18, 0, tzinfo=UTC)
BEFORE = "2026-11-27T12:00:00+01:00"  # "now" for most tests: two weeks before the event
CONTRACT_KEYS = {"id", "title", "kind", "status", "start", "end", "timezone", "location",
                 "capacity", "going", "waitlist"}  # fmt: skip

# name, e-mail, zone, language: the members of the test community, ids 1 to 5.
PEOPLE = [("Anna Bianchi", "anna@example.com", "Europe/Rome", "en"),
          ("Bruno Costa", "bruno@example.com", "America/New_York", "en"),
          ("Chiara Neri", "chiara@example.com", "Europe/Rome", "it"),
          ("Dario Fo", "dario@example.com", "Europe/London", "en"),
          ("Elena Gallo", "elena@example.com", "Europe/Rome", "en")]  # fmt: skip
ADDRESSES = {address for _name, address, _zone, _locale in PEOPLE}


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def frozen_now(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEERKIT_NOW", BEFORE)


@pytest.fixture
def community(cli: Cli) -> Cli:
    cli.ok("init", "--community", "Freelance Insieme", "--timezone", "Europe/Rome",
           "--locale", "en", "--organiser-name", "Paolo Pavan",
           "--organiser-email", "paolo@example.com")  # fmt: skip
    for number, (name, address, zone, locale) in enumerate(PEOPLE, start=1):
        added = cli.ok(
            "member", "add", name, "--email", address, "--timezone", zone, "--locale", locale
        )
        assert added.stdout.strip() == str(number)
    return cli


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=default)
        assert isinstance(message, EmailMessage)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Handler]:
    with smtp_server(Handler(), monkeypatch) as handler:
        yield handler


@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[str]:
    """A Radicale server on loopback with an empty calendar; yields the calendar URL."""
    with radicale_calendar(tmp_path / "radicale", "events") as url:
        yield url


# --- helpers ----------------------------------------------------------------------------


def create(cli: Cli, title: str = "Pricing workshop", *extra: str, start: str = START) -> int:
    result = cli.ok("event", "create", title, "--start", start, *extra)
    assert result.stdout.strip().isdigit(), result.stdout
    return int(result.stdout)


def rows(cli: Cli) -> dict[int, dict[str, Any]]:
    listed = json.loads(cli.ok("event", "list", "--format", "json").stdout)
    return {row["id"]: row for row in listed}


def seats(cli: Cli, event: int) -> tuple[int, int]:
    row = rows(cli)[event]
    return row["going"], row["waitlist"]


def rsvp(cli: Cli, event: int, member: int, out: Path, *extra: str) -> Result:
    return cli("event", "rsvp", str(event), str(member), "--out", str(out), *extra)


def answer(cli: Cli, event: int, member: int, out: Path, *extra: str) -> Result:
    result = rsvp(cli, event, member, out, *extra)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


def uid_of(cli: Cli, event: int) -> str:
    (vevent,) = icalendar.Calendar.from_ical(cli.ok("event", "export", str(event)).stdout).walk(
        "VEVENT"
    )
    return str(vevent["UID"])


def member_feed(cli: Cli, member: int) -> str:
    return cli.ok("export", "ics", "--member", str(member)).stdout


def going_uids(cli: Cli, member: int) -> set[str]:
    cal = icalendar.Calendar.from_ical(member_feed(cli, member))
    return {str(e["UID"]) for e in cal.walk("VEVENT")}


def who_is_going(cli: Cli, event: int) -> set[int]:
    uid = uid_of(cli, event)
    return {n for n in range(1, len(PEOPLE) + 1) if uid in going_uids(cli, n)}


def invitations(out: Path) -> dict[int, Path]:
    """The invitation files in a folder, by member id (event-<event>-<member>-<slug>.eml)."""
    return {int(p.name.split("-")[2]): p for p in out.glob("event-*.eml")}


def read_eml(path: Path) -> EmailMessage:
    message = email.message_from_bytes(path.read_bytes(), policy=default)
    assert isinstance(message, EmailMessage)
    return message


def calendar_part(message: Message) -> tuple[Message, bytes]:
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return part, payload


def utc_starts_agree(data: bytes) -> datetime:
    """icalendar, vobject and recurring_ical_events read the same single UTC start."""
    cal = icalendar.Calendar.from_ical(data)
    (mine,) = [e["DTSTART"].dt.astimezone(UTC) for e in cal.walk("VEVENT")]
    (theirs,) = [
        v.dtstart.value.astimezone(UTC) for v in vobject.readOne(data.decode()).vevent_list
    ]
    (occurrence,) = recurring_ical_events.of(cal).between(date(2026, 1, 1), date(2028, 1, 1))
    assert mine == theirs == occurrence["DTSTART"].dt.astimezone(UTC)
    return mine


# --- create and list ----------------------------------------------------------------------


def test_create_prints_the_id_and_list_keeps_the_contract(community: Cli) -> None:
    result = community.ok(
        "event", "create", "Pricing workshop", "--start", START, "--timezone", "Europe/Rome",
        "--capacity", "2", "--location", "Via Roma 1, Milano", "--kind", "workshop",
    )  # fmt: skip
    assert result.stdout == "1\n"
    assert "Created event 1" in result.stderr
    second = community.ok("event", "create", "Coffee", "--start", "2026-12-20 09:30")
    assert second.stdout == "2\n"
    listed = json.loads(community.ok("event", "list", "--format", "json").stdout)
    assert [set(row) for row in listed] == [CONTRACT_KEYS, CONTRACT_KEYS]
    assert listed[0] == {
        "id": 1,
        "title": "Pricing workshop",
        "kind": "workshop",
        "status": "planned",
        "start": "2026-12-10T19:00:00+01:00",
        "end": "2026-12-10T21:00:00+01:00",
        "timezone": "Europe/Rome",
        "location": "Via Roma 1, Milano",
        "capacity": 2,
        "going": 0,
        "waitlist": 0,
    }
    assert listed[1]["kind"] == "networking"
    assert listed[1]["capacity"] is None
    assert listed[1]["location"] is None
    assert listed[1]["start"] == "2026-12-20T09:30:00+01:00"
    table = community.ok("event", "list").stdout
    assert "Pricing workshop" in table
    assert "Thu 10 Dec 19:00 CET" in table  # the community's clock; this computer is on UTC


def test_start_and_end_carry_the_offset_of_the_day_across_a_dst_change(community: Cli) -> None:
    create(community, "Saturday", "--duration", "90", start="2027-03-27 19:00")
    create(community, "Sunday", "--duration", "90", start="2027-03-28 19:00")
    by_title = {r["title"]: r for r in rows(community).values()}
    assert by_title["Saturday"]["start"] == "2027-03-27T19:00:00+01:00"
    assert by_title["Saturday"]["end"] == "2027-03-27T20:30:00+01:00"
    assert by_title["Sunday"]["start"] == "2027-03-28T19:00:00+02:00"
    assert by_title["Sunday"]["end"] == "2027-03-28T20:30:00+02:00"


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2027-03-27 23:00", "2027-03-28T05:00:00+02:00"),  # the clocks go forward at 02:00
        ("2027-10-30 23:00", "2027-10-31T03:00:00+01:00"),  # the clocks go back at 03:00
    ],
)
def test_an_event_over_a_dst_change_lasts_its_duration(
    community: Cli, start: str, end: str
) -> None:
    """300 minutes are 300 real minutes, even on the night the clocks change."""
    event = create(community, "Overnight hackathon", "--duration", "300", start=start)
    row = rows(community)[event]
    begins, ends = datetime.fromisoformat(row["start"]), datetime.fromisoformat(row["end"])
    assert ends - begins == timedelta(minutes=300)
    assert ends.utcoffset() == ends.astimezone(ROME).utcoffset()
    assert row["end"] == end
    (vevent,) = icalendar.Calendar.from_ical(
        community.ok("event", "export", str(event)).stdout
    ).walk("VEVENT")
    real = vevent["DTEND"].dt.astimezone(UTC) - vevent["DTSTART"].dt.astimezone(UTC)
    assert real == timedelta(minutes=300)


def test_an_event_in_another_zone_is_shown_in_its_own_zone(community: Cli) -> None:
    create(community, "NYC meetup", "--timezone", "America/New_York")
    (row,) = rows(community).values()
    assert row["timezone"] == "America/New_York"
    assert row["start"] == "2026-12-10T19:00:00-05:00"


def test_the_default_time_zone_is_the_communitys(cli: Cli) -> None:
    cli.ok("init", "--timezone", "America/New_York")
    create(cli, "Meetup")
    (row,) = rows(cli).values()
    assert row["timezone"] == "America/New_York"
    assert row["start"] == "2026-12-10T19:00:00-05:00"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["Workshop", "--start", "2026-12-10"], "--start"),
        (["Workshop", "--start", "10/12/2026 19:00"], "--start"),
        (["Workshop", "--start", "2026-02-30 19:00"], "--start"),
        (["Workshop", "--start", "2026-12-10 25:00"], "--start"),
        (["Workshop", "--start", START, "--kind", "party"], "party"),
        (["Workshop", "--start", START, "--capacity", "0"], "--capacity"),
        (["Workshop", "--start", START, "--capacity", "-3"], "--capacity"),
        (["Workshop", "--start", START, "--duration", "5"], "--duration"),
        (["Workshop", "--start", START, "--duration", "2000"], "--duration"),
        (["Workshop", "--start", START, "--timezone", "Mars/Olympus"], "Mars/Olympus"),
        (["Pricing\nworkshop", "--start", START], "U+000A"),
        (["", "--start", START], "empty"),
        (["Workshop", "--start", START, "--location", "Via\nRoma"], "control"),
    ],
)
def test_bad_input_is_refused_and_creates_nothing(
    community: Cli, args: list[str], fragment: str
) -> None:
    assert_error(community("event", "create", *args), fragment)
    assert json.loads(community.ok("event", "list", "--format", "json").stdout) == []


@pytest.mark.parametrize(
    "args",
    [
        ["Workshop"],  # no --start
        ["Workshop", "--start", START, "--capacity", "many"],
        ["Workshop", "--start", START, "--duration", "long"],
    ],
)
def test_usage_errors_exit_2_and_create_nothing(community: Cli, args: list[str]) -> None:
    assert_usage_error(community("event", "create", *args))
    assert json.loads(community.ok("event", "list", "--format", "json").stdout) == []


# --- answers and the waitlist -------------------------------------------------------------


def test_seats_then_waitlist_in_order_of_answer(community: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    event = create(community, "Pricing workshop", "--capacity", "2")
    first = answer(community, event, 1, out)
    assert "has a seat" in first.stderr
    assert first.stdout.strip() == str(out / "event-1-1-anna-bianchi.eml")
    assert "has a seat" in answer(community, event, 2, out).stderr
    for member in (3, 4):
        result = answer(community, event, member, out)
        assert "is on the waitlist" in result.stderr
        assert result.stdout == ""  # no invitation without a seat
    assert seats(community, event) == (2, 2)
    assert set(invitations(out)) == {1, 2}
    assert who_is_going(community, event) == {1, 2}


def test_answering_twice_changes_nothing(community: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    event = create(community, "Pricing workshop", "--capacity", "2")
    for member in (1, 2, 3, 4):
        answer(community, event, member, out)
    written = {p: p.read_bytes() for p in out.iterdir()}
    for member in (1, 3, 2, 4):  # again, and in another order
        again = answer(community, event, member, out)
        assert again.stdout == ""
    assert seats(community, event) == (2, 2)
    assert {p: p.read_bytes() for p in out.iterdir()} == written
    # Member 3 answered twice but is still first on the waitlist.
    freed = answer(community, event, 1, out, "--no")
    assert "Chiara Neri" in freed.stderr
    assert "moves up" in freed.stderr
    assert "Dario Fo" not in freed.stderr
    # Declining twice is also a no-op.
    assert "moves up" not in answer(community, event, 1, out, "--no").stderr
    assert seats(community, event) == (2, 1)


def test_a_freed_seat_goes_to_the_first_on_the_waitlist(community: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    event = create(community, "Pricing workshop", "--capacity", "2")
    for member in (1, 2, 3, 4):
        answer(community, event, member, out)
    freed = answer(community, event, 1, out, "--no")
    assert "is not coming" in freed.stderr
    assert "A seat freed: #3 Chiara Neri" in freed.stderr
    assert "moves up from the waitlist" in freed.stderr
    promoted = out / "event-1-3-chiara-neri.eml"
    withdrawn = out / "event-1-1-anna-bianchi.eml"  # her invitation, now a cancellation
    assert freed.stdout.splitlines() == [str(withdrawn), str(promoted)]
    assert b"METHOD:CANCEL" in calendar_part(read_eml(withdrawn))[1]
    assert promoted.stat().st_mode & 0o777 == 0o600
    (to,) = read_eml(promoted).get_all("To")
    assert to.addresses[0].addr_spec == "chiara@example.com"
    assert seats(community, event) == (2, 1)
    assert who_is_going(community, event) == {2, 3}
    assert set(invitations(out)) == {1, 2, 3}


def test_a_waitlisted_member_declining_promotes_nobody(community: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    event = create(community, "Pricing workshop", "--capacity", "2")
    for member in (1, 2, 3, 4):
        answer(community, event, member, out)
    result = answer(community, event, 3, out, "--no")
    assert "is not coming" in result.stderr
    assert "moves up" not in result.stderr
    assert result.stdout == ""
    assert seats(community, event) == (2, 1)
    assert who_is_going(community, event) == {1, 2}
    assert set(invitations(out)) == {1, 2}
    # The next free seat goes to member 4, the only one still waiting.
    assert "#4 Dario Fo" in answer(community, event, 2, out, "--no").stderr
    assert who_is_going(community, event) == {1, 4}


def test_a_member_who_declined_and_answers_again_joins_the_end_of_the_waitlist(
    community: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    event = create(community, "Small table", "--capacity", "1")
    for member in (1, 2, 3):
        answer(community, event, member, out)
    assert "#2 Bruno Costa" in answer(community, event, 1, out, "--no").stderr
    back = answer(community, event, 1, out)
    assert "is on the waitlist" in back.stderr  # no seat is free: behind member 3
    assert seats(community, event) == (1, 2)
    assert "#3 Chiara Neri" in answer(community, event, 2, out, "--no").stderr
    assert "#1 Anna Bianchi" in answer(community, event, 3, out, "--no").stderr
    assert who_is_going(community, event) == {1}
    assert seats(community, event) == (1, 0)


def test_a_declined_member_answering_again_takes_a_free_seat(
    community: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    event = create(community, "Small table", "--capacity", "2")
    answer(community, event, 1, out)
    answer(community, event, 1, out, "--no")
    assert "has a seat" in answer(community, event, 1, out).stderr
    assert seats(community, event) == (1, 0)


def test_without_a_capacity_everyone_is_going(community: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    event = create(community, "Open social", "--kind", "social")
    for member in range(1, len(PEOPLE) + 1):
        assert "has a seat" in answer(community, event, member, out).stderr
    assert seats(community, event) == (len(PEOPLE), 0)
    assert rows(community)[event]["capacity"] is None
    assert set(invitations(out)) == set(range(1, len(PEOPLE) + 1))


def test_paused_or_departed_members_cannot_take_a_seat(community: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    event = create(community, "Pricing workshop", "--capacity", "2")
    community.ok("member", "pause", "1")
    community.ok("member", "remove", "2")
    assert_error(rsvp(community, event, 1, out), "not active")
    assert_error(rsvp(community, event, 2, out), "not active")
    assert seats(community, event) == (0, 0)
    assert not out.exists() or not list(out.iterdir())
    community.ok("member", "resume", "1")
    assert "has a seat" in answer(community, event, 1, out).stderr


def test_a_paused_member_on_the_waitlist_is_not_given_a_freed_seat(
    community: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    event = create(community, "Small table", "--capacity", "1")
    for member in (1, 2, 3):
        answer(community, event, member, out)
    community.ok("member", "pause", "2")  # first on the waitlist, then paused
    freed = answer(community, event, 1, out, "--no")
    assert "Bruno Costa" not in freed.stderr
    assert 2 not in invitations(out)
    assert who_is_going(community, event) == {3}  # the next one who can come


@pytest.mark.parametrize(
    "now", ["2026-12-10T19:00:00+01:00", "2026-12-10T18:00:00+00:00", "2026-12-11T09:00:00+01:00"]
)
def test_an_event_that_has_started_refuses_answers(
    community: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, now: str
) -> None:
    out = tmp_path / "out"
    event = create(community, "Pricing workshop", "--capacity", "2")
    answer(community, event, 1, out)
    monkeypatch.setenv("PEERKIT_NOW", now)
    assert_error(rsvp(community, event, 2, out), "already started")
    assert_error(rsvp(community, event, 1, out, "--no"), "already started")
    assert seats(community, event) == (1, 0)


def test_answers_are_open_until_the_start(
    community: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = create(community, "Pricing workshop")
    monkeypatch.setenv("PEERKIT_NOW", "2026-12-10T18:59:00+01:00")
    answer(community, event, 1, tmp_path / "out")
    assert seats(community, event) == (1, 0)


def test_unknown_events_and_members_are_errors(community: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    event = create(community)
    assert_error(rsvp(community, 99, 1, out), "99")
    assert_error(community("event", "rsvp", "nonsense", "1", "--out", str(out)), "nonsense")
    assert_error(rsvp(community, event, 42, out), "42")
    assert_error(community("event", "rsvp", str(event), "nobody@example.com", "--out", str(out)))
    assert_error(community("event", "export", "99"), "99")
    assert seats(community, event) == (0, 0)


# --- the invitation ------------------------------------------------------------------------


def test_the_invitation_is_an_imip_request_for_one_member(community: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    event = create(community, "Pricing workshop", "--capacity", "3", "--location", "Via Roma 1")
    for member in (1, 2):
        answer(community, event, member, out)
    path = invitations(out)[2]  # Bruno, in New York
    raw = path.read_bytes()
    assert path.stat().st_mode & 0o777 == 0o600
    message = read_eml(path)
    (to,) = message.get_all("To")
    assert [a.addr_spec for a in to.addresses] == ["bruno@example.com"]
    assert message["Cc"] is None
    assert message["Bcc"] is None
    for other in ADDRESSES - {"bruno@example.com"}:
        assert other.encode() not in raw
    assert message["From"].addresses[0].addr_spec == "paolo@example.com"
    assert [p.get_content_type() for p in message.iter_parts()] == [
        "text/plain",
        "text/html",
        "text/calendar",
    ]
    part, data = calendar_part(message)
    assert part.get_param("method") == "REQUEST"
    cal = icalendar.Calendar.from_ical(data)
    assert str(cal["METHOD"]) == "REQUEST"
    (vevent,) = cal.walk("VEVENT")
    attendee = vevent["ATTENDEE"]
    assert not isinstance(attendee, list)  # exactly one
    assert str(attendee).lower() == "mailto:bruno@example.com"
    assert str(vevent["ORGANIZER"]).lower() == "mailto:paolo@example.com"
    assert str(vevent["SUMMARY"]) == "Pricing workshop"
    assert str(vevent["LOCATION"]) == "Via Roma 1"
    assert str(vevent["UID"]) == uid_of(community, event)
    start = vevent["DTSTART"]
    assert start.params["TZID"] == "Europe/Rome"  # the event's zone, not the member's
    assert start.dt == datetime(2026, 12, 10, 19, 0, tzinfo=ROME)
    assert vevent["DTEND"].dt - start.dt == timedelta(minutes=120)
    assert utc_starts_agree(data) == START_UTC
    # The text is in Bruno's zone.
    text = message.get_body(("plain",)).get_content()
    assert "Thursday 10 December 2026, 13:00 (America/New_York)" in text
    assert "you have a seat" in text
    html = message.get_body(("html",)).get_content()
    assert "13:00 (America/New_York)" in html


def test_an_italian_member_reads_it_in_italian(community: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    event = create(community, "Laboratorio prezzi")
    answer(community, event, 3, out)
    message = read_eml(invitations(out)[3])
    text = message.get_body(("plain",)).get_content()
    assert "hai un posto" in text
    assert "giovedì 10 dicembre 2026, 19:00 (Europe/Rome)" in text
    assert "you have a seat" not in text
    assert "hai un posto" in message.get_body(("html",)).get_content()
    assert str(message["Subject"]).startswith("Invito: Laboratorio prezzi")


def test_send_delivers_the_invitation_once(community: Cli, smtp: Handler, tmp_path: Path) -> None:
    out = tmp_path / "out"
    event = create(community, "Pricing workshop", "--capacity", "1")
    answer(community, event, 1, out, "--send")
    assert len(smtp.received) == 1
    (got,) = smtp.received
    assert got.rcpt_tos == ["anna@example.com"]
    assert got.mail_from == "paolo@example.com"
    part, data = calendar_part(got.message)
    assert part.get_param("method") == "REQUEST"
    assert utc_starts_agree(data) == START_UTC
    answer(community, event, 1, out, "--send")  # answering again sends nothing
    answer(community, event, 2, out, "--send")  # waitlisted: nothing to send
    assert len(smtp.received) == 1
    # Her invitation is withdrawn; the freed seat's invitation goes to the promoted member,
    # once.
    answer(community, event, 1, out, "--no", "--send")
    assert [r.rcpt_tos for r in smtp.received] == [
        ["anna@example.com"],
        ["anna@example.com"],
        ["bruno@example.com"],
    ]
    assert calendar_part(smtp.received[1].message)[0].get_param("method") == "CANCEL"
    answer(community, event, 2, out, "--send")
    assert len(smtp.received) == 3


# --- export -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "utc"),
    [(START, START_UTC), ("2027-03-28 19:00", datetime(2027, 3, 28, 17, 0, tzinfo=UTC))],
)
def test_event_export_is_a_published_calendar_without_attendees(
    community: Cli, tmp_path: Path, start: str, utc: datetime
) -> None:
    event = create(
        community, "Pricing workshop", "--capacity", "2", "--location", "Via Roma 1", start=start
    )
    for member in (1, 2, 3):
        answer(community, event, member, tmp_path / "out")
    result = community.ok("event", "export", str(event))
    data = result.stdout.encode()
    assert "METHOD:PUBLISH" in result.stdout.splitlines()
    assert "ATTENDEE" not in result.stdout
    for address in ADDRESSES:
        assert address not in result.stdout
    cal = icalendar.Calendar.from_ical(data)
    assert str(cal["METHOD"]) == "PUBLISH"
    (vevent,) = cal.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Pricing workshop"
    assert vevent["DTSTART"].params["TZID"] == "Europe/Rome"
    assert vevent["DTSTART"].dt.utcoffset() == vevent["DTSTART"].dt.astimezone(ROME).utcoffset()
    assert utc_starts_agree(data) == utc


def test_event_export_to_a_file_is_private(community: Cli, tmp_path: Path) -> None:
    event = create(community)
    target = tmp_path / "exported" / "event.ics"
    target.parent.mkdir()
    result = community.ok("event", "export", str(event), "--output", str(target))
    assert result.stdout == ""
    assert target.stat().st_mode & 0o777 == 0o600
    data = target.read_bytes()
    assert str(icalendar.Calendar.from_ical(data)["METHOD"]) == "PUBLISH"
    assert utc_starts_agree(data) == START_UTC


def test_a_members_calendar_has_only_the_events_they_are_going_to(
    community: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    full = create(community, "Full workshop", "--capacity", "1")
    open_ = create(community, "Open social")
    declined = create(community, "Declined talk")
    answer(community, full, 2, out)
    answer(community, full, 1, out)  # waitlisted
    answer(community, open_, 1, out)
    answer(community, declined, 1, out)
    answer(community, declined, 1, out, "--no")
    feed = member_feed(community, 1)
    cal = icalendar.Calendar.from_ical(feed)
    assert str(cal["METHOD"]) == "PUBLISH"
    assert {str(e["SUMMARY"]) for e in cal.walk("VEVENT")} == {"Open social"}
    assert going_uids(community, 1) == {uid_of(community, open_)}
    assert "ATTENDEE" not in feed
    for address in ADDRESSES:
        assert address not in feed
    # Once the seat frees, the waitlisted member's calendar has the workshop too.
    answer(community, full, 2, out, "--no")
    assert going_uids(community, 1) == {uid_of(community, open_), uid_of(community, full)}
    assert going_uids(community, 2) == set()


# --- reminders ---------------------------------------------------------------------------


def test_remind_writes_one_reminder_per_member_going(
    community: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "outbox"
    event = create(community, "Pricing workshop", "--capacity", "2")
    later = create(community, "Later social")
    community.ok("event", "create", "Much later", "--start", "2026-12-20 19:00")
    for member in (1, 3, 4):  # 4 is waitlisted
        answer(community, event, member, tmp_path / "invites")
        answer(community, later, member, tmp_path / "invites")
    answer(community, event, 5, tmp_path / "invites")
    answer(community, event, 5, tmp_path / "invites", "--no")
    assert seats(community, event) == (2, 1)
    monkeypatch.setenv("PEERKIT_NOW", "2026-12-10T15:00:00+01:00")
    result = community.ok("remind", "--within", "24", "--out", str(out))
    folder = out / "events" / f"event-{event}"
    files = sorted(folder.glob("*.eml"))
    assert [p.name for p in files] == [
        f"event-reminder-{event}-1-anna-bianchi.eml",
        f"event-reminder-{event}-3-chiara-neri.eml",
    ]
    assert sorted(result.stdout.splitlines()) == sorted(
        [str(p) for p in files] + [str(p) for p in (out / "events" / f"event-{later}").iterdir()]
    )
    assert not (out / "events" / "event-3").exists()  # ten days away
    for path in files:
        assert path.stat().st_mode & 0o777 == 0o600
    anna, chiara = (read_eml(p) for p in files)
    assert [a.addr_spec for a in anna["To"].addresses] == ["anna@example.com"]
    assert "Pricing workshop" in str(anna["Subject"])
    assert "Thursday 10 December 2026, 19:00 (Europe/Rome)" in anna.get_content()
    assert str(chiara["Subject"]).startswith("Promemoria: Pricing workshop")
    assert "giovedì 10 dicembre 2026, 19:00" in chiara.get_content()


def test_remind_sends_each_event_reminder_once(
    community: Cli, smtp: Handler, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "outbox"
    event = create(community, "Pricing workshop", "--capacity", "2")
    for member in (1, 2, 3):
        answer(community, event, member, tmp_path / "invites")
    monkeypatch.setenv("PEERKIT_NOW", "2026-12-07T12:00:00+01:00")
    community.ok("remind", "--within", "24", "--out", str(out), "--send")
    assert smtp.received == []  # three days away: not yet
    monkeypatch.setenv("PEERKIT_NOW", "2026-12-10T13:00:00+01:00")
    community.ok("remind", "--within", "24", "--out", str(out))
    assert smtp.received == []  # written, not sent
    community.ok("remind", "--within", "24", "--out", str(out), "--send")
    assert sorted(r.rcpt_tos[0] for r in smtp.received) == ["anna@example.com", "bruno@example.com"]
    assert all(len(r.rcpt_tos) == 1 for r in smtp.received)
    assert all(r.mail_from == "paolo@example.com" for r in smtp.received)
    monkeypatch.setenv("PEERKIT_NOW", "2026-12-10T16:00:00+01:00")
    again = community.ok("remind", "--within", "24", "--out", str(out), "--send")
    assert len(smtp.received) == 2  # a cron job running twice sends nothing twice
    assert again.stdout == ""


# --- CalDAV -----------------------------------------------------------------------------


def test_the_exported_event_round_trips_through_radicale(community: Cli, radicale: str) -> None:
    import caldav

    event = create(community, "Spring social", "--kind", "social", start="2027-03-28 19:00")
    exported = community.ok("event", "export", str(event)).stdout
    (ours,) = icalendar.Calendar.from_ical(exported).walk("VEVENT")
    client = caldav.DAVClient(radicale, username="paolo", password="x")
    target = client.calendar(url=radicale)
    target.save_event(exported.replace("METHOD:PUBLISH\r\n", ""))  # no METHOD in CalDAV
    (item,) = target.events()
    (back,) = icalendar.Calendar.from_ical(item.data).walk("VEVENT")
    assert str(back["UID"]) == str(ours["UID"]) == uid_of(community, event)
    assert back["DTSTART"].dt == ours["DTSTART"].dt == datetime(2027, 3, 28, 19, 0, tzinfo=ROME)
    assert back["DTSTART"].dt.astimezone(UTC) == datetime(2027, 3, 28, 17, 0, tzinfo=UTC)
    assert vobject.readOne(item.data).vevent.dtstart.value.astimezone(UTC) == datetime(
        2027, 3, 28, 17, 0, tzinfo=UTC
    )


# --- hostile text ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "escaped"),
    [
        ("[bold]x[/bold]", "[bold]x[/bold]"),
        ("{{ 7*7 }}", "{{ 7*7 }}"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ],
)
def test_hostile_titles_are_kept_and_shown_literally(
    community: Cli, tmp_path: Path, title: str, escaped: str
) -> None:
    out = tmp_path / "out"
    event = create(community, title, "--location", "<b>upstairs</b> [red]r[/red]")
    assert rows(community)[event]["title"] == title
    assert rows(community)[event]["location"] == "<b>upstairs</b> [red]r[/red]"
    table = community.ok("event", "list").stdout
    assert title in table
    assert "[red]r[/red]" in table
    csv_text = community.ok("event", "list", "--format", "csv").stdout
    assert title in csv_text
    answer(community, event, 1, out)
    message = read_eml(invitations(out)[1])
    html = message.get_body(("html",)).get_content()
    assert escaped in html
    assert "<script>" not in html
    assert "<b>upstairs" not in html
    assert "&lt;b&gt;upstairs&lt;/b&gt;" in html
    assert "49" not in html
    text = message.get_body(("plain",)).get_content()
    assert title in text
    assert "49" not in text
    assert title in str(message["Subject"])
    (vevent,) = icalendar.Calendar.from_ical(calendar_part(message)[1]).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == title
    exported = icalendar.Calendar.from_ical(community.ok("event", "export", str(event)).stdout)
    assert str(exported.walk("VEVENT")[0]["SUMMARY"]) == title


def test_a_member_who_leaves_frees_their_seat_for_the_waitlist(
    community: Cli, tmp_path: Path
) -> None:
    event = create(community, "Pricing workshop", "--capacity", "1")
    out = tmp_path / "answers"
    answer(community, event, 1, out)
    answer(community, event, 2, out)
    assert seats(community, event) == (1, 1)
    left = community.ok("member", "remove", "1")
    assert "A seat freed" in left.stderr
    assert seats(community, event) == (1, 0)
    assert who_is_going(community, event) == {2}
    (written,) = [Path(line) for line in left.stdout.split()]
    assert written.parent.name == "events"
    assert int(written.name.split("-")[2]) == 2
    _part, data = calendar_part(read_eml(written))
    assert b"METHOD:REQUEST" in data


@pytest.mark.parametrize("leaving", [("remove",), ("forget", "--yes")])
def test_remove_and_forget_free_seats_and_move_the_waitlist_alike(
    community: Cli, tmp_path: Path, leaving: tuple[str, ...]
) -> None:
    """Erasure is a way of leaving: the seat goes to the first waiting, who is invited."""
    event = create(community, "Pricing workshop", "--capacity", "1")
    out = tmp_path / "answers"
    for member in (1, 2, 3):
        answer(community, event, member, out)
    other = create(community, "Small table", "--capacity", "1")
    answer(community, other, 3, out)
    answer(community, other, 1, out)  # on this waitlist: the place is given up, nobody moves
    assert seats(community, event) == (1, 2)

    left = community.ok("member", *leaving, "1")

    assert "A seat freed: #2 Bruno Costa <bruno@example.com> moves up at Pricing workshop." in (
        left.stderr
    )
    assert seats(community, event) == (1, 1)
    assert seats(community, other) == (1, 0)
    assert who_is_going(community, event) == {2}
    (written,) = [Path(line) for line in left.stdout.split()]
    assert written.parent.name == "events"
    assert int(written.name.split("-")[2]) == 2
    _part, data = calendar_part(read_eml(written))
    assert b"METHOD:REQUEST" in data
