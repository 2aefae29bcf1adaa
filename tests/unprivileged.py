"""Run a command where file modes are enforced, also when the tests run as root.

Root ignores a file's mode because it holds CAP_DAC_OVERRIDE (and CAP_DAC_READ_SEARCH,
CAP_FOWNER). `setpriv` starts the command without them, still as root: files and folders
the test made (owned by root) keep their owner's bits, so a 0400 file is read-only and a
0500 folder cannot take a new file, exactly as for an organiser's own files. (Switching to
`nobody`, as tests/pg.py does for PostgreSQL, needs the interpreter, the virtualenv and the
test's folders readable by that user; under pyenv in /root they are not.) `runuser -u
nobody` is tried when setpriv cannot be used. Not as root, modes are enforced already.

CI runs as root: there these tests run, never skip. When no way works as root the test
fails and says why.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

DROP_CAPS = [
    "setpriv",
    "--bounding-set=-dac_override,-dac_read_search,-fowner",
    "--inh-caps=-all",
]
NOBODY = ["runuser", "-u", "nobody", "--"]


def prefix() -> list[str]:
    """The command prefix that runs a program with file modes enforced."""
    if os.geteuid() != 0:
        return []
    found = _working_prefix()
    if found is None:
        pytest.fail(
            "running as root, and neither `setpriv` (dropping CAP_DAC_OVERRIDE) nor "
            "`runuser -u nobody` can run Python with file modes enforced: install util-linux"
        )
    return found


@functools.cache
def _working_prefix() -> list[str] | None:
    for candidate in (DROP_CAPS, NOBODY):
        if shutil.which(candidate[0]) and _enforced(candidate):
            return candidate
    return None


def _enforced(candidate: list[str]) -> bool:
    """Whether Python runs under `candidate` and is refused a read-only file."""
    folder = Path(tempfile.mkdtemp(prefix="peerkit-modes-"))
    try:
        folder.chmod(0o755)
        target = folder / "read-only"
        target.write_text("x")
        target.chmod(0o444)
        probe = f"open({str(target)!r}, 'a')"
        done = subprocess.run(
            [*candidate, sys.executable, "-c", probe], capture_output=True, text=True, timeout=60
        )
        return done.returncode != 0 and "PermissionError" in done.stderr
    except (OSError, subprocess.SubprocessError):
        return False
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def peerkit(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`python -m peerkit ARGS` with file modes enforced (the environment is inherited)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run(
        [*prefix(), sys.executable, "-m", "peerkit", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
