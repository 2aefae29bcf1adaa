"""The Membership table (peerkit.models loads it on first use)."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Field

from peerkit.enums import Role
from peerkit.models import group, member  # noqa: F401  (the tables its foreign keys name)
from peerkit.models._base import _fk, _Table, one_of, stored_as


class Membership(_Table, table=True):
    """A member's place in a group; kept (with left_on) when they leave it."""

    __tablename__: ClassVar[Any] = "membership"
    __table_args__ = (sa.UniqueConstraint("group_id", "member_id"), one_of("role", Role))

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = _fk("peer_group.id")
    member_id: int = _fk("member.id")
    role: Role = Field(default=Role.MEMBER, sa_type=stored_as(Role))
    rotates: bool = Field(default=False)  # opts in to facilitate and keep time in turn
    joined: date
    left_on: date | None = Field(default=None)
