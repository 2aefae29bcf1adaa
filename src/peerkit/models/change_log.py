"""The ChangeLog table (peerkit.models loads it on first use)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlmodel import JSON, Column, Field

from peerkit.models._base import UTCDateTime, _Table, utcnow


class ChangeLog(_Table, table=True):
    """One change to the community's record: who made it, when, and what it changed
    (services/common/changelog.py writes it in the same transaction as the change)."""

    __tablename__: ClassVar[Any] = "change_log"

    id: int | None = Field(default=None, primary_key=True)
    # newest first is by id (the order they were written in): `at` needs no index
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    by: str | None = Field(default=None)  # the actor's label, "Name <email>"
    by_email: str | None = Field(default=None)
    action: str  # create, change, delete, or a named action (forget, import)
    entity: str  # member, group, membership, meeting, ... (changelog.ENTITIES)
    entity_id: int | None = Field(default=None)
    # what the entry is about, for `peerkit log --member/--group` and for erasure: no foreign
    # key, an entry outlives the row it is about
    member_id: int | None = Field(default=None, index=True)
    group_id: int | None = Field(default=None, index=True)
    # the changed fields only (the whole row on create and delete)
    before: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )
    after: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )
