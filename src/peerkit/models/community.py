"""The Community table (peerkit.models loads it on first use)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlmodel import Field

from peerkit import rowversions
from peerkit.models._base import UTCDateTime, _Table, utcnow


class Community(_Table, table=True):
    """The community this database belongs to (a single row)."""

    __tablename__: ClassVar[Any] = "community"
    __mapper_args__: ClassVar[Any] = rowversions.mapper_args("community")

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(default="My community")
    timezone: str = Field(default="UTC")
    locale: str = Field(default="en")
    organiser_name: str | None = Field(default=None)
    organiser_email: str | None = Field(default=None)
    is_demo: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # the countries (and regions) whose public holidays planning respects: "IT,GB-ENG"
    holidays: str | None = Field(default=None)
    # who changed it last, when, and how many times (peerkit.rowversions; migration 0014)
    version: int = Field(default=1, sa_column=rowversions.version_column("community"))
    changed_by: str | None = Field(default=None)
    changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
