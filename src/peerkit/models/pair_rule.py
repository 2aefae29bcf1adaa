"""The PairRule table (peerkit.models loads it on first use)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Field

from peerkit.enums import PairRuleKind
from peerkit.models import member  # noqa: F401  (the tables its foreign keys name)
from peerkit.models._base import UTCDateTime, _fk, _Table, one_of, stored_as, utcnow


class PairRule(_Table, table=True):
    """Two members `mentor match` and `group form` always put together (must) or never
    (never); `member_a` is the smaller id (services/members/pairing.py)."""

    __tablename__: ClassVar[Any] = "pair_rule"
    __table_args__ = (sa.UniqueConstraint("member_a", "member_b"), one_of("kind", PairRuleKind))

    id: int | None = Field(default=None, primary_key=True)
    member_a: int = _fk("member.id")
    member_b: int = _fk("member.id")
    kind: PairRuleKind = Field(sa_type=stored_as(PairRuleKind))
    note: str | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
