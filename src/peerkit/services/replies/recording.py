"""Recording an answer: whether it may be taken, whether it is news, and what it changes.

An answer is taken only from a member invited to what it answers, for something still to
come and not cancelled, with a SEQUENCE peerkit has sent and a DTSTAMP not in the future.
Of two answers the one with the higher SEQUENCE, then the later DTSTAMP, wins: an older
reply never overwrites a newer one, and reading the same reply again changes nothing.

A reply to one meeting of a group's series carries the series' SEQUENCE, which is the
highest of all the group's meetings' (services/outbox/feeds.py): it says nothing of that
meeting's version. So it may be no higher than that, it is compared with the answer kept by
its DTSTAMP alone, and it is kept with the meeting's own SEQUENCE, against which a later
reply to the meeting's own invitation is compared as usual.

What an answer changes: for an event, yes and no are `event rsvp` and `event rsvp --no`
(services/events/seats.py: a seat, the waitlist, a freed seat going to the first on it),
with the invitations `event rsvp` writes (services/outbox/events.py); for a meeting, its
agenda lists it and a role held by a member who is not coming passes on (planning, which
the caller runs once for each meeting touched); for a check-in, it is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, func, select

from peerkit.enums import (
    AnswerAbout,
    AnswerKind,
    AnswerSource,
    CheckinStatus,
    EventStatus,
    MeetingStatus,
    RsvpStatus,
)
from peerkit.models import (
    Answer,
    Event,
    Group,
    Meeting,
    Member,
    MentorCheckin,
    Mentorship,
    id_of,
)
from peerkit.services.events import seats
from peerkit.services.groups import rotation
from peerkit.services.outbox import events as event_mail
from peerkit.services.outbox.message import Message
from peerkit.services.replies.outcome import (
    RECORDED,
    UNCHANGED,
    WOULD_RECORD,
    ignored,
    refused,
)

CLOCK_SKEW = timedelta(days=1)  # a DTSTAMP further ahead than this is refused
SAYS = {
    AnswerKind.ACCEPTED: "coming",
    AnswerKind.DECLINED: "not coming",
    AnswerKind.TENTATIVE: "maybe coming",
}
WHERE = {
    RsvpStatus.GOING: "has a seat",
    RsvpStatus.WAITLIST: "is on the waitlist",
    RsvpStatus.DECLINED: "is not coming",
}


@dataclass(frozen=True)
class Reply:
    """One answer to record."""

    about: AnswerAbout
    row: Meeting | MentorCheckin | Event
    member: Member
    answer: AnswerKind
    sequence: int
    dtstamp: datetime
    source: AnswerSource
    message_id: str | None
    series: bool = False  # named by a series' UID: its SEQUENCE is the series'

    @property
    def version(self) -> int:
        """The SEQUENCE kept with the answer: a series reply's is the meeting's own."""
        return self.row.sequence if self.series else self.sequence


@dataclass
class Recorded:
    """What recording did: the action and reason of the outcome, and what follows."""

    action: str
    reason: str
    changed: bool = False
    letters: list[Message] = field(default_factory=list)  # event invitations to write


def check(session: Session, reply: Reply, now: datetime) -> None:
    """Stop (refused or ignored) when the reply may not be taken."""
    row, member = reply.row, reply.member
    if isinstance(row, Meeting):
        _meeting_open(row, now)
        group = session.get(Group, row.group_id)
        assert group is not None
        if all(p.id != member.id for _m, p in rotation.eligible(session, group, row.slot_date)):
            raise refused(
                f"{member.describe()} is not invited to this meeting (not in {group.slug} "
                "on its date, or paused)"
            )
    elif isinstance(row, MentorCheckin):
        _checkin_open(row, now)
        item = session.get(Mentorship, row.mentorship_id)
        if item is None or member.id not in (item.mentor_id, item.mentee_id):
            raise refused(f"{member.describe()} is neither mentor nor mentee of this check-in")
    newest = row.sequence  # the SEQUENCE of the last invitation peerkit sent them
    if isinstance(row, Event):
        _event_open(row, now)
        invited = seats.answer_of(session, row, member)
        if invited is None:
            raise refused(f"{member.describe()} was not invited to this event")
        newest += invited.revision  # their own version of it (services/outbox/events.py)
    if reply.series and isinstance(row, Meeting):
        series = _series_sequence(session, row.group_id)
        if reply.sequence > series:
            raise refused(
                f"its SEQUENCE {reply.sequence} is newer than any version of the group's "
                f"calendar peerkit wrote ({series})"
            )
    elif reply.sequence > newest:
        raise refused(
            f"its SEQUENCE {reply.sequence} is newer than any invitation peerkit sent ({newest})"
        )
    if reply.dtstamp > now + CLOCK_SKEW:
        raise refused(f"dated {reply.dtstamp.isoformat()}, in the future")


def _series_sequence(session: Session, group_id: int) -> int:
    """The SEQUENCE of a group's series: the highest of its meetings' (feeds.py `_master`)."""
    found = session.exec(
        select(func.max(Meeting.sequence)).where(Meeting.group_id == group_id)
    ).one()
    return int(found or 0)


def _meeting_open(meeting: Meeting, now: datetime) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise refused("the meeting is cancelled")
    if meeting.status == MeetingStatus.DONE:
        raise ignored("the meeting has taken place (its attendance is taken)")
    if meeting.start <= now:
        raise ignored("the meeting has started: answers are closed")


def _checkin_open(checkin: MentorCheckin, now: datetime) -> None:
    if checkin.status == CheckinStatus.CANCELLED:
        raise refused("the check-in is cancelled")
    if checkin.start <= now:
        raise ignored("the check-in has started: answers are closed")


def _event_open(event: Event, now: datetime) -> None:
    if event.status == EventStatus.CANCELLED:
        raise refused("the event is cancelled")
    if event.start <= now:
        raise ignored("the event has started: answers are closed")


def record(session: Session, reply: Reply, now: datetime, *, dry_run: bool) -> Recorded:
    """Keep the answer if it is the newest, and make what it changes (see the module)."""
    stored = session.exec(
        select(Answer).where(
            Answer.about == reply.about,
            Answer.about_id == id_of(reply.row),
            Answer.member_id == id_of(reply.member),
        )
    ).first()

    def newness(sequence: int, dtstamp: datetime) -> tuple[int, datetime]:
        """SEQUENCE, then DTSTAMP; for a series reply DTSTAMP alone (see the module)."""
        return (0 if reply.series else sequence, dtstamp)

    said = newness(reply.sequence, reply.dtstamp)
    if stored is not None:
        kept = newness(stored.sequence, stored.dtstamp)
        if said < kept:
            raise ignored(
                f"older than the answer recorded ({stored.answer}, SEQUENCE {stored.sequence}, "
                f"{stored.dtstamp.isoformat()})"
            )
        if said == kept and stored.answer == reply.answer:
            return Recorded(UNCHANGED, "recorded already")
        if said == kept:
            same = "DTSTAMP" if reply.series else "SEQUENCE and DTSTAMP"
            raise refused(
                f"says {reply.answer} where a reply of the same {same} said {stored.answer}"
            )
        if stored.answer == reply.answer:
            _keep(session, stored, reply, now)
            return Recorded(UNCHANGED, f"{reply.answer} again (a later reply)")
    done = _effects(session, reply, now)
    _keep(session, stored, reply, now)
    done.action, done.changed = (WOULD_RECORD if dry_run else RECORDED), True
    return done


def _keep(session: Session, stored: Answer | None, reply: Reply, now: datetime) -> None:
    row = stored or Answer(
        about=reply.about,
        about_id=id_of(reply.row),
        member_id=id_of(reply.member),
        answer=reply.answer,
        dtstamp=reply.dtstamp,
        source=reply.source,
    )
    row.answer, row.sequence, row.dtstamp = reply.answer, reply.version, reply.dtstamp
    row.source, row.message_id, row.received_at = reply.source, reply.message_id, now
    session.add(row)
    session.flush()


def _effects(session: Session, reply: Reply, now: datetime) -> Recorded:
    """What the answer changes besides itself (events: the seats; meetings: see planning)."""
    row = reply.row
    if not isinstance(row, Event) or reply.answer == AnswerKind.TENTATIVE:
        if isinstance(row, Event):
            return Recorded("", "maybe coming: a tentative answer keeps their seat or place")
        return Recorded("", SAYS[reply.answer])
    going = reply.answer == AnswerKind.ACCEPTED
    # what `event rsvp` [--no] does: a yes accepts a seat offered from the waitlist too
    result = seats.rsvp(session, row, reply.member, going, now)
    told = event_mail.answer_notices(reply.member, result)
    letters = event_mail.messages(session, row, told)
    reason = f"{reply.member.name} {WHERE[result.status]}"
    if result.accepted:
        reason += " (they accepted the seat offered to them)"
    if result.withdrawn:
        reason += "; their invitation is withdrawn"
    if result.promoted:
        moved = [p.name for i in result.promoted if (p := session.get(Member, i)) is not None]
        reason += f"; a seat freed: {', '.join(moved)} moved up from the waitlist"
    return Recorded("", reason, letters=letters)
