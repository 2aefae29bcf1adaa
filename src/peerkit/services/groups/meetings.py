"""Meetings (the CLI's sessions): plan, find, move, cancel, attendance and notes."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from peerkit import rowversions
from peerkit.enums import AnswerAbout, AttendanceStatus, GroupStatus, MeetingStatus
from peerkit.errors import Conflict, InvalidValue, UsageProblem
from peerkit.models import Answer, Attendance, Group, HotSeat, Meeting, Member, id_of, utcnow
from peerkit.services.common import community as community_svc
from peerkit.services.common import lookup, schedule, validate
from peerkit.services.groups import breaks, fairness, roster, rotation
from peerkit.services.members import profiles as members_svc

MAX_PLAN = 200


def plan(
    session: Session,
    group: Group,
    start: date,
    *,
    count: int | None = None,
    until: date | None = None,
    notes: list[str] | None = None,
) -> list[tuple[Meeting, bool]]:
    """Make sure the group's meetings exist; (meeting, created) for each date. Idempotent.

    A cancelled meeting stays cancelled: planning never re-creates it. A new meeting on a
    holiday or in a break is skipped or moved (breaks.place); what happened is added to
    NOTES, with the members' own holidays on the days they meet. --count counts cadence
    dates, skipped ones included.
    """
    if group.status != GroupStatus.ACTIVE:
        raise Conflict(f"the group {group.slug} is archived; it has no new meetings.")
    if count is not None and until is not None:
        raise UsageProblem("give --count or --until, not both.")
    if count is not None and not 1 <= count <= MAX_PLAN:
        raise InvalidValue(f"--count must be between 1 and {MAX_PLAN}.")
    if until is not None:
        dates = schedule.slots(group.cadence, group.day, group.anchor, start, until)
        if len(dates) > MAX_PLAN:
            raise InvalidValue(f"that is {len(dates)} meetings; plan at most {MAX_PLAN} at once.")
    else:
        dates = schedule.next_slots(group.cadence, group.day, group.anchor, start, count or 1)
    if not dates:
        return []
    community = community_svc.get(session)
    closed = breaks.read(session, community, dates[0], dates[-1])
    made = []
    for slot in dates:
        placed = breaks.place(group, slot, closed)
        found = _existing(session, group, slot)
        if notes is not None and (note := _placement_note(placed, found, group)):
            notes.append(note)
        if found is None and placed.day is None:
            continue
        made.append(ensure(session, group, slot, placed.day) if found is None else (found, False))
    if notes is not None and community is not None and community.holidays is not None:
        held = [m for m, _new in made if closed.why(local_start(m).date(), id_of(group)) is None]
        notes.extend(_members_off(session, group, held, community.locale))
    return made


def _placement_note(placed: breaks.Placement, found: Meeting | None, group: Group) -> str | None:
    """What a holiday or break does to a cadence date, in words (None: nothing). A meeting
    planned before at that date is left to `plan week`, which cancels or moves it."""
    if placed.why is None:
        return None
    if found is None:
        return placed.note()
    at_cadence = found.start == schedule.to_utc(*usual(group, found.slot_date), group.timezone)
    if found.status != MeetingStatus.PLANNED or not at_cadence:
        return None
    then = "cancel it" if placed.day is None else f"move it to {breaks.day_label(placed.day)}"
    slot = breaks.day_label(placed.usual or placed.slot)
    return f"{slot}: {placed.why}: planned before; plan week will {then}"


def _members_off(session: Session, group: Group, made: list[Meeting], locale: str) -> list[str]:
    """For each planned meeting, how many of its members have a public holiday then."""
    found = []
    for meeting in made:
        if meeting.status == MeetingStatus.CANCELLED:
            continue
        day = local_start(meeting).date()
        zones = [p.timezone for _m, p in rotation.eligible(session, group, meeting.slot_date)]
        said = breaks.members_warning(day, zones, locale)
        if said:
            found.append(f"{breaks.day_label(day)}: {said}")
    return found


def _existing(session: Session, group: Group, slot: date) -> Meeting | None:
    return session.exec(
        select(Meeting).where(Meeting.group_id == group.id, Meeting.slot_date == slot)
    ).first()


def ensure(
    session: Session, group: Group, slot: date, on: date | None = None
) -> tuple[Meeting, bool]:
    """The group's meeting of a cadence date, made (on ON, else on that date) if missing."""
    found = _existing(session, group, slot)
    if found is not None:
        return found, False
    meeting = new(group, slot, on)
    session.add(meeting)
    session.flush()
    return meeting, True


def usual(group: Group, slot: date) -> tuple[date, str]:
    """The local day and time (HH:MM) of a group's meeting of cadence date SLOT when no
    holiday moves it: the group's day and time, or its turn's slot (fairness.when)."""
    return fairness.when(group.cadence, group.anchor, group.rotate_slots, slot, group.time)


def new(group: Group, slot: date, on: date | None = None) -> Meeting:
    """A group's meeting for a cadence date, as the group's settings say (not added yet):
    at its day and time, or at the slot its turn gives it; held on ON instead when a
    holiday or break moved it (breaks.place)."""
    day, hhmm = usual(group, slot)
    return Meeting(
        group_id=id_of(group),
        slot_date=slot,
        start=schedule.to_utc(on or day, hhmm, group.timezone),
        timezone=group.timezone,
        duration=group.duration,
        location=group.location,
        uid=f"{uuid.uuid4()}@peerkit",
    )


def resolve(session: Session, ref: str | int) -> Meeting:
    """A meeting by id."""
    return lookup.find(session, FINDER, ref)


FINDER = lookup.Finder(Meeting, "session", "peerkit session list")


def list_meetings(
    session: Session, group: Group | None, start: date | None, end: date | None
) -> list[Meeting]:
    """Meetings whose local date (in their own zone) is between start and end, inclusive."""
    query = select(Meeting).order_by(col(Meeting.start), col(Meeting.id))
    if group is not None:
        query = query.where(Meeting.group_id == group.id)
    if start is not None:
        query = query.where(
            col(Meeting.start)
            >= datetime.combine(start, datetime.min.time(), UTC) - timedelta(days=1)
        )
    if end is not None:
        query = query.where(
            col(Meeting.start) < datetime.combine(end, datetime.min.time(), UTC) + timedelta(days=2)
        )
    rows = list(session.exec(query))
    return [m for m in rows if _within(local_start(m).date(), start, end)]


def _within(d: date, start: date | None, end: date | None) -> bool:
    return (start is None or d >= start) and (end is None or d <= end)


def local_start(meeting: Meeting, zone: str | None = None) -> datetime:
    return meeting.start.astimezone(ZoneInfo(zone or meeting.timezone))


def local_end(meeting: Meeting, zone: str | None = None) -> datetime:
    end = meeting.start + timedelta(minutes=meeting.duration)  # real time, then the wall clock
    return end.astimezone(ZoneInfo(zone or meeting.timezone))


def later(previous: datetime, now: datetime) -> datetime:
    """The time of a new version: NOW, but at least a second after PREVIOUS, so that its
    DTSTAMP (written to the second) is a later one too."""
    floor = previous.replace(microsecond=0) + timedelta(seconds=1)
    return max(now, floor)


def _touch(meeting: Meeting) -> None:
    meeting.sequence += 1
    meeting.updated_at = later(meeting.updated_at, utcnow())
    meeting.content_hash = None  # this version's invitations are still to be written


def move(session: Session, meeting: Meeting, when: str, zone: str | None, *, now: datetime) -> None:
    """Move to a local date and time (in the meeting's zone, or the one given).

    Only a meeting still to come moves, and only to a time still to come: one that has
    started or has its attendance taken is history (its invitations, its roles).
    """
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict(f"session {meeting.id} is cancelled; a cancelled session cannot be moved.")
    _refuse_history(session, meeting, now)
    tz = validate.timezone(zone) if zone else meeting.timezone
    try:
        day_text, time_text = when.strip().split(maxsplit=1)
        new_day = date.fromisoformat(day_text)
    except ValueError:
        raise InvalidValue(f"--to must look like \"2026-12-08 18:30\", not '{when}'.") from None
    validate.in_window(new_day, "--to", f"'{when.strip()}'")
    # The time is typed in TZ; the meeting keeps its own zone (the group's).
    new_start = schedule.to_utc(new_day, schedule.clock(time_text), tz)
    if new_start == meeting.start:
        return
    if new_start <= now:
        raise Conflict(f"--to '{when.strip()}' is in the past; move a meeting to a time to come.")
    meeting.start = new_start
    _touch(meeting)
    session.add(meeting)


def reschedule(meeting: Meeting, on: date, hhmm: str, zone: str) -> None:
    """Hold a meeting on another day at its wall-clock time (a holiday or break moved it):
    a new version, as `move` makes."""
    new_start = schedule.to_utc(on, hhmm, zone)
    if new_start != meeting.start:
        meeting.start = new_start
        _touch(meeting)


def _refuse_history(session: Session, meeting: Meeting, now: datetime) -> None:
    """Conflict when the meeting has taken place: attendance taken, or its start passed."""
    taken = session.exec(select(Attendance.id).where(Attendance.meeting_id == meeting.id)).first()
    if meeting.status == MeetingStatus.DONE or taken is not None:
        raise Conflict(f"session {meeting.id} has its attendance taken; it cannot be moved.")
    if meeting.start <= now:
        started = local_start(meeting).strftime("%Y-%m-%d %H:%M")
        raise Conflict(
            f"session {meeting.id} started at {started}; a past meeting cannot be moved."
        )


def cancel(session: Session, meeting: Meeting, reason: str | None) -> bool:
    if meeting.status == MeetingStatus.CANCELLED:
        return False
    cancel_for(meeting, validate.optional_line(reason, "the reason"))
    session.add(meeting)
    return True


def cancel_for(meeting: Meeting, reason: str | None) -> None:
    """The meeting cancelled, with the reason its members are told (a new version)."""
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancel_reason = reason
    _touch(meeting)


def attend(session: Session, meeting: Meeting, present: list[Member], absent: list[Member]) -> None:
    """Record attendance; a meeting with attendance recorded is done."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict(f"session {meeting.id} was cancelled; nobody attended it.")
    both = {m.id for m in present} & {m.id for m in absent}
    if both:
        raise UsageProblem("a member cannot be both --present and --absent.")
    group = session.get(Group, meeting.group_id)
    assert group is not None
    roster.refuse_outsiders(session, group, meeting.slot_date, [*present, *absent])
    marks = [(m, AttendanceStatus.PRESENT) for m in present]
    marks += [(m, AttendanceStatus.ABSENT) for m in absent]
    for member, status in marks:
        row = session.exec(
            select(Attendance).where(
                Attendance.meeting_id == meeting.id, Attendance.member_id == member.id
            )
        ).first()
        row = row or Attendance(meeting_id=id_of(meeting), member_id=id_of(member), status=status)
        row.status = status
        session.add(row)
    meeting.status = MeetingStatus.DONE
    session.add(meeting)


def set_notes(
    session: Session, meeting: Meeting, text: str, read_version: int | None = None
) -> None:
    """Replace the notes; READ_VERSION: the version they were read at in an earlier
    transaction (an editor open for minutes), refused when the meeting changed since."""
    rowversions.expect(session, meeting, read_version)
    meeting.notes = validate.bio(text)
    session.add(meeting)


def hot_seat_ids(session: Session, meeting: Meeting) -> list[int]:
    rows = session.exec(
        select(HotSeat).where(HotSeat.meeting_id == meeting.id).order_by(col(HotSeat.position))
    )
    return [h.member_id for h in rows]


def attendance(session: Session, meeting: Meeting) -> list[dict[str, Any]]:
    rows = session.exec(
        select(Attendance)
        .where(Attendance.meeting_id == meeting.id)
        .order_by(col(Attendance.member_id))
    )
    return [{"member": a.member_id, "status": a.status} for a in rows]


def answers(session: Session, meeting: Meeting) -> list[Answer]:
    """What members answered to the meeting's invitation (services/replies), by member id."""
    rows = session.exec(
        select(Answer)
        .where(Answer.about == AnswerAbout.MEETING, Answer.about_id == meeting.id)
        .order_by(col(Answer.member_id))
    )
    return list(rows)


def answer_rows(meeting: Meeting, found: list[Answer]) -> list[dict[str, Any]]:
    """Answers as `session show` lists them: member, answer, and when they answered (their
    reply's DTSTAMP, in the meeting's zone)."""
    zone = ZoneInfo(meeting.timezone)
    return [
        {"member": a.member_id, "answer": a.answer, "at": a.dtstamp.astimezone(zone).isoformat()}
        for a in found
    ]


def to_dict(session: Session, meeting: Meeting, viewer_tz: str | None = None) -> dict[str, Any]:
    group = session.get(Group, meeting.group_id)
    assert group is not None
    marks = attendance(session, meeting)
    said = answer_rows(meeting, answers(session, meeting))
    return shown(meeting, group.slug, hot_seat_ids(session, meeting), marks, said, viewer_tz)


def shown(
    meeting: Meeting,
    slug: str,
    seat_ids: list[int],
    marks: list[dict[str, Any]],
    said: list[dict[str, Any]],
    viewer_tz: str | None = None,
) -> dict[str, Any]:
    """The `session show` shape, from what was read (marks: attendance(), by member id;
    said: answer_rows())."""
    shown: dict[str, Any] = {
        "id": meeting.id,
        "group": slug,
        "start": local_start(meeting).isoformat(),
        "end": local_end(meeting).isoformat(),
        "timezone": meeting.timezone,
        "status": meeting.status,
        "sequence": meeting.sequence,
        "uid": meeting.uid,
        "location": meeting.location,
        "hot_seat": seat_ids,
        "facilitator": meeting.facilitator_id,
        "timekeeper": meeting.timekeeper_id,
        "attendance": marks,
        "answers": said,
        "notes": meeting.notes,
        "cancel_reason": meeting.cancel_reason,
    }
    if viewer_tz:
        shown["viewer_timezone"] = viewer_tz
        shown["viewer_start"] = local_start(meeting, viewer_tz).isoformat()
        shown["viewer_end"] = local_end(meeting, viewer_tz).isoformat()
    return shown


def names(session: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(select(Member).where(col(Member.id).in_(ids)))
    return {id_of(m): m.name for m in rows}


def describe_member(member: Member) -> str:
    return members_svc.describe(member)
