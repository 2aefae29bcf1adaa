"""Who may do what: database logins, their person, role and groups (`peerkit access`).

`access_login` maps a database login (PostgreSQL's current_user) to the person behind it and
their role (organiser, facilitator, viewer); `access_group` holds a facilitator's groups. On
PostgreSQL the row-level security policies and the guard trigger of
`peerkit.migrations.access_rules` are installed on the tables a group owns; on SQLite (one
person's file) nothing is enforced and only the tables are made.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString as Text

from peerkit.migrations import access_rules
from peerkit.models import UTCDateTime

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "access_login",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", Text(), nullable=False),
        sa.Column("name", Text(), nullable=False),
        sa.Column("email", Text(), nullable=True),
        sa.Column("role", Text(), nullable=False),
        sa.Column("created_role", sa.Boolean(), nullable=False),
        sa.Column("granted_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "role IN ('organiser', 'facilitator', 'viewer')", name=op.f("ck_access_login_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_login")),
        sa.UniqueConstraint("login", name=op.f("uq_access_login_login")),
    )
    op.create_table(
        "access_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["login_id"],
            ["access_login.id"],
            name=op.f("fk_access_group_login_id_access_login"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["peer_group.id"],
            name=op.f("fk_access_group_group_id_peer_group"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_group")),
        sa.UniqueConstraint("login_id", "group_id", name=op.f("uq_access_group_login_id")),
    )
    with op.batch_alter_table("access_group", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_group_login_id"), ["login_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_access_group_group_id"), ["group_id"], unique=False)
    access_rules.install(op.get_bind())


def downgrade() -> None:
    access_rules.remove(op.get_bind())
    with op.batch_alter_table("access_group", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_group_group_id"))
        batch_op.drop_index(batch_op.f("ix_access_group_login_id"))
    op.drop_table("access_group")
    op.drop_table("access_login")
