"""`site build`: a static community page of what is coming up, with no member's data on it.

The page shows upcoming events and the groups that have open seats, each with a small chart of
its attendance at its last meetings (the share of those marked who came: a number per meeting,
never who). Nothing about any member (name, address, availability, their own attendance) is on
it: members have not opted in to be shown, so they are not.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, func, select

from peerkit import files, render
from peerkit.enums import EventStatus, RsvpStatus
from peerkit.errors import PeerkitError
from peerkit.i18n import format_day, format_when
from peerkit.models import Event, Membership, Rsvp, id_of
from peerkit.services.common import community as community_svc
from peerkit.services.common import schedule, validate
from peerkit.services.events import seats as events_svc
from peerkit.services.reports import timeline


def context(session: Session, now: datetime) -> dict[str, Any]:
    """What the page shows: the community, events to come, groups with open seats."""
    row = community_svc.get(session)
    locale = row.locale if row else "en"
    return {
        "community": {"name": row.name if row else "peerkit", "locale": locale},
        "generated": format_when(now.astimezone(), locale),
        "events": _events(session, now, locale),
        "groups": _open_groups(session, now, locale),
    }


def _events(session: Session, now: datetime, locale: str) -> list[dict[str, Any]]:
    """Planned events from now on, with the seats left (None: no limit) and the waitlist."""
    upcoming = list(
        session.exec(
            select(Event)
            .where(Event.status == EventStatus.PLANNED, col(Event.start) >= now)
            .order_by(col(Event.start), col(Event.id))
        )
    )
    answers = _answers(session, [id_of(event) for event in upcoming])
    shown = []
    for event in upcoming:
        counts = answers.get(id_of(event), {})
        going, waitlist = counts.get(RsvpStatus.GOING, 0), counts.get(RsvpStatus.WAITLIST, 0)
        left = None if event.capacity is None else max(0, event.capacity - going)
        shown.append(
            {
                "title": event.title,
                "kind": event.kind,
                "when": format_when(events_svc.local_start(event), locale),
                "start": events_svc.local_start(event).isoformat(),
                "timezone": event.timezone,
                "location": event.location,
                "seats_left": left,
                "waitlist": waitlist,
            }
        )
    return shown


def _answers(session: Session, event_ids: list[int]) -> dict[int, dict[str, int]]:
    """event id -> answer -> how many, for all the events in one query (as events.counts)."""
    rows = session.exec(
        select(Rsvp.event_id, Rsvp.status, func.count())
        .where(col(Rsvp.event_id).in_(event_ids))
        .group_by(col(Rsvp.event_id), col(Rsvp.status))
    )
    found: dict[int, dict[str, int]] = {}
    for event_id, status, n in rows:
        found.setdefault(event_id, {})[status] = n
    return found


def _open_groups(session: Session, now: datetime, locale: str) -> list[dict[str, Any]]:
    """Active groups with room for more, and when they next meet."""
    sizes = dict(
        session.exec(
            select(Membership.group_id, func.count())
            .where(col(Membership.left_on).is_(None))
            .group_by(col(Membership.group_id))
        ).all()
    )
    over_time = timeline.attendance(session, None, None, now.date(), members=False)
    shown = []
    for line in over_time:  # every active group, as roster.list_groups
        group = line.group
        size = sizes.get(id_of(group), 0)  # the current members, as roster.current_memberships
        if size < group.max_size:
            (first,) = schedule.next_slots(group.cadence, group.day, group.anchor, now.date(), 1)
            when = schedule.local_datetime(first, group.time, group.timezone)
            shown.append(
                {
                    "name": group.name,
                    "kind": group.kind,
                    "cadence": group.cadence,
                    "day": validate.DAYS[group.day],
                    "time": group.time,
                    "timezone": group.timezone,
                    "next": format_when(when, locale),
                    "open_seats": group.max_size - size,
                    "attendance": _attendance(line, locale),
                }
            )
    return shown


def _attendance(line: timeline.Timeline, locale: str) -> dict[str, Any] | None:
    """The group's last held meetings for the page's chart (None: none held yet): the share
    present at each, and over them all. Counts only: no member is named."""
    if not line.meetings:
        return None
    return {
        "slots": timeline.LAST,  # the most meetings drawn: the chart's width
        "rate": line.rate,
        "percent": _percent(line.rate, locale),
        "meetings": [
            {
                "date": held.day.isoformat(),
                "when": format_day(held.day, locale),
                "rate": held.rate,
                "percent": _percent(held.rate, locale),
            }
            for held in line.meetings
        ],
    }


def _percent(rate: float | None, locale: str) -> str | None:
    from babel.numbers import format_percent

    return None if rate is None else str(format_percent(rate, locale=locale))


def build(session: Session, out: Path, now: datetime) -> Path:
    """Write DIR/index.html (world-readable: it is meant to be published)."""
    data = context(session, now)
    html = render.render("site.html.j2", data, data["community"]["locale"])
    folder = out.expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PeerkitError(f"cannot create {folder}: {exc.strerror}.") from None
    if not folder.is_dir():
        raise PeerkitError(f"{folder} is not a folder.")
    target = folder / "index.html"
    with files.new_file(target, mode=files.PUBLIC) as (handle, _):
        handle.write(html)
    return target
