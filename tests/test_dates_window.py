"""Dates at the edges: one window of accepted dates, for every date anyone types.

A date far from today (9999-12-28, 1900-01-01) used to be accepted by `group create` and
then break `session plan`, `plan week` and `site build` with an overflow (issue 13, item 3).
Every date and date-time typed (flags, CSV cells, PEERKIT_TODAY and PEERKIT_NOW) is held to
peerkit.defaults.DATES, refused in one line that says the window; and a date at either end
of the window works in every command that later touches it.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from peerkit.defaults import DATES
from tests.conftest import Cli, assert_error, assert_usage_error

OUTSIDE = ["9999-12-28", "1900-01-01", "0001-01-01", "1979-12-31", "2200-01-01"]
WINDOW = f"{DATES.first.isoformat()} to {DATES.last.isoformat()}"
# Every place a date is typed, with {d} for the date.
TYPED = {
    "group-create": ("group", "create", "Late", "--start", "{d}", "--member", "1"),
    "session-plan-from": ("session", "plan", "circle", "--from", "{d}"),
    "session-plan-until": ("session", "plan", "circle", "--until", "{d}"),
    "session-list-from": ("session", "list", "--from", "{d}"),
    "session-list-to": ("session", "list", "--to", "{d}"),
    "session-move": ("session", "move", "1", "--to", "{d} 18:30"),
    "event-create": ("event", "create", "Party", "--start", "{d} 19:00"),
    "commitment-due": ("commitment", "add", "1", "Call", "--session", "1", "--due", "{d}"),
    "member-pause": ("member", "pause", "1", "--until", "{d}"),
    "stats-since": ("stats", "--since", "{d}"),
    "group-slots": ("group", "slots", "circle", "--from", "{d}"),
}


@pytest.fixture
def community(cli: Cli) -> Cli:
    cli.ok("init", "--community", "Circles", "--timezone", "Europe/Rome",
           "--organiser-name", "Olga", "--organiser-email", "olga@example.com")  # fmt: skip
    for n in (1, 2, 3):
        cli.ok("member", "add", f"Member {n}", "--email", f"m{n}@example.com",
               "--available", "tue 09:00-21:00")  # fmt: skip
    cli.ok("group", "create", "Circle", "--day", "tue", "--start", "2026-12-01",
           "--member", "1", "--member", "2", "--member", "3")  # fmt: skip
    cli.ok("session", "plan", "circle", "--count", "2")
    return cli


def _dump(cli: Cli) -> list[str]:
    with sqlite3.connect(cli.db_path) as db:
        return list(db.iterdump())


@pytest.mark.parametrize("day", OUTSIDE)
@pytest.mark.parametrize("argv", TYPED.values(), ids=TYPED.keys())
def test_a_date_outside_the_window_is_refused_in_one_line(
    community: Cli, argv: tuple[str, ...], day: str
) -> None:
    before = _dump(community)
    result = community(*(a.replace("{d}", day) for a in argv))
    assert_error(result, WINDOW, day)
    assert result.stderr.count("\n") == 1
    assert "internal error" not in result.stderr
    assert _dump(community) == before


@pytest.mark.parametrize("week", ["9999-W52", "1900-W01", "1979-W01", "2200-W02"])
def test_a_week_outside_the_window_is_refused(community: Cli, week: str, tmp_path: Path) -> None:
    before = _dump(community)
    assert_error(community("plan", "week", "--week", week, "--out", str(tmp_path / "o")), WINDOW)
    assert _dump(community) == before
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("column", ["joined", "paused_until"])
@pytest.mark.parametrize("day", ["9999-12-28", "1900-01-01"])
def test_an_imported_date_outside_the_window_is_refused(
    community: Cli, column: str, day: str, tmp_path: Path
) -> None:
    sheet = tmp_path / "people.csv"
    sheet.write_text(f"name,email,{column}\nNew,new@example.com,{day}\n", encoding="utf-8")
    before = _dump(community)
    result = community("member", "import", str(sheet))
    assert result.exit_code == 1, result.stderr
    assert "line 2" in result.stderr
    assert WINDOW in result.stderr
    assert _dump(community) == before


CLOCKS = [
    ("PEERKIT_TODAY", "9999-12-28", ("plan", "week", "--dry-run")),
    ("PEERKIT_TODAY", "1900-01-01", ("session", "plan", "circle", "--dry-run")),
    ("PEERKIT_NOW", "9999-12-31T23:00:00+00:00", ("site", "build", "--out", "site")),
    ("PEERKIT_NOW", "1900-01-01T10:00:00+01:00", ("remind", "--dry-run")),
]


@pytest.mark.parametrize(("variable", "value", "argv"), CLOCKS)
def test_a_clock_outside_the_window_is_a_usage_error(
    community: Cli,
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
    argv: tuple[str, ...],
) -> None:
    before = _dump(community)
    monkeypatch.setenv(variable, value)
    assert_usage_error(community(*argv), variable, WINDOW)
    assert _dump(community) == before


# --- the edges themselves work everywhere ---------------------------------------------

ZONES = ["Europe/Rome", "Pacific/Kiritimati", "America/St_Johns", "Asia/Kathmandu"]


def _json(cli: Cli, *args: str) -> Any:
    return json.loads(cli.ok(*args, "--format", "json").stdout)


@pytest.mark.parametrize("today", [DATES.first, DATES.last], ids=["first", "last"])
@pytest.mark.parametrize("zone", ZONES)
def test_the_ends_of_the_window_work_in_every_command(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, today: date, zone: str
) -> None:
    from icalendar import Calendar

    monkeypatch.setenv("PEERKIT_TODAY", today.isoformat())
    cli.ok("init", "--timezone", zone, "--organiser-name", "Olga",
           "--organiser-email", "olga@example.com")  # fmt: skip
    for n in (1, 2, 3):
        cli.ok("member", "add", f"Member {n}", "--email", f"m{n}@example.com")
    for end in (DATES.first, DATES.last):  # both are Tuesdays
        cli.ok("group", "create", f"G {end.year}", "--day", "tue", "--start", end.isoformat(),
               "--timezone", zone, "--member", "1", "--member", "2", "--member", "3")  # fmt: skip
        cli.ok("session", "plan", f"g-{end.year}", "--from", end.isoformat(), "--count", "3")
        year, week, _ = end.isocalendar()
        cli.ok("plan", "week", "--week", f"{year}-W{week:02d}", "--out", str(tmp_path / "out"))
    cli.ok("plan", "week", "--out", str(tmp_path / "out"))
    cli.ok("event", "create", "Last night", "--start", f"{DATES.last} 23:00", "--duration", "480")
    cli.ok("event", "create", "First day", "--start", f"{DATES.first} 00:00")
    cli.ok("commitment", "add", "1", "Call", "--session", "1", "--due", DATES.last.isoformat())
    if today < DATES.last:
        cli.ok("member", "pause", "3", "--until", DATES.last.isoformat())
    cli.ok("site", "build", "--out", str(tmp_path / "site"))
    everything = tmp_path / "all.ics"
    cli.ok("export", "ics", "--all", "--output", str(everything))
    starts = {
        e.decoded("DTSTART").year
        for e in Calendar.from_ical(everything.read_bytes()).walk("VEVENT")
    }
    assert {DATES.first.year, DATES.last.year} <= starts
    cli.ok("event", "export", "1", "--output", str(tmp_path / "event.ics"))
    cli.ok("agenda", "1")
    cli.ok("stats", "--since", DATES.first.isoformat())
    listed = _json(
        cli, "session", "list", "--from", DATES.first.isoformat(), "--to", DATES.last.isoformat()
    )
    assert len(listed) >= 4  # three from the first day, one on the last
    cli.ok("group", "slots", "g-1980", "--from", DATES.last.isoformat())
    cli.ok("remind", "--within", "48")
