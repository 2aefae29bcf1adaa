"""A small sample community for `peerkit demo`: Italian and English speakers across zones."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from peerkit.config import Settings
from peerkit.enums import Cadence, EventKind, Role
from peerkit.errors import PeerkitError
from peerkit.services.common import schedule

if TYPE_CHECKING:
    from peerkit.models import Group

COMMUNITY = {
    "name": "Freelance Insieme",
    "timezone": "Europe/Rome",
    "locale": "it",
    "organiser_name": "Paolo Pavan",
    "organiser_email": "paolo@freelance-insieme.example.com",
}

# name, email, timezone, locale, skills, needs, stage, industry, availability, capacity, bio
PEOPLE: list[tuple[str, str, str, str, str, str, str, str, list[str], int, str]] = [
    (
        "Giulia Rossi",
        "giulia.rossi@example.com",
        "Europe/Rome",
        "it",
        "branding, grafica",
        "vendite, prezzi",
        "early",
        "design",
        ["tue 18:00-21:00", "thu 18:00-20:00"],
        1,
        "Grafica freelance a Bologna. Cerco clienti nel food e un modo per smettere di svendermi.",
    ),
    (
        "Marco Bianchi",
        "marco.bianchi@example.com",
        "Europe/Rome",
        "it",
        "vendite, negoziazione",
        "marketing digitale",
        "growth",
        "consulenza",
        ["mon 18:00-20:00", "tue 18:00-20:30"],
        2,
        "Consulente commerciale. Ho aperto la partita IVA tre anni fa e non torno indietro.",
    ),
    (
        "Chiara Esposito",
        "chiara.esposito@example.com",
        "Europe/Rome",
        "it",
        "copywriting, seo",
        "contabilità",
        "idea",
        "editoria",
        ["tue 17:00-20:00", "wed 09:00-12:00"],
        0,
        "Scrivo per il web da Napoli. Sto capendo se trasformare il blog in un'attività.",
    ),
    (
        "Luca Ferrari",
        "luca.ferrari@example.com",
        "Europe/Rome",
        "it",
        "sviluppo web, automazione",
        "vendite",
        "early",
        "software",
        ["tue 18:00-22:00", "fri 14:00-18:00"],
        1,
        "Sviluppatore indipendente. Bravo col codice, meno a chiedere il giusto prezzo.",
    ),
    (
        "Sara Colombo",
        "sara.colombo@example.com",
        "Europe/Rome",
        "it",
        "contabilità, prezzi",
        "branding",
        "established",
        "finanza",
        ["mon 12:00-14:00", "tue 18:00-20:00"],
        3,
        "Commercialista per freelance. Aiuto chi parte a non avere paura dei numeri.",
    ),
    (
        "Emma Clarke",
        "emma.clarke@example.com",
        "Europe/London",
        "en",
        "marketing digitale, community building",
        "pricing",
        "growth",
        "marketing",
        ["tue 17:00-20:00", "wed 17:00-19:00"],
        2,
        "Runs a small marketing studio in Bristol; learnt the hard way that clients "
        "come through people.",
    ),
    (
        "Oliver Hughes",
        "oliver.hughes@example.com",
        "Europe/London",
        "en",
        "public speaking",
        "copywriting, seo",
        "early",
        "coaching",
        ["tue 16:00-19:00"],
        0,
        "Former teacher, now a freelance trainer. Looking for peers who keep him honest.",
    ),
    (
        "Ana Souza",
        "ana.souza@example.com",
        "America/Sao_Paulo",
        "en",
        "ux research, design",
        "contabilità, legal",
        "early",
        "design",
        ["tue 13:00-16:00", "thu 13:00-16:00"],
        1,
        "UX researcher in São Paulo working with European start-ups.",
    ),
    (
        "Daniel Kim",
        "daniel.kim@example.com",
        "America/New_York",
        "en",
        "fundraising, strategy",
        "work-life balance",
        "established",
        "software",
        ["tue 12:00-15:00", "wed 12:00-14:00"],
        2,
        "Second-time founder. Happy to give back what mentors once gave him.",
    ),
    (
        "Francesca Romano",
        "francesca.romano@example.com",
        "Europe/Rome",
        "it",
        "fotografia, social media",
        "prezzi, negoziazione",
        "idea",
        "fotografia",
        ["wed 18:00-21:00", "thu 18:00-21:00"],
        0,
        "Fotografa di matrimoni che vuole lavorare con i brand.",
    ),
    (
        "Yuki Tanaka",
        "yuki.tanaka@example.com",
        "Asia/Tokyo",
        "en",
        "localisation, translation",
        "sales",
        "growth",
        "translation",
        ["wed 07:00-09:00", "thu 07:00-09:00"],
        1,
        "Translator between Japanese, Italian and English; early mornings suit her best.",
    ),
    (
        "Matteo Greco",
        "matteo.greco@example.com",
        "Europe/Lisbon",
        "it",
        "ecommerce, logistica",
        "fundraising",
        "growth",
        "ecommerce",
        ["tue 17:00-20:00", "fri 09:00-12:00"],
        1,
        "Italiano a Lisbona: vende olio pugliese online e sogna un magazzino tutto suo.",
    ),
]


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
    from peerkit.services.common import community
    from peerkit.services.members import profiles

    if directory.exists() and not directory.is_dir():
        raise PeerkitError(f"{directory} is a file; give a folder with --dir.")
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "peerkit.db"
    _clear(path)
    db = open_database(Settings(db_path=path))
    try:
        with db.write() as session:
            row = community.ensure(session, community.CommunityDefaults(**COMMUNITY))
            row.is_demo = True
            session.add(row)
            defaults = {"timezone": row.timezone, "locale": row.locale}
            for i, person in enumerate(PEOPLE):
                name, email, tz, loc, skills, needs, stage, industry, avail, cap, bio = person
                raw = profiles.MemberFields(
                    name=name,
                    email=email,
                    timezone=tz,
                    locale=loc,
                    skills=skills,
                    needs=needs,
                    stage=stage,
                    industry=industry,
                    availability=avail,
                    mentor_capacity=cap,
                    bio=bio,
                )
                profiles.add(session, raw, defaults, today - timedelta(days=400 - 30 * i))
            francesca = profiles.resolve(session, "Francesca Romano")
            populate(session, today)
            profiles.pause(session, francesca, today + timedelta(days=21), today)
    finally:
        db.dispose()
    return path


# --- groups, a little history, and this week's plan -----------------------------------

GROUPS: list[dict[str, Any]] = [
    {
        "name": "Mastermind del martedì",
        "cadence": Cadence.WEEKLY,
        "day": "tue",
        "time": "18:30",
        "timezone": "Europe/Rome",
        "location": "https://meet.jit.si/freelance-insieme-martedi",
        "members": ["Giulia Rossi", "Marco Bianchi", "Chiara Esposito", "Luca Ferrari",
                    "Francesca Romano"],
        "facilitator": "Sara Colombo",
        "rotates": [],
    },
    {
        "name": "Founders across time zones",
        "cadence": Cadence.BIWEEKLY,
        "day": "wed",
        "time": "17:00",
        "timezone": "Europe/London",
        "location": "https://meet.jit.si/founders-across-time-zones",
        "members": ["Emma Clarke", "Oliver Hughes", "Ana Souza", "Daniel Kim", "Yuki Tanaka",
                    "Matteo Greco"],
        "facilitator": None,
        "rotates": ["Emma Clarke", "Daniel Kim", "Matteo Greco"],
    },
]  # fmt: skip

# (group index, weeks ago, absent, [(member, commitment, days until due)])
HISTORY: list[tuple[int, int, list[str], list[tuple[str, str, int]]]] = [
    (0, 2, [], [("Giulia Rossi", "Alzare il preventivo base del 15%", 10)]),
    (
        0,
        1,
        ["Marco Bianchi"],
        [
            ("Chiara Esposito", "Scrivere la pagina dei servizi del blog", 7),
            ("Luca Ferrari", "Mandare tre proposte a clienti ricorrenti", 5),
        ],
    ),
    (1, 2, [], [("Daniel Kim", "Block two evenings a week with no laptop", 14)]),
]


def coming_monday(today: date) -> date:
    """The week a Monday cron job would plan: this one on a Monday, else the next."""
    return today + timedelta(days=(7 - today.weekday()) % 7)


def populate(session: Session, today: date) -> None:
    """Groups with a few weeks behind them: meetings, attendance and commitments."""
    from peerkit.services.groups import agenda, commitments, meetings, rotation
    from peerkit.services.members import profiles

    week_start = coming_monday(today)
    made = [_demo_group(session, spec, week_start, today) for spec in GROUPS]
    for index, weeks_ago, absent, promises in HISTORY:
        group = made[index]
        around = week_start - timedelta(weeks=weeks_ago)
        (slot,) = schedule.slots(
            group.cadence, group.day, group.anchor, around, around + timedelta(days=6)
        )
        meeting, _ = meetings.ensure(session, group, slot)
        seats = agenda.seats_for(meeting.duration, len(rotation.eligible(session, group, slot)))
        rotation.assign(session, meeting, rotation.choose(session, group, meeting, seats, slot))
        people = [p for _m, p in rotation.eligible(session, group, slot)]
        meetings.attend(
            session,
            meeting,
            [p for p in people if p.name not in absent],
            [p for p in people if p.name in absent],
        )
        for name, text, days in promises:
            who = profiles.resolve(session, name)
            commitments.add(session, who, text, meeting=meeting, due=slot + timedelta(days=days))

    _events_and_mentoring(session, today, week_start)


def _demo_group(session: Session, spec: dict[str, Any], week_start: date, today: date) -> Group:
    """One of GROUPS, with its members, started four weeks before the planned week."""
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
        roster.add_member(session, group, lead, joined, role=Role.FACILITATOR)
    return group


def _events_and_mentoring(session: Session, today: date, week_start: date) -> None:
    """A networking evening with more answers than seats, and two mentorships."""
    from datetime import UTC, datetime

    from peerkit.services.events import seats
    from peerkit.services.members import profiles
    from peerkit.services.mentoring import matching

    start = schedule.local_datetime(week_start + timedelta(days=3), "19:00", "Europe/Rome")
    fields = seats.EventFields(
        "Aperitivo freelance", start, 150, EventKind.NETWORKING, "Bar Centrale, Bologna", 4
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
            EventKind.WORKSHOP,
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
