"""A meeting keeps the hash of what its invitations said (services/groups/versions.py).

When the invitations of a meeting would say something new, its SEQUENCE moves on, so that
calendars take them as an update. Meetings planned before this have no hash: the next
`plan week` or `invite` keeps one without raising their version.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("meeting") as batch:
        batch.add_column(sa.Column("content_hash", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("meeting") as batch:
        batch.drop_column("content_hash")
