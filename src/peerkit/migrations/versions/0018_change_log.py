"""The change log: who changed what in the community's record, and when.

One row per change (services/common/changelog.py): when (UTC), by whom (the actor's label and
e-mail), what was done (create, change, delete, or a named action), to which entity and row,
which member and group it is about (indexed, for filtering and erasure; no foreign keys: an
entry outlives its row), and the changed fields before and after, as JSON.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString as Text

from peerkit.models import UTCDateTime

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "change_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("by", Text(), nullable=True),
        sa.Column("by_email", Text(), nullable=True),
        sa.Column("action", Text(), nullable=False),
        sa.Column("entity", Text(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_log")),
    )
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_change_log_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_change_log_member_id"), ["member_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_change_log_member_id"))
        batch_op.drop_index(batch_op.f("ix_change_log_group_id"))

    op.drop_table("change_log")
