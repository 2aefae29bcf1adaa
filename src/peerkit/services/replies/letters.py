"""One message as peerkit reads it, trusting nothing in it: who sent it, what it says.

Only what peerkit needs is taken: the From address, the Message-ID, the Date, the
Message-IDs it replies to, whether it is an automatic reply, the first calendar in it
(text/calendar, else application/ics or an .ics attachment) and the first line of its
plain text. Everything is read in memory, within bounds (outcome.MAX_*): nothing in a
message is written to disk, a message inside a message (message/rfc822) is not looked into,
and anything that cannot be read is refused in words.
"""

from __future__ import annotations

import html.parser
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.message import EmailMessage
from typing import Any

from peerkit.mail import header_value
from peerkit.services.replies import phrases
from peerkit.services.replies.outcome import (
    MAX_CALENDAR,
    MAX_DEPTH,
    MAX_EVENTS,
    MAX_MESSAGE,
    MAX_PARTS,
    MAX_REFERENCES,
    Source,
    Stop,
    ignored,
    refused,
)

CALENDAR_TYPES = ("text/calendar", "application/ics", "text/x-vcalendar")
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,250}>")
AUTOMATIC_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
PARTSTATS = frozenset({"ACCEPTED", "DECLINED", "TENTATIVE", "NEEDS-ACTION", "DELEGATED"})


@dataclass(frozen=True)
class Attendee:
    """One ATTENDEE of a reply, as it is written."""

    address: str  # the address after mailto:, percent-decoded
    partstat: str  # upper case; NEEDS-ACTION when missing
    delegated_to: bool
    delegated_from: bool
    sent_by: str | None


@dataclass(frozen=True)
class Said:
    """What one VEVENT of a calendar reply says."""

    uid: str
    recurrence: date | datetime | None  # RECURRENCE-ID: one occurrence of a series
    sequence: int
    dtstamp: datetime | None
    attendees: list[Attendee]


@dataclass(frozen=True)
class Letter:
    """A message as peerkit reads it."""

    sender: str | None  # the From address; None for a calendar file, which has no sender
    message_id: str | None
    date: datetime | None
    in_reply_to: list[str]
    references: list[str]  # In-Reply-To's first, then those of References
    automatic: bool  # an out-of-office or other automatic reply
    method: str | None  # the calendar's METHOD, upper case, if it has a calendar
    events: list[Said] = field(default_factory=list)
    first_line: str | None = None  # of the plain text
    calendar_file: bool = False


def read(source: Source | tuple[str, bytes]) -> Letter:
    """SOURCE read, or Stop (refused: too big, unreadable) with the reason in words."""
    raw = source.raw if isinstance(source, Source) else source[1]
    if len(raw) > MAX_MESSAGE:
        raise refused(f"over {MAX_MESSAGE // (1024 * 1024)} MB: not read")
    try:
        if isinstance(source, Source) and source.calendar_file:
            method, events = _calendar(raw)
            return Letter(None, None, None, [], [], False, method, events, calendar_file=True)
        return _letter(raw)
    except Stop:
        raise
    except Exception as exc:  # whatever a hostile message makes a parser raise
        what = "calendar file" if isinstance(source, Source) and source.calendar_file else "e-mail"
        raise refused(f"not a readable {what} ({type(exc).__name__})") from None


def _letter(raw: bytes) -> Letter:
    from email import message_from_bytes, policy

    msg = message_from_bytes(raw, policy=policy.default)
    if not isinstance(msg, EmailMessage) or not msg.keys():
        raise refused("not an e-mail: no headers")
    sender = _sender(msg)
    parts = _parts(msg)
    calendar = _first_calendar(parts)
    method, events = _calendar(calendar) if calendar is not None else (None, [])
    text = _first_text(parts)
    in_reply_to = _ids(msg.get_all("In-Reply-To") or [])
    references = list(dict.fromkeys([*in_reply_to, *_ids(msg.get_all("References") or [])]))
    return Letter(
        sender=sender,
        message_id=_message_id(msg),
        date=_date(msg),
        in_reply_to=in_reply_to,
        references=references[:MAX_REFERENCES],
        automatic=_automatic(msg),
        method=method,
        events=events,
        first_line=phrases.first_line(text) if text is not None else None,
    )


def _sender(msg: EmailMessage) -> str:
    found = msg.get_all("From") or []
    if len(found) != 1:
        raise refused("no sender (From)" if not found else f"{len(found)} From headers")
    addresses: tuple[Any, ...] = tuple(getattr(found[0], "addresses", ()))
    if len(addresses) != 1:
        raise refused(f"From names {len(addresses)} addresses; a reply comes from one")
    spec = str(addresses[0].addr_spec)
    if "@" not in spec or len(spec) > 254:
        raise refused("From holds no usable address")
    return spec


def _message_id(msg: EmailMessage) -> str | None:
    value = msg.get("Message-ID")
    if value is None:
        return None
    found = _MESSAGE_ID.search(str(value))
    return header_value(found.group(0)) if found else None


def _date(msg: EmailMessage) -> datetime | None:
    value = msg.get("Date")
    when = getattr(value, "datetime", None)
    if not isinstance(when, datetime):
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _ids(values: list[Any]) -> list[str]:
    found: list[str] = []
    for value in values:
        found.extend(_MESSAGE_ID.findall(str(value)))
        if len(found) >= MAX_REFERENCES:
            break
    return list(dict.fromkeys(found))[:MAX_REFERENCES]


def _automatic(msg: EmailMessage) -> bool:
    """An out-of-office or other message no person wrote (RFC 3834, and common practice)."""
    auto = str(msg.get("Auto-Submitted", "no")).split(";")[0].strip().lower()
    precedence = str(msg.get("Precedence", "")).strip().lower()
    robots = any(msg.get(h) is not None for h in ("X-Autoreply", "X-Autorespond"))
    return auto != "no" or precedence in AUTOMATIC_PRECEDENCE or robots


def _parts(msg: EmailMessage) -> list[EmailMessage]:
    """The leaf parts, in order; not those of a message inside the message."""
    found: list[EmailMessage] = []

    def walk(part: EmailMessage, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise refused(f"parts nested deeper than {MAX_DEPTH}: not read")
        if part.is_multipart():
            if part.get_content_maintype() == "message":
                return  # a forwarded message is not this message
            for sub in part.iter_parts():
                walk(sub, depth + 1)  # type: ignore[arg-type]
            return
        found.append(part)
        if len(found) > MAX_PARTS:
            raise refused(f"more than {MAX_PARTS} parts: not read")

    walk(msg, 0)
    return found


def _is_calendar(part: EmailMessage) -> bool:
    name = (part.get_filename() or "").lower()
    return part.get_content_type() in CALENDAR_TYPES or name.endswith(".ics")


def _first_calendar(parts: list[EmailMessage]) -> bytes | None:
    """The calendar: the first text/calendar part, else the first other calendar part (a
    client that sends both sends the same calendar twice)."""
    inline = [p for p in parts if p.get_content_type() == "text/calendar"]
    others = [p for p in parts if _is_calendar(p)]
    for part in (*inline, *others):
        data = part.get_payload(decode=True)
        if isinstance(data, bytes) and data.strip():
            return data
    return None


def _first_text(parts: list[EmailMessage]) -> str | None:
    """The first plain-text part that is not an attachment; else the first HTML one, as text."""
    for kind in ("text/plain", "text/html"):
        for part in parts:
            if part.get_content_type() != kind or part.get_content_disposition() == "attachment":
                continue
            data = part.get_payload(decode=True)
            if not isinstance(data, bytes):
                continue
            text = _decoded(data[:MAX_CALENDAR], part.get_content_charset())
            return text if kind == "text/plain" else _html_text(text)
    return None


def _decoded(data: bytes, charset: str | None) -> str:
    try:
        return data.decode(charset or "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know
        return data.decode("utf-8", errors="replace")


class _Text(html.parser.HTMLParser):
    """The text of an HTML part, a line per block, without what is quoted (blockquote)."""

    BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "table", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.quoted = 0
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self.out.append("\n")
        if tag == "blockquote":
            self.quoted += 1
        if tag in ("style", "script", "head", "title"):
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self.out.append("\n")
        if tag == "blockquote" and self.quoted:
            self.quoted -= 1
        if tag in ("style", "script", "head", "title") and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.quoted and not self.hidden:
            self.out.append(data)


def _html_text(text: str) -> str:
    parser = _Text()
    parser.feed(text)
    parser.close()
    return "".join(parser.out)


# --- the calendar ---------------------------------------------------------------------------


def _calendar(data: bytes) -> tuple[str | None, list[Said]]:
    """METHOD and what each VEVENT says; Stop (refused) when it cannot be read."""
    from icalendar import Calendar

    if len(data) > MAX_CALENDAR:
        raise refused(f"a calendar over {MAX_CALENDAR // 1024} KB: not read")
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    try:
        calendar = Calendar.from_ical(text)
    except Exception as exc:  # icalendar's errors on what it cannot parse
        raise refused(f"a calendar that cannot be read ({type(exc).__name__})") from None
    if not isinstance(calendar, Calendar) or calendar.name != "VCALENDAR":
        raise refused("a calendar that is no VCALENDAR")
    method = str(calendar.get("METHOD", "")).strip().upper() or None
    events = [c for c in calendar.subcomponents if c.name == "VEVENT"]
    if len(events) > MAX_EVENTS:
        raise refused(f"more than {MAX_EVENTS} events in one reply: not read")
    if method in ("REPLY", "COUNTER") and not events:
        raise refused(f"a {method} with no event in it")
    return method, [_said(event) for event in events] if method in ("REPLY", "COUNTER") else []


def _said(event: Any) -> Said:
    uid = event.get("UID")
    if uid is None or not str(uid).strip() or len(str(uid)) > 255:
        raise refused("an event without a usable UID")
    return Said(
        uid=str(uid).strip(),
        recurrence=_moment(event.get("RECURRENCE-ID"), "RECURRENCE-ID", dates=True),
        sequence=_sequence(event.get("SEQUENCE")),
        dtstamp=_stamp(event.get("DTSTAMP")),
        attendees=[_attendee(a) for a in _listed(event.get("ATTENDEE"))],
    )


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _moment(value: Any, name: str, *, dates: bool = False) -> date | datetime | None:
    if value is None:
        return None
    moment = getattr(value, "dt", None)
    if isinstance(moment, datetime) or (dates and isinstance(moment, date)):
        return moment
    raise refused(f"a {name} that is no date and time")


def _stamp(value: Any) -> datetime | None:
    moment = _moment(value, "DTSTAMP")
    if moment is None:
        return None
    assert isinstance(moment, datetime)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _sequence(value: Any) -> int:
    if value is None:
        return 0
    try:
        number = int(str(value).strip())
    except ValueError:
        raise refused("a SEQUENCE that is no number") from None
    if not 0 <= number < 2**31:
        raise refused("a SEQUENCE out of range")
    return number


def _attendee(value: Any) -> Attendee:
    from urllib.parse import unquote

    text = str(value).strip()
    if text[:7].lower() != "mailto:":
        raise refused("an ATTENDEE that is no mailto: address")
    address = unquote(text[7:], errors="strict").strip()
    params = getattr(value, "params", {})
    partstat = str(params.get("PARTSTAT", "NEEDS-ACTION")).strip().upper()
    sent_by = params.get("SENT-BY")
    return Attendee(
        address=address,
        partstat=partstat,
        delegated_to=params.get("DELEGATED-TO") is not None,
        delegated_from=params.get("DELEGATED-FROM") is not None,
        sent_by=str(sent_by) if sent_by is not None else None,
    )


def not_a_reply(method: str | None) -> None:
    """Stop for a calendar that answers nothing (a REQUEST, a CANCEL, a PUBLISH...)."""
    if method not in ("REPLY", "COUNTER"):
        shown = method if method and method.isalpha() and len(method) <= 20 else "none"
        raise ignored(f"a calendar that is no reply (METHOD {shown})")
