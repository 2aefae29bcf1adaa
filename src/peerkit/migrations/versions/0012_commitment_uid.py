"""A commitment keeps a UID: the one of its task (VTODO) in members' calendars.

Random like a meeting's, and never changed, so that a calendar app replaces the task when
the commitment is done or dropped. Commitments made before this get one here.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString as Text

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("commitment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("uid", Text(), nullable=True))
    conn = op.get_bind()
    table = sa.table("commitment", sa.column("id", sa.Integer()), sa.column("uid", Text()))
    ids = [row[0] for row in conn.execute(sa.select(table.c.id).where(table.c.uid.is_(None)))]
    for start in range(0, len(ids), 500):
        conn.execute(
            table.update().where(table.c.id == sa.bindparam("row_id")),
            [{"row_id": i, "uid": f"{uuid.uuid4()}@peerkit"} for i in ids[start : start + 500]],
        )
    with op.batch_alter_table("commitment", schema=None) as batch_op:
        batch_op.alter_column("uid", existing_type=Text(), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_commitment_uid"), ["uid"])


def downgrade() -> None:
    with op.batch_alter_table("commitment", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_commitment_uid"), type_="unique")
        batch_op.drop_column("uid")
