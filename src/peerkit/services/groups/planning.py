"""The week's meetings of every active group, with their roles settled, read at once.

For each active group the week's meeting(s) exist per cadence, and the hot seats,
facilitator and timekeeper are chosen once; later runs only replace those who can no
longer come. What that needs is read for all groups together (services/groups/week_data.py),
so the number of queries does not grow with the number of groups; the roles are written
in a fixed number of flushes. The files of `plan week` (agenda, .ics, invitations) are
written by services/outbox/week.py from the agenda facts gathered here.

A member who answered that they will not come (services/replies) keeps being invited, but
takes no role at that meeting: a role they hold passes to the next in the rotation, which
keeps their turn for a later meeting (a hot seat not held is not a turn taken).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session

from peerkit.enums import AnswerKind, MeetingStatus
from peerkit.models import Answer, Community, Group, Meeting, Member, id_of, utcnow
from peerkit.services.common import changelog, schedule
from peerkit.services.common import community as community_svc
from peerkit.services.groups import agenda as agenda_svc
from peerkit.services.groups import breaks, rotation, versions, week_data
from peerkit.services.groups import meetings as meetings_svc
from peerkit.services.groups import roster as groups_svc


@dataclass
class Slot:
    """A group's meeting of the week (meeting None: the group does not meet that week)."""

    group: Group
    meeting: Meeting | None = None
    created: bool = False
    multiple: bool = False  # the group meets more than once that week
    current: list[rotation.Seat] = field(default_factory=list)  # the group's memberships
    seat_ids: list[int] = field(default_factory=list)  # the hot seats, once settled
    facts: agenda_svc.Facts | None = None  # what its agenda is built from
    answers: list[Answer] = field(default_factory=list)  # what members answered to it
    skipped: bool = False  # a holiday or break: no meeting (breaks.place)
    notices: list[str] = field(default_factory=list)  # holidays and breaks, in words

    @property
    def meeting_id(self) -> int:
        assert self.meeting is not None
        return id_of(self.meeting)

    @property
    def candidates(self) -> list[rotation.Seat]:
        """The members who can come (rotation.eligible), in the roster's order."""
        assert self.meeting is not None
        return rotation.eligible_among(self.current, self.meeting.slot_date)

    @property
    def role_candidates(self) -> list[rotation.Seat]:
        """Those who can come, but for those who answered they will not: who takes roles."""
        declined = {a.member_id for a in self.answers if a.answer == AnswerKind.DECLINED}
        return [(m, p) for m, p in self.candidates if p.id not in declined]


@dataclass(frozen=True)
class Week:
    community: Community | None
    slots: list[Slot]


def plan(
    session: Session,
    week: str,
    *,
    today: date | None = None,
    only: Collection[int] | None = None,
) -> Week:
    """Every active group's meetings of one ISO week (or those of the groups ONLY names, by
    id), made if needed, roles settled, with what their agendas need."""
    monday, sunday = schedule.iso_week(week)
    community, near = week_data.community_and_breaks(session, monday, sunday)
    closed = breaks.closures(community, near)
    current = week_data.memberships(session)
    existing = week_data.meetings_between(session, monday, sunday)
    wanted = [
        (group, slot, len(dates))
        for group in groups_svc.list_groups(session)
        if only is None or group.id in only
        for dates in [schedule.slots(group.cadence, group.day, group.anchor, monday, sunday)]
        for slot in ([*dates] if dates else [None])
    ]
    placed = {(id_of(g), slot): breaks.place(g, slot, closed) for g, slot, _n in wanted if slot}
    missing = [
        meetings_svc.new(g, slot, placed[id_of(g), slot].day)
        for g, slot, _n in wanted
        if slot is not None
        and (id_of(g), slot) not in existing
        and placed[id_of(g), slot].day is not None
    ]
    if missing:  # one INSERT for them all, then read back with their ids
        week_data.insert_meetings(session, missing)
        existing = week_data.meetings_between(session, monday, sunday)
    made = {(m.group_id, m.slot_date) for m in missing}
    slots = [
        Slot(g, current=current.get(id_of(g), []))
        if slot is None or (id_of(g), slot) not in existing
        else Slot(g, existing[id_of(g), slot], (id_of(g), slot) in made, n > 1,
                  current.get(id_of(g), []))
        for g, slot, n in wanted
    ]  # fmt: skip
    if closed:
        _close(slots, [slot for _g, slot, _n in wanted], placed, closed, today)
    held = [s for s in slots if s.meeting is not None]
    said = week_data.answers(session, [s.meeting_id for s in held])
    for item in held:
        item.answers = said.get(item.meeting_id, [])
    before = _settle_roles(session, held, today)
    _log(session, held, before)
    _gather_facts(session, held, community)
    _settle_versions(session, held, community, today)
    if community is not None and community.holidays:
        _warn_members_off(held, community.locale)
    return Week(community, slots)


def _close(
    slots: list[Slot],
    dates: list[date | None],
    placed: dict[tuple[int, date], breaks.Placement],
    closed: breaks.Closures,
    today: date | None,
) -> None:
    """Holidays and breaks in the week (breaks.place): a meeting not made is skipped, with
    why; a planned meeting still ahead that is now on a closed day moves as a new meeting
    would, or is cancelled with the reason (its members get the cancellation)."""
    for item, slot in zip(slots, dates, strict=True):
        if slot is None:
            continue
        gid, group, meeting = id_of(item.group), item.group, item.meeting
        placement = placed[gid, slot]
        if meeting is None:
            item.skipped = True
            item.notices.append(placement.note() or "")
            continue
        ahead = today is None or slot >= today
        if meeting.status != MeetingStatus.PLANNED or not ahead:
            continue
        _usual_day, hhmm = meetings_svc.usual(group, slot)
        at_cadence = meeting.start == schedule.to_utc(_usual_day, hhmm, group.timezone)
        day = meetings_svc.local_start(meeting).date()
        if at_cadence and placement.moved and placement.day is not None:
            meetings_svc.reschedule(meeting, placement.day, hhmm, group.timezone)
            item.notices.append(placement.note() or "")
        elif (at_cadence and placement.day is None) or (
            not at_cadence and closed.why(day, gid) is not None
        ):
            why = placement.why if at_cadence else closed.why(day, gid)
            meetings_svc.cancel_for(meeting, why or "break")
            item.notices.append(f"{breaks.day_label(day)}: {why}: cancelled")
        elif placement.moved and day == placement.day:
            item.notices.append(placement.note() or "")


def _warn_members_off(slots: list[Slot], locale: str) -> None:
    """How many of each meeting's members have a public holiday of their own that day."""
    for item in slots:
        meeting = item.meeting
        assert meeting is not None
        if meeting.status == MeetingStatus.CANCELLED:
            continue
        day = meetings_svc.local_start(meeting).date()
        said = breaks.members_warning(day, [p.timezone for _m, p in item.candidates], locale)
        if said:
            item.notices.append(f"{breaks.day_label(day)}: {said}")


def slot_of(session: Session, meeting: Meeting) -> Slot:
    """One meeting as the week's plan sees it: its group's members, hot seats and answers."""
    group = session.get(Group, meeting.group_id)
    assert group is not None
    mid = id_of(meeting)
    current = week_data.memberships(session, [id_of(group)]).get(id_of(group), [])
    item = Slot(group, meeting, current=current)
    item.seat_ids = week_data.hot_seats(session, [mid]).get(mid, [])
    item.answers = week_data.answers(session, [mid]).get(mid, [])
    return item


def roles_lost(session: Session, meeting: Meeting) -> bool:
    """Whether a planned meeting has a role held by someone who can no longer come (or
    said they will not): `invite` then settles the roles as `plan week` would, first."""
    if meeting.status != MeetingStatus.PLANNED:
        return False
    item = slot_of(session, meeting)
    return rotation.loses(meeting, item.seat_ids, item.role_candidates)


def settle_roles_of(session: Session, meeting: Meeting) -> None:
    """The roles of one meeting settled as `plan week` settles them (for `invite`)."""
    _settle_roles(session, [slot_of(session, meeting)], None)


def _settle_versions(
    session: Session, slots: list[Slot], community: Community | None, today: date | None
) -> None:
    """The meetings whose invitations are due get the next version when they say something
    new (services/groups/versions.py): one statement for all."""
    sender = community_svc.organiser_of(community)
    found = []
    for item in slots:
        meeting = item.meeting
        assert meeting is not None
        assert item.facts is not None
        if meeting.status != MeetingStatus.PLANNED or (today and meeting.slot_date < today):
            continue
        invited = [p for _m, p in item.candidates if p.email] if sender else []
        found.append((meeting, versions.substance(item.facts, meeting, invited, sender)))
    versions.settle(session, found, utcnow())


def _settle_roles(session: Session, slots: list[Slot], today: date | None) -> dict[int, Roles]:
    """Choose the roles of planned meetings once; later runs only replace those who can
    no longer come (and only for meetings still ahead). Returns the roles the meetings
    whose roles were settled had before, by meeting id."""
    seats = week_data.hot_seats(session, [s.meeting_id for s in slots])
    for item in slots:
        item.seat_ids = seats.get(item.meeting_id, [])
    choosing, refreshing = [], []
    for item in slots:
        meeting = item.meeting
        assert meeting is not None
        if meeting.status != MeetingStatus.PLANNED:
            continue
        if not item.seat_ids and meeting.facilitator_id is None:
            choosing.append(item)
        elif (today is None or meeting.slot_date >= today) and rotation.loses(
            meeting, item.seat_ids, item.role_candidates
        ):
            refreshing.append(item)
    past = week_data.histories(session, [s.meeting for s in choosing + refreshing if s.meeting])
    before = {
        s.meeting_id: _roles(s.meeting, s.seat_ids) for s in choosing + refreshing if s.meeting
    }
    changes = [
        _settle(item, past[item.meeting_id], refresh=item in refreshing)
        for item in choosing + refreshing
    ]
    week_data.save_roles(session, changes, replaced=[s.meeting_id for s in refreshing])
    return before


Roles = dict[str, Any]  # a meeting's facilitator_id, timekeeper_id and hot_seat (member ids)


def _roles(meeting: Meeting, seat_ids: list[int]) -> Roles:
    return {
        "facilitator_id": meeting.facilitator_id,
        "timekeeper_id": meeting.timekeeper_id,
        "hot_seat": list(seat_ids),
    }


def _log(session: Session, slots: list[Slot], before: dict[int, Roles]) -> None:
    """The change log's entries of the week, in one statement: the meetings made (with their
    roles) and the roles settled on meetings that were there."""
    entries = []
    for item in slots:
        meeting = item.meeting
        assert meeting is not None
        mid, gid = id_of(meeting), meeting.group_id
        now = _roles(meeting, item.seat_ids)
        if item.created:
            row = {**changelog.row_of(meeting), "hot_seat": now["hot_seat"]}
            entries.append(
                changelog.entry(changelog.CREATE, "meeting", mid, group_id=gid, after=row)
            )
        elif mid in before:
            old = before[mid]
            keys = [k for k in now if now[k] != old[k]]
            if keys:
                entries.append(
                    changelog.entry(
                        changelog.CHANGE, "meeting", mid, group_id=gid,
                        before={k: old[k] for k in keys}, after={k: now[k] for k in keys},
                    )
                )  # fmt: skip
    changelog.record(session, entries)


def _settle(item: Slot, past: rotation.History, *, refresh: bool) -> week_data.RoleChange:
    """The roles a meeting gets: chosen afresh, or with those who cannot come replaced."""
    meeting = item.meeting
    assert meeting is not None
    lead = rotation.lead_of(item.current)
    candidates = item.role_candidates
    if refresh:
        found = rotation.refreshed(meeting, item.seat_ids, candidates, lead, lambda: past)
        assert found is not None
        roles, touched = found, utcnow()
    else:
        seats = agenda_svc.seats_for(meeting.duration, len(candidates))
        roles, touched = rotation.choose_from(past, candidates, lead, seats), meeting.updated_at
    item.seat_ids = roles.hot_seat
    return week_data.RoleChange(meeting, roles, touched)


def _gather_facts(session: Session, slots: list[Slot], community: Community | None) -> None:
    """What each meeting's agenda is built from (agenda.build, for all meetings at once)."""
    ids = [s.meeting_id for s in slots]
    marks = week_data.attendance(session, ids)
    owed = week_data.by_group(week_data.open_commitments(session))
    known = {id_of(p): p for s in slots for _m, p in s.current}
    wanted = {a["member"] for rows in marks.values() for a in rows}
    for s in slots:
        assert s.meeting is not None
        wanted |= {*s.seat_ids, s.meeting.facilitator_id or 0, s.meeting.timekeeper_id or 0}
    known |= week_data.members(session, wanted - known.keys() - {0})
    names = {i: p.name for i, p in known.items()}
    for item in slots:
        meeting = item.meeting
        assert meeting is not None
        recorded = marks.get(id_of(meeting), [])
        attendees = _expected(item, [known[a["member"]] for a in recorded])
        item.facts = agenda_svc.Facts(
            community=community,
            group=item.group,
            attendees=attendees,
            seat_ids=item.seat_ids,
            names=names,
            commitments=week_data.owed_at(owed, meeting),
            shown=meetings_svc.shown(
                meeting,
                item.group.slug,
                item.seat_ids,
                recorded,
                meetings_svc.answer_rows(meeting, item.answers),
            ),
        )


def _expected(item: Slot, recorded: list[Member]) -> list[Member]:
    """agenda.expected: those attendance was recorded for, else who can come."""
    if not recorded:
        return [p for _m, p in item.candidates]
    return agenda_svc.in_roster_order(recorded, item.current)
