"""Meetings as iCalendar objects: built with icalendar, never with templates.

A meeting is one VEVENT with a UID that never changes, DTSTART/DTEND in the meeting's
own zone (with its VTIMEZONE), SEQUENCE raised by every change and DTSTAMP taken from
the last change, so exporting twice gives the same bytes.

A local time that a parser could read two ways (the hour repeated when clocks go back) is
written in UTC instead (:func:`span`): ical.js and libical take the second of the two
readings where the RFC and Python take the first, so only UTC is read alike everywhere.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # icalendar is imported when a calendar is made, not with this module
    from icalendar import Calendar, Event, Timezone, Todo, vCalAddress

from peerkit import __version__
from peerkit.mail import mailto

PRODID = f"-//peerkit//peerkit {__version__}//EN"


@dataclass(frozen=True)
class Person:
    name: str
    email: str | None


def address(person: Person, **params: str) -> vCalAddress | None:
    from icalendar import vCalAddress, vText

    if not person.email:
        return None
    address = vCalAddress(mailto(person.email))  # the domain in IDNA form
    address.params["CN"] = vText(person.name)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


class Occasion(Protocol):
    """What a calendar event is made of: a meeting, or a mentorship check-in."""

    uid: str
    updated_at: datetime
    sequence: int
    duration: int
    location: str | None

    @property
    def status(self) -> str: ...  # read-only: a StrEnum status fits


def event(
    meeting: Occasion,
    summary: str,
    *,
    description: str | None = None,
    organiser: Person | None = None,
    attendees: list[Person] | None = None,
    local_start: Any,
) -> Event:
    """One meeting as a VEVENT (local_start: the aware start in the meeting's zone)."""
    from icalendar import Alarm, Event

    ev = Event()
    ev.add("uid", meeting.uid)
    ev.add("dtstamp", meeting.updated_at)
    ev.add("sequence", meeting.sequence)
    ev.add("summary", summary)
    start, end = span(local_start, meeting.duration)
    ev.add("dtstart", start)
    ev.add("dtend", end)
    cancelled = meeting.status == "cancelled"
    ev.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if meeting.location:
        is_url = is_link(meeting.location)
        ev.add("url" if is_url else "location", meeting.location)
        if is_url:
            ev.add("location", meeting.location)
    if description:
        ev.add("description", description)
    if organiser is not None and (org := address(organiser)) is not None:
        ev.add("organizer", org)
    for person in attendees or []:
        attendee = attendee_address(person, rsvp=not cancelled)
        if attendee is not None:
            ev.add("attendee", attendee)
    if not cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", timedelta(minutes=-30))
        ev.add_component(alarm)
    return ev


class Task(Protocol):
    """What a task (VTODO) is made of: a member's commitment."""

    uid: str
    text: str
    due: date | None
    created_at: datetime
    closed_at: datetime | None

    @property
    def status(self) -> str: ...  # open, done or dropped

    @property
    def sequence(self) -> int: ...

    @property
    def updated_at(self) -> datetime: ...


TASK_STATUS = {"open": "NEEDS-ACTION", "done": "COMPLETED", "dropped": "CANCELLED"}


def todo(task: Task, *, related_to: str | None = None, description: str | None = None) -> Todo:
    """One commitment as a VTODO: its text, its due date (a DATE, none when it has none), its
    status, the UID of the meeting it was made at, and a version (SEQUENCE, DTSTAMP and
    LAST-MODIFIED) that moves when it is done or dropped, so that task apps replace it.

    No ORGANIZER and no ATTENDEE: a member's tasks are their own, and nobody is asked for
    anything."""
    from icalendar import Todo

    td = Todo()
    td.add("uid", task.uid)
    td.add("dtstamp", task.updated_at)
    td.add("created", task.created_at)
    td.add("last-modified", task.updated_at)
    td.add("sequence", task.sequence)
    td.add("summary", task.text)
    if task.due is not None:
        td.add("due", task.due)  # a date: VALUE=DATE, due that day wherever the member is
    td.add("status", TASK_STATUS[str(task.status)])
    if str(task.status) == "done":
        td.add("completed", task.closed_at or task.updated_at)
        td.add("percent-complete", 100)
    if related_to:
        td.add("related-to", related_to)
    if description:
        td.add("description", description)
    return td


def is_link(location: str) -> bool:
    """A place that is a link: written as the event's URL and its LOCATION."""
    return location.startswith(("https://", "http://"))


def attendee_address(person: Person, *, rsvp: bool = True) -> vCalAddress | None:
    """An invited member; a cancellation asks for no reply (RSVP=FALSE)."""
    return address(
        person,
        ROLE="REQ-PARTICIPANT",
        PARTSTAT="NEEDS-ACTION",
        RSVP="TRUE" if rsvp else "FALSE",
        CUTYPE="INDIVIDUAL",
    )


def ambiguous(moment: datetime) -> bool:
    """Whether MOMENT's wall-clock time happens twice in its zone (clocks going back)."""
    zone = moment.tzinfo
    if zone is None or zone is UTC:
        return False
    return moment.replace(fold=1 - moment.fold).utcoffset() != moment.utcoffset()


def span(local_start: datetime, minutes: int) -> tuple[datetime, datetime]:
    """DTSTART and DTEND as written: in the zone's wall clock, or both in UTC when either
    wall clock happens twice that night. Both, because icalendar and vobject take the end
    as the start plus the difference, on the wall clock: a UTC end after a local start
    would land an hour off."""
    end = end_of(local_start, minutes)
    if ambiguous(local_start) or ambiguous(end):
        return local_start.astimezone(UTC), end.astimezone(UTC)
    return local_start, end


def steady(local_start: datetime, minutes: int) -> bool:
    """Whether an occurrence at LOCAL_START reads alike everywhere as part of a series: its
    start and end each one instant, with no change of clocks between them (a DURATION
    across a change is added on the wall clock by ical.js, icalendar and vobject, in real
    time by libical)."""
    end = end_of(local_start, minutes)
    return (
        not ambiguous(local_start)
        and not ambiguous(end)
        and local_start.utcoffset() == end.utcoffset()
    )


def end_of(local_start: datetime, minutes: int) -> datetime:
    """Real elapsed time: an event across a daylight-saving change ends at the right hour."""
    return (local_start.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(local_start.tzinfo)


def property_line(name: str, value: Any) -> bytes:
    """One property as Component.add stores it and a component writes it: encoded, folded."""
    kind = type(value)
    if kind is int or kind is datetime:  # the same few recur (a week's starts, sequences)
        zone, fold = (value.tzinfo, value.fold) if kind is datetime else (None, 0)
        return _recurring_line(name, kind.__name__, value, zone, fold)
    return folded(_content_line(name, value)) + b"\r\n"


@lru_cache(maxsize=4096)
def _recurring_line(name: str, kind: str, value: Any, zone: Any, fold: int) -> bytes:
    """property_line of an int or a datetime, made once for each value, its type, its zone
    (the object itself: two zones are never the same key) and its fold (a datetime compares
    equal to its other fold in the same zone, and the UTC of DTSTAMP differs between them)."""
    return folded(_content_line(name, value)) + b"\r\n"


def _content_line(name: str, value: Any) -> str:
    """The property's line before folding (icalendar's Contentline)."""
    from icalendar import Event, Parameters
    from icalendar.parser import Contentline
    from icalendar.timezone import tzp

    if isinstance(value, datetime) and name in ("dtstamp", "created", "last-modified"):
        value = tzp.localize_utc(value)
    encoded = Event._encode(name, value)  # type: ignore[no-untyped-call]  # as Component.add
    params = getattr(encoded, "params", None)
    if params is None:
        params = Parameters()
    return str(Contentline.from_parts(name.upper(), params, encoded))


# The properties of a VEVENT (or VCALENDAR) whose value icalendar writes as TEXT (vText),
# with no parameters: tests/test_calendar_lines.py holds text_line to property_line.
TEXT_PROPERTIES = frozenset({"description", "summary", "location", "uid", "method"})


def text_line(name: str, value: str) -> bytes:
    """``property_line(NAME, VALUE)`` for a TEXT property (TEXT_PROPERTIES) and a str,
    without icalendar's objects: escaped as icalendar escapes TEXT (RFC 5545 3.3.11), a
    leading byte-order mark dropped as its utf-8-sig decoding drops it, folded."""
    if name not in TEXT_PROPERTIES or type(value) is not str:
        return property_line(name, value)
    text = (
        value.replace(r"\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", r"\;")
        .replace(",", r"\,")
        .replace("\r\n", r"\n")
        .replace("\n", r"\n")
        .replace("\r", r"\n")
    )
    if text.startswith("\ufeff"):
        text = text[1:]
    return folded(f"{name.upper()}:{text}") + b"\r\n"


# A name or address icalendar writes as it is in an ATTENDEE line (nothing escaped, a name
# quoted only for its spaces); any other goes through icalendar.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9.\-]+( [A-Za-z0-9.\-]+)*\Z")
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9._+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\Z")


def attendee_line(person: Person, *, rsvp: bool = True) -> bytes:
    """``property_line("attendee", attendee_address(PERSON, rsvp=RSVP))`` (b"" for a person
    without an address). A plain name and address are put into the line icalendar makes
    for a stand-in of the same kind (a name with or without spaces), the same bytes
    (tests/test_calendar_lines.py); anything else is made by icalendar."""
    name, email = person.name, person.email
    if not email:
        return b""
    if _PLAIN_NAME.match(name) and _PLAIN_ADDRESS.match(email):
        before, between, after = _attendee_shape(" " in name, rsvp)
        return folded(f"{before}{name}{between}{email}{after}") + b"\r\n"
    found = attendee_address(person, rsvp=rsvp)
    return property_line("attendee", found) if found is not None else b""


_SHAPE_NAME = ("Peerkit Probe", "PeerkitProbe")
_SHAPE_ADDRESS = "probe.7f3a@peerkit.invalid"


@lru_cache(maxsize=4)
def _attendee_shape(spaced: bool, rsvp: bool) -> tuple[str, str, str]:
    """The ATTENDEE line of a stand-in, split around its name and its address."""
    name = _SHAPE_NAME[0 if spaced else 1]
    line = _content_line("attendee", attendee_address(Person(name, _SHAPE_ADDRESS), rsvp=rsvp))
    before, found, rest = line.partition(name)
    between, found_too, after = rest.partition(_SHAPE_ADDRESS)
    if not found or not found_too or name in after or _SHAPE_ADDRESS in after:
        raise AssertionError(f"an ATTENDEE line of an unexpected shape: {line!r}")
    return before, between, after


def text_of(component: Any) -> bytes:
    """``component.to_ical()``, its lines folded by :func:`folded`."""
    return b"\r\n".join(folded(line) for line in component.content_lines() if line) + b"\r\n"


def folded(line: str) -> bytes:
    """``Contentline(line).to_ical()``: folded before 75 octets, never inside a character nor
    after a backslash or caret (icalendar's rule), a piece at a time, not a character."""
    if "\n" in line:
        from icalendar.parser import Contentline

        return bytes(Contentline(line).to_ical())  # type: ignore[no-untyped-call]  # refused
    data = line.encode("utf-8")
    pieces = []
    start = 0
    while start + 74 < len(data):
        cut = start + 74
        while data[cut] & 0xC0 == 0x80:  # the middle of a character
            cut -= 1
        if data[cut - 1] in b"\\^" and cut - 1 > start:
            cut -= 1
        pieces.append(data[start:cut])
        start = cut
    pieces.append(data[start:])
    return b"\r\n ".join(pieces)


def calendar(events: list[Event], method: str | None = None) -> Calendar:
    """A VCALENDAR with a VTIMEZONE for every TZID its events use."""
    cal = _shell(_zones_used(events), method)
    for ev in events:
        cal.add_component(ev)
    return cal


def _shell(spans: dict[str, tuple[date, date]], method: str | None) -> Calendar:
    """The VCALENDAR's properties and VTIMEZONEs, without its events."""
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    for tzid, (first, last) in sorted(spans.items()):
        cal.add_component(vtimezone(tzid, first, last))
    return cal


_END = b"END:VCALENDAR\r\n"


def write(out: IO[bytes], events: Iterable[Event], method: str | None = None) -> None:
    """The bytes of `calendar(list(events), method)`, without holding more than one event.

    Each event is serialised as it comes, into a spool file, while the span of dates of
    each zone it uses is noted; then the calendar's head with the VTIMEZONEs those spans
    need, the spooled events and the calendar's end are written to OUT.
    """
    spans: dict[str, tuple[date, date]] = {}
    with tempfile.TemporaryFile(prefix="peerkit-ics-") as spool:
        for ev in events:
            _widen(spans, ev)
            spool.write(text_of(ev))
        head = text_of(_shell(spans, method))
        out.write(head.removesuffix(_END))
        spool.seek(0)
        shutil.copyfileobj(spool, out, 1 << 20)
        out.write(_END)


def _zones_used(events: list[Event]) -> dict[str, tuple[date, date]]:
    """Each zone named by a TZID, with the span of dates it must cover."""
    spans: dict[str, tuple[date, date]] = {}
    for ev in events:
        _widen(spans, ev)
    return spans


def _widen(spans: dict[str, tuple[date, date]], ev: Event) -> None:
    """Widen SPANS to the dates of EV in each zone it names."""
    moments = [ev.get(key) for key in ("DTSTART", "DTEND", "RECURRENCE-ID")]
    values = [m.dt for m in moments if m is not None]
    for exdate in (
        ev.get("EXDATE", []) if isinstance(ev.get("EXDATE"), list) else [ev.get("EXDATE")]
    ):
        if exdate is not None:
            values.extend(p.dt for p in exdate.dts)
    for value in values:
        zone = getattr(value, "tzinfo", None)
        key = getattr(zone, "key", None)
        if not isinstance(value, datetime) or key is None or key == "UTC":
            continue
        first, last = spans.get(key, (value.date(), value.date()))
        spans[key] = (min(first, value.date()), max(last, value.date()))


WIDE_FROM = 2000
WIDE_UNTIL = 2038


def vtimezone(tzid: str, first: date, last: date) -> Timezone:
    """The zone's rules from 2000 to 2038 (wider if the dates need it), one RDATE per line.

    One component per zone and span, shared by every calendar that uses it (read-only:
    never change it), with its text ready for :func:`to_bytes`.

    icalendar writes a transition list as one comma-separated RDATE, which vobject (and so
    Radicale) misreads; each transition gets its own RDATE property here instead. The span
    is wide on purpose: vobject keeps the first VTIMEZONE it meets for a TZID for the rest of
    the process, so a narrow one would misplace later meetings on a long-running server.
    """
    start = min(WIDE_FROM, first.year - 1)
    end = max(WIDE_UNTIL, last.year + 2)
    return _shared_zone(tzid, start, end)


@lru_cache(maxsize=64)
def _shared_zone(tzid: str, start: int, end: int) -> Timezone:
    from icalendar import Timezone

    zone: Timezone = Timezone.from_ical(_vtimezone_text(tzid, start, end))  # type: ignore[assignment]
    _ZONE_TEXT[id(zone)] = (zone, bytes(zone.to_ical()))
    return zone


# id of a shared VTIMEZONE -> (the component, kept alive so the id stays its own; its text)
_ZONE_TEXT: dict[int, tuple[Timezone, bytes]] = {}


@lru_cache(maxsize=64)
def _vtimezone_text(tzid: str, start: int, end: int) -> bytes:
    """The zone's VTIMEZONE, kept in the user's cache folder for the next run (making it is
    most of the work of the first calendar in a zone). The file's name is a hash of the
    zone's data, the span, icalendar's version and this module, so a new tzdata, icalendar
    or peerkit makes it again; a file that is not a whole VTIMEZONE is made again."""
    kept = _kept_zone(tzid, start, end)
    if kept is not None:
        try:
            text = kept.read_bytes()
        except OSError:
            pass
        else:
            if text.startswith(b"BEGIN:VTIMEZONE\r\n") and text.endswith(b"END:VTIMEZONE\r\n"):
                return text
    text = _make_vtimezone_text(tzid, start, end)
    if kept is not None:
        from peerkit.errors import PeerkitError
        from peerkit.files import private_folder, write_private

        try:
            private_folder(kept.parent)
            write_private(kept, text.decode("utf-8"), durable=False)  # a cache
        except (OSError, PeerkitError):
            pass
    return text


def _kept_zone(tzid: str, start: int, end: int) -> Path | None:
    """Where the VTIMEZONE of TZID for START to END is kept (None: a zone without data)."""
    import hashlib

    import icalendar

    from peerkit.files import cache_folder

    data = _zone_data(tzid)
    if data is None:
        return None
    key = hashlib.sha256(f"{tzid}|{start}|{end}|{icalendar.__version__}|".encode())
    key.update(data)
    key.update(_this_module())
    return cache_folder("zones") / f"{key.hexdigest()[:40]}.ics"


@lru_cache(maxsize=1)
def _this_module() -> bytes:
    return Path(__file__).read_bytes()


def _zone_data(key: str) -> bytes | None:
    """The zone's data as zoneinfo reads it (the system's, else the tzdata package's)."""
    import os
    import zoneinfo

    if not _ZONE_KEY.fullmatch(key):
        return None
    for root in zoneinfo.TZPATH:
        path = os.path.join(root, key)
        if os.path.isfile(path):
            try:
                return Path(path).read_bytes()
            except OSError:
                return None
    try:
        from importlib import resources

        return resources.files("tzdata.zoneinfo").joinpath(*key.split("/")).read_bytes()
    except (ImportError, OSError):
        return None


_ZONE_KEY = re.compile(r"[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*")


def _make_vtimezone_text(tzid: str, start: int, end: int) -> bytes:
    from icalendar import Timezone

    zone = Timezone.from_tzinfo(
        ZoneInfo(tzid), tzid=tzid, first_date=date(start, 1, 1), last_date=date(end, 1, 1)
    )
    for sub in zone.subcomponents:
        # RFC 5545: an onset is local time in the offset in force *before* it. icalendar
        # gives the wall clock after a spring-forward jump (03:00 for 02:00): move it back.
        jump = _prop(sub, "TZOFFSETTO").td - _prop(sub, "TZOFFSETFROM").td
        shift = jump if jump > timedelta(0) else timedelta(0)
        onset = _prop(sub, "DTSTART").dt
        del sub["DTSTART"]
        sub.add("DTSTART", onset - shift)
        found = sub.get("RDATE")
        if found is None:
            continue
        values = found if isinstance(found, list) else [found]
        moments = [p.dt for value in values for p in value.dts]
        del sub["RDATE"]
        for moment in moments:
            sub.add("RDATE", moment - shift)
    return bytes(zone.to_ical())


def _prop(component: Any, name: str) -> Any:
    return component[name]


END_CALENDAR = b"END:VCALENDAR\r\n"


def to_bytes(cal: Calendar) -> bytes:
    """The calendar's text. The shared VTIMEZONEs that open it are not written out again
    each time (most of the work for a one-event calendar): their text is kept, and the
    result is the same bytes as ``cal.to_ical()``."""
    parts = cal.subcomponents
    zones = 0
    while zones < len(parts) and id(parts[zones]) in _ZONE_TEXT:
        zones += 1
    if not zones:
        return text_of(cal)
    from icalendar import Calendar

    head = Calendar()
    head.update(cal)
    text = text_of(head)
    assert text.endswith(END_CALENDAR)
    return b"".join(
        [
            text[: -len(END_CALENDAR)],
            *(_ZONE_TEXT[id(z)][1] for z in parts[:zones]),
            *(text_of(c) for c in parts[zones:]),
            END_CALENDAR,
        ]
    )
