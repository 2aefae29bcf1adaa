"""The AccessLogin table (peerkit.models loads it on first use)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlmodel import Field

from peerkit.enums import AccessRole
from peerkit.models._base import UTCDateTime, _Table, one_of, stored_as, utcnow


class AccessLogin(_Table, table=True):
    """A database login and the person behind it, with their role: what `peerkit access grant`
    gave. On PostgreSQL the row-level security policies read it (login = current_user)."""

    __tablename__: ClassVar[Any] = "access_login"
    __table_args__ = (one_of("role", AccessRole),)

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(unique=True)  # the database role (PostgreSQL: current_user)
    name: str
    email: str | None = Field(default=None)
    role: AccessRole = Field(sa_type=stored_as(AccessRole))
    created_role: bool = Field(default=False)  # peerkit created the role: revoke drops it
    granted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
