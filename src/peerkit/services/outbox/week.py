"""`plan week`: every active group's meetings that week, their roles, and the files.

For each group (services/groups/planning.py settles the meetings and their roles), under
OUT/YYYY-Www/<group-slug>/ the agenda, the meeting's .ics and one invitation .eml per
invited member are written. Running it again changes nothing: files whose content is the
same are left alone, and a meeting whose files were made from the same data, with the same
templates and code, and are still there as written is not built again (week_record.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from peerkit.enums import MeetingStatus
from peerkit.models import Group, Meeting, Member
from peerkit.services.common import schedule
from peerkit.services.common.community import Sender, organiser_of
from peerkit.services.groups import agenda as agenda_svc
from peerkit.services.groups import meetings as meetings_svc
from peerkit.services.groups import planning
from peerkit.services.outbox import meeting_mail, message, week_record
from peerkit.services.outbox.delivery import Output
from peerkit.services.outbox.meeting_calendars import MeetingCalendars

if TYPE_CHECKING:
    from peerkit import render
    from peerkit.i18n import Clock

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
    status: str = MeetingStatus.PLANNED  # or "none": no meeting that week; "skipped": a
    # holiday or break took it (services/groups/breaks.py)
    hot_seat: list[int] = field(default_factory=list)
    facilitator: int | None = None
    invited: int = 0
    files: list[dict[str, str]] = field(default_factory=list)
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def for_people(self, clock: Clock, names: Mapping[int, str]) -> dict[str, Any]:
        """`as_dict` as a table shows it: members by name (NAMES), the start on CLOCK
        ("Tue 8 Dec 18:30"). JSON and CSV keep the ids and ISO times."""

        def name(member: int | None) -> str | None:
            return None if member is None else names.get(member, f"#{member}")

        return {
            **self.as_dict(),
            "start": clock.when(self.start),
            "hot_seat": [name(i) for i in self.hot_seat],
            "facilitator": name(self.facilitator),
        }


def names_of(planned: planning.Week) -> dict[int, str]:
    """The names of the members a planned week's meetings name (hot seats, roles, attendees)."""
    found: dict[int, str] = {}
    seen: set[int] = set()
    for s in planned.slots:  # the meetings of a week share one dict of names: read it once
        if s.facts and id(s.facts.names) not in seen:
            seen.add(id(s.facts.names))
            found.update(s.facts.names)
    return found


def notices_of(planned: planning.Week) -> list[str]:
    """What holidays and breaks did to the week, group by group, in words."""
    return [f"{s.group.slug}: {n}" for s in planned.slots for n in s.notices]


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
    return write_week(planned, week, out, progress=progress, today=today)


def write_week(
    planned: planning.Week,
    week: str,
    out: Output,
    *,
    progress: Callable[[str], None] | None = None,
    today: date | None = None,
) -> list[GroupPlan]:
    """The files of a planned week. It reads nothing from the database: `plan week` runs it
    after the plan is committed, so that no file is written for a meeting rolled back."""
    run = _Run(organiser_of(planned.community), out, week_record.Record(out.folder, week))
    results: list[GroupPlan] = []
    for item in planned.slots:
        if progress and (not results or results[-1].group != item.group.slug):
            progress(item.group.slug)
        if item.meeting is None and item.skipped:  # a holiday or break (breaks.place)
            results.append(
                GroupPlan(group=item.group.slug, status="skipped", note="; ".join(item.notices))
            )
        elif item.meeting is None:
            results.append(
                GroupPlan(group=item.group.slug, status="none", note="no meeting this week")
            )
        else:
            results.append(_meeting_files(item, item.meeting, week, today, run))
    if not out.dry_run:
        run.record.save()
    return results


@dataclass
class _Run:
    """What the meetings of one run share: the organiser, where files go, the record of
    what was written, the templates (looked up once, and only when something is built)."""

    sender: Sender | None
    out: Output
    record: week_record.Record
    found: render.Templates | None = None

    @property
    def templates(self) -> render.Templates:
        if self.found is None:
            from peerkit import render

            self.found = render.Templates()
        return self.found


def _meeting_files(
    item: planning.Slot, meeting: Meeting, week: str, today: date | None, run: _Run
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
    folder = run.out.folder / week / group.slug
    suffix = f"-{meeting.id}" if item.multiple else ""
    assert item.facts is not None
    coming = len(item.facts.attendees)  # the agenda's attendees
    notes = []
    if meeting.status != MeetingStatus.CANCELLED and coming < group.min_size:
        notes.append(f"only {coming} member(s) can come; the group's minimum is {group.min_size}")
    if meeting.status != MeetingStatus.CANCELLED and (clock := _clock_note(meeting, group)):
        notes.append(clock)
    notes.extend(item.notices)  # holidays and breaks (planning._close), members' holidays
    result.note = "; ".join(notes) or None
    paths = [folder / f"agenda{suffix}.md", folder / f"session{suffix}.ics"]
    if meeting.status == MeetingStatus.DONE:
        # A meeting that has happened keeps the files it had: its agenda is a record now,
        # and its invitations are history, left as they are.
        result.files = _keep_or_make(item, meeting, paths, run)
        return result
    due = meeting.status == MeetingStatus.PLANNED and (today is None or meeting.slot_date >= today)
    if meeting.status == MeetingStatus.PLANNED and not due:
        # the invitations it had stay as they were
        result.note = "; ".join(["in the past: no invitations", *notes])
    if due and run.sender is None:
        run.out.warnings.append(NO_INVITATIONS)
    people = meeting_mail.with_address(item.candidates) if due and run.sender else []
    result.files = _made_or_kept(item, paths, suffix, due, people, run)
    result.invited = len(people)
    return result


def _clock_note(meeting: Meeting, group: Group) -> str | None:
    """A meeting at the group's time on a night that time is missing or repeated, in words."""
    on, hhmm, zone = meeting.slot_date, group.time, group.timezone
    if meeting.timezone != zone or meeting.start != schedule.to_utc(on, hhmm, zone):
        return None  # moved: a time of its own
    return schedule.clock_note(on, hhmm, zone)


def _made_or_kept(
    item: planning.Slot,
    paths: list[Path],
    suffix: str,
    due: bool,
    people: list[Member],
    run: _Run,
) -> list[dict[str, str]]:
    """A meeting's files (PATHS: its agenda and calendar; then the invitations): unchanged
    when the record says they were made from the same, else made and compared."""
    meeting, folder = item.meeting, paths[0].parent
    assert meeting is not None
    prefix, listing = f"invite{suffix}", _listing(folder, suffix)
    key, inputs = f"{item.group.slug}/{suffix}", run.record.inputs(item, suffix, due, run.sender)
    there = _invitations_there(listing, prefix, people)
    if there is not None:
        kept = [*paths, *(folder / name for name in there)]
        if run.record.unchanged(key, inputs, kept, listing):
            return [{"path": str(path), "status": "unchanged"} for path in kept]
    paths = [*paths, *(folder / message.filename(prefix, member) for member in people)]
    contents = list(_contents(item, meeting, people, prefix, run))
    made = list(zip(paths, contents, strict=True))
    files = run.out.put_new(folder, made)  # a new folder: written at once
    if files is None:
        files = [run.out.put(path, data) for path, data in made]
    invited = {path.name for path in paths[2:]}
    stale = []
    if due or meeting.status == MeetingStatus.CANCELLED:
        stale = _stale_invitations(listing, suffix, invited)
        files.extend(run.out.remove(folder / name) for name in stale)
    if not run.out.dry_run:  # the folder's invitations now: those there, written, not removed
        run.record.note(key, inputs, contents, sorted((set(listing) | invited) - set(stale)))
    return files


def _contents(
    item: planning.Slot, meeting: Meeting, people: list[Member], prefix: str, run: _Run
) -> Iterator[bytes]:
    """The agenda, the meeting's calendar, then one invitation per person, made in turn."""
    assert item.facts is not None
    agenda = agenda_svc.assemble(item.facts, meeting)
    templates = run.templates
    yield templates.render("agenda.md.j2", agenda, agenda.locale).encode("utf-8")
    organiser = run.sender.person() if run.sender is not None else None
    calendars = meeting_mail.calendars_of(meeting, agenda, organiser)
    yield publish_ics(agenda, calendars, templates)
    if people:
        assert run.sender is not None
        made = meeting_mail.messages(
            meeting, agenda, people, run.sender, prefix=prefix, templates=templates,
            calendars=calendars,
        )  # fmt: skip
        yield from (m.data for m in made)


def _keep_or_make(
    item: planning.Slot, meeting: Meeting, paths: list[Path], run: _Run
) -> list[dict[str, str]]:
    """Files written only if they are not there yet (nothing is made for those that are)."""
    if all(path.exists() for path in paths):
        return [run.out.put_once(path, b"") for path in paths]
    made = _contents(item, meeting, [], "", run)
    return [run.out.put_once(path, data) for path, data in zip(paths, made, strict=True)]


def _invitations_there(listing: list[str], prefix: str, people: list[Member]) -> list[str] | None:
    """Each person's invitation file in the folder, when each has exactly one there.

    The record's hash holds the folder's listing as it was after the files were written
    (message.filename's names, which are the only ones with their PREFIX-<id>- then), so
    when the hash matches these are those names, found without making them again."""
    found = []
    for member in people:
        start = f"{prefix}-{member.id}-"
        names = [name for name in listing if name.startswith(start)]
        if len(names) != 1:
            return None
        found.append(names[0])
    return found


def _listing(folder: Path, suffix: str) -> list[str]:
    """The invitation files of a meeting's folder (invite{suffix}-*.eml), sorted."""
    start = f"invite{suffix}-"
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return sorted(n for n in names if n.startswith(start) and n.endswith(".eml"))


def _stale_invitations(listing: list[str], suffix: str, invited: set[str]) -> list[str]:
    """Of the invitations in the folder before (LISTING), those written earlier for people
    no longer invited (paused, removed, cancelled)."""
    return [
        name for name in listing if name not in invited and (suffix or not _belongs_to_other(name))
    ]


def _belongs_to_other(name: str) -> bool:
    """invite-12-3-x.eml (a week with two meetings) is not a stale invite-3-x.eml."""
    parts = name.split("-")
    return len(parts) > 3 and parts[1].isdigit() and parts[2].isdigit()


def publish_ics(
    agenda: agenda_svc.Agenda, calendars: MeetingCalendars, templates: render.Templates
) -> bytes:
    """The meeting for a calendar feed: METHOD:PUBLISH, without attendees (RFC 5546)."""
    description = templates.render("agenda.txt.j2", agenda, agenda.locale)
    return calendars("PUBLISH", None, description)
