"""The stats before issue 19 (commit e4c38b7), kept as the oracle that tests/test_stats_sql.py compares
the SQL version with. Do not change it: it is the definition of the output."""

# ruff: noqa

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from peerkit.enums import AttendanceStatus, CommitmentStatus, MeetingStatus
from peerkit.models import (
    Attendance,
    Commitment,
    Group,
    HotSeat,
    Meeting,
    Member,
    Mentorship,
    id_of,
)
from peerkit.services.groups import roster as groups_svc
from peerkit.services.groups.rotation import taken_turns

RECENT = 4  # meetings looked at for "at risk"
MISSED_FOR_RISK = 2

Marks = dict[int, dict[int, AttendanceStatus]]  # meeting id -> member id -> present/absent


def compute(
    session: Session, group: Group | None, since: date | None, today: date
) -> dict[str, Any]:
    chosen = [group] if group is not None else groups_svc.list_groups(session)
    held = _held(session, [id_of(g) for g in chosen], since, today)
    by_group: dict[int, list[Meeting]] = defaultdict(list)
    for meeting in held:
        by_group[meeting.group_id].append(meeting)
    ids = [id_of(m) for m in held]
    marks = _attendance(session, ids)
    # A hot seat missed through absence is not a turn (the rotation's own rule).
    turns = taken_turns(_hot_seats(session, ids), marks)
    people = _people(session, chosen, marks)
    promises = _commitments(session, [id_of(g) for g in chosen], people, since)
    mentoring = _mentoring(session, people, since, today)
    groups_out = [_group_row(g, by_group[id_of(g)], marks, turns, promises) for g in chosen]
    members_out = [
        _member_row(p, by_group, marks, turns, promises, mentoring, held) for p in people
    ]
    return {
        "groups": groups_out,
        "members": members_out,
        "give_and_take": {
            "only_receive": [m["member"] for m in members_out if m["receives"] and not m["gives"]],
            "only_give": [m["member"] for m in members_out if m["gives"] and not m["receives"]],
        },
        "since": since.isoformat() if since else None,
    }


def _held(session: Session, group_ids: list[int], since: date | None, today: date) -> list[Meeting]:
    query = (
        select(Meeting)
        .where(col(Meeting.group_id).in_(group_ids), Meeting.status == MeetingStatus.DONE)
        .where(col(Meeting.slot_date) <= today)
        .order_by(col(Meeting.slot_date), col(Meeting.id))
    )
    if since is not None:
        query = query.where(col(Meeting.slot_date) >= since)
    return list(session.exec(query))


def _attendance(session: Session, meeting_ids: list[int]) -> Marks:
    """meeting id -> member id -> present/absent."""
    marks: Marks = defaultdict(dict)
    rows = session.exec(select(Attendance).where(col(Attendance.meeting_id).in_(meeting_ids)))
    for row in rows:
        marks[row.meeting_id][row.member_id] = row.status
    return marks


def _hot_seats(session: Session, meeting_ids: list[int]) -> dict[int, list[int]]:
    seats: dict[int, list[int]] = defaultdict(list)
    rows = session.exec(select(HotSeat).where(col(HotSeat.meeting_id).in_(meeting_ids)))
    for row in rows:
        seats[row.meeting_id].append(row.member_id)
    return seats


def _people(session: Session, chosen: list[Group], marks: Marks) -> list[Member]:
    """Current members of the groups, and anyone with attendance in their held meetings."""
    ids: set[int] = set()
    for group in chosen:
        ids.update(id_of(p) for _m, p in groups_svc.current_memberships(session, group))
    for per_meeting in marks.values():
        ids.update(per_meeting)
    rows = session.exec(select(Member).where(col(Member.id).in_(ids)).order_by(col(Member.id)))
    return [m for m in rows if m.forgotten_at is None]


def _commitments(
    session: Session, group_ids: list[int], people: list[Member], since: date | None
) -> list[Commitment]:
    query = select(Commitment).where(col(Commitment.member_id).in_([p.id for p in people]))
    found = [c for c in session.exec(query) if c.group_id is None or c.group_id in group_ids]
    if since is None:
        return found
    wanted = [c.meeting_id for c in found if c.meeting_id]
    slots: dict[int | None, date] = {
        m.id: m.slot_date for m in session.exec(select(Meeting).where(col(Meeting.id).in_(wanted)))
    }

    # Dated by the meeting it was made at; one made outside a meeting by the day it was added.
    def made_on(c: Commitment) -> date:
        slot = slots.get(c.meeting_id) if c.meeting_id is not None else None
        return slot if isinstance(slot, date) else c.created_at.date()

    return [c for c in found if made_on(c) >= since]


def _mentoring(
    session: Session, people: list[Member], since: date | None, today: date
) -> list[Mentorship]:
    ids = [p.id for p in people]
    query = select(Mentorship).where(
        col(Mentorship.mentor_id).in_(ids) | col(Mentorship.mentee_id).in_(ids)
    )
    return [
        m
        for m in session.exec(query)
        if m.started <= today and (since is None or m.ended is None or m.ended >= since)
    ]


def _group_row(
    group: Group,
    held: list[Meeting],
    marks: Marks,
    turns: dict[int, list[int]],
    promises: list[Commitment],
) -> dict[str, Any]:
    present = absent = 0
    trend = []
    for meeting in held:
        here = list(marks.get(id_of(meeting), {}).values())
        present += here.count(AttendanceStatus.PRESENT)
        absent += here.count(AttendanceStatus.ABSENT)
        trend.append(_rate(here.count(AttendanceStatus.PRESENT), len(here)))
    mine = [c for c in promises if c.group_id == group.id]
    done = sum(1 for c in mine if c.status == CommitmentStatus.DONE)
    dropped = sum(1 for c in mine if c.status == CommitmentStatus.DROPPED)
    return {
        "group": group.slug,
        "name": group.name,
        "sessions": len(held),
        "attendance_rate": _rate(present, present + absent),
        "hot_seats": sum(len(turns.get(id_of(m), [])) for m in held),
        "commitments_done": done,
        "commitments_open": sum(1 for c in mine if c.status == CommitmentStatus.OPEN),
        "commitments_dropped": dropped,
        "commitments_kept": _rate(done, done + dropped),
        "attendance_trend": trend,
    }


def _member_row(
    member: Member,
    by_group: dict[int, list[Meeting]],
    marks: Marks,
    turns: dict[int, list[int]],
    promises: list[Commitment],
    mentoring: list[Mentorship],
    held: list[Meeting],
) -> dict[str, Any]:
    me = id_of(member)
    history = [marks[id_of(m)][me] for m in held if me in marks.get(id_of(m), {})]
    hot = sum(1 for m in held if me in turns.get(id_of(m), []))
    roles = sum(1 for m in held if me in (m.facilitator_id, m.timekeeper_id))
    given = sum(1 for m in mentoring if m.mentor_id == me)
    received = sum(1 for m in mentoring if m.mentee_id == me)
    mine = [c for c in promises if c.member_id == me]
    return {
        "member": me,
        "name": member.name,
        "attended": history.count(AttendanceStatus.PRESENT),
        "missed": history.count(AttendanceStatus.ABSENT),
        "hot_seats": hot,
        "commitments_done": sum(1 for c in mine if c.status == CommitmentStatus.DONE),
        "commitments_open": sum(1 for c in mine if c.status == CommitmentStatus.OPEN),
        "mentoring_given": given,
        "mentoring_received": received,
        "facilitated": roles,
        "gives": given + roles,
        "receives": hot + received,
        "at_risk": _at_risk(me, by_group, marks),
        "attendance": history,
    }


def _at_risk(me: int, by_group: dict[int, list[Meeting]], marks: Marks) -> bool:
    """Missed two or more of the last four held meetings of a group they are marked in."""
    for meetings in by_group.values():
        theirs = [m for m in meetings if me in marks.get(id_of(m), {})]
        if not theirs:
            continue
        recent = meetings[-RECENT:]
        missed = sum(
            1 for m in recent if marks.get(id_of(m), {}).get(me) == AttendanceStatus.ABSENT
        )
        if missed >= MISSED_FOR_RISK:
            return True
    return False


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None
