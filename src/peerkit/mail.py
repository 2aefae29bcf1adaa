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
    msg = plain(sender=sender, recipient=recipient, subject=subject, text=text, sent=sent, mid=mid)
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


def plain(
    *, sender: Address, recipient: Address, subject: str, text: str, sent: datetime, mid: str
) -> EmailMessage:
    """A plain-text message to one recipient (reminders; the first part of an invitation)."""
    msg = EmailMessage()
    msg["From"] = sender.formatted()
    msg["Reply-To"] = sender.formatted()
    msg["To"] = recipient.formatted()
    msg["Subject"] = header_value(subject)
    msg["Date"] = format_datetime(sent)
    msg["Message-ID"] = mid
    msg.set_content(text, subtype="plain", charset="utf-8")
    return msg


def to_bytes(msg: EmailMessage) -> bytes:
    return bytes(msg.as_bytes())


# --- sending --------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpTarget:
    scheme: str  # smtp, smtp+starttls or smtps
    host: str
    port: int
    user: str | None

    def describe(self) -> str:
        who = f"{self.user}@" if self.user else ""
        return f"{self.scheme}://{who}{self.host}:{self.port}"


DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


def parse_smtp_url(url: str) -> SmtpTarget:
    """smtp://host:port, smtp+starttls://user@host:587 or smtps://user@host:465."""
    from urllib.parse import unquote, urlsplit

    from peerkit.config import mask_url_password
    from peerkit.errors import PeerkitError

    parts = urlsplit(url.strip())
    shown = mask_url_password(url.strip())
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise PeerkitError(
            f"cannot use the SMTP URL '{shown}': write smtp://host:port, "
            "smtp+starttls://user@host:587 or smtps://user@host:465."
        )
    if parts.password:
        raise PeerkitError(
            "the SMTP URL must not contain a password; put it in PEERKIT_SMTP_PASSWORD "
            "or the system keyring."
        )
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        raise PeerkitError(f"the SMTP URL '{shown}' has an invalid port.") from None
    user = unquote(parts.username) if parts.username else None
    return SmtpTarget(parts.scheme, parts.hostname, port, user)


def smtp_password(target: SmtpTarget) -> str | None:
    """PEERKIT_SMTP_PASSWORD, else the system keyring (service 'peerkit'), else none."""
    import os

    secret = os.environ.get("PEERKIT_SMTP_PASSWORD")
    if secret or target.user is None:
        return secret or None
    try:
        import keyring

        found = keyring.get_password("peerkit", f"smtp:{target.user}@{target.host}")
    except Exception:  # no keyring backend on this machine: no password
        return None
    return str(found) if found else None


@dataclass(frozen=True)
class Outgoing:
    message: EmailMessage
    sender: str
    recipient: str


def send_all(
    target: SmtpTarget,
    password: str | None,
    outgoing: list[Outgoing],
    sent: list[Outgoing],
    timeout: float = 30.0,
) -> None:
    """Send each message to its one recipient; `sent` collects those the server accepted.

    Any failure stops the run with a clear error; what was accepted before it stays in
    `sent` so that the caller can record it.
    """
    import smtplib
    import ssl

    from peerkit.errors import PeerkitError

    if not outgoing:
        return
    try:
        if target.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                target.host, target.port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(target.host, target.port, timeout=timeout)
        with client:
            if target.scheme == "smtp+starttls":
                client.starttls(context=ssl.create_default_context())
            if target.user and password:
                client.login(target.user, password)
            for item in outgoing:
                client.send_message(item.message, from_addr=item.sender, to_addrs=[item.recipient])
                sent.append(item)
    except (smtplib.SMTPException, OSError) as exc:
        reason = str(exc).replace(password, "***") if password else str(exc)
        done = (
            f" {len(sent)} of {len(outgoing)} were sent before that."
            if sent
            else " Nothing was sent."
        )
        reason = (reason or type(exc).__name__).rstrip(".")
        raise PeerkitError(f"cannot send through {target.describe()}: {reason}.{done}") from None
