"""The change log: every change to the community's record, who made it and when.

Written in the same transaction as the change, in one place: a listener on every write
session's flush (`_after_flush`) records what the ORM inserts, changes and deletes, from the
attributes' history. The few writes that go through Core in batches (member import, `plan
week`) call `record` with their entries, one executemany each. Bookkeeping that is not a
change of the record (what was delivered, invitation versions, the `sent` marks) is left out
(VOLATILE, SKIPPED). `erase` takes a forgotten member's personal data out of the log.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import InstanceState
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session

from peerkit.config import ACTING_KEY, ACTOR_KEY
from peerkit.models import ChangeLog, Meeting, Mentorship, utcnow
from peerkit.services.common.actors import acting

__all__ = [
    "CHANGE", "CREATE", "DELETE", "ENTITIES", "TABLE", "acting", "entries", "entry", "erase",
    "names", "plain", "record", "row_of", "sentence", "to_dict", "watch",
]  # fmt: skip

TABLE: sa.Table = ChangeLog.__table__  # type: ignore[attr-defined]

CREATE, CHANGE, DELETE = "create", "change", "delete"

# table -> the entity the log names
ENTITIES = {
    "community": "community",
    "member": "member",
    "peer_group": "group",
    "membership": "membership",
    "meeting": "meeting",
    "hot_seat": "hot_seat",
    "attendance": "attendance",
    "commitment": "commitment",
    "mentorship": "mentorship",
    "mentor_checkin": "checkin",
    "community_event": "event",
    "rsvp": "rsvp",
    "answer": "answer",
}
# Tables that are bookkeeping, not the record: the delivery ledger, the member status history
# (the member's own entries say the same), and the log itself.
SKIPPED = frozenset({"delivery", "member_history", "change_log"})
# Columns whose change alone is not a change of the record: time stamps of the last change,
# the invitation versions (SEQUENCE, content hash), the marks of what was sent, and the row's
# own version and "changed by" (peerkit.rowversions: the log says who and when already).
VOLATILE = frozenset(
    {
        "updated_at", "sequence", "content_hash", "mentor_sent", "mentee_sent",
        "invited_sequence", "reminded_sequence", "revision", "version", "changed_by",
        "changed_at",
    }
)  # fmt: skip

# Values kept when a member is forgotten: ids, statuses, kinds, dates and counts. Every other
# value in an entry about them (names, e-mail addresses, texts, topics, places) becomes null.
KEPT_ON_ERASURE = frozenset(
    {
        "id", "status", "role", "rotates", "kind", "about", "answer", "source", "position",
        "joined", "left_on", "paused_until", "forgotten_at", "created_at", "closed_at", "due",
        "started", "ended", "score", "slot_date", "start", "duration", "answered_at", "dtstamp",
        "received_at", "offer_until", "sequence", "hot_seat",
    }
)  # fmt: skip
ERASED = "erased"  # `by`, when the forgotten member was the one acting


def _utc(value: datetime) -> datetime:
    """A time read with Core: the column type makes it aware (UTC) already."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def plain(value: Any) -> Any:
    """A value as JSON holds it: dates and times in ISO 8601, enums as their words."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def row_of(obj: Any) -> dict[str, Any]:
    """A loaded row's columns as they are now (without loading anything)."""
    state: InstanceState[Any] = sa.inspect(obj)
    loaded = state.dict
    return {
        prop.key: plain(loaded[prop.key])
        for prop in state.mapper.column_attrs
        if prop.key in loaded and prop.key not in VOLATILE
    }


def entry(
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    member_id: int | None = None,
    group_id: int | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One entry of the log, before it is written (see `record`)."""
    return {
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "member_id": member_id,
        "group_id": group_id,
        "before": None if before is None else plain(dict(before)),
        "after": None if after is None else plain(dict(after)),
    }


def record(session: Session, entries: list[dict[str, Any]]) -> None:
    """Write ENTRIES, by whoever is acting, in one executemany (nothing when there are none)."""
    if not entries:
        return
    actor = acting(session)
    stamp = {"at": utcnow(), "by": actor.label(), "by_email": actor.email}
    session.connection().execute(sa.insert(TABLE), [{**stamp, **e} for e in entries])


def is_logged(session: Session) -> bool:
    """Whether SESSION is a write session (db.Database.write and dry_run mark them)."""
    return ACTOR_KEY in session.info


# --- the ORM's writes, from one listener --------------------------------------------------


def watch(session: Session) -> None:
    """Record what SESSION's flushes write (db.Database.write and dry_run call this through
    config.WRITE_SESSION_HOOKS), and say who is acting to the rows' own "changed by"
    (peerkit.rowversions) when nobody named them."""
    event.listen(session, "after_flush", _after_flush)
    session.info[ACTING_KEY] = lambda: acting(session).label()


def _after_flush(session: Session, _context: Any) -> None:
    if not is_logged(session):
        return
    found: list[tuple[Any, dict[str, Any]]] = []
    for obj in session.new:
        if (made := _created(obj)) is not None:
            found.append((obj, made))
    for obj in session.dirty:
        if (changed := _changed(obj)) is not None:
            found.append((obj, changed))
    for obj in session.deleted:
        if (gone := _deleted(obj)) is not None:
            found.append((obj, gone))
    if found:
        _about(session, found)
        record(session, [e for _obj, e in found])


def _entity(obj: Any) -> str | None:
    table = getattr(type(obj), "__tablename__", None)
    if not isinstance(table, str) or table in SKIPPED:
        return None
    return ENTITIES.get(table, table)


def _created(obj: Any) -> dict[str, Any] | None:
    entity = _entity(obj)
    if entity is None:
        return None
    return entry(CREATE, entity, getattr(obj, "id", None), after=row_of(obj))


def _deleted(obj: Any) -> dict[str, Any] | None:
    entity = _entity(obj)
    if entity is None:
        return None
    return entry(DELETE, entity, getattr(obj, "id", None), before=row_of(obj))


def _changed(obj: Any) -> dict[str, Any] | None:
    entity = _entity(obj)
    if entity is None:
        return None
    state: InstanceState[Any] = sa.inspect(obj)
    if state.deleted or state.was_deleted:
        return None
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for prop in state.mapper.column_attrs:
        if prop.key in VOLATILE:
            continue
        history = state.attrs[prop.key].history
        if not history.added and not history.deleted:
            continue
        old = plain(history.deleted[0]) if history.deleted else None
        new = plain(history.added[0]) if history.added else None
        if old != new:
            before[prop.key], after[prop.key] = old, new
    if not after:
        return None
    return entry(CHANGE, entity, getattr(obj, "id", None), before=before, after=after)


def _about(session: Session, found: list[tuple[Any, dict[str, Any]]]) -> None:
    """Fill in which member and group each entry is about (rows they hang from are looked up
    in the session first, then in one statement per kind)."""
    meeting_of: dict[int, int] = {}  # entry's place -> the meeting whose group it is about
    for place, (obj, e) in enumerate(found):
        entity = e["entity"]
        if entity == "member":
            e["member_id"] = obj.id
        elif entity == "group":
            e["group_id"] = obj.id
        elif entity == "mentorship":
            e["member_id"] = obj.mentee_id
        elif entity != "checkin":
            e["member_id"] = getattr(obj, "member_id", None)
            e["group_id"] = getattr(obj, "group_id", None)
            meeting_id = getattr(obj, "meeting_id", None)
            if entity == "answer" and str(obj.about) == "meeting":
                meeting_id = obj.about_id
            if e["group_id"] is None and meeting_id is not None:
                meeting_of[place] = meeting_id
    groups = _parents(session, Meeting, "group_id", set(meeting_of.values()))
    for place, meeting_id in meeting_of.items():
        found[place][1]["group_id"] = groups.get(meeting_id)
    checkins = [(obj, e) for obj, e in found if e["entity"] == "checkin"]
    mentees = _parents(session, Mentorship, "mentee_id", {o.mentorship_id for o, _ in checkins})
    for obj, e in checkins:
        e["member_id"] = mentees.get(obj.mentorship_id)


def _parents(session: Session, model: Any, column: str, ids: set[int]) -> dict[int, Any]:
    """id -> COLUMN of MODEL's rows IDS: from the session's identity map, else one SELECT."""
    known: dict[int, Any] = {}
    missing = []
    for row_id in ids:
        obj = session.identity_map.get(identity_key(model, row_id))
        if obj is not None and column in sa.inspect(obj).dict:
            known[row_id] = getattr(obj, column)
        else:
            missing.append(row_id)
    if missing:
        table = model.__table__
        rows = session.connection().execute(
            sa.select(table.c.id, table.c[column]).where(table.c.id.in_(missing))
        )
        known.update((row_id, value) for row_id, value in rows)
    return known


# --- reading it back ----------------------------------------------------------------------


def entries(
    session: Session,
    *,
    member_id: int | None = None,
    group_id: int | None = None,
    by: str | None = None,
    since: datetime | None = None,
) -> Iterator[Any]:
    """The entries (rows with ChangeLog's columns), newest first, read a batch at a time:
    about MEMBER_ID (or their mentorships and check-ins), about GROUP_ID, by someone whose
    label holds BY (any case) or whose e-mail is BY, at or after SINCE."""
    query = sa.select(*TABLE.c)
    if member_id is not None:
        query = query.where(about_member(session, member_id))
    if group_id is not None:
        query = query.where(TABLE.c.group_id == group_id)
    if by is not None:
        needle = by.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(
            sa.or_(
                sa.func.lower(TABLE.c.by).like(f"%{needle}%", escape="\\"),
                sa.func.lower(TABLE.c.by_email) == by.lower(),
            )
        )
    if since is not None:
        query = query.where(TABLE.c.at >= since)
    query = query.order_by(TABLE.c.id.desc())  # the order they were written in
    yield from session.connection().execute(query.execution_options(yield_per=BATCH))


BATCH = 500


def about_member(session: Session, member_id: int) -> sa.ColumnElement[bool]:
    """Entries about a member: theirs (by the index), and those of the mentorships (and
    their check-ins) in which they are the mentor, looked up first."""
    mentorship = Mentorship.__table__  # type: ignore[attr-defined]
    checkin = sa.table("mentor_checkin", sa.column("id"), sa.column("mentorship_id"))
    conn = session.connection()
    mentoring = list(
        conn.execute(
            sa.select(mentorship.c.id).where(mentorship.c.mentor_id == member_id)
        ).scalars()
    )
    found = [TABLE.c.member_id == member_id]
    if mentoring:
        checkins = list(
            conn.execute(
                sa.select(checkin.c.id).where(checkin.c.mentorship_id.in_(mentoring))
            ).scalars()
        )
        found.append(sa.and_(TABLE.c.entity == "mentorship", TABLE.c.entity_id.in_(mentoring)))
        if checkins:
            found.append(sa.and_(TABLE.c.entity == "checkin", TABLE.c.entity_id.in_(checkins)))
    return sa.or_(*found)


def to_dict(row: Any) -> dict[str, Any]:
    """An entry as `peerkit log --format json` shows it."""
    return {
        "at": plain(_utc(row.at)),
        "by": row.by,
        "action": row.action,
        "entity": row.entity,
        "id": row.entity_id,
        "before": row.before,
        "after": row.after,
        "entry": row.id,
        "by_email": row.by_email,
        "member_id": row.member_id,
        "group_id": row.group_id,
    }


# --- erasure ------------------------------------------------------------------------------


def erase(session: Session, member_id: int, email: str | None, name: str) -> int:
    """Take a forgotten member's personal data out of the log; returns the entries changed.

    Entries about them keep their place, action and keys, but every value that is not an
    id, status, date or count becomes null; entries they made lose their name and e-mail
    (`by` becomes "erased"). Call it after the erasure itself is flushed.
    """
    session.flush()
    conn = session.connection()
    about = conn.execute(
        sa.select(TABLE.c.id, TABLE.c.before, TABLE.c.after).where(about_member(session, member_id))
    ).all()
    changes = [
        {"b_id": row_id, "b_before": _blank(before), "b_after": _blank(after)}
        for row_id, before, after in about
    ]
    if changes:
        conn.execute(
            sa.update(TABLE)
            .where(TABLE.c.id == sa.bindparam("b_id"))
            .values(before=sa.bindparam("b_before"), after=sa.bindparam("b_after")),
            changes,
        )
    acted = [TABLE.c.by == name, TABLE.c.by == (email or name)]
    if email:
        acted.append(sa.func.lower(TABLE.c.by_email) == email.lower())
    done = conn.execute(sa.update(TABLE).where(sa.or_(*acted)).values(by=ERASED, by_email=None))
    return len(changes) + (done.rowcount or 0) + _erase_changed_by(session, email, name)


def _erase_changed_by(session: Session, email: str | None, name: str) -> int:
    """The rows they changed last no longer name them ("changed by" becomes "erased")."""
    from sqlmodel import SQLModel

    from peerkit import models
    from peerkit.rowversions import VERSIONED

    models.load_all()

    labels = {name, email or name}
    if email:
        labels.add(f"{name} <{email}>")
    changed = 0
    for table in SQLModel.metadata.sorted_tables:
        if table.name not in VERSIONED:
            continue
        column = table.c.changed_by
        found: list[sa.ColumnElement[bool]] = [column.in_(sorted(labels))]
        if email:
            found.append(sa.func.lower(column).endswith(f"<{email.lower()}>", autoescape=True))
        result = session.connection().execute(
            sa.update(table).where(sa.or_(*found)).values(changed_by=ERASED)
        )
        changed += result.rowcount or 0
    return changed


def _blank(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {k: (v if _kept(k) else None) for k, v in values.items()}


def _kept(key: str) -> bool:
    return key in KEPT_ON_ERASURE or (key.endswith("_id") and key != "message_id")


# --- shown in words -----------------------------------------------------------------------


def names(session: Session, rows: Iterable[Any]) -> dict[tuple[str, int], str]:
    """(entity, id) -> how the table names it: members and groups by their names now."""
    wanted: dict[str, set[int]] = {"member": set(), "group": set()}
    for row in rows:
        if row.entity in wanted and row.entity_id is not None:
            wanted[row.entity].add(row.entity_id)
        if row.member_id is not None:
            wanted["member"].add(row.member_id)
        if row.group_id is not None:
            wanted["group"].add(row.group_id)
    from peerkit.models import Group, Member

    found: dict[tuple[str, int], str] = {}
    tables: list[tuple[str, sa.Table]] = [
        ("member", Member.__table__),  # type: ignore[attr-defined]
        ("group", Group.__table__),  # type: ignore[attr-defined]
    ]
    for entity, table in tables:
        ids = sorted(wanted[entity])
        for start in range(0, len(ids), 500):
            rows_ = session.execute(
                sa.select(table.c.id, table.c.name).where(table.c.id.in_(ids[start : start + 500]))
            )
            found.update({(entity, i): str(n) for i, n in rows_})
    return found


def sentence(row: Any, known: Mapping[tuple[str, int], str]) -> str:
    """'Giulia Ferri changed member Marco Rossi: timezone Europe/Rome → Europe/London'."""
    who = _name_of(row.by)
    verbs = {CREATE: "created", CHANGE: "changed", DELETE: "deleted", "import": "imported"}
    verb = verbs.get(row.action, row.action)
    what = row.entity.replace("_", " ")
    if row.entity_id is not None:
        what += " " + known.get((row.entity, row.entity_id), f"#{row.entity_id}")
    if row.entity not in ("member", "group"):
        if row.member_id is not None:
            what += " of " + known.get(("member", row.member_id), f"member #{row.member_id}")
        if row.group_id is not None:
            what += " in " + known.get(("group", row.group_id), f"group #{row.group_id}")
    said = f"{who} {verb} {what}"
    if row.action == CHANGE and row.after:
        before = row.before or {}
        parts = [f"{k} {_shown(before.get(k))} → {_shown(v)}" for k, v in row.after.items()]
        said += ": " + "; ".join(parts)
    return said


def _name_of(label: str | None) -> str:
    """The name in 'Name <email>'."""
    if not label:
        return "someone"
    if label.endswith(">") and " <" in label:
        return label.rsplit(" <", 1)[0]
    return label


def _shown(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    return str(value)
