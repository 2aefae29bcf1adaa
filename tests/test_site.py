"""`site build`: a static page of upcoming events and open groups, with no member's data,
checked in a real browser (headless Chromium) that loads it and takes a screenshot."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, assert_error

NOW = "2026-11-27T10:00:00+00:00"
# Read at import: the autouse fixture clears PEERKIT_* variables before each test.
REQUIRE_BROWSER = bool(os.environ.get("PEERKIT_REQUIRE_CHROMIUM"))
HOSTILE = "<script>alert(1)</script> {{ 7*7 }} [bold]x[/bold]"


@pytest.fixture
def community(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("PEERKIT_NOW", NOW)
    cli.ok("init", "--community", "Freelance Insieme", "--timezone", "Europe/Rome",
           "--locale", "it", "--organiser-name", "Paolo Pavan",
           "--organiser-email", "paolo@example.com")  # fmt: skip
    for name, email in [
        ("Giulia Rossi", "giulia@example.com"),
        ("Marco Bianchi", "marco@example.com"),
    ]:
        cli.ok("member", "add", name, "--email", email)
    cli.ok("group", "create", "Mastermind del martedì", "--day", "tue", "--time", "18:30",
           "--max-size", "6", "--member", "1", "--member", "2")  # fmt: skip
    cli.ok("group", "create", "Gruppo pieno", "--day", "wed", "--min-size", "2",
           "--max-size", "2", "--member", "1", "--member", "2")  # fmt: skip
    cli.ok("event", "create", "Aperitivo freelance", "--start", "2026-12-10 19:00", "--capacity",
           "1", "--location", "Bar Centrale, Bologna")  # fmt: skip
    cli.ok("event", "create", HOSTILE, "--start", "2026-12-12 10:00", "--kind", "workshop")
    cli.ok("event", "create", "Già passato", "--start", "2026-11-20 19:00")
    cli.ok("event", "rsvp", "1", "1", "--out", str(cli.db_path.parent / "o"))
    cli.ok("event", "rsvp", "1", "2", "--out", str(cli.db_path.parent / "o"))
    return cli


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _build(cli: Cli, tmp_path: Path) -> Path:
    result = cli.ok("site", "build", "--out", str(tmp_path / "site"))
    page = Path(result.stdout.strip())
    assert page == tmp_path / "site" / "index.html"
    return page


def test_the_page_lists_upcoming_events_and_open_groups(community: Cli, tmp_path: Path) -> None:
    page = _build(community, tmp_path)
    html = page.read_text(encoding="utf-8")
    parser = _Text()
    parser.feed(html)
    text = " ".join(" ".join(parser.parts).split())
    assert "Prossimi eventi" in text
    assert "Aperitivo freelance" in text
    assert "giovedì 10 dicembre 2026, 19:00" in text
    assert "Posti liberi: 0" in text
    assert "In lista d'attesa: 1" in text
    assert "Già passato" not in text  # past events are not upcoming
    assert "Mastermind del martedì" in text
    assert "Posti liberi: 4" in text
    assert "Gruppo pieno" not in text  # no open seat
    assert stat.S_IMODE(page.stat().st_mode) == 0o644  # a public page, meant to be published


def test_no_member_data_and_hostile_text_is_escaped(community: Cli, tmp_path: Path) -> None:
    html = _build(community, tmp_path).read_text(encoding="utf-8")
    for private in ("Giulia", "Marco", "giulia@example.com", "marco@example.com", "paolo@"):
        assert private not in html
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }} [bold]x[/bold]" in html
    assert "49" not in html


def test_building_twice_gives_the_same_page(community: Cli, tmp_path: Path) -> None:
    first = _build(community, tmp_path).read_bytes()
    assert _build(community, tmp_path).read_bytes() == first


def test_an_out_that_is_a_file_is_an_error(community: Cli, tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    assert_error(community("site", "build", "--out", str(target / "sub")))


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow
def test_a_real_browser_loads_the_page_and_takes_a_screenshot(
    community: Cli, tmp_path: Path
) -> None:
    browser = _chromium()
    if browser is None:
        if REQUIRE_BROWSER:
            pytest.fail("Chromium is required (PEERKIT_REQUIRE_CHROMIUM) but not installed")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    page = _build(community, tmp_path)
    flags = [
        browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1024,900",
    ]  # fmt: skip
    dom = subprocess.run(
        [*flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=90
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "Aperitivo freelance" in dom.stdout
    assert "Mastermind del martedì" in dom.stdout
    assert "<script>alert(1)</script>" not in dom.stdout  # escaped text, not a script element
    shot = tmp_path / "page.png"
    taken = subprocess.run(
        [*flags, f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=90
    )
    assert taken.returncode == 0, taken.stderr[-2000:]
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 10_000  # a rendered page, not an empty canvas


def test_the_demo_shows_events_with_a_waitlist_stats_and_the_page(cli: Cli, tmp_path: Path) -> None:
    import json

    folder = tmp_path / "demo"
    shown = cli("demo", "--dir", str(folder), db=False)
    assert shown.exit_code == 0, shown.stderr
    assert "stats" in shown.stderr
    db = str(folder / "peerkit.db")
    events = json.loads(cli("--db", db, "event", "list", "--format", "json", db=False).stdout)
    evening = next(e for e in events if e["capacity"])
    assert (evening["going"], evening["waitlist"]) == (evening["capacity"], 2)
    stats = json.loads(cli("--db", db, "stats", "--format", "json", db=False).stdout)
    assert {g["group"] for g in stats["groups"]} == {
        "mastermind-del-martedi",
        "founders-across-time-zones",
    }
    assert any(m["mentoring_given"] for m in stats["members"])
    assert any(g["sessions"] for g in stats["groups"])
    page = (folder / "site" / "index.html").read_text(encoding="utf-8")
    assert "Aperitivo freelance" in page
    assert "@example.com" not in page


def _page_context(cli: Cli) -> tuple[dict[str, Any], int]:
    """The page's data, and how many SQL statements reading it took."""
    from datetime import datetime

    import sqlalchemy as sa

    from peerkit.config import Settings
    from peerkit.db import open_database
    from peerkit.services.reports import site

    db = open_database(Settings(db_path=cli.db_path))
    statements: list[str] = []

    def note(*args: Any) -> None:
        statements.append(args[2])

    sa.event.listen(db.engine, "before_cursor_execute", note)
    with db.read() as session:
        data = site.context(session, datetime.fromisoformat(NOW))
    db.dispose()
    return data, len(statements)


def test_the_page_reads_the_same_few_queries_however_many_groups_and_events(
    community: Cli, tmp_path: Path
) -> None:
    """Seats and waitlists counted for all groups and events at once, not one by one."""
    _data, before = _page_context(community)
    for n in range(4):
        community.ok("member", "add", f"Extra {n}", "--email", f"extra{n}@example.com")
        community.ok("group", "create", f"Extra {n}", "--min-size", "2", "--max-size",
                     str(3 + n), "--member", "1", "--member", str(3 + n))  # fmt: skip
        community.ok("event", "create", f"Extra {n}", "--start", f"2026-12-2{n} 19:00",
                     "--capacity", str(1 + n))  # fmt: skip
        for who in (3 + n, 1):
            community.ok("event", "rsvp", str(4 + n), str(who), "--out", str(tmp_path / "o"))
    data, after = _page_context(community)
    assert after == before
    seats = {g["name"]: g["open_seats"] for g in data["groups"]}
    assert seats == {"Mastermind del martedì": 4, "Extra 0": 1, "Extra 1": 2, "Extra 2": 3,
                     "Extra 3": 4}  # fmt: skip
    events = {e["title"]: (e["seats_left"], e["waitlist"]) for e in data["events"]}
    assert events["Aperitivo freelance"] == (0, 1)
    assert [events[f"Extra {n}"] for n in range(4)] == [(0, 1), (0, 0), (1, 0), (2, 0)]


# --- the groups' attendance charts (issue 16) ---------------------------------------------------


@pytest.fixture
def with_history(community: Cli) -> Cli:
    """A Tuesday group begun on 3 November held two meetings: both came to the first, one of
    two to the second; the third's attendance was not taken (not held)."""
    community.ok("group", "create", "Circolo", "--day", "tue", "--start", "2026-11-03",
                 "--max-size", "5", "--member", "1", "--member", "2")  # fmt: skip
    community.ok("session", "plan", "circolo", "--from", "2026-11-01", "--count", "3")
    sessions = json.loads(
        community.ok("session", "list", "--group", "circolo", "--from", "2026-11-01", "-f",
                     "json").stdout
    )  # fmt: skip
    first, second, _third = sorted(s["id"] for s in sessions)
    community.ok("session", "attend", str(first), "--present", "1", "--present", "2")
    community.ok("session", "attend", str(second), "--present", "1", "--absent", "2")
    return community


def _svg(html: str) -> str:
    return html[html.index('<figure class="attendance">') : html.index("</figure>")]


def test_an_open_group_shows_its_attendance_as_a_chart(with_history: Cli, tmp_path: Path) -> None:
    html = _build(with_history, tmp_path).read_text(encoding="utf-8")
    assert html.count('<figure class="attendance">') == 1  # the one group with meetings held
    chart = _svg(html)
    assert 'role="img" aria-label="Presenza agli ultimi incontri: 75%"' in chart
    assert "<figcaption>Presenza agli ultimi incontri: 75%</figcaption>" in chart
    bars = re.findall(r'<rect x="(\d+)" y="(\d+)" width="10" height="(\d+)"><title>([^<]*)</title>',
                      chart)  # fmt: skip
    # Two bars at the right end of a chart of 12 (the latest last): 100%, then 50%.
    assert bars == [
        ("142", "2", "46", "martedì 3 novembre 2026: 100%"),
        ("156", "25", "23", "martedì 10 novembre 2026: 50%"),
    ]
    assert "<script" not in html.lower()
    for private in ("Giulia", "Marco", "@example.com"):
        assert private not in html


def test_the_chart_is_in_english_for_an_english_community(
    with_history: Cli, tmp_path: Path
) -> None:
    with_history.ok("init", "--locale", "en")
    chart = _svg(_build(with_history, tmp_path).read_text(encoding="utf-8"))
    assert "<figcaption>Attendance at its last meetings: 75%</figcaption>" in chart
    assert "Tuesday 3 November 2026: 100%" in chart


def test_the_chart_data_names_no_member(with_history: Cli) -> None:
    data, _ = _page_context(with_history)
    (group,) = [g for g in data["groups"] if g["attendance"]]
    assert group["attendance"] == {
        "slots": 12,
        "rate": 0.75,
        "percent": "75%",
        "meetings": [
            {"date": "2026-11-03", "when": "martedì 3 novembre 2026", "rate": 1.0,
             "percent": "100%"},
            {"date": "2026-11-10", "when": "martedì 10 novembre 2026", "rate": 0.5,
             "percent": "50%"},
        ],
    }  # fmt: skip


@pytest.mark.slow
def test_a_real_browser_draws_the_chart(with_history: Cli, tmp_path: Path) -> None:
    browser = _chromium()
    if browser is None:
        if REQUIRE_BROWSER:
            pytest.fail("Chromium is required (PEERKIT_REQUIRE_CHROMIUM) but not installed")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    page = _build(with_history, tmp_path)
    flags = [
        browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--window-size=800,1200",
    ]  # fmt: skip
    dom = subprocess.run(
        [*flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=90
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    chart = _svg(dom.stdout)  # parsed and serialised again by the browser: an SVG in the page
    assert chart.count("<rect") == 2
    assert "Presenza agli ultimi incontri: 75%" in chart
    shot = tmp_path / "page.png"
    taken = subprocess.run(
        [*flags, f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=90
    )
    assert taken.returncode == 0, taken.stderr[-2000:]
    assert _blue_pixels(shot.read_bytes()) > 400  # the bars are drawn: 10 x (46 + 23) pixels


def _blue_pixels(png: bytes) -> int:
    """Pixels of the bars' colour (#4a7fb5) in a PNG screenshot (8-bit RGB or RGBA, no
    interlace, as Chromium writes them), read with zlib alone."""
    import struct
    import zlib

    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    at, data, header = 8, b"", b""
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind, body = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        header = body if kind == b"IHDR" else header
        data += body if kind == b"IDAT" else b""
        at += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert (depth, header[12]) == (8, 0)
    channels = {2: 3, 6: 4}[colour]
    raw, stride = zlib.decompress(data), width * channels
    rows: list[bytearray] = []
    previous = bytearray(stride)
    for y in range(height):
        kind, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                guess = left + up - corner
                pa, pb, pc = abs(guess - left), abs(guess - up), abs(guess - corner)
                near = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + near) & 0xFF
        rows.append(line)
        previous = line
    bar = (0x4A, 0x7F, 0xB5)
    return sum(
        1
        for line in rows
        for x in range(width)
        if all(abs(line[x * channels + c] - bar[c]) <= 8 for c in range(3))
    )
