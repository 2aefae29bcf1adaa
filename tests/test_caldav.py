"""`publish caldav` against a real Radicale server started by the test on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import caldav
import icalendar
import pytest
import vobject

from tests.conftest import Cli, assert_error
from tests.servers import free_port, radicale_calendar


@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[str]:
    """A Radicale server on loopback with an empty calendar; yields the calendar URL."""
    with radicale_calendar(tmp_path / "radicale", "community") as url:
        yield url


def _server_events(url: str) -> dict[str, icalendar.Event]:
    client = caldav.DAVClient(url, username="paolo", password="x")
    found = {}
    for item in client.calendar(url=url).events():
        text = item.data
        assert "METHOD" not in text  # no METHOD in CalDAV resources
        vobject.readOne(text)  # vobject (Radicale's own parser) reads it
        (event,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
        found[str(event["UID"])] = event
    return found


@pytest.fixture
def community(cli: Cli) -> Cli:
    cli.ok("init", "--organiser-name", "Paolo", "--organiser-email", "paolo@example.com")
    cli.ok("member", "add", "Ann", "--email", "ann@example.com")
    cli.ok("group", "create", "Roma", "--day", "tue", "--time", "18:30", "--timezone",
           "Europe/Rome", "--start", "2027-03-09", "--member", "1")  # fmt: skip
    cli.ok("session", "plan", "roma", "--from", "2027-03-09", "--count", "4")  # across 28 March
    return cli


def test_publish_twice_then_move_and_cancel(community: Cli, radicale: str) -> None:
    result = community("publish", "caldav", radicale, "--user", "paolo")
    assert result.exit_code == 0, result.stderr
    events = _server_events(radicale)
    assert len(events) == 4
    rome = ZoneInfo("Europe/Rome")
    starts = sorted(e["DTSTART"].dt.astimezone(UTC) for e in events.values())
    expected = [datetime(2027, 3, 9, 18, 30, tzinfo=rome) + timedelta(weeks=i) for i in range(4)]
    assert starts == [e.astimezone(UTC) for e in expected]
    assert {s.utcoffset() for s in (e["DTSTART"].dt for e in events.values())} == {
        timedelta(hours=1),
        timedelta(hours=2),
    }
    assert "ann@example.com" not in "".join(e.to_ical().decode() for e in events.values())

    community.ok("publish", "caldav", radicale, "--user", "paolo")
    assert len(_server_events(radicale)) == 4  # publishing twice duplicates nothing

    community.ok("session", "move", "2", "--to", "2027-03-17 19:00")
    community.ok("session", "cancel", "3")
    community.ok("publish", "caldav", radicale, "--user", "paolo")
    after = _server_events(radicale)
    assert len(after) == 4
    uid_2 = (
        community.ok("session", "show", "2", "-f", "json").stdout.split('"uid": "')[1].split('"')[0]
    )
    uid_3 = (
        community.ok("session", "show", "3", "-f", "json").stdout.split('"uid": "')[1].split('"')[0]
    )
    assert after[uid_2]["DTSTART"].dt == datetime(2027, 3, 17, 19, 0, tzinfo=rome)
    assert int(after[uid_2]["SEQUENCE"]) == 1
    assert str(after[uid_3]["STATUS"]) == "CANCELLED"
    assert int(after[uid_3]["SEQUENCE"]) == 1


def test_an_unreachable_server_is_a_clear_error(
    community: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEERKIT_CALDAV_PASSWORD", "s3cret-pass")
    result = community(
        "publish", "caldav", f"http://127.0.0.1:{free_port()}/paolo/x/", "--user", "paolo"
    )
    assert_error(result, "cannot publish to")
    assert "s3cret-pass" not in result.stderr


def test_an_exported_series_round_trips_through_radicale(community: Cli, radicale: str) -> None:
    """The --series file, stored on a CalDAV server and read back, has the same occurrences."""
    import recurring_ical_events

    community.ok("session", "cancel", "2")
    community.ok("session", "move", "3", "--to", "2027-03-24 20:00")
    exported = community.ok("export", "ics", "--group", "roma", "--series").stdout
    ours = icalendar.Calendar.from_ical(exported)

    def occurrences(cal: icalendar.Calendar) -> list[datetime]:
        found = recurring_ical_events.of(cal).between(datetime(2027, 1, 1), datetime(2028, 1, 1))
        return sorted(e["DTSTART"].dt.astimezone(UTC) for e in found)

    client = caldav.DAVClient(radicale, username="paolo", password="x")
    target = client.calendar(url=radicale)
    # A CalDAV resource carries no METHOD: store the series as a calendar app would.
    stored = exported.replace("METHOD:PUBLISH\r\n", "")
    target.save_event(stored)
    (item,) = target.events()
    back = icalendar.Calendar.from_ical(item.data)
    assert occurrences(back) == occurrences(ours)
    assert len(occurrences(ours)) == 3
    rome = ZoneInfo("Europe/Rome")
    assert datetime(2027, 3, 24, 20, 0, tzinfo=rome).astimezone(UTC) in occurrences(back)
    by_vobject = vobject.readOne(item.data)
    assert len(list(by_vobject.vevent_list)) == 2  # the master and the moved occurrence
