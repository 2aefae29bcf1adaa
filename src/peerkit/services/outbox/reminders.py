"""Reminders shortly before a meeting: one per member per meeting, in their language."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from peerkit import mail, render
from peerkit.i18n import gettext_for
from peerkit.models import Group, Meeting
from peerkit.services.groups import agenda as agenda_svc
from peerkit.services.groups import planning
from peerkit.services.groups.roster import slugify
from peerkit.services.outbox.invitations import Prepared

MAX_HOURS = 24 * 14


def due(session: Session, now: datetime, hours: float) -> list[Meeting]:
    """Planned meetings starting from now to now + hours."""
    return list(
        session.exec(
            select(Meeting)
            .where(
                Meeting.status == "planned",
                col(Meeting.start) >= now,
                col(Meeting.start) <= now + timedelta(hours=hours),
            )
            .order_by(col(Meeting.start), col(Meeting.id))
        )
    )


def prepare(session: Session, meeting: Meeting) -> list[Prepared]:
    sender = planning.organiser(session)
    if sender is None or sender.email is None:
        return []
    group = session.get(Group, meeting.group_id)
    assert group is not None
    data = agenda_svc.build(session, meeting)
    out = []
    for member in planning.invitees(session, group, meeting.slot_date):
        assert member.id is not None
        assert member.email is not None
        person = planning.recipient_context(meeting, data, member)
        locale = person["locale"]
        context: dict[str, Any] = {
            **data,
            "recipient": person,
            "organiser": {"name": sender.name, "email": sender.email},
        }
        _ = gettext_for(locale).gettext
        subject = _("Reminder: %(group)s, %(when)s") % {
            "group": data["group"]["name"],
            "when": person["when"],
        }
        message = mail.plain(
            sender=mail.Address(sender.name, sender.email),
            recipient=mail.Address(member.name, member.email),
            subject=subject,
            text=render.render("reminder.txt.j2", context, locale),
            sent=meeting.updated_at,
            mid=mail.message_id(meeting.uid, "reminder", str(member.id)),
        )
        out.append(
            Prepared(
                member_id=member.id,
                filename=f"reminder-{member.id}-{slugify(member.name)}.eml",
                outgoing=mail.Outgoing(message, sender.email, member.email),
                kind="reminder",
                sequence=0,
            )
        )
    return out
