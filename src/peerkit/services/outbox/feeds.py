"""Calendar feeds: meetings as .ics for a session, a group, a member or everyone.

Feeds are METHOD:PUBLISH and carry no attendees (RFC 5546). `series` writes a group's
meetings as one recurring event: an RRULE with UNTIL in UTC, EXDATE for cancelled or
missing dates, and a RECURRENCE-ID override for each meeting that was moved.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import IO, Any

from icalendar import Event, vRecur
from sqlmodel import Session, col, select

from peerkit import calendar as ical
from peerkit.enums import Cadence, MeetingStatus
from peerkit.i18n import gettext_for
from peerkit.models import Group, HotSeat, Meeting, Member, Membership, id_of
from peerkit.services.common import community as community_svc
from peerkit.services.common import schedule
from peerkit.services.common.validate import DAYS
from peerkit.services.groups import meetings as meetings_svc

SERIES_NAMESPACE = uuid.UUID("6f1c9a8e-3b7d-4c52-9d0e-4a1f2b3c5d6e")
BYDAY = {i: d[:2].upper() for i, d in enumerate(DAYS)}


def group_meetings(session: Session, groups: list[Group]) -> list[Meeting]:
    ids = [g.id for g in groups]
    if not ids:
        return []
    return list(
        session.exec(
            select(Meeting)
            .where(col(Meeting.group_id).in_(ids))
            .order_by(col(Meeting.start), col(Meeting.id))
        )
    )


def member_groups(session: Session, member: Member) -> list[Group]:
    """The groups a member is in now: their feed shows these and no other."""
    return list(
        session.exec(
            select(Group)
            .join(Membership, col(Membership.group_id) == Group.id)
            .where(Membership.member_id == member.id, col(Membership.left_on).is_(None))
            .order_by(col(Group.id))
        )
    )


def meetings_of(session: Session, groups: list[Group]) -> Iterator[Sequence[Meeting]]:
    """The groups' meetings in the order of `group_meetings`, BATCH at a time."""
    ids = [g.id for g in groups]
    if not ids:
        return
    query = (
        select(Meeting)
        .where(col(Meeting.group_id).in_(ids))
        .order_by(col(Meeting.start), col(Meeting.id))
        .execution_options(yield_per=BATCH)
    )
    yield from session.exec(query).partitions()


BATCH = 1000  # meetings loaded, and their events built, at a time


class _Context:
    """What every event needs: the community's once, each batch of meetings' with `load`."""

    def __init__(self, session: Session, meetings: Sequence[Meeting] = ()) -> None:
        community = community_svc.get(session)
        self.locale = community.locale if community else "en"
        self._ = gettext_for(self.locale).gettext
        self.organiser = community_svc.calendar_organiser(session)
        self._session = session
        self.groups: dict[int | None, Group] = {}
        self.seats: dict[int, list[int]] = {}
        self.names: dict[int, str] = {}
        self.load(meetings)

    def load(self, meetings: Sequence[Meeting]) -> None:
        """The groups, hot seats and people's names of these meetings (a few queries)."""
        session = self._session
        group_ids = {m.group_id for m in meetings} - self.groups.keys()
        if group_ids:
            found = session.exec(select(Group).where(col(Group.id).in_(group_ids)))
            self.groups.update((g.id, g) for g in found)
        meeting_ids = [m.id for m in meetings]
        seats: dict[int, list[tuple[int, int]]] = {}
        for seat in session.exec(select(HotSeat).where(col(HotSeat.meeting_id).in_(meeting_ids))):
            seats.setdefault(seat.meeting_id, []).append((seat.position, seat.member_id))
        self.seats = {k: [mid for _p, mid in sorted(v)] for k, v in seats.items()}
        people = {mid for v in self.seats.values() for mid in v}
        people |= {m.facilitator_id for m in meetings if m.facilitator_id}
        missing = [p for p in people if p is not None and p not in self.names]
        self.names.update(meetings_svc.names(session, missing))

    def summary(self, meeting: Meeting) -> str:
        return self.groups[meeting.group_id].name

    def description(self, meeting: Meeting) -> str:
        _ = self._
        lines = []
        if meeting.status == MeetingStatus.CANCELLED:
            lines.append(_("This meeting is cancelled."))
        seated = [self.names.get(i, "?") for i in self.seats.get(id_of(meeting), [])]
        if seated:
            lines.append(f"{_('On the hot seat')}: {', '.join(seated)}")
        if meeting.facilitator_id:
            lines.append(f"{_('Facilitator')}: {self.names.get(meeting.facilitator_id, '?')}")
        lines.append(f"{_('Duration')}: {meeting.duration} min")
        return "\n".join(lines)


def _single(ctx: _Context, meeting: Meeting) -> Event:
    return ical.event(
        meeting,
        ctx.summary(meeting),
        description=ctx.description(meeting),
        organiser=ctx.organiser,
        local_start=meetings_svc.local_start(meeting),
    )


def feed(session: Session, meetings: list[Meeting], extra: Sequence[Event] = ()) -> bytes:
    """One VEVENT per meeting (then the extra events), METHOD:PUBLISH."""
    out = io.BytesIO()
    write_feed(out, session, [meetings[i : i + BATCH] for i in range(0, len(meetings), BATCH)],
               extra)  # fmt: skip
    return out.getvalue()


def write_feed(
    out: IO[bytes],
    session: Session,
    batches: Iterable[Sequence[Meeting]],
    extra: Sequence[Event] = (),
) -> None:
    """`feed` of the meetings in BATCHES, written to OUT as each event is built."""
    ctx = _Context(session)

    def events() -> Iterator[Event]:
        for batch in batches:
            ctx.load(batch)
            yield from (_single(ctx, m) for m in batch)
        yield from extra

    ical.write(out, events(), method="PUBLISH")


def series_uid(group: Group) -> str:
    return f"{uuid.uuid5(SERIES_NAMESPACE, f'{group.id}:{group.slug}:{group.anchor}')}@peerkit"


def series(session: Session, group: Group, meetings: list[Meeting]) -> bytes:
    """The group's meetings as recurring events with exceptions and overrides.

    The rule repeats the group's wall-clock time; an occurrence on a night when that time
    happens twice or not at all, or when the clocks change during the meeting, is read
    differently by different calendars (ical.js, libical, icalendar, vobject), and libical
    misplaces the occurrences after one. So the rule stops before such a date, the date's
    meeting is an event of its own (its times in UTC when needed), and a new rule (its own
    UID) takes over after it. Most groups never meet at such an hour: one rule, one UID.
    """
    mine = sorted((m for m in meetings if m.group_id == group.id), key=lambda m: m.slot_date)
    if not mine:
        return ical.to_bytes(ical.calendar([], method="PUBLISH"))
    ctx = _Context(session, mine)
    first, last = mine[0].slot_date, mine[-1].slot_date
    zone = group.timezone
    dates = schedule.slots(group.cadence, group.day, group.anchor, first, last)
    pattern = {
        d: start
        for d in dates
        if schedule.readings(d, group.time, zone) == 1
        and ical.steady(start := schedule.local_datetime(d, group.time, zone), group.duration)
    }
    by_slot = {m.slot_date: m for m in mine}
    events: list[Event] = []
    for run in _runs(dates, pattern, by_slot):
        master = _master(ctx, group, mine, pattern[run[0]], _segment_uid(group, run[0], dates))
        events.append(master)
        for slot in run:
            meeting, start = by_slot.get(slot), pattern[slot]
            if meeting is None or meeting.status == MeetingStatus.CANCELLED:
                master.add("exdate", start)
            elif (
                meetings_svc.local_start(meeting) != start
                or meeting.duration != group.duration
                or meeting.sequence
            ):
                events.append(_override(ctx, meeting, start, master))
        master.add("rrule", vRecur(_rule(group, pattern[run[-1]].astimezone(UTC))))
    events.extend(
        _single(ctx, m)
        for m in mine
        if m.slot_date not in pattern and m.status != MeetingStatus.CANCELLED
    )
    return ical.to_bytes(ical.calendar(events, method="PUBLISH"))


def _runs(
    dates: list[date], clear: dict[date, datetime], meetings: dict[date, Meeting]
) -> list[list[date]]:
    """DATES in runs of dates that a rule can hold (CLEAR), split where one cannot; each run
    from its first meeting to its last (a rule starts and ends at a meeting, and the UID of
    a later rule names the date of a meeting, which replies and `outbox check` look up)."""
    runs: list[list[date]] = [[]]
    for d in dates:
        if d in clear:
            runs[-1].append(d)
        elif runs[-1]:
            runs.append([])
    trimmed = []
    for run in runs:
        held = [i for i, d in enumerate(run) if d in meetings]
        if held:
            trimmed.append(run[held[0] : held[-1] + 1])
    return trimmed


def _segment_uid(group: Group, start: date, dates: list[date]) -> str:
    """The series' UID for its first rule; a rule after a date it cannot hold, its own."""
    return series_uid(group) if start == dates[0] else segment_uid(group, start)


def segment_uid(group: Group, start: date) -> str:
    """The UID of a rule of the group's series that takes over on START (not the first)."""
    key = f"{group.id}:{group.slug}:{group.anchor}:{start.isoformat()}"
    return f"{uuid.uuid5(SERIES_NAMESPACE, key)}@peerkit"


def _rule(group: Group, until: datetime) -> dict[str, Any]:
    rule: dict[str, Any] = {"FREQ": "MONTHLY" if group.cadence == Cadence.MONTHLY else "WEEKLY"}
    if group.cadence == Cadence.BIWEEKLY:
        rule["INTERVAL"] = 2
    if group.cadence == Cadence.MONTHLY:
        rule["BYDAY"] = f"{schedule.week_of_month(group.anchor)}{BYDAY[group.day]}"
    else:
        rule["BYDAY"] = BYDAY[group.day]
    rule["UNTIL"] = until
    return rule


def _master(ctx: _Context, group: Group, mine: list[Meeting], start: datetime, uid: str) -> Event:
    ev = Event()
    ev.add("uid", uid)
    ev.add("dtstamp", max(m.updated_at for m in mine))
    ev.add("sequence", max(m.sequence for m in mine))
    ev.add("summary", group.name)
    ev.add("dtstart", start)
    ev.add("duration", timedelta(minutes=group.duration))
    if group.location:
        ev.add("location", group.location)
    if ctx.organiser and (org := ical.address(ctx.organiser)) is not None:
        ev.add("organizer", org)
    return ev


def _override(ctx: _Context, meeting: Meeting, original: datetime, master: Event) -> Event:
    ev = _single(ctx, meeting)
    del ev["UID"]
    ev.add("uid", str(master["UID"]))
    ev.add("recurrence-id", original)
    return ev


def resources(session: Session, meetings: list[Meeting]) -> list[tuple[str, bytes]]:
    """One CalDAV resource per meeting: its own VCALENDAR, without METHOD or attendees."""
    ctx = _Context(session, meetings)
    return [(m.uid, ical.to_bytes(ical.calendar([_single(ctx, m)]))) for m in meetings]
