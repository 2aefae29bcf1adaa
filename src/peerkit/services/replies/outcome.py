"""What a reply is, and what peerkit did with it: a Source in, an Outcome out.

A Source is one message: its label (where it came from: a path, `path#3` for the third
message of an mbox, `imap:INBOX/17`) and its raw bytes. An Outcome says, in the words of
`replies import --format json`, who answered what about which meeting, check-in or event,
and what peerkit did: recorded it, found it unchanged, ignored it, refused it, or could not
tell and lists it for the organiser.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

# What peerkit did with a reply (the `action` of an Outcome).
RECORDED = "recorded"  # the member's answer is stored (or changed)
WOULD_RECORD = "would record"  # the same, in a dry run
UNCHANGED = "unchanged"  # the same answer was recorded already
IGNORED = "ignored"  # nothing to record: not a reply, older than the answer kept, too late
REFUSED = "refused"  # not trusted or not acceptable: nothing changed
UNCLEAR = "unclear"  # a plain answer peerkit cannot read for sure: for the organiser

# How it came (the `kind` of an Outcome).
ITIP = "itip"  # a calendar's reply (iTIP METHOD:REPLY, RFC 5546 / 6047)
MAIL = "mail"  # a plain e-mail answer to one of peerkit's messages
OTHER = "other"  # neither (or unreadable)

# Bounds on what is read: anything bigger is refused unread.
MAX_MESSAGE = 10 * 1024 * 1024  # bytes of one message (or calendar file)
MAX_HEADERS = 64 * 1024  # bytes of a message's headers (up to the first empty line)
MAX_LINES = 200_000  # lines of one message (base64 fills 10 MB in 140,000)
MAX_MULTIPARTS = 16  # multipart sections of one message (each nests the parsing deeper)
MAX_BOUNDARIES = 1024  # lines starting with "--" (each may begin a part) in one message
MAX_MIME_HEADER = 2 * 1024  # characters of one part's Content-Type or Content-Disposition
MAX_FROM = 998  # characters of the From header (one line of RFC 5322)
MAX_TEXT = 32 * 1024  # bytes of a text or HTML part read for its first line
MAX_PARTS = 64  # MIME parts of one message
MAX_DEPTH = 8  # nested multiparts
MAX_CALENDAR = 256 * 1024  # bytes of one calendar part (a reply is a few kilobytes)
MAX_EVENTS = 20  # VEVENTs in one reply
MAX_REFERENCES = 100  # Message-IDs in In-Reply-To and References
MAX_SHOWN = 80  # characters of a member's line quoted in a reason


class Source(NamedTuple):
    """One message to read. CALENDAR_FILE: the bytes are a bare .ics file, which has no
    sender to check (only an import of files says so; raw bytes from a mailbox never are)."""

    label: str
    raw: bytes
    calendar_file: bool = False


@dataclass
class Outcome:
    """What one reply (or one event of a calendar reply) said, and what peerkit did."""

    source: str
    kind: str  # ITIP, MAIL or OTHER
    member: str | None  # "#7 Giulia Rossi <giulia@example.com>", or the sender's address
    target: str | None  # "session 12", "event 3", "check-in 4"
    answer: str | None  # accepted, declined or tentative
    action: str  # RECORDED, WOULD_RECORD, UNCHANGED, IGNORED, REFUSED or UNCLEAR
    reason: str  # in words

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "kind": self.kind,
            "member": self.member,
            "target": self.target,
            "answer": self.answer,
            "action": self.action,
            "reason": self.reason,
        }

    def add(self, more: str) -> None:
        """One more thing said about it (what the answer changed)."""
        self.reason = f"{self.reason.rstrip('.')}; {more}"


class Stop(Exception):
    """A reply that goes no further: ACTION with REASON (raised while reading or matching)."""

    def __init__(self, action: str, reason: str) -> None:
        super().__init__(reason)
        self.action = action
        self.reason = reason


def refused(reason: str) -> Stop:
    return Stop(REFUSED, reason)


def ignored(reason: str) -> Stop:
    return Stop(IGNORED, reason)


def shown(text: str) -> str:
    """A member's own words in a reason: one line, at most MAX_SHOWN characters. (The output
    shows control characters as escapes and interprets no markup.)"""
    flat = " ".join(text.split())
    return flat if len(flat) <= MAX_SHOWN else flat[: MAX_SHOWN - 1] + "…"
