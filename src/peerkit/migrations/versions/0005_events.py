"""Events: networking events, workshops and socials, and members" answers (RSVPs).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString as Text

from peerkit.models import UTCDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "community_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", Text(), nullable=False),
        sa.Column("kind", Text(), nullable=False),
        sa.Column("start", UTCDateTime(), nullable=False),
        sa.Column("timezone", Text(), nullable=False),
        sa.Column("duration", sa.Integer(), nullable=False),
        sa.Column("location", Text(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("status", Text(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("uid", Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_event")),
        sa.UniqueConstraint("uid", name=op.f("uq_community_event_uid")),
    )
    with op.batch_alter_table("community_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_community_event_start"), ["start"], unique=False)

    op.create_table(
        "rsvp",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("status", Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("answered_at", UTCDateTime(), nullable=False),
        sa.Column("invited_sequence", sa.Integer(), nullable=True),
        sa.Column("reminded_sequence", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["community_event.id"],
            name=op.f("fk_rsvp_event_id_community_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_rsvp_member_id_member"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rsvp")),
        sa.UniqueConstraint("event_id", "member_id", name=op.f("uq_rsvp_event_id")),
    )
    with op.batch_alter_table("rsvp", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rsvp_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rsvp_member_id"), ["member_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rsvp", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rsvp_member_id"))
        batch_op.drop_index(batch_op.f("ix_rsvp_event_id"))

    op.drop_table("rsvp")
    with op.batch_alter_table("community_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_community_event_start"))

    op.drop_table("community_event")
