"""Alembic environment: used by peerkit.migrations.runner and by `alembic` in development."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context
from sqlmodel import SQLModel

from peerkit import models

models.load_all()

config = context.config
target_metadata = SQLModel.metadata


def _run(connection: sa.Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch mode rebuilds a table with DROP + RENAME; with foreign keys on, dropping a
        # parent cascades to (or is refused by) its children. The pragma only takes effect
        # outside a transaction, so it is set on the driver connection before BEGIN.
        if connection.in_transaction():
            connection.commit()
        connection.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
    connection = connection.execution_options(peerkit_write=True)
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        transactional_ddl=True,
        compare_type=True,
    )
    try:
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                bad = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if bad:
                    raise RuntimeError(f"migration left broken foreign keys: {bad[:5]}")
        if connection.in_transaction():
            connection.commit()
    finally:
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys = ON")  # type: ignore[union-attr]


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    engine = sa.create_engine(url or "sqlite:///peerkit-dev.db")
    with engine.connect() as conn:
        _run(conn)


if context.is_offline_mode():  # pragma: no cover
    raise SystemExit("peerkit migrations run online only")
run_migrations_online()
