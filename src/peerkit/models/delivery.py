"""The Delivery table (peerkit.models loads it on first use)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Field

from peerkit.enums import DeliveryKind
from peerkit.models import meeting, member  # noqa: F401  (the tables its foreign keys name)
from peerkit.models._base import UTCDateTime, _fk, _Table, one_of, stored_as, utcnow


class Delivery(_Table, table=True):
    """A message really sent to a member, so that a re-run never sends it twice."""

    __tablename__: ClassVar[Any] = "delivery"
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "member_id", "kind", "sequence"),
        one_of("kind", DeliveryKind),
    )

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = _fk("meeting.id")
    member_id: int = _fk("member.id")
    kind: DeliveryKind = Field(sa_type=stored_as(DeliveryKind))
    sequence: int = Field(default=0)
    sent_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
