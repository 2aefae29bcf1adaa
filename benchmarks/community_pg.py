"""The generated community (benchmarks/community.py) in a PostgreSQL database (issue 19, item 5).

    python benchmarks/community.py --url postgresql+psycopg://postgres@127.0.0.1:5432/big \\
        --members 700 --groups 100

The same rows as the SQLite database of the same size and seed: the schema comes from
peerkit's own models and migrations (``open_database`` with the URL), the rows go in with one
``COPY`` per table in one transaction, then the sequences are moved past the ids given and
the tables are vacuumed and analysed, as a database in use would be. The database is created
when it does not exist; one that already holds rows is refused.

The values are those the SQLite build writes: UTC times as text (read as UTC: the session's
time zone is UTC), dates as ISO text, booleans as 0 and 1, JSON as its text.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from community_rows import COLUMNS, Tables


def build_postgres(url: str, tables: Tables) -> dict[str, int]:
    """Create the community in the PostgreSQL database at URL; the rows of each table."""
    import sqlalchemy as sa

    from peerkit.config import Settings
    from peerkit.db import open_database

    target = sa.make_url(url)
    _create_database(target)
    db = open_database(Settings(db_path=Path(os.devnull), database_url=url))  # the URL wins
    try:
        with db.engine.connect() as conn:
            if conn.exec_driver_sql("SELECT count(*) FROM member").scalar():
                raise SystemExit(f"{target.database} holds members already; give a new database")
        _copy_rows(db.engine, tables)
    finally:
        db.dispose()
    return {table: len(rows) for table, rows in tables.rows.items()}


def _create_database(target: Any) -> None:
    """CREATE DATABASE, through the server's `postgres` database, unless it exists."""
    import sqlalchemy as sa

    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            found = conn.exec_driver_sql(
                "SELECT 1 FROM pg_database WHERE datname = %(name)s", {"name": target.database}
            ).first()
            if found is None:
                conn.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
    finally:
        admin.dispose()


def _copy_rows(engine: Any, tables: Tables) -> None:
    """One COPY per table, in one transaction; then the sequences, VACUUM and ANALYZE."""
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cur:
            cur.execute("SET TIME ZONE 'UTC'")
            for table, columns in COLUMNS.items():
                with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in tables.rows[table]:
                        copy.write_row(row)
                if "id" in columns:
                    cur.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                    )
        raw.commit()
        raw.driver_connection.autocommit = True  # VACUUM runs outside a transaction
        with raw.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    finally:
        raw.close()
