"""`export ics --all` writes its calendar event by event: the bytes are those of the whole.

The reference builds every event first, with the context of every meeting, and serialises
one icalendar Calendar, as the export did before it streamed. Batches are made tiny here so
that the meetings come in many of them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from peerkit import calendar as ical
from peerkit.config import Settings
from peerkit.db import open_database
from peerkit.services.groups import roster
from peerkit.services.outbox import feeds
from tests.conftest import Cli


@pytest.fixture
def zones(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Groups in four zones, across both 2027 changes of the clocks, with hot seats."""
    monkeypatch.setenv("PEERKIT_TODAY", "2027-03-22")
    cli.ok("init", "--organiser-name", "Paolo", "--organiser-email", "paolo@example.com")
    people = [("Anna", "Europe/Rome"), ("Bob", "America/New_York"), ("Chiyo", "Asia/Tokyo"),
              ("Dana", "UTC"), ("Émile", "Europe/Rome"), ("Femi", "UTC")]  # fmt: skip
    for n, (name, zone) in enumerate(people, 1):
        cli.ok("member", "add", name, "--email", f"p{n}@example.com", "--timezone", zone)
    groups = [("Roma", "tue", "Europe/Rome", "2027-02-02", "1", "5"),
              ("New York", "wed", "America/New_York", "2027-02-03", "2", "5"),
              ("Tokyo", "thu", "Asia/Tokyo", "2027-02-04", "3", "6"),
              ("Zulu", "fri", "UTC", "2027-02-05", "4", "6")]  # fmt: skip
    for name, day, zone, start, first, second in groups:
        cli.ok("group", "create", name, "--day", day, "--time", "23:30", "--timezone", zone,
               "--start", start, "--member", first, "--member", second)  # fmt: skip
        cli.ok("session", "plan", name.lower().replace(" ", "-"), "--from", start,
               "--count", "40")  # fmt: skip
    cli.ok("session", "cancel", "3", "--reason", "holiday")
    monkeypatch.setenv("PEERKIT_TODAY", "2027-03-01")  # moved while it was still to come
    cli.ok("session", "move", "5", "--to", "2027-03-04 19:00")
    monkeypatch.setenv("PEERKIT_TODAY", "2027-03-22")
    cli.ok("plan", "week", "--week", "2027-W12", "--out", str(tmp_path / "out"))
    monkeypatch.setattr(feeds, "BATCH", 7)
    return cli


def _whole(db_path: Path) -> bytes:
    """Every event built first, then one calendar: the export as it was."""
    db = open_database(Settings(db_path=db_path))
    try:
        with db.read() as session:
            meetings = feeds.group_meetings(session, roster.list_groups(session, True))
            ctx = feeds._Context(session, meetings)
            events = [feeds._single(ctx, m) for m in meetings]
            return ical.to_bytes(ical.calendar(events, method="PUBLISH"))
    finally:
        db.dispose()


def test_export_all_is_byte_identical(zones: Cli, db_path: Path) -> None:
    whole = _whole(db_path)
    assert b"BEGIN:VTIMEZONE" in whole
    assert b"STATUS:CANCELLED" in whole
    assert b"DESCRIPTION:On the hot seat" in whole
    streamed = zones.ok("export", "ics", "--all").stdout.encode()
    assert streamed == whole.replace(b"\r\n", b"\n")  # the test runner reads stdout as text


def test_export_all_to_a_file_is_byte_identical(zones: Cli, db_path: Path, tmp_path: Path) -> None:
    target = tmp_path / "all.ics"
    result = zones.ok("export", "ics", "--all", "--output", str(target))
    assert result.stdout == ""
    assert target.read_bytes() == _whole(db_path)
    assert target.stat().st_mode & 0o777 == 0o600


def test_a_group_feed_is_unchanged(zones: Cli, db_path: Path) -> None:
    db = open_database(Settings(db_path=db_path))
    try:
        with db.read() as session:
            group = roster.resolve(session, "roma")
            meetings = feeds.group_meetings(session, [group])
            ctx = feeds._Context(session, meetings)
            events = [feeds._single(ctx, m) for m in meetings]
            whole = ical.to_bytes(ical.calendar(events, method="PUBLISH"))
    finally:
        db.dispose()
    streamed = zones.ok("export", "ics", "--group", "roma").stdout.encode()
    assert streamed == whole.replace(b"\r\n", b"\n")


def test_no_groups_is_an_empty_calendar(cli: Cli) -> None:
    cli.ok("init", "--organiser-name", "Paolo", "--organiser-email", "paolo@example.com")
    empty = ical.to_bytes(ical.calendar([], method="PUBLISH"))
    assert cli.ok("export", "ics", "--all").stdout.encode() == empty.replace(b"\r\n", b"\n")
