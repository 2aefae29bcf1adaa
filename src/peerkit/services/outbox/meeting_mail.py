"""The one builder of meeting mail: who is invited, and the iMIP message each one gets.

`plan week`, `invite` (requests and cancellations) and `remind` all take their recipients
and the `recipient` of the templates from here; a request or cancellation is one
multipart message (text, HTML and the meeting's calendar) to one member.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from peerkit import calendar as ical
from peerkit import mail
from peerkit.i18n import N_, format_day, format_when, gettext_for
from peerkit.models import Group, Meeting, Member, id_of
from peerkit.services.groups import agenda as agenda_svc
from peerkit.services.groups import meetings as meetings_svc
from peerkit.services.groups import rotation
from peerkit.services.outbox.meeting_calendars import MeetingCalendars
from peerkit.services.outbox.message import MEETING, Key, Message, Sender, build

if TYPE_CHECKING:
    from peerkit import render

SUBJECTS = {
    "REQUEST": N_("Invitation: %(group)s, %(when)s"),
    "CANCEL": N_("Cancelled: %(group)s, %(when)s"),
}
KINDS = {"REQUEST": "invite", "CANCEL": "cancel"}


def invitees(session: Session, group: Group, slot: date) -> list[Member]:
    """Members invited to a meeting: current members active on its date, with an address."""
    return with_address(rotation.eligible(session, group, slot))


def with_address(eligible: list[tuple[Any, Member]]) -> list[Member]:
    """The invited among the members who can come (rotation.eligible): those with an address."""
    return [p for _m, p in eligible if p.email]


def recipient_context(
    meeting: Meeting, agenda: agenda_svc.Agenda, member: Member
) -> dict[str, Any]:
    """The `recipient` of an invitation or reminder template (see docs/templates.md)."""
    locale = member.locale or agenda.locale
    mine: list[dict[str, Any]] = [
        # Due dates again, in the recipient's language.
        {**agenda_svc.plain(item), "due": _day(item.due_iso, locale) if item.due_iso else None}
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
        "when": _when(meeting.start, member.timezone or meeting.timezone, locale),
        "commitments": mine,
    }


@lru_cache(maxsize=1024)
def _day(iso: str, locale: str) -> str:
    return format_day(date.fromisoformat(iso), locale)


@lru_cache(maxsize=1024)
def _when(start: datetime, zone: str, locale: str) -> str:
    """The start as a recipient reads it (meetings.local_start in their zone), in their language."""
    return format_when(start.astimezone(ZoneInfo(zone)), locale)


class Invitations:
    """The invitations to one meeting (REQUEST: invite or update, or CANCEL), one per member.

    What they all share is made once: the meeting's calendar but for the method, attendee
    and description (meeting_calendars.MeetingCalendars), the templates' context, the templates.
    """

    def __init__(
        self,
        meeting: Meeting,
        agenda: agenda_svc.Agenda,
        sender: Sender,
        method: str = "REQUEST",
        templates: render.Templates | None = None,
        calendars: MeetingCalendars | None = None,
    ) -> None:
        from peerkit import render  # Jinja only when something is rendered

        self.meeting, self.agenda, self.sender, self.method = meeting, agenda, sender, method
        self.templates = templates or render.Templates()
        self.calendars = calendars or calendars_of(meeting, agenda, sender.person())
        self.context = dict(agenda)
        self.organiser = {"name": sender.name, "email": sender.email}

    def one(self, member: Member) -> mail.Invitation:
        """The iMIP message for one member."""
        assert member.email is not None
        meeting, render_ = self.meeting, self.templates.render
        person = recipient_context(meeting, self.agenda, member)
        locale = person["locale"]
        context = {**self.context, "recipient": person, "organiser": self.organiser}
        _ = gettext_for(locale).gettext
        subject = _(SUBJECTS[self.method]) % {
            "group": self.agenda.group.name,
            "when": person["when"],
        }
        text = render_("invite.txt.j2", context, locale)
        return mail.Invitation(
            sender=self.sender.address(),
            recipient=mail.Address(member.name, member.email),
            subject=subject,
            text=text,
            html=render_("invite.html.j2", context, locale),
            ics=self.calendars(self.method, ical.Person(member.name, member.email), text),
            method=self.method,
            sent=meeting.updated_at,
            mid=mail.message_id(
                meeting.uid,
                self.method,
                str(meeting.sequence),
                str(member.id),
                meeting.updated_at.isoformat(),
            ),
        )


def calendars_of(
    meeting: Meeting, agenda: agenda_svc.Agenda, organiser: ical.Person | None
) -> MeetingCalendars:
    """The meeting's calendars (its feed entry, each member's invitation), by the group's name."""
    return MeetingCalendars(
        meeting,
        agenda.group.name,
        organiser=organiser,
        local_start=meetings_svc.local_start(meeting),
    )


def invitation(
    meeting: Meeting,
    agenda: agenda_svc.Agenda,
    member: Member,
    sender: Sender,
    method: str = "REQUEST",
) -> mail.Invitation:
    """An iMIP message for one member: REQUEST (invite or update) or CANCEL."""
    return Invitations(meeting, agenda, sender, method).one(member)


def messages(
    meeting: Meeting,
    agenda: agenda_svc.Agenda,
    people: list[Member],
    sender: Sender,
    method: str = "REQUEST",
    prefix: str | None = None,
    templates: render.Templates | None = None,
    calendars: MeetingCalendars | None = None,
) -> list[Message]:
    """One message per member, in their order; files PREFIX-<id>-<name>.eml (the kind
    when no prefix is given: invite- or cancel-)."""
    kind = KINDS[method]
    key = Key(MEETING, id_of(meeting), kind, meeting.sequence)
    made = Invitations(meeting, agenda, sender, method, templates, calendars)
    return [build(key, prefix or kind, member, sender, made.one(member)) for member in people]
