"""The Group table (peerkit.models loads it on first use)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlmodel import JSON, Column, Field

from peerkit import rowversions
from peerkit.defaults import GROUP
from peerkit.enums import Cadence, GroupKind, GroupStatus, OnHoliday
from peerkit.models._base import UTCDateTime, _empty, _Table, one_of, stored_as, utcnow


class Group(_Table, table=True):
    """A small peer group that meets on a cadence, in its own time zone."""

    __tablename__: ClassVar[Any] = "peer_group"
    __mapper_args__: ClassVar[Any] = rowversions.mapper_args("peer_group")
    __table_args__ = (
        one_of("kind", GroupKind),
        one_of("cadence", Cadence),
        one_of("status", GroupStatus),
        one_of("on_holiday", OnHoliday),
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True)
    name: str
    kind: GroupKind = Field(default=GROUP.kind, sa_type=stored_as(GroupKind))
    cadence: Cadence = Field(default=GROUP.cadence, sa_type=stored_as(Cadence))
    day: int = Field(default=GROUP.day)  # 0 = Monday
    time: str = Field(default=GROUP.time)  # local wall-clock time, HH:MM
    timezone: str = Field(default="UTC")
    duration: int = Field(default=GROUP.duration)  # minutes
    location: str | None = Field(default=None)
    min_size: int = Field(default=GROUP.min_size)
    max_size: int = Field(default=GROUP.max_size)
    anchor: date  # the first meeting date: fixes the fortnight and the week of the month
    status: GroupStatus = Field(
        default=GroupStatus.ACTIVE, index=True, sa_type=stored_as(GroupStatus)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # a meeting on a holiday or in a break: skipped, or moved a day on or back
    on_holiday: OnHoliday = Field(
        default=OnHoliday.SKIP,
        sa_type=stored_as(OnHoliday),
        sa_column_kwargs={"server_default": OnHoliday.SKIP.value},
    )
    # who changed it last, when, and how many times (peerkit.rowversions; migration 0014)
    version: int = Field(default=1, sa_column=rowversions.version_column("peer_group"))
    changed_by: str | None = Field(default=None)
    changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Two or three slots ("tue 07:00", in the group's zone) its meetings take in turn (fair
    # hours across zones: services/groups/fairness.py); empty: every meeting at day and time.
    rotate_slots: list[str] = Field(default_factory=_empty, sa_column=Column(JSON, nullable=False))
