"""`member import` of what is not a member CSV: bounded, refused in one line, never hanging.

A file larger than --max-size (100 MB unless raised) or a row of MAX_ROW characters is
refused with exit 1 and the database as it was; a pipe or a device is read up to the limit,
and one that sends nothing is given up (issue 13, item 7).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import peerkit
from peerkit.services.members import csvio, source
from tests.conftest import Cli, assert_error

GOOD = "name,email\nAnna Bianchi,anna@example.com\nBen Jones,ben@example.com\n"
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")


def _export(cli: Cli) -> str:
    return cli.ok("member", "export", "--format", "csv").stdout


@pytest.fixture
def stored(cli: Cli, tmp_path: Path) -> str:
    """A database with two members; what `member export` gives of it."""
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    cli.ok("member", "import", str(good))
    return _export(cli)


def _peerkit(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """peerkit in its own process, with a timeout: a regression must fail, not hang."""
    env = {**os.environ, "PYTHONPATH": str(Path(peerkit.__file__).resolve().parents[1])}
    return subprocess.run(
        [sys.executable, "-c", PROBE, str(db), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


# Runs peerkit, then prints its exit code and its peak memory in MB (VmHWM: ru_maxrss can
# carry the high-water mark of the process that started it).
PROBE = """
import runpy, sys
sys.argv = ["peerkit", "--db", *sys.argv[1:]]
code = 0
try:
    runpy.run_module("peerkit", run_name="__main__")
except SystemExit as exc:
    code = exc.code
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(code, peak // 1024)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_dev_zero_is_refused_at_the_limit_and_creates_no_database(tmp_path: Path) -> None:
    proc = _peerkit(tmp_path / "z.db", "member", "import", "/dev/zero", "--max-size", "2MB")
    assert proc.stdout.split()[0] == "1"
    assert proc.stderr == (
        "Error: /dev/zero is larger than 2 MB, the most member import reads; if it really is "
        "a member CSV, raise the limit with --max-size (e.g. --max-size 1GB).\n"
    )
    assert not (tmp_path / "z.db").exists()


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_dev_zero_with_the_default_limit_in_bounded_memory(tmp_path: Path) -> None:
    """100 MB of zeros read, not held."""
    proc = _peerkit(tmp_path / "z.db", "member", "import", "/dev/zero")
    code, peak_mb = proc.stdout.split()
    assert code == "1"
    assert proc.stderr.startswith("Error: /dev/zero is larger than 100 MB"), proc.stderr
    assert int(peak_mb) < 150
    assert not (tmp_path / "z.db").exists()


def test_a_file_over_the_limit_is_refused_before_it_is_read(
    cli: Cli, tmp_path: Path, stored: str
) -> None:
    big = tmp_path / "big.csv"
    rows = "".join(f"Member {i},m{i}@example.com\n" for i in range(40_000))
    big.write_text("name,email\n" + rows, encoding="utf-8")
    assert big.stat().st_size > 500_000
    result = cli("member", "import", str(big), "--max-size", "500KB")
    assert_error(result, f"{big} is larger than 500 KB", "raise the limit with --max-size")
    assert _export(cli) == stored
    result = cli("member", "import", str(big), "--max-size", "2MB")
    assert result.exit_code == 0, result.stderr
    assert "Added 40000 new members" in result.stderr


@pytest.mark.parametrize("size", ["abc", "0", "-5MB", "12TB", ""])
def test_a_bad_max_size_is_refused(cli: Cli, tmp_path: Path, size: str) -> None:
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    result = cli("member", "import", str(good), "--max-size", size)
    assert_error(result, f"--max-size '{size}': give a size such as 200MB")


@pytest.mark.parametrize(
    ("size", "expected"),
    [("200MB", 200_000_000), ("2gb", 2_000_000_000), ("800 KB", 800_000), ("5", 5_000_000),
     ("1.5G", 1_500_000_000), ("64k", 64_000)],
)  # fmt: skip
def test_max_size_reads_as_disks_count(size: str, expected: int) -> None:
    assert source.parse_size(size) == expected
    assert source.parse_size(source.describe_size(expected).replace(" ", "")) == expected


def test_a_row_too_long_stops_the_import_and_undoes_what_was_written(
    cli: Cli, tmp_path: Path, stored: str
) -> None:
    """After 2,500 good rows (written a batch at a time), a row of 70,000 characters."""
    path = tmp_path / "long.csv"
    rows = "".join(f"Member {i},m{i}@example.com\n" for i in range(2500))
    path.write_text(f"name,email\n{rows}{'x' * 70_000},long@example.com\n", encoding="utf-8")
    result = cli("member", "import", str(path))
    assert_error(result, f"{path}, line 2502: a row of {csvio.MAX_ROW:,} characters or more")
    assert len(result.stderr.splitlines()) == 1
    assert _export(cli) == stored


def test_a_quoted_cell_cannot_make_a_row_endless(cli: Cli, tmp_path: Path, stored: str) -> None:
    """The lines of one row count together: a quote never closed is not read to the end."""
    path = tmp_path / "quote.csv"
    path.write_text('name,email\n"Anna\n' + "more of the same cell\n" * 5000, encoding="utf-8")
    result = cli("member", "import", str(path))
    assert_error(result, f"{path}, line ", "characters or more")
    assert _export(cli) == stored


def test_a_file_without_line_ends_is_not_read_whole(
    cli: Cli, tmp_path: Path, db_path: Path
) -> None:
    path = tmp_path / "zeros.csv"
    path.write_bytes(b"name,email\n" + b"\0" * 3_000_000)
    result = cli("member", "import", str(path))
    assert_error(result, "line 2: a row of 65,536 characters or more")
    assert not db_path.exists()


# --- pipes ------------------------------------------------------------------------------


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "members.fifo"
    os.mkfifo(path)
    return path


@needs_fifo
def test_a_named_pipe_nobody_opens_is_given_up(
    cli: Cli, fifo: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening it does not wait for a writer; reading waits IDLE_SECONDS for one."""
    monkeypatch.setattr(source, "IDLE_SECONDS", 0.3)
    result = cli("member", "import", str(fifo))
    assert_error(result, f"nothing came from {fifo} for 0.3 seconds; gave up.")
    assert not db_path.exists()


@pytest.fixture
def silent_writer(fifo: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A writer that holds the pipe open and sends nothing (given up on after 20 s)."""
    monkeypatch.setattr(source, "IDLE_SECONDS", 0.3)
    fd = os.open(fifo, os.O_RDWR)  # a reader and a writer at once: does not wait
    guard = threading.Timer(20, os.close, (fd,))
    guard.start()
    yield
    guard.cancel()
    with contextlib.suppress(OSError):  # closed already if the guard went off
        os.close(fd)


@needs_fifo
@pytest.mark.usefixtures("silent_writer")
def test_a_pipe_that_sends_nothing_is_given_up(cli: Cli, fifo: Path, stored: str) -> None:
    result = cli("member", "import", str(fifo))
    assert_error(result, f"nothing came from {fifo} for 0.3 seconds; gave up.")
    assert _export(cli) == stored


@needs_fifo
def test_a_pipe_is_read_to_its_end(cli: Cli, fifo: Path) -> None:
    def write() -> None:
        with fifo.open("w", encoding="utf-8") as out:  # waits for the import to open it
            out.write(GOOD)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    result = cli("member", "import", str(fifo))
    writer.join(timeout=30)
    assert result.exit_code == 0, result.stderr
    assert "Added 2 new members" in result.stderr


@needs_fifo
def test_a_pipe_over_the_limit_is_refused(cli: Cli, fifo: Path, db_path: Path) -> None:
    def write() -> None:
        # BrokenPipeError: the import stopped reading
        with contextlib.suppress(BrokenPipeError), fifo.open("w", encoding="utf-8") as out:
            out.write("name,email\n" + "Anna,anna@example.com\n" * 100_000)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    result = cli("member", "import", str(fifo), "--max-size", "100KB")
    assert_error(result, f"{fifo} is larger than 100 KB")
    assert not db_path.exists()
    writer.join(timeout=30)
