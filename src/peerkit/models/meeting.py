"""The Meeting table (peerkit.models loads it on first use)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Field

from peerkit import rowversions
from peerkit.enums import MeetingStatus
from peerkit.models import group, member  # noqa: F401  (the tables its foreign keys name)
from peerkit.models._base import UTCDateTime, _fk, _Table, one_of, stored_as, utcnow


class Meeting(_Table, table=True):
    """One meeting of a group (the CLI calls it a session). Start is UTC plus the IANA zone."""

    __tablename__: ClassVar[Any] = "meeting"
    __mapper_args__: ClassVar[Any] = rowversions.mapper_args("meeting")
    __table_args__ = (
        sa.UniqueConstraint("group_id", "slot_date"),
        one_of("status", MeetingStatus),
        # the reports find a group's held meetings from the index alone (migration 0008)
        sa.Index("ix_meeting_group_status_slot", "group_id", "status", "slot_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = _fk("peer_group.id")
    slot_date: date  # the cadence date this meeting stands for, even after a move
    start: datetime = Field(sa_type=UTCDateTime, index=True)
    timezone: str
    duration: int
    location: str | None = Field(default=None)
    status: MeetingStatus = Field(default=MeetingStatus.PLANNED, sa_type=stored_as(MeetingStatus))
    sequence: int = Field(default=0)
    uid: str = Field(unique=True)
    facilitator_id: int | None = _fk("member.id", ondelete="SET NULL", nullable=True)
    timekeeper_id: int | None = _fk("member.id", ondelete="SET NULL", nullable=True)
    notes: str | None = Field(default=None)
    cancel_reason: str | None = Field(default=None)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # what its invitations said at this SEQUENCE (services/groups/versions.py)
    content_hash: str | None = Field(default=None)
    # who changed it last, when, and how many times (peerkit.rowversions; migration 0014)
    version: int = Field(default=1, sa_column=rowversions.version_column("meeting"))
    changed_by: str | None = Field(default=None)
    changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
