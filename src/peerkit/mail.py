"""Invitation e-mails (iMIP, RFC 6047): text, HTML and the calendar, one recipient each.

Header values never carry CR or LF from user data: Python's email package would let a
newline end the header block, so every header value is flattened here first.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address as HeaderAddress
from email.message import EmailMessage
from email.utils import format_datetime
from typing import TYPE_CHECKING
from urllib.parse import quote

from peerkit.text import find_control

if TYPE_CHECKING:
    import smtplib

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
        """`Name <address>` for a header, the domain in its IDNA (xn--) form.

        A local part outside ASCII stays UTF-8 (RFC 6532): :func:`to_bytes` writes such
        a message with UTF-8 headers, and sending it needs a server that offers SMTPUTF8.
        The display name is quoted by the header registry, so brackets in a name outside
        ASCII ("Zoë (Tel Aviv)") stay inside the encoded name instead of becoming a comment.
        """
        return _formatted(self.name, self.email)


@functools.lru_cache(maxsize=4096)
def _formatted(name: str, email: str) -> str:
    """Address.formatted (the organiser's, on every message of a run, is made once)."""
    name, spec = header_value(name), smtp_address(header_value(email))
    local, _, domain = spec.rpartition("@")
    return str(HeaderAddress(display_name=name, username=local, domain=domain))


def ascii_domain(domain: str) -> str:
    """DOMAIN in IDNA form (UTS #46, as mail servers and browsers write it): bücher.example
    is xn--bcher-kva.example. A domain IDNA cannot write raises ValueError."""
    if domain.isascii():
        return domain
    import idna

    return bytes(idna.encode(domain, uts46=True)).decode("ascii")


def smtp_address(address: str) -> str:
    """The address as it travels (headers, envelope, calendars): the domain in IDNA form,
    the local part as it is. A domain IDNA cannot write is left as typed."""
    if address.isascii():
        return address
    local, at, domain = address.rpartition("@")
    try:
        return f"{local}{at}{ascii_domain(domain)}"
    except ValueError:
        return address


def needs_smtputf8(address: str) -> bool:
    """True for an address only SMTPUTF8 can carry: letters outside ASCII before the @."""
    return not smtp_address(address).isascii()


def mailto(address: str) -> str:
    """The address as a calendar's mailto: URI (RFC 6068): the domain in IDNA form, the
    local part's letters outside ASCII percent-encoded as UTF-8."""
    if address.isascii():
        return f"mailto:{address}"
    local, at, domain = smtp_address(address).rpartition("@")
    local = "".join(c if c.isascii() else quote(c, safe="") for c in local)
    return f"mailto:{local}{at}{domain}"


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
    return Invitation(sender, recipient, subject, text, html, ics, method, sent, mid).message()


@dataclass(frozen=True)
class Invitation:
    """What an invitation is made of: :meth:`message` is the e-mail (Python's email package),
    :meth:`data` its bytes, written directly (the same bytes, a tenth of the time)."""

    sender: Address
    recipient: Address
    subject: str
    text: str
    html: str
    ics: bytes
    method: str
    sent: datetime
    mid: str

    def message(self) -> EmailMessage:
        """multipart/alternative: text/plain, text/html and text/calendar; method=METHOD."""
        msg = plain(
            sender=self.sender,
            recipient=self.recipient,
            subject=self.subject,
            text=self.text,
            sent=self.sent,
            mid=self.mid,
        )
        msg.add_alternative(self.html, subtype="html", charset="utf-8")
        msg.add_alternative(
            self.ics.decode("utf-8"),
            subtype="calendar",
            charset="utf-8",
            params={"method": self.method.upper()},
        )
        # A boundary derived from the Message-ID: the same message gives the same bytes.
        msg.set_boundary(boundary(self.mid))
        return msg

    def data(self) -> bytes:
        """``to_bytes(self.message())``, built without the message object."""
        if (
            _FAST_MID.match(self.mid) is None
            or _FAST_METHOD.match(self.method.upper()) is None
            or needs_smtputf8(self.sender.email)
            or needs_smtputf8(self.recipient.email)
        ):  # UTF-8 headers (an address outside ASCII before the @): the email package's way
            return to_bytes(self.message())
        return _invitation_bytes(self).replace(b"\n", b"\r\n")


def boundary(mid: str) -> str:
    return f"peerkit-{mid.strip('<>').split('@')[0]}"


# The messages whose every header but the addresses and the subject has a known shape.
_FAST_MID = re.compile(r"<[0-9a-f]{32}@peerkit>\Z")
_FAST_METHOD = re.compile(r"[A-Z]{1,12}\Z")


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
    """The message as a file, as it travels: CRLF line ends (so the calendar part has the
    CRLF that RFC 5545 asks for, in the file too); headers in UTF-8 (RFC 6532) only when an
    address needs it."""
    from email.policy import EmailPolicy

    policy = msg.policy
    if not isinstance(policy, EmailPolicy):
        return bytes(msg.as_bytes()).replace(b"\n", b"\r\n")
    return bytes(msg.as_bytes(policy=policy.clone(linesep="\r\n", utf8=international(msg))))


def international(msg: EmailMessage) -> bool:
    """True when an address in From, Reply-To or To has letters outside ASCII before the @."""
    headers = [msg.get(name) for name in ("From", "Reply-To", "To")]
    return any(
        not a.addr_spec.isascii()
        for header in headers
        if header is not None and not str(header).isascii()  # a name outside ASCII is fine
        for a in header.addresses
    )


# --- the bytes of an invitation, as EmailMessage.as_bytes() writes them ----------------
#
# Python's email package parses every header it is given and folds it again when it writes
# the message; that is most of the time of an invitation. Here a header whose value the
# package would write unchanged (printable ASCII, short, nothing it re-encodes) is written
# as it is, and any other goes through the package's own folding, kept for values that
# repeat (the sender, the subject of a meeting in one language). The parts are encoded
# the way set_content() chooses: 7bit or 8bit when every line is short, else
# quoted-printable or base64, whichever the first ten lines say is shorter.
# tests/test_mail_bytes.py holds this to the email package on many generated messages.

_MAX_LINE = 78  # email.policy.default.max_line_length
# Printable ASCII without what the header parser quotes, escapes or decodes.
_AS_IS = re.compile(r"[A-Za-z0-9 !#$%&'*+,\-./:;<>?@\[\]^_`{|}~]*\Z")
_UTF8 = 'charset="utf-8"'


def _header(name: str, value: str) -> bytes:
    if (
        value
        and len(name) + 2 + len(value) <= _MAX_LINE
        and "=?" not in value
        and _AS_IS.match(value)
    ):
        return f"{name}: {value}\n".encode("ascii")
    return _folded(name, value)


@functools.lru_cache(maxsize=4096)
def _folded(name: str, value: str) -> bytes:
    """The header as EmailMessage writes it (parsed, then folded by the default policy)."""
    from email import policy

    parsed = policy.default.header_store_parse(name, value)[1]
    return bytes(policy.default.fold_binary(name, parsed))


def _encoded(text: str) -> tuple[str, bytes]:
    """(Content-Transfer-Encoding, body) as set_content(text, charset="utf-8") makes them."""
    import binascii

    lines = text.encode("utf-8").splitlines()
    body = b"\n".join(lines) + b"\n"
    if max(map(len, lines), default=0) <= _MAX_LINE:
        return ("7bit" if body.isascii() else "8bit"), body
    sniff = b"\n".join(lines[:10]) + b"\n"
    sniff_qp = b"".join(map(_quoted_line, lines[:10]))
    if len(sniff_qp) > len(binascii.b2a_base64(sniff)):
        step = _MAX_LINE // 4 * 3
        return "base64", b"".join(
            binascii.b2a_base64(body[i : i + step]) for i in range(0, len(body), step)
        )
    if len(lines) <= 10:
        return "quoted-printable", sniff_qp
    return "quoted-printable", sniff_qp + b"".join(map(_quoted_line, lines[10:]))


@functools.lru_cache(maxsize=4096)
def _quoted_line(line: bytes) -> bytes:
    """One line of a body (no CR or LF in it) and its end, quoted-printable: what
    quoprimime.body_encode makes of the whole body is each line's own, in turn (it encodes
    line by line), so a line that recurs (most of an invitation's) is encoded once."""
    from email import quoprimime

    return quoprimime.body_encode(line.decode("latin-1") + "\n", _MAX_LINE).encode("ascii")


def _part(content_type: str, text: str, *, alternative: bool, cte_first: bool = False) -> bytes:
    cte, body = _encoded(text)
    heads = [f"Content-Type: {content_type}\n", f"Content-Transfer-Encoding: {cte}\n"]
    if cte_first:  # set_param() with more parameters moves Content-Type after it
        heads.reverse()
    if alternative:  # add_alternative() makes an EmailMessage, which says its version
        heads.append("MIME-Version: 1.0\n")
    return "".join(heads).encode("ascii") + b"\n" + body


def _invitation_bytes(inv: Invitation) -> bytes:
    sender = inv.sender.formatted()
    fence = boundary(inv.mid).encode("ascii")
    head = b"".join(
        [
            _header("From", sender),
            _header("Reply-To", sender),
            _header("To", inv.recipient.formatted()),
            _header("Subject", header_value(inv.subject)),
            _header("Date", format_datetime(inv.sent)),
            f"Message-ID: {inv.mid}\n".encode("ascii"),
            b"MIME-Version: 1.0\n",
            b'Content-Type: multipart/alternative;\n boundary="' + fence + b'"\n\n',
        ]
    )
    calendar = f'text/calendar; {_UTF8}; method="{inv.method.upper()}"'
    parts = [
        _part(f"text/plain; {_UTF8}", inv.text, alternative=False),
        _part(f"text/html; {_UTF8}", inv.html, alternative=True),
        _part(calendar, inv.ics.decode("utf-8"), alternative=True, cte_first=True),
    ]
    return (
        head
        + b"".join(b"--" + fence + b"\n" + part + b"\n" for part in parts)
        + (b"--" + fence + b"--\n")
    )


# --- sending --------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpTarget:
    scheme: str  # smtp, smtp+starttls or smtps
    host: str
    port: int
    user: str | None

    def describe(self) -> str:
        who = f"{self.user}@" if self.user else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{who}{host}:{self.port}"


def parse_smtp_url(url: str) -> SmtpTarget:
    """smtp://host:port, smtp+starttls://user@host:587 or smtps://user@host:465.

    Anything else is refused in one line (InvalidValue), with any password masked.
    """
    from peerkit.config import smtp_server

    server = smtp_server(url)
    return SmtpTarget(server.scheme, server.host, server.port, server.user)


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

    def envelope(self) -> tuple[str, str]:
        """MAIL FROM and RCPT TO: the addresses with their domains in IDNA form."""
        return smtp_address(self.sender), smtp_address(self.recipient)


def send_all(
    target: SmtpTarget,
    password: str | None,
    outgoing: list[Outgoing],
    sent: list[Outgoing],
    timeout: float = 30.0,
) -> None:
    """Send each message to its one recipient; `sent` collects those the server accepted.

    A message whose addresses need SMTPUTF8 is held back when the server does not offer
    it, and the others go; then one error names those addresses. Any other failure stops
    the run with a clear error. Either way what was accepted stays in `sent`, so that
    the caller can record it.
    """
    import smtplib

    from peerkit.errors import PeerkitError

    if not outgoing:
        return
    held: list[Outgoing] = []  # they need SMTPUTF8, which the server does not offer
    try:
        with _connect(target, password, timeout) as client:
            utf8 = client.has_extn("smtputf8")
            for item in outgoing:
                sender, recipient = item.envelope()
                if not utf8 and not (sender + recipient).isascii():
                    held.append(item)
                    continue
                client.send_message(item.message, from_addr=sender, to_addrs=[recipient])
                sent.append(item)
    except (smtplib.SMTPException, OSError) as exc:
        reason = (str(exc) or type(exc).__name__).rstrip(".")
        done = _so_far(sent, outgoing, " were sent before that.")
        raise PeerkitError(f"cannot send through {target.describe()}: {reason}.{done}") from None
    if held:
        raise PeerkitError(_no_smtputf8(target, held, sent))


def _connect(target: SmtpTarget, password: str | None, timeout: float) -> smtplib.SMTP:
    """A client that has greeted the server, with TLS and logged in as the URL says."""
    import smtplib
    import ssl

    from peerkit.errors import PeerkitError

    if target.scheme == "smtps":
        context = ssl.create_default_context()
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            target.host, target.port, timeout=timeout, context=context
        )
    else:
        client = smtplib.SMTP(target.host, target.port, timeout=timeout)
    try:
        if target.scheme == "smtp+starttls":
            client.starttls(context=ssl.create_default_context())
        if target.user and password:
            client.login(target.user, password)
        client.ehlo_or_helo_if_needed()
    except UnicodeError:  # smtplib's login sends ASCII only
        client.close()
        raise PeerkitError(
            f"cannot log in to {target.describe()}: the user name or the password has "
            "characters outside ASCII, which SMTP login cannot carry. Nothing was sent."
        ) from None
    except BaseException:
        client.close()
        raise
    return client


def _so_far(sent: list[Outgoing], outgoing: list[Outgoing], tail: str) -> str:
    return f" {len(sent)} of {len(outgoing)}{tail}" if sent else " Nothing was sent."


def _no_smtputf8(target: SmtpTarget, held: list[Outgoing], sent: list[Outgoing]) -> str:
    """One line: which addresses the server cannot take, and what to do."""
    addresses = sorted(
        {a for item in held for a in (item.sender, item.recipient) if needs_smtputf8(a)}
    )
    more = f" and {len(addresses) - 3} more" if len(addresses) > 3 else ""
    done = _so_far(sent, [*sent, *held], " were sent.")
    return (
        f"{len(held)} message(s) not sent through {target.describe()}: the server does not "
        f"offer SMTPUTF8, which {', '.join(addresses[:3])}{more} need(s) (letters outside "
        "ASCII that plain SMTP cannot carry); send through a server that offers it, or give "
        f"the member another address (peerkit member edit).{done}"
    )
