"""What every table shares: the base class, the naming of constraints, column helpers.

Imported before any table (peerkit.models imports it), so that the naming convention is in
place when the first table is made.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

import sqlalchemy as sa
from sqlmodel import Column, Field, SQLModel
from sqlmodel._compat import SQLModelConfig

from peerkit.columns import EnumText as EnumText
from peerkit.columns import UTCDateTime as UTCDateTime
from peerkit.columns import one_of as one_of
from peerkit.columns import stored_as as stored_as
from peerkit.columns import utcnow as utcnow

# Named constraints, so that batch migrations on SQLite can find them again.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _empty() -> list[str]:
    """A new empty list. (A Python function, not `list`: pydantic reads the signature of a
    default factory, and a builtin's costs a tokenizer run, ~5 ms at start-up.)"""
    return []


def _task_uid() -> str:
    """A new commitment's UID, as a meeting's: random, kept for ever (its task in calendars).

    A version-4 UUID from its own random bytes, not from `uuid.uuid4`, which a test pins to
    number the meetings' UIDs: a commitment made between two meetings leaves them as they are.
    """
    import secrets
    import uuid

    return f"{uuid.UUID(bytes=secrets.token_bytes(16), version=4)}@peerkit"


def _today() -> date:
    """Today's date (a Python function, not `date.today`: see `_empty`)."""
    return date.today()


class _Table(SQLModel):
    """The base of every table: pydantic builds a table's validator when one is first used.

    A table model is never validated on construction (SQLModel sets its attributes as they
    are), and the commands validate input with their own rules, so building a validator and
    serialiser for each of the tables when this module is imported (~10 ms, issue 19) is
    deferred: pydantic builds one on a table's first model_validate or model_dump.
    """

    model_config = SQLModelConfig(defer_build=True)


class HasId(Protocol):
    id: int | None


def id_of(row: HasId) -> int:
    """The id of a row that has been flushed (an unflushed row has none yet: a bug)."""
    assert row.id is not None, f"{type(row).__name__} has no id yet: flush it first"
    return row.id


def _fk(target: str, *, ondelete: str = "CASCADE", nullable: bool = False) -> Any:
    """A foreign key to TARGET ("member.id"), indexed."""
    return Field(
        default=None,
        sa_column=Column(
            sa.Integer, sa.ForeignKey(target, ondelete=ondelete), nullable=nullable, index=True
        ),
    )
