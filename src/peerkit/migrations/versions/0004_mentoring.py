"""Mentoring: mentorships and their planned check-ins.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString as Text

from peerkit.models import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mentorship",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("mentee_id", sa.Integer(), nullable=False),
        sa.Column("topic", Text(), nullable=True),
        sa.Column("started", sa.Date(), nullable=False),
        sa.Column("ended", sa.Date(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mentee_id"],
            ["member.id"],
            name=op.f("fk_mentorship_mentee_id_member"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mentor_id"],
            ["member.id"],
            name=op.f("fk_mentorship_mentor_id_member"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentorship")),
    )
    with op.batch_alter_table("mentorship", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mentorship_mentee_id"), ["mentee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mentorship_mentor_id"), ["mentor_id"], unique=False)

    op.create_table(
        "mentor_checkin",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mentorship_id", sa.Integer(), nullable=False),
        sa.Column("start", UTCDateTime(), nullable=False),
        sa.Column("timezone", Text(), nullable=False),
        sa.Column("duration", sa.Integer(), nullable=False),
        sa.Column("location", Text(), nullable=True),
        sa.Column("status", Text(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("uid", Text(), nullable=False),
        sa.Column("mentor_sent", sa.Integer(), nullable=True),
        sa.Column("mentee_sent", sa.Integer(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mentorship_id"],
            ["mentorship.id"],
            name=op.f("fk_mentor_checkin_mentorship_id_mentorship"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentor_checkin")),
        sa.UniqueConstraint("uid", name=op.f("uq_mentor_checkin_uid")),
    )
    with op.batch_alter_table("mentor_checkin", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mentor_checkin_mentorship_id"), ["mentorship_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_mentor_checkin_start"), ["start"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mentor_checkin", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mentor_checkin_start"))
        batch_op.drop_index(batch_op.f("ix_mentor_checkin_mentorship_id"))

    op.drop_table("mentor_checkin")
    with op.batch_alter_table("mentorship", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mentorship_mentor_id"))
        batch_op.drop_index(batch_op.f("ix_mentorship_mentee_id"))

    op.drop_table("mentorship")
