"""SQLModel tables. Every change here needs an Alembic migration (tests compare them)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlmodel import JSON, Column, Field, SQLModel

# Named constraints, so that batch migrations on SQLite can find them again.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MEMBER_STATUSES = ("active", "paused", "left")
STAGES = ("idea", "early", "growth", "established")
LOCALES = ("en", "it")


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Community(SQLModel, table=True):
    """The community this database belongs to (a single row)."""

    __tablename__: ClassVar[Any] = "community"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(default="My community")
    timezone: str = Field(default="UTC")
    locale: str = Field(default="en")
    organiser_name: str | None = Field(default=None)
    organiser_email: str | None = Field(default=None)
    is_demo: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Member(SQLModel, table=True):
    """A person in the community. Forgotten members keep only their id and dates."""

    __tablename__: ClassVar[Any] = "member"

    id: int | None = Field(default=None, primary_key=True)
    name: str
    email: str | None = Field(default=None, unique=True)
    timezone: str = Field(default="UTC")
    locale: str = Field(default="en")
    skills: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    needs: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    stage: str | None = Field(default=None)
    industry: str | None = Field(default=None)
    bio: str | None = Field(default=None)
    availability: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    mentor_capacity: int = Field(default=0)
    status: str = Field(default="active", index=True)
    paused_until: date | None = Field(default=None)
    joined: date = Field(default_factory=date.today)
    left_on: date | None = Field(default=None)
    forgotten_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class MemberHistory(SQLModel, table=True):
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
