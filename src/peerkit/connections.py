"""How peerkit connects: SQLite files (read-write, or read-only) and PostgreSQL servers.

SQLite connections get foreign keys, WAL, a busy timeout, secure_delete and full sync.
A file, or a folder, peerkit may not write is read through a read-only connection
(immutable when there is no write-ahead log to read). A PostgreSQL connection waits for
a lock at most the busy timeout, and a write transaction first takes one advisory lock, so
that writers take turns as they do on SQLite. A report that reads a lot can read one
snapshot through two connections at once (`beside`).
"""

from __future__ import annotations

import os
import re
import sqlite3
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from peerkit.errors import PeerkitError

if TYPE_CHECKING:
    import sqlalchemy as sa
    from sqlmodel import Session

T = TypeVar("T")

BUSY_TIMEOUT_MS = 10_000
# PostgreSQL: the advisory lock every write transaction takes (one writer at a time).
WRITE_LOCK = 0x7065_6572_6B69  # "peerki"


@dataclass(frozen=True)
class ReadOnly:
    """Why an SQLite database can only be read here, and how to open it."""

    reason: str  # "the file is read-only", "its folder is read-only"
    immutable: bool  # no write-ahead log to read: open it as a file that does not change


def read_only(path: Path) -> ReadOnly | None:
    """None when peerkit may write the database file and create its -wal and -shm."""
    if not path.is_file():
        return None
    if not os.access(path, os.W_OK):
        reason = "the file is read-only"
    elif not os.access(path.parent, os.W_OK | os.X_OK):
        reason = "its folder is read-only"
    else:
        return None
    # A WAL database whose folder cannot take a -shm file opens only as "immutable"
    # (https://sqlite.org/wal.html#readonly); with committed pages still in a -wal
    # file it must be read through that file instead.
    wal = Path(f"{path}-wal")
    return ReadOnly(reason, immutable=not (wal.exists() and wal.stat().st_size > 0))


def sqlite_uri(path: Path, access: ReadOnly | None = None) -> str:
    """A read-only URI for the file (immutable when `access` says so)."""
    uri = f"file:{urllib.parse.quote(str(path.absolute()))}?mode=ro"
    return f"{uri}&immutable=1" if access is not None and access.immutable else uri


def inspect_uri(path: Path) -> str:
    """A URI to read an existing file without creating anything: read-write (so the last
    connection folds its -wal back and removes it, as every peerkit does) when allowed."""
    access = read_only(path)
    if access is not None:
        return sqlite_uri(path, access)
    return f"file:{urllib.parse.quote(str(path.absolute()))}?mode=rw"


def sqlite_on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN itself (the driver would use a plain,
    # deferred BEGIN, and too late for PRAGMAs).
    cur = _sqlite_basics(dbapi_conn)
    cur.execute("PRAGMA secure_delete = ON")
    mode = cur.execute("PRAGMA journal_mode").fetchone()[0]
    if mode != "wal":
        cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = FULL")
    cur.close()


def _sqlite_basics(dbapi_conn: sqlite3.Connection) -> sqlite3.Cursor:
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys = ON")
    return cur


def sqlite_read_only(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    cur = _sqlite_basics(dbapi_conn)
    cur.execute("PRAGMA query_only = ON")
    cur.close()


def sqlite_on_begin(conn: sa.Connection) -> None:
    immediate = conn.get_execution_options().get("peerkit_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def pg_on_connect(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"SET lock_timeout = {BUSY_TIMEOUT_MS}")
    cur.close()
    dbapi_conn.commit()


def pg_on_begin(conn: sa.Connection) -> None:
    """A write waits for the writer before it (as BEGIN IMMEDIATE does on SQLite)."""
    if conn.get_execution_options().get("peerkit_write", False):
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")


# The isolation of a read that may share its snapshot (Database.read(snapshot=True)).
SNAPSHOT_ISOLATION = "REPEATABLE READ"
# session.info key: the SQLite Witness of a read(snapshot=True) session.
WITNESS = "peerkit_witness"
_SNAPSHOT_ID = re.compile(r"[0-9A-F]+-[0-9A-F]+(-[0-9]+)?")


class Witness:
    """Whether anyone committed to an SQLite database since it was made.

    A connection of its own that reads `PRAGMA data_version`, which changes when another
    connection commits; it never writes, and reads nothing else. Database.read(snapshot=True)
    makes one before the session's first statement, so an unchanged version after a second
    connection began reading means both read the same snapshot."""

    def __init__(self, engine: sa.Engine) -> None:
        self.dbapi = engine.raw_connection()
        self.version = self._read()

    def _read(self) -> int:
        cur = self.dbapi.cursor()
        try:
            (version,) = cur.execute("PRAGMA data_version").fetchone()
            return int(version)
        finally:
            cur.close()

    def unchanged(self) -> bool:
        return self._read() == self.version

    def close(self) -> None:
        self.dbapi.close()


def beside(session: Session, work: Callable[[sa.Connection], T]) -> Callable[[], T]:
    """Start WORK (statements on a connection) and return how to wait for what it returns.

    In a session of Database.read(snapshot=True), WORK runs in a thread on a second
    connection that reads the session's snapshot: the database answers its statements while
    this process reads the session's. On PostgreSQL the second connection imports the
    snapshot (pg_export_snapshot). On SQLite it begins its own read, and the session's
    Witness says whether anyone committed since the session began: if so, what the thread
    found is dropped and WORK runs again, on the session's connection; so it does when the
    second connection cannot begin (a server that will not import a snapshot). Anywhere
    else, in any other session, and when this process has one processor to run on (the two
    would only take turns), WORK runs at once on the session's connection.
    """
    conn = session.connection()
    dialect = conn.dialect.name
    witness: Witness | None = session.info.get(WITNESS)
    if dialect == "postgresql":
        if conn.get_execution_options().get("isolation_level") != SNAPSHOT_ISOLATION:
            witness = None
    elif dialect != "sqlite":
        witness = None
    if (dialect != "postgresql" and witness is None) or processors() < 2:
        found = work(conn)
        return lambda: found
    import threading

    from sqlalchemy import exc as sa_exc

    begin = _imported_snapshot(conn) if dialect == "postgresql" else _sqlite_read
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            with conn.engine.connect() as other:
                if dialect == "postgresql":
                    other = other.execution_options(isolation_level=SNAPSHOT_ISOLATION)
                try:
                    begin(other)
                except sa_exc.DBAPIError:
                    return  # no second reader here: WORK runs in line
                if witness is not None and not witness.unchanged():
                    return  # a commit came between the two reads: WORK runs in line
                outcome["found"] = work(other)
                other.rollback()
        except BaseException as exc:  # handed to the thread that waits
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="peerkit-beside", daemon=True)
    thread.start()

    def wait() -> T:
        thread.join()
        if "error" in outcome:
            raise outcome["error"]
        if "found" not in outcome:
            return work(conn)
        found: T = outcome["found"]
        return found

    return wait


def processors() -> int:
    """How many processors this process may run on."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)


def _imported_snapshot(conn: sa.Connection) -> Callable[[sa.Connection], None]:
    """How another connection begins reading CONN's snapshot (PostgreSQL)."""
    snapshot = str(conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one())
    if not _SNAPSHOT_ID.fullmatch(snapshot):  # it is written into the statement below
        raise PeerkitError(f"PostgreSQL exported a snapshot peerkit cannot read: {snapshot!r}")

    def begin(other: sa.Connection) -> None:
        other.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")

    return begin


def _sqlite_read(other: sa.Connection) -> None:
    """Begin reading (SQLite takes a read transaction's snapshot at its first read)."""
    other.exec_driver_sql("SELECT count(*) FROM sqlite_schema").scalar_one()


def create_file_private(path: Path, *, private_dir: bool) -> bool:
    """Create an empty database file with mode 0600 (its folder 0700 when we own it).

    Returns whether the file is new.
    """
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    elif private_dir:
        os.chmod(path.parent, 0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def precheck_sqlite(path: Path, access: ReadOnly | None) -> None:
    """Refuse, without touching it, a file that is not a peerkit database."""
    if path.stat().st_size == 0:
        return
    try:
        conn = sqlite3.connect(sqlite_uri(path, access), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
        finally:
            conn.close()
    except sqlite3.OperationalError as exc:
        if "unable to open" not in str(exc) and "readonly" not in str(exc):
            raise _not_peerkit(path, exc) from None
        raise PeerkitError(
            f"cannot open the database {path} ({exc}): check that you may read it and its "
            "folder (a -wal file beside a read-only database needs its -shm file too)."
        ) from None
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:  # bytes that are not text
        raise _not_peerkit(path, exc) from None
    if tables and "alembic_version" not in tables:
        raise PeerkitError(
            f"{path} holds tables but is not a peerkit database; choose another file with --db."
        )


def _not_peerkit(path: Path, exc: Exception) -> PeerkitError:
    return PeerkitError(
        f"{path} is not a peerkit database, or it is damaged ({exc}); choose another file "
        "with --db, or check it with peerkit db check."
    )
