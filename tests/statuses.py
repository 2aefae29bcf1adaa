"""A small community written at schema revision 0005 (before the status CHECKs), and a
probe that tries a word outside each status/kind column's list. Shared by the SQLite
tests (test_storage.py) and the PostgreSQL ones (test_postgres.py)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel

from peerkit import models

AT = "2026-01-06 17:30:00"

ROWS: list[tuple[str, dict[str, Any]]] = [
    ("member", {"id": 1, "name": "Ada", "status": "active", "stage": "early"}),
    ("member", {"id": 2, "name": "Bruno", "status": "paused", "stage": None}),
    ("peer_group", {"id": 1, "slug": "tuesday", "name": "Tuesday", "kind": "mastermind",
                    "cadence": "biweekly", "day": 1, "time": "18:30", "timezone": "Europe/Rome",
                    "duration": 90, "min_size": 2, "max_size": 8, "anchor": "2026-01-06",
                    "status": "active", "created_at": AT}),
    ("membership", {"id": 1, "group_id": 1, "member_id": 1, "role": "facilitator",
                    "rotates": True, "joined": "2026-01-01"}),
    ("membership", {"id": 2, "group_id": 1, "member_id": 2, "role": "member",
                    "rotates": False, "joined": "2026-01-01"}),
    ("meeting", {"id": 1, "group_id": 1, "slot_date": "2026-01-06", "start": AT,
                 "timezone": "Europe/Rome", "duration": 90, "status": "done", "sequence": 0,
                 "uid": "m1@peerkit", "facilitator_id": 1, "updated_at": AT}),
    ("meeting", {"id": 2, "group_id": 1, "slot_date": "2026-01-20", "start": AT,
                 "timezone": "Europe/Rome", "duration": 90, "status": "cancelled",
                 "sequence": 1, "uid": "m2@peerkit", "updated_at": AT}),
    ("attendance", {"id": 1, "meeting_id": 1, "member_id": 1, "status": "present"}),
    ("attendance", {"id": 2, "meeting_id": 1, "member_id": 2, "status": "absent"}),
    ("commitment", {"id": 1, "member_id": 1, "meeting_id": 1, "group_id": 1,
                    "text": "Send the quote", "status": "open", "created_at": AT}),
    ("commitment", {"id": 2, "member_id": 2, "meeting_id": 1, "group_id": 1,
                    "text": "Call the bank", "status": "dropped", "created_at": AT}),
    ("delivery", {"id": 1, "meeting_id": 1, "member_id": 1, "kind": "invite", "sequence": 0,
                  "sent_at": AT}),
    ("mentorship", {"id": 1, "mentor_id": 1, "mentee_id": 2, "started": "2026-01-01",
                    "created_at": AT}),
    ("mentor_checkin", {"id": 1, "mentorship_id": 1, "start": AT, "timezone": "UTC",
                        "duration": 45, "status": "planned", "sequence": 0,
                        "uid": "c1@peerkit", "updated_at": AT}),
    ("community_event", {"id": 1, "title": "Aperitivo", "kind": "networking", "start": AT,
                         "timezone": "UTC", "duration": 120, "capacity": 1,
                         "status": "planned", "sequence": 0, "uid": "e1@peerkit",
                         "created_at": AT, "updated_at": AT}),
    ("rsvp", {"id": 1, "event_id": 1, "member_id": 1, "status": "going", "position": 1,
              "answered_at": AT}),
    ("rsvp", {"id": 2, "event_id": 1, "member_id": 2, "status": "waitlist", "position": 2,
              "answered_at": AT}),
]  # fmt: skip

MEMBER_DEFAULTS = {
    "email": None,
    "timezone": "UTC",
    "locale": "en",
    "skills": "[]",
    "needs": "[]",
    "availability": "[]",
    "mentor_capacity": 0,
    "joined": "2026-01-01",
}


def fill(conn: sa.Connection) -> None:
    """Write ROWS with plain SQL, as a database at revision 0005 would hold them."""
    for table, row in ROWS:
        values = {**MEMBER_DEFAULTS, **row} if table == "member" else row
        names = ", ".join(values)
        marks = ", ".join(f":{name}" for name in values)
        conn.execute(sa.text(f"INSERT INTO {table} ({names}) VALUES ({marks})"), values)


# The tables a database at revision 0005 has rows in (later tables are empty there, and
# an UPDATE of no row breaks no constraint: the probe below only means something here).
AT_0005 = frozenset(table for table, _row in ROWS)
# Status/kind columns added to those tables after 0005 (not in a database written then).
LATER = {"peer_group": {"on_holiday"}}


def stored(conn: sa.Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every status/kind value of the tables filled at 0005, table by table, in id order."""
    return {
        table: [
            tuple(r)
            for r in conn.execute(sa.text(f"SELECT {', '.join(cols)} FROM {table} ORDER BY id"))
        ]
        for table, every in enum_columns().items()
        for cols in [[c for c in every if c not in LATER.get(table, set())]]
        if table in AT_0005
    }


def enum_columns() -> dict[str, list[str]]:
    """The columns the models store a StrEnum in, by table."""
    found: dict[str, list[str]] = {}
    models.load_all()
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, models.EnumText):
                found.setdefault(table.name, []).append(column.name)
    return found


def accepted_nonsense(engine: sa.Engine) -> list[str]:
    """The columns of the tables filled at 0005 that took a word outside their list (each
    try is rolled back). Columns added after the database's revision are left out."""
    took = []
    inspector = sa.inspect(engine)
    for table, columns in enum_columns().items():
        if table not in AT_0005:
            continue
        there = {c["name"] for c in inspector.get_columns(table)}
        for column in [c for c in columns if c in there]:
            with engine.connect() as conn:
                try:
                    conn.execute(sa.text(f"UPDATE {table} SET {column} = 'nonsense'"))
                    took.append(f"{table}.{column}")
                except sa.exc.IntegrityError:
                    pass
                conn.rollback()
    return took
