"""The calendars of one meeting (its feed entry, each member's invitation), made from text.

calendar.event and calendar.to_bytes make one calendar with icalendar objects; a week
holds one calendar per meeting and per invited member, all alike but for a few lines.
Here each kind of meeting is made once with stand-ins, and a meeting's calendars are that
text with its own lines put in (the same bytes: tests/test_calendar_attendee.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from peerkit.calendar import (
    Occasion,
    Person,
    ambiguous,
    attendee_address,
    attendee_line,
    calendar,
    end_of,
    event,
    is_link,
    property_line,
    text_line,
    to_bytes,
)

# Stand-ins for what differs between the calendars of one meeting (and, per kind of meeting,
# between meetings): unlike anything real. tests/test_calendar_attendee.py holds the result
# to the calendars icalendar makes whole.
_PROBE = Person("peerkit probe 7f3a", "probe-7f3a@peerkit.invalid")
_PROBE_TEXT = "peerkit probe 7f3a description"
_PROBE_METHOD = "X-PEERKIT-PROBE-7F3A"
_CALL = ("method", "attendee", "event-description")  # what each calendar of a meeting sets


@dataclass
class _Probe:
    """A meeting of stand-ins (calendar.Occasion), with the real one's status."""

    status: str
    location: str | None
    uid: str = "peerkit-probe-7f3a@peerkit.invalid"
    updated_at: datetime = datetime(1999, 1, 2, 3, 4, 5, tzinfo=UTC)
    sequence: int = 734521987
    duration: int = 1


class MeetingCalendars:
    """The calendars of one meeting: ``to_bytes(calendar([event(..., description=D,
    attendees=[P])], method=M))`` for any attendee P (or none), description D and METHOD M
    (or none), made from the calendar's text with its lines split out (plan week: the
    feed's PUBLISH and one REQUEST per invited member).

    The lines of a calendar are ordered by their names only, and the VTIMEZONE depends on
    the zone and the year: so the text made once with stand-ins for a kind of meeting
    (zone, year, status, kind of place, organiser) is every such meeting's text but for
    the lines that hold its own values, each made on its own (calendar.property_line).
    """

    def __init__(
        self, meeting: Occasion, summary: str, *, organiser: Person | None, local_start: Any
    ) -> None:
        self.args = (meeting, summary, organiser, local_start)
        self.rsvp = meeting.status != "cancelled"  # a cancellation asks for no reply
        end = end_of(local_start, meeting.duration)
        shape = None
        plain = not (ambiguous(local_start) or ambiguous(end))  # else written in UTC
        if _zone_known(local_start) and end.year == local_start.year and plain:
            place = None if not meeting.location else is_link(meeting.location)
            cancelled = meeting.status == "cancelled"
            shape = _shape(cancelled, place, organiser, local_start.tzinfo, local_start.year)
        if shape is not None:
            fill = _meeting_lines(meeting, summary, local_start, end)
            self.pieces: list[bytes | str] | None = _filled(shape, fill)
        else:  # this meeting's own text, with stand-ins for the three lines
            probe = event(
                meeting, summary, description=_PROBE_TEXT, organiser=organiser,
                attendees=[_PROBE], local_start=local_start,
            )  # fmt: skip
            text = to_bytes(calendar([probe], method=_PROBE_METHOD))
            self.pieces = _split(text, _call_probes(self.rsvp))

    def __call__(self, method: str | None, person: Person | None, description: str | None) -> bytes:
        if self.pieces is None:
            meeting, summary, organiser, local_start = self.args
            ev = event(
                meeting, summary, description=description, organiser=organiser,
                attendees=[person] if person is not None else None, local_start=local_start,
            )  # fmt: skip
            return to_bytes(calendar([ev], method=method))
        lines = {
            "method": _method_line(method) if method else b"",
            "attendee": attendee_line(person, rsvp=self.rsvp) if person is not None else b"",
            "event-description": text_line("description", description) if description else b"",
        }
        return b"".join(p if isinstance(p, bytes) else lines[p] for p in self.pieces)


@lru_cache(maxsize=8)
def _method_line(method: str) -> bytes:
    return text_line("method", method)


def _zone_known(moment: Any) -> bool:
    zone = getattr(moment, "tzinfo", None)
    return isinstance(moment, datetime) and (zone is UTC or isinstance(zone, ZoneInfo))


def _call_probes(rsvp: bool) -> dict[str, bytes]:
    return {
        "method": property_line("method", _PROBE_METHOD),
        "attendee": property_line("attendee", attendee_address(_PROBE, rsvp=rsvp)),
        "event-description": property_line("description", _PROBE_TEXT),
    }


@lru_cache(maxsize=256)
def _shape(
    cancelled: bool, place: bool | None, organiser: Person | None, zone: Any, year: int
) -> list[bytes | str] | None:
    """The text of a kind of meeting (its start in ZONE in YEAR), split where a meeting's
    and a calendar's own lines go; None when a stand-in is not found once."""
    start = datetime(year, 1, 1, 0, 0, 1, tzinfo=zone)
    where = None if place is None else "https://probe-7f3a.invalid/" if place else "probe 7f3a"
    probe = _Probe("cancelled" if cancelled else "planned", where)
    summary = "peerkit probe 7f3a summary"
    made = event(
        probe, summary, description=_PROBE_TEXT, organiser=organiser, attendees=[_PROBE],
        local_start=start,
    )  # fmt: skip
    text = to_bytes(calendar([made], method=_PROBE_METHOD))
    lines = _meeting_lines(probe, summary, start, end_of(start, 1))
    return _split(text, {**_call_probes(not cancelled), **lines})


def _meeting_lines(
    meeting: Occasion, summary: str, local_start: datetime, end: datetime
) -> dict[str, bytes]:
    """The lines of event() that hold the meeting's own values."""
    lines = {
        "uid": text_line("uid", meeting.uid),
        "dtstamp": property_line("dtstamp", meeting.updated_at),
        "sequence": property_line("sequence", meeting.sequence),
        "summary": text_line("summary", summary),
        "dtstart": property_line("dtstart", local_start),
        "dtend": property_line("dtend", end),
    }
    if meeting.location:
        lines["location"] = text_line("location", meeting.location)
        if is_link(meeting.location):
            lines["url"] = property_line("url", meeting.location)
    if meeting.status != "cancelled":
        lines["alarm"] = text_line("description", summary)
    return lines


def _split(text: bytes, lines: dict[str, bytes]) -> list[bytes | str] | None:
    """TEXT as pieces: the text between the LINES, and each line's name where it was; None
    unless each line is there once, as a whole line."""
    found = []
    for name, line in lines.items():
        at = text.find(line)
        if at < 2 or text[at - 2 : at] != b"\r\n" or text.count(line) != 1:
            return None
        found.append((at, at + len(line), name))
    found.sort()
    pieces: list[bytes | str] = []
    done = 0
    for at, after, name in found:
        if at < done:
            return None
        pieces += [text[done:at], name]
        done = after
    pieces.append(text[done:])
    return pieces


def _filled(pieces: list[bytes | str], lines: dict[str, bytes]) -> list[bytes | str] | None:
    """PIECES with the LINES in place (joined up), the calendar's own lines still to come."""
    if set(lines) | set(_CALL) != {p for p in pieces if isinstance(p, str)}:
        return None
    out: list[bytes | str] = []
    run: list[bytes] = []
    for piece in pieces:
        if isinstance(piece, str) and piece not in lines:
            out += [b"".join(run), piece]
            run = []
        else:
            run.append(lines[piece] if isinstance(piece, str) else piece)
    return [*out, b"".join(run)]
