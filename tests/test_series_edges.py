"""A group's series across a night its time does not exist: every rule's UID names a
meeting, so `outbox check` (and replies) know every part of it."""

from __future__ import annotations

from pathlib import Path

import icalendar

from tests.conftest import Cli


def test_every_rule_of_a_split_series_is_known(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init", "--community", "Nottambuli", "--timezone", "Europe/Rome",
           "--organiser-name", "Paolo", "--organiser-email", "paolo@example.com")  # fmt: skip
    cli.ok("member", "add", "Anna", "--email", "anna@example.com")
    cli.ok("group", "create", "Notte", "--day", "sun", "--time", "02:30", "--start",
           "2026-03-15", "--member", "1")  # fmt: skip
    # 15, 22, 29 March (02:30 does not exist on the 29th), then 12 and 19 April: no 5 April.
    cli.ok("session", "plan", "notte", "--from", "2026-03-15", "--count", "3")
    cli.ok("session", "plan", "notte", "--from", "2026-04-12", "--count", "2")
    folder = tmp_path / "feed"
    folder.mkdir()
    path = folder / "notte.ics"
    cli.ok("export", "ics", "--group", "notte", "--series", "--output", str(path))
    data = path.read_bytes()
    events = icalendar.Calendar.from_ical(data).walk("VEVENT")
    rules = [e for e in events if "RRULE" in e]
    assert len(rules) == 2  # before the missing hour, and after it
    assert all(e["DTSTART"].dt.day in (15, 12) for e in rules)  # each starts at a meeting
    result = cli("outbox", "check", str(folder))
    assert result.exit_code == 0, result.stdout + result.stderr
