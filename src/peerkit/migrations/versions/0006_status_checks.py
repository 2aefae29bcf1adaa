"""Statuses and kinds: a CHECK constraint lists the words each column may hold.

The lists are written out here (not read from peerkit.enums) so that this step stays
what it was when a later version adds a word. A database holding some other word is
not changed: the upgrade stops, names the rows, and the backup taken before it is kept.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from peerkit.errors import PeerkitError

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ALLOWED: dict[str, dict[str, tuple[str, ...]]] = {
    "member": {
        "status": ("active", "paused", "left"),
        "stage": ("idea", "early", "growth", "established"),
    },
    "peer_group": {
        "kind": ("mastermind", "accountability", "mentoring", "learning"),
        "cadence": ("weekly", "biweekly", "monthly"),
        "status": ("active", "archived"),
    },
    "membership": {"role": ("member", "facilitator")},
    "meeting": {"status": ("planned", "cancelled", "done")},
    "attendance": {"status": ("present", "absent")},
    "commitment": {"status": ("open", "done", "dropped")},
    "delivery": {"kind": ("invite", "cancel", "reminder")},
    "mentor_checkin": {"status": ("planned", "cancelled")},
    "community_event": {
        "kind": ("networking", "workshop", "social"),
        "status": ("planned", "cancelled"),
    },
    "rsvp": {"status": ("going", "waitlist", "declined")},
}


def _condition(column: str, allowed: tuple[str, ...]) -> str:
    listed = ", ".join(f"'{value}'" for value in allowed)
    return f"{column} IN ({listed})"


def _refuse_unknown_words() -> None:
    """Stop with the offending values rather than fail half-way with a CHECK error."""
    conn = op.get_bind()
    found = []
    for table, columns in ALLOWED.items():
        for column, allowed in columns.items():
            rows = conn.execute(
                sa.text(
                    f"SELECT {column}, count(*) FROM {table} "
                    f"WHERE NOT ({_condition(column, allowed)}) GROUP BY {column}"
                )
            ).all()
            found += [
                f"{table}.{column} = {value!r} ({n} row{'' if n == 1 else 's'})"
                for value, n in rows
            ]
    if found:
        raise PeerkitError(
            "the database holds words peerkit does not know: "
            + "; ".join(found)
            + ". Change them to one of the known values, then open the database again."
        )


def upgrade() -> None:
    _refuse_unknown_words()
    for table, columns in ALLOWED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, allowed in columns.items():
                batch_op.create_check_constraint(
                    batch_op.f(f"ck_{table}_{column}"), _condition(column, allowed)
                )


def downgrade() -> None:
    for table, columns in ALLOWED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.drop_constraint(batch_op.f(f"ck_{table}_{column}"), type_="check")
