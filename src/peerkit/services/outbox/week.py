"""`plan week`: every active group's meetings that week, their roles, and the files.

For each group (services/groups/planning.py settles the meetings and their roles), under
OUT/YYYY-Www/<group-slug>/ the agenda, the meeting's .ics and one invitation .eml per
invited member are written. Running it again changes nothing: files whose content is the
same are left alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session

from peerkit import calendar as ical
from peerkit import render
from peerkit.enums import MeetingStatus
from peerkit.models import Meeting
from peerkit.services.common.community import Sender, organiser_of
from peerkit.services.groups import agenda as agenda_svc
from peerkit.services.groups import meetings as meetings_svc
from peerkit.services.groups import planning
from peerkit.services.outbox import meeting_mail
from peerkit.services.outbox.delivery import Output

NO_INVITATIONS = (
    "no invitations written: set the organiser first, e.g. "
    "peerkit init --organiser-name 'Paolo' --organiser-email paolo@example.com"
)


@dataclass
class GroupPlan:
    group: str
    session: int | None = None
    start: str | None = None
    created: bool = False
    status: str = MeetingStatus.PLANNED  # or "none": no meeting that week
    hot_seat: list[int] = field(default_factory=list)
    facilitator: int | None = None
    invited: int = 0
    files: list[dict[str, str]] = field(default_factory=list)
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def plan_week(
    session: Session,
    week: str,
    out: Output,
    *,
    progress: Callable[[str], None] | None = None,
    today: date | None = None,
) -> list[GroupPlan]:
    """Plan one ISO week; meetings before `today` get their files but no invitations."""
    planned = planning.plan(session, week, today=today)
    sender = organiser_of(planned.community)
    templates = render.Templates()  # looked up once for the whole week
    results: list[GroupPlan] = []
    for item in planned.slots:
        if progress and (not results or results[-1].group != item.group.slug):
            progress(item.group.slug)
        if item.meeting is None:
            results.append(
                GroupPlan(group=item.group.slug, status="none", note="no meeting this week")
            )
        else:
            results.append(_meeting_files(item, item.meeting, sender, week, out, today, templates))
    return results


def _meeting_files(
    item: planning.Slot,
    meeting: Meeting,
    sender: Sender | None,
    week: str,
    out: Output,
    today: date | None,
    templates: render.Templates,
) -> GroupPlan:
    group = item.group
    result = GroupPlan(
        group=group.slug,
        session=meeting.id,
        start=meetings_svc.local_start(meeting).isoformat(),
        created=item.created,
        status=meeting.status,
        hot_seat=list(item.seat_ids),
        facilitator=meeting.facilitator_id,
    )
    folder = out.folder / week / group.slug
    suffix = f"-{meeting.id}" if item.multiple else ""
    assert item.facts is not None
    agenda = agenda_svc.assemble(item.facts, meeting)
    # A meeting that has happened keeps the files it had: its agenda is a record now.
    put = out.put_once if meeting.status == MeetingStatus.DONE else out.put
    result.files.append(
        put(folder / f"agenda{suffix}.md", templates.render("agenda.md.j2", agenda, agenda.locale))
    )
    organiser = sender.person() if sender is not None else None
    result.files.append(
        put(folder / f"session{suffix}.ics", publish_ics(meeting, agenda, organiser, templates))
    )
    coming = len(agenda.attendees)
    if meeting.status != MeetingStatus.CANCELLED and coming < group.min_size:
        result.note = f"only {coming} member(s) can come; the group's minimum is {group.min_size}"
    if meeting.status == MeetingStatus.DONE:
        return result  # it has happened: its invitations are history, left as they are
    invites: list[dict[str, str]] = []
    if meeting.status == MeetingStatus.PLANNED and (today is None or meeting.slot_date >= today):
        prefix = folder / f"invite{suffix}"
        invites = _invitations(item, meeting, agenda, sender, prefix, out, templates)
    elif meeting.status == MeetingStatus.PLANNED:
        result.note = "in the past: no invitations"
        return result  # the invitations it had stay as they were
    result.invited = len(invites)
    result.files.extend(invites)
    result.files.extend(_remove_stale_invitations(folder, suffix, invites, out))
    return result


def _invitations(
    item: planning.Slot,
    meeting: Meeting,
    agenda: agenda_svc.Agenda,
    sender: Sender | None,
    prefix: Path,
    out: Output,
    templates: render.Templates,
) -> list[dict[str, str]]:
    """One invitation file per invited member (PREFIX-<id>-<name>.eml)."""
    if sender is None:
        out.warnings.append(NO_INVITATIONS)
        return []
    people = meeting_mail.with_address(item.candidates)
    prepared = meeting_mail.messages(
        meeting, agenda, people, sender, prefix=prefix.name, templates=templates
    )
    return [out.put(prefix.parent / m.filename, m.data) for m in prepared]


def _remove_stale_invitations(
    folder: Path, suffix: str, invites: list[dict[str, str]], out: Output
) -> list[dict[str, str]]:
    """Invitations written earlier for people no longer invited (paused, removed, cancelled)."""
    keep = {Path(f["path"]).name for f in invites}
    stale = sorted(folder.glob(f"invite{suffix}-*.eml")) if folder.is_dir() else []
    return [
        out.remove(path)
        for path in stale
        if path.name not in keep and (suffix or not _belongs_to_other(path.name))
    ]


def _belongs_to_other(name: str) -> bool:
    """invite-12-3-x.eml (a week with two meetings) is not a stale invite-3-x.eml."""
    parts = name.split("-")
    return len(parts) > 3 and parts[1].isdigit() and parts[2].isdigit()


def publish_ics(
    meeting: Meeting,
    agenda: agenda_svc.Agenda,
    organiser: ical.Person | None,
    templates: render.Templates,
) -> bytes:
    """The meeting for a calendar feed: METHOD:PUBLISH, without attendees (RFC 5546)."""
    description = templates.render("agenda.txt.j2", agenda, agenda.locale)
    event = ical.event(
        meeting,
        agenda.group.name,
        description=description,
        organiser=organiser,
        local_start=meetings_svc.local_start(meeting),
    )
    return ical.to_bytes(ical.calendar([event], method="PUBLISH"))
