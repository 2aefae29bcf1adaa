"""A group may take two or three slots in turn (`--rotate-slots`), so that the early and late
meetings of a group across time zones are shared (services/groups/fairness.py).

Existing groups keep their one slot: an empty list.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("peer_group") as batch:
        batch.add_column(
            sa.Column("rotate_slots", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("peer_group") as batch:
        batch.drop_column("rotate_slots")
