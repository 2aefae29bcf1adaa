"""Names people really have are kept as typed, everywhere; only characters that act are refused.

An emoji sequence with zero-width joiners, a Persian name with a zero-width non-joiner,
Arabic and Hebrew (right to left), accents as combining marks, a variation selector and an
emoji flag's tag characters: each goes into the record, the tables, JSON and CSV, the .ics
files, the week's e-mails and the community page exactly as typed (issue 13, item 9). What
is refused is what can act on a terminal or reorder text: C0 and C1 controls (an escape
sequence), the bidi overrides and isolates, the line and paragraph separators.
"""

from __future__ import annotations

import csv
import email
import email.policy
import io
import json
import sqlite3
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, assert_error

NAMES = {
    "emoji-zwj": "Ada \U0001f469\u200d\U0001f4bb Lovelace",  # woman technologist
    "persian-zwnj": "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # mi-khaham, with a ZWNJ
    " \u0631\u0636\u0627\u06cc\u06cc",
    "arabic": "\u0641\u0627\u0637\u0645\u0629 \u0627\u0644\u0632\u0647\u0631\u0627\u0621",
    "hebrew-and-latin": "\u05e9\u05e8\u05d4 \u05db\u05d4\u05df\u200f Cohen",  # with an RLM
    "combining-accents": "Zoe\u0308 Nguye\u0302\u0303n",  # decomposed, not NFC
    "selector-and-flag": "Love \u2764\ufe0f \U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063"
    "\U000e0074\U000e007f",
}
# What acts instead of being read: refused in every one-line field.
ACTING = {
    "rlo": "\u202e",
    "lri": "\u2066",
    "pdi": "\u2069",
    "escape": "\x1b[31m",
    "csi": "\x9b",
    "line-separator": "\u2028",
    "nul": "\x00",
}
ORGANISER = "olga@example.com"


@pytest.fixture
def community(cli: Cli) -> Cli:
    cli.ok("init", "--community", "Circles", "--timezone", "Europe/Rome",
           "--organiser-name", "Olga", "--organiser-email", ORGANISER)  # fmt: skip
    return cli


def _json(cli: Cli, *args: str) -> Any:
    return json.loads(cli.ok(*args, "--format", "json").stdout)


def _with_group(cli: Cli, name: str) -> str:
    """The member NAME (id 1) and a partner in the group "Circle NAME" at NAME; its slug."""
    cli.ok("member", "add", name, "--email", "one@example.com")
    cli.ok("member", "add", "Partner", "--email", "two@example.com")
    cli.ok("group", "create", f"Circle {name}", "--day", "tue", "--start", "2026-12-01",
           "--location", name, "--member", "1", "--member", "2")  # fmt: skip
    (group,) = _json(cli, "group", "list")
    return str(group["slug"])


def _calendar(data: bytes) -> Any:
    from icalendar import Calendar

    return Calendar.from_ical(data)


def _vevents(cal: Any) -> list[Any]:
    return [c for c in cal.walk() if c.name == "VEVENT"]


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
def test_a_name_is_kept_in_the_record_and_every_listing(community: Cli, name: str) -> None:
    community.ok("member", "add", name, "--email", "one@example.com", "--industry", name)
    (row,) = _json(community, "member", "list")
    assert (row["name"], row["industry"]) == (name, name)
    assert _json(community, "member", "show", "1")["name"] == name
    table = community.ok("member", "list").stdout
    assert name in table
    listed = community.ok("member", "list", "--format", "csv").stdout
    assert next(csv.DictReader(io.StringIO(listed)))["name"] == name
    with sqlite3.connect(community.db_path) as db:
        assert db.execute("SELECT name FROM member").fetchone() == (name,)
    # Found by the exact name, as any reference.
    assert _json(community, "member", "show", name)["id"] == 1


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
def test_a_name_goes_through_a_csv_export_and_import(
    community: Cli, name: str, tmp_path: Path
) -> None:
    sheet = tmp_path / "people.csv"
    sheet.write_text(f"name,email,bio\n{name},one@example.com,{name}\n", encoding="utf-8")
    community.ok("member", "import", str(sheet))
    exported = tmp_path / "out.csv"
    community.ok("member", "export", "--format", "csv", "--output", str(exported))
    (row,) = csv.DictReader(io.StringIO(exported.read_text(encoding="utf-8")))
    assert (row["name"], row["bio"]) == (name, name)


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
def test_a_name_is_kept_in_the_weeks_invitations(community: Cli, name: str, tmp_path: Path) -> None:
    slug = _with_group(community, name)
    out = tmp_path / "out"
    community.ok("plan", "week", "--week", "2026-W49", "--out", str(out))
    folder = out / "2026-W49" / slug
    invitations = {}
    for path in folder.glob("*.eml"):
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        (to,) = msg["To"].addresses  # as a mail program reads it (RFC 2047 words)
        invitations[to.addr_spec] = (to.display_name, msg)
    shown, msg = invitations["one@example.com"]
    assert shown == name
    assert f"Circle {name}" in str(msg["Subject"])
    text = next(p for p in msg.walk() if p.get_content_type() == "text/plain")
    assert name in text.get_content()
    calendar = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
    for data in (calendar.get_payload(decode=True), (folder / "session.ics").read_bytes()):
        (event,) = _vevents(_calendar(data))
        assert f"Circle {name}" in str(event["SUMMARY"])
        assert str(event["LOCATION"]) == name


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
def test_a_name_is_kept_in_exported_calendars(community: Cli, name: str, tmp_path: Path) -> None:
    _with_group(community, name)
    community.ok("session", "plan", "1", "--count", "2")
    community.ok("event", "create", name, "--start", "2026-12-10 19:00", "--location", name)
    everything = tmp_path / "all.ics"
    community.ok("export", "ics", "--all", "--output", str(everything))
    summaries = {str(e["SUMMARY"]) for e in _vevents(_calendar(everything.read_bytes()))}
    assert any(f"Circle {name}" in s for s in summaries)
    one = tmp_path / "event.ics"
    community.ok("event", "export", "1", "--output", str(one))
    (event,) = _vevents(_calendar(one.read_bytes()))
    assert (str(event["SUMMARY"]), str(event["LOCATION"])) == (name, name)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
def test_a_name_is_kept_on_the_community_page(community: Cli, name: str, tmp_path: Path) -> None:
    _with_group(community, name)
    community.ok("event", "create", name, "--start", "2026-12-10 19:00", "--location", name)
    page = Path(community.ok("site", "build", "--out", str(tmp_path / "site")).stdout.strip())
    parser = _Text()
    parser.feed(page.read_text(encoding="utf-8"))
    texts = [part.strip() for part in parser.parts]
    assert name in texts  # the event's title, as its own piece of text
    assert any(f"Circle {name}" in t for t in texts)


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
def test_a_commitment_and_notes_keep_the_text(community: Cli, name: str) -> None:
    _with_group(community, name)
    community.ok("session", "plan", "1")
    community.ok("commitment", "add", "1", name, "--session", "1")
    (row,) = _json(community, "commitment", "list")
    assert row["text"] == name
    community.ok("session", "notes", "1", "--text", f"{name}\n{name}")
    assert community.ok("session", "notes", "1").stdout == f"{name}\n{name}\n"


def test_brackets_in_a_name_outside_ascii_stay_in_the_name(community: Cli, tmp_path: Path) -> None:
    name = "Zo\u00eb (Tel Aviv)"
    slug = _with_group(community, name)
    out = tmp_path / "out"
    community.ok("plan", "week", "--week", "2026-W49", "--out", str(out))
    shown = set()
    for path in (out / "2026-W49" / slug).glob("*.eml"):
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        shown |= {a.display_name for a in msg["To"].addresses}
    assert name in shown


# --- what acts is refused, wherever text is typed --------------------------------------


def _counts(cli: Cli) -> tuple[int, ...]:
    tables = ("member", "peer_group", "community_event", "commitment")
    with sqlite3.connect(cli.db_path) as db:
        return tuple(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables)


@pytest.mark.parametrize("bad", ACTING.values(), ids=ACTING.keys())
def test_characters_that_act_are_refused_in_every_field(community: Cli, bad: str) -> None:
    _with_group(community, "Ann")
    community.ok("session", "plan", "1")
    before = _counts(community)
    text = f"Ann{bad}Lee"
    attempts = [
        ("member", "add", text, "--email", "three@example.com"),
        ("member", "add", "Bea", "--email", "three@example.com", "--industry", text),
        ("group", "create", text, "--day", "mon", "--member", "1"),
        ("group", "create", "Other", "--day", "mon", "--location", text),
        ("event", "create", text, "--start", "2026-12-10 19:00"),
        ("event", "create", "Party", "--start", "2026-12-10 19:00", "--location", text),
        ("commitment", "add", "1", text, "--session", "1"),
        ("member", "edit", "1", "--name", text),
    ]
    for argv in attempts:
        result = community(*argv)
        assert_error(result, "control character")
        assert bad not in result.stderr, argv
    assert _counts(community) == before
    assert _json(community, "member", "show", "1")["name"] == "Ann"


@pytest.mark.parametrize("bad", ACTING.values(), ids=ACTING.keys())
def test_characters_that_act_are_refused_in_a_csv_cell(
    community: Cli, bad: str, tmp_path: Path
) -> None:
    sheet = tmp_path / "people.csv"
    with sheet.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["name", "email"], ["Ann", "ann@example.com"],
                                 [f"Bea{bad}Lee", "bea@example.com"]])  # fmt: skip
    result = community("member", "import", str(sheet))
    assert result.exit_code == 1, result.stderr
    assert "line 3" in result.stderr
    assert _counts(community) == (0, 0, 0, 0)


def test_bytes_that_are_not_utf8_are_refused_not_a_crash(community: Cli) -> None:
    """A byte that is not UTF-8 in an argument reaches Python as a lone surrogate."""
    for argv in [
        ("member", "add", "Ann\udcffLee", "--email", "ann@example.com"),
        ("group", "create", "Circle\udcff", "--day", "mon"),
        ("event", "create", "Party\udcff", "--start", "2026-12-10 19:00"),
    ]:
        assert_error(community(*argv), "U+DCFF")
    assert _counts(community) == (0, 0, 0, 0)


def test_line_breaks_in_notes_and_bios_become_new_lines(community: Cli) -> None:
    community.ok("member", "add", "Ann", "--email", "ann@example.com",
                 "--bio", "one\u2028two\u2029three\r\nfour")  # fmt: skip
    assert _json(community, "member", "show", "1")["bio"] == "one\ntwo\nthree\nfour"
    refused = community("member", "edit", "1", "--bio", "one\u202etwo")
    assert_error(refused, "U+202E")
