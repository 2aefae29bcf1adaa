"""The MemberHistory table (peerkit.models loads it on first use)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Column, Field

from peerkit.models import member  # noqa: F401  (the tables its foreign keys name)
from peerkit.models._base import UTCDateTime, _Table, utcnow


class MemberHistory(_Table, table=True):
    """Status changes of a member: anonymous once the member is forgotten."""

    __tablename__: ClassVar[Any] = "member_history"

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(
        sa_column=Column(
            sa.Integer,
            sa.ForeignKey("member.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    action: str
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
