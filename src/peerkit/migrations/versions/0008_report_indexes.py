"""More indexes for the reports: held meetings and commitments, read from the index alone.

`peerkit stats` (issue 19) finds the held meetings of the active groups (group, status 'done',
up to a day) in every one of its queries, and counts the commitments per group, member and
status. With those columns in one index each, SQLite answers from the index without reading
the table, and in the order its GROUP BY needs (EXPLAIN QUERY PLAN: "USING COVERING INDEX").
Adding an index changes no row.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES: dict[str, tuple[str, list[str]]] = {
    "ix_meeting_group_status_slot": ("meeting", ["group_id", "status", "slot_date"]),
    "ix_commitment_group_member_status": ("commitment", ["group_id", "member_id", "status"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
