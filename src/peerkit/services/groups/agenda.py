"""The mastermind agenda: check-in and wins, hot seats, commitments round, close.

Sections are timed from the expected attendees and the meeting's length, and always
add up to that length. The data built here feeds the templates and `agenda --format json`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from enum import Enum
from functools import cached_property, lru_cache
from typing import Any

from sqlmodel import Session, col, select

from peerkit.enums import CommitmentStatus, GroupKind, MeetingStatus
from peerkit.i18n import format_day, format_time, format_when, gettext_for
from peerkit.models import Commitment, Community, Group, Meeting, Member, id_of
from peerkit.services.common import community as community_svc
from peerkit.services.groups import meetings as meetings_svc
from peerkit.services.groups import roster as groups_svc
from peerkit.services.groups import rotation

CHECKIN_PER_PERSON = 3
COMMITMENTS_PER_PERSON = 2
SEAT_TARGET = 25


@dataclass(frozen=True)
class Timing:
    checkin: int
    seats: list[int]
    commitments: int
    close: int

    @property
    def total(self) -> int:
        return self.checkin + sum(self.seats) + self.commitments + self.close


def timing(duration: int, attendees: int, max_seats: int | None = None) -> Timing:
    """Split a meeting's minutes between the four sections of the format.

    Rounds get 3 minutes a person for check-in and 2 for commitments, shrunk when the
    meeting is short; what is left goes to hot seats of about 25 minutes each
    (90 minutes with 6 people: check-in 18, two seats of 28 and 27, commitments 12, close 5).
    """
    close = 5 if duration >= 45 else min(2, duration // 6)
    min_seat = 15 if duration >= 45 else max(1, duration // 3)
    people = max(attendees, 1)
    rounds = min(
        (CHECKIN_PER_PERSON + COMMITMENTS_PER_PERSON) * people, duration - close - min_seat
    )
    rounds = max(rounds, 0)
    checkin = round(rounds * CHECKIN_PER_PERSON / (CHECKIN_PER_PERSON + COMMITMENTS_PER_PERSON))
    commitments = rounds - checkin
    rest = duration - close - rounds
    count = max(1, round(rest / SEAT_TARGET))
    count = min(count, attendees if attendees else 1, max_seats or count)
    seats = [rest // count + (1 if i < rest % count else 0) for i in range(count)]
    return Timing(checkin=checkin, seats=seats, commitments=commitments, close=close)


def seats_for(duration: int, attendees: int) -> int:
    return len(timing(duration, attendees).seats) if attendees else 0


OpenCommitment = tuple[Commitment, Member]


def open_commitments(session: Session, meeting: Meeting) -> list[OpenCommitment]:
    """Open commitments made at this group's earlier meetings (or for the group)."""
    earlier_ids = [
        m.id
        for m in session.exec(
            select(Meeting).where(
                Meeting.group_id == meeting.group_id, col(Meeting.start) < meeting.start
            )
        )
    ]
    rows = session.exec(
        select(Commitment, Member)
        .join(Member, col(Member.id) == Commitment.member_id)
        .where(Commitment.status == CommitmentStatus.OPEN)
        .where(
            col(Commitment.meeting_id).in_(earlier_ids)
            | (
                col(Commitment.meeting_id).is_(None)
                & (Commitment.group_id == meeting.group_id)
                & (col(Commitment.created_at) < meeting.start)
            )
        )
        .order_by(col(Member.name), col(Commitment.id))
    )
    return [(c, m) for c, m in rows]


def expected(session: Session, group: Group, meeting: Meeting) -> list[Member]:
    """Who the meeting is for: once attendance is recorded, those it was recorded for
    (so a past agenda stays as it was); before, the members who can come that day."""
    recorded = {a["member"] for a in meetings_svc.attendance(session, meeting)}
    if not recorded:
        return [p for _m, p in rotation.eligible(session, group, meeting.slot_date)]
    members = list(session.exec(select(Member).where(col(Member.id).in_(recorded))))
    return in_roster_order(members, groups_svc.current_memberships(session, group))


def in_roster_order(members: list[Member], current: list[rotation.Seat]) -> list[Member]:
    """Members in the order of the group's current memberships, others after them by id."""
    order = {p.id: i for i, (_m, p) in enumerate(current)}
    return sorted(members, key=lambda p: (order.get(p.id, len(order)), id_of(p)))


# --- what an agenda is made of ------------------------------------------------------------

Translate = Callable[[str], str]


@dataclass(frozen=True)
class Person:
    id: int
    name: str


@dataclass(frozen=True)
class GroupSummary:
    id: int
    slug: str
    name: str
    kind: GroupKind
    timezone: str


@dataclass(frozen=True)
class HotSeatTurn:
    id: int  # the member's
    name: str
    position: int  # 1 for the first seat
    minutes: int


@dataclass(frozen=True)
class CommitmentItem:
    id: int  # the commitment's
    text: str
    due: str | None  # written out in the agenda's language
    due_iso: str | None


@dataclass(frozen=True)
class CommitmentOwner:
    id: int  # the member's
    name: str
    items: list[CommitmentItem]


@dataclass(frozen=True)
class Answers:
    """Who said they are coming, who might, who is not, and who has not answered yet, of the
    members expected (`attendees`, in their order), from their replies (services/replies)."""

    coming: list[Person]
    maybe: list[Person]
    not_coming: list[Person]
    no_answer: list[Person]


@dataclass(frozen=True)
class Section:
    key: str  # checkin, hot_seats, commitments or close
    title: str
    minutes: int
    items: list[str]  # ready-made lines


@dataclass(frozen=True)
class Agenda(Mapping[str, Any]):
    """One meeting's agenda. Python reads the typed fields; templates read it as the
    mapping of plain values that docs/templates.md lists (the same keys, via as_dict)."""

    locale: str
    community: dict[str, Any]  # community.to_dict, or {} before `init`
    group: GroupSummary
    session: dict[str, Any]  # meetings.to_dict: the `session show` shape
    when: str
    start_time: str
    end_time: str
    duration: int
    location: str | None
    status: MeetingStatus
    attendees: list[Person]
    hot_seats: list[HotSeatTurn]
    facilitator: Person | None
    timekeeper: Person | None
    commitments: list[CommitmentOwner]
    sections: list[Section]
    answers: Answers

    def as_dict(self) -> dict[str, Any]:
        """Plain dicts and lists all the way down, in the order of the fields."""
        found: dict[str, Any] = plain(self)
        return found

    @cached_property
    def _context(self) -> dict[str, Any]:
        return self.as_dict()

    def __getitem__(self, key: str) -> Any:
        return self._context[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._context)

    def __len__(self) -> int:
        return len(self._context)


@dataclass(frozen=True)
class Facts:
    """What an agenda is built from, read for one meeting (build) or for a whole week at
    once (planning): NAMES holds at least the hot seats and roles nobody expects."""

    community: Community | None
    group: Group
    attendees: list[Member]  # expected
    seat_ids: list[int]
    names: Mapping[int, str]
    commitments: list[OpenCommitment]
    shown: dict[str, Any]  # meetings.to_dict


def build(session: Session, meeting: Meeting, locale: str | None = None) -> Agenda:
    """Everything a template may use (see docs/templates.md), for one meeting."""
    return assemble(facts_of(session, meeting), meeting, locale)


def facts_of(session: Session, meeting: Meeting) -> Facts:
    """What one meeting's agenda is built from, read from the database."""
    group = session.get(Group, meeting.group_id)
    assert group is not None
    attendees = expected(session, group, meeting)
    seat_ids = meetings_svc.hot_seat_ids(session, meeting)
    known = {id_of(p) for p in attendees}
    roles = [i for i in (meeting.facilitator_id, meeting.timekeeper_id) if i is not None]
    return Facts(
        community=community_svc.get(session),
        group=group,
        attendees=attendees,
        seat_ids=seat_ids,
        names=meetings_svc.names(session, [*{*roles, *(i for i in seat_ids if i not in known)}]),
        commitments=open_commitments(session, meeting),
        shown=meetings_svc.to_dict(session, meeting),
    )


def assemble(facts: Facts, meeting: Meeting, locale: str | None = None) -> Agenda:
    """The agenda of a meeting from what was read about it (no database here)."""
    group, community, attendees = facts.group, facts.community, facts.attendees
    lang = locale or (community.locale if community else "en")
    plan = timing(meeting.duration, len(attendees), max_seats=len(facts.seat_ids) or None)
    hot = _hot_seats(attendees, facts.seat_ids, facts.names, plan)
    owners = _owners(facts.commitments, lang)
    start = meetings_svc.local_start(meeting)
    return Agenda(
        locale=lang,
        community=community_svc.to_dict(community) if community else {},
        group=GroupSummary(id_of(group), group.slug, group.name, group.kind, group.timezone),
        session=facts.shown,
        when=format_when(start, lang),
        start_time=format_time(start, lang),
        end_time=format_time(meetings_svc.local_end(meeting), lang),
        duration=meeting.duration,
        location=meeting.location,
        status=meeting.status,
        attendees=[Person(id_of(p), p.name) for p in attendees],
        hot_seats=hot,
        facilitator=_person(meeting.facilitator_id, facts.names),
        timekeeper=_person(meeting.timekeeper_id, facts.names),
        commitments=owners,
        sections=_sections(plan, attendees, hot, owners, gettext_for(lang).gettext),
        answers=answers_of(attendees, facts.shown.get("answers", [])),
    )


ANSWER_GROUPS = {"accepted": "coming", "tentative": "maybe", "declined": "not_coming"}


def answered(session: Session, meeting: Meeting) -> Answers:
    """Who of those expected at MEETING is coming, might, is not, or has not answered."""
    group = session.get(Group, meeting.group_id)
    assert group is not None
    said = meetings_svc.answer_rows(meeting, meetings_svc.answers(session, meeting))
    return answers_of(expected(session, group, meeting), said)


def answers_of(attendees: list[Member], said: list[dict[str, Any]]) -> Answers:
    """The expected members by what they answered (SAID: the `answers` of `session show`);
    answers of members no longer expected are left out."""
    answered = {row["member"]: ANSWER_GROUPS[str(row["answer"])] for row in said}
    found: dict[str, list[Person]] = {k: [] for k in (*ANSWER_GROUPS.values(), "no_answer")}
    for person in attendees:
        found[answered.get(id_of(person), "no_answer")].append(Person(id_of(person), person.name))
    return Answers(**found)


def _hot_seats(
    attendees: list[Member], seat_ids: list[int], known: Mapping[int, str], plan: Timing
) -> list[HotSeatTurn]:
    """The seats chosen, as many as the meeting has time for; a seat holder who is no
    longer expected still shows by name."""
    names = {id_of(p): p.name for p in attendees}
    names.update({i: known[i] for i in seat_ids if i not in names and i in known})
    return [
        HotSeatTurn(id=mid, name=names.get(mid, "?"), position=i + 1, minutes=plan.seats[i])
        for i, mid in enumerate(seat_ids[: len(plan.seats)])
    ]


def _owners(commitments: list[OpenCommitment], lang: str) -> list[CommitmentOwner]:
    """Open commitments grouped by member, in the order open_commitments gives them."""
    owners: dict[int, CommitmentOwner] = {}
    for commitment, member in commitments:
        owner = owners.setdefault(id_of(member), CommitmentOwner(id_of(member), member.name, []))
        due = commitment.due
        owner.items.append(
            CommitmentItem(
                id=id_of(commitment),
                text=commitment.text,
                due=_due(due, lang) if due else None,
                due_iso=due.isoformat() if due else None,
            )
        )
    return list(owners.values())


@lru_cache(maxsize=4096)
def _due(day: date, lang: str) -> str:
    """A due date in a language (the same few dates recur across a week's agendas)."""
    return format_day(day, lang)


def _sections(
    plan: Timing,
    attendees: list[Member],
    hot: list[HotSeatTurn],
    owners: list[CommitmentOwner],
    _: Translate,
) -> list[Section]:
    lines = [_commitment_line(owner, item, _) for owner in owners for item in owner.items]
    return [
        Section("checkin", _("Check-in and wins"), plan.checkin, [p.name for p in attendees]),
        Section(
            "hot_seats",
            _("Hot seats"),
            sum(plan.seats),
            [f"{h.name} ({h.minutes} min)" for h in hot],
        ),
        Section("commitments", _("Commitments round"), plan.commitments, lines),
        Section(
            "close",
            _("Close"),
            plan.close,
            [_("New commitments, one per person"), _("Date of the next meeting")],
        ),
    ]


def _person(member_id: int | None, names: Mapping[int, str]) -> Person | None:
    return Person(member_id, names.get(member_id, "?")) if member_id else None


def _commitment_line(owner: CommitmentOwner, item: CommitmentItem, _: Translate) -> str:
    line = f"{owner.name}: {item.text}"
    return f"{line} ({_('by')} {item.due})" if item.due else line


def as_json(agenda: Agenda) -> dict[str, Any]:
    """The `agenda --format json` shape: {session, sections: [{title, minutes, items}]}."""
    return {
        "session": agenda.session,
        "sections": [
            {"title": s.title, "minutes": s.minutes, "items": s.items} for s in agenda.sections
        ],
    }


# What copy.deepcopy hands back unchanged (and so dataclasses.asdict too).
_AS_IS = frozenset({str, int, float, bool, type(None), bytes})


def plain(obj: Any) -> Any:
    """``dataclasses.asdict`` (and for what is not a dataclass, what it does to a field's
    value): the same dicts, lists and values, without deep-copying every string and number."""
    if type(obj) in _AS_IS or isinstance(obj, Enum):
        return obj
    if is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: plain(getattr(obj, f.name)) for f in fields(obj)}
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*[plain(v) for v in obj])
    if isinstance(obj, (list, tuple)):
        return type(obj)(plain(v) for v in obj)
    if isinstance(obj, dict):
        return type(obj)((plain(k), plain(v)) for k, v in obj.items())
    return copy.deepcopy(obj)
