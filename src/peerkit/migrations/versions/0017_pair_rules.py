"""Pair rules: two members `mentor match` and `group form` always put together or never.

One row per two members (member_a the smaller id): the kind (must or never) and a note
saying where the rule came from.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString as Text

from peerkit.models import UTCDateTime

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pair_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_a", sa.Integer(), nullable=False),
        sa.Column("member_b", sa.Integer(), nullable=False),
        sa.Column("kind", Text(), nullable=False),
        sa.Column("note", Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('must', 'never')", name=op.f("ck_pair_rule_kind")),
        sa.ForeignKeyConstraint(
            ["member_a"],
            ["member.id"],
            name=op.f("fk_pair_rule_member_a_member"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_b"],
            ["member.id"],
            name=op.f("fk_pair_rule_member_b_member"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pair_rule")),
        sa.UniqueConstraint("member_a", "member_b", name=op.f("uq_pair_rule_member_a")),
    )
    with op.batch_alter_table("pair_rule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pair_rule_member_a"), ["member_a"], unique=False)
        batch_op.create_index(batch_op.f("ix_pair_rule_member_b"), ["member_b"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pair_rule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pair_rule_member_b"))
        batch_op.drop_index(batch_op.f("ix_pair_rule_member_a"))

    op.drop_table("pair_rule")
