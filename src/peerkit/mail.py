"""Invitation e-mails (iMIP, RFC 6047): text, HTML and the calendar, one recipient each.

Header values never carry CR or LF from user data: Python's email package would let a
newline end the header block, so every header value is flattened here first.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from peerkit.text import find_control

_FLATTEN = str.maketrans({"\r": " ", "\n": " ", "\t": " ", "\x00": ""})


def header_value(text: str) -> str:
    """One line, no control characters: safe in any header."""
    flat = text.translate(_FLATTEN)
    while (bad := find_control(flat)) is not None:
        flat = flat.replace(bad, "")
    return " ".join(flat.split())


@dataclass(frozen=True)
class Address:
    name: str
    email: str

    def formatted(self) -> str:
        return formataddr((header_value(self.name), header_value(self.email)))


def message_id(*parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"<{digest}@peerkit>"


def invitation(
    *,
    sender: Address,
    recipient: Address,
    subject: str,
    text: str,
    html: str,
    ics: bytes,
    method: str,
    sent: datetime,
    mid: str,
) -> EmailMessage:
    """multipart/alternative: text/plain, text/html and text/calendar; method=METHOD."""
    msg = EmailMessage()
    msg["From"] = sender.formatted()
    msg["Reply-To"] = sender.formatted()
    msg["To"] = recipient.formatted()
    msg["Subject"] = header_value(subject)
    msg["Date"] = format_datetime(sent)
    msg["Message-ID"] = mid
    msg.set_content(text, subtype="plain", charset="utf-8")
    msg.add_alternative(html, subtype="html", charset="utf-8")
    msg.add_alternative(
        ics.decode("utf-8"),
        subtype="calendar",
        charset="utf-8",
        params={"method": method.upper()},
    )
    # A boundary derived from the Message-ID: the same message gives the same bytes.
    msg.set_boundary(f"peerkit-{mid.strip('<>').split('@')[0]}")
    return msg


def to_bytes(msg: EmailMessage) -> bytes:
    return bytes(msg.as_bytes())
