"""Where the bytes of a member CSV come from: a file, a pipe or a device, within a size.

A regular file larger than the limit is refused before a byte is read; a pipe or a device
(process substitution, /dev/stdin, /dev/zero) is copied into a private temporary file as
it comes, up to the limit, so that the reader can go over it twice. Nothing waits forever:
opening does not wait for a pipe's writer, and a pipe that sends nothing for a while is
given up.
"""

from __future__ import annotations

import os
import re
import select
import stat
import sys
import tempfile
from pathlib import Path
from typing import BinaryIO

from peerkit.errors import InvalidValue, PeerkitError

CHUNK = 1 << 20  # bytes read at a time
MAX_BYTES = 100_000_000  # the largest file read, unless --max-size raises it (100 MB)
IDLE_SECONDS = 30.0  # a pipe or a device that sends nothing for this long is given up


def parse_size(text: str) -> int:
    """--max-size: bytes, from '500MB', '2GB', '800KB' or a plain number of megabytes.

    A kilobyte is 1,000 bytes, a megabyte 1,000,000, as disks count them.
    """
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?)b?\s*", text, re.IGNORECASE)
    if not found or float(found[1]) <= 0:
        raise InvalidValue(f"--max-size '{text}': give a size such as 200MB, 2GB or 800KB.")
    unit = {"k": 1_000, "m": 1_000_000, "g": 1_000_000_000, "": 1_000_000}
    return max(1, int(float(found[1]) * unit[found[2].lower()]))


def describe_size(size: int) -> str:
    """'100 MB', '1.5 GB', '800 KB': a size as --max-size takes it."""
    for unit, scale in (("GB", 1_000_000_000), ("MB", 1_000_000), ("KB", 1_000)):
        if size >= scale:
            return f"{size / scale:.4g} {unit}"
    return f"{size} bytes"


def too_large(path: Path, limit: int) -> PeerkitError:
    return PeerkitError(
        f"{path} is larger than {describe_size(limit)}, the most member import reads; "
        "if it really is a member CSV, raise the limit with --max-size (e.g. --max-size 1GB)."
    )


def open_limited(path: Path, limit: int) -> BinaryIO:
    """The file to read. A regular file larger than LIMIT is refused before a byte is read;
    a pipe or a device is copied into a private temporary file as it comes, up to LIMIT.

    Opening does not wait for a pipe's writer, and reading gives up on a pipe or a device
    that sends nothing for IDLE_SECONDS: an import never hangs.
    """
    fd = _descriptor(path)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise PeerkitError(f"{path} is a folder; give a CSV file.")
        if stat.S_ISREG(info.st_mode):
            if info.st_size > limit:
                raise too_large(path, limit)
            os.set_blocking(fd, True)
            return os.fdopen(fd, "rb")  # which closes FD from now on
    except BaseException:
        os.close(fd)
        raise
    try:
        return _spool(fd, path, limit)
    finally:
        os.close(fd)


def _descriptor(path: Path) -> int:
    try:
        return os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise PeerkitError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise PeerkitError(f"{path} is a folder; give a CSV file.") from None
    except OSError as exc:
        raise PeerkitError(f"cannot read {path}: {exc.strerror}") from None


def _spool(fd: int, path: Path, limit: int) -> BinaryIO:
    """What a pipe or a device sends until its end, in a temporary file (mode 0600, no name)."""
    spool = tempfile.TemporaryFile(prefix="peerkit-import-")  # noqa: SIM115
    try:
        size = 0
        while chunk := _read_waiting(fd, path):
            size += len(chunk)
            if size > limit:
                raise too_large(path, limit)
            spool.write(chunk)
        spool.seek(0)
    except OSError as exc:  # the temporary folder is full, or gone
        spool.close()
        raise PeerkitError(f"cannot keep a copy of {path} to read: {exc.strerror}") from None
    except BaseException:
        spool.close()
        raise
    return spool


def _read_waiting(fd: int, path: Path) -> bytes:
    """The next bytes of a pipe or a device (b"" at its end), waiting IDLE_SECONDS at most.

    A named pipe that no program opens to write to is given up after IDLE_SECONDS too.
    """
    while True:
        if sys.platform != "win32":  # pragma: no branch - select takes only sockets there
            ready, _, _ = select.select([fd], [], [], IDLE_SECONDS)
            if not ready:
                raise PeerkitError(
                    f"nothing came from {path} for {IDLE_SECONDS:g} seconds; gave up."
                )
        try:
            return os.read(fd, CHUNK)
        except BlockingIOError:  # pragma: no cover - select said there was something
            continue
        except OSError as exc:
            raise PeerkitError(f"cannot read {path}: {exc.strerror}") from None
