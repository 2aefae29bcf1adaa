"""Writing files that hold personal data: atomically, and readable by the owner only."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from peerkit.errors import PeerkitError


def write_private(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` via a temporary file and a rename, with mode 0600."""
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
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path
