"""Commitments: what members said they would do, carried to the next meeting."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from peerkit import calendar as ical
from peerkit.enums import CommitmentStatus, GroupStatus, MeetingStatus, MemberStatus
from peerkit.errors import Conflict, UsageProblem
from peerkit.i18n import format_day_month, gettext_for
from peerkit.models import Commitment, Group, Meeting, Member, Membership, id_of, utcnow
from peerkit.services.common import community as community_svc
from peerkit.services.common import lookup, validate
from peerkit.services.groups import meetings as meetings_svc
from peerkit.services.groups import roster
from peerkit.services.members import profiles as members_svc

if TYPE_CHECKING:
    from icalendar import Todo

MAX_TEXT = 500


def add(
    session: Session,
    member: Member,
    text: str,
    *,
    meeting: Meeting | None = None,
    due: date | None = None,
    today: date | None = None,
) -> Commitment:
    """A new open commitment, made at a meeting.

    By default the meeting is the latest of the member's group that started by the end of
    `today` (default: now).
    """
    if member.forgotten_at is not None or member.status == MemberStatus.LEFT:
        raise Conflict(f"{members_svc.describe(member)} has left the community.")
    what = validate.single_line(text, "a commitment", max_len=MAX_TEXT)
    group_id = meeting.group_id if meeting else None
    if meeting is not None:  # made at a meeting: by someone in its group
        group = session.get(Group, meeting.group_id)
        assert group is not None
        roster.refuse_outsiders(session, group, meeting.slot_date, [member])
    if meeting is None:
        by = datetime.combine(today, time.max, UTC) if today else datetime.now(UTC)
        group_id, meeting = _default_meeting(session, member, by)
    assert member.id is not None
    commitment = Commitment(
        member_id=id_of(member),
        meeting_id=meeting.id if meeting else None,
        group_id=group_id,
        text=what,
        due=due,
    )
    session.add(commitment)
    session.flush()
    return commitment


def _default_meeting(
    session: Session, member: Member, now: datetime
) -> tuple[int | None, Meeting | None]:
    group_ids = list(
        session.exec(
            select(Membership.group_id)
            .join(Group, col(Group.id) == Membership.group_id)
            .where(
                Membership.member_id == member.id,
                col(Membership.left_on).is_(None),
                Group.status == GroupStatus.ACTIVE,
            )
        )
    )
    if not group_ids:
        return None, None
    if len(group_ids) > 1:
        raise UsageProblem(
            f"{members_svc.describe(member)} is in {len(group_ids)} groups; "
            "say at which meeting with --session ID."
        )
    latest = session.exec(
        select(Meeting)
        .where(
            Meeting.group_id == group_ids[0],
            Meeting.status != MeetingStatus.CANCELLED,
            col(Meeting.start) <= now,
        )
        .order_by(col(Meeting.start).desc())
    ).first()
    return group_ids[0], latest


def resolve(session: Session, ref: str) -> Commitment:
    """A commitment by id."""
    return lookup.find(session, FINDER, ref)


FINDER = lookup.Finder(Commitment, "commitment", "peerkit commitment list")


def close(session: Session, commitment: Commitment, status: CommitmentStatus | str) -> bool:
    """Mark done or dropped; False when it already was."""
    wanted = CommitmentStatus(status)
    if commitment.status == wanted:
        return False
    if commitment.status != CommitmentStatus.OPEN:
        raise Conflict(f"commitment {commitment.id} is already {commitment.status}.")
    commitment.status = wanted
    commitment.closed_at = utcnow()
    session.add(commitment)
    return True


def list_commitments(
    session: Session,
    *,
    member: Member | None = None,
    group: Group | None = None,
    open_only: bool = False,
) -> list[Commitment]:
    query = select(Commitment).order_by(col(Commitment.id))
    if member is not None:
        query = query.where(Commitment.member_id == member.id)
    if group is not None:
        query = query.where(Commitment.group_id == group.id)
    if open_only:
        query = query.where(Commitment.status == CommitmentStatus.OPEN)
    return list(session.exec(query))


def parse_due(text: str | None) -> date | None:
    return None if text is None else validate.iso_date(text, "--due")


def to_dict(session: Session, commitment: Commitment) -> dict[str, Any]:
    member = session.get(Member, commitment.member_id)
    group = session.get(Group, commitment.group_id) if commitment.group_id else None
    return {
        "id": commitment.id,
        "member": commitment.member_id,
        "member_name": member.name if member else None,
        "session": commitment.meeting_id,
        "group": group.slug if group else None,
        "text": commitment.text,
        "due": commitment.due.isoformat() if commitment.due else None,
        "status": commitment.status,
    }


def tasks(session: Session, member: Member) -> list[Todo]:
    """The member's commitments as VTODOs (open, done and dropped), for their own calendar.

    Each names the meeting it was made at (RELATED-TO its UID, and in words); nobody else's
    name or address is in it. A few queries, whatever the number of commitments."""
    mine = list_commitments(session, member=member)
    meeting_ids = {c.meeting_id for c in mine if c.meeting_id is not None}
    made_at: dict[int | None, Meeting] = {}
    names: dict[int | None, str] = {}
    if meeting_ids:
        found = session.exec(select(Meeting).where(col(Meeting.id).in_(meeting_ids)))
        made_at = {m.id: m for m in found}
        group_ids = {m.group_id for m in made_at.values()}
        groups = session.exec(select(Group).where(col(Group.id).in_(group_ids)))
        names = {g.id: g.name for g in groups}
    community = community_svc.get(session)
    locale = community.locale if community else "en"
    _ = gettext_for(locale).gettext
    out = []
    for commitment in mine:
        meeting = made_at.get(commitment.meeting_id)
        description = None
        if meeting is not None:
            day = format_day_month(meetings_svc.local_start(meeting).date(), locale)
            description = _("From the %(group)s meeting of %(day)s") % {
                "group": names.get(meeting.group_id, "?"),
                "day": day,
            }
        out.append(
            ical.todo(
                commitment,
                related_to=meeting.uid if meeting is not None else None,
                description=description,
            )
        )
    return out
