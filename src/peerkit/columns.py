"""The column types and constraints the tables are made of (peerkit.models uses them).

Aware UTC datetimes on SQLite and PostgreSQL alike, StrEnums stored as their plain
strings, and the CHECK constraint that keeps a status column to its enum's words.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from functools import cache
from typing import ClassVar

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlmodel import AutoString

from peerkit.enums import values


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


class EnumText(sa.types.TypeDecorator[StrEnum]):
    """A StrEnum stored as its plain string; rows read back as enum members."""

    impl = AutoString
    cache_ok = True
    enum: ClassVar[type[StrEnum]]

    def process_bind_param(self, value: StrEnum | str | None, dialect: Dialect) -> str | None:
        return None if value is None else str(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> StrEnum | None:
        return None if value is None else self.enum(value)


@cache
def stored_as(enum: type[StrEnum]) -> type[EnumText]:
    """The column type for ENUM: text in the database, the enum in Python."""
    return type(f"{enum.__name__}Text", (EnumText,), {"enum": enum, "cache_ok": True})


def one_of(column: str, enum: type[StrEnum]) -> sa.CheckConstraint:
    """CHECK (column IN (...)), named ck_<table>_<column> by the naming convention."""
    listed = ", ".join(f"'{value}'" for value in values(enum))
    return sa.CheckConstraint(f"{column} IN ({listed})", name=column)
