"""`outbox check`: every .eml and .ics peerkit wrote, read back and held to the database.

Mail clients and calendar servers each drop a bad invitation silently, in their own way; this
says what is wrong, in words, before anything is sent. The same functions check a folder of
files (`check_files`) and the messages `--send` is about to send (`check_messages`).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import html
import itertools
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from sqlmodel import Session, col, select

from peerkit import mail
from peerkit.calendar import TASK_STATUS
from peerkit.enums import CheckinStatus, CommitmentStatus, EventStatus, MeetingStatus, RsvpStatus
from peerkit.errors import InvalidValue, NotFound
from peerkit.models import (
    Commitment,
    Event,
    Group,
    Meeting,
    Member,
    Membership,
    MentorCheckin,
    Mentorship,
    Rsvp,
    id_of,
)
from peerkit.services.common.community import organiser
from peerkit.services.outbox import feeds, ledger, meeting_mail
from peerkit.services.outbox.message import CHECKIN, EVENT, MEETING, Message

SUFFIXES = (".eml", ".ics")
CHUNK = 256  # files read before the records they name are looked up at once
SHOWN = 60  # characters of a value from a file quoted in a problem
# Kinds of file (the JSON's `kind`).
INVITATION, CANCELLATION, REMINDER, FEED, CALENDAR, MESSAGE = (
    "invitation", "cancellation", "reminder", "feed", "calendar", "message",
)  # fmt: skip
SERIES = "series"  # a group's meetings as one recurring event (export ics --series)
TASK = "commitment"  # a commitment, as a task (VTODO) in a member's own calendar
MAIL_METHODS = ("REQUEST", "CANCEL")  # what peerkit's invitations and cancellations carry
PARTS = ("text/plain", "text/html", "text/calendar")  # the parts peerkit writes

# An address in running text: what surrounds it in headers, HTML, calendars and prose ends it.
# Its local part may be any of RFC 5322's atext (o'brien@, a=b@, a/b@); _ADDRESS_END, without
# ' = / { }, is the address at its end, alone, when what ran into it is none ('giulia@...' in
# quotes, a link's ...?to=giulia@...).
_ADDRESS = re.compile(r"""[^\s<>()\[\]\\,;:"@]+@[^\s<>()\[\]{}\\,;:"'@=/?#&]+""")
_ADDRESS_END = re.compile(r"""[^\s<>()\[\]{}\\,;:"'@=/]+@[^\s<>()\[\]{}\\,;:"'@=/?#&]+""")


@dataclass
class Verdict:
    """What the check found in one file (or one message about to be sent)."""

    path: str
    kind: str = MESSAGE
    about: str | None = None
    recipient: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "about": self.about,
            "recipient": self.recipient,
            "ok": self.ok,
            "problems": list(self.problems),
        }


def summary(verdicts: list[Verdict]) -> str:
    """'42 messages checked: 40 fine, 2 with problems.' (calendar files count as messages)"""
    bad = sum(1 for v in verdicts if not v.ok)
    noun = "message" if len(verdicts) == 1 else "messages"
    return f"{len(verdicts)} {noun} checked: {len(verdicts) - bad} fine, {bad} with problems."


# --- finding the files ------------------------------------------------------------------------


def files_under(root: Path) -> list[Path]:
    """Every .eml and .ics under ROOT (or ROOT itself, a file), in a stable order.

    Links are listed (and reported, never read); folders behind links are not entered.
    """
    root = root.expanduser()
    if root.is_file() or (root.is_symlink() and not root.is_dir()):
        if not root.name.lower().endswith(SUFFIXES):
            raise InvalidValue(f"{root} is not an .eml or .ics file: give one, or a folder.")
        return [root]
    if not root.is_dir():
        raise NotFound(
            f"no outbox at {root}: nothing has been written there yet. Give the folder the "
            "files are in (peerkit outbox check DIR), e.g. the --out of plan week."
        )
    found: list[Path] = []
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        found.extend(Path(folder, n) for n in sorted(names) if n.lower().endswith(SUFFIXES))
    return found


# --- the two ways in: files on disk, messages in memory ---------------------------------------


def check_files(session: Session, paths: list[Path], now: datetime) -> list[Verdict]:
    """A verdict for each file, in order (read a chunk at a time, never all at once)."""
    known = Known(session, now)
    seen = _Seen()
    verdicts: list[Verdict] = []
    for start in range(0, len(paths), CHUNK):
        read = [_read_path(p) for p in paths[start : start + CHUNK]]
        known.load({uid for r in read for uid in r.uids()})
        known.learn({a for r in read for a in r.addresses()})
        for item in read:
            verdicts.append(_judge(item, known, seen))
    seen.judge()
    return verdicts


def check_messages(session: Session, messages: list[Message], now: datetime) -> list[Verdict]:
    """A verdict for each message about to be sent: its bytes, checked as a file would be."""
    known = Known(session, now)
    seen = _Seen()
    read = [_read_bytes(m.filename, m.data) for m in messages]
    known.load({uid for r in read for uid in r.uids()})
    known.learn({a for r in read for a in r.addresses()})
    verdicts = [_judge(item, known, seen) for item in read]
    seen.judge()
    return verdicts


# --- reading a file, without the database ------------------------------------------------------


@dataclass
class _Read:
    """What one file says."""

    name: str
    eml: bool
    digest: str
    problems: list[str] = field(default_factory=list)
    has_calendar: bool = False
    header_method: str | None = None
    calendar: Any = None  # icalendar.Calendar
    to: str | None = None  # the one recipient, as written
    sender: str | None = None
    message_id: str | None = None
    date: datetime | None = None
    texts: list[str] = field(default_factory=list)  # where other addresses are looked for

    def events(self) -> list[Any]:
        if self.calendar is None:
            return []
        return [c for c in self.calendar.subcomponents if c.name == "VEVENT"]

    def todos(self) -> list[Any]:
        if self.calendar is None:
            return []
        return [c for c in self.calendar.subcomponents if c.name == "VTODO"]

    def uids(self) -> set[str]:
        return {str(e["UID"]) for e in [*self.events(), *self.todos()] if "UID" in e}

    def shown(self) -> list[tuple[str, str]]:
        """Every address the file shows, as written (the recipient's and the sender's too),
        each with its end alone (_ADDRESS_END): x=giulia@example.com, giulia@example.com."""
        found = [(a, a) for a in (self.to, self.sender) if a]
        for text in self.texts:
            for written in _ADDRESS.findall(text):
                whole = written.rstrip(".")
                end = _ADDRESS_END.search(whole)
                found.append((whole, end.group(0) if end else whole))
        return found

    def addresses(self) -> set[str]:
        """Every address the file shows, as written, and their ends alone."""
        return {a for pair in self.shown() for a in pair}


def _read_path(path: Path) -> _Read:
    name = str(path)
    if path.is_symlink():
        item = _Read(name, name.lower().endswith(".eml"), "")
        item.problems.append("is a symbolic link: peerkit never writes one here; not read")
        return item
    try:
        data = path.read_bytes()
    except OSError as exc:
        item = _Read(name, name.lower().endswith(".eml"), "")
        item.problems.append(f"cannot be read: {exc.strerror or exc}")
        return item
    return _read_bytes(name, data)


def _read_bytes(name: str, data: bytes) -> _Read:
    item = _Read(name, name.lower().endswith(".eml"), hashlib.sha256(data).hexdigest())
    try:
        if item.eml:
            _read_eml(item, data)
        else:
            _read_ics(item, data)
    except Exception as exc:  # a malformed file is a problem to report, never a traceback
        item.problems.append(f"cannot be read: {_reason(exc)}")
    return item


def _read_eml(item: _Read, data: bytes) -> None:
    from email import policy
    from email.parser import BytesParser

    msg = BytesParser(policy=policy.default).parsebytes(data)
    item.problems.extend(f"the e-mail is malformed: {_defect(d)}" for d in msg.defects)
    _read_headers(item, msg)
    calendars = 0
    for part in msg.walk():
        if part.is_multipart():
            item.problems.extend(f"the e-mail is malformed: {_defect(d)}" for d in part.defects)
            continue
        header = part.get("Content-Type")  # parsed once: each get_content_type() parses it
        kind = header.content_type if header is not None else "text/plain"
        params = dict(header.params) if header is not None else {}
        if kind not in PARTS:
            item.problems.append(f"has a {_shown(kind)} part, which peerkit never writes")
            continue
        raw = part.get_payload(decode=True)
        if not isinstance(raw, bytes):
            item.problems.append(f"its {kind} part is empty")
            continue
        if kind == "text/calendar":
            calendars += 1
            _read_calendar_part(item, raw, params)
            continue
        try:
            text = raw.decode(params.get("charset") or "utf-8")
        except (LookupError, ValueError) as exc:  # an unknown charset, bytes that are not it
            item.problems.append(f"its {kind} part cannot be decoded: {_reason(exc)}")
            continue
        item.texts.append(html.unescape(text) if kind == "text/html" else text)
    item.has_calendar = calendars > 0
    if calendars > 1:
        item.problems.append(f"has {calendars} calendar parts, not one")


def _read_headers(item: _Read, msg: Any) -> None:
    headers = _headers(item, msg)
    item.texts.extend(_utf8(str(value)) for _name, value in headers)

    def all_of(name: str) -> list[Any]:
        return [value for key, value in headers if key.lower() == name.lower()]

    def one(name: str) -> Any:
        found = all_of(name)
        return found[0] if found else None

    tos = all_of("To")
    addresses = [a for header in tos for a in getattr(header, "addresses", ())]
    if len(tos) > 1:
        item.problems.append(f"has {len(tos)} To headers: a message goes to one member only")
    if len(addresses) != 1:
        item.problems.append(
            f"To names {len(addresses)} addresses: a message goes to exactly one member"
        )
    if addresses:
        item.to = _utf8(addresses[0].addr_spec)
    for name in ("Cc", "Bcc"):
        if all_of(name):
            item.problems.append(f"has a {name} header: a message goes to one member only")
    sender = one("From")
    senders: tuple[Any, ...] = tuple(getattr(sender, "addresses", ())) if sender else ()
    item.sender = _utf8(senders[0].addr_spec) if len(senders) == 1 else None
    mid = one("Message-ID")
    item.message_id = str(mid).strip() if mid is not None else None
    if not item.message_id:
        item.problems.append("has no Message-ID")
    found = one("Date")
    item.date = getattr(found, "datetime", None) if found is not None else None
    if item.date is None:
        item.problems.append("has no Date, or one that cannot be read")


def _headers(item: _Read, msg: Any) -> list[tuple[str, Any]]:
    """The message's headers, each parsed once (every get() parses it again); one the
    e-mail package cannot parse is a problem, and kept as its text."""
    found = []
    for name, raw in msg.raw_items():
        try:
            found.append((name, msg.policy.header_fetch_parse(name, raw)))
        except Exception as exc:  # the e-mail package's parser gives up on some headers
            item.problems.append(f"its {_shown(name)} header cannot be read: {_reason(exc)}")
            found.append((name, raw))
    return found


def _read_calendar_part(item: _Read, raw: bytes, params: dict[str, str]) -> None:
    item.header_method = params.get("method")
    # RFC 5545 lines end in CRLF: in the file as on the way (peerkit writes .eml files with
    # CRLF line ends, as they travel; base64 or quoted-printable would keep LF as it is).
    _crlf(item, raw, "the calendar part")
    try:
        text = raw.decode(params.get("charset") or "utf-8")
    except (LookupError, ValueError) as exc:  # an unknown charset, bytes that are not it
        item.problems.append(f"its calendar part cannot be decoded: {_reason(exc)}")
        return
    item.texts.append(_unfolded(text))
    item.calendar = _calendar(item, text)


def _read_ics(item: _Read, data: bytes) -> None:
    _crlf(item, data, "the file")
    try:
        text = data.decode("utf-8")
    except UnicodeError as exc:
        item.problems.append(f"is not UTF-8: {_reason(exc)}")
        return
    item.texts.append(_unfolded(text))
    item.calendar = _calendar(item, text)


def _crlf(item: _Read, data: bytes, what: str) -> None:
    bare = data.count(b"\n") - data.count(b"\r\n")
    if bare:
        item.problems.append(
            f"{what} has {bare} line(s) ending in LF alone, not CRLF (RFC 5545): "
            "some calendar servers refuse it"
        )


def _calendar(item: _Read, text: str) -> Any:
    """The one VCALENDAR of TEXT (None, with a problem, when it is not that).

    Its VTIMEZONEs (peerkit's cover 2000 to 2038: most of a calendar's lines) are read once
    per run: icalendar places a time by its IANA zone whenever the TZID names one, so a
    calendar whose zones all do is read without them, and each zone's text on its own.
    """
    from icalendar import Calendar

    zones = _ZONES.findall(text)
    defined: set[str] = set()
    for block in dict.fromkeys(zones):
        tzid, error = _zone(block)
        if error is not None:
            item.problems.append(f"a VTIMEZONE cannot be read: {error}")
        elif tzid is not None:
            defined.add(tzid)
    own_zone = any(not _iana(tzid) for tzid in defined)
    try:
        found = Calendar.from_ical(text if own_zone else _ZONES.sub("", text), multiple=True)
    except Exception as exc:
        item.problems.append(f"the calendar does not parse: {_reason(exc)}")
        return None
    if len(found) != 1 or found[0].name != "VCALENDAR":
        item.problems.append(f"holds {len(found)} calendars, not one VCALENDAR")
        return None
    calendar = found[0]
    for component in calendar.walk():
        for name, error in getattr(component, "errors", []):
            line = f"its {_shown(name)} line" if name else "a line"
            item.problems.append(f"{line} cannot be read: {_shown(str(error))}")
    for tzid in sorted(_zones_named(calendar) - defined):
        item.problems.append(f"TZID={_shown(tzid)} has no VTIMEZONE in the calendar (RFC 5545)")
    return calendar


_ZONES = re.compile(r"^BEGIN:VTIMEZONE\r?\n.*?^END:VTIMEZONE\r?\n", re.S | re.M)
_TIMES = ("DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE", "RDATE")


@functools.lru_cache(maxsize=64)
def _zone(block: str) -> tuple[str | None, str | None]:
    """(TZID, None) of a VTIMEZONE's text, or (None, what is wrong with it)."""
    from icalendar import Timezone

    try:
        zone = Timezone.from_ical(block)
    except Exception as exc:
        return None, _reason(exc)
    tzid = zone.get("TZID")
    return (str(tzid), None) if tzid else (None, "it has no TZID")


@functools.lru_cache(maxsize=256)
def _iana(tzid: str) -> bool:
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(tzid)
    except (KeyError, ValueError, OSError):  # not found (a KeyError), a bad name, a folder
        return False
    return True


def _zones_named(calendar: Any) -> set[str]:
    """The TZIDs the calendar's events use."""
    named: set[str] = set()
    for ev in calendar.subcomponents:
        for name in _TIMES:
            for prop in _list(ev.get(name)):
                tzid = getattr(prop, "params", {}).get("TZID")
                if tzid:
                    named.add(str(tzid))
    return named


def _unfolded(text: str) -> str:
    """A calendar's text with its folded lines joined and its escapes undone."""
    joined = re.sub(r"\r?\n[ \t]", "", text)
    return joined.replace("\\n", "\n").replace("\\N", "\n").replace("\\", "")


# --- what the database says -------------------------------------------------------------------


@dataclass
class Record:
    """A meeting, check-in, event or group series, as the files should show it."""

    kind: str  # MEETING, CHECKIN, EVENT, SERIES or TASK
    id: int
    about: str  # "meeting 12"
    cancelled: bool
    sequence: int
    updated_at: datetime
    occurrences: list[tuple[datetime, datetime]]  # UTC, what a calendar shows of it
    zone: str
    uid: str
    row: Any  # the Meeting, MentorCheckin, Event or Group
    parts: list[Meeting] = field(default_factory=list)  # a series' meetings
    # An event as one member's messages show it: their invitation was withdrawn (they said
    # no, or their offer lapsed) while the event goes on. Its cancellation has no STATUS
    # (RFC 5546, removing an attendee) and need not follow the event's later versions.
    withdrawn: bool = False
    revision: int = 0  # the member's own versions of the event (seats.py): at least this
    related: str | None = None  # a commitment's: the UID of the meeting it was made at

    @property
    def noun(self) -> str:
        nouns = {
            MEETING: "the meeting",
            CHECKIN: "the check-in",
            EVENT: "the event",
            TASK: "the commitment",
        }
        return nouns.get(self.kind, "the group's series")


class Known:
    """What the check reads from the database, looked up once and kept for the run."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now
        self.records: dict[str, Record | None] = {}
        self.addresses: dict[str, int | None] = {}  # normal address -> member id (None: nobody)
        self.emails: dict[int, str] = {}  # member id -> address as stored
        sender = organiser(session)
        self.organiser = normal(sender.email) if sender is not None else None
        self._invited: dict[tuple[str, int], set[int]] = {}
        self._reminders: dict[int, dict[str, tuple[Record, int | None]]] = {}
        self._series: dict[str, Group] | None = None

    # members by address: only the addresses the files show are looked up

    def learn(self, addresses: Iterable[str]) -> None:
        """Look up which member, if any, each of ADDRESSES (as written in a file) is."""
        forms: set[str] = set()
        wanted: set[str] = set()
        for address in addresses:
            key = normal(address)
            if key not in self.addresses:
                wanted.add(key)
                forms |= _forms(address, key)
        ordered = sorted(forms)
        for start in range(0, len(ordered), 500):
            query = select(Member.id, Member.email).where(
                col(Member.email).in_(ordered[start : start + 500])
            )
            for member_id, email in self.session.exec(query):
                assert member_id is not None
                assert email is not None
                self.addresses[normal(email)] = member_id
                self.emails[member_id] = email
        for key in wanted:
            self.addresses.setdefault(key, None)

    def member(self, address: str) -> int | None:
        """The member whose address ADDRESS is (looked up before, with `learn`)."""
        return self.addresses.get(normal(address))

    # records by UID

    def load(self, uids: Iterable[str]) -> None:
        wanted = [u for u in uids if u not in self.records]
        for start in range(0, len(wanted), 500):
            batch = wanted[start : start + 500]
            self.records.update(dict.fromkeys(batch))
            query = select(Meeting).where(col(Meeting.uid).in_(batch))
            for meeting in self.session.exec(query):
                self.records[meeting.uid] = _meeting_record(meeting)
            query_c = select(MentorCheckin).where(col(MentorCheckin.uid).in_(batch))
            for checkin in self.session.exec(query_c):
                self.records[checkin.uid] = _checkin_record(checkin)
            for event in self.session.exec(select(Event).where(col(Event.uid).in_(batch))):
                self.records[event.uid] = _event_record(event)
            query_t = (
                select(Commitment, Meeting.uid)
                .outerjoin(Meeting, col(Meeting.id) == Commitment.meeting_id)
                .where(col(Commitment.uid).in_(batch))
            )
            for commitment, related in self.session.exec(query_t):
                self.records[commitment.uid] = _task_record(commitment, related)
            for uid in batch:
                if self.records[uid] is None and uid in self.series():
                    self.records[uid] = self._series_record(self.series()[uid])

    def record(self, uid: str) -> Record | None:
        if uid not in self.records:
            self.load([uid])
        return self.records[uid]

    def series(self) -> dict[str, Group]:
        """The UIDs of the groups' series: the first rule's, and those of the rules that take
        over after a date the rule cannot hold (feeds.series), one per meeting date."""
        if self._series is None:
            groups = {g.id: g for g in self.session.exec(select(Group))}
            self._series = {feeds.series_uid(g): g for g in groups.values()}
            dates = select(col(Meeting.group_id), col(Meeting.slot_date)).distinct()
            for group_id, day in self.session.exec(dates):
                self._series[feeds.segment_uid(groups[group_id], day)] = groups[group_id]
        return self._series

    def _series_record(self, group: Group) -> Record:
        mine = feeds.group_meetings(self.session, [group])
        held = [m for m in mine if m.status != MeetingStatus.CANCELLED]
        return Record(
            kind=SERIES,
            id=id_of(group),
            about=f"group {group.slug}",
            cancelled=False,
            sequence=max((m.sequence for m in mine), default=0),
            updated_at=max((m.updated_at for m in mine), default=group.created_at),
            occurrences=sorted(_span(m.start, m.duration) for m in held),
            zone=group.timezone,
            uid=feeds.series_uid(group),
            row=group,
            parts=mine,
        )

    def as_seen_by(self, record: Record, member_id: int | None) -> Record:
        """An event as MEMBER_ID's messages carry it: each member has their own version
        (the event's SEQUENCE plus their answer's `revision`, services/events/seats.py)."""
        if record.kind != EVENT or member_id is None:
            return record
        answer = self.session.exec(
            select(Rsvp).where(Rsvp.event_id == record.id, Rsvp.member_id == member_id)
        ).first()
        if answer is None or not answer.revision:
            return record
        withdrawn = answer.revision % 2 == 1 and answer.status != RsvpStatus.GOING
        return replace(
            record,
            sequence=record.sequence + answer.revision,
            withdrawn=withdrawn,
            revision=answer.revision,
        )

    # who may receive a message about a record

    def invited(self, record: Record, cancelling: bool) -> set[int]:
        key = (record.uid, int(cancelling))
        if key not in self._invited:
            self._invited[key] = self._who(record, cancelling)
        return self._invited[key]

    def _who(self, record: Record, cancelling: bool) -> set[int]:
        session = self.session
        if record.kind == MEETING:
            meeting: Meeting = record.row
            group = session.get(Group, meeting.group_id)
            assert group is not None
            if meeting.start > self.now:
                found = {id_of(p) for p in meeting_mail.invitees(session, group, meeting.slot_date)}
            else:  # history: whoever was in the group then
                found = set(_in_group_on(session, meeting.group_id, meeting.slot_date))
            if cancelling or record.cancelled:  # and those told of it before
                found |= ledger.invited_to(session, id_of(meeting))
            return found
        if record.kind == CHECKIN:
            item = session.get(Mentorship, record.row.mentorship_id)
            return set() if item is None else {item.mentor_id, item.mentee_id}
        if record.kind == EVENT:
            rows = session.exec(select(Rsvp).where(Rsvp.event_id == record.id))
            return {
                r.member_id
                for r in rows
                if r.status == RsvpStatus.GOING
                # a cancellation: also those told of the event before, and those whose
                # invitation was withdrawn (an odd revision)
                or (cancelling and (r.invited_sequence is not None or r.revision % 2 == 1))
            }
        return set()

    # reminders: found by the Message-ID peerkit gives them

    def reminder(self, message_id: str, member_id: int) -> tuple[Record, int | None] | None:
        """The meeting or event a reminder to MEMBER_ID with MESSAGE_ID is about, and the
        SEQUENCE it was written for (an event's; a meeting's reminder does not say)."""
        if member_id not in self._reminders:
            self._reminders[member_id] = self._member_reminders(member_id)
        return self._reminders[member_id].get(message_id)

    def _member_reminders(self, member_id: int) -> dict[str, tuple[Record, int | None]]:
        session, email = self.session, self.emails[member_id]
        found: dict[str, tuple[Record, int | None]] = {}
        meetings = session.exec(
            select(Meeting)
            .join(Membership, col(Membership.group_id) == Meeting.group_id)
            .where(Membership.member_id == member_id)
        )
        for meeting in meetings:
            record = self.records.get(meeting.uid) or _meeting_record(meeting)
            self.records[meeting.uid] = record
            found[mail.message_id(meeting.uid, "reminder", str(member_id))] = (record, None)
        events = session.exec(
            select(Event)
            .join(Rsvp, col(Rsvp.event_id) == Event.id)
            .where(Rsvp.member_id == member_id)
        )
        for event in events:
            record = self.records.get(event.uid) or _event_record(event)
            self.records[event.uid] = record
            for sequence in range(event.sequence + 1):
                mid = mail.message_id(event.uid, "reminder", str(sequence), email)
                found[mid] = (record, sequence)
        return found


def _in_group_on(session: Session, group_id: int, day: date) -> list[int]:
    """Members of the group on DAY (one who left that day or later included)."""
    rows = session.exec(
        select(Membership.member_id).where(
            Membership.group_id == group_id,
            col(Membership.left_on).is_(None) | (col(Membership.left_on) >= day),
        )
    )
    return list(rows)


def _span(start: datetime, minutes: int) -> tuple[datetime, datetime]:
    start = start.astimezone(UTC)
    return start, start + timedelta(minutes=minutes)


def _meeting_record(meeting: Meeting) -> Record:
    return _record(MEETING, "meeting", meeting, meeting.status == MeetingStatus.CANCELLED)


def _checkin_record(checkin: MentorCheckin) -> Record:
    return _record(CHECKIN, "check-in", checkin, checkin.status == CheckinStatus.CANCELLED)


def _event_record(event: Event) -> Record:
    return _record(EVENT, "event", event, event.status == EventStatus.CANCELLED)


def _task_record(commitment: Commitment, related: str | None) -> Record:
    return Record(
        kind=TASK,
        id=id_of(commitment),
        about=f"commitment {commitment.id}",
        cancelled=commitment.status == CommitmentStatus.DROPPED,
        sequence=commitment.sequence,
        updated_at=commitment.updated_at,
        occurrences=[],
        zone="UTC",
        uid=commitment.uid,
        row=commitment,
        related=related,
    )


def _record(kind: str, name: str, row: Meeting | MentorCheckin | Event, cancelled: bool) -> Record:
    """What a meeting, check-in or event says in a calendar: the same fields for each."""
    return Record(
        kind=kind,
        id=id_of(row),
        about=f"{name} {row.id}",
        cancelled=cancelled,
        sequence=row.sequence,
        updated_at=row.updated_at,
        occurrences=[_span(row.start, row.duration)],
        zone=row.timezone,
        uid=row.uid,
        row=row,
    )


# --- judging a file against the database -----------------------------------------------------


def _judge(item: _Read, known: Known, seen: _Seen) -> Verdict:
    verdict = Verdict(item.name, recipient=item.to, problems=list(item.problems))
    try:
        if item.eml and not item.has_calendar:
            if item.digest:  # read: a plain message (a reminder)
                _judge_plain(item, known, verdict)
        elif item.calendar is not None:
            _judge_calendar(item, known, verdict)
        elif item.eml:
            verdict.kind = INVITATION
        else:
            verdict.kind = CALENDAR
        if item.eml and item.digest:
            _judge_addresses(item, known, verdict)
    except Exception as exc:  # the file holds something the check did not foresee: say so
        verdict.problems.append(f"cannot be checked: {_reason(exc)}")
    seen.note(item, verdict)
    return verdict


def _member_of(item: _Read, known: Known, verdict: Verdict) -> int | None:
    """The member the message is to (None, with a problem, when it is nobody's address)."""
    if item.to is None:
        return None
    member_id = known.member(item.to)
    if member_id is None:
        verdict.problems.append(f"To {_shown(item.to)} is no member's address")
    return member_id


def _judge_plain(item: _Read, known: Known, verdict: Verdict) -> None:
    """A message without a calendar: peerkit writes those only as reminders."""
    verdict.kind = REMINDER
    member_id = _member_of(item, known, verdict)
    if member_id is None or item.message_id is None:
        return
    found = known.reminder(item.message_id, member_id)
    if found is None:
        verdict.problems.append(
            "names no meeting or event: its Message-ID is not that of a reminder peerkit "
            f"writes to {_shown(item.to or '')}"
        )
        return
    record, sequence = found
    verdict.about = record.about
    if record.cancelled:
        verdict.problems.append(f"reminds of {record.about}, which is cancelled")
    if sequence is not None and sequence < record.sequence:
        verdict.problems.append(
            f"written for SEQUENCE {sequence} but {record.noun} is at {record.sequence}: "
            f"written before {record.noun} changed"
        )
    elif item.date is not None and _second(item.date) < _second(record.updated_at):
        verdict.problems.append(
            f"dated {_when(item.date)} but {record.noun} changed at "
            f"{_when(record.updated_at)}: written before that change"
        )
    if member_id not in known.invited(record, cancelling=False):
        verdict.problems.append(_not_invited(known, member_id, record))


def _judge_calendar(item: _Read, known: Known, verdict: Verdict) -> None:
    calendar = item.calendar
    method = str(calendar.get("METHOD", "")).upper() or None
    _judge_method(item, method, verdict)
    events = item.events()
    if item.eml and not events:
        verdict.problems.append("its calendar holds no event")
    by_uid: dict[str | None, list[Any]] = {}
    for ev in events:
        by_uid.setdefault(str(ev["UID"]) if "UID" in ev else None, []).append(ev)
    if item.eml and len(by_uid) > 1:
        verdict.problems.append(f"its calendar holds {len(by_uid)} events, not one")
    records: list[Record] = []
    reader = known.member(item.to) if item.eml and item.to else None
    for uid, group in by_uid.items():
        if uid is None:
            verdict.problems.append("an event without a UID: calendar apps cannot update it")
            continue
        record = known.record(uid)
        if record is None or record.kind == TASK:
            verdict.problems.append(
                f"UID {_shown(uid)} names no meeting, check-in or event in the database"
                + (f" (it is {record.about}'s, a task)" if record else "")
            )
            continue
        record = known.as_seen_by(record, reader)
        records.append(record)
        where = f"{record.about}: " if len(by_uid) > 1 else ""
        for problem in _against(record, group, item.calendar):
            verdict.problems.append(where + problem)
    records.extend(_judge_tasks(item, known, verdict))
    verdict.about = _about(records)
    _judge_people(item, method, events, [r for r in records if r.kind != TASK], known, verdict)


def _judge_tasks(item: _Read, known: Known, verdict: Verdict) -> Iterator[Record]:
    """Each VTODO against its commitment (peerkit writes tasks in feeds only, never mails)."""
    todos = item.todos()
    if todos and item.eml:
        verdict.problems.append(
            f"{len(todos)} task(s) (VTODO) in an e-mail: peerkit writes a member's commitments "
            "in their own calendar only"
        )
    for todo in todos:
        uid = str(todo["UID"]) if "UID" in todo else None
        if uid is None:
            verdict.problems.append("a task without a UID: task apps cannot update it")
            continue
        record = known.record(uid)
        if record is None or record.kind != TASK:
            verdict.problems.append(f"task UID {_shown(uid)} names no commitment in the database")
            continue
        yield record
        verdict.problems.extend(f"{record.about}: {p}" for p in _task_against(record, todo))


def _task_against(record: Record, todo: Any) -> Iterator[str]:
    """What a VTODO says, against its commitment: status, due date, meeting, version."""
    commitment: Commitment = record.row
    if str(todo.get("SUMMARY", "")) != commitment.text:
        yield f"SUMMARY {_shown(str(todo.get('SUMMARY', '(none)')))} is not what it says"
    wanted = TASK_STATUS[str(commitment.status)]
    status = str(todo.get("STATUS", "")).upper()
    if status != wanted:
        yield f"STATUS:{_shown(status or '(none)')} but it is {commitment.status} ({wanted})"
    due = todo.get("DUE")
    value = getattr(due, "dt", None)
    if commitment.due is None and due is not None:
        yield f"DUE {_shown(str(value))} but it has no due date"
    elif commitment.due is not None and (isinstance(value, datetime) or value != commitment.due):
        said = "no DUE" if due is None else f"DUE {_shown(str(value))}"
        yield f"{said} but it is due on {commitment.due.isoformat()} (a date, VALUE=DATE)"
    related = str(todo.get("RELATED-TO", "")) or None
    if related != record.related:
        yield (
            f"RELATED-TO {_shown(related or '(none)')} but it was made at "
            + (f"the meeting {_shown(record.related)}" if record.related else "no meeting")
        )
    if ("COMPLETED" in todo) != (commitment.status == CommitmentStatus.DONE):
        yield "COMPLETED is there only when the commitment is done"
    for name in ("ATTENDEE", "ORGANIZER"):
        if name in todo:
            yield f"{name} in a task: a member's tasks are their own and name nobody"
    yield from _version(record, todo)


def _judge_method(item: _Read, method: str | None, verdict: Verdict) -> None:
    if item.eml:
        verdict.kind = CANCELLATION if method == "CANCEL" else INVITATION
        said = (item.header_method or "").upper()
        if not said:
            verdict.problems.append("its text/calendar part has no method= parameter")
        elif said != (method or ""):
            verdict.problems.append(
                f"the e-mail says method={_shown(said)} but the calendar says "
                f"METHOD:{_shown(method or '(none)')}"
            )
        if method not in MAIL_METHODS:
            verdict.problems.append(
                f"METHOD:{_shown(method or '(none)')} in an e-mail: peerkit sends REQUEST or "
                "CANCEL, which calendar apps show as an invitation or a cancellation"
            )
        return
    if method == "PUBLISH":
        verdict.kind = FEED
    elif method is None or method in MAIL_METHODS:
        verdict.kind = CALENDAR  # a CalDAV resource, or a check-in's own calendar
    else:
        verdict.kind = CALENDAR
        verdict.problems.append(f"METHOD:{_shown(method)}, which peerkit never writes")


def _judge_people(
    item: _Read,
    method: str | None,
    events: list[Any],
    records: list[Record],
    known: Known,
    verdict: Verdict,
) -> None:
    """ATTENDEE and ORGANIZER lines, and the recipient: invited, and the only one named."""
    cancelling = method == "CANCEL"
    recipient = normal(item.to) if item.to else None
    member_id = _member_of(item, known, verdict) if item.eml else None
    for ev in events:
        attendees = _list(ev.get("ATTENDEE"))
        if not item.eml and method in (None, "PUBLISH") and attendees:
            verdict.problems.append(
                f"{len(attendees)} ATTENDEE line(s) in a {'feed' if method else 'calendar'}: "
                "it is for anyone to read and must not name who is invited"
            )
            continue
        withdrawal = any(r.withdrawn for r in records)
        if cancelling:
            if str(ev.get("STATUS", "")).upper() != "CANCELLED" and not withdrawal:
                verdict.problems.append(
                    f"METHOD:CANCEL but STATUS:{_shown(str(ev.get('STATUS', '(none)')))}: "
                    "a cancellation has STATUS:CANCELLED"
                )
            if any(str(a.params.get("RSVP", "")).upper() == "TRUE" for a in attendees):
                verdict.problems.append(
                    "an ATTENDEE with RSVP=TRUE in a cancellation: there is nothing to answer, "
                    "and some calendar apps offer to accept it"
                )
        if item.eml:
            others = [str(a) for a in attendees if normal(str(a)) != recipient]
            for other in others:
                verdict.problems.append(
                    f"ATTENDEE {_shown(other)} is not the recipient: each message names its "
                    "own member only"
                )
            if method == "REQUEST" and not attendees:
                verdict.problems.append("no ATTENDEE: the recipient cannot answer it")
        elif method in MAIL_METHODS:  # a check-in's own calendar: its two people
            for record in records:
                allowed = known.invited(record, cancelling)
                for a in attendees:
                    if known.member(str(a)) not in allowed:
                        verdict.problems.append(
                            f"ATTENDEE {_shown(str(a))} is not invited to {record.about}"
                        )
        _judge_organiser(ev, method, known, verdict)
    if item.eml and member_id is not None:
        for record in records:
            if member_id not in known.invited(record, cancelling):
                verdict.problems.append(_not_invited(known, member_id, record))
        if records:
            _judge_message_id(item, records[0], member_id, method or "", known, verdict)
    if item.eml and known.organiser and item.sender and normal(item.sender) != known.organiser:
        verdict.problems.append(f"From {_shown(item.sender)} is not the community's organiser")


def _judge_organiser(ev: Any, method: str | None, known: Known, verdict: Verdict) -> None:
    found = ev.get("ORGANIZER")
    if found is None:
        if method in MAIL_METHODS:
            verdict.problems.append("no ORGANIZER: the answers cannot reach anyone")
        return
    if known.organiser is not None and normal(str(found)) != known.organiser:
        verdict.problems.append(f"ORGANIZER {_shown(str(found))} is not the community's organiser")


def _judge_message_id(
    item: _Read, record: Record, member_id: int, method: str, known: Known, verdict: Verdict
) -> None:
    """A message for the record as it is now has the Message-ID peerkit gives that version,
    and a check-in's or event's never the one of another version."""
    ev = item.events()[0]
    sequence = _sequence(ev)
    if sequence is None or item.message_id is None:
        return
    email = known.emails[member_id]
    if record.kind == MEETING:
        if sequence != record.sequence or _dtstamp(ev) != _second(record.updated_at):
            return  # another version: its problem is said already
        expected = {
            mail.message_id(
                record.uid, method, str(sequence), str(member_id), record.updated_at.isoformat()
            )
        }
        other: dict[str, int] = {}
    elif record.kind in (CHECKIN, EVENT):
        expected = {mail.message_id(record.uid, method, str(sequence), email)}
        other = {
            mail.message_id(record.uid, method, str(s), email): s
            for s in range(max(sequence, record.sequence) + 1)
            if s != sequence
        }
    else:
        return
    if item.message_id in other:
        verdict.problems.append(
            f"Message-ID is that of the SEQUENCE {other[item.message_id]} message: a client "
            "that has that one drops this one as a duplicate"
        )
    elif item.message_id not in expected:
        verdict.problems.append(
            f"Message-ID {_shown(item.message_id)} is not the one peerkit gives this version "
            f"of {record.about}"
        )


def _not_invited(known: Known, member_id: int, record: Record) -> str:
    who = known.emails.get(member_id, "?")
    return (
        f"{_shown(who)} (member {member_id}) is not invited to {record.about}: "
        "not in it, paused, or gone since the file was written"
    )


def _judge_addresses(item: _Read, known: Known, verdict: Verdict) -> None:
    """No other member's address anywhere in the message (headers, text, HTML, calendar)."""
    mine = normal(item.to) if item.to else None
    named: dict[int, str] = {}
    for whole, end in item.shown():
        address = normal(whole)
        if address not in (mine, known.organiser) and known.addresses.get(address) is None:
            address = normal(end)  # nobody's as written: someone's without what ran into it?
        member_id = known.addresses.get(address)
        if member_id is None or address in (mine, known.organiser):
            continue
        named.setdefault(member_id, known.emails[member_id])
    for member_id, email in sorted(named.items()):
        verdict.problems.append(
            f"names {_shown(email)} (member {member_id}): a message shows its own "
            "member's address only"
        )


def _against(record: Record, events: list[Any], calendar: Any) -> Iterator[str]:
    """What the VEVENTs of one UID say, against the record: when, status, version."""
    master = next((e for e in events if "RECURRENCE-ID" not in e), events[0])
    try:
        occurrences = _occurrences(events, calendar)
    except _Unreadable as exc:
        yield str(exc)
    else:
        if record.kind == SERIES:
            yield from _series_against(record, occurrences, master)
        else:
            yield from _single_against(record, occurrences)
    if record.kind != SERIES:
        status_cancelled = str(master.get("STATUS", "")).upper() == "CANCELLED"
        if status_cancelled and not record.cancelled:
            yield f"STATUS:CANCELLED but {record.about} is not cancelled"
        elif record.cancelled and not status_cancelled and not record.withdrawn:
            yield f"{record.about} is cancelled but the file does not say so (STATUS)"
        if record.withdrawn and "STATUS" in master and not record.cancelled:
            yield (
                f"STATUS in the withdrawal of one member's invitation: {record.about} goes on, "
                "and RFC 5546 says a cancellation for some attendees has no STATUS"
            )
    yield from _version(record, master)
    if record.kind == SERIES:
        for override in (e for e in events if "RECURRENCE-ID" in e):
            start = _utc(override.get("DTSTART"))
            meeting = next((m for m in record.parts if start and m.start == start), None)
            if meeting is not None:
                for problem in _version(_meeting_record(meeting), override):
                    yield f"meeting {meeting.id}: {problem}"


def _version(record: Record, ev: Any) -> Iterator[str]:
    """SEQUENCE and DTSTAMP: the file is of the record's latest version."""
    sequence = _sequence(ev)
    noun = record.noun
    if sequence is None:
        yield f"SEQUENCE {_shown(str(ev.get('SEQUENCE')))} is not a number"
        return
    if record.withdrawn and record.revision <= sequence <= record.sequence:
        # What a withdrawal takes back does not change with the event's later versions.
        if (stamp := _dtstamp(ev)) is None:
            yield "no DTSTAMP, or one that is not a UTC time"
        elif stamp > _second(record.updated_at):
            yield (
                f"DTSTAMP {_when(stamp)} is after {noun}'s last change "
                f"({_when(_second(record.updated_at))}): no version of it was made then"
            )
        return
    if sequence < record.sequence:
        yield (
            f"SEQUENCE {sequence} but {noun} is at {record.sequence}: written before {noun} changed"
        )
        return
    if sequence > record.sequence:
        yield (
            f"SEQUENCE {sequence} but {noun} is only at {record.sequence}: no version of it "
            "was ever that (edited by hand, or from another database)"
        )
        return
    stamp, changed = _dtstamp(ev), _second(record.updated_at)
    if stamp is None:
        yield "no DTSTAMP, or one that is not a UTC time"
    elif stamp < changed:
        yield (
            f"DTSTAMP {_when(stamp)} but {noun} last changed at {_when(changed)}: "
            "written before that change"
        )
    elif stamp > changed:
        yield (
            f"DTSTAMP {_when(stamp)} is after {noun}'s last change ({_when(changed)}): "
            "no version of it was made then"
        )


def _single_against(record: Record, occurrences: list[tuple[datetime, datetime]]) -> Iterator[str]:
    if len(occurrences) != 1:
        yield f"{len(occurrences)} occurrences, but {record.about} happens once"
        return
    (start, end), (want_start, want_end) = occurrences[0], record.occurrences[0]
    if start != want_start:
        yield (
            f"starts at {_when(start)} but {record.about} starts at {_when(want_start)} "
            f"({_local(want_start, record.zone)})"
        )
    if end != want_end:
        yield (
            f"ends at {_when(end)} but {record.about} ends at {_when(want_end)} "
            f"({_local(want_end, record.zone)})"
        )


def _series_against(
    record: Record, occurrences: list[tuple[datetime, datetime]], master: Any
) -> Iterator[str]:
    """One rule of a group's series (with its exceptions and overrides): each occurrence is
    a meeting of the group, and each meeting from the rule's first date to its UNTIL is an
    occurrence (a group's series may be several rules, and meetings written on their own)."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(record.zone)
    first = _moment(master, "DTSTART").astimezone(zone).date()
    rules = _list(master.get("RRULE"))
    until = [u for rule in rules for u in rule.get("UNTIL", [])]
    last = max(
        (u.astimezone(zone).date() if isinstance(u, datetime) else u for u in until),
        default=max((m.slot_date for m in record.parts), default=first),
    )
    have = set(occurrences)
    want = {
        _span(m.start, m.duration)
        for m in record.parts
        if first <= m.slot_date <= last and m.status != MeetingStatus.CANCELLED
    }
    extra = sorted(have - set(record.occurrences))
    missing = sorted(want - have)
    for start, _end in extra[:3]:
        yield f"an occurrence at {_when(start)} that no meeting of {record.about} has"
    for start, _end in missing[:3]:
        yield f"no occurrence for the meeting of {record.about} at {_when(start)}"
    if len(extra) + len(missing) > 6:
        yield f"and {len(extra) + len(missing) - 6} more occurrences that differ"


def _occurrences(events: list[Any], calendar: Any) -> list[tuple[datetime, datetime]]:
    """The UTC (start, end) of each occurrence of one UID's events (cancelled ones left
    out). One event without a rule is read directly; a series (RRULE, RDATE, RECURRENCE-ID)
    is expanded by recurring_ical_events."""
    single = len(events) == 1 and not any(k in events[0] for k in ("RRULE", "RDATE"))
    if single:
        ev = events[0]
        start = _moment(ev, "DTSTART")
        end = _moment(ev, "DTEND") if "DTEND" in ev else None
        if end is None:
            length = ev.get("DURATION")
            end = start + length.dt if length is not None else start
        return [(start, end)]
    return _expanded(events, calendar)


def _expanded(events: list[Any], calendar: Any) -> list[tuple[datetime, datetime]]:
    from icalendar import Calendar

    try:
        import recurring_ical_events  # type: ignore[import-untyped]
    except ImportError:
        raise _Unreadable(
            "a recurring series: its occurrences need recurring-ical-events "
            "(pip install recurring-ical-events) to be checked"
        ) from None

    alone = Calendar()
    for component in calendar.subcomponents:
        if component.name == "VTIMEZONE":
            alone.add_component(component)
    for ev in events:
        alone.add_component(ev)
    found = []
    try:
        for ev in itertools.islice(recurring_ical_events.of(alone).all(), 100_000):
            if str(ev.get("STATUS", "")).upper() == "CANCELLED":
                continue
            start = _moment(ev, "DTSTART")
            end = _moment(ev, "DTEND") if "DTEND" in ev else start
            found.append((start, end))
    except _Unreadable:
        raise
    except Exception as exc:  # a rule or a date recurring_ical_events cannot follow
        raise _Unreadable(f"the series cannot be expanded: {_reason(exc)}") from None
    return sorted(found)


def _moment(ev: Any, name: str) -> datetime:
    value = _utc(ev.get(name))
    if value is None:
        raise _Unreadable(f"{name} is missing, a date without a time, or a time without a zone")
    return value


class _Unreadable(ValueError):
    """A calendar value the check cannot compare (said as the file's problem)."""


def _utc(prop: Any) -> datetime | None:
    try:
        value = getattr(prop, "dt", None)
    except Exception:  # a line icalendar could not read (said as its own problem)
        return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        return None
    return value.astimezone(UTC)


def _sequence(ev: Any) -> int | None:
    value = ev.get("SEQUENCE", 0)
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _dtstamp(ev: Any) -> datetime | None:
    value = _utc(ev.get("DTSTAMP"))
    return None if value is None else _second(value)


def _second(moment: datetime) -> datetime:
    """Calendars and Date headers keep whole seconds (a time without a zone is UTC's)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def _about(records: list[Record]) -> str | None:
    if len(records) <= 1:
        return records[0].about if records else None
    counts: dict[str, int] = {}
    for record in records:
        word = record.about.rsplit(" ", 1)[0] if record.kind != SERIES else "series"
        counts[word] = counts.get(word, 0) + 1
    return ", ".join(f"{n} {w}{'s' if n > 1 else ''}" for w, n in counts.items())


# --- across files: one Message-ID, one content --------------------------------------------------


@dataclass
class _Seen:
    """Message-IDs seen so far, with the content and version of each file that had them."""

    by_id: dict[str, list[tuple[Verdict, str, int | None]]] = field(default_factory=dict)

    def note(self, item: _Read, verdict: Verdict) -> None:
        if item.eml and item.message_id and item.digest:
            events = item.events()
            sequence = _sequence(events[0]) if events else None
            self.by_id.setdefault(item.message_id, []).append((verdict, item.digest, sequence))

    def judge(self) -> None:
        for mid, files in self.by_id.items():
            for verdict, digest, sequence in files:
                for other, other_digest, other_sequence in files:
                    if other is verdict or other_digest == digest:
                        continue
                    if sequence is not None and other_sequence not in (None, sequence):
                        verdict.problems.append(
                            f"Message-ID {_shown(mid)} is also that of {other.path} "
                            f"(SEQUENCE {other_sequence}): a client that has one drops the "
                            "other as a duplicate"
                        )
                    else:
                        verdict.problems.append(
                            f"Message-ID {_shown(mid)} is also that of {other.path}, whose "
                            "content differs: a client that has one drops the other"
                        )
                    break


# --- small helpers ------------------------------------------------------------------------------


def normal(address: str) -> str:
    """An address as compared: mailto: and percent-escapes undone, the domain in IDNA
    form, all in lower case."""
    text = address.strip().strip("<>")
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:") :]
    if "%" in text:
        text = unquote(text)
    local, at, domain = text.rpartition("@")
    if not at:
        return text.lower()
    with contextlib.suppress(ValueError):
        domain = mail.ascii_domain(domain)
    return f"{local.lower()}@{domain.lower()}"


def _forms(address: str, key: str) -> set[str]:
    """The ways a member's address may be stored: as written, in lower case, with the
    domain in IDNA or in Unicode form (peerkit stores what was typed, lower-cased)."""
    forms = {address, address.lower(), key, unicodedata.normalize("NFC", key)}
    local, _, domain = key.rpartition("@")
    if "xn--" in domain:
        with contextlib.suppress(Exception):  # not IDNA after all: the other forms stand
            import idna

            forms.add(unicodedata.normalize("NFC", f"{local}@{idna.decode(domain)}"))
    return forms


def _utf8(text: str) -> str:
    """A header as read from bytes: UTF-8 (RFC 6532) comes out of the parser as escaped
    bytes (surrogates), given back as the letters they are."""
    if text.isascii() or not any("\udc80" <= c <= "\udcff" for c in text):
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _shown(value: str) -> str:
    """A value from a file, quoted in a problem: one line, not too long."""
    flat = " ".join(str(value).split())
    return flat if len(flat) <= SHOWN else flat[: SHOWN - 1] + "…"


def _when(moment: datetime) -> str:
    shown = moment.astimezone(UTC)
    return shown.strftime("%Y-%m-%d %H:%M:%S" if shown.second else "%Y-%m-%d %H:%M") + " UTC"


def _local(moment: datetime, zone: str) -> str:
    from zoneinfo import ZoneInfo

    return f"{moment.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} {zone}"


def _defect(defect: Exception) -> str:
    return (type(defect).__doc__ or type(defect).__name__).strip().rstrip(".")


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return _shown(text[0] if text else type(exc).__name__)
