"""Domain errors and the one place that turns them into messages and exit codes.

Services raise :class:`PeerkitError` (or a subclass); commands never catch them.
:func:`catch_errors` wraps every command: a domain error becomes ``Error: ...`` on
stderr and exit 1, a :class:`UsageProblem` exit 2, anything unexpected a short
message (with the traceback only when ``PEERKIT_DEBUG=1``).

This module does not import the command-line framework: it ends a command with
``SystemExit(code)``, which Click lets through (and ``CliRunner`` records), and it
tells Typer's and Click's own exceptions apart by their class names.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import NoReturn, ParamSpec, TypeVar

from peerkit.text import terminal_safe

P = ParamSpec("P")
R = TypeVar("R")

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports Ctrl-C
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE
# Typer's and Click's own exceptions (exit, abort, usage errors) go through untouched.
FRAMEWORK_EXCEPTIONS = frozenset(
    {"Exit", "Abort", "TyperException", "ClickException", "UsageError"}
)
FRAMEWORK_PACKAGES = frozenset({"typer", "click"})


class PeerkitError(Exception):
    """The request could not be done (exit 1). The message says what to do."""

    exit_code = 1

    def __init__(self, message: str, *, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class NotFound(PeerkitError):
    """A reference matched nothing."""


class Ambiguous(PeerkitError):
    """A reference matched several things."""


class Conflict(PeerkitError):
    """The change clashes with what is stored (duplicate e-mail, ...)."""


class InvalidValue(PeerkitError):
    """A value given by the user is not acceptable."""


class UsageProblem(PeerkitError):
    """The command line itself is incomplete or contradictory (exit 2)."""

    exit_code = 2


def debug_enabled() -> bool:
    return os.environ.get("PEERKIT_DEBUG", "") not in ("", "0")


def report(err: PeerkitError) -> None:
    """Write a domain error to stderr, made safe for the terminal."""
    lines = [f"Error: {err.message}", *(f"  {d}" for d in err.details)]
    sys.stderr.write("\n".join(terminal_safe(line) for line in lines) + "\n")
    sys.stderr.flush()


BUSY = "another peerkit is writing, try again in a moment (the database stayed busy too long)."
READ_ONLY = (
    "the database is read-only and this command changes it; make it writable, "
    "or run a command that only reads."
)
# SQLite's words, and PostgreSQL's SQLSTATEs: lock_not_available (lock_timeout),
# deadlock_detected, serialization_failure; read_only_sql_transaction.
BUSY_WORDS = ("database is locked", "database is busy", "lock timeout")
BUSY_STATES = frozenset({"55P03", "40P01", "40001"})
READ_ONLY_WORDS = ("attempt to write a readonly database", "read-only transaction")
READ_ONLY_STATES = frozenset({"25006"})


def _database_state(exc: BaseException, text: str) -> str | None:
    """BUSY or READ_ONLY when a database error means one of them (a driver's error is
    wrapped by SQLAlchemy in `orig`)."""
    orig = getattr(exc, "orig", None)
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if state in BUSY_STATES or any(w in text for w in BUSY_WORDS):
        return BUSY
    if state in READ_ONLY_STATES or any(w in text for w in READ_ONLY_WORDS):
        return READ_ONLY
    return None


# PostgreSQL's insufficient_privilege: a GRANT, a row-level security policy, or peerkit's guard
# trigger (which says who may do what, with this hint: peerkit.migrations.access_rules).
DENIED_STATE = "42501"
ACCESS_HINT = "peerkit access list shows who may change what."


def _denied(exc: BaseException) -> str | None:
    """The one line for a change PostgreSQL refused to this login, or None."""
    orig = getattr(exc, "orig", None)
    if (getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)) != DENIED_STATE:
        return None
    diag = getattr(orig, "diag", None)
    said = getattr(diag, "message_primary", None) or str(orig).splitlines()[0]
    if getattr(diag, "message_hint", None) == ACCESS_HINT:
        return f"{said}; {ACCESS_HINT}"
    return (
        f"the database refused this change to your login ({said}); ask an organiser for the "
        f"access it needs: {ACCESS_HINT}"
    )


def _describe_unexpected(exc: BaseException) -> str:
    name = type(exc).__name__
    text = str(exc).splitlines()[0] if str(exc) else ""
    denied = _denied(exc)
    if denied is not None:
        return denied
    known = _database_state(exc, text)
    if known is not None:
        return known
    if isinstance(exc, PermissionError):
        return f"permission denied: {exc.filename or text}. Check the file's owner and mode."
    if isinstance(exc, OSError):
        return f"{text or name}. Check the path and that the disk is writable."
    return (
        f"unexpected internal error ({name}: {text}). "
        "Run again with PEERKIT_DEBUG=1 to see the traceback, and please report it."
    )


def catch_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Decorator for every command: the single exit point for errors."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except PeerkitError as err:
            if debug_enabled():
                raise
            report(err)
            raise SystemExit(err.exit_code) from None
        except KeyboardInterrupt:
            interrupted()
        except BrokenPipeError:
            # The reader went away (`peerkit member list | head`): stop quietly, as cat does.
            _silence_stdout()
            raise SystemExit(EXIT_BROKEN_PIPE) from None
        except Exception as exc:
            if debug_enabled() or _is_click_exception(exc):
                raise
            report(PeerkitError(_describe_unexpected(exc)))
            raise SystemExit(1) from None

    return wrapper


def interrupted() -> NoReturn:
    """Ctrl-C: one line, and the exit code a shell gives a command stopped by SIGINT."""
    sys.stderr.write("Interrupted.\n")
    sys.stderr.flush()
    raise SystemExit(EXIT_INTERRUPTED) from None


def silent_interrupt(stop: SystemExit) -> bool:
    """STOP is Typer's own answer to a Ctrl-C that came outside any command: while the command
    line was parsed, in an option's callback, or as the command's context closed. Typer then
    exits 130 without a word (its `Exit(130)`, raised from the KeyboardInterrupt)."""
    framework = stop.__context__
    return (
        stop.code == EXIT_INTERRUPTED
        and framework is not None
        and type(framework).__name__ in FRAMEWORK_EXCEPTIONS
        and isinstance(framework.__cause__, KeyboardInterrupt)
    )


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - stdout is not a real file
        pass


def _is_click_exception(exc: BaseException) -> bool:
    """Typer's and Click's own exceptions keep their meaning (a usage error exits 2)."""
    return any(
        cls.__name__ in FRAMEWORK_EXCEPTIONS
        and cls.__module__.partition(".")[0] in FRAMEWORK_PACKAGES
        for cls in type(exc).__mro__
    )
