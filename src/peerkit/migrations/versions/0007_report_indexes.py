"""Indexes for the reports: the attendance marks of a meeting, read from the index alone.

`peerkit stats` counts in the database (issue 19): for every held meeting it looks up the
marks (present and absent per meeting, each member's marks, a hot seat missed through
absence). With meeting_id, member_id and status in one index, SQLite and PostgreSQL answer
from the index without reading the table. Adding an index changes no row.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES: dict[str, tuple[str, list[str]]] = {
    "ix_attendance_meeting_member_status": ("attendance", ["meeting_id", "member_id", "status"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
