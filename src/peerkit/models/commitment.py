"""The Commitment table (peerkit.models loads it on first use)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Field

from peerkit import rowversions
from peerkit.enums import CommitmentStatus
from peerkit.models import group, meeting, member  # noqa: F401  (the tables its foreign keys name)
from peerkit.models._base import UTCDateTime, _fk, _Table, _task_uid, one_of, stored_as, utcnow


class Commitment(_Table, table=True):
    """What a member said they would do, carried to the next meeting until done or dropped."""

    __tablename__: ClassVar[Any] = "commitment"
    __mapper_args__: ClassVar[Any] = rowversions.mapper_args("commitment")
    __table_args__ = (
        one_of("status", CommitmentStatus),
        # the reports count each member's commitments per group from the index (migration 0008)
        sa.Index("ix_commitment_group_member_status", "group_id", "member_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = _fk("member.id")
    meeting_id: int | None = _fk("meeting.id", ondelete="SET NULL", nullable=True)
    group_id: int | None = _fk("peer_group.id", ondelete="SET NULL", nullable=True)
    text: str
    due: date | None = Field(default=None)
    status: CommitmentStatus = Field(
        default=CommitmentStatus.OPEN, index=True, sa_type=stored_as(CommitmentStatus)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # the UID of its VTODO in members' calendars (calendar.todo), never changed
    uid: str = Field(default_factory=_task_uid, unique=True)
    # who changed it last, when, and how many times (peerkit.rowversions; migration 0014)
    version: int = Field(default=1, sa_column=rowversions.version_column("commitment"))
    changed_by: str | None = Field(default=None)
    changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def sequence(self) -> int:
        """Its version in calendars: 0 while open, 1 once done or dropped (which is final)."""
        return 0 if self.closed_at is None else 1

    @property
    def updated_at(self) -> datetime:
        """When it last changed (DTSTAMP and LAST-MODIFIED): made, or done or dropped."""
        return self.closed_at or self.created_at
