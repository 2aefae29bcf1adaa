"""The MentorCheckin table (peerkit.models loads it on first use)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlmodel import Field

from peerkit.enums import CheckinStatus
from peerkit.models import mentorship  # noqa: F401  (the tables its foreign keys name)
from peerkit.models._base import UTCDateTime, _fk, _Table, one_of, stored_as, utcnow


class MentorCheckin(_Table, table=True):
    """A planned check-in of a mentorship: one calendar event for mentor and mentee."""

    __tablename__: ClassVar[Any] = "mentor_checkin"
    __table_args__ = (one_of("status", CheckinStatus),)

    id: int | None = Field(default=None, primary_key=True)
    mentorship_id: int = _fk("mentorship.id")
    start: datetime = Field(sa_type=UTCDateTime, index=True)
    timezone: str
    duration: int = Field(default=45)
    location: str | None = Field(default=None)
    status: CheckinStatus = Field(default=CheckinStatus.PLANNED, sa_type=stored_as(CheckinStatus))
    sequence: int = Field(default=0)
    uid: str = Field(unique=True)
    # The SEQUENCE last sent by e-mail to each of them, so that nothing is sent twice.
    mentor_sent: int | None = Field(default=None)
    mentee_sent: int | None = Field(default=None)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
