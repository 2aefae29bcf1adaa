"""Holidays and breaks: the community's holiday countries, each group's choice, the breaks.

The community gets the countries (and regions) whose public holidays planning respects
(`holidays`, "IT,GB-ENG"; none before this). A group gets what its meeting does on such a
day (`on_holiday`: skip, next-day or previous-day; skip for the groups made before this).
A break is a span of days without meetings, of the whole community or of one group.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString as Text

from peerkit.models import UTCDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("community") as batch:
        batch.add_column(sa.Column("holidays", Text(), nullable=True))
    with op.batch_alter_table("peer_group") as batch:
        batch.add_column(
            sa.Column("on_holiday", Text(), nullable=False, server_default=sa.text("'skip'"))
        )
        batch.create_check_constraint(
            "on_holiday", "on_holiday IN ('skip', 'next-day', 'previous-day')"
        )
    op.create_table(
        "community_break",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("reason", Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("start_date <= end_date", name=op.f("ck_community_break_dates")),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["peer_group.id"],
            name=op.f("fk_community_break_group_id_peer_group"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_break")),
    )
    with op.batch_alter_table("community_break") as batch:
        batch.create_index(batch.f("ix_community_break_group_id"), ["group_id"], unique=False)
        batch.create_index(batch.f("ix_community_break_start_date"), ["start_date"], unique=False)


def downgrade() -> None:
    op.drop_table("community_break")
    with op.batch_alter_table("peer_group") as batch:
        batch.drop_constraint("on_holiday", type_="check")
        batch.drop_column("on_holiday")
    with op.batch_alter_table("community") as batch:
        batch.drop_column("holidays")
