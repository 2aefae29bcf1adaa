"""The Member table (peerkit.models loads it on first use)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlmodel import JSON, Column, Field

from peerkit import rowversions
from peerkit.enums import MemberStatus, Stage
from peerkit.models._base import UTCDateTime, _empty, _Table, _today, one_of, stored_as


class Member(_Table, table=True):
    """A person in the community. Forgotten members keep only their id and dates."""

    __tablename__: ClassVar[Any] = "member"
    __mapper_args__: ClassVar[Any] = rowversions.mapper_args("member")
    __table_args__ = (one_of("status", MemberStatus), one_of("stage", Stage))

    id: int | None = Field(default=None, primary_key=True)
    name: str
    email: str | None = Field(default=None, unique=True)
    timezone: str = Field(default="UTC")
    locale: str = Field(default="en")
    skills: list[str] = Field(default_factory=_empty, sa_column=Column(JSON, nullable=False))
    needs: list[str] = Field(default_factory=_empty, sa_column=Column(JSON, nullable=False))
    stage: Stage | None = Field(default=None, sa_type=stored_as(Stage))
    industry: str | None = Field(default=None)
    bio: str | None = Field(default=None)
    availability: list[str] = Field(default_factory=_empty, sa_column=Column(JSON, nullable=False))
    mentor_capacity: int = Field(default=0)
    status: MemberStatus = Field(
        default=MemberStatus.ACTIVE, index=True, sa_type=stored_as(MemberStatus)
    )
    paused_until: date | None = Field(default=None)
    joined: date = Field(default_factory=_today)
    left_on: date | None = Field(default=None)
    forgotten_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # who changed it last, when, and how many times (peerkit.rowversions; migration 0014)
    version: int = Field(default=1, sa_column=rowversions.version_column("member"))
    changed_by: str | None = Field(default=None)
    changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    def status_on(self, today: date) -> MemberStatus:
        """The status in force on TODAY: a pause with an end date is over on that date."""
        paused = self.status == MemberStatus.PAUSED
        if paused and self.paused_until is not None and self.paused_until <= today:
            return MemberStatus.ACTIVE
        return self.status

    def describe(self) -> str:
        """How messages name a member: '#7 Giulia Rossi <giulia@example.com>'."""
        email = f" <{self.email}>" if self.email else ""
        return f"#{self.id} {self.name}{email}"
