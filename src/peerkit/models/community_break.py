"""The Break table (peerkit.models loads it on first use)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Field

from peerkit.models import group  # noqa: F401  (the tables its foreign keys name)
from peerkit.models._base import UTCDateTime, _fk, _Table, utcnow


class Break(_Table, table=True):
    """Days without meetings (from start to end, both included): of the whole community, or
    of one group (group_id)."""

    __tablename__: ClassVar[Any] = "community_break"
    __table_args__ = (sa.CheckConstraint("start_date <= end_date", name="dates"),)

    id: int | None = Field(default=None, primary_key=True)
    start_date: date = Field(index=True)
    end_date: date
    group_id: int | None = _fk("peer_group.id", nullable=True)
    reason: str | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
