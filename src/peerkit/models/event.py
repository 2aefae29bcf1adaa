"""The Event table (peerkit.models loads it on first use)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlmodel import Field

from peerkit import rowversions
from peerkit.enums import EventKind, EventStatus
from peerkit.models._base import UTCDateTime, _Table, one_of, stored_as, utcnow


class Event(_Table, table=True):
    """A networking event, workshop or social for the wider community, in its own zone."""

    __tablename__: ClassVar[Any] = "community_event"
    __mapper_args__: ClassVar[Any] = rowversions.mapper_args("community_event")
    __table_args__ = (one_of("kind", EventKind), one_of("status", EventStatus))

    id: int | None = Field(default=None, primary_key=True)
    title: str
    kind: EventKind = Field(default=EventKind.NETWORKING, sa_type=stored_as(EventKind))
    start: datetime = Field(sa_type=UTCDateTime, index=True)
    timezone: str
    duration: int = Field(default=120)
    location: str | None = Field(default=None)
    capacity: int | None = Field(default=None)  # None: no limit
    status: EventStatus = Field(default=EventStatus.PLANNED, sa_type=stored_as(EventStatus))
    sequence: int = Field(default=0)
    uid: str = Field(unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    description: str | None = Field(default=None)  # said in the invitations
    claim_hours: int | None = Field(default=None)  # hours to accept a seat from the waitlist
    cancel_reason: str | None = Field(default=None)  # said in the cancellation
    # who changed it last, when, and how many times (peerkit.rowversions; migration 0014)
    version: int = Field(default=1, sa_column=rowversions.version_column("community_event"))
    changed_by: str | None = Field(default=None)
    changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
