"""`plan week`, agendas and commitments: the weekly pipeline an organiser runs from cron.

Each week folder holds OUT/YYYY-Www/<group-slug>/agenda.md, session.ics and one
invite-<id>-<name>.eml per invited member. Running it again changes nothing; --dry-run
writes nothing; paused, departed and cancelled are respected; the files are private
and parse with icalendar and the email package.
"""

from __future__ import annotations

import email
import email.policy
import json
import stat
from datetime import date, datetime, time
from email.utils import getaddresses
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import Cli

if TYPE_CHECKING:
    from tests.factories import World

pytest_plugins = ["tests.factories"]

ROME = ZoneInfo("Europe/Rome")
SLUG = "tuesday-circle"
ORGANISER = "olga@organisers.example.com"
PEOPLE = [
    ("Anna Bianchi", "anna@example.com"),
    ("Bruno Conti", "bruno@example.com"),
    ("Carla Dini", "carla@example.com"),
    ("Dario Esposito", "dario@example.com"),
    ("Elena Fabbri", "elena@example.com"),
    ("Fabio Galli", "fabio@example.com"),
]
EMAILS = {e for _n, e in PEOPLE}
SUMMARY_KEYS = {
    "group",
    "session",
    "start",
    "created",
    "status",
    "hot_seat",
    "facilitator",
    "invited",
    "files",
    "written",
}


# --- helpers --------------------------------------------------------------------------


def setup_circle(world: World, *, organiser: bool = True, duration: int = 90) -> list[int]:
    """A community in Rome with one Tuesday 18:30 group of six, first meeting 1 Dec 2026.

    Built through the services (quicker than eight CLI calls); the CLI then sees it.
    """
    if not organiser:
        world.community(organiser_name=None, organiser_email=None)
    ids = [world.member(name, email=mail) for name, mail in PEOPLE]
    world.group(
        "Tuesday Circle", ids, day="tue", time="18:30", timezone="Europe/Rome",
        start=date(2026, 12, 1), duration=duration, location="https://meet.example.com/circle",
    )  # fmt: skip
    return ids


def plan(cli: Cli, week: str, out: Path, *extra: str) -> list[dict[str, Any]]:
    result = cli.ok("plan", "week", "--week", week, "--out", str(out), "--format", "json", *extra)
    rows = json.loads(result.stdout)
    assert isinstance(rows, list)
    return rows


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def sessions(cli: Cli) -> list[dict[str, Any]]:
    return json.loads(cli.ok("session", "list", "--format", "json").stdout)


def emls(folder: Path) -> dict[int, Path]:
    """Invitation files by member id (invite-<id>-<name>.eml)."""
    return {int(p.name.split("-")[1]): p for p in folder.glob("invite-*.eml")}


def parse_ics(data: bytes) -> Any:
    from icalendar import Calendar

    return Calendar.from_ical(data)


def events(cal: Any) -> list[Any]:
    return [c for c in cal.walk() if c.name == "VEVENT"]


# --- what a week folder holds ---------------------------------------------------------


def test_plan_week_writes_agenda_ics_and_an_invitation_per_member(
    world: World, cli: Cli, tmp_path: Path
) -> None:
    ids = setup_circle(world)
    out = tmp_path / "out"
    (row,) = plan(cli, "2026-W49", out)
    assert set(row) >= SUMMARY_KEYS
    assert row["group"] == SLUG
    assert row["created"] is True
    assert row["status"] == "planned"
    assert row["start"] == "2026-12-01T18:30:00+01:00"
    assert row["invited"] == 6
    assert len(row["hot_seat"]) == 2
    folder = out / "2026-W49" / SLUG
    names = sorted(p.name for p in folder.iterdir())
    expected = ["agenda.md", "session.ics"] + [
        f"invite-{i}-{name.lower().replace(' ', '-')}.eml"
        for i, (name, _e) in zip(ids, PEOPLE, strict=True)
    ]
    assert names == sorted(expected)
    assert sorted(Path(f["path"]).name for f in row["files"]) == sorted(expected)
    assert {f["status"] for f in row["files"]} == {"written"}
    assert row["written"] == len(expected)


def test_plan_week_defaults_to_this_week(world: World, cli: Cli, tmp_path: Path) -> None:
    setup_circle(world)
    result = cli.ok("plan", "week", "--out", str(tmp_path / "out"), "--format", "json")
    assert json.loads(result.stdout)[0]["status"] == "none"  # PEERKIT_TODAY is a Friday
    assert "2026-W48" in result.stderr


# --- idempotency ------------------------------------------------------------------------


def test_a_second_run_changes_nothing(world: World, cli: Cli, tmp_path: Path) -> None:
    setup_circle(world)
    out = tmp_path / "out"
    first = plan(cli, "2026-W49", out)
    files = snapshot(out)
    listed = sessions(cli)
    second = cli.ok("plan", "week", "--week", "2026-W49", "--out", str(out), "--format", "json")
    rows = json.loads(second.stdout)
    assert [r["created"] for r in rows] == [False]
    assert [r["session"] for r in rows] == [r["session"] for r in first]
    assert [r["hot_seat"] for r in rows] == [r["hot_seat"] for r in first]
    assert [r["written"] for r in rows] == [0]
    assert {f["status"] for r in rows for f in r["files"]} == {"unchanged"}
    assert snapshot(out) == files, "no file rewritten (same bytes and modification time)"
    assert sessions(cli) == listed
    assert "wrote 0 file(s), 8 unchanged" in second.stderr


def test_moving_the_meeting_rewrites_its_files_with_a_higher_sequence(
    world: World, cli: Cli, tmp_path: Path
) -> None:
    setup_circle(world)
    out = tmp_path / "out"
    (row,) = plan(cli, "2026-W49", out)
    cli.ok("session", "move", str(row["session"]), "--to", "2026-12-02 19:00")
    (again,) = plan(cli, "2026-W49", out)
    assert again["created"] is False
    assert again["start"] == "2026-12-02T19:00:00+01:00"
    assert {f["status"] for f in again["files"]} == {"written"}
    cal = parse_ics((out / "2026-W49" / SLUG / "session.ics").read_bytes())
    (event,) = events(cal)
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == datetime(2026, 12, 2, 19, 0, tzinfo=ROME)


@pytest.mark.slow
def test_twelve_weeks_one_at_a_time_with_attendance(world: World, cli: Cli, tmp_path: Path) -> None:
    """The "done when" of the issue: cron plans week after week, attendance in between.

    (Without an organiser, so without invitations: other tests look at those.)
    """
    ids = setup_circle(world, organiser=False)
    out = tmp_path / "out"
    seats: list[int] = []
    for n in range(49, 61):
        week = f"2026-W{n}" if n <= 53 else f"2027-W{n - 53:02d}"
        (row,) = plan(cli, week, out)
        assert row["created"] is True
        seats += row["hot_seat"]
        absent = ids[n % 6]
        present = [a for i in ids if i != absent for a in ("--present", str(i))]
        cli.ok("session", "attend", str(row["session"]), *present, "--absent", str(absent))
    assert len(sessions(cli)) == 12
    # 24 seats over six people: everyone had four turns or thereabouts.
    counts = [seats.count(i) for i in ids]
    assert min(counts) >= 3
    assert max(counts) <= 5


# --- dry run ----------------------------------------------------------------------------


def test_dry_run_writes_no_file_and_no_row(world: World, cli: Cli, tmp_path: Path) -> None:
    setup_circle(world)
    out = tmp_path / "out"
    result = cli.ok(
        "plan", "week", "--week", "2026-W49", "--out", str(out), "--dry-run", "--format", "json"
    )
    (row,) = json.loads(result.stdout)
    assert row["created"] is True
    assert row["invited"] == 6
    assert {f["status"] for f in row["files"]} == {"would write"}
    assert not out.exists()
    assert sessions(cli) == []
    assert "would write 8 file(s)" in result.stderr


def test_dry_run_after_a_real_run_reports_everything_unchanged(
    world: World, cli: Cli, tmp_path: Path
) -> None:
    setup_circle(world)
    out = tmp_path / "out"
    plan(cli, "2026-W49", out)
    files = snapshot(out)
    (row,) = plan(cli, "2026-W49", out, "--dry-run")
    assert row["created"] is False
    assert {f["status"] for f in row["files"]} == {"unchanged"}
    (nxt,) = plan(cli, "2026-W50", out, "--dry-run")
    assert nxt["created"] is True
    assert snapshot(out) == files
    assert len(sessions(cli)) == 1


def test_dry_run_through_the_services(world: World, tmp_path: Path) -> None:
    people = world.members(5, "Dry")
    world.group("Dry", people, start=date(2027, 1, 5))
    out = tmp_path / "out"
    (result,) = world.plan_week("2027-W01", out, dry_run=True)
    assert result.created
    assert len(result.hot_seat) == 2
    assert result.invited == 5
    assert {f["status"] for f in result.files} == {"would write"}
    assert not out.exists()
    for table in ("Meeting", "HotSeat", "Attendance", "Commitment"):
        assert world.count(table) == 0, table


# --- who is invited ---------------------------------------------------------------------


def test_paused_and_departed_members_are_not_invited(
    world: World, cli: Cli, tmp_path: Path
) -> None:
    anna, bruno, carla, dario, elena, fabio = setup_circle(world)
    cli.ok("member", "pause", str(bruno))
    cli.ok("member", "remove", str(carla))
    cli.ok("group", "remove", SLUG, str(dario))
    out = tmp_path / "out"
    (row,) = plan(cli, "2026-W49", out)
    folder = out / "2026-W49" / SLUG
    assert sorted(emls(folder)) == [anna, elena, fabio]
    assert row["invited"] == 3
    assert set(row["hot_seat"]) <= {anna, elena, fabio}
    agenda = (folder / "agenda.md").read_text(encoding="utf-8")
    for name in ("Bruno Conti", "Carla Dini", "Dario Esposito"):
        assert name not in agenda
    for path in folder.glob("*"):
        data = path.read_bytes()
        for gone in ("bruno@example.com", "carla@example.com", "dario@example.com"):
            assert gone.encode() not in data, (path.name, gone)


def test_a_member_paused_until_a_date_is_invited_again_from_that_date(
    world: World, cli: Cli, tmp_path: Path
) -> None:
    _anna, bruno, *_ = setup_circle(world)
    cli.ok("member", "pause", str(bruno), "--until", "2026-12-15")
    out = tmp_path / "out"
    (away,) = plan(cli, "2026-W50", out)  # Tuesday 8 December
    assert bruno not in emls(out / "2026-W50" / SLUG)
    assert away["invited"] == 5
    assert bruno not in away["hot_seat"]
    (back,) = plan(cli, "2026-W51", out)  # Tuesday 15 December: the pause is over
    assert bruno in emls(out / "2026-W51" / SLUG)
    assert back["invited"] == 6


def test_a_member_who_joins_later_is_invited_from_then(world: World, tmp_path: Path) -> None:
    people = world.members(4, "Join")
    group_id = world.group("Join", people, start=date(2027, 1, 5))
    late = world.member("Late Comer", email="late@example.com")
    from peerkit.models import Group, Member
    from peerkit.services.groups import roster

    with world.db.write() as session:
        group = session.get(Group, group_id)
        roster.add_member(session, group, session.get(Member, late), date(2027, 1, 10))
    out = tmp_path / "out"
    world.plan_week("2027-W01", out)
    world.plan_week("2027-W02", out)
    assert late not in emls(out / "2027-W01" / "join")
    assert late in emls(out / "2027-W02" / "join")


# --- cancelled meetings -------------------------------------------------------------------


def test_a_cancelled_meeting_is_never_recreated_and_gets_no_invitations(
    world: World, cli: Cli, tmp_path: Path
) -> None:
    setup_circle(world)
    cli.ok("session", "plan", SLUG, "--from", "2026-12-01", "--count", "2")
    first, second = sessions(cli)
    cli.ok("session", "cancel", str(second["id"]), "--reason", "Holiday")
    out = tmp_path / "out"
    for _ in range(2):
        (row,) = plan(cli, "2026-W50", out)
        assert row["session"] == second["id"]
        assert row["created"] is False
        assert row["status"] == "cancelled"
        assert row["invited"] == 0
        assert row["hot_seat"] == []
        folder = out / "2026-W50" / SLUG
        assert list(folder.glob("*.eml")) == []
    listed = sessions(cli)
    assert [s["id"] for s in listed] == [first["id"], second["id"]]
    assert listed[1]["status"] == "cancelled"
    assert listed[1]["sequence"] == 1
    ics = folder / "session.ics"
    if ics.exists():
        (event,) = events(parse_ics(ics.read_bytes()))
        assert str(event["STATUS"]) == "CANCELLED"
    assert "cancel" in (folder / "agenda.md").read_text(encoding="utf-8").lower()
    # session plan does not bring it back either.
    cli.ok("session", "plan", SLUG, "--from", "2026-12-01", "--count", "3")
    assert [s["status"] for s in sessions(cli)] == ["planned", "cancelled", "planned"]


def test_cancelling_after_planning_leaves_no_invitation_to_send(
    world: World, cli: Cli, tmp_path: Path
) -> None:
    """Cron planned the week and wrote invitations; then the meeting is cancelled. The next
    run must not leave invitations (METHOD:REQUEST) for it in the week's folder."""
    setup_circle(world)
    out = tmp_path / "out"
    (row,) = plan(cli, "2026-W49", out)
    folder = out / "2026-W49" / SLUG
    assert len(list(folder.glob("*.eml"))) == 6
    uid = json.loads(cli.ok("session", "show", str(row["session"]), "-f", "json").stdout)["uid"]
    cli.ok("session", "cancel", str(row["session"]))
    (again,) = plan(cli, "2026-W49", out)
    assert again["status"] == "cancelled"
    assert again["invited"] == 0
    requests = []
    for path in sorted(folder.glob("*.eml")):
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for part in msg.walk():
            if part.get_content_type() == "text/calendar":
                cal = parse_ics(part.get_payload(decode=True))
                if str(cal["METHOD"]) == "REQUEST" and any(
                    str(e["UID"]) == uid for e in events(cal)
                ):
                    requests.append(path.name)
    assert requests == [], f"invitations to a cancelled meeting are still there: {requests}"


def test_an_existing_out_folder_keeps_its_mode(world: World, cli: Cli, tmp_path: Path) -> None:
    setup_circle(world)
    out = tmp_path / "shared"
    out.mkdir()
    out.chmod(0o755)
    plan(cli, "2026-W49", out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o755
    assert stat.S_IMODE((out / "2026-W49").stat().st_mode) == 0o700
    assert stat.S_IMODE((out / "2026-W49" / SLUG).stat().st_mode) == 0o700


def test_an_archived_group_is_not_planned(world: World, cli: Cli, tmp_path: Path) -> None:
    setup_circle(world)
    cli.ok("group", "archive", SLUG)
    out = tmp_path / "out"
    result = cli.ok("plan", "week", "--week", "2026-W49", "--out", str(out), "--format", "json")
    assert json.loads(result.stdout) == []
    assert sessions(cli) == []


# --- files: modes, calendar, e-mail ------------------------------------------------------


def test_files_are_private(world: World, cli: Cli, tmp_path: Path) -> None:
    import os

    setup_circle(world)
    out = tmp_path / "out"
    old = os.umask(0o022)
    try:
        plan(cli, "2026-W49", out)
    finally:
        os.umask(old)
    for folder in (out, out / "2026-W49", out / "2026-W49" / SLUG):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    files = list((out / "2026-W49" / SLUG).iterdir())
    assert len(files) == 8
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    assert not [p for p in (out / "2026-W49" / SLUG).iterdir() if p.name.startswith(".")]


def test_the_ics_parses_and_describes_the_meeting(world: World, cli: Cli, tmp_path: Path) -> None:
    setup_circle(world)
    out = tmp_path / "out"
    (row,) = plan(cli, "2026-W49", out)
    shown = json.loads(cli.ok("session", "show", str(row["session"]), "-f", "json").stdout)
    cal = parse_ics((out / "2026-W49" / SLUG / "session.ics").read_bytes())
    assert str(cal["METHOD"]) == "PUBLISH"
    (event,) = events(cal)
    assert str(event["UID"]) == shown["uid"]
    assert int(event["SEQUENCE"]) == shown["sequence"] == 0
    assert event["DTSTART"].params["TZID"] == "Europe/Rome"
    assert event.decoded("DTSTART") == datetime.combine(date(2026, 12, 1), time(18, 30), ROME)
    assert event.decoded("DTEND") == datetime.combine(date(2026, 12, 1), time(20, 0), ROME)
    zones = [str(c["TZID"]) for c in cal.walk() if c.name == "VTIMEZONE"]
    assert zones == ["Europe/Rome"]
    assert "ATTENDEE" not in event


def test_each_invitation_is_for_one_person_only(world: World, cli: Cli, tmp_path: Path) -> None:
    ids = setup_circle(world)
    out = tmp_path / "out"
    (row,) = plan(cli, "2026-W49", out)
    shown = json.loads(cli.ok("session", "show", str(row["session"]), "-f", "json").stdout)
    files = emls(out / "2026-W49" / SLUG)
    assert sorted(files) == sorted(ids)
    for member_id, (name, address) in zip(ids, PEOPLE, strict=True):
        raw = files[member_id].read_bytes()
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        to = getaddresses([str(v) for v in msg.get_all("To", [])])
        assert to == [(name, address)]
        assert msg.get_all("Cc") is None
        assert msg.get_all("Bcc") is None
        assert getaddresses([str(msg["From"])])[0][1] == ORGANISER
        others = EMAILS - {address}
        decoded = b"".join(
            part.get_payload(decode=True) or b"" for part in msg.walk() if not part.is_multipart()
        )
        for other in others:
            assert other.encode() not in raw, (address, other)
            assert other.encode() not in decoded, (address, other)
        calendars = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
        assert len(calendars) == 1
        assert calendars[0].get_param("method") == "REQUEST"
        cal = parse_ics(calendars[0].get_payload(decode=True))
        assert str(cal["METHOD"]) == "REQUEST"
        (event,) = events(cal)
        assert str(event["UID"]) == shown["uid"]
        assert int(event["SEQUENCE"]) == shown["sequence"]
        attendees = event.get("ATTENDEE")
        attendees = attendees if isinstance(attendees, list) else [attendees]
        assert [str(a).lower() for a in attendees] == [f"mailto:{address}"]
        assert str(event["ORGANIZER"]).lower() == f"mailto:{ORGANISER}"
        assert [str(c["TZID"]) for c in cal.walk() if c.name == "VTIMEZONE"] == ["Europe/Rome"]
        types = [p.get_content_type() for p in msg.walk() if not p.is_multipart()]
        assert types == ["text/plain", "text/html", "text/calendar"]


def test_without_an_organiser_no_invitation_is_written_and_it_says_why(
    world: World, cli: Cli, tmp_path: Path
) -> None:
    setup_circle(world, organiser=False)
    out = tmp_path / "out"
    result = cli.ok("plan", "week", "--week", "2026-W49", "--out", str(out), "--format", "json")
    (row,) = json.loads(result.stdout)
    assert row["invited"] == 0
    assert list((out / "2026-W49" / SLUG).glob("*.eml")) == []
    assert "--organiser-email" in result.stderr


# --- agenda timing ------------------------------------------------------------------------


def test_sections_add_up_to_the_duration_for_every_length_and_size() -> None:
    from peerkit.services.groups import agenda

    for duration in range(15, 481):
        for attendees in range(0, 13):
            t = agenda.timing(duration, attendees)
            parts = [t.checkin, *t.seats, t.commitments, t.close]
            assert all(p >= 0 for p in parts), (duration, attendees, t)
            assert t.total == duration, (duration, attendees, t)
            assert sum(parts) == duration
            assert t.seats, (duration, attendees)
            if attendees:
                assert len(t.seats) <= attendees


def test_ninety_minutes_with_six_people_has_two_seats_of_about_25_minutes() -> None:
    from peerkit.services.groups import agenda

    t = agenda.timing(90, 6)
    assert len(t.seats) == 2
    assert all(20 <= s <= 30 for s in t.seats), t.seats
    assert max(t.seats) - min(t.seats) <= 1
    assert agenda.seats_for(90, 6) == 2


def test_agenda_json_shape_and_minutes(world: World, cli: Cli, tmp_path: Path) -> None:
    setup_circle(world, duration=75)
    (row,) = plan(cli, "2026-W49", tmp_path / "out")
    result = cli.ok("agenda", str(row["session"]), "--format", "json")
    data = json.loads(result.stdout)
    assert set(data) == {"session", "sections"}
    assert data["session"]["id"] == row["session"]
    assert set(data["session"]) >= {
        "id", "group", "start", "end", "timezone", "status", "sequence", "uid", "location",
        "hot_seat", "facilitator", "attendance",
    }  # fmt: skip
    assert data["session"]["start"] == "2026-12-01T18:30:00+01:00"
    assert len(data["sections"]) == 4
    for section in data["sections"]:
        assert set(section) == {"title", "minutes", "items"}
        assert isinstance(section["title"], str)
        assert section["title"]
        assert isinstance(section["minutes"], int)
        assert section["minutes"] >= 0
        assert isinstance(section["items"], list)
        assert all(isinstance(i, str) for i in section["items"])
    assert sum(s["minutes"] for s in data["sections"]) == 75
    assert [s["title"] for s in data["sections"]] == [
        "Check-in and wins",
        "Hot seats",
        "Commitments round",
        "Close",
    ]
    assert result.stderr == ""


@pytest.mark.parametrize("duration", [15, 30, 45, 60, 90, 120, 240, 480])
def test_every_built_agenda_adds_up(world: World, tmp_path: Path, duration: int) -> None:
    from peerkit.models import Meeting
    from peerkit.services.groups import agenda

    world.community(organiser_name=None, organiser_email=None)  # no invitations needed
    people = world.members(7, "Sum")
    world.group("Sum", people, duration=duration, start=date(2027, 1, 5))
    (result,) = world.plan_week("2027-W01", tmp_path / "out")
    world.pause(people[0], None, date(2027, 1, 1))
    with world.db.read() as session:
        data = agenda.as_json(agenda.build(session, session.get(Meeting, result.session)))
    assert sum(s["minutes"] for s in data["sections"]) == duration
    assert all(s["minutes"] >= 0 for s in data["sections"])


# --- commitments on the next agenda --------------------------------------------------------


def commitment(cli: Cli, who: int, text: str, session: int, *extra: str) -> int:
    return int(
        cli.ok("commitment", "add", str(who), text, "--session", str(session), *extra).stdout
    )


def test_open_commitments_appear_under_their_owner_in_the_next_agenda(
    world: World, cli: Cli, tmp_path: Path
) -> None:
    anna, bruno, carla, dario, elena, _fabio = setup_circle(world)
    cli.ok("session", "plan", SLUG, "--from", "2026-12-01", "--count", "3")
    first, second, third = (s["id"] for s in sessions(cli))
    annas = commitment(cli, anna, "Call three clients", first, "--due", "2026-12-07")
    commitment(cli, bruno, "Draft the pricing page", first)
    done = commitment(cli, carla, "Finished already", first)
    dropped = commitment(cli, dario, "Not doing this", first)
    cli.ok("commitment", "done", str(done))
    cli.ok("commitment", "drop", str(dropped))
    commitment(cli, elena, "Made at the second meeting", second)

    md = cli.ok("agenda", str(second)).stdout
    section = md.split("## Commitments round")[1].split("\n## ")[0]
    assert "### Anna Bianchi\n\n- [ ] Call three clients (by Monday 7 December 2026)" in section
    assert "### Bruno Conti\n\n- [ ] Draft the pricing page\n" in section
    for absent in ("Finished already", "Not doing this", "Made at the second meeting"):
        assert absent not in md
    assert "Carla Dini\n\n- [ ]" not in md

    data = json.loads(cli.ok("agenda", str(second), "--format", "json").stdout)
    items = next(s["items"] for s in data["sections"] if s["title"] == "Commitments round")
    assert items == [
        "Anna Bianchi: Call three clients (by Monday 7 December 2026)",
        "Bruno Conti: Draft the pricing page",
    ]

    txt = cli.ok("agenda", str(second), "--format", "txt").stdout
    assert "  Anna Bianchi\n    - Call three clients (by Monday 7 December 2026)" in txt

    # Anna's is done after the second meeting: the third agenda has Bruno's and Elena's.
    cli.ok("commitment", "done", str(annas))
    data = json.loads(cli.ok("agenda", str(third), "--format", "json").stdout)
    items = next(s["items"] for s in data["sections"] if s["title"] == "Commitments round")
    assert items == [
        "Bruno Conti: Draft the pricing page",
        "Elena Fabbri: Made at the second meeting",
    ]


def test_the_first_agenda_has_no_commitments_yet(world: World, cli: Cli, tmp_path: Path) -> None:
    setup_circle(world)
    (row,) = plan(cli, "2026-W49", tmp_path / "out")
    md = cli.ok("agenda", str(row["session"])).stdout
    assert "No open commitments from earlier meetings." in md


def test_another_groups_commitments_stay_out_of_the_agenda(world: World, tmp_path: Path) -> None:
    from peerkit.models import Meeting
    from peerkit.services.groups import agenda

    ours = world.members(3, "Ours")
    theirs = world.members(3, "Theirs")
    mine = world.group("Ours", ours, start=date(2027, 1, 5))
    other = world.group("Theirs", theirs, day="mon", start=date(2027, 1, 4))
    ours_first = world.meeting_on(mine, date(2027, 1, 5))
    theirs_first = world.meeting_on(other, date(2027, 1, 4))
    ours_next = world.meeting_on(mine, date(2027, 1, 12))
    world.commit_to(ours[0], "Ours to keep", ours_first.id)
    world.commit_to(theirs[0], "Theirs to keep", theirs_first.id)
    with world.db.read() as session:
        data = agenda.build(session, session.get(Meeting, ours_next.id))
    texts = [i["text"] for owner in data["commitments"] for i in owner["items"]]
    assert texts == ["Ours to keep"]


def test_the_invitation_lists_the_recipients_own_open_commitments(
    world: World, cli: Cli, tmp_path: Path
) -> None:
    anna, bruno, *_ = setup_circle(world)
    out = tmp_path / "out"
    (first,) = plan(cli, "2026-W49", out)
    commitment(cli, anna, "Call three clients", first["session"], "--due", "2026-12-07")
    plan(cli, "2026-W50", out)
    files = emls(out / "2026-W50" / SLUG)
    for member_id, expected in ((anna, True), (bruno, False)):
        msg = email.message_from_bytes(files[member_id].read_bytes(), policy=email.policy.default)
        text = msg.get_body(preferencelist=("plain",)).get_content()
        assert ("Call three clients" in text) is expected
