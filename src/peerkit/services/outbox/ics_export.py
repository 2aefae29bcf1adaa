"""`export ics`: which meetings, check-ins and events go into a feed, and the feed's bytes.

One session; every meeting of a group (or the group as one recurring series); a member's
own calendar (the meetings of the groups they are in now, their mentoring check-ins, the
events they have a seat at, and their commitments as tasks); or every meeting of every
group. Feeds are METHOD:PUBLISH, without attendee addresses (see feeds.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Any

from sqlmodel import Session

from peerkit.errors import UsageProblem
from peerkit.models import Member
from peerkit.services.events import notices, seats
from peerkit.services.groups import commitments, meetings, roster
from peerkit.services.members import profiles
from peerkit.services.mentoring import checkins
from peerkit.services.outbox import feeds


@dataclass(frozen=True)
class Scope:
    """What the feed covers: exactly one of session, group, member or everyone."""

    session: str | None = None
    group: str | None = None
    member: str | None = None
    everyone: bool = False
    series: bool = False  # with a group: one recurring event

    def check(self) -> None:
        """Refuse a scope that is not exactly one thing (before any database is opened)."""
        chosen = [x for x in (self.session, self.group, self.member) if x is not None]
        if len(chosen) + self.everyone != 1:
            raise UsageProblem(
                "choose exactly one of --session ID, --group G, --member REF or --all."
            )
        if self.series and self.group is None:
            raise UsageProblem("--series works with --group: one recurring event per group.")


def build(session: Session, scope: Scope) -> bytes:
    """The iCalendar feed of `scope`."""
    scope.check()
    if scope.session is not None:
        return feeds.feed(session, [meetings.resolve(session, scope.session)])
    if scope.group is not None:
        group = roster.resolve(session, scope.group)
        found = feeds.group_meetings(session, [group])
        return feeds.series(session, group, found) if scope.series else feeds.feed(session, found)
    if scope.member is not None:
        return member_feed(session, profiles.resolve(session, scope.member))
    return feeds.feed(session, feeds.group_meetings(session, roster.list_groups(session, True)))


def write(session: Session, scope: Scope, out: IO[bytes]) -> None:
    """`build`, written to OUT; every meeting of every group is written event by event."""
    scope.check()
    if not scope.everyone:
        out.write(build(session, scope))
        return
    groups = roster.list_groups(session, True)
    feeds.write_feed(out, session, feeds.meetings_of(session, groups))


def member_feed(session: Session, member: Member) -> bytes:
    """A member's own calendar: their groups' meetings, then check-ins and events, then
    their commitments as tasks (VTODO; only in their own calendar, see docs/calendar.md)."""
    assert member.id is not None
    mine = checkins.of_member(session, member.id)
    extra: list[Any] = [checkins.feed_event(session, c) for c in mine]
    extra += [notices.vevent(session, e) for e in seats.going_to(session, member.id)]
    extra += commitments.tasks(session, member)
    found = feeds.group_meetings(session, feeds.member_groups(session, member))
    return feeds.feed(session, found, extra)
