"""A meeting's version moves on when what its invitations say changes.

Calendars take an invitation as news only when its SEQUENCE is higher (and its DTSTAMP and
Message-ID new): an invitation that says something different under an old SEQUENCE is
taken for the one they have and ignored. So before a meeting's invitations are written
(`plan week`, `invite`), what they say is summed up in one hash, kept on the meeting
(`content_hash`); when it differs from the kept one, the meeting's SEQUENCE goes up and
its `updated_at` (DTSTAMP, and the Message-IDs made from it) is now. When it is the same,
nothing changes: the invitations are the same bytes, and nothing is sent again.

A change that raises the SEQUENCE itself (meetings._touch: a move, a cancellation) clears
the hash, so the next invitations are that version, not one more.

What the hash covers: the meeting (time, zone, length, place, status, roles), its group's
name, the community as the agenda shows it and the organiser, who is expected, the hot seats
by name, the open commitments shown, and each invited member as their invitation names,
addresses and dates them (name, address, language, zone). Not peerkit's own templates or
code: a new peerkit does not re-send every invitation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from peerkit import rowversions
from peerkit.models import Meeting, Member, id_of
from peerkit.services.common.community import Sender
from peerkit.services.common.community import to_dict as community_dict
from peerkit.services.groups import meetings as meetings_svc
from peerkit.services.groups.agenda import Facts

# The version itself, in the agenda's `session`; and the members' answers, which the
# agenda lists but no invitation shows (an answer is no news for the others' calendars).
VOLATILE = ("sequence", "updated_at", "answers", "notes", "attendance")


def substance(
    facts: Facts, meeting: Meeting, invitees: Iterable[Member], organiser: Sender | None
) -> str:
    """The hash of what the meeting's invitations say (see the module's text)."""
    names = {id_of(p): p.name for p in facts.attendees}
    named = [*facts.seat_ids, meeting.facilitator_id, meeting.timekeeper_id]
    parts = [
        (
            meeting.start.isoformat(), meeting.timezone, meeting.duration, meeting.location,
            str(meeting.status), meeting.cancel_reason, meeting.uid,
        ),
        (facts.group.name, facts.group.slug, str(facts.group.kind), facts.group.timezone),
        community_dict(facts.community) if facts.community is not None else None,
        (organiser.name, organiser.email) if organiser is not None else None,
        [(id_of(p), p.name) for p in facts.attendees],
        [(i, names.get(i) if i in names else facts.names.get(i)) for i in named if i],
        [(c.id, c.text, c.due, id_of(m), m.name) for c, m in facts.commitments],
        sorted((k, repr(v)) for k, v in facts.shown.items() if k not in VOLATILE),
        [(id_of(p), p.name, p.email, p.locale, p.timezone) for p in invitees],
    ]  # fmt: skip
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()


def settle(session: Session, found: list[tuple[Meeting, str]], now: datetime) -> list[Meeting]:
    """Keep each meeting's hash; a meeting whose invitations now say something else than
    under its kept hash gets the next SEQUENCE and `updated_at` NOW (one statement for all).
    Returns the meetings whose version moved on."""
    changes, moved = [], []
    for meeting, digest in found:
        if meeting.content_hash == digest:
            continue
        if meeting.content_hash is not None:
            moved.append(meeting)
        changes.append((meeting, digest))
    if not changes:
        return []
    table = Meeting.__table__  # type: ignore[attr-defined]
    rows = []
    for meeting, digest in changes:
        later = meeting in moved
        sequence = meeting.sequence + 1 if later else meeting.sequence
        updated = meetings_svc.later(meeting.updated_at, now) if later else meeting.updated_at
        rows.append({"b_id": meeting.id, "b_hash": digest, "b_seq": sequence, "b_at": updated})
    session.connection().execute(
        sa.update(table)
        .where(table.c.id == sa.bindparam("b_id"))
        .values(
            content_hash=sa.bindparam("b_hash"),
            sequence=sa.bindparam("b_seq"),
            updated_at=sa.bindparam("b_at"),
        ),
        rows,
    )
    rowversions.updated_by_core(session, [meeting for meeting, _digest in changes])
    for (meeting, _digest), row in zip(changes, rows, strict=True):
        # the loaded rows as stored, without another UPDATE at flush
        set_committed_value(meeting, "content_hash", row["b_hash"])
        set_committed_value(meeting, "sequence", row["b_seq"])
        set_committed_value(meeting, "updated_at", row["b_at"])
    return moved
