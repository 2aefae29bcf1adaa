"""Writing files that hold personal data: atomically, and readable by the owner only."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from peerkit.errors import PeerkitError


def write_private(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` via a temporary file and a rename, with mode 0600."""
    with private_file(path) as (handle, final):
        handle.write(text)
    return final


@contextlib.contextmanager
def private_file(path: Path, *, binary: bool = False) -> Iterator[tuple[IO[Any], Path]]:
    """A file to write bit by bit: (its handle, its path); mode 0600, in place at the end.

    What is written goes to a temporary file in the same folder, renamed over ``path`` only
    when the block ends without an error, so a reader never sees half of it.
    """
    path = path.expanduser()
    if path.is_dir():
        raise PeerkitError(f"{path} is a folder; give a file name.")
    folder = path.parent
    if not folder.exists():
        raise PeerkitError(f"the folder {folder} does not exist; create it first.")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise PeerkitError(f"cannot write in {folder}: {exc.strerror}.") from None
    try:
        handle: IO[Any] = (
            os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")
        )
        with handle:
            yield handle, path
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
