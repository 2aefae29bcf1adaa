"""`peerkit demo`: build the sample community (demo_data.py), then run this week on it.

`build` creates DIR/peerkit.db with members, groups with a few weeks of history, events and
mentorships; `showcase` plans the coming week into DIR/outbox and builds DIR/site, and returns
what the command shows.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session

from peerkit.config import CommunityDefaults, Settings
from peerkit.errors import PeerkitError
from peerkit.models import Group
from peerkit.services.common import schedule
from peerkit.services.reports.demo_data import COMMUNITY, GROUPS, HISTORY, PEOPLE

DEMO_DB = "peerkit.db"
FIRST_JOINED_DAYS_AGO = 400  # the first member joined this long ago, one more a month after
PAUSED_FOR = 21  # days: one member is on a break, to show a pause


def _is_demo(path: Path) -> bool:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT is_demo FROM community LIMIT 1").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return bool(row and row[0])


def _clear(path: Path) -> None:
    if path.exists() and not _is_demo(path):
        raise PeerkitError(
            f"{path} exists and is not a demo database; choose another folder with --dir."
        )
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def build(directory: Path, today: date) -> Path:
    """Create (or re-create) the sample community in DIRECTORY/peerkit.db."""
    from peerkit.db import open_database

    if directory.exists() and not directory.is_dir():
        raise PeerkitError(f"{directory} is a file; give a folder with --dir.")
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / DEMO_DB
    _clear(path)
    db = open_database(Settings(db_path=path))
    try:
        with db.write() as session:
            _add_people(session, today)
            populate(session, today)
    finally:
        db.dispose()
    return path


def _add_people(session: Session, today: date) -> None:
    """The community row (marked as a demo) and its members, joined a month apart."""
    from peerkit.services.common import community
    from peerkit.services.members import profiles

    row = community.ensure(session, CommunityDefaults(**COMMUNITY))
    row.is_demo = True
    session.add(row)
    defaults = {"timezone": row.timezone, "locale": row.locale}
    for i, person in enumerate(PEOPLE):
        name, email, tz, loc, skills, needs, stage, industry, avail, cap, bio = person
        raw = profiles.MemberFields(
            name=name, email=email, timezone=tz, locale=loc, skills=skills, needs=needs,
            stage=stage, industry=industry, availability=avail, mentor_capacity=cap, bio=bio,
        )  # fmt: skip
        profiles.add(session, raw, defaults, today - timedelta(days=FIRST_JOINED_DAYS_AGO - 30 * i))


def coming_monday(today: date) -> date:
    """The week a Monday cron job would plan: this one on a Monday, else the next."""
    return today + timedelta(days=(7 - today.weekday()) % 7)


def populate(session: Session, today: date) -> None:
    """Groups with a few weeks behind them, events, mentorships, and one member on a break."""
    from peerkit.services.members import profiles

    week_start = coming_monday(today)
    made = [_group(session, spec, week_start, today) for spec in GROUPS]
    for index, weeks_ago, absent, promises in HISTORY:
        _past_meeting(
            session, made[index], week_start - timedelta(weeks=weeks_ago), absent, promises
        )
    _events_and_mentoring(session, today, week_start)
    francesca = profiles.resolve(session, "Francesca Romano")
    profiles.pause(session, francesca, today + timedelta(days=PAUSED_FOR), today)


def _group(session: Session, spec: dict[str, Any], week_start: date, today: date) -> Group:
    """A group that started four weeks ago, its members a week before that."""
    from peerkit.services.groups import roster
    from peerkit.services.members import profiles

    first = schedule.first_on_or_after(week_start - timedelta(weeks=4), schedule.day(spec["day"]))
    raw = roster.GroupFields(
        name=spec["name"], cadence=spec["cadence"], day=spec["day"], time=spec["time"],
        timezone=spec["timezone"], location=spec["location"], start=first,
    )  # fmt: skip
    group = roster.create(session, raw, "Europe/Rome", today)
    joined = first - timedelta(days=7)
    for name in spec["members"]:
        member = profiles.resolve(session, name)
        roster.add_member(session, group, member, joined, rotates=name in spec["rotates"])
    if spec["facilitator"]:
        lead = profiles.resolve(session, spec["facilitator"])
        roster.add_member(session, group, lead, joined, role="facilitator")
    return group


def _past_meeting(
    session: Session,
    group: Group,
    around: date,
    absent: list[str],
    promises: list[tuple[str, str, int]],
) -> None:
    """The group's meeting in the week of `around`: hot seats, attendance, commitments."""
    from peerkit.services.groups import agenda, commitments, meetings, rotation
    from peerkit.services.members import profiles

    (slot,) = schedule.slots(
        group.cadence, group.day, group.anchor, around, around + timedelta(days=6)
    )
    meeting, _ = meetings.ensure(session, group, slot)
    seats = agenda.seats_for(meeting.duration, len(rotation.eligible(session, group, slot)))
    rotation.assign(session, meeting, rotation.choose(session, group, meeting, seats, slot))
    people = [p for _m, p in rotation.eligible(session, group, slot)]
    here = [p for p in people if p.name not in absent]
    meetings.attend(session, meeting, here, [p for p in people if p.name in absent])
    for name, text, days in promises:
        who = profiles.resolve(session, name)
        commitments.add(session, who, text, meeting=meeting, due=slot + timedelta(days=days))


def _events_and_mentoring(session: Session, today: date, week_start: date) -> None:
    """A networking evening with more answers than seats, and two mentorships."""
    from peerkit.services.events import seats
    from peerkit.services.members import profiles
    from peerkit.services.mentoring import matching

    start = schedule.local_datetime(week_start + timedelta(days=3), "19:00", "Europe/Rome")
    fields = seats.EventFields(
        "Aperitivo freelance", start, 150, "networking", "Bar Centrale, Bologna", 4
    )
    evening = seats.create(session, fields)
    now = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
    for name in ["Giulia Rossi", "Marco Bianchi", "Sara Colombo", "Luca Ferrari",
                 "Chiara Esposito", "Matteo Greco"]:  # fmt: skip
        seats.rsvp(session, evening, profiles.resolve(session, name), True, now)
    workshop = seats.create(
        session,
        seats.EventFields(
            "Workshop: prezzi e preventivi",
            schedule.local_datetime(week_start + timedelta(days=12), "10:00", "Europe/Rome"),
            180,
            "workshop",
            "https://meet.jit.si/freelance-insieme-workshop",
            None,
        ),
    )
    for name in ["Giulia Rossi", "Emma Clarke"]:
        seats.rsvp(session, workshop, profiles.resolve(session, name), True, now)
    for mentor, mentee in [("Sara Colombo", "Chiara Esposito"), ("Daniel Kim", "Matteo Greco")]:
        matching.pair(
            session,
            profiles.resolve(session, mentor),
            profiles.resolve(session, mentee),
            None,
            today,
        )


# --- the weekly run on the sample --------------------------------------------------------


@dataclass
class Showcase:
    """What `peerkit demo` shows after building the sample."""

    week: str  # the ISO week planned, e.g. 2026-W49
    members: list[dict[str, Any]]
    groups: list[dict[str, Any]]
    plan: list[dict[str, Any]]  # as `plan week` shows it: members by name, compact times


def showcase(db_path: Path, today: date, now: datetime) -> Showcase:
    """Plan the coming week into DIR/outbox and build the page in DIR/site."""
    from peerkit.db import open_database
    from peerkit.services.common import community
    from peerkit.services.groups import planning, roster
    from peerkit.services.members import profiles
    from peerkit.services.outbox import delivery
    from peerkit.services.outbox import week as week_svc
    from peerkit.services.reports import site

    week = schedule.week_label(coming_monday(today))
    out = db_path.parent / "outbox"
    db = open_database(Settings(db_path=db_path))
    try:
        with db.read() as session:
            people = [
                profiles.to_dict(m, today) for m in profiles.list_members(session, None, today)
            ]
            teams = [roster.to_dict(session, g) for g in roster.list_groups(session)]
        with db.write() as session:
            planned = planning.plan(session, week, today=today)
            plan = week_svc.write_week(planned, week, delivery.Output(folder=out), today=today)
            clock = community.clock_of(planned.community, today)
            shown = [r.for_people(clock, week_svc.names_of(planned)) for r in plan]
        with db.read() as session:
            site.build(session, db_path.parent / "site", on_the_day(now, today))
    finally:
        db.dispose()
    return Showcase(week, people, teams, shown)


def on_the_day(now: datetime, today: date) -> datetime:
    """The demo runs on `today`: when the clock shows another day (a fixed PEERKIT_TODAY),
    the page is built as of noon that day, so what the sample plans is still to come."""
    return now if now.date() == today else datetime.combine(today, time(12), UTC)
