"""Community, members and their history.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from peerkit.models import UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Text = AutoString


def upgrade() -> None:
    op.create_table(
        "community",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", Text(), nullable=False),
        sa.Column("timezone", Text(), nullable=False),
        sa.Column("locale", Text(), nullable=False),
        sa.Column("organiser_name", Text(), nullable=True),
        sa.Column("organiser_email", Text(), nullable=True),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community")),
    )
    op.create_table(
        "member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", Text(), nullable=False),
        sa.Column("email", Text(), nullable=True),
        sa.Column("timezone", Text(), nullable=False),
        sa.Column("locale", Text(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("needs", sa.JSON(), nullable=False),
        sa.Column("stage", Text(), nullable=True),
        sa.Column("industry", Text(), nullable=True),
        sa.Column("bio", Text(), nullable=True),
        sa.Column("availability", sa.JSON(), nullable=False),
        sa.Column("mentor_capacity", sa.Integer(), nullable=False),
        sa.Column("status", Text(), nullable=False),
        sa.Column("paused_until", sa.Date(), nullable=True),
        sa.Column("joined", sa.Date(), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("forgotten_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member")),
        sa.UniqueConstraint("email", name=op.f("uq_member_email")),
    )
    op.create_index(op.f("ix_member_status"), "member", ["status"], unique=False)
    op.create_table(
        "member_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("action", Text(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_member_history_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_history")),
    )
    op.create_index(
        op.f("ix_member_history_member_id"), "member_history", ["member_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_member_history_member_id"), table_name="member_history")
    op.drop_table("member_history")
    op.drop_index(op.f("ix_member_status"), table_name="member")
    op.drop_table("member")
    op.drop_table("community")
