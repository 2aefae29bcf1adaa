"""The database: engine, transactions, and migrate-on-open.

SQLite connections get foreign keys, WAL, a busy timeout, secure_delete and
full sync; write transactions start with BEGIN IMMEDIATE so that a read-then-write
waits for another writer instead of failing with "database is locked". A file (or
folder) peerkit may not write is opened read-only: reading works, writing is refused.
On PostgreSQL a write transaction takes one advisory lock first, so writers take turns
there too, and a lock waited for longer than the busy timeout is an error.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from peerkit import connections, loading
from peerkit.config import ACTOR_KEY, WRITE_SESSION_HOOKS, Settings, mask_url
from peerkit.connections import ReadOnly
from peerkit.errors import PeerkitError
from peerkit.text import shown_quoted

BUSY_TIMEOUT_MS = connections.BUSY_TIMEOUT_MS


_QUIET = logging.NullHandler()


def make_engine(settings: Settings, access: ReadOnly | None = None) -> Engine:
    # peerkit says what went wrong itself; SQLAlchemy's own log records (a connection it
    # could not close while Ctrl-C stops the command) would print a traceback to stderr.
    logging.getLogger("sqlalchemy").addHandler(_QUIET)
    if not settings.is_sqlite:
        return _server_engine(settings)
    timeout = connections.BUSY_TIMEOUT_MS / 1000
    options: dict[str, Any] = {}
    if access is not None:
        uri = connections.sqlite_uri(settings.db_path, access)
        options["creator"] = lambda: sqlite3.connect(
            uri, uri=True, timeout=timeout, check_same_thread=False
        )
    engine = sa.create_engine(
        settings.url,
        connect_args={"timeout": timeout, "check_same_thread": False},
        poolclass=sa.pool.NullPool,
        **options,
    )
    on_connect = connections.sqlite_on_connect if access is None else connections.sqlite_read_only
    event.listen(engine, "connect", on_connect)
    event.listen(engine, "begin", connections.sqlite_on_begin)
    return engine


def _server_engine(settings: Settings) -> Engine:
    try:
        engine = sa.create_engine(settings.url, pool_pre_ping=True)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as exc:
        raise PeerkitError(
            f"cannot use the database URL {settings.describe_location()}: {exc}. "
            "Install the driver the URL names; for PostgreSQL with psycopg: pip install "
            "'peerkit[postgres]' (from a source checkout: pip install '.[postgres]')."
        ) from None
    if engine.dialect.name == "postgresql":
        event.listen(engine, "connect", connections.pg_on_connect)
        event.listen(engine, "begin", connections.pg_on_begin)
    return engine


class Database:
    """An opened, migrated database."""

    def __init__(self, settings: Settings, engine: Engine, access: ReadOnly | None = None) -> None:
        self.settings = settings
        self.engine = engine
        self.read_only = access
        self._write_engine = engine.execution_options(peerkit_write=True)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def read(self, *, snapshot: bool = False) -> Iterator[Session]:
        """A read-only unit of work (rolled back at the end).

        With SNAPSHOT, every statement sees the database as it was at the first one, and
        connections.beside may read that snapshot on a second connection: on PostgreSQL the
        session is REPEATABLE READ; an SQLite read transaction keeps its snapshot anyway,
        and a connections.Witness, made before the first statement, tells whether a second
        connection reads the same one."""
        with Session(self.engine, expire_on_commit=False) as session:
            witness = None
            if snapshot and self.is_sqlite:
                witness = session.info[connections.WITNESS] = connections.Witness(self.engine)
            elif snapshot:
                session.connection(
                    execution_options={"isolation_level": connections.SNAPSHOT_ISOLATION}
                )
            try:
                yield session
            finally:
                if witness is not None:
                    witness.close()

    def refuse_if_read_only(self, doing: str = "this command changes it") -> None:
        if self.read_only is not None:
            raise PeerkitError(
                f"the database {self.settings.db_path} is read-only ({self.read_only.reason}) "
                f"and {doing}; make it writable, or run a command that only reads."
            )

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: all of its changes are committed, or none."""
        self.refuse_if_read_only()
        with (
            self._refusing_lost_updates() as flushed,
            Session(self._write_engine, expire_on_commit=False) as session,
        ):
            flushed.append(session)
            with session.begin():
                self._opened(session)
                yield session

    @contextmanager
    def dry_run(self) -> Iterator[Session]:
        """A write transaction that is always rolled back: shows what would happen."""
        self.refuse_if_read_only("a dry run tries the changes in it before it undoes them")
        with (
            self._refusing_lost_updates() as flushed,
            Session(self._write_engine, expire_on_commit=False) as session,
        ):
            flushed.append(session)
            session.begin()
            self._opened(session)
            try:
                yield session
                session.flush()
            finally:
                session.rollback()

    @contextmanager
    def _refusing_lost_updates(self) -> Iterator[list[Session]]:
        """An UPDATE that found its row changed since it was read (StaleDataError: two writers
        on a server database) becomes the one-line refusal of :mod:`peerkit.rowversions`."""
        from sqlalchemy.orm.exc import StaleDataError

        from peerkit import rowversions

        sessions: list[Session] = []
        try:
            yield sessions
        except StaleDataError:
            flushed = sessions[0].info.get(rowversions.READ_KEY, []) if sessions else []
            with self.read() as session:
                raise rowversions.stale_conflict(session, flushed) from None

    def _opened(self, session: Session) -> None:
        """A write session: who is acting, and the hooks that watch it (the change log)."""
        session.info[ACTOR_KEY] = self.settings.actor
        for hook in WRITE_SESSION_HOOKS:
            hook(session)

    def checkpoint(self) -> None:
        """Fold the WAL back into the database file and truncate it (SQLite only)."""
        if not self.is_sqlite:
            return
        with self.engine.connect() as conn:
            conn.connection.driver_connection.execute(  # type: ignore[union-attr]
                "PRAGMA wal_checkpoint(TRUNCATE)"
            )

    def vacuum_table(self, table: str) -> None:
        """PostgreSQL keeps dead row versions until VACUUM: remove them now."""
        if self.is_sqlite:
            return
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f'VACUUM "{table}"')

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(
    settings: Settings, *, migrate: bool = True, announce: Callable[[str], None] | None = None
) -> Database:
    """Open (creating if needed) and bring the schema up to date.

    ``announce`` is told, in a sentence, what was done that the user should know (a new
    database file created); this module never prints. A database peerkit may not write is
    opened read-only (see :func:`read_only`).
    """
    access = _open_sqlite_file(settings, announce) if settings.is_sqlite else None
    db = Database(settings, make_engine(settings, access), access)
    if migrate:
        ensure_schema(db)
    loading.loaded()  # the collector runs again (peerkit.loading)
    return db


def _open_sqlite_file(
    settings: Settings, announce: Callable[[str], None] | None
) -> ReadOnly | None:
    path = settings.db_path
    if path.exists() and path.is_dir():
        raise PeerkitError(f"{shown_quoted(str(path))} is a folder, not a database file.")
    created = False
    if not path.exists():
        try:
            created = connections.create_file_private(path, private_dir=path == _default_path())
        except OSError as exc:
            raise PeerkitError(
                f"cannot create the database {shown_quoted(str(path))}: {exc.strerror}. "
                "Choose another place with --db or PEERKIT_DB."
            ) from None
    elif path == _default_path():
        connections.create_file_private(path, private_dir=True)
    access = connections.read_only(path)
    connections.precheck_sqlite(path, access)
    if created and announce is not None:
        # A mistyped --db would otherwise look like an empty community.
        announce(f"Created a new, empty database at {shown_quoted(str(path))}.")
    return access


def _default_path() -> Path:
    from peerkit.config import default_db_path

    return default_db_path()


def current_revision(engine: Engine) -> str | None:
    """The schema revision stored in the database, or None for an empty database."""
    try:
        with engine.connect() as conn:
            row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
    except sa.exc.OperationalError as exc:
        if "no such table" in str(exc):
            return None
        if engine.dialect.name != "sqlite":
            raise _cannot_connect(engine, exc) from None
        raise _not_a_database(engine, exc) from None
    except sa.exc.ProgrammingError:
        return None
    except sa.exc.DatabaseError as exc:
        raise _not_a_database(engine, exc) from None
    return row[0] if row else None


def _shown(engine: Engine) -> str:
    """The URL for a message: its password and secret query values (?password=) masked."""
    return mask_url(engine.url.render_as_string(hide_password=False))


def _cannot_connect(engine: Engine, exc: Exception) -> PeerkitError:
    reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
    return PeerkitError(
        f"cannot connect to {_shown(engine)}: {reason}. "
        "Check the URL, that the server is running, and the password."
    )


def _not_a_database(engine: Engine, exc: Exception) -> PeerkitError:
    return PeerkitError(
        f"cannot read the database {_shown(engine)}: "
        f"{str(exc).splitlines()[0]}. Is it a peerkit database?"
    )


def ensure_schema(db: Database) -> None:
    from peerkit.migrations import HEAD

    current = current_revision(db.engine)
    if current == HEAD:
        return
    if current is None:
        db.refuse_if_read_only("it is empty: peerkit cannot create its tables")
    else:
        db.refuse_if_read_only(f"its schema (revision {current}) needs an upgrade to {HEAD}")
    if current is None and not has_user_tables(db.engine):
        create_fresh(db, HEAD)
        return
    upgrade(db, current)


def create_fresh(db: Database, head: str) -> None:
    """A new, empty database gets the current schema at once, stamped with its revision.

    This is Alembic's documented recipe for new databases (create_all, then stamp); a
    test checks that it gives the same schema as running every migration.
    """
    with db.engine.connect().execution_options(peerkit_write=True) as conn, conn.begin():
        if current_revision_on(conn) is not None:  # another process was first
            return
        create_schema_on(conn, head)


def create_schema_on(conn: sa.Connection, head: str) -> None:
    """Every table of the models, stamped with revision HEAD, in CONN's transaction."""
    from sqlmodel import SQLModel

    from peerkit import models

    models.load_all()
    SQLModel.metadata.create_all(conn)
    conn.exec_driver_sql(
        "CREATE TABLE IF NOT EXISTS alembic_version (version_num VARCHAR(32) NOT NULL, "
        "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
    )
    conn.execute(sa.text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": head})


def current_revision_on(conn: sa.Connection) -> str | None:
    if "alembic_version" not in sa.inspect(conn).get_table_names():
        return None
    row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
    return row[0] if row else None


def upgrade(
    db: Database, current: str | None, extra_version_locations: list[Path] | None = None
) -> Path | None:
    """Migrate to head. An existing SQLite database is backed up first."""
    from peerkit.migrations.runner import known_revisions, run_upgrade

    db.refuse_if_read_only(f"its schema (revision {current or 'none'}) needs an upgrade")
    if current is None and has_user_tables(db.engine):
        raise PeerkitError(
            f"{db.settings.describe_location()} holds tables but is not a peerkit database; "
            "choose another file with --db."
        )
    if current is not None and current not in known_revisions(extra_version_locations):
        raise PeerkitError(
            f"this database is at schema revision '{current}', which this peerkit does not "
            "know: it was written by a newer peerkit. Upgrade peerkit (pip install -U peerkit)."
        )
    backup_path = None
    if current is not None and db.is_sqlite:
        backup_path = backup(db, automatic_backup_path(db.settings.db_path, current))
    run_upgrade(db.engine, extra_version_locations=extra_version_locations)
    return backup_path


def has_user_tables(engine: Engine) -> bool:
    return bool(set(sa.inspect(engine).get_table_names()) - {"alembic_version"})


def automatic_backup_path(db_path: Path, revision: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return db_path.parent / "backups" / f"{db_path.stem}-{stamp}-rev{revision}.db"


def backup(db: Database, dest: Path) -> Path:
    """An online, consistent copy made with SQLite's backup API (mode 0600)."""
    if not db.is_sqlite:
        raise PeerkitError(
            "db backup works on SQLite databases; for PostgreSQL use pg_dump "
            "(for example: pg_dump --format=custom DBNAME > peerkit.dump)."
        )
    dest = dest.expanduser()
    if os.path.lexists(dest):  # a link too: never written through
        raise PeerkitError(f"{dest} already exists; choose another file name.")
    if dest.resolve() == db.settings.db_path.resolve():
        raise PeerkitError("the backup file cannot be the database itself.")
    if not dest.parent.exists():
        dest.parent.mkdir(parents=True, mode=0o700)
    # Created exclusively (mode 0600, never through a link planted under its name).
    fd, name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        # Read without creating anything beside it (a read-only database: as it is read).
        source = connections.inspect_uri(db.settings.db_path)
        src = sqlite3.connect(source, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            target = sqlite3.connect(tmp)
            try:
                src.backup(target)
                target.execute("PRAGMA journal_mode = DELETE")
            finally:
                target.close()
        finally:
            src.close()
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return dest


def list_backups(db_path: Path) -> list[Path]:
    folder = db_path.parent / "backups"
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{db_path.stem}-*.db"))
