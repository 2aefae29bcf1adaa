"""One message to one member, whatever it is about, and who sends it.

Meeting invitations and cancellations, reminders, check-ins, event invitations and event
reminders are all a :class:`Message`: what it is about (the key the ledger records), the
file it is written to and the e-mail itself. They all come from the community's organiser
(the rule is services/common/community.py `organiser`, for the calendars too).
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from functools import cached_property, lru_cache

from sqlmodel import Session

from peerkit import mail
from peerkit.errors import PeerkitError
from peerkit.models import Member
from peerkit.services.common.community import Sender, organiser
from peerkit.services.groups.roster import slugify

__all__ = [
    "CHECKIN",
    "EVENT",
    "MEETING",
    "Key",
    "Message",
    "Sender",
    "build",
    "organiser",
    "recipient",
    "require_organiser",
]

# What a message is about: the table whose row it concerns.
MEETING = "meeting"
CHECKIN = "checkin"
EVENT = "event"

NO_ORGANISER = (
    "invitations need an organiser: peerkit init --organiser-name NAME --organiser-email ADDRESS"
)


def require_organiser(session: Session) -> Sender:
    """The organiser; without an organiser e-mail nothing can be sent: one error, everywhere."""
    found = organiser(session)
    if found is None:
        raise PeerkitError(NO_ORGANISER)
    return found


@dataclass(frozen=True)
class Key:
    """What a delivery is about: a meeting, check-in or event, the kind and the SEQUENCE."""

    about: str  # MEETING, CHECKIN or EVENT
    about_id: int
    kind: str  # invite, cancel, reminder, checkin, event, event-reminder
    sequence: int


@dataclass(frozen=True)
class Message:
    """One e-mail to one member, and the file it is written to.

    An invitation is kept as what it is made of (mail.Invitation): its bytes are written
    directly, and the e-mail object is made only when it is sent."""

    key: Key
    member_id: int
    filename: str
    email: EmailMessage | mail.Invitation
    sender: str
    recipient: str

    @cached_property
    def outgoing(self) -> mail.Outgoing:
        """What is sent (the same object every time: delivery matches on it)."""
        email = self.email if isinstance(self.email, EmailMessage) else self.email.message()
        return mail.Outgoing(email, self.sender, self.recipient)

    @property
    def data(self) -> bytes:
        if isinstance(self.email, mail.Invitation):
            return self.email.data()
        return mail.to_bytes(self.email)


def recipient(member: Member) -> mail.Address:
    assert member.email is not None
    return mail.Address(member.name, member.email)


def build(
    key: Key, prefix: str, member: Member, sender: Sender, email: EmailMessage | mail.Invitation
) -> Message:
    """The one way a message is made: PREFIX-<member id>-<name>.eml, from the organiser."""
    assert member.id is not None
    assert member.email is not None
    return Message(
        key=key,
        member_id=member.id,
        filename=filename(prefix, member),
        email=email,
        sender=sender.email,
        recipient=member.email,
    )


def filename(prefix: str, member: Member) -> str:
    """The file a message to MEMBER is written to: PREFIX-<member id>-<name>.eml."""
    return f"{prefix}-{member.id}-{_slug(member.name)}.eml"


@lru_cache(maxsize=8192)
def _slug(name: str) -> str:
    """roster.slugify, once per name (plan week names each member's file twice)."""
    return slugify(name)
