"""The Mentorship table (peerkit.models loads it on first use)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlmodel import Field

from peerkit import rowversions
from peerkit.models import member  # noqa: F401  (the tables its foreign keys name)
from peerkit.models._base import UTCDateTime, _fk, _Table, utcnow


class Mentorship(_Table, table=True):
    """A mentor and a mentee working together on some topics, from `started` to `ended`."""

    __tablename__: ClassVar[Any] = "mentorship"
    __mapper_args__: ClassVar[Any] = rowversions.mapper_args("mentorship")

    id: int | None = Field(default=None, primary_key=True)
    mentor_id: int = _fk("member.id")
    mentee_id: int = _fk("member.id")
    topic: str | None = Field(default=None)
    started: date
    ended: date | None = Field(default=None)
    score: float | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # who changed it last, when, and how many times (peerkit.rowversions; migration 0014)
    version: int = Field(default=1, sa_column=rowversions.version_column("mentorship"))
    changed_by: str | None = Field(default=None)
    changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
