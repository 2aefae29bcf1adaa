"""Events, finished: a description, offers from the waitlist with a deadline, cancellations.

An event gets a description (said in its invitations), the hours a member offered a seat
from the waitlist has to accept it (`claim_hours`), and the reason it was cancelled. An
answer gets the deadline of a seat offered to it (`offer_until`) and the member's own
version of the event (`revision`: their invitation withdrawn, or given again, raises the
SEQUENCE of their messages). Events and answers made before this keep their meaning: no
description, no deadline, version 0.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString as Text

from peerkit.models import UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("community_event") as batch:
        batch.add_column(sa.Column("description", Text(), nullable=True))
        batch.add_column(sa.Column("claim_hours", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("cancel_reason", Text(), nullable=True))
    with op.batch_alter_table("rsvp") as batch:
        batch.add_column(sa.Column("offer_until", UTCDateTime(), nullable=True))
        batch.add_column(
            sa.Column("revision", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )


def downgrade() -> None:
    with op.batch_alter_table("rsvp") as batch:
        batch.drop_column("revision")
        batch.drop_column("offer_until")
    with op.batch_alter_table("community_event") as batch:
        batch.drop_column("cancel_reason")
        batch.drop_column("claim_hours")
        batch.drop_column("description")
