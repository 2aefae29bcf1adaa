"""The mastermind agenda: check-in and wins, hot seats, commitments round, close.

Sections are timed from the expected attendees and the meeting's length, and always
add up to that length. The data built here feeds the templates and `agenda --format json`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from peerkit.i18n import format_day, format_time, format_when, gettext_for
from peerkit.models import Commitment, Group, Meeting, Member
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


def open_commitments(session: Session, meeting: Meeting) -> list[tuple[Commitment, Member]]:
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
        .where(Commitment.status == "open")
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
    order = {p.id: i for i, (_m, p) in enumerate(groups_svc.current_memberships(session, group))}
    return sorted(members, key=lambda p: (order.get(p.id, len(order)), p.id or 0))


def build(session: Session, meeting: Meeting, locale: str | None = None) -> dict[str, Any]:
    """Everything a template may use (see docs/templates.md), for one meeting."""
    group = session.get(Group, meeting.group_id)
    assert group is not None
    community = community_svc.get(session)
    lang = locale or (community.locale if community else "en")
    _ = gettext_for(lang).gettext
    attendees = expected(session, group, meeting)
    names = {p.id: p.name for p in attendees if p.id is not None}
    seat_ids = meetings_svc.hot_seat_ids(session, meeting)
    extra = meetings_svc.names(session, [i for i in seat_ids if i not in names])
    names.update(extra)
    plan = timing(meeting.duration, len(attendees), max_seats=len(seat_ids) or None)
    hot = [
        {"id": mid, "name": names.get(mid, "?"), "position": i + 1, "minutes": plan.seats[i]}
        for i, mid in enumerate(seat_ids[: len(plan.seats)])
    ]
    owners: dict[int, dict[str, Any]] = {}
    for commitment, member in open_commitments(session, meeting):
        entry = owners.setdefault(
            member.id or 0, {"id": member.id, "name": member.name, "items": []}
        )
        entry["items"].append(
            {
                "id": commitment.id,
                "text": commitment.text,
                "due": format_day(commitment.due, lang) if commitment.due else None,
                "due_iso": commitment.due.isoformat() if commitment.due else None,
            }
        )
    start = meetings_svc.local_start(meeting)
    roles = meetings_svc.names(
        session, [i for i in (meeting.facilitator_id, meeting.timekeeper_id) if i is not None]
    )
    sections = [
        {
            "key": "checkin",
            "title": _("Check-in and wins"),
            "minutes": plan.checkin,
            "items": [p.name for p in attendees],
        },
        {
            "key": "hot_seats",
            "title": _("Hot seats"),
            "minutes": sum(plan.seats),
            "items": [f"{h['name']} ({h['minutes']} min)" for h in hot],
        },
        {
            "key": "commitments",
            "title": _("Commitments round"),
            "minutes": plan.commitments,
            "items": [_commitment_line(o, it, _) for o in owners.values() for it in o["items"]],
        },
        {
            "key": "close",
            "title": _("Close"),
            "minutes": plan.close,
            "items": [_("New commitments, one per person"), _("Date of the next meeting")],
        },
    ]
    return {
        "locale": lang,
        "community": community_svc.to_dict(community) if community else {},
        "group": {
            "id": group.id,
            "slug": group.slug,
            "name": group.name,
            "kind": group.kind,
            "timezone": group.timezone,
        },
        "session": meetings_svc.to_dict(session, meeting),
        "when": format_when(start, lang),
        "start_time": format_time(start, lang),
        "end_time": format_time(meetings_svc.local_end(meeting), lang),
        "duration": meeting.duration,
        "location": meeting.location,
        "status": meeting.status,
        "attendees": [{"id": p.id, "name": p.name} for p in attendees],
        "hot_seats": hot,
        "facilitator": _person(meeting.facilitator_id, roles),
        "timekeeper": _person(meeting.timekeeper_id, roles),
        "commitments": list(owners.values()),
        "sections": sections,
    }


def _person(member_id: int | None, names: dict[int, str]) -> dict[str, Any] | None:
    return {"id": member_id, "name": names.get(member_id, "?")} if member_id else None


def _commitment_line(owner: dict[str, Any], item: dict[str, Any], _: Any) -> str:
    line = f"{owner['name']}: {item['text']}"
    return f"{line} ({_('by')} {item['due']})" if item["due"] else line


def as_json(data: dict[str, Any]) -> dict[str, Any]:
    """The `agenda --format json` shape: {session, sections: [{title, minutes, items}]}."""
    return {
        "session": data["session"],
        "sections": [
            {"title": s["title"], "minutes": s["minutes"], "items": s["items"]}
            for s in data["sections"]
        ],
    }
