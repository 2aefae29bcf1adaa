"""Row versions: how many times a row people edit was changed, by whom and when.

The rows people edit by read-modify-write (members, groups, meetings, commitments,
mentorships, events, the community) get `version` (existing rows: 1), `changed_by` (the
label of who changed it, unknown for existing rows) and `changed_at` (UTC, unknown for
existing rows). See peerkit.rowversions.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString as Text

from peerkit.models import UTCDateTime

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "community",
    "member",
    "peer_group",
    "meeting",
    "commitment",
    "mentorship",
    "community_event",
)


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1"))
            )
            batch.add_column(sa.Column("changed_by", Text(), nullable=True))
            batch.add_column(sa.Column("changed_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("changed_at")
            batch.drop_column("changed_by")
            batch.drop_column("version")
