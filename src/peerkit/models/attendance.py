"""The Attendance table (peerkit.models loads it on first use)."""

from __future__ import annotations

from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Field

from peerkit.enums import AttendanceStatus
from peerkit.models import meeting, member  # noqa: F401  (the tables its foreign keys name)
from peerkit.models._base import _fk, _Table, one_of, stored_as


class Attendance(_Table, table=True):
    """Who was present at a meeting, and who was not."""

    __tablename__: ClassVar[Any] = "attendance"
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "member_id"),
        one_of("status", AttendanceStatus),
        # the reports read a meeting's marks from the index alone (migration 0007)
        sa.Index("ix_attendance_meeting_member_status", "meeting_id", "member_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = _fk("meeting.id")
    member_id: int = _fk("member.id")
    status: AttendanceStatus = Field(sa_type=stored_as(AttendanceStatus))
