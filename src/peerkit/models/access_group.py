"""The AccessGroup table (peerkit.models loads it on first use)."""

from __future__ import annotations

from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Field

from peerkit.models import access_login, group  # noqa: F401  (the tables its foreign keys name)
from peerkit.models._base import _fk, _Table


class AccessGroup(_Table, table=True):
    """A group a facilitator's login may change."""

    __tablename__: ClassVar[Any] = "access_group"
    __table_args__ = (sa.UniqueConstraint("login_id", "group_id"),)

    id: int | None = Field(default=None, primary_key=True)
    login_id: int = _fk("access_login.id")
    group_id: int = _fk("peer_group.id")
