"""One message as peerkit reads it, trusting nothing in it: who sent it, what it says.

Only what peerkit needs is taken: the From address, the Message-ID, the Date, the
Message-IDs it replies to, whether it is an automatic reply, the first calendar in it
(text/calendar, else application/ics or an .ics attachment) and the first line of its
plain text. Everything is read in memory, within bounds (outcome.MAX_*): nothing in a
message is written to disk, a message inside a message (message/rfc822) is not looked into,
and anything that cannot be read is refused in words.

The cheap things come first, so that no message can hold up a run: the size, the headers
(refused over MAX_HEADERS), the From; then the parts, only when the message may hold a
calendar or names one of peerkit's messages; then the text, only when it may be a plain
answer, and only its first MAX_TEXT bytes. The email package's header parser, which takes
seconds over a long crafted value, reads From and Date only (`_Policy`).
"""

from __future__ import annotations

import html.parser
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email import errors
from email.message import EmailMessage
from email.policy import EmailPolicy
from typing import Any

from peerkit.mail import header_value
from peerkit.services.replies import phrases
from peerkit.services.replies.outcome import (
    MAX_BOUNDARIES,
    MAX_CALENDAR,
    MAX_DEPTH,
    MAX_EVENTS,
    MAX_FROM,
    MAX_HEADERS,
    MAX_LINES,
    MAX_MESSAGE,
    MAX_MIME_HEADER,
    MAX_MULTIPARTS,
    MAX_PARTS,
    MAX_REFERENCES,
    MAX_TEXT,
    Source,
    Stop,
    ignored,
    refused,
    shown,
)

CALENDAR_TYPES = ("text/calendar", "application/ics", "text/x-vcalendar")
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,250}>")
AUTOMATIC_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
PARTSTATS = frozenset({"ACCEPTED", "DECLINED", "TENTATIVE", "NEEDS-ACTION", "DELEGATED"})
# An RFC 2047 encoded word (=?charset?Q?...?=): fine in a display name, never in an address.
_ENCODED_WORD = re.compile(r"=\?[^?\s]*\?[bq]\?", re.IGNORECASE)
_HEADER_END = re.compile(rb"\r?\n\r?\n")  # the empty line after the headers
# What a message that holds a calendar shows somewhere (in lower case): its part's type or
# its file's name.
_CALENDAR_HINTS = (b"calendar", b".ics", b"/ics", b"%2eics")
_MIME_HEADERS = {"content-type": "Content-Type", "content-disposition": "Content-Disposition"}
# Defects of a From that concern only its display name ("Marco B. <...>") or an address
# outside ASCII (RFC 6532); the address itself is held to what is written (`_sender`).
_NAME_DEFECTS = (errors.ObsoleteHeaderDefect, errors.NonASCIILocalPartDefect)


class _Policy(EmailPolicy):
    """The email package's default policy, but only From and Date go through its header
    parser, which is slow on long values (a 40 KB Content-Type takes seconds, again at
    every get_content_type()). Every other header is its text, and the MIME headers are
    read by the package's simple functions, once per part; a Content-Type or
    Content-Disposition over MAX_MIME_HEADER stops the reading (refused)."""

    def header_source_parse(self, sourcelines: list[str]) -> tuple[str, str]:
        name, value = super().header_source_parse(sourcelines)
        mime = _MIME_HEADERS.get(name.strip().lower())
        if mime is not None and len(value) > MAX_MIME_HEADER:
            raise refused(f"a {mime} header over {MAX_MIME_HEADER // 1024} KB: not read")
        return name, value

    def header_fetch_parse(self, name: str, value: str) -> Any:
        if name.strip().lower() in ("from", "date"):
            return super().header_fetch_parse(name, value)
        return _text(value)


_POLICY = _Policy()


def _text(value: str) -> str:
    """A header's value as text: unfolded, its UTF-8 (RFC 6532) read as letters."""
    flat = value.replace("\r", "").replace("\n", "")
    return flat.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


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
    first_line: str | None = None  # of the plain text (read only when it may be an answer)
    calendar_file: bool = False


def answers_peerkit(references: list[str]) -> bool:
    """Whether a message names one of peerkit's messages (In-Reply-To, References)."""
    return any(i.lower().endswith("@peerkit>") for i in references)


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
    from email.parser import BytesParser

    head = BytesParser(policy=_POLICY).parsebytes(raw[: _header_end(raw)], headersonly=True)
    if not isinstance(head, EmailMessage) or not head.keys():
        raise refused("not an e-mail: no headers")
    sender = _sender(head)
    in_reply_to = _ids(head.get_all("In-Reply-To") or [])
    references = list(dict.fromkeys([*in_reply_to, *_ids(head.get_all("References") or [])]))
    references = references[:MAX_REFERENCES]
    automatic = _automatic(head)
    method: str | None = None
    events: list[Said] = []
    line = None
    to_peerkit = answers_peerkit(references)
    low = raw.lower()
    if to_peerkit or any(hint in low for hint in _CALENDAR_HINTS):  # else no reply: not read
        parts = _parts(_whole(raw, low))
        calendar = _first_calendar(parts)
        if calendar is not None:
            method, events = _calendar(calendar)
        if to_peerkit and not automatic and method not in ("REPLY", "COUNTER"):
            text = _first_text(parts)  # a plain answer: its first line
            line = phrases.first_line(text) if text is not None else None
    return Letter(
        sender=sender,
        message_id=_message_id(head),
        date=_date(head),
        in_reply_to=in_reply_to,
        references=references,
        automatic=automatic,
        method=method,
        events=events,
        first_line=line,
    )


def _header_end(raw: bytes) -> int:
    """Where the headers end (after the empty line that ends them); Stop when they run
    over MAX_HEADERS."""
    found = _HEADER_END.search(raw, 0, MAX_HEADERS + 4)
    end = found.end() if found is not None else len(raw)
    if (found.start() if found is not None else end) > MAX_HEADERS:
        raise refused(f"headers over {MAX_HEADERS // 1024} KB: not read")
    return end


def _whole(raw: bytes, low: bytes) -> EmailMessage:
    """The whole message parsed, once it is known to be within what the parser reads fast:
    it takes each line in turn, against every multipart it is inside, and each part's
    headers; a message of many short lines, parts or multiparts takes seconds."""
    from email.parser import BytesParser

    if raw.count(b"\n") > MAX_LINES:
        raise refused(f"more than {MAX_LINES} lines: not read")
    if raw.count(b"\n--") > MAX_BOUNDARIES:
        raise refused(
            f"more than {MAX_BOUNDARIES} lines starting with -- (each may begin a part): not read"
        )
    if low.count(b"multipart/") > MAX_MULTIPARTS:
        raise refused(f"more than {MAX_MULTIPARTS} multipart sections: not read")
    msg = BytesParser(policy=_POLICY).parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    return msg


def _sender(msg: EmailMessage) -> str:
    """The From address, held to what is written: refused when it is hidden in an encoded
    word (Mailsploit: mail checks such as DMARC see one address, a decoder another), or
    when the header is malformed anywhere but in the display name."""
    found = [str(value) for name, value in msg.raw_items() if name.strip().lower() == "from"]
    if len(found) != 1:
        raise refused("no sender (From)" if not found else f"{len(found)} From headers")
    text = _text(found[0])
    if len(text) > MAX_FROM:
        raise refused(f"a From header over {MAX_FROM} characters: not read")
    written = _address_written(text)
    if _ENCODED_WORD.search(written):
        raise refused(
            "From hides its address in an encoded word (=?...?=), as forged mail does: not trusted"
        )
    header = _POLICY.header_factory("From", text)
    addresses: tuple[Any, ...] = tuple(getattr(header, "addresses", ()))
    if len(addresses) != 1:
        raise refused(f"From names {len(addresses)} addresses; a reply comes from one")
    bad = [d for d in getattr(header, "defects", ()) if not isinstance(d, _NAME_DEFECTS)]
    if bad:
        raise refused(f"a malformed From ({shown(str(bad[0]))}): not trusted")
    spec = str(addresses[0].addr_spec)
    if spec != written:
        raise refused(f"From does not write its address plainly ({shown(written)}): not trusted")
    if "@" not in spec or len(spec) > 254:
        raise refused("From holds no usable address")
    return spec


def _address_written(text: str) -> str:
    """The address part of a From as written: between the last < and > (after a display
    name), else the whole value without the comments after it."""
    rest = text.strip()
    while rest.endswith(")") and "(" in rest:  # "marco@example.com (Marco)"
        rest = rest[: rest.rindex("(")].rstrip()
    if rest.endswith(">") and "<" in rest:
        return rest[rest.rindex("<") + 1 : -1].strip()
    return rest


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


@dataclass(frozen=True)
class _Part:
    """A leaf part, its MIME headers read once."""

    kind: str  # the content type, lower case
    name: str  # the file name, lower case; "" when none
    attachment: bool
    part: EmailMessage


def _parts(msg: EmailMessage) -> list[_Part]:
    """The leaf parts, in order; not those of a message inside the message."""
    found: list[_Part] = []

    def walk(part: EmailMessage, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise refused(f"parts nested deeper than {MAX_DEPTH}: not read")
        kind = part.get_content_type()
        if part.is_multipart():
            if kind.startswith("multipart/"):  # not message/: a forwarded message
                for sub in part.get_payload():
                    walk(sub, depth + 1)  # type: ignore[arg-type]
            return
        name = (part.get_filename() or "").lower()
        attachment = part.get_content_disposition() == "attachment"
        found.append(_Part(kind, name, attachment, part))
        if len(found) > MAX_PARTS:
            raise refused(f"more than {MAX_PARTS} parts: not read")

    walk(msg, 0)
    return found


def _first_calendar(parts: list[_Part]) -> bytes | None:
    """The calendar: the first text/calendar part, else the first other calendar part (a
    client that sends both sends the same calendar twice)."""
    inline = [p for p in parts if p.kind == "text/calendar"]
    others = [p for p in parts if p.kind in CALENDAR_TYPES or p.name.endswith(".ics")]
    for part in (*inline, *others):
        data = part.part.get_payload(decode=True)
        if isinstance(data, bytes) and data.strip():
            return data
    return None


def _first_text(parts: list[_Part]) -> str | None:
    """The first plain-text part that is not an attachment; else the first HTML one, as
    text. Only its first MAX_TEXT bytes are read (the first line is what counts), and a
    line cut there is left out."""
    for kind in ("text/plain", "text/html"):
        for part in parts:
            if part.kind != kind or part.attachment:
                continue
            data = part.part.get_payload(decode=True)
            if not isinstance(data, bytes):
                continue
            text = _decoded(data[:MAX_TEXT], part.part.get_content_charset())
            if kind == "text/html":
                text = _html_text(text)
            if len(data) > MAX_TEXT:
                text = text[: text.rfind("\n") + 1]
            return text
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
    """TEXT's words. The parser is not closed: closing adds only an unfinished tag at the
    end, as text, and takes time that grows with the square of a crafted one's length."""
    parser = _Text()
    parser.feed(text)
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
    if _ENCODED_WORD.search(address):
        raise refused(
            "an ATTENDEE whose address hides in an encoded word (=?...?=), as forged mail "
            "does: not trusted"
        )
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
