"""Members' answers to invitations, read from their replies (services/replies).

One row per member and meeting, check-in or event: what they answered (accepted, declined,
tentative), the SEQUENCE and DTSTAMP of the reply that said it, whether it came as a
calendar reply (iTIP) or a plain e-mail, its Message-ID and when peerkit read it.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString as Text

from peerkit.models import UTCDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("about", Text(), nullable=False),
        sa.Column("about_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("answer", Text(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("dtstamp", UTCDateTime(), nullable=False),
        sa.Column("source", Text(), nullable=False),
        sa.Column("message_id", Text(), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "about IN ('meeting', 'checkin', 'event')", name=op.f("ck_answer_about")
        ),
        sa.CheckConstraint(
            "answer IN ('accepted', 'declined', 'tentative')", name=op.f("ck_answer_answer")
        ),
        sa.CheckConstraint("source IN ('itip', 'mail')", name=op.f("ck_answer_source")),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_answer_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer")),
        sa.UniqueConstraint("about", "about_id", "member_id", name=op.f("uq_answer_about")),
    )
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_answer_member_id"), ["member_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answer_member_id"))

    op.drop_table("answer")
