"""`peerkit outbox check`, and the same check before every `--send`.

The files are real: written by `plan week`, `invite`, `remind`, `event rsvp` and `export ics` in a
community made through the CLI. A clean outbox passes; then each problem is planted by editing one
file (or is made by a real change of the meeting), and the check must say what it is, in words,
on that file's line and no other.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import Cli, Result, assert_error, isolate
from tests.servers import smtp_server
from tests.test_invite_smtp import Handler

WEEK = "2026-W50"
GIULIA = "invite-1-giulia-rossi.eml"
EMMA = "invite-2-emma-clarke.eml"
ZOE = "invite-3-zoe-bucher.eml"


def setup_community(cli: Cli) -> None:
    """Three members (one with an address outside ASCII) in a group meeting on Tuesdays."""
    cli.ok("init", "--community", "Freelance Insieme", "--locale", "it", "--timezone",
           "Europe/Rome", "--organiser-name", "Paolo Pavan", "--organiser-email",
           "paolo@example.com")  # fmt: skip
    people = [("Giulia Rossi", "giulia@example.com", "Europe/Rome", "it"),
              ("Emma Clarke", "emma@example.com", "Europe/London", "en"),
              ("Zoë Bücher", "zoe@bücher.example", "Europe/Berlin", "en")]  # fmt: skip
    for name, address, zone, locale in people:
        cli.ok("member", "add", name, "--email", address, "--timezone", zone, "--locale", locale)
    cli.ok("group", "create", "Roma", "--day", "tue", "--time", "18:30", "--timezone",
           "Europe/Rome", "--member", "1", "--member", "2", "--member", "3")  # fmt: skip


@dataclass
class Community:
    cli: Cli
    out: Path  # everything peerkit wrote, under one folder


@pytest.fixture(scope="module")
def community(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Community]:
    """Every kind of file peerkit writes, from one community."""
    root = tmp_path_factory.mktemp("outbox-check")
    out = root / "out"
    with pytest.MonkeyPatch.context() as patch:
        isolate(patch, root / "home")
        cli = Cli(root / "community" / "peerkit.db")
        setup_community(cli)
        cli.ok("plan", "week", "--week", WEEK, "--out", str(out))
        cli.ok("event", "create", "Aperitivo", "--start", "2026-12-12 19:00", "--timezone",
               "Europe/Rome", "--capacity", "5")  # fmt: skip
        for member in ("1", "3"):
            cli.ok("event", "rsvp", "1", member, "--out", str(out / "events"))
        cli.ok("member", "edit", "3", "--mentor-capacity", "1", "--skills", "design")
        cli.ok("member", "edit", "1", "--needs", "design")
        cli.ok("mentor", "pair", "3", "1", "--topic", "design")
        cli.ok("mentor", "checkin", "1", "--start", "2026-12-10 10:00",
               "--out", str(out / "mentoring"))  # fmt: skip
        patch.setenv("PEERKIT_NOW", "2026-12-07T20:00:00+01:00")
        cli.ok("remind", "--within", "48", "--out", str(out / "reminders"))
        patch.setenv("PEERKIT_NOW", "2026-12-11T20:00:00+01:00")
        cli.ok("remind", "--within", "48", "--out", str(out / "reminders"))
        patch.delenv("PEERKIT_NOW")
        cli.ok("export", "ics", "--group", "roma", "--series", "--output", str(out / "series.ics"))
        cli.ok("export", "ics", "--member", "1", "--output", str(out / "giulia.ics"))
        cli.ok("event", "export", "1", "--output", str(out / "aperitivo.ics"))
        yield Community(cli, out)


@pytest.fixture
def outbox(community: Community, tmp_path: Path) -> Path:
    """A copy of the community's files, to plant problems in."""
    copy = tmp_path / "outbox"
    shutil.copytree(community.out, copy)
    return copy


def check(cli: Cli, *args: str) -> Result:
    return cli("outbox", "check", *args)


def lines_of(result: Result) -> list[str]:
    """The problem lines (stdout), from a run that found problems: exit 1, no traceback."""
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout.splitlines()


def only_about(result: Result, path: Path, *fragments: str) -> None:
    """Problems are found in PATH alone, and they say each of FRAGMENTS."""
    lines = lines_of(result)
    assert lines, result.stderr
    assert all(line.startswith(f"{path}: ") for line in lines), lines
    for fragment in fragments:
        assert any(fragment in line for line in lines), (fragment, lines)
    assert result.stderr.endswith("with problems.\n")
    assert ", 1 with problems." in result.stderr


def edit(path: Path, old: bytes, new: bytes) -> None:
    data = path.read_bytes()
    assert data.count(old) == 1, (old, path)
    path.write_bytes(data.replace(old, new))


def meeting_folder(outbox: Path) -> Path:
    return outbox / WEEK / "roma"


# --- a clean outbox ---------------------------------------------------------------------------


def test_everything_peerkit_wrote_passes(community: Community) -> None:
    result = check(community.cli, str(community.out))
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert result.stdout == ""
    names = sorted(p.name for p in community.out.rglob("*") if p.suffix in (".eml", ".ics"))
    assert len(names) == 17, names
    assert result.stderr == f"{len(names)} messages checked: {len(names)} fine, 0 with problems.\n"


def test_json_says_what_each_file_is_about(community: Community) -> None:
    result = check(community.cli, str(community.out), "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = {
        Path(r["path"]).relative_to(community.out).as_posix(): r for r in json.loads(result.stdout)
    }
    assert all(
        set(r) == {"path", "kind", "about", "recipient", "ok", "problems"} for r in rows.values()
    )
    assert all(r["ok"] and r["problems"] == [] for r in rows.values())
    giulia = rows[f"{WEEK}/roma/{GIULIA}"]
    assert (giulia["kind"], giulia["about"], giulia["recipient"]) == (
        "invitation", "meeting 1", "giulia@example.com",
    )  # fmt: skip
    assert rows[f"{WEEK}/roma/{ZOE}"]["recipient"] == "zoe@xn--bcher-kva.example"
    assert rows[f"{WEEK}/roma/session.ics"]["kind"] == rows["series.ics"]["kind"] == "feed"
    assert rows["series.ics"]["about"] == "group roma"
    assert rows["aperitivo.ics"]["about"] == "event 1"
    assert rows["events/event-1-3-zoe-bucher.eml"]["kind"] == "invitation"
    checkin = rows["mentoring/checkin-1-3-zoe-bucher.eml"]
    assert (checkin["kind"], checkin["about"]) == ("invitation", "check-in 1")
    assert rows["mentoring/checkin-1.ics"]["kind"] == "calendar"  # the organiser's copy
    reminders = [r for r in rows.values() if r["kind"] == "reminder"]
    assert sorted(r["about"] for r in reminders) == ["event 1"] * 2 + ["meeting 1"] * 3


def test_the_default_folder_is_the_outbox_beside_the_database(cli: Cli) -> None:
    setup_community(cli)
    assert_error(check(cli), "no outbox at", str(cli.db_path.parent / "outbox"))
    cli.ok("plan", "week", "--week", WEEK)
    result = check(cli)
    assert result.exit_code == 0, result.stdout
    assert result.stderr == "4 messages checked: 4 fine, 0 with problems.\n"


def test_a_missing_folder_is_one_error_line(community: Community, tmp_path: Path) -> None:
    result = check(community.cli, str(tmp_path / "nowhere"))
    assert_error(result, "no outbox at", "nowhere")
    assert len(result.stderr.splitlines()) == 1


def test_one_file_can_be_checked_alone(community: Community) -> None:
    result = check(community.cli, str(meeting_folder(community.out) / GIULIA))
    assert result.exit_code == 0, result.stdout
    assert result.stderr == "1 message checked: 1 fine, 0 with problems.\n"
    agenda = meeting_folder(community.out) / "agenda.md"
    assert_error(check(community.cli, str(agenda)), "agenda.md is not an .eml or .ics file")
    assert check(community.cli, "").exit_code == 2


def test_times_written_in_utc_or_with_a_duration_are_the_same_meeting(
    community: Community, outbox: Path
) -> None:
    """calendar.py may write a start in UTC and an end as DURATION: the instants are compared."""
    path = meeting_folder(outbox) / GIULIA
    edit(path, b"DTSTART;TZID=Europe/Rome:20261208T183000", b"DTSTART:20261208T173000Z")
    edit(path, b"DTEND;TZID=Europe/Rome:20261208T200000", b"DURATION:PT1H30M")
    result = check(community.cli, str(path))
    assert result.exit_code == 0, result.stdout
    edit(path, b"DURATION:PT1H30M", b"DURATION:PT1H")
    only_about(
        check(community.cli, str(path)), path,
        "ends at 2026-12-08 18:30 UTC but meeting 1 ends at 2026-12-08 19:00 UTC",
    )  # fmt: skip


# --- planted problems -------------------------------------------------------------------------


def test_a_sequence_no_version_ever_had(community: Community, outbox: Path) -> None:
    path = meeting_folder(outbox) / GIULIA
    edit(path, b"SEQUENCE:0", b"SEQUENCE:3")
    only_about(
        check(community.cli, str(outbox)), path,
        "SEQUENCE 3 but the meeting is only at 0: no version of it was ever that",
    )  # fmt: skip


def test_an_extra_attendee(community: Community, outbox: Path) -> None:
    path = meeting_folder(outbox) / GIULIA
    edit(path, b"ORGANIZER", b"ATTENDEE;CN=Emma;RSVP=TRUE:mailto:emma@example.com\r\nORGANIZER")
    only_about(
        check(community.cli, str(outbox)), path,
        "ATTENDEE mailto:emma@example.com is not the recipient",
        "names emma@example.com (member 2)",
    )  # fmt: skip


def test_a_second_to(community: Community, outbox: Path) -> None:
    path = meeting_folder(outbox) / EMMA
    edit(path, b"Subject:", b"To: Zoe <zoe@xn--bcher-kva.example>\r\nSubject:")
    only_about(
        check(community.cli, str(outbox)), path,
        "has 2 To headers", "To names 2 addresses", "names zoe@bücher.example (member 3)",
    )  # fmt: skip


def test_a_cc(community: Community, outbox: Path) -> None:
    path = meeting_folder(outbox) / EMMA
    edit(path, b"Subject:", b"Cc: someone@example.org\r\nSubject:")
    only_about(check(community.cli, str(outbox)), path, "has a Cc header")


def test_another_members_address_in_the_text_in_any_form(
    community: Community, outbox: Path
) -> None:
    """Case and the domain's form (Unicode or IDNA) do not hide an address."""
    path = meeting_folder(outbox) / GIULIA
    edit(path, b"A presto,\r\n", "A presto, scrivi a ZOE@BÜCHER.example\r\n".encode())
    only_about(check(community.cli, str(outbox)), path, "names zoe@bücher.example (member 3)")


def test_an_address_with_an_apostrophe_is_read_whole(cli: Cli, tmp_path: Path) -> None:
    """The local part of an address may hold ' = / (RFC 5322 atext): o'brien@example.com is
    not brien@example.com. Her own invitation names no one else; where it leaks, it is found."""
    cli.ok("init", "--community", "Freelance Insieme", "--locale", "it", "--timezone",
           "Europe/Rome", "--organiser-name", "Paolo Pavan", "--organiser-email",
           "paolo@example.com")  # fmt: skip
    for name, address in (("Giulia Rossi", "giulia@example.com"),
                          ("Aoife O'Brien", "o'brien@example.com"),
                          ("Tom Brien", "brien@example.com")):  # fmt: skip
        cli.ok("member", "add", name, "--email", address)
    cli.ok("group", "create", "Roma", "--day", "tue", "--time", "18:30", "--member", "1",
           "--member", "2", "--member", "3")  # fmt: skip
    out = tmp_path / "out"
    cli.ok("plan", "week", "--week", WEEK, "--out", str(out))
    (hers,) = meeting_folder(out).glob("invite-2-*.eml")
    assert b"o'brien@example.com" in hers.read_bytes()
    clean = check(cli, str(out))
    assert clean.exit_code == 0, clean.stdout  # not "names brien@example.com (member 3)"
    path = meeting_folder(out) / GIULIA
    leak = b"A presto, scrivi a o'brien@example.com o a x=brien@example.com\r\n"
    edit(path, b"A presto,\r\n", leak)
    only_about(
        check(cli, str(out)), path,
        "names o'brien@example.com (member 2)", "names brien@example.com (member 3)",
    )  # fmt: skip


def test_lf_line_ends_in_a_calendar_file(community: Community, outbox: Path) -> None:
    path = meeting_folder(outbox) / "session.ics"
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n"))
    only_about(check(community.cli, str(outbox)), path, "ending in LF alone, not CRLF")


def test_lf_line_ends_in_a_calendar_part(community: Community, outbox: Path) -> None:
    path = meeting_folder(outbox) / GIULIA
    edit(path, b"SEQUENCE:0\r\n", b"SEQUENCE:0\n")
    only_about(
        check(community.cli, str(outbox)), path,
        "the calendar part has 1 line(s) ending in LF alone, not CRLF",
    )  # fmt: skip


def test_a_changed_body_under_the_same_message_id(community: Community, outbox: Path) -> None:
    first = meeting_folder(outbox) / GIULIA
    second = outbox / "by-hand" / GIULIA
    second.parent.mkdir()
    second.write_bytes(first.read_bytes().replace(b"Ciao Giulia", b"Cara Giulia"))
    lines = sorted(
        lines_of(check(community.cli, str(outbox))), key=lambda line: str(second) in line
    )
    assert len(lines) == 2, lines
    assert lines[1].startswith(f"{second}: Message-ID <")
    assert lines[1].endswith(f"is also that of {first}, whose content differs: a client that has "
                             "one drops the other")  # fmt: skip
    assert lines[0].startswith(f"{first}: Message-ID <")
    # The same bytes twice (plan week and invite both wrote it) is one message, not a problem.
    second.write_bytes(first.read_bytes())
    assert check(community.cli, str(outbox)).exit_code == 0


def test_a_uid_that_names_nothing(community: Community, outbox: Path) -> None:
    path = meeting_folder(outbox) / EMMA
    data = path.read_bytes()
    uid = data.split(b"\nUID:")[1].split(b"\r\n")[0]
    path.write_bytes(data.replace(uid, b"not-a-meeting@peerkit"))
    only_about(
        check(community.cli, str(outbox)), path,
        "UID not-a-meeting@peerkit names no meeting, check-in or event in the database",
    )  # fmt: skip


def test_a_start_an_hour_off(community: Community, outbox: Path) -> None:
    path = meeting_folder(outbox) / GIULIA
    edit(
        path,
        b"DTSTART;TZID=Europe/Rome:20261208T183000",
        b"DTSTART;TZID=Europe/Rome:20261208T193000",
    )
    only_about(
        check(community.cli, str(outbox)), path,
        "starts at 2026-12-08 18:30 UTC but meeting 1 starts at 2026-12-08 17:30 UTC "
        "(2026-12-08 18:30 Europe/Rome)",
    )  # fmt: skip
    assert "ends at" not in check(community.cli, str(outbox)).stdout  # the end is right


def test_methods_that_disagree(community: Community, outbox: Path) -> None:
    path = meeting_folder(outbox) / EMMA
    edit(path, b'method="REQUEST"', b'method="CANCEL"')
    only_about(
        check(community.cli, str(outbox)), path,
        "the e-mail says method=CANCEL but the calendar says METHOD:REQUEST",
    )  # fmt: skip


def test_an_attendee_in_a_feed(community: Community, outbox: Path) -> None:
    path = outbox / "series.ics"
    edit(path, b"ORGANIZER", b"ATTENDEE:mailto:giulia@example.com\r\nORGANIZER")
    only_about(check(community.cli, str(outbox)), path, "1 ATTENDEE line(s) in a feed")


def test_a_series_missing_a_meeting(community: Community, outbox: Path) -> None:
    path = outbox / "series.ics"
    edit(
        path,
        b"RRULE:FREQ=WEEKLY;",
        b"EXDATE;TZID=Europe/Rome:20261208T183000\r\nRRULE:FREQ=WEEKLY;",
    )
    only_about(
        check(community.cli, str(outbox)), path,
        "no occurrence for the meeting of group roma at 2026-12-08 17:30 UTC",
    )  # fmt: skip


def test_a_zone_without_its_vtimezone(community: Community, outbox: Path) -> None:
    path = meeting_folder(outbox) / "session.ics"
    data = path.read_bytes()
    start, end = data.index(b"BEGIN:VTIMEZONE"), data.index(b"END:VTIMEZONE\r\n") + 15
    path.write_bytes(data[:start] + data[end:])
    only_about(check(community.cli, str(outbox)), path, "TZID=Europe/Rome has no VTIMEZONE")


def test_a_cancellation_asks_for_no_answer(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup_community(cli)
    cli.ok("plan", "week", "--week", WEEK, "--out", str(tmp_path / "plan"))
    monkeypatch.setenv("PEERKIT_NOW", "2026-12-07T20:00:00+01:00")
    cli.ok("remind", "--within", "48", "--out", str(tmp_path / "plan"))
    monkeypatch.delenv("PEERKIT_NOW")
    cli.ok("session", "cancel", "1", "--reason", "sciopero")
    out = tmp_path / "cancel"
    cli.ok("invite", "1", "--method", "cancel", "--out", str(out))
    path = out / "cancel-1-giulia-rossi.eml"
    # Its calendar's lines unfolded (still one calendar), then with and without an RSVP=TRUE.
    head, _, rest = path.read_bytes().partition(b"BEGIN:VCALENDAR")
    calendar, _, tail = rest.partition(b"END:VCALENDAR")
    data = head + b"BEGIN:VCALENDAR" + calendar.replace(b"\r\n ", b"") + b"END:VCALENDAR" + tail
    data = data.replace(b";RSVP=TRUE", b"")
    path.write_bytes(data)
    result = check(cli, str(path))
    assert result.exit_code == 0, result.stdout
    edit(path, b":mailto:giulia@example.com", b";RSVP=TRUE:mailto:giulia@example.com")
    only_about(check(cli, str(path)), path, "an ATTENDEE with RSVP=TRUE in a cancellation")
    path.write_bytes(data.replace(b"STATUS:CANCELLED", b"STATUS:CONFIRMED"))
    only_about(
        check(cli, str(path)), path,
        "METHOD:CANCEL but STATUS:CONFIRMED: a cancellation has STATUS:CANCELLED",
        "meeting 1 is cancelled but the file does not say so",
    )  # fmt: skip
    # The invitations written before the cancellation are out of date now.
    lines = lines_of(check(cli, str(tmp_path / "plan")))
    assert any(line.endswith("SEQUENCE 0 but the meeting is at 1: written before the meeting "
                             "changed") for line in lines)  # fmt: skip
    assert any(line.endswith("meeting 1 is cancelled but the file does not say so (STATUS)")
               for line in lines)  # fmt: skip
    reminder = meeting_folder(tmp_path / "plan") / "reminder-1-giulia-rossi.eml"
    assert f"{reminder}: reminds of meeting 1, which is cancelled" in lines


def test_a_series_split_at_the_night_the_clocks_go_back(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """02:30 happens twice in Rome on 25 October 2026: the series stops before that night, the
    meeting is an event of its own (in UTC) and a new rule takes over (feeds.series)."""
    monkeypatch.setenv("PEERKIT_TODAY", "2026-10-01")
    cli.ok("init", "--timezone", "Europe/Rome", "--organiser-name", "Paolo",
           "--organiser-email", "paolo@example.com")  # fmt: skip
    for n in (1, 2, 3):
        cli.ok("member", "add", f"Member {n}", "--email", f"m{n}@example.com")
    cli.ok("group", "create", "Night", "--day", "sun", "--time", "02:30", "--start", "2026-10-04",
           "--member", "1", "--member", "2", "--member", "3")  # fmt: skip
    cli.ok("session", "plan", "night", "--from", "2026-10-04", "--count", "8")
    out = tmp_path / "out"
    cli.ok("plan", "week", "--week", "2026-W43", "--out", str(out))
    cli.ok("export", "ics", "--group", "night", "--series", "--output", str(out / "series.ics"))
    cli.ok("export", "ics", "--member", "1", "--output", str(out / "member.ics"))
    night = out / "2026-W43" / "night" / "invite-1-member-1.eml"
    assert b"DTSTART:20261025T003000Z" in night.read_bytes()
    result = check(cli, str(out))
    assert result.exit_code == 0, result.stdout
    series = out / "series.ics"
    assert series.read_bytes().count(b"RRULE:") == 2
    # A first rule that ran on over that night would not give its meeting's instant.
    edit(series, b"UNTIL=20261018T003000Z", b"UNTIL=20261101T013000Z")
    only_about(
        check(cli, str(out)), series,
        "group night: no occurrence for the meeting of group night at 2026-10-25 00:30 UTC",
    )  # fmt: skip


def test_a_reminder_to_someone_else(community: Community, outbox: Path) -> None:
    path = next((outbox / "reminders").rglob("reminder-1-giulia-rossi.eml"))
    edit(path, b"To: Giulia Rossi <giulia@example.com>", b"To: Giulia Rossi <giulia@example.org>")
    only_about(
        check(community.cli, str(outbox)), path, "To giulia@example.org is no member's address"
    )


# --- files that are not what they seem -------------------------------------------------------


def test_malformed_files_are_problems_not_tracebacks(community: Community, outbox: Path) -> None:
    junk = outbox / "junk.eml"
    junk.write_bytes(b"\x00\xff\xfe not a message\n\n\x1b[31m")
    broken = outbox / "broken.ics"
    broken.write_bytes(b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:nonsense\r\n")
    result = check(community.cli, str(outbox))
    lines = lines_of(result)
    assert {line.split(": ", 1)[0] for line in lines} == {str(junk), str(broken)}
    assert any(line.startswith(f"{broken}: ") and "calendar" in line for line in lines)
    assert "internal error" not in result.stderr
    assert ", 2 with problems." in result.stderr


def test_damaged_copies_of_real_files_are_always_judged(community: Community, outbox: Path) -> None:
    """Truncated, overwritten, cut and spliced copies: each gets a verdict in words, never a
    crash of the check itself ('cannot be checked') or of a parser it calls."""
    import random

    originals = sorted(p for p in outbox.rglob("*") if p.suffix in (".eml", ".ics"))
    pieces = [b"\r\n", b"\n ", b":", b";", b"=", b"\x00", b"BEGIN:VEVENT\r\n", b"END:VCALENDAR\r\n"]
    rnd = random.Random(20261208)
    damaged = outbox / "damaged"
    damaged.mkdir()
    for n in range(300):
        source = rnd.choice(originals)
        data = bytearray(source.read_bytes())
        at, to = sorted((rnd.randrange(len(data)), rnd.randrange(len(data))))
        how = n % 4
        if how == 0:
            data = data[:at]
        elif how == 1:
            for _ in range(rnd.randrange(1, 20)):
                data[rnd.randrange(len(data))] = rnd.randrange(256)
        elif how == 2:
            data = data[:at] + data[to:]
        else:
            data = data[:at] + rnd.choice(pieces) + data[at:]
        (damaged / f"{n}{source.suffix}").write_bytes(bytes(data))
    result = check(community.cli, str(damaged), "--format", "json")
    assert result.exit_code == 1, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 300
    crashed = [r for r in rows for p in r["problems"] if p.startswith(("cannot be", "could not"))]
    assert crashed == []
    assert sum(1 for r in rows if not r["ok"]) > 250


def test_a_link_is_reported_and_not_followed(
    community: Community, outbox: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.eml"
    secret.write_text("not the outbox's")
    link = meeting_folder(outbox) / "invite-9-someone.eml"
    os.symlink(secret, link)
    only_about(check(community.cli, str(outbox)), link, "is a symbolic link")


def test_hostile_text_is_shown_literally(community: Community, outbox: Path) -> None:
    path = meeting_folder(outbox) / EMMA
    data = path.read_bytes()
    uid = data.split(b"\nUID:")[1].split(b"\r\n")[0]
    path.write_bytes(data.replace(uid, b"[bold red]x[/bold red]\x1b[2J\xe2\x80\xae"))
    result = check(community.cli, str(outbox))
    (line,) = lines_of(result)
    assert "UID [bold red]x[/bold red]\\x1b[2J\\u202e names no meeting" in line
    assert "\x1b" not in result.stdout
    rows = json.loads(check(community.cli, str(outbox), "--format", "json").stdout)
    (bad,) = [r for r in rows if not r["ok"]]
    assert "\x1b" not in json.dumps(bad)


# --- a meeting that changed -------------------------------------------------------------------


def test_files_from_before_a_change_are_told_apart(cli: Cli, tmp_path: Path) -> None:
    setup_community(cli)
    out = tmp_path / "out"
    cli.ok("plan", "week", "--week", WEEK, "--out", str(out))
    before = tmp_path / "before"
    shutil.copytree(out, before)
    cli.ok("session", "move", "1", "--to", "2026-12-08 19:30")
    old = meeting_folder(before) / GIULIA
    result = check(cli, str(before))
    lines = [line for line in lines_of(result) if line.startswith(f"{old}: ")]
    assert f"{old}: SEQUENCE 0 but the meeting is at 1: written before the meeting changed" in lines
    assert any("starts at 2026-12-08 17:30 UTC but meeting 1 starts at 2026-12-08 18:30 UTC" in line
               for line in lines)  # fmt: skip
    assert result.stderr == "4 messages checked: 0 fine, 4 with problems.\n"
    # plan week writes the update (SEQUENCE 1, a new DTSTAMP and Message-ID): the invitations pass.
    cli.ok("plan", "week", "--week", WEEK, "--out", str(out))
    for name in (GIULIA, EMMA, ZOE, "session.ics"):
        assert check(cli, str(meeting_folder(out) / name)).exit_code == 0
    # An update that kept the Message-ID of the invitation it replaces is dropped by clients.
    new = meeting_folder(out) / GIULIA
    old_id = old.read_bytes().split(b"Message-ID: ")[1].split(b"\r\n")[0]
    new_id = new.read_bytes().split(b"Message-ID: ")[1].split(b"\r\n")[0]
    assert old_id != new_id
    edit(new, new_id, old_id)
    shutil.copy(old, tmp_path / "out" / "old-invite.eml")
    lines = lines_of(check(cli, str(new)))
    assert any("is not the one peerkit gives this version of meeting 1" in line for line in lines)
    both = lines_of(check(cli, str(out)))
    assert any(line.startswith(f"{new}: Message-ID <") and "(SEQUENCE 0): a client that has one "
               "drops the other as a duplicate" in line for line in both), both  # fmt: skip


# --- --send checks first ----------------------------------------------------------------------


def test_send_holds_back_a_failing_message_and_sends_the_others(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup_community(cli)
    # Giulia's own commitment names Emma's address: her invitation would show it to her.
    cli.ok("commitment", "add", "1", "Send the draft to emma@example.com")
    out = tmp_path / "out"
    with smtp_server(Handler(), monkeypatch) as smtp:
        result = cli("plan", "week", "--week", WEEK, "--out", str(out), "--send")
        assert result.exit_code == 1, result.stderr
        error = result.stderr.splitlines()[-1]
        assert error.startswith(
            f"Error: 1 message(s) held back, not sent: {GIULIA} to giulia@example.com: "
            "names emma@example.com (member 2)"
        )
        assert "The others were sent." in error
        assert "Traceback" not in result.stderr
        assert sorted(r.rcpt_tos[0] for r in smtp.received) == [
            "emma@example.com", "zoe@xn--bcher-kva.example",
        ]  # fmt: skip
        # The file says the same.
        only_about(check(cli, str(out)), meeting_folder(out) / GIULIA, "names emma@example.com")
        # Fixed, the next run sends what was held back (the agenda changed: a new version,
        # to everyone), and a run after it sends nothing twice.
        cli.ok("commitment", "drop", "1")
        cli.ok("plan", "week", "--week", WEEK, "--out", str(out), "--send")
        again = [r.rcpt_tos[0] for r in smtp.received[2:]]
        assert "giulia@example.com" in again
        assert len(again) == len(set(again))
        cli.ok("plan", "week", "--week", WEEK, "--out", str(out), "--send")
        assert len(smtp.received) == 2 + len(again)
    assert check(cli, str(out)).exit_code == 0


def test_a_held_message_does_not_stop_the_other_groups_of_the_week(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """plan week --send over two groups: the first group's bad message is held back, every
    other message of the week goes, and the error comes once, at the end."""
    setup_community(cli)
    cli.ok("member", "add", "Marco Neri", "--email", "marco@example.com")
    cli.ok("group", "create", "Zurigo", "--day", "wed", "--time", "18:30", "--timezone",
           "Europe/Rome", "--member", "4")  # fmt: skip
    cli.ok("commitment", "add", "1", "Send the draft to emma@example.com")  # Giulia's: held
    out = tmp_path / "out"
    with smtp_server(Handler(), monkeypatch) as smtp:
        result = cli("plan", "week", "--week", WEEK, "--out", str(out), "--send")
    assert result.exit_code == 1, result.stderr
    assert result.stderr.count("held back") == 1
    assert result.stderr.splitlines()[-1].endswith(
        "The others were sent. Fix the cause (peerkit outbox check on the outbox lists every "
        "problem) and send again: what was sent is not sent twice."
    )
    sent = sorted(r.rcpt_tos[0] for r in smtp.received)
    assert sent == ["emma@example.com", "marco@example.com", "zoe@xn--bcher-kva.example"]
