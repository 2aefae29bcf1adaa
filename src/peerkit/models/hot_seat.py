"""The HotSeat table (peerkit.models loads it on first use)."""

from __future__ import annotations

from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Field

from peerkit.models import meeting, member  # noqa: F401  (the tables its foreign keys name)
from peerkit.models._base import _fk, _Table


class HotSeat(_Table, table=True):
    """A member's turn on the hot seat at a meeting."""

    __tablename__: ClassVar[Any] = "hot_seat"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = _fk("meeting.id")
    member_id: int = _fk("member.id")
    position: int = Field(default=1)
