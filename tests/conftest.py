"""Shared fixtures: every test gets its own data and config folders (never the user's)."""

from __future__ import annotations

import functools
import os
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from peerkit.cli import app

FIXED_TODAY = "2026-11-27"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point platformdirs at a private folder and clear peerkit's environment variables."""
    home = tmp_path / "home"
    isolate(monkeypatch, home)
    return home


def isolate(patch: pytest.MonkeyPatch, home: Path) -> None:
    """isolated_env's work, for fixtures built once per module: HOME and the XDG folders in
    HOME (created), no PEERKIT_ variable but the fixed day, no colour, a wide terminal, a
    computer on UTC."""
    for key in [k for k in os.environ if k.startswith("PEERKIT_")]:
        patch.delenv(key)
    home.mkdir()
    patch.setenv("HOME", str(home))
    patch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    patch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    patch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    patch.setenv("PEERKIT_TODAY", FIXED_TODAY)
    patch.setenv("NO_COLOR", "1")
    patch.setenv("COLUMNS", "200")
    patch.setenv("TZ", "UTC")  # the reader's zone: tables add a zone when theirs differs
    time.tzset()


def built_demo(factory: pytest.TempPathFactory) -> Path:
    """The demo community (peerkit demo) in a folder of its own, built in an isolated home:
    the folder holding peerkit.db and its outbox. For fixtures built once per module."""
    folder = factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as patch:
        isolate(patch, folder / "home")
        patch.chdir(folder)
        result = invoke(["demo", "--dir", "built"])
        assert result.exit_code == 0, result.stderr
    return folder / "built"


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


@functools.cache
def click_command() -> Any:
    """The full app's Click command, built once per test session.

    CliRunner.invoke(app) builds the whole command tree from the Typer app on every
    call (most of the suite's time, once); the console script builds it once per process.
    """
    return typer.main.get_command(app)


def invoke(
    argv: Sequence[str], *, input: str | None = None, runner: CliRunner | None = None
) -> Result:
    """Run peerkit in-process, as CliRunner.invoke(app, argv, catch_exceptions=False) does."""
    runner = runner or CliRunner()
    command = click_command()
    code: Any = 0
    with runner.isolation(input=input) as (out, err, _output):
        try:
            command.main(args=list(argv), prog_name=runner.get_default_prog_name(command))
        except SystemExit as exc:
            code = 0 if exc.code is None else exc.code
            if not isinstance(code, int):  # sys.exit("message"): printed, exit 1
                sys.stdout.write(f"{code}\n")
                code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        stdout, stderr = out.getvalue(), err.getvalue()
    return Result(code, _text(stdout, runner), _text(stderr, runner))


def _text(data: bytes, runner: CliRunner) -> str:
    return data.decode(runner.charset, "replace").replace("\r\n", "\n")


class Cli:
    """Runs peerkit in-process against one database file."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, db: bool = True) -> Result:
        argv = (["--db", str(self.db_path)] if db else []) + list(args)
        return invoke(argv, input=input, runner=self.runner)

    def ok(self, *args: str, input: str | None = None) -> Result:
        result = self(*args, input=input)
        assert result.exit_code == 0, (result.stdout, result.stderr)
        return result


# --- assertions shared by the CLI tests ------------------------------------------------


def without_creation_note(stderr: str) -> str:
    """A command that opens a database file that does not exist yet says it created it."""
    first, _, rest = stderr.partition("\n")
    return rest if first.startswith("Created a new, empty database at ") else stderr


def assert_error(result: Result, *fragments: str) -> None:
    """A request that could not be done: exit 1, "Error: ..." on stderr, nothing on stdout."""
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert without_creation_note(result.stderr).startswith("Error: ")
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


def assert_usage_error(result: Result, *fragments: str) -> None:
    """A usage error: exit 2, nothing on stdout, the reason on stderr."""
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Error" in result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "community" / "peerkit.db"


@pytest.fixture
def cli(db_path: Path) -> Cli:
    return Cli(db_path)


@pytest.fixture
def add_member(cli: Cli):  # type: ignore[no-untyped-def]
    """Factory: add a member through the CLI and return their id."""

    counter = iter(range(1, 10_000))

    def make(name: str | None = None, email: str | None = None, *extra: str) -> int:
        n = next(counter)
        name = name or f"Member {n}"
        email = email or f"member{n}@example.com"
        result = cli.ok("member", "add", name, "--email", email, *extra)
        return int(result.stdout.strip())

    return make


# --- PostgreSQL -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A PostgreSQL server URL: PEERKIT_TEST_DATABASE_URL, or a cluster started here."""
    from tests.pg import cluster

    given = os.environ.get("PEERKIT_TEST_DATABASE_URL")
    if given:
        yield given.rsplit("/", 1)[0]
        return
    with cluster() as url:
        if url is None:
            if os.environ.get("PEERKIT_REQUIRE_PG"):
                pytest.fail("PostgreSQL binaries not found, and PEERKIT_REQUIRE_PG is set")
            pytest.skip("PostgreSQL is not installed")
        yield url


@pytest.fixture
def pg_url(pg_server: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, empty database on the test server, dropped afterwards."""
    import re

    import sqlalchemy as sa

    name = "t_" + re.sub(r"\W", "_", request.node.name.lower())[:50]
    admin = sa.create_engine(f"{pg_server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield f"{pg_server}/{name}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()
