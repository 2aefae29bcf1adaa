"""Mentoring: the optimal assignment (against brute force), the `mentor` commands, check-ins
as iMIP invitations and .ics files (three parsers, SMTP, CalDAV), and erasure."""

from __future__ import annotations

import email
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.message import Message
from email.policy import default
from pathlib import Path
from typing import Any

import icalendar
import pytest
import recurring_ical_events
import vobject
from aiosmtpd.controller import Controller

from peerkit.services.mentoring.matching import Mentee, Mentor, Pair, assign, quality
from tests.conftest import FIXED_TODAY, Cli, assert_error
from tests.servers import free_port, radicale_calendar, smtp_server

TOPICS = ("pricing", "sales", "legal", "marketing", "hiring")
# mentor match with nothing to propose: the contract's keys, then those appended
NO_PROPOSAL = {"pairs": [], "unmatched": [], "benched": [], "rules": [], "window_days": 90}


# --- assign() against brute force ------------------------------------------------------------


def _eligible(mentor: Mentor, mentee: Mentee, active: set[tuple[int, int]]) -> bool:
    return (
        mentor.id != mentee.id
        and (mentor.id, mentee.id) not in active
        and bool(mentor.skills & mentee.needs)
    )


def brute_force(
    mentors: list[Mentor], mentees: list[Mentee], active: set[tuple[int, int]]
) -> tuple[int, float]:
    """Every assignment, enumerated: (most mentees served, best total quality among those)."""
    options = [[m for m in mentors if _eligible(m, e, active)] for e in mentees]
    left = {m.id: max(0, m.seats) for m in mentors}
    best = (0, 0.0)

    def walk(i: int, served: int, total: float) -> None:
        nonlocal best
        if i == len(mentees):
            if served > best[0] or (served == best[0] and total > best[1]):
                best = (served, total)
            return
        walk(i + 1, served, total)  # this mentee gets nobody
        for mentor in options[i]:
            if left[mentor.id] > 0:
                left[mentor.id] -= 1
                walk(i + 1, served + 1, total + quality(mentor, mentees[i]))
                left[mentor.id] += 1

    walk(0, 0, 0.0)
    return best


def _random_instance(
    rng: random.Random,
) -> tuple[list[Mentor], list[Mentee], set[tuple[int, int]]]:
    people = list(range(1, 11))
    stages: list[int | None] = [None, 0, 1, 2, 3]
    mentor_ids = rng.sample(people, rng.randint(3, 6))
    mentee_ids = rng.sample(people, rng.randint(3, 7))  # overlaps: some are both
    mentors = [
        Mentor(i, frozenset(rng.sample(TOPICS, rng.randint(1, 3))), rng.randint(0, 2),
               rng.choice(stages))
        for i in mentor_ids
    ]  # fmt: skip
    mentees = [
        Mentee(i, frozenset(rng.sample(TOPICS, rng.randint(1, 3))), rng.choice(stages))
        for i in mentee_ids
    ]
    pairs = [(m, e) for m in mentor_ids for e in mentee_ids if m != e]
    active = set(rng.sample(pairs, rng.randint(0, min(3, len(pairs)))))
    return mentors, mentees, active


def _check_valid(
    pairs: list[Pair], mentors: list[Mentor], mentees: list[Mentee], active: set[tuple[int, int]]
) -> None:
    by_mentor = {m.id: m for m in mentors}
    by_mentee = {e.id: e for e in mentees}
    assert len({p.mentee for p in pairs}) == len(pairs)  # one mentor each at most
    for p in pairs:
        mentor, mentee = by_mentor[p.mentor], by_mentee[p.mentee]
        assert p.mentor != p.mentee
        assert (p.mentor, p.mentee) not in active
        assert p.topics == tuple(sorted(mentor.skills & mentee.needs))
        assert p.topics
        assert p.score == quality(mentor, mentee)
    for mentor in mentors:
        assert sum(p.mentor == mentor.id for p in pairs) <= max(0, mentor.seats)


@pytest.mark.parametrize("seed", range(60))
def test_assign_matches_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    mentors, mentees, active = _random_instance(rng)
    pairs = assign(mentors, mentees, active)
    _check_valid(pairs, mentors, mentees, active)
    served, total = brute_force(mentors, mentees, active)
    assert len(pairs) == served
    assert sum(p.score for p in pairs) == pytest.approx(total, abs=1e-9)


def test_the_random_instances_are_not_trivial() -> None:
    """The brute-force comparison means something: mentees are served, and not all of them."""
    served_some = scarce = both_roles = 0
    for seed in range(60):
        mentors, mentees, active = _random_instance(random.Random(seed))
        served, _total = brute_force(mentors, mentees, active)
        served_some += served > 0
        scarce += served < len(mentees)
        both_roles += bool({m.id for m in mentors} & {e.id for e in mentees})
    assert served_some >= 50
    assert scarce >= 20
    assert both_roles >= 30


def _greedy(mentors: list[Mentor], mentees: list[Mentee]) -> list[tuple[int, int]]:
    """Each mentee in turn takes the best mentor with a free seat."""
    left = {m.id: m.seats for m in mentors}
    taken = []
    for mentee in mentees:
        able = [m for m in mentors if left[m.id] > 0 and _eligible(m, mentee, set())]
        if able:
            best = max(able, key=lambda m: quality(m, mentee))
            left[best.id] -= 1
            taken.append((best.id, mentee.id))
    return taken


def test_a_scarce_mentor_is_not_given_away_greedily() -> None:
    x = Mentor(1, frozenset({"pricing", "sales"}), 1, stage=3)  # ahead of A: A's best
    y = Mentor(2, frozenset({"pricing"}), 1, stage=0)
    a = Mentee(3, frozenset({"pricing"}), stage=2)
    b = Mentee(4, frozenset({"sales"}), stage=2)
    assert _greedy([x, y], [a, b]) == [(1, 3)]  # greedy: X for A, and B is left out
    pairs = assign([x, y], [a, b])
    assert [(p.mentor, p.mentee) for p in pairs] == [(2, 3), (1, 4)]
    assert [p.topics for p in pairs] == [("pricing",), ("sales",)]


def test_assign_never_pairs_a_member_with_themselves_or_an_active_pair() -> None:
    both = Mentor(1, frozenset({"pricing"}), 2)
    other = Mentor(2, frozenset({"pricing"}), 1)
    assert assign([both], [Mentee(1, frozenset({"pricing"}))]) == []
    mentees = [Mentee(1, frozenset({"pricing"})), Mentee(3, frozenset({"pricing"}))]
    pairs = assign([both, other], mentees, active={(2, 3)})
    assert {(p.mentor, p.mentee) for p in pairs} == {(2, 1), (1, 3)}
    assert assign([other], [Mentee(3, frozenset({"pricing"}))], active={(2, 3)}) == []


def test_assign_respects_seats() -> None:
    mentor = Mentor(1, frozenset({"pricing"}), 2)
    mentees = [Mentee(i, frozenset({"pricing"})) for i in range(2, 7)]
    assert len(assign([mentor], mentees)) == 2
    assert assign([Mentor(1, frozenset({"pricing"}), 0)], mentees) == []
    assert assign([Mentor(1, frozenset({"pricing"}), -1)], mentees) == []


# --- the mentor commands ---------------------------------------------------------------------


def _add(cli: Cli, name: str, *extra: str) -> int:
    address = f"{name.split()[0].lower()}@example.com"
    return int(cli.ok("member", "add", name, "--email", address, *extra).stdout.strip())


def _json(cli: Cli, *args: str) -> Any:
    return json.loads(cli.ok(*args, "--format", "json").stdout)


def _active_pairs(cli: Cli) -> set[tuple[int, int]]:
    return {(r["mentor"], r["mentee"]) for r in _json(cli, "mentor", "list")}


@pytest.fixture
def org(cli: Cli) -> Cli:
    """A community with an organiser (so check-ins can be sent)."""
    cli.ok("init", "--community", "Freelance Insieme", "--timezone", "Europe/Rome",
           "--organiser-name", "Paolo Pavan", "--organiser-email", "paolo@example.com")  # fmt: skip
    return cli


def test_match_json_has_the_contract_shape(org: Cli) -> None:
    ann = _add(org, "Ann Able", "--skills", "pricing,sales", "--mentor-capacity", "2",
               "--stage", "growth")  # fmt: skip
    bob = _add(org, "Bob Bell", "--needs", "pricing", "--stage", "early")
    cy = _add(org, "Cy Cole", "--needs", "legal")
    proposal = _json(org, "mentor", "match")
    # the contract's keys first, then those appended (docs/mentoring.md)
    assert list(proposal) == ["pairs", "unmatched", "benched", "rules", "window_days"]
    assert [{k: p[k] for k in ("mentor", "mentee", "topics", "score")}
            for p in proposal["pairs"]] == [
        {"mentor": ann, "mentee": bob, "topics": ["pricing"], "score": 1.0}
    ]  # fmt: skip
    assert all(list(p) == ["mentor", "mentee", "topics", "score", "reasons"]
               for p in proposal["pairs"])  # fmt: skip
    (left,) = proposal["unmatched"]
    assert {"member", "need"} <= set(left)
    assert left["member"] == cy
    assert left["need"] == "legal"
    assert _json(org, "mentor", "list") == []  # a proposal only


def test_apply_creates_the_mentorships_and_covered_mentees_leave_the_match(org: Cli) -> None:
    ann = _add(org, "Ann Able", "--skills", "pricing,sales", "--mentor-capacity", "3")
    bob = _add(org, "Bob Bell", "--needs", "pricing,sales")
    cy = _add(org, "Cy Cole", "--needs", "sales")
    applied = org.ok("mentor", "match", "--apply", "--format", "json")
    assert "Created 2 mentorship(s)." in applied.stderr
    rows = _json(org, "mentor", "list")
    assert all(set(r) == {"id", "mentor", "mentee", "topic", "started", "ended", "score"}
               for r in rows)  # fmt: skip
    by_mentee = {r["mentee"]: r for r in rows}
    assert set(by_mentee) == {bob, cy}
    assert by_mentee[bob]["mentor"] == ann
    assert by_mentee[bob]["topic"] == "pricing, sales"
    assert by_mentee[cy]["topic"] == "sales"
    assert all(r["started"] == FIXED_TODAY and r["ended"] is None for r in rows)
    assert by_mentee[bob]["score"] == pytest.approx(0.9)  # all needs, same (unknown) stage
    again = _json(org, "mentor", "match")
    assert again == NO_PROPOSAL  # every need is covered now
    assert len(_json(org, "mentor", "list")) == 2


def test_match_never_proposes_an_active_pair_again(org: Cli) -> None:
    ann = _add(org, "Ann Able", "--skills", "pricing", "--mentor-capacity", "3")
    bob = _add(org, "Bob Bell", "--needs", "pricing,sales")
    org.ok("mentor", "match", "--apply")
    assert _active_pairs(org) == {(ann, bob)}
    # Ann learns sales and still has seats; Bob still needs sales: not Ann again.
    org.ok("member", "edit", str(ann), "--skills", "pricing,sales")
    proposal = _json(org, "mentor", "match")
    assert proposal["pairs"] == []
    assert [u["member"] for u in proposal["unmatched"]] == [bob]
    assert proposal["unmatched"][0]["need"] == "sales"
    dan = _add(org, "Dan Dow", "--skills", "sales", "--mentor-capacity", "1")
    proposal = _json(org, "mentor", "match")
    assert [(p["mentor"], p["mentee"], p["topics"]) for p in proposal["pairs"]] == [
        (dan, bob, ["sales"])
    ]
    org.ok("mentor", "match", "--apply")
    assert _active_pairs(org) == {(ann, bob), (dan, bob)}
    assert _json(org, "mentor", "match") == NO_PROPOSAL


def test_a_mentee_covered_by_a_hand_made_topic_is_no_longer_a_mentee(org: Cli) -> None:
    ann = _add(org, "Ann Able", "--skills", "pricing", "--mentor-capacity", "1")
    _add(org, "Eve Eng", "--skills", "pricing", "--mentor-capacity", "1")
    bob = _add(org, "Bob Bell", "--needs", "pricing")
    org.ok("mentor", "pair", str(ann), str(bob), "--topic", "Pricing")
    assert _json(org, "mentor", "match") == NO_PROPOSAL


def test_paused_members_are_not_matched(org: Cli) -> None:
    ann = _add(org, "Ann Able", "--skills", "pricing", "--mentor-capacity", "2")
    eve = _add(org, "Eve Eng", "--skills", "pricing", "--mentor-capacity", "2")
    bob = _add(org, "Bob Bell", "--needs", "pricing")
    cy = _add(org, "Cy Cole", "--needs", "pricing")
    org.ok("member", "pause", str(ann))
    org.ok("member", "pause", str(cy), "--until", "2027-01-10")
    proposal = _json(org, "mentor", "match")
    assert [(p["mentor"], p["mentee"]) for p in proposal["pairs"]] == [(eve, bob)]
    assert proposal["unmatched"] == []
    org.ok("member", "pause", str(eve))
    proposal = _json(org, "mentor", "match")
    assert proposal["pairs"] == []
    assert [u["member"] for u in proposal["unmatched"]] == [bob]


def test_capacity_counts_the_mentorships_already_active(org: Cli) -> None:
    ann = _add(org, "Ann Able", "--skills", "pricing", "--mentor-capacity", "2")
    mentees = [_add(org, f"{n} Mentee", "--needs", "pricing") for n in ("Bob", "Cy", "Dan", "Eli")]
    org.ok("mentor", "pair", str(ann), str(mentees[0]))
    proposal = _json(org, "mentor", "match")
    assert len(proposal["pairs"]) == 1  # one seat left
    assert len(proposal["unmatched"]) == 2
    org.ok("mentor", "match", "--apply")
    assert sum(m == ann for m, _e in _active_pairs(org)) == 2
    after = _json(org, "mentor", "match")
    assert after["pairs"] == []
    assert {u["reason"] for u in after["unmatched"]} == {
        "no mentor with free seats has these skills"
    }


def test_the_greedy_counter_example_through_the_cli(org: Cli) -> None:
    x = _add(org, "Xena X", "--skills", "pricing,sales", "--mentor-capacity", "1",
             "--stage", "established")  # fmt: skip
    y = _add(org, "Yuri Y", "--skills", "pricing", "--mentor-capacity", "1", "--stage", "idea")
    a = _add(org, "Ava A", "--needs", "pricing", "--stage", "growth")
    b = _add(org, "Ben B", "--needs", "sales", "--stage", "growth")
    proposal = _json(org, "mentor", "match")
    assert {(p["mentor"], p["mentee"]) for p in proposal["pairs"]} == {(y, a), (x, b)}
    assert proposal["unmatched"] == []


def test_pair_prints_the_id_and_refuses_the_impossible(org: Cli) -> None:
    ann = _add(org, "Ann Able", "--skills", "pricing,sales", "--mentor-capacity", "1")
    bob = _add(org, "Bob Bell", "--needs", "pricing")
    cy = _add(org, "Cy Cole", "--needs", "sales")
    made = org.ok("mentor", "pair", str(ann), str(bob), "--topic", "pricing")
    assert made.stdout == "1\n"
    assert "Warning" not in made.stderr
    assert_error(org("mentor", "pair", str(ann), str(ann)), "themselves")
    assert_error(org("mentor", "pair", str(ann), str(bob)), "already mentors")
    assert_error(org("mentor", "pair", "ann@example.com", "bob@example.com", "--topic", "x"))
    over = org("mentor", "pair", str(ann), str(cy), "--topic", "sales")
    assert over.exit_code == 0, over.stderr
    assert over.stdout == "2\n"
    assert "Warning: " in over.stderr
    assert "capacity of 1" in over.stderr
    rows = _json(org, "mentor", "list")
    assert [(r["id"], r["mentor"], r["mentee"], r["topic"]) for r in rows] == [
        (1, ann, bob, "pricing"),
        (2, ann, cy, "sales"),
    ]


def test_end_sets_ended_once_and_list_all_shows_it(org: Cli) -> None:
    ann = _add(org, "Ann Able", "--skills", "pricing", "--mentor-capacity", "1")
    bob = _add(org, "Bob Bell", "--needs", "pricing")
    org.ok("mentor", "pair", str(ann), str(bob))
    ended = org.ok("mentor", "end", "1")
    assert ended.stdout == ""
    assert _json(org, "mentor", "list") == []
    (row,) = _json(org, "mentor", "list", "--all")
    assert row["id"] == 1
    assert row["ended"] == FIXED_TODAY
    assert_error(org("mentor", "end", "1"), "already ended")
    assert_error(org("mentor", "end", "99"), "99")
    assert_error(org("mentor", "end", "abc"))
    # Ended, the pair may be made again, and the seat is free again.
    assert org.ok("mentor", "pair", str(ann), str(bob)).stdout == "2\n"
    assert len(_json(org, "mentor", "list", "--all")) == 2


# --- check-ins -------------------------------------------------------------------------------

ROME = "Europe/Rome"
NEW_YORK = "America/New_York"
DANIEL, GIULIA, PAOLO = "daniel@example.com", "giulia@example.com", "paolo@example.com"


@pytest.fixture
def pairing(org: Cli) -> Cli:
    """Mentorship 1: Daniel (New York, English) mentors Giulia (Rome, Italian)."""
    org.ok("member", "add", "Daniel Kim", "--email", DANIEL, "--timezone", NEW_YORK,
           "--locale", "en", "--skills", "pricing", "--mentor-capacity", "2")  # fmt: skip
    org.ok("member", "add", "Giulia Rossi", "--email", GIULIA, "--timezone", ROME,
           "--locale", "it", "--needs", "pricing")  # fmt: skip
    assert org.ok("mentor", "pair", "1", "2", "--topic", "pricing").stdout == "1\n"
    return org


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def _the_event(data: bytes) -> icalendar.Event:
    (event,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    return event


def _instants(data: bytes) -> tuple[datetime, datetime, datetime]:
    """The start as icalendar, vobject and recurring_ical_events read it, in UTC."""
    cal = icalendar.Calendar.from_ical(data)
    (event,) = cal.walk("VEVENT")
    (by_vobject,) = vobject.readOne(data.decode("utf-8")).vevent_list
    (occurrence,) = recurring_ical_events.of(cal).between(date(2026, 1, 1), date(2028, 12, 31))
    return (
        event["DTSTART"].dt.astimezone(UTC),
        by_vobject.dtstart.value.astimezone(UTC),
        occurrence["DTSTART"].dt.astimezone(UTC),
    )


def _emails(folder: Path, pattern: str = "*.eml") -> dict[str, Message]:
    """The .eml files of a folder, by the one recipient's address."""
    found = {}
    for path in sorted(folder.glob(pattern)):
        assert path.stat().st_mode & 0o777 == 0o600
        message = email.message_from_bytes(path.read_bytes(), policy=default)
        (to,) = message.get_all("To")
        (address,) = to.addresses
        found[address.addr_spec] = message
    return found


def _calendar_part(message: Message) -> tuple[Message, icalendar.Calendar]:
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    return part, icalendar.Calendar.from_ical(part.get_payload(decode=True))


def _text(message: Message) -> str:
    return str(message.get_body(("plain",)).get_content())  # type: ignore[union-attr]


def test_checkin_writes_an_ics_and_one_invitation_each(pairing: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = pairing.ok("mentor", "checkin", "1", "--start", "2026-12-03 18:30",
                        "--timezone", ROME, "--out", str(out))  # fmt: skip
    ics = out / "checkin-1.ics"
    written = sorted(out.iterdir())
    assert len(written) == 3
    assert sorted(result.stdout.splitlines()) == sorted(str(p) for p in written)
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in written)

    data = ics.read_bytes()
    cal = icalendar.Calendar.from_ical(data)
    assert str(cal["METHOD"]) == "REQUEST"
    event = _the_event(data)
    start = event["DTSTART"]
    assert start.params["TZID"] == ROME
    assert start.dt.replace(tzinfo=None) == datetime(2026, 12, 3, 18, 30)
    assert _instants(data) == (_utc(2026, 12, 3, 17, 30),) * 3
    attendees = {str(a).lower() for a in event.get("ATTENDEE")}
    assert attendees == {f"mailto:{DANIEL}", f"mailto:{GIULIA}"}
    assert str(event["ORGANIZER"]).lower() == f"mailto:{PAOLO}"
    uid = str(event["UID"])

    mails = _emails(out)
    assert set(mails) == {DANIEL, GIULIA}
    for address, message in mails.items():
        assert message["From"].addresses[0].addr_spec == PAOLO
        # Each invitation names its own member only: the other's address is not shown.
        other = GIULIA if address == DANIEL else DANIEL
        raw = (
            out / next(p.name for p in out.glob("*.eml") if address in p.read_text())
        ).read_text()
        assert other not in raw
        part, theirs = _calendar_part(message)
        (theirs_event,) = theirs.walk("VEVENT")
        assert str(theirs_event["ATTENDEE"]).lower() == f"mailto:{address}"  # one, not a list
        assert part.get_param("method") == "REQUEST"
        assert str(theirs["METHOD"]) == "REQUEST"
        (their_event,) = theirs.walk("VEVENT")
        assert str(their_event["UID"]) == uid
        assert their_event["DTSTART"].dt.astimezone(UTC) == _utc(2026, 12, 3, 17, 30)
    italian, english = _text(mails[GIULIA]), _text(mails[DANIEL])
    assert "incontro di mentoring" in italian
    assert "giovedì 3 dicembre 2026, 18:30 (Europe/Rome)" in italian
    assert "Daniel Kim" in italian
    assert "mentoring check-in" in english
    assert "Thursday 3 December 2026, 12:30 (America/New_York)" in english
    assert "incontro" not in english

    (row,) = _json(pairing, "mentor", "checkins")
    assert row["id"] == 1
    assert row["mentorship"] == 1
    assert row["start"] == "2026-12-03T18:30:00+01:00"
    assert row["end"] == "2026-12-03T19:15:00+01:00"
    assert row["timezone"] == ROME
    assert row["status"] == "planned"
    assert row["uid"] == uid


@pytest.mark.parametrize(
    ("start", "zone", "instant", "giulia_sees"),
    [
        ("2027-03-23 18:30", ROME, _utc(2027, 3, 23, 17, 30), "martedì 23 marzo 2027, 18:30"),
        ("2027-03-30 18:30", ROME, _utc(2027, 3, 30, 16, 30), "martedì 30 marzo 2027, 18:30"),
        # The mentee's zone by default: New York, before and after 14 March 2027.
        ("2027-03-10 18:30", None, _utc(2027, 3, 10, 23, 30), "giovedì 11 marzo 2027, 00:30"),
        ("2027-03-17 18:30", None, _utc(2027, 3, 17, 22, 30), "mercoledì 17 marzo 2027, 23:30"),
    ],
)
def test_checkins_across_daylight_saving_changes(
    org: Cli, tmp_path: Path, start: str, zone: str | None, instant: datetime, giulia_sees: str
) -> None:
    """Giulia (Rome) mentors Daniel (New York): the check-in is in Daniel's zone by default."""
    org.ok("member", "add", "Giulia Rossi", "--email", GIULIA, "--timezone", ROME,
           "--locale", "it")  # fmt: skip
    org.ok("member", "add", "Daniel Kim", "--email", DANIEL, "--timezone", NEW_YORK)
    org.ok("mentor", "pair", "1", "2", "--topic", "hiring")
    out = tmp_path / "out"
    extra = ["--timezone", zone] if zone else []
    org.ok("mentor", "checkin", "1", "--start", start, *extra, "--out", str(out))
    data = (out / "checkin-1.ics").read_bytes()
    assert _instants(data) == (instant,) * 3
    assert _the_event(data)["DTSTART"].params["TZID"] == (zone or NEW_YORK)
    mails = _emails(out)
    assert f"{giulia_sees} (Europe/Rome)" in _text(mails[GIULIA])
    for message in mails.values():
        (event,) = _calendar_part(message)[1].walk("VEVENT")
        assert event["DTSTART"].dt.astimezone(UTC) == instant
    (row,) = _json(org, "mentor", "checkins")
    assert row["timezone"] == (zone or NEW_YORK)
    assert row["start"][:16] == start.replace(" ", "T")


def test_checkin_cancel_writes_method_cancel_with_a_higher_sequence(
    pairing: Cli, tmp_path: Path
) -> None:
    pairing.ok("mentor", "checkin", "1", "--start", "2026-12-03 18:30", "--out",
               str(tmp_path / "a"))  # fmt: skip
    first = _the_event((tmp_path / "a" / "checkin-1.ics").read_bytes())
    out = tmp_path / "b"
    pairing.ok("mentor", "checkin-cancel", "1", "--out", str(out))
    data = (out / "checkin-1.ics").read_bytes()
    assert str(icalendar.Calendar.from_ical(data)["METHOD"]) == "CANCEL"
    event = _the_event(data)
    assert str(event["UID"]) == str(first["UID"])
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) > int(first["SEQUENCE"])
    vobject.readOne(data.decode("utf-8"))
    mails = _emails(out)
    assert set(mails) == {DANIEL, GIULIA}
    for message in mails.values():
        part, cal = _calendar_part(message)
        assert part.get_param("method") == "CANCEL"
        assert str(cal["METHOD"]) == "CANCEL"
        (theirs,) = cal.walk("VEVENT")
        assert str(theirs["UID"]) == str(first["UID"])
        assert str(theirs["STATUS"]) == "CANCELLED"
    (row,) = _json(pairing, "mentor", "checkins")
    assert row["status"] == "cancelled"
    # Cancelling again writes the same cancellation again (a failed send can be retried),
    # with the same SEQUENCE: calendars see one cancellation.
    again = pairing.ok("mentor", "checkin-cancel", "1", "--out", str(tmp_path / "c"))
    assert "checkin-1.ics" in again.stdout
    assert (
        _the_event((tmp_path / "c" / "checkin-1.ics").read_bytes())["SEQUENCE"] == event["SEQUENCE"]
    )
    assert_error(pairing("mentor", "checkin-cancel", "7", "--out", str(out)))


def test_ending_a_mentorship_cancels_its_future_planned_checkins(
    pairing: Cli, tmp_path: Path
) -> None:
    out = str(tmp_path / "out")
    pairing.ok("mentor", "checkin", "1", "--start", "2026-11-20 18:30", "--out", out)  # past
    pairing.ok("mentor", "checkin", "1", "--start", "2026-12-03 18:30", "--out", out)
    pairing.ok("mentor", "checkin", "1", "--start", "2026-12-17 18:30", "--out", out)
    pairing.ok("mentor", "checkin-cancel", "3", "--out", out)
    ended = pairing.ok("mentor", "end", "1")
    assert "1 planned check-in(s) cancelled" in ended.stderr
    rows = {r["start"][:16]: r["status"] for r in _json(pairing, "mentor", "checkins")}
    assert rows == {
        "2026-11-20T18:30": "planned",
        "2026-12-03T18:30": "cancelled",
        "2026-12-17T18:30": "cancelled",
    }
    assert [r["id"] for r in _json(pairing, "mentor", "checkins", "1")] == [1, 2, 3]


@pytest.mark.parametrize(
    "args",
    [
        ["--start", "tomorrow at six"],
        ["--start", "2026-12-03"],
        ["--start", "2026-12-03 25:00"],
        ["--start", "2026-12-03 18:30", "--timezone", "Mars/Olympus_Mons"],
    ],
)
def test_a_bad_checkin_writes_nothing(pairing: Cli, tmp_path: Path, args: list[str]) -> None:
    out = tmp_path / "out"
    assert_error(pairing("mentor", "checkin", "1", *args, "--out", str(out)))
    assert not out.exists()
    assert _json(pairing, "mentor", "checkins") == []


def test_an_ended_or_unknown_mentorship_gets_no_checkin(pairing: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    pairing.ok("mentor", "end", "1")
    assert_error(pairing("mentor", "checkin", "1", "--start", "2026-12-03 18:30", "--out",
                         str(out)), "ended")  # fmt: skip
    assert_error(pairing("mentor", "checkin", "5", "--start", "2026-12-03 18:30", "--out",
                         str(out)), "5")  # fmt: skip
    assert not out.exists()
    assert _json(pairing, "mentor", "checkins") == []


def test_a_checkin_refused_for_want_of_an_organiser_is_not_kept(cli: Cli, tmp_path: Path) -> None:
    """Invitations need an organiser: the refusal must leave no half-made check-in behind."""
    cli.ok("init", "--timezone", ROME)
    cli.ok("member", "add", "Daniel Kim", "--email", DANIEL)
    cli.ok("member", "add", "Giulia Rossi", "--email", GIULIA)
    cli.ok("mentor", "pair", "1", "2", "--topic", "pricing")
    out = tmp_path / "out"
    refused = cli("mentor", "checkin", "1", "--start", "2026-12-03 18:30", "--out", str(out))
    assert_error(refused, "organiser")
    assert not out.exists()
    assert _json(cli, "mentor", "checkins") == []


# --- sending through a real SMTP server ----------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: Message


@dataclass
class Handler:
    """An aiosmtpd handler that keeps what it is given (as in tests/test_invite_smtp.py)."""

    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Handler]:
    with smtp_server(Handler(), monkeypatch) as handler:
        yield handler


def test_send_delivers_one_invitation_each_then_the_cancellation(
    pairing: Cli, smtp: Handler, tmp_path: Path
) -> None:
    out = str(tmp_path / "out")
    sent = pairing.ok("mentor", "checkin", "1", "--start", "2026-12-03 18:30", "--out", out,
                      "--send")  # fmt: skip
    assert "Sent 2" in sent.stderr
    assert len(smtp.received) == 2
    assert all(len(r.rcpt_tos) == 1 for r in smtp.received)
    assert sorted(r.rcpt_tos[0] for r in smtp.received) == [DANIEL, GIULIA]
    assert all(r.mail_from == PAOLO for r in smtp.received)
    uids = set()
    for r in smtp.received:
        assert r.message["To"].addresses[0].addr_spec == r.rcpt_tos[0]
        part, cal = _calendar_part(r.message)
        assert part.get_param("method") == "REQUEST"
        (event,) = cal.walk("VEVENT")
        uids.add(str(event["UID"]))
        assert event["DTSTART"].dt.astimezone(UTC) == _utc(2026, 12, 3, 17, 30)
    by_address = {r.rcpt_tos[0]: r.message for r in smtp.received}
    assert "incontro di mentoring" in _text(by_address[GIULIA])
    assert "(America/New_York)" in _text(by_address[DANIEL])

    pairing.ok("mentor", "checkin-cancel", "1", "--out", out, "--send")
    cancels = smtp.received[2:]
    assert sorted(r.rcpt_tos[0] for r in cancels) == [DANIEL, GIULIA]
    for r in cancels:
        part, cal = _calendar_part(r.message)
        assert part.get_param("method") == "CANCEL"
        (event,) = cal.walk("VEVENT")
        assert {str(event["UID"])} == uids
        assert str(event["STATUS"]) == "CANCELLED"


def test_sending_the_same_checkin_again_sends_nothing(
    pairing: Cli, smtp: Handler, tmp_path: Path
) -> None:
    """Running the same command twice (a retry, a script run again) must not invite twice.

    `mentor checkin` is the only command that sends a planned check-in, so sending "the same
    check-in" again means running it again with the same mentorship and start.
    """
    command = ("mentor", "checkin", "1", "--start", "2026-12-03 18:30", "--timezone", ROME,
               "--out", str(tmp_path / "out"), "--send")  # fmt: skip
    pairing.ok(*command)
    assert len(smtp.received) == 2
    pairing(*command)  # refused or a no-op: either way, nothing more is sent
    assert len(smtp.received) == 2
    planned = [r for r in _json(pairing, "mentor", "checkins") if r["status"] == "planned"]
    assert len(planned) == 1


def test_a_send_refused_for_want_of_a_server_keeps_no_checkin(pairing: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    refused = pairing("mentor", "checkin", "1", "--start", "2026-12-03 18:30", "--out", str(out),
                      "--send")  # fmt: skip
    assert_error(refused, "PEERKIT_SMTP_URL")
    assert _json(pairing, "mentor", "checkins") == []


# --- feeds, CalDAV, erasure ------------------------------------------------------------------


def test_member_feed_has_their_checkins_and_group_meetings_without_addresses(
    pairing: Cli, tmp_path: Path
) -> None:
    pairing.ok("member", "add", "Cy Cole", "--email", "cy@example.com")
    pairing.ok("group", "create", "Roma", "--day", "thu", "--time", "19:00", "--timezone", ROME,
               "--start", "2026-12-03", "--member", "2", "--member", "3")  # fmt: skip
    pairing.ok("session", "plan", "roma", "--from", "2026-12-03", "--count", "2")
    pairing.ok("mentor", "checkin", "1", "--start", "2026-12-09 18:30", "--timezone", ROME,
               "--out", str(tmp_path / "out"))  # fmt: skip
    uid = _json(pairing, "mentor", "checkins")[0]["uid"]

    def feed(ref: str) -> tuple[bytes, dict[str, datetime]]:
        data = pairing.ok("export", "ics", "--member", ref).stdout.encode("utf-8")
        cal = icalendar.Calendar.from_ical(data)
        assert str(cal["METHOD"]) == "PUBLISH"
        vobject.readOne(data.decode("utf-8"))
        return data, {str(e["UID"]): e["DTSTART"].dt.astimezone(UTC) for e in cal.walk("VEVENT")}

    data, giulia = feed(GIULIA)
    assert len(giulia) == 3  # two meetings of Roma, one check-in
    assert giulia[uid] == _utc(2026, 12, 9, 17, 30)
    meetings = sorted(v for k, v in giulia.items() if k != uid)
    assert meetings == [_utc(2026, 12, 3, 18, 0), _utc(2026, 12, 10, 18, 0)]
    assert b"ATTENDEE" not in data
    assert b"@example.com" not in data.replace(PAOLO.encode(), b"")

    data, daniel = feed(DANIEL)  # in no group: the check-in only
    assert list(daniel) == [uid]
    assert b"ATTENDEE" not in data
    _data, cy = feed("cy@example.com")  # in the group, in no mentorship
    assert uid not in cy
    assert len(cy) == 2


@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[str]:
    """A Radicale server on loopback with an empty calendar (as in tests/test_caldav.py)."""
    with radicale_calendar(tmp_path / "radicale", "mentoring") as url:
        yield url


def test_a_checkin_round_trips_through_radicale(
    pairing: Cli, radicale: str, tmp_path: Path
) -> None:
    import caldav

    out = tmp_path / "out"
    pairing.ok("mentor", "checkin", "1", "--start", "2027-03-30 18:30", "--timezone", ROME,
               "--out", str(out))  # fmt: skip
    text = (out / "checkin-1.ics").read_text(encoding="utf-8")
    ours = _the_event(text.encode("utf-8"))
    target = caldav.DAVClient(radicale, username="paolo", password="x").calendar(url=radicale)
    target.save_event(text.replace("METHOD:REQUEST\r\n", ""))  # a stored resource: no METHOD
    (item,) = target.events()
    back = _the_event(item.data.encode("utf-8"))
    assert str(back["UID"]) == str(ours["UID"])
    assert back["DTSTART"].dt.astimezone(UTC) == _utc(2027, 3, 30, 16, 30)
    assert back["DTSTART"].dt.astimezone(UTC) == ours["DTSTART"].dt.astimezone(UTC)
    (by_vobject,) = vobject.readOne(item.data).vevent_list
    assert by_vobject.dtstart.value.astimezone(UTC) == _utc(2027, 3, 30, 16, 30)


def test_forgetting_a_member_ends_their_mentorships_and_cancels_checkins(
    pairing: Cli, tmp_path: Path
) -> None:
    cy = _add(pairing, "Cy Cole", "--needs", "pricing")
    pairing.ok("mentor", "pair", "1", str(cy), "--topic", "pricing")  # mentorship 2
    out = str(tmp_path / "out")
    pairing.ok("mentor", "checkin", "1", "--start", "2026-12-03 18:30", "--out", out)
    pairing.ok("mentor", "checkin", "1", "--start", "2026-12-10 18:30", "--out", out)
    pairing.ok("mentor", "checkin", "2", "--start", "2026-12-04 18:30", "--out", out)
    pairing.ok("member", "forget", GIULIA, "--yes")

    rows = {r["id"]: r for r in _json(pairing, "mentor", "list", "--all")}
    assert rows[1]["ended"] == FIXED_TODAY
    assert rows[1]["topic"] is None
    assert rows[2]["ended"] is None  # Daniel's other mentorship goes on
    assert rows[2]["topic"] == "pricing"
    assert [r["id"] for r in _json(pairing, "mentor", "list")] == [2]
    status = {r["id"]: r["status"] for r in _json(pairing, "mentor", "checkins")}
    assert status == {1: "cancelled", 2: "cancelled", 3: "planned"}
    assert_error(pairing("mentor", "checkin", "1", "--start", "2026-12-17 18:30", "--out", out))
    proposal = _json(pairing, "mentor", "match")
    assert all(2 not in (p["mentor"], p["mentee"]) for p in proposal["pairs"])
    assert all(u["member"] != 2 for u in proposal["unmatched"])


# --- review fixes: --dry-run, CSV, nothing kept on failure, sends per person, leaving -----------


def _dump(cli: Cli) -> list[str]:
    """Everything in the database, as SQL (to show that a command wrote nothing)."""
    import sqlite3

    conn = sqlite3.connect(cli.db_path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_match_apply_dry_run_shows_the_pairs_and_writes_nothing(org: Cli) -> None:
    ann = _add(org, "Ann Able", "--skills", "pricing,sales", "--mentor-capacity", "2")
    bob = _add(org, "Bob Bell", "--needs", "pricing")
    before = _dump(org)
    result = org.ok("mentor", "match", "--apply", "--dry-run", "--format", "json")
    shown = json.loads(result.stdout)
    assert [(p["mentor"], p["mentee"]) for p in shown["pairs"]] == [(ann, bob)]
    assert "Would create 1 mentorship(s)." in result.stderr
    assert "Created" not in result.stderr
    assert _dump(org) == before
    table = org.ok("mentor", "match", "--apply", "--dry-run")
    assert "Ann Able" in table.stdout
    assert "Would create 1 mentorship(s)." in table.stderr
    assert _dump(org) == before
    assert _json(org, "mentor", "list", "--all") == []


def test_match_csv_has_member_ids_and_the_topics_joined(org: Cli) -> None:
    import csv
    import io

    ann = _add(org, "Ann Able", "--skills", "pricing,sales", "--mentor-capacity", "2")
    bob = _add(org, "Bob Bell", "--needs", "pricing,sales")
    eve = _add(org, "Eve Eng", "--skills", "legal", "--mentor-capacity", "1")
    cy = _add(org, "Cy Cole", "--needs", "legal")
    expected = _json(org, "mentor", "match")["pairs"]
    result = org.ok("mentor", "match", "--format", "csv")
    assert result.stdout.splitlines()[0] == "mentor,mentee,topics,score,reasons"
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {(r["mentor"], r["mentee"]) for r in rows} == {(str(ann), str(bob)), (str(eve), str(cy))}
    assert [(int(r["mentor"]), int(r["mentee"])) for r in rows] == [
        (p["mentor"], p["mentee"]) for p in expected
    ]
    by_mentee = {int(r["mentee"]): r for r in rows}
    assert by_mentee[bob]["topics"] == "pricing, sales"
    assert by_mentee[cy]["topics"] == "legal"
    assert float(by_mentee[bob]["score"]) == next(
        p["score"] for p in expected if p["mentee"] == bob
    )
    assert "Ann Able" not in result.stdout


def test_a_checkin_that_cannot_be_written_is_not_kept(pairing: Cli, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    refused = pairing("mentor", "checkin", "1", "--start", "2026-12-05 10:00",
                      "--out", str(blocker / "sub"))  # fmt: skip
    assert_error(refused, "not a folder")
    assert _json(pairing, "mentor", "checkins") == []
    out = tmp_path / "out"
    late = pairing("mentor", "checkin", "1", "--start", "9999-12-31 23:30", "--out", str(out))
    assert_error(late, "year")
    assert "internal error" not in late.stderr.lower()
    assert _json(pairing, "mentor", "checkins") == []
    assert not out.exists()
    # The same check-in, written where it can be, is number 1: nothing was left behind.
    pairing.ok("mentor", "checkin", "1", "--start", "2026-12-05 10:00", "--out", str(out))
    assert [r["id"] for r in _json(pairing, "mentor", "checkins")] == [1]


@dataclass
class Picky(Handler):
    """Keeps what it is given, but refuses some recipients at RCPT TO."""

    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def picky_smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Picky]:
    handler = Picky()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("PEERKIT_SMTP_URL", f"smtp://127.0.0.1:{port}")
    yield handler
    controller.stop()


def _recipients(handler: Handler) -> list[str]:
    return sorted(address for r in handler.received for address in r.rcpt_tos)


def test_a_send_that_fails_halfway_is_recorded_per_person(
    pairing: Cli, picky_smtp: Picky, tmp_path: Path
) -> None:
    """Daniel (the mentor, sent first) is accepted, Giulia refused: a retry sends her only."""
    picky_smtp.refuse = {GIULIA}
    command = ("mentor", "checkin", "1", "--start", "2026-12-03 18:30", "--timezone", ROME,
               "--out", str(tmp_path / "out"), "--send")  # fmt: skip
    failed = pairing(*command)
    assert failed.exit_code == 1, (failed.stdout, failed.stderr)
    assert "Error: " in failed.stderr
    assert "Traceback" not in failed.stderr
    assert _recipients(picky_smtp) == [DANIEL]
    (row,) = _json(pairing, "mentor", "checkins")
    assert row["status"] == "planned"

    picky_smtp.refuse = set()
    again = pairing.ok(*command)
    assert "Sent 1" in again.stderr
    assert "1 had been sent before" in again.stderr
    assert _recipients(picky_smtp) == [DANIEL, GIULIA]  # Daniel once in total
    (last,) = picky_smtp.received[1:]
    assert last.rcpt_tos == [GIULIA]
    part, _cal = _calendar_part(last.message)
    assert part.get_param("method") == "REQUEST"
    third = pairing.ok(*command)
    assert "2 had been sent before" in third.stderr
    assert _recipients(picky_smtp) == [DANIEL, GIULIA]
    assert len(_json(pairing, "mentor", "checkins")) == 1


def test_a_cancellation_whose_send_failed_can_be_sent_again(
    pairing: Cli, smtp: Handler, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    out = str(tmp_path / "out")
    pairing.ok("mentor", "checkin", "1", "--start", "2026-12-03 18:30", "--out", out)
    working = os.environ["PEERKIT_SMTP_URL"]
    monkeypatch.setenv("PEERKIT_SMTP_URL", f"smtp://127.0.0.1:{free_port()}")  # nobody there
    down = pairing("mentor", "checkin-cancel", "1", "--out", out, "--send")
    assert down.exit_code == 1, (down.stdout, down.stderr)
    assert "Error: " in down.stderr
    assert "Traceback" not in down.stderr
    assert smtp.received == []
    (row,) = _json(pairing, "mentor", "checkins")
    assert row["status"] == "cancelled"

    monkeypatch.setenv("PEERKIT_SMTP_URL", working)
    up = pairing("mentor", "checkin-cancel", "1", "--out", out, "--send")
    assert up.exit_code == 0, (up.stdout, up.stderr)
    assert "Sent 2" in up.stderr
    assert sorted(r.rcpt_tos[0] for r in smtp.received) == [DANIEL, GIULIA]
    for r in smtp.received:
        part, cal = _calendar_part(r.message)
        assert part.get_param("method") == "CANCEL"
        assert str(cal["METHOD"]) == "CANCEL"
    third = pairing.ok("mentor", "checkin-cancel", "1", "--out", out, "--send")
    assert "had been sent before" in third.stderr
    assert "Sent 0" in third.stderr
    assert len(smtp.received) == 2
    (row,) = _json(pairing, "mentor", "checkins")
    assert row["status"] == "cancelled"


def test_a_member_who_leaves_ends_their_mentorships(pairing: Cli, tmp_path: Path) -> None:
    cy = _add(pairing, "Cy Cole", "--needs", "pricing")
    pairing.ok("mentor", "pair", "1", str(cy), "--topic", "pricing")  # mentorship 2: Daniel, Cy
    out = str(tmp_path / "out")
    pairing.ok("mentor", "checkin", "1", "--start", "2026-11-20 18:30", "--out", out)  # past
    pairing.ok("mentor", "checkin", "1", "--start", "2026-12-03 18:30", "--out", out)
    pairing.ok("mentor", "checkin", "2", "--start", "2026-12-04 18:30", "--out", out)
    pairing.ok("member", "remove", GIULIA)

    rows = {r["id"]: r for r in _json(pairing, "mentor", "list", "--all")}
    assert rows[1]["ended"] == FIXED_TODAY
    assert rows[1]["topic"] == "pricing"  # leaving is not being forgotten
    assert rows[2]["ended"] is None
    assert [r["id"] for r in _json(pairing, "mentor", "list")] == [2]
    status = {r["id"]: r["status"] for r in _json(pairing, "mentor", "checkins")}
    assert status == {1: "planned", 2: "cancelled", 3: "planned"}
    refused = pairing("mentor", "checkin", "1", "--start", "2026-12-17 18:30", "--out", out)
    assert_error(refused, "ended")
    assert len(_json(pairing, "mentor", "checkins")) == 3
    proposal = _json(pairing, "mentor", "match")
    assert all(2 not in (p["mentor"], p["mentee"]) for p in proposal["pairs"])


def test_end_counts_today_in_the_zone_of_each_checkin(pairing: Cli, tmp_path: Path) -> None:
    """Today is 2026-11-27. 00:30 that day in Rome is still the 26th in UTC (cancelled); 20:00
    on the 26th in New York is already the 27th in UTC (it has happened: kept)."""
    out = str(tmp_path / "out")
    pairing.ok("mentor", "checkin", "1", "--start", "2026-11-27 00:30", "--timezone", ROME,
               "--out", out)  # fmt: skip
    pairing.ok("mentor", "checkin", "1", "--start", "2026-11-26 23:30", "--timezone", ROME,
               "--out", out)  # fmt: skip
    pairing.ok("mentor", "checkin", "1", "--start", "2026-11-26 20:00", "--timezone", NEW_YORK,
               "--out", out)  # fmt: skip
    ended = pairing.ok("mentor", "end", "1")
    assert "1 planned check-in(s) cancelled" in ended.stderr
    rows = {r["id"]: (r["start"], r["status"]) for r in _json(pairing, "mentor", "checkins")}
    assert rows == {
        1: ("2026-11-27T00:30:00+01:00", "cancelled"),
        2: ("2026-11-26T23:30:00+01:00", "planned"),
        3: ("2026-11-26T20:00:00-05:00", "planned"),
    }


def test_topics_written_with_semicolons_cover_each_need(org: Cli) -> None:
    ann = _add(org, "Ann Able", "--skills", "copywriting,seo", "--mentor-capacity", "2")
    bob = _add(org, "Bob Bell", "--needs", "copywriting,seo")
    _add(org, "Eve Eng", "--skills", "copywriting,seo", "--mentor-capacity", "2")
    before = _json(org, "mentor", "match")
    assert [p["mentee"] for p in before["pairs"]] == [bob]
    org.ok("mentor", "pair", str(ann), str(bob), "--topic", "copywriting; seo")
    assert _json(org, "mentor", "match") == NO_PROPOSAL


def test_checkins_json_has_start_and_end_with_their_offset(pairing: Cli, tmp_path: Path) -> None:
    import re
    from datetime import timedelta

    out = str(tmp_path / "out")
    pairing.ok("mentor", "checkin", "1", "--start", "2026-12-03 18:30", "--timezone", ROME,
               "--out", out)  # fmt: skip
    pairing.ok("mentor", "checkin", "1", "--start", "2027-03-17 18:30", "--timezone", NEW_YORK,
               "--duration", "60", "--out", out)  # fmt: skip
    iso = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")
    rows = _json(pairing, "mentor", "checkins")
    assert len(rows) == 2
    for row in rows:
        assert iso.fullmatch(row["start"]), row["start"]
        assert iso.fullmatch(row["end"]), row["end"]
        start, end = datetime.fromisoformat(row["start"]), datetime.fromisoformat(row["end"])
        assert end - start == timedelta(minutes=row["duration"])
    by_id = {r["id"]: r for r in rows}
    assert datetime.fromisoformat(by_id[1]["start"]) == _utc(2026, 12, 3, 17, 30)
    assert by_id[1]["start"].endswith("+01:00")
    assert datetime.fromisoformat(by_id[2]["start"]) == _utc(2027, 3, 17, 22, 30)
    assert by_id[2]["start"] == "2027-03-17T18:30:00-04:00"
    assert by_id[2]["end"] == "2027-03-17T19:30:00-04:00"
