"""What a reply answers (a meeting, a check-in or an event) and who it comes from.

A calendar reply names its invitation by UID: a meeting's, a check-in's or an event's, or
the UID of a group's series (services/outbox/feeds.py series_uid) with a RECURRENCE-ID for
one of its meetings, the meeting of that date. A plain e-mail answer names the message it
answers in In-Reply-To and References: peerkit's Message-IDs are made from what a message
is about, for whom and which version (mail.message_id), so they are made again here for the
sender's invitations, reminders and check-ins of the last weeks and those to come, and
compared. A message of an earlier version of a meeting's invitation is not found that way
(its Message-ID was made from a time no longer kept): such an answer is listed, not guessed.
An answer to a cancellation (a seat released, a member taken off a meeting) is found as
such, and changes nothing: "Sure, thanks!" to "Seat released" books no seat.

Addresses are compared as peerkit stores them (services/common/validate.email: lower case,
the domain as Unicode, so anna@XN--BCHER-KVA.example is anna@bücher.example).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, or_, select

from peerkit import mail
from peerkit.enums import AnswerAbout
from peerkit.errors import InvalidValue
from peerkit.models import (
    Answer,
    Event,
    Group,
    Meeting,
    Member,
    Membership,
    MentorCheckin,
    Mentorship,
    Rsvp,
    id_of,
)
from peerkit.services.common import validate
from peerkit.services.outbox import feeds
from peerkit.services.replies.outcome import ignored, refused

Row = Meeting | MentorCheckin | Event
LOOK_BACK = timedelta(days=14)  # how far back a plain answer's invitation may start
LATEST_VERSIONS = 50  # event and check-in versions whose Message-IDs are made again


@dataclass(frozen=True)
class Target:
    """What an answer is about."""

    about: AnswerAbout
    row: Row
    series: bool = False  # named by its group's series UID and a RECURRENCE-ID

    @property
    def id(self) -> int:
        return id_of(self.row)

    def label(self) -> str:
        noun = {"meeting": "session", "checkin": "check-in", "event": "event"}[self.about]
        return f"{noun} {self.id}"


@dataclass(frozen=True)
class Found:
    """The invitation a plain answer answers, and the SEQUENCE of the message it replied to."""

    target: Target
    sequence: int
    cancel: bool = False  # the message was a cancellation (a seat released, a member removed)


def address_key(address: str) -> str | None:
    """ADDRESS as peerkit stores addresses, or None when it is no valid address."""
    try:
        return validate.email(address)
    except InvalidValue:
        return None


def same_address(one: str, other: str) -> bool:
    key = address_key(one)
    return key is not None and key == address_key(other)


class Lookup:
    """Finding targets and members during one run (what is asked again is read once)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._series: dict[str, Group] | None = None

    def member(self, address: str) -> Member | None:
        """The member (not forgotten) whose address ADDRESS is."""
        key = address_key(address)
        if key is None:
            return None
        return self.session.exec(
            select(Member).where(Member.email == key, col(Member.forgotten_at).is_(None))
        ).first()

    # --- by UID (calendar replies) ------------------------------------------------------

    def by_uid(self, uid: str, recurrence: date | datetime | None) -> Target:
        """The meeting, check-in or event of UID (one occurrence of a series by RECURRENCE);
        Stop when it is none of peerkit's."""
        session = self.session
        if not uid.lower().endswith("@peerkit"):
            raise ignored("answers an invitation peerkit did not send (its UID is not peerkit's)")
        found: list[Target] = [
            Target(AnswerAbout.MEETING, row)
            for row in session.exec(select(Meeting).where(Meeting.uid == uid))
        ]
        found += [
            Target(AnswerAbout.CHECKIN, row)
            for row in session.exec(select(MentorCheckin).where(MentorCheckin.uid == uid))
        ]
        found += [
            Target(AnswerAbout.EVENT, row)
            for row in session.exec(select(Event).where(Event.uid == uid))
        ]
        if found:
            if recurrence is not None:
                raise refused("names one occurrence (RECURRENCE-ID) of an invitation to one")
            return found[0]
        group = self.series().get(uid)
        if group is None:
            raise refused("answers nothing peerkit knows (no meeting, check-in or event has it)")
        if recurrence is None:
            raise refused(
                f"answers every meeting of {group.slug} at once (the series); peerkit takes "
                "answers meeting by meeting"
            )
        day = _local_day(recurrence, group.timezone)
        meeting = session.exec(
            select(Meeting).where(Meeting.group_id == group.id, Meeting.slot_date == day)
        ).first()
        if meeting is None:
            raise refused(f"answers a meeting of {group.slug} on {day.isoformat()}, not planned")
        return Target(AnswerAbout.MEETING, meeting, series=True)

    def series(self) -> dict[str, Group]:
        """UID -> group, for the UIDs of every group's series: its first rule's, and those of
        the rules that take over after a date a rule cannot hold (feeds.segment_uid), which
        start on one of its meetings' dates."""
        if self._series is None:
            groups = {g.id: g for g in self.session.exec(select(Group))}
            found = {feeds.series_uid(g): g for g in groups.values()}
            dates = select(col(Meeting.group_id), col(Meeting.slot_date))
            for group_id, day in self.session.exec(dates):
                group = groups.get(group_id)
                if group is not None:
                    found.setdefault(feeds.segment_uid(group, day), group)
            self._series = found
        return self._series

    # --- by Message-ID (plain answers) ----------------------------------------------------

    def recorded(self, member: Member, message_id: str | None) -> Found | None:
        """The invitation MEMBER's reply MESSAGE_ID answered, if it is the answer recorded
        (the message read again: its invitation may have had a new version since)."""
        if message_id is None:
            return None
        row = self.session.exec(
            select(Answer).where(Answer.member_id == member.id, Answer.message_id == message_id)
        ).first()
        if row is None:
            return None
        found: Row | None
        if row.about == AnswerAbout.MEETING:
            found = self.session.get(Meeting, row.about_id)
        elif row.about == AnswerAbout.CHECKIN:
            found = self.session.get(MentorCheckin, row.about_id)
        else:
            found = self.session.get(Event, row.about_id)
        return None if found is None else Found(Target(row.about, found), row.sequence)

    def by_message_ids(
        self, member: Member, in_reply_to: list[str], references: list[str], now: datetime
    ) -> list[Found]:
        """The invitations the message replies to: what In-Reply-To names if it names one of
        the member's, else what References names; each once (as its cancellation, when that
        is named too)."""
        made = self._messages_of(member, now)
        for ids in (in_reply_to, references):
            found: dict[tuple[str, int], Found] = {}
            for mid in ids:
                hit = made.get(mid)
                if hit is None:
                    continue
                key = (hit.target.about, hit.target.id)
                if hit.cancel or key not in found:  # named with its invitation, a cancel wins
                    found[key] = hit
            if found:
                return list(found.values())
        return []

    def _messages_of(self, member: Member, now: datetime) -> dict[str, Found]:
        """Message-ID -> what it was about, for the messages peerkit writes to MEMBER about
        meetings, check-ins and events from LOOK_BACK ago on."""
        since = now - LOOK_BACK
        made: dict[str, Found] = {}
        me, email = str(id_of(member)), member.email or ""
        for meeting in self._meetings(member, since):
            target = Target(AnswerAbout.MEETING, meeting)
            stamp = meeting.updated_at.isoformat()
            for method in ("REQUEST", "CANCEL"):
                mid = mail.message_id(meeting.uid, method, str(meeting.sequence), me, stamp)
                made[mid] = Found(target, meeting.sequence, method == "CANCEL")
            made[mail.message_id(meeting.uid, "reminder", me)] = Found(target, meeting.sequence)
        for event, revision in self._events(member, since):
            # their messages carry the event's SEQUENCE plus their own version of it
            target = Target(AnswerAbout.EVENT, event)
            for seq in _versions(event.sequence + revision):
                for method in ("REQUEST", "CANCEL"):
                    mid = mail.message_id(event.uid, method, str(seq), email)
                    made[mid] = Found(target, seq, method == "CANCEL")
            for seq in _versions(event.sequence):
                mid = mail.message_id(event.uid, "reminder", str(seq), email)
                made.setdefault(mid, Found(target, event.sequence + revision))
        for checkin in self._checkins(member, since):
            target = Target(AnswerAbout.CHECKIN, checkin)
            for seq in _versions(checkin.sequence):
                for method in ("REQUEST", "CANCEL"):
                    mid = mail.message_id(checkin.uid, method, str(seq), email)
                    made[mid] = Found(target, seq, method == "CANCEL")
        return made

    def _meetings(self, member: Member, since: datetime) -> list[Meeting]:
        groups = select(Membership.group_id).where(Membership.member_id == member.id)
        return list(
            self.session.exec(
                select(Meeting).where(
                    col(Meeting.group_id).in_(groups), col(Meeting.start) >= since
                )
            )
        )

    def _events(self, member: Member, since: datetime) -> list[tuple[Event, int]]:
        """The member's events (those they answered or were invited to), each with the
        member's own version of it (Rsvp.revision)."""
        rows = self.session.exec(
            select(Event, Rsvp.revision)
            .join(Rsvp, col(Rsvp.event_id) == Event.id)
            .where(Rsvp.member_id == member.id, col(Event.start) >= since)
        )
        return [(event, revision) for event, revision in rows]

    def _checkins(self, member: Member, since: datetime) -> list[MentorCheckin]:
        return list(
            self.session.exec(
                select(MentorCheckin)
                .join(Mentorship, col(Mentorship.id) == MentorCheckin.mentorship_id)
                .where(
                    or_(Mentorship.mentor_id == member.id, Mentorship.mentee_id == member.id),
                    col(MentorCheckin.start) >= since,
                )
            )
        )


def _versions(current: int) -> range:
    return range(max(0, current - LATEST_VERSIONS + 1), current + 1)


def _local_day(moment: date | datetime, zone: str) -> date:
    """The date of an occurrence in the group's zone (a floating time is taken as written);
    Stop (refused) for a time no date can hold there (9999-12-31T23:59:59Z is in year 10000
    in Rome)."""
    if isinstance(moment, datetime):
        if moment.tzinfo is not None:
            try:
                return moment.astimezone(ZoneInfo(zone)).date()
            except (OverflowError, ValueError):
                raise refused(
                    f"a RECURRENCE-ID out of range ({moment.isoformat()}): no meeting is then"
                ) from None
        return moment.date()
    return moment
