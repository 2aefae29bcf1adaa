"""The week's meetings of every active group, with their roles settled.

For each active group the week's meeting(s) exist per cadence, and the hot seats,
facilitator and timekeeper are chosen once; later runs only replace those who can no
longer come. The files of `plan week` (agenda, .ics, invitations) are written by
services/outbox/week.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from peerkit.enums import MeetingStatus
from peerkit.models import Group, Meeting
from peerkit.services.common import schedule
from peerkit.services.groups import agenda as agenda_svc
from peerkit.services.groups import meetings as meetings_svc
from peerkit.services.groups import roster as groups_svc
from peerkit.services.groups import rotation


@dataclass(frozen=True)
class Slot:
    """A group's meeting of the week (meeting None: the group does not meet that week)."""

    group: Group
    meeting: Meeting | None = None
    created: bool = False
    multiple: bool = False  # the group meets more than once that week


def week_meetings(
    session: Session,
    week: str,
    *,
    progress: Callable[[str], None] | None = None,
    today: date | None = None,
) -> Iterator[Slot]:
    """Every active group's meetings of one ISO week, made if needed, roles settled."""
    monday, sunday = schedule.iso_week(week)
    for group in groups_svc.list_groups(session):
        if progress:
            progress(group.slug)
        dates = schedule.slots(group.cadence, group.day, group.anchor, monday, sunday)
        if not dates:
            yield Slot(group)
        for slot in dates:
            meeting, created = meetings_svc.ensure(session, group, slot)
            settle_roles(session, group, meeting, slot, today)
            yield Slot(group, meeting, created, multiple=len(dates) > 1)


def settle_roles(
    session: Session, group: Group, meeting: Meeting, slot: date, today: date | None
) -> None:
    """Choose the roles of a planned meeting once; later runs only replace those who
    can no longer come (and only for meetings still ahead)."""
    if meeting.status != MeetingStatus.PLANNED:
        return
    if not rotation.has_roles(session, meeting):
        attendees = len(rotation.eligible(session, group, slot))
        seats = agenda_svc.seats_for(meeting.duration, attendees)
        rotation.assign(session, meeting, rotation.choose(session, group, meeting, seats, slot))
    elif today is None or slot >= today:
        rotation.refresh(session, group, meeting, slot)
