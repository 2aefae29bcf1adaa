"""`peerkit status`: the organiser's week on one page.

This week's meetings with who is on the hot seat and who has answered; the messages written
to the outbox and not sent; open commitments due by the end of the week (and those overdue);
the waitlists of events to come; the members at risk and why (the rule of `held`); and the
mentorships that have gone quiet.

Everything is read in a fixed number of statements, whatever the size of the community
(tests/test_status.py counts them): each section is one query over all groups, members or
events, and the outbox is a listing of this week's meeting folders.

What "not sent" can know: an invitation, cancellation or reminder file in a meeting's folder
of the outbox (`plan week`, `invite`, `remind` write them there) whose member has no delivery
recorded for it (services/outbox/ledger.py): for an invitation, none at the meeting's current
version. Only meetings still to come are looked at; files written elsewhere with --out, and
the messages of events and check-ins, are not (`peerkit outbox check` reads every file).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from peerkit.columns import UTCDateTime
from peerkit.enums import (
    CheckinStatus,
    CommitmentStatus,
    DeliveryKind,
    EventStatus,
    MeetingStatus,
    MemberStatus,
    RsvpStatus,
)
from peerkit.models import (
    Commitment,
    Delivery,
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
from peerkit.services.common import community as community_svc
from peerkit.services.common import schedule
from peerkit.services.groups import agenda as agenda_svc
from peerkit.services.groups import meetings as meetings_svc
from peerkit.services.groups import roster as groups_svc
from peerkit.services.groups import rotation, week_data
from peerkit.services.reports.held import RECENT, at_risk_why_query, held_meetings

QUIET_WEEKS = 4  # a mentorship with no check-in for this long, and none planned, is quiet
FILE_KINDS = {"invite": "invitation", "cancel": "cancellation", "reminder": "reminder"}


@dataclass(frozen=True)
class When:
    """The moment the page is for: TODAY, NOW, and the ISO WEEK shown (default: today's)."""

    today: date
    now: datetime
    week: str | None = None


def report(session: Session, when: When, outbox: Path) -> dict[str, Any]:
    """The page, as `peerkit status --format json` prints it (docs/status.md)."""
    label = when.week or schedule.week_label(when.today)
    monday, sunday = schedule.iso_week(label)
    community = community_svc.get(session)
    week = _Week.read(session, monday, sunday)
    files = week.unsent(outbox, when.now)
    named = [i for seats in week.seats.values() for i in seats]
    named += [m.facilitator_id for m in week.held if m.facilitator_id is not None]
    week.name_missing(session, [*named, *(member for _m, _k, member, _p in files)])
    return {
        "community": community.name if community else None,
        "week": label,
        "today": when.today.isoformat(),
        "timezone": community.timezone if community else None,
        "locale": community.locale if community else None,
        "meetings": week.meetings(when.now),
        "unsent": [
            {
                "session": meeting.id,
                "group": week.groups[meeting.group_id].slug,
                "kind": FILE_KINDS[kind],
                "member": _person(member, week.names),
                "file": str(path),
            }
            for meeting, kind, member, path in files
        ],
        "commitments": commitments_due(session, sunday, when.today),
        "waitlists": waitlists(session, when.now),
        "at_risk": at_risk(session, when.today),
        "quiet_mentorships": quiet_mentorships(session, when.today, when.now),
    }


def _person(member_id: int | None, names: dict[int, str]) -> dict[str, Any] | None:
    if member_id is None:
        return None
    return {"id": member_id, "name": names.get(member_id)}


# --- this week's meetings, and what was written for them and not sent ---------------------


@dataclass
class _Week:
    """The week's meetings of the active groups and what is known about them, read at once."""

    groups: dict[int, Group]
    held: list[Meeting]  # ordered by start
    current: dict[int, list[rotation.Seat]]
    seats: dict[int, list[int]]
    said: dict[int, list[Any]]
    sent: set[tuple[int, int, str, int]]  # meeting, member, kind, sequence
    names: dict[int, str]

    @classmethod
    def read(cls, session: Session, monday: date, sunday: date) -> _Week:
        groups = {id_of(g): g for g in groups_svc.list_groups(session)}
        found = week_data.meetings_between(session, monday, sunday).values()
        held = sorted(found, key=lambda m: (m.start, id_of(m)))
        ids = [id_of(m) for m in held]
        current = week_data.memberships(session)
        seats = week_data.hot_seats(session, ids) if ids else {}
        said = week_data.answers(session, ids)
        sent = _delivered(session, ids)
        names = {id_of(p): p.name for seated in current.values() for _m, p in seated}
        return cls(groups, held, current, seats, said, sent, names)

    def meetings(self, now: datetime) -> list[dict[str, Any]]:
        rows = []
        for meeting in self.held:
            group = self.groups[meeting.group_id]
            expected = [p for _m, p in rotation.eligible_among(
                self.current.get(meeting.group_id, []), meeting.slot_date)]  # fmt: skip
            said = [{"member": a.member_id, "answer": a.answer}
                    for a in self.said.get(id_of(meeting), [])]  # fmt: skip
            answers = agenda_svc.answers_of(expected, said)
            sequence = meeting.sequence
            rows.append({
                "session": meeting.id,
                "group": group.slug,
                "group_name": group.name,
                "start": meetings_svc.local_start(meeting).isoformat(),
                "status": meeting.status,
                "hot_seat": [_person(i, self.names) for i in self.seats.get(id_of(meeting), [])],
                "facilitator": _person(meeting.facilitator_id, self.names),
                "answers": {
                    key: [{"id": p.id, "name": p.name} for p in getattr(answers, key)]
                    for key in ("coming", "maybe", "not_coming", "no_answer")
                },
                "invitations_sent": sum(
                    1 for m, _p, k, s in self.sent
                    if m == meeting.id and k == DeliveryKind.INVITE and s == sequence
                ),
                "changed_since_written": (
                    meeting.status == MeetingStatus.PLANNED
                    and meeting.start > now
                    and meeting.content_hash is None
                ),
            })  # fmt: skip
        return rows

    def unsent(self, outbox: Path, now: datetime) -> list[tuple[Meeting, str, int, Path]]:
        """The messages in the week's meeting folders that were not delivered (see the
        module's text), meeting by meeting: (meeting, kind, member id, file)."""
        per_group: dict[int, int] = defaultdict(int)
        for meeting in self.held:
            per_group[meeting.group_id] += 1
        found = []
        for meeting in self.held:
            if meeting.start <= now or meeting.status == MeetingStatus.DONE:
                continue
            group = self.groups[meeting.group_id]
            folder = outbox / schedule.week_label(meeting.slot_date) / group.slug
            alone = per_group[meeting.group_id] == 1
            for kind, member_id, path in _files(folder, id_of(meeting), alone):
                if self._counts(meeting, kind) and not self._sent(meeting, member_id, kind):
                    found.append((meeting, kind, member_id, path))
        return found

    @staticmethod
    def _counts(meeting: Meeting, kind: str) -> bool:
        """A file of KIND still matters for MEETING: a cancellation when it is cancelled,
        an invitation or a reminder when it is planned."""
        if meeting.status == MeetingStatus.CANCELLED:
            return kind == DeliveryKind.CANCEL
        return kind != DeliveryKind.CANCEL

    def _sent(self, meeting: Meeting, member_id: int, kind: str) -> bool:
        sequence = 0 if kind == DeliveryKind.REMINDER else meeting.sequence
        return (id_of(meeting), member_id, kind, sequence) in self.sent

    def name_missing(self, session: Session, extra: Iterable[int]) -> None:
        """Read the names of the members named but not in a group now (one query, or none)."""
        wanted = set(extra) - self.names.keys()
        self.names |= {i: p.name for i, p in week_data.members(session, wanted).items()}


def _delivered(session: Session, meeting_ids: list[int]) -> set[tuple[int, int, str, int]]:
    if not meeting_ids:
        return set()
    rows = session.exec(
        select(Delivery.meeting_id, Delivery.member_id, Delivery.kind, Delivery.sequence).where(
            col(Delivery.meeting_id).in_(meeting_ids)
        )
    )
    return {(m, p, str(k), s) for m, p, k, s in rows}


def _files(folder: Path, meeting_id: int, alone: bool) -> list[tuple[str, int, Path]]:
    """(kind, member id, path) of the messages in a meeting's folder: invite-<member>-*.eml
    (invite-<meeting>-<member>-*.eml when its group meets more than once that week: then only
    those are its own), cancel-<member>-*.eml and reminder-<member>-*.eml."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    prefixes = (
        {"invite-": "invite", "cancel-": "cancel", "reminder-": "reminder"}
        if alone
        else {f"invite-{meeting_id}-": "invite"}
    )
    found = []
    for name in names:
        if not name.endswith(".eml"):
            continue
        for prefix, kind in prefixes.items():
            if name.startswith(prefix):
                head = name[len(prefix) :].split("-", 1)[0]
                if head.isdigit():
                    found.append((kind, int(head), folder / name))
                break
    return found


# --- commitments due ----------------------------------------------------------------------


def commitments_due(session: Session, last: date, today: date) -> list[dict[str, Any]]:
    """Open commitments of current members due by LAST (the week's Sunday), overdue first."""
    rows = session.exec(
        select(Commitment, Member.name, Group.slug)
        .join(Member, col(Member.id) == Commitment.member_id)
        .outerjoin(Group, col(Group.id) == Commitment.group_id)
        .where(
            Commitment.status == CommitmentStatus.OPEN,
            col(Commitment.due).is_not(None),
            col(Commitment.due) <= last,
            Member.status != MemberStatus.LEFT,
        )
        .order_by(col(Commitment.due), col(Member.name), col(Commitment.id))
    )
    return [
        {
            "id": c.id,
            "member": {"id": c.member_id, "name": name},
            "group": slug,
            "text": c.text,
            "due": c.due.isoformat() if c.due else None,
            "overdue": c.due is not None and c.due < today,
        }
        for c, name, slug in rows
    ]


# --- waitlists ----------------------------------------------------------------------------


def waitlists(session: Session, now: datetime) -> list[dict[str, Any]]:
    """Events to come with people waiting for a seat, or a seat offered and not yet taken."""
    waiting = sa.or_(
        col(Rsvp.status) == RsvpStatus.WAITLIST,
        sa.and_(col(Rsvp.status) == RsvpStatus.GOING, col(Rsvp.offer_until).is_not(None)),
    )
    rows = session.exec(
        select(Event, Rsvp, Member.name)
        .join(Rsvp, col(Rsvp.event_id) == Event.id)
        .join(Member, col(Member.id) == Rsvp.member_id)
        .where(Event.status == EventStatus.PLANNED, col(Event.start) >= now, waiting)
        .order_by(col(Event.start), col(Event.id), col(Rsvp.position), col(Rsvp.id))
    ).all()
    ids = {id_of(e) for e, _r, _n in rows}
    going: dict[int, int] = {}
    if ids:
        counted = session.exec(
            select(Rsvp.event_id, sa.func.count())
            .where(col(Rsvp.event_id).in_(ids), Rsvp.status == RsvpStatus.GOING)
            .group_by(col(Rsvp.event_id))
        )
        going = dict(counted.all())
    found: dict[int, dict[str, Any]] = {}
    for event, answer, name in rows:
        item = found.setdefault(id_of(event), {
            "event": event.id,
            "title": event.title,
            "start": event.start.astimezone(_zone(event.timezone)).isoformat(),
            "capacity": event.capacity,
            "going": going.get(id_of(event), 0),
            "waitlist": [],
            "offered": [],
        })  # fmt: skip
        person = {"id": answer.member_id, "name": name}
        if answer.status == RsvpStatus.WAITLIST:
            item["waitlist"].append(person)
        else:
            until = answer.offer_until
            shown = until.astimezone(_zone(event.timezone)).isoformat() if until else None
            item["offered"].append({**person, "until": shown})
    return list(found.values())


def _zone(name: str) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


# --- members at risk ----------------------------------------------------------------------


def at_risk(session: Session, today: date) -> list[dict[str, Any]]:
    """The members at risk (held.at_risk_query's rule), with why: how many of which group's
    last meetings they missed. Only those still in that group (and in the community)."""
    why = at_risk_why_query(held_meetings(None, None, today)).subquery("why")
    still_in = sa.exists().where(
        col(Membership.member_id) == why.c.member_id,
        col(Membership.group_id) == why.c.group_id,
        col(Membership.left_on).is_(None),
    )
    query = (
        sa.select(why.c.member_id, col(Member.name), col(Group.slug), col(Group.name),
                  why.c.missed, why.c.held)
        .join(Member, col(Member.id) == why.c.member_id)
        .join(Group, col(Group.id) == why.c.group_id)
        .where(col(Member.status) != MemberStatus.LEFT, col(Member.forgotten_at).is_(None),
               still_in)
        .order_by(col(Member.name), col(Group.slug))
    )  # fmt: skip
    return [
        {
            "member": {"id": member_id, "name": name},
            "group": slug,
            "group_name": group_name,
            "missed": missed,
            "of": min(held, RECENT),
        }
        for member_id, name, slug, group_name, missed, held in session.connection().execute(query)
    ]


# --- quiet mentorships --------------------------------------------------------------------


def quiet_mentorships(session: Session, today: date, now: datetime) -> list[dict[str, Any]]:
    """Active mentorships with no check-in in the last QUIET_WEEKS weeks and none planned
    (counted from their start when they never had one), longest quiet first."""
    mentor, mentee = aliased(Member), aliased(Member)
    kept = sa.and_(
        col(MentorCheckin.mentorship_id) == Mentorship.id,
        col(MentorCheckin.status) != CheckinStatus.CANCELLED,
    )
    held = sa.case((col(MentorCheckin.start) <= now, col(MentorCheckin.start)))
    last = sa.type_coerce(sa.func.max(held), UTCDateTime())
    coming = sa.func.count(sa.case((col(MentorCheckin.start) > now, col(MentorCheckin.id))))
    query = (
        sa.select(col(Mentorship.id), col(Mentorship.started), col(mentor.id), col(mentor.name),
                  col(mentee.id), col(mentee.name), last, coming)
        .join(mentor, col(mentor.id) == Mentorship.mentor_id)
        .join(mentee, col(mentee.id) == Mentorship.mentee_id)
        .outerjoin(MentorCheckin, kept)
        .where(col(Mentorship.ended).is_(None))
        .group_by(col(Mentorship.id), col(Mentorship.started), col(mentor.id), col(mentor.name),
                  col(mentee.id), col(mentee.name))
    )  # fmt: skip
    since = today - timedelta(weeks=QUIET_WEEKS)
    found = []
    for (
        pair,
        started,
        mentor_id,
        mentor_name,
        mentee_id,
        mentee_name,
        latest,
        ahead,
    ) in session.connection().execute(query):
        latest_day = _day(latest)
        if ahead or (latest_day or started) > since:
            continue
        found.append({
            "mentorship": pair,
            "mentor": {"id": mentor_id, "name": mentor_name},
            "mentee": {"id": mentee_id, "name": mentee_name},
            "started": started.isoformat(),
            "last_checkin": latest_day.isoformat() if latest_day else None,
        })  # fmt: skip
    return sorted(found, key=lambda q: (q["last_checkin"] or q["started"], q["mentorship"]))


def _day(moment: datetime | None) -> date | None:
    return moment.date() if moment is not None else None
