"""Every calendar peerkit writes, read by the parsers members' applications use.

One community, built through the CLI, meets at the hard hours: inside the repeated hour of an
autumn change (Rome 02:30 on 2026-10-25, New York 01:30 on 2026-11-01, Sydney 02:30 on
2026-04-05), inside the missing hour of a spring change (Rome 02:30 on 2026-03-29 and
2027-03-28, Sydney 02:30 on 2026-10-04), and across a change (Rome 01:30 for 90 minutes on
2026-10-25 ends in the repeated hour). Its members live in seven zones on both hemispheres.
Every calendar the CLI writes for it (plan week's session.ics and invitations, invite, export
ics, event export and invitations, mentoring check-ins, reminders) is read by ical.js,
libical, icalendar and vobject (tests/parsers.py), and each occurrence they read, in UTC, must
be peerkit's own record of the meeting: its start, its end (start + duration) and its status.
"""

from __future__ import annotations

import email
import email.policy
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest

from tests.conftest import Cli, isolate
from tests.parsers import PARSERS, Occurrence, all_occurrences_many

pytest_plugins = ["tests.parsers"]

TODAY = "2026-03-01"  # before every meeting below
WINDOW = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))

MEMBERS = [  # name, e-mail, zone
    ("Anna Rossi", "anna@example.com", "Europe/Rome"),
    ("Bruno Bianchi", "bruno@example.com", "Europe/Rome"),
    ("Carla Nowak", "carla@example.com", "America/New_York"),
    ("Davi Souza", "davi@example.com", "America/Sao_Paulo"),
    ("Emily Clarke", "emily@example.com", "Australia/Sydney"),
    ("Fumiko Sato", "fumiko@example.com", "Asia/Tokyo"),
    ("Hemi Walker", "hemi@example.com", "Pacific/Auckland"),
    ("Thandi Dlamini", "thandi@example.com", "Africa/Johannesburg"),
]


@dataclass(frozen=True)
class Group:
    slug: str
    name: str
    day: str
    time: str
    zone: str
    duration: int
    first: str
    count: int
    members: tuple[str, ...]


GROUPS = [
    # Sundays 02:30 in Rome for a year: the missing hour twice, the repeated hour once.
    Group("rome-night", "Rome Night", "sun", "02:30", "Europe/Rome", 60, "2026-03-15", 56,
          ("anna@example.com", "fumiko@example.com", "thandi@example.com")),
    # Sundays 01:30 in Rome for 90 minutes: on 2026-10-25 it ends in the repeated hour.
    Group("rome-late", "Rome Late", "sun", "01:30", "Europe/Rome", 90, "2026-10-04", 6,
          ("bruno@example.com", "davi@example.com")),
    # Sundays 01:30 in New York: 2026-11-01 is in the repeated hour.
    Group("new-york-night", "New York Night", "sun", "01:30", "America/New_York", 60,
          "2026-10-11", 6, ("carla@example.com", "davi@example.com")),
    # Sundays 02:30 in Sydney: repeated on 2026-04-05, missing on 2026-10-04.
    Group("sydney-night", "Sydney Night", "sun", "02:30", "Australia/Sydney", 60,
          "2026-03-22", 31, ("emily@example.com", "hemi@example.com", "fumiko@example.com")),
    # Tuesday evenings in Auckland, across both of New Zealand's changes.
    Group("auckland-evening", "Auckland Evening", "tue", "19:00", "Pacific/Auckland", 75,
          "2026-03-03", 35, ("hemi@example.com", "emily@example.com")),
]  # fmt: skip

# The weeks planned: each holds a meeting at a hard hour.
WEEKS = ["2026-W13", "2026-W14", "2026-W40", "2026-W43", "2026-W44", "2027-W12"]
REPLANNED = "2026-W43"

# Meetings at the hard hours, by group and local date: invited and exported one by one.
HARD = [
    ("rome-night", "2026-03-29"),  # missing hour
    ("rome-night", "2026-10-25"),  # repeated hour (moved within it, later)
    ("rome-night", "2027-03-28"),  # missing hour
    ("rome-late", "2026-10-25"),  # ends in the repeated hour
    ("new-york-night", "2026-11-01"),  # repeated hour
    ("sydney-night", "2026-04-05"),  # repeated hour
    ("sydney-night", "2026-10-04"),  # missing hour
]


# --- what peerkit recorded, and what it wrote ------------------------------------------


@dataclass(frozen=True)
class Record:
    """One meeting (or event, or check-in) as peerkit records it, in UTC."""

    uid: str
    start: datetime
    end: datetime
    status: str  # CONFIRMED or CANCELLED, as a calendar says it
    group: str = ""
    local: datetime | None = None  # the start in its own zone


@dataclass
class Written:
    """One calendar peerkit wrote, with the records it must say (the truth when written)."""

    label: str
    data: bytes
    expected: list[Record]
    series: bool = False  # one recurring event: compared without UIDs


@dataclass
class Community:
    cli: Cli
    root: Path
    outputs: dict[str, list[Written]] = field(default_factory=dict)
    emls: list[tuple[str, bytes]] = field(default_factory=list)  # every .eml written
    records: dict[str, Record] = field(default_factory=dict)  # meetings by UID, at the end
    ids: dict[tuple[str, str], int] = field(default_factory=dict)  # (group, date) -> id

    def add(self, kind: str, written: Written) -> None:
        self.outputs.setdefault(kind, []).append(written)


def _status(text: str) -> str:
    return "CANCELLED" if text == "cancelled" else "CONFIRMED"


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _sessions(cli: Cli) -> list[dict[str, Any]]:
    span = ("--from", "2026-01-01", "--to", "2028-12-31")
    rows: list[dict[str, Any]] = json.loads(
        cli.ok("session", "list", *span, "--format", "json").stdout
    )
    return rows


def meetings(cli: Cli) -> dict[str, Record]:
    """Every meeting as `session list --format json` says, by UID."""
    return {
        row["uid"]: Record(
            row["uid"], _utc(row["start"]), _utc(row["end"]), _status(row["status"]),
            row["group"], datetime.fromisoformat(row["start"]),
        )
        for row in _sessions(cli)
    }  # fmt: skip


def session_ids(cli: Cli) -> dict[tuple[str, str], int]:
    """Each meeting's id by its group and its local date."""
    return {(row["group"], row["start"][:10]): int(row["id"]) for row in _sessions(cli)}


def uids_in(data: bytes) -> set[str]:
    return {str(ev["UID"]) for ev in icalendar.Calendar.from_ical(data).walk("VEVENT")}


def calendar_parts(data: bytes) -> list[bytes]:
    """The text/calendar parts of an e-mail, decoded from their transfer encoding."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    found = []
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            found.append(payload)
    return found


def written_files(stdout: str) -> list[Path]:
    """The paths a command printed, one a line."""
    return [Path(line) for line in stdout.splitlines() if line.strip()]


def _week_of(moment: datetime) -> str:
    year, week, _ = moment.date().isocalendar()
    return f"{year}-W{week:02d}"


def _in_week(records: dict[str, Record], slug: str, week: str) -> list[Record]:
    mine = [r for r in records.values() if r.group == slug]
    return [r for r in mine if r.local and _week_of(r.local) == week]


# --- the community ----------------------------------------------------------------------


def _build(cli: Cli, root: Path, patch: pytest.MonkeyPatch) -> Community:
    world = Community(cli, root)
    organiser = ("--organiser-name", "Olga Organiser", "--organiser-email", "olga@example.com")
    cli.ok("init", "--community", "Night Owls", "--timezone", "Europe/Rome", *organiser)
    for name, address, zone in MEMBERS:
        cli.ok("member", "add", name, "--email", address, "--timezone", zone)
    for g in GROUPS:
        members = [arg for m in g.members for arg in ("--member", m)]
        cli.ok("group", "create", g.name, "--day", g.day, "--time", g.time, "--timezone", g.zone,
               "--duration", str(g.duration), "--start", g.first, *members)  # fmt: skip
        cli.ok("session", "plan", g.slug, "--from", g.first, "--count", str(g.count))
    world.ids = session_ids(cli)
    # A meeting of the year-long series moved (to a Tuesday), and one cancelled.
    cli.ok("session", "move", str(world.ids["rome-night", "2026-05-10"]),
           "--to", "2026-05-12 19:00")  # fmt: skip
    cli.ok("session", "cancel", str(world.ids["rome-night", "2026-06-07"]), "--reason", "holiday")

    for week in WEEKS:
        _plan_week(world, week, f"plan week {week}")
    # The week is planned again after a change: the repeated-hour meeting moves within the
    # repeated hour, and a member pauses.
    cli.ok("session", "move", str(world.ids["rome-night", "2026-10-25"]),
           "--to", "2026-10-25 02:50")  # fmt: skip
    cli.ok("member", "pause", "thandi@example.com", "--until", "2026-12-31")
    _plan_week(world, REPLANNED, f"plan week {REPLANNED} again", kind="replanned")

    _invite(world)
    _exports(world)
    _events(world)
    _checkins(world)
    _reminders(world, patch)
    world.records = meetings(cli)
    return world


def _plan_week(world: Community, week: str, label: str, kind: str = "plan week") -> None:
    out = world.root / "outbox"
    world.cli.ok("plan", "week", "--week", week, "--out", str(out))
    records = meetings(world.cli)
    for folder in sorted((out / week).iterdir()):
        expected = _in_week(records, folder.name, week)
        session = folder / "session.ics"
        if session.exists():
            world.add(kind, Written(f"{label}: {folder.name}/session.ics", session.read_bytes(),
                                    expected))  # fmt: skip
        for path in sorted(folder.glob("invite*.eml")):
            data = path.read_bytes()
            world.emls.append((f"{label}: {folder.name}/{path.name}", data))
            for part in calendar_parts(data):
                world.add(kind, Written(f"{label}: {folder.name}/{path.name}", part, expected))


def _invite(world: Community) -> None:
    records = meetings(world.cli)
    by_id = {world.ids[key]: key for key in world.ids}
    for group, day in HARD:
        session_id = world.ids[group, day]
        out = world.root / "invites" / str(session_id)
        done = world.cli.ok("invite", str(session_id), "--out", str(out))
        paths = written_files(done.stdout)
        assert paths, f"invite {session_id} wrote nothing"
        for path in paths:
            data = path.read_bytes()
            label = f"invite {session_id} ({by_id[session_id]}): {path.name}"
            world.emls.append((label, data))
            for part in calendar_parts(data):
                expected = [records[uid] for uid in uids_in(part)]
                assert [r.group for r in expected] == [group], label
                world.add("invite", Written(label, part, expected))


def _exports(world: Community) -> None:
    cli = world.cli
    records = meetings(cli)
    for group, day in HARD:
        session_id = world.ids[group, day]
        data = cli.ok("export", "ics", "--session", str(session_id)).stdout.encode()
        expected = [r for r in records.values() if r.uid in uids_in(data)]
        assert [r.group for r in expected] == [group]
        world.add("export session", Written(f"export ics --session {session_id}", data, expected))
    for g in GROUPS:
        mine = [r for r in records.values() if r.group == g.slug]
        data = cli.ok("export", "ics", "--group", g.slug).stdout.encode()
        world.add("export group", Written(f"export ics --group {g.slug}", data, mine))
        data = cli.ok("export", "ics", "--group", g.slug, "--series").stdout.encode()
        live = [r for r in mine if r.status != "CANCELLED"]
        label = f"export ics --group {g.slug} --series"
        world.add("export series", Written(label, data, live, series=True))
    for _name, address, _zone in MEMBERS:
        data = cli.ok("export", "ics", "--member", address).stdout.encode()
        slugs = {g.slug for g in GROUPS if address in g.members}
        expected = [r for r in records.values() if r.group in slugs]
        world.add("export member", Written(f"export ics --member {address}", data, expected))
    data = cli.ok("export", "ics", "--all").stdout.encode()
    world.add("export all", Written("export ics --all", data, list(records.values())))


EVENTS = [  # title, local start, zone, minutes
    ("Owls Social", "2026-10-25 02:30", "Europe/Rome", 60),  # in the repeated hour
    ("Fall Back Social", "2026-11-01 01:30", "America/New_York", 45),  # in the repeated hour
    ("Spring Forward Social", "2026-03-29 02:30", "Europe/Rome", 60),  # in the missing hour
]


def _events(world: Community) -> None:
    cli = world.cli
    for title, start, zone, minutes in EVENTS:
        when = ("--start", start, "--timezone", zone, "--duration", str(minutes))
        event_id = cli.ok("event", "create", title, *when, "--kind", "social").stdout.strip()
        listed = json.loads(cli.ok("event", "list", "--format", "json").stdout)
        (shown,) = [row for row in listed if str(row["id"]) == event_id]
        export = cli.ok("event", "export", event_id).stdout.encode()
        (uid,) = uids_in(export)
        # `event list` has no status: these events are planned, never cancelled.
        record = Record(uid, _utc(shown["start"]), _utc(shown["end"]), "CONFIRMED", title,
                        datetime.fromisoformat(shown["start"]))  # fmt: skip
        world.add("event", Written(f"event export {event_id} ({title})", export, [record]))
        out = world.root / "events" / event_id
        for _name, address, _zone in MEMBERS[:3]:
            done = cli.ok("event", "rsvp", event_id, address, "--out", str(out))
            for path in written_files(done.stdout):
                data = path.read_bytes()
                label = f"event rsvp {event_id} {address}: {path.name}"
                world.emls.append((label, data))
                for part in calendar_parts(data):
                    world.add("event", Written(label, part, [record]))


CHECKIN = ("2026-10-25 02:15", "Europe/Rome", 45)  # starts in the repeated hour, ends in it


def _checkins(world: Community) -> None:
    cli = world.cli
    cli.ok("mentor", "pair", "anna@example.com", "carla@example.com", "--topic", "pricing")
    out = world.root / "mentoring"
    start, zone, minutes = CHECKIN
    done = cli.ok("mentor", "checkin", "1", "--start", start, "--timezone", zone,
                  "--duration", str(minutes), "--out", str(out))  # fmt: skip
    _checkin_files(world, "mentor checkin", written_files(done.stdout))
    done = cli.ok("mentor", "checkin-cancel", "1", "--out", str(out))
    _checkin_files(world, "mentor checkin-cancel", written_files(done.stdout))


def _checkin_files(world: Community, label: str, paths: list[Path]) -> None:
    (row,) = json.loads(world.cli.ok("mentor", "checkins", "--format", "json").stdout)
    record = Record(row["uid"], _utc(row["start"]), _utc(row["end"]), _status(row["status"]))
    assert paths, f"{label} wrote nothing"
    for path in paths:
        data = path.read_bytes()
        if path.suffix == ".eml":
            world.emls.append((f"{label}: {path.name}", data))
            parts = calendar_parts(data)
        else:
            parts = [data]
        for part in parts:
            world.add("checkin", Written(f"{label}: {path.name}", part, [record]))


def _reminders(world: Community, patch: pytest.MonkeyPatch) -> None:
    """Reminders the day before the repeated hour in Rome (meetings and an event)."""
    records = meetings(world.cli)
    patch.setenv("PEERKIT_NOW", "2026-10-24T12:00:00+00:00")
    try:
        done = world.cli.ok("remind", "--within", "24", "--out", str(world.root / "reminders"))
    finally:
        patch.delenv("PEERKIT_NOW")
    paths = written_files(done.stdout)
    assert len(paths) >= 3, done  # rome-night, rome-late and the event, at least
    for path in paths:
        data = path.read_bytes()
        world.emls.append((f"remind: {path.name}", data))
        for part in calendar_parts(data):
            expected = [records[uid] for uid in uids_in(part) if uid in records]
            world.add("remind", Written(f"remind: {path.name}", part, expected))
    world.outputs.setdefault("remind", [])


@pytest.fixture(scope="module")
def community(tmp_path_factory: pytest.TempPathFactory) -> Community:
    """The community, everything it wrote, and its records: built once for the module."""
    root = tmp_path_factory.mktemp("parsers")
    with pytest.MonkeyPatch.context() as patch:
        isolate(patch, root / "home")
        patch.setenv("PEERKIT_TODAY", TODAY)
        return _build(Cli(root / "community" / "peerkit.db"), root, patch)


# --- judging --------------------------------------------------------------------------------


def _key(item: Record | Occurrence, series: bool) -> tuple[str, datetime, datetime, str]:
    """What is compared: UID (not for a series), start, end and status in UTC. An occurrence
    without a STATUS is shown as confirmed by the applications."""
    return ("" if series else item.uid, item.start, item.end, item.status or "CONFIRMED")


def _show(key: tuple[str, datetime, datetime, str]) -> str:
    uid, start, end, status = key
    who = f"{uid[:8]} " if uid else ""
    return f"{who}{start:%Y-%m-%d %H:%M}Z-{end:%H:%M}Z {status}"


def problems(outputs: Iterable[Written]) -> list[str]:
    """Each disagreement between a parser's reading and peerkit's records, one line each."""
    outputs = list(outputs)
    assert outputs, "nothing was written to judge"
    readings = all_occurrences_many([o.data for o in outputs], *WINDOW)
    found = []
    for written, read in zip(outputs, readings, strict=True):
        want = sorted(_key(r, written.series) for r in written.expected)
        for parser in PARSERS:
            got = sorted(_key(o, written.series) for o in read[parser])
            if got == want:
                continue
            missing = [_show(k) for k in want if k not in got]
            extra = [_show(k) for k in got if k not in want]
            found.append(
                f"{written.label}: {parser} read {'; '.join(extra) or 'nothing more'}"
                f" instead of {'; '.join(missing) or 'nothing'}"
            )
    return found


def assert_read_as_recorded(outputs: Iterable[Written]) -> None:
    found = problems(outputs)
    assert not found, f"{len(found)} disagreement(s):\n" + "\n".join(found)


# --- the data really is at the hard hours ---------------------------------------------------


def test_the_community_meets_at_the_repeated_and_missing_hours(community: Community) -> None:
    """The records hold what the other tests need: else they would prove nothing."""
    records = community.records
    by_day = {(r.group, r.local.date().isoformat()): r for r in records.values() if r.local}
    for group, day in HARD:
        assert (group, day) in by_day, (group, day)
    zone = {g.slug: ZoneInfo(g.zone) for g in GROUPS}

    def ambiguous(moment: datetime, slug: str) -> bool:
        naive = moment.astimezone(zone[slug]).replace(tzinfo=None, fold=0)
        first, second = naive.replace(tzinfo=zone[slug]), naive.replace(tzinfo=zone[slug], fold=1)
        return first.utcoffset() != second.utcoffset()

    def missing(naive: datetime, slug: str) -> bool:
        there = naive.replace(tzinfo=zone[slug])
        return there.astimezone(UTC).astimezone(zone[slug]).replace(tzinfo=None) != naive

    for key in [("rome-night", "2026-10-25"), ("new-york-night", "2026-11-01"),
                ("sydney-night", "2026-04-05")]:  # fmt: skip
        assert ambiguous(by_day[key].start, key[0]), key
    late = by_day["rome-late", "2026-10-25"]
    assert not ambiguous(late.start, "rome-late")
    assert ambiguous(late.end, "rome-late")  # it ends in the repeated hour
    for group, day in [("rome-night", "2026-03-29"), ("rome-night", "2027-03-28"),
                       ("sydney-night", "2026-10-04")]:  # fmt: skip
        g = next(g for g in GROUPS if g.slug == group)
        assert missing(datetime.fromisoformat(f"{day} {g.time}"), group)
    zones = {z for _n, _e, z in MEMBERS}
    assert len(zones) >= 6
    south = {"America/Sao_Paulo", "Australia/Sydney", "Pacific/Auckland", "Africa/Johannesburg"}
    assert zones & south
    assert zones - south
    statuses = {r.status for r in records.values() if r.group == "rome-night"}
    assert statuses == {"CONFIRMED", "CANCELLED"}
    moved = by_day["rome-night", "2026-05-12"]
    assert moved.local is not None
    assert (moved.local.hour, moved.local.minute) == (19, 0)


# --- plan week ----------------------------------------------------------------------------


def test_plan_week_session_calendars_read_as_recorded(
    community: Community, parsers: tuple[str, ...]
) -> None:
    weeks = [w for w in community.outputs["plan week"] if w.label.endswith("session.ics")]
    assert len(weeks) >= len(WEEKS)
    assert_read_as_recorded(weeks)


def test_plan_week_invitations_read_as_recorded(
    community: Community, parsers: tuple[str, ...]
) -> None:
    invitations = [w for w in community.outputs["plan week"] if w.label.endswith(".eml")]
    assert len(invitations) >= 2 * len(WEEKS)
    assert_read_as_recorded(invitations)


def test_a_week_planned_again_after_a_move_and_a_pause_reads_as_recorded(
    community: Community, parsers: tuple[str, ...]
) -> None:
    again = community.outputs["replanned"]
    (session,) = [w for w in again if w.label.endswith("rome-night/session.ics")]
    (moved,) = session.expected
    assert moved.local is not None
    assert (moved.local.hour, moved.local.minute) == (2, 50)  # still in the repeated hour
    assert any(w.label.endswith(".eml") for w in again)
    assert_read_as_recorded(again)


# --- invite, export ics, event, check-ins, remind ---------------------------------------------


def test_invite_for_meetings_at_the_hard_hours_reads_as_recorded(
    community: Community, parsers: tuple[str, ...]
) -> None:
    assert_read_as_recorded(community.outputs["invite"])


def test_export_of_single_sessions_at_the_hard_hours_reads_as_recorded(
    community: Community, parsers: tuple[str, ...]
) -> None:
    assert_read_as_recorded(community.outputs["export session"])


def test_export_of_each_group_reads_as_recorded(
    community: Community, parsers: tuple[str, ...]
) -> None:
    assert_read_as_recorded(community.outputs["export group"])


def test_each_group_as_one_series_across_both_changes_reads_as_recorded(
    community: Community, parsers: tuple[str, ...]
) -> None:
    """RRULE in the group's zone, EXDATE for the cancelled meeting, RECURRENCE-ID overrides
    for the moved ones: every occurrence where peerkit holds the meeting."""
    assert_read_as_recorded(community.outputs["export series"])


def test_export_of_each_members_calendar_reads_as_recorded(
    community: Community, parsers: tuple[str, ...]
) -> None:
    assert_read_as_recorded(community.outputs["export member"])


def test_export_of_every_meeting_reads_as_recorded(
    community: Community, parsers: tuple[str, ...]
) -> None:
    (everything,) = community.outputs["export all"]
    assert len(everything.expected) == len(community.records) >= sum(g.count for g in GROUPS)
    assert_read_as_recorded([everything])


def test_events_at_the_hard_hours_export_and_invitations_read_as_recorded(
    community: Community, parsers: tuple[str, ...]
) -> None:
    events = community.outputs["event"]
    assert sum(1 for w in events if w.label.startswith("event export")) == len(EVENTS)
    assert any(w.label.startswith("event rsvp") for w in events)
    assert_read_as_recorded(events)


def test_mentoring_checkin_in_the_repeated_hour_reads_as_recorded(
    community: Community, parsers: tuple[str, ...]
) -> None:
    """The check-in's .ics and both invitations, then its cancellation."""
    checkins = community.outputs["checkin"]
    assert any(w.label.endswith(".eml") for w in checkins)
    assert any(w.expected[0].status == "CANCELLED" for w in checkins)
    assert_read_as_recorded(checkins)


def test_reminders_carry_no_calendar_that_disagrees(
    community: Community, parsers: tuple[str, ...]
) -> None:
    """Reminders are plain mail today; a calendar in one must say what peerkit recorded."""
    reminders = [label for label, _data in community.emls if label.startswith("remind")]
    assert reminders
    calendars = community.outputs["remind"]
    if calendars:
        assert_read_as_recorded(calendars)


# --- the calendar part of every e-mail ---------------------------------------------------------


def test_the_calendar_part_of_every_email_has_crlf_line_ends(community: Community) -> None:
    """RFC 5545 3.1: content lines end with CRLF, in a .eml as anywhere."""
    bare = []
    count = 0
    for label, data in community.emls:
        for part in calendar_parts(data):
            count += 1
            lines = part.split(b"\n")
            if not part.endswith(b"\r\n") or any(not ln.endswith(b"\r") for ln in lines[:-1]):
                bare.append(label)
    assert count >= 20
    assert not bare, f"{len(bare)} of {count} calendar parts have bare LF line ends: {bare[:5]}"


# --- a round trip through a CalDAV server -----------------------------------------------------


def test_every_meeting_published_to_radicale_reads_back_as_recorded(
    community: Community, parsers: tuple[str, ...], tmp_path: Path
) -> None:
    """`publish caldav` to a real Radicale, every resource read back from the server and
    judged by the four parsers: what the server keeps is still the recorded meeting."""
    import caldav

    from tests.servers import radicale_calendar

    with radicale_calendar(tmp_path / "radicale", "community") as url:
        community.cli.ok("publish", "caldav", url, "--user", "paolo")
        client = caldav.DAVClient(url, username="paolo", password="x")
        items = [item.data for item in client.calendar(url=url).events()]
    back = []
    for text in items:
        (event,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
        uid = str(event["UID"])
        back.append(Written(f"radicale {uid[:8]}", text.encode("utf-8"), [community.records[uid]]))
    published = {w.expected[0].uid for w in back}
    assert published == set(community.records)  # every meeting, once
    assert_read_as_recorded(back)
