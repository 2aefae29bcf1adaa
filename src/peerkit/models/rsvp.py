"""The Rsvp table (peerkit.models loads it on first use)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Field

from peerkit.enums import RsvpStatus
from peerkit.models import event, member  # noqa: F401  (the tables its foreign keys name)
from peerkit.models._base import UTCDateTime, _fk, _Table, one_of, stored_as, utcnow


class Rsvp(_Table, table=True):
    """A member's answer to an event; the waitlist is served in order of `position`."""

    __tablename__: ClassVar[Any] = "rsvp"
    __table_args__ = (sa.UniqueConstraint("event_id", "member_id"), one_of("status", RsvpStatus))

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = _fk("community_event.id")
    member_id: int = _fk("member.id")
    status: RsvpStatus = Field(sa_type=stored_as(RsvpStatus))
    position: int  # order of the answers: the waitlist is promoted in this order
    answered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    invited_sequence: int | None = Field(default=None)  # the invitation last sent, by SEQUENCE
    reminded_sequence: int | None = Field(default=None)  # the reminder last sent, by SEQUENCE
    # A seat offered from the waitlist: the deadline to accept it (from the event's claim_hours
    # when it was offered). Set while the offer is open (going), kept when it lapsed (declined),
    # None otherwise.
    offer_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The member's own versions of the event: +1 each time their invitation is withdrawn and
    # each time they get a seat again after that. Their messages carry SEQUENCE = the event's
    # SEQUENCE + this, so a withdrawal and a new invitation are each newer than the last.
    revision: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
