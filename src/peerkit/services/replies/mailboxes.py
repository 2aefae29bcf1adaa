"""Where replies are read from: .eml and .ics files, folders of them, maildirs and mbox files.

A folder with cur/ and new/ is a maildir (every message in it, in the order of their
names); any other folder is read for its .eml and .ics files (not its sub-folders). A file
is an mbox when it starts with "From ", a calendar when it starts with BEGIN:VCALENDAR, else
one e-mail. Each message is read up to MAX_MESSAGE bytes and one byte more (a bigger one is
refused, not read whole); nothing is written, and the mailboxes are only read.
"""

from __future__ import annotations

import mailbox
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from peerkit.errors import InvalidValue
from peerkit.services.replies.outcome import MAX_MESSAGE, Source

FILE_SUFFIXES = (".eml", ".ics")
_CALENDAR_START = b"BEGIN:VCALENDAR"


def check_paths(paths: list[Path]) -> None:
    """Refuse, before anything is read, a path that is no file or folder."""
    for path in paths:
        if not path.exists():
            raise InvalidValue(f"{path}: no such file or folder.")
        if not (path.is_file() or path.is_dir()):
            raise InvalidValue(f"{path} is neither a file nor a folder: give files or folders.")


def sources(paths: list[Path]) -> Iterator[Source]:
    """Every message under PATHS, in order (check_paths first)."""
    check_paths(paths)
    for path in paths:
        if path.is_dir():
            yield from _folder(path)
        else:
            yield from _file(path)


def _folder(path: Path) -> Iterator[Source]:
    if (path / "cur").is_dir() and (path / "new").is_dir():
        yield from _maildir(path)
        return
    for entry in sorted(os.scandir(path), key=lambda e: e.name):
        if entry.name.lower().endswith(FILE_SUFFIXES) and entry.is_file():
            yield from _file(Path(entry.path))


def _file(path: Path) -> Iterator[Source]:
    with path.open("rb") as handle:
        start = handle.read(64)
        if start.startswith(b"From "):
            handle.close()
            yield from _mbox(path)
            return
        handle.seek(0)
        raw = _bounded(handle)
    head = start.lstrip(b"\xef\xbb\xbf \t\r\n")
    calendar = head[: len(_CALENDAR_START)].upper() == _CALENDAR_START
    yield Source(str(path), raw, calendar_file=calendar)


def _bounded(handle: IO[bytes] | Any) -> bytes:
    """At most MAX_MESSAGE + 1 bytes: enough to tell that a message is too big."""
    return bytes(handle.read(MAX_MESSAGE + 1))


def _maildir(path: Path) -> Iterator[Source]:
    box = mailbox.Maildir(path, factory=None, create=False)
    for key in sorted(box.keys()):
        handle = box.get_file(key)
        try:
            raw = _bounded(handle)
        finally:
            handle.close()
        yield Source(f"{path}:{key}", raw)


def _mbox(path: Path) -> Iterator[Source]:
    box = mailbox.mbox(path, factory=None, create=False)
    try:
        for number, key in enumerate(box.keys(), start=1):
            handle = box.get_file(key)
            try:
                raw = _bounded(handle)
            finally:
                handle.close()
            yield Source(f"{path}#{number}", raw)
    finally:
        box.close()
