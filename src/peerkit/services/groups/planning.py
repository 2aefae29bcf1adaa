"""`plan week`: every active group's meetings that week, their roles, and the files.

For each group: the week's meeting(s) exist per cadence, hot seats, facilitator and
timekeeper are chosen once, and under OUT/YYYY-Www/<group-slug>/ the agenda, the
meeting's .ics and one invitation .eml per invited member are written. Running it again
changes nothing: files whose content is the same are left alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from sqlmodel import Session

from peerkit import calendar as ical
from peerkit import mail, render
from peerkit.enums import MeetingStatus
from peerkit.files import write_private
from peerkit.i18n import N_, format_day, format_when, gettext_for
from peerkit.models import Group, Meeting, Member
from peerkit.services.common import community as community_svc
from peerkit.services.common import schedule
from peerkit.services.groups import agenda as agenda_svc
from peerkit.services.groups import meetings as meetings_svc
from peerkit.services.groups import roster as groups_svc
from peerkit.services.groups import rotation
from peerkit.services.groups.roster import slugify


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


@dataclass
class Output:
    """Where files go, and whether to write them."""

    folder: Path
    dry_run: bool = False
    warnings: list[str] = field(default_factory=list)

    def put(self, path: Path, data: bytes | str) -> dict[str, str]:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        try:
            same = path.read_bytes() == text.encode("utf-8")
        except OSError:
            same = False
        if same:
            status = "unchanged"
        elif self.dry_run:
            status = "would write"
        else:
            _private_dirs(path.parent, self.folder)
            write_private(path, text)
            status = "written"
        return {"path": str(path), "status": status}

    def put_once(self, path: Path, data: bytes | str) -> dict[str, str]:
        """Write only if the file is not there yet."""
        if path.exists():
            return {"path": str(path), "status": "unchanged"}
        return self.put(path, data)

    def remove(self, path: Path) -> dict[str, str]:
        if not self.dry_run:
            path.unlink(missing_ok=True)
        return {"path": str(path), "status": "would remove" if self.dry_run else "removed"}


def _private_dirs(folder: Path, root: Path) -> None:
    """Create missing folders readable only by the owner (they hold addresses).

    Folders that already exist (the organiser's own --out, say) are left as they are.
    """
    missing = [p for p in [folder, *folder.parents] if not p.exists()]
    for path in reversed(missing):
        path.mkdir(mode=0o700)


def plan_week(
    session: Session,
    week: str,
    out: Output,
    *,
    progress: Callable[[str], None] | None = None,
    today: date | None = None,
) -> list[GroupPlan]:
    """Plan one ISO week; meetings before `today` get their files but no invitations."""
    monday, sunday = schedule.iso_week(week)
    results: list[GroupPlan] = []
    for group in groups_svc.list_groups(session):
        if progress:
            progress(group.slug)
        dates = schedule.slots(group.cadence, group.day, group.anchor, monday, sunday)
        if not dates:
            results.append(GroupPlan(group=group.slug, status="none", note="no meeting this week"))
            continue
        for slot in dates:
            results.append(
                _plan_meeting(session, group, slot, week, out, multiple=len(dates) > 1, today=today)
            )
    return results


def _plan_meeting(
    session: Session,
    group: Group,
    slot: date,
    week: str,
    out: Output,
    *,
    multiple: bool,
    today: date | None,
) -> GroupPlan:
    meeting, created = meetings_svc.ensure(session, group, slot)
    result = GroupPlan(
        group=group.slug,
        session=meeting.id,
        start=meetings_svc.local_start(meeting).isoformat(),
        created=created,
        status=meeting.status,
    )
    _settle_roles(session, group, meeting, slot, today)
    result.hot_seat = meetings_svc.hot_seat_ids(session, meeting)
    result.facilitator = meeting.facilitator_id
    folder = out.folder / week / group.slug
    suffix = f"-{meeting.id}" if multiple else ""
    agenda = agenda_svc.build(session, meeting)
    # A meeting that has happened keeps the files it had: its agenda is a record now.
    put = out.put_once if meeting.status == MeetingStatus.DONE else out.put
    result.files.append(
        put(folder / f"agenda{suffix}.md", render.render("agenda.md.j2", agenda, agenda.locale))
    )
    result.files.append(put(folder / f"session{suffix}.ics", publish_ics(session, meeting, agenda)))
    coming = len(agenda.attendees)
    if meeting.status != MeetingStatus.CANCELLED and coming < group.min_size:
        result.note = f"only {coming} member(s) can come; the group's minimum is {group.min_size}"
    invites: list[dict[str, str]] = []
    if meeting.status == MeetingStatus.DONE:
        return result  # it has happened: its invitations are history, left as they are
    upcoming = today is None or slot >= today
    if meeting.status == MeetingStatus.PLANNED and upcoming:
        invites = write_invitations(session, meeting, agenda, folder, suffix, out)
    elif meeting.status == MeetingStatus.PLANNED:
        result.note = "in the past: no invitations"
        return result  # the invitations it had stay as they were
    result.invited = len(invites)
    result.files.extend(invites)
    result.files.extend(_remove_stale_invitations(folder, suffix, invites, out))
    return result


def _settle_roles(
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


def publish_ics(session: Session, meeting: Meeting, agenda: agenda_svc.Agenda) -> bytes:
    """The meeting for a calendar feed: METHOD:PUBLISH, without attendees (RFC 5546)."""
    description = render.render("agenda.txt.j2", agenda, agenda.locale)
    event = ical.event(
        meeting,
        agenda.group.name,
        description=description,
        organiser=organiser(session),
        local_start=meetings_svc.local_start(meeting),
    )
    return ical.to_bytes(ical.calendar([event], method="PUBLISH"))


def organiser(session: Session) -> ical.Person | None:
    community = community_svc.get(session)
    if community is None or not community.organiser_email:
        return None
    return ical.Person(community.organiser_name or community.name, community.organiser_email)


def invitees(session: Session, group: Group, slot: date) -> list[Member]:
    """Members invited to a meeting: current members active on its date, with an address."""
    return [p for _m, p in rotation.eligible(session, group, slot) if p.email]


def write_invitations(
    session: Session,
    meeting: Meeting,
    agenda: agenda_svc.Agenda,
    folder: Path,
    suffix: str,
    out: Output,
) -> list[dict[str, str]]:
    group = session.get(Group, meeting.group_id)
    assert group is not None
    sender = organiser(session)
    if sender is None or sender.email is None:
        out.warnings.append(
            "no invitations written: set the organiser first, e.g. "
            "peerkit init --organiser-name 'Paolo' --organiser-email paolo@example.com"
        )
        return []
    files = []
    for member in invitees(session, group, meeting.slot_date):
        message = invitation(session, meeting, agenda, member, sender)
        name = f"invite{suffix}-{member.id}-{slugify(member.name)}.eml"
        files.append(out.put(folder / name, mail.to_bytes(message)))
    return files


def recipient_context(
    meeting: Meeting, agenda: agenda_svc.Agenda, member: Member
) -> dict[str, Any]:
    """The `recipient` of an invitation or reminder template (see docs/templates.md)."""
    locale = member.locale or agenda.locale
    mine: list[dict[str, Any]] = [
        # Due dates again, in the recipient's language.
        {
            **asdict(item),
            "due": format_day(date.fromisoformat(item.due_iso), locale) if item.due_iso else None,
        }
        for owner in agenda.commitments
        if owner.id == member.id
        for item in owner.items
    ]
    return {
        "id": member.id,
        "name": member.name,
        "email": member.email,
        "locale": locale,
        "timezone": member.timezone,
        "when": format_when(meetings_svc.local_start(meeting, member.timezone), locale),
        "commitments": mine,
    }


SUBJECTS = {
    "REQUEST": N_("Invitation: %(group)s, %(when)s"),
    "CANCEL": N_("Cancelled: %(group)s, %(when)s"),
}


def invitation(
    session: Session,
    meeting: Meeting,
    agenda: agenda_svc.Agenda,
    member: Member,
    sender: ical.Person,
    method: str = "REQUEST",
) -> EmailMessage:
    """An iMIP message for one member: REQUEST (invite or update) or CANCEL."""
    assert member.email is not None
    assert sender.email is not None
    person = recipient_context(meeting, agenda, member)
    locale = person["locale"]
    context = {
        **agenda,
        "recipient": person,
        "organiser": {"name": sender.name, "email": sender.email},
    }
    _ = gettext_for(locale).gettext
    subject = _(SUBJECTS[method]) % {"group": agenda.group.name, "when": person["when"]}
    text = render.render("invite.txt.j2", context, locale)
    event = ical.event(
        meeting,
        agenda.group.name,
        description=text,
        organiser=sender,
        attendees=[ical.Person(member.name, member.email)],
        local_start=meetings_svc.local_start(meeting),
    )
    return mail.invitation(
        sender=mail.Address(sender.name, sender.email),
        recipient=mail.Address(member.name, member.email),
        subject=subject,
        text=text,
        html=render.render("invite.html.j2", context, locale),
        ics=ical.to_bytes(ical.calendar([event], method=method)),
        method=method,
        sent=meeting.updated_at,
        mid=mail.message_id(
            meeting.uid,
            method,
            str(meeting.sequence),
            str(member.id),
            meeting.updated_at.isoformat(),
        ),
    )
