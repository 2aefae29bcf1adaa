"""The reference for `export ics --all`: the same calendar built with icalendar directly.

    python benchmarks/ics_baseline.py DB FILE.ics

One plain SQL query of the meetings (hot-seat and facilitator names by subquery), then per
meeting an icalendar Event with the properties peerkit writes (UID, DTSTAMP, SEQUENCE,
SUMMARY, DTSTART in the meeting's zone, DTEND, STATUS, URL/LOCATION, DESCRIPTION, ORGANIZER,
a VALARM unless cancelled), the VTIMEZONEs over the years of the data, and ``to_ical()``.
Used in this process by benchmarks/calendar_export.py and as a whole process by
benchmarks/scale.py. Needs icalendar and peerkit's PRODID, nothing else of peerkit.
"""

from __future__ import annotations

import sqlite3
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, vCalAddress, vText

from peerkit.calendar import PRODID

ALARM_BEFORE = timedelta(minutes=-30)
PLAIN_COMMUNITY = (
    "SELECT coalesce(nullif(organiser_name, ''), name), organiser_email "
    "FROM community ORDER BY id LIMIT 1"
)
PLAIN_MEETINGS = """
SELECT m.uid, m.start, m.timezone, m.duration, m.location, m.status, m.sequence,
       m.updated_at, g.name,
       (SELECT group_concat(name, ', ') FROM (
            SELECT p.name FROM hot_seat h JOIN member p ON p.id = h.member_id
            WHERE h.meeting_id = m.id ORDER BY h.position)),
       (SELECT p.name FROM member p WHERE p.id = m.facilitator_id)
FROM meeting m JOIN peer_group g ON g.id = m.group_id
ORDER BY m.start, m.id
"""


def plain_feed(path: Path) -> bytes:
    """Baseline: the same events, built directly with icalendar from a plain SQL query."""
    conn = sqlite3.connect(path)
    try:
        organiser_name, organiser_email = conn.execute(PLAIN_COMMUNITY).fetchone()
        rows = conn.execute(PLAIN_MEETINGS).fetchall()
    finally:
        conn.close()
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    organiser = vCalAddress(f"mailto:{organiser_email}")
    organiser.params["CN"] = vText(organiser_name)
    first = last = None
    for row in rows:
        event, begin = _event(row, organiser)
        first = begin if first is None else min(first, begin)
        last = begin if last is None else max(last, begin)
        cal.add_component(event)
    if first is not None and last is not None:
        # The span of the data, as peerkit's own VTIMEZONEs (the default is 1970-2038).
        cal.add_missing_timezones(date(first.year - 1, 1, 1), date(last.year + 2, 1, 1))
    return bytes(cal.to_ical())


def _event(row: tuple[Any, ...], organiser: vCalAddress) -> tuple[Event, datetime]:
    """One meeting as a VEVENT, and its local start."""
    uid, start, tz, minutes, location, status, sequence, stamp, name, seated, lead = row
    begin = datetime.fromisoformat(start).replace(tzinfo=UTC).astimezone(ZoneInfo(tz))
    cancelled = status == "cancelled"
    ev = Event()
    ev.add("uid", uid)
    ev.add("dtstamp", datetime.fromisoformat(stamp).replace(tzinfo=UTC))
    ev.add("sequence", sequence)
    ev.add("summary", name)
    ev.add("dtstart", begin)
    ev.add("dtend", begin + timedelta(minutes=minutes))
    ev.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if location:
        if location.startswith(("https://", "http://")):
            ev.add("url", location)
        ev.add("location", location)
    lines = ["This meeting is cancelled."] if cancelled else []
    if seated:
        lines.append(f"On the hot seat: {seated}")
    if lead:
        lines.append(f"Facilitator: {lead}")
    lines.append(f"Duration: {minutes} min")
    ev.add("description", "\n".join(lines))
    ev.add("organizer", organiser)
    if not cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", name)
        alarm.add("trigger", ALARM_BEFORE)
        ev.add_component(alarm)
    return ev, begin


def main(db: str, out: str) -> None:
    Path(out).write_bytes(plain_feed(Path(db)))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
