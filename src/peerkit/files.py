"""Writing files: whole or not at all, never through a link, private when they hold people's data.

Every file peerkit creates is written to a temporary file in the same folder (created
exclusively, so a link planted under its name is never followed) and renamed into place
when it is complete, so a reader never sees half of it. What is already at the path is
looked at without following links: a symbolic link is refused (peerkit never writes through
one, nor replaces it), a read-only file is left alone, and an existing file is replaced only
when the caller says so (``overwrite``, the commands' ``--force``).

A link to a *folder* on the way to the file is followed: that is where the person chose to
write (``--out ~/Dropbox/outbox``). The folders peerkit creates are its own.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from peerkit.errors import PeerkitError

PRIVATE = 0o600  # addresses, names, notes: the owner only
PUBLIC = 0o644  # a page meant to be published, a template

EXISTS = "{path} already exists; choose another file name, or add --force to replace it."
LINK = "{path} is a symbolic link; peerkit never writes through one: give the file's real name."
READ_ONLY = "{path} is read-only; peerkit leaves it alone: make it writable or choose another name."


def write_private(path: Path, text: str, *, durable: bool = True, overwrite: bool = True) -> Path:
    """Write ``text`` to ``path`` via a temporary file and a rename, with mode 0600.

    ``durable`` flushes the file to the disk before the rename (an fsync): what a person
    asked for by name. Files that peerkit regenerates on every run (the outbox) skip it;
    the rename alone keeps them whole.
    """
    with new_file(path, durable=durable, overwrite=overwrite) as (handle, final):
        handle.write(text)
    return final


def private_file(
    path: Path, *, binary: bool = False, overwrite: bool = True
) -> contextlib.AbstractContextManager[tuple[IO[Any], Path]]:
    """A file to write bit by bit: (its handle, its path); mode 0600, in place at the end."""
    return new_file(path, binary=binary, overwrite=overwrite)


@contextlib.contextmanager
def new_file(
    path: Path,
    *,
    mode: int = PRIVATE,
    binary: bool = False,
    overwrite: bool = True,
    durable: bool = True,
) -> Iterator[tuple[IO[Any], Path]]:
    """A file to write bit by bit: (its handle, its path), renamed over ``path`` only when
    the block ends without an error. ``overwrite=False`` refuses a file already there
    (also one that appears while this one is being written)."""
    path = path.expanduser()
    check_target(path, overwrite=overwrite)
    fd, tmp = _temporary(path, mode)
    try:
        handle: IO[Any] = (
            os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")
        )
        with handle:
            yield handle, path
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        _place(tmp, path, overwrite=overwrite)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    if durable:
        _sync_folder(path.parent)


def check_target(path: Path, *, overwrite: bool) -> None:
    """Refuse, before anything is written, a path peerkit must not write to."""
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        found = None
    except OSError as exc:
        raise PeerkitError(f"cannot write {path}: {exc.strerror}.") from None
    if found is None:
        _check_folder(path.parent)
    elif stat.S_ISLNK(found.st_mode):
        raise PeerkitError(LINK.format(path=path))
    elif stat.S_ISDIR(found.st_mode):
        raise PeerkitError(f"{path} is a folder; give a file name.")
    elif not stat.S_ISREG(found.st_mode):
        raise PeerkitError(f"{path} is not a regular file; give a file name.")
    elif not overwrite:
        raise PeerkitError(EXISTS.format(path=path))
    elif not os.access(path, os.W_OK):
        raise PeerkitError(READ_ONLY.format(path=path))


def _check_folder(folder: Path) -> None:
    if not folder.exists():
        raise PeerkitError(f"the folder {folder} does not exist; create it first.")
    if not folder.is_dir():
        raise PeerkitError(f"cannot write in {folder}: it is not a folder.")


def _temporary(path: Path, mode: int) -> tuple[int, str]:
    """A new file beside ``path``: created exclusively (O_EXCL, never through a link)."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise PeerkitError(f"cannot write in {path.parent}: {exc.strerror}.") from None
    os.fchmod(fd, mode)
    return fd, tmp


def _place(tmp: str, path: Path, *, overwrite: bool) -> None:
    """Rename the finished file into place; without ``overwrite``, only where nothing is."""
    try:
        if overwrite:
            os.replace(tmp, path)  # replaces the name itself: a link is not followed
            return
        try:
            os.link(tmp, path, follow_symlinks=False)  # fails if anything is there
        except FileExistsError:
            raise PeerkitError(EXISTS.format(path=path)) from None
        except OSError:  # a file system without hard links: check, then rename
            if os.path.lexists(path):
                raise PeerkitError(EXISTS.format(path=path)) from None
            os.replace(tmp, path)
            return
        os.unlink(tmp)
    except PeerkitError:
        raise
    except OSError as exc:
        raise PeerkitError(f"cannot write {path}: {exc.strerror}.") from None


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (where the system allows opening a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def cache_folder(name: str) -> Path:
    """peerkit's cache folder NAME: ~/.cache/peerkit/NAME on Linux (or under $XDG_CACHE_HOME),
    what platformdirs says elsewhere. Not made here (see private_folder)."""
    from platformdirs import user_cache_path

    return user_cache_path("peerkit") / name


def private_folder(folder: Path) -> None:
    """Make FOLDER and whichever of its parents are missing, each readable by its owner only
    (0700); folders that exist (the organiser's own --out, the user's ~/.cache) are left as
    they are."""
    if folder.is_dir():  # so are its parents: nothing to make (the usual case)
        return
    missing = [p for p in [folder, *folder.parents] if not p.exists()]
    for path in reversed(missing):
        path.mkdir(mode=0o700, exist_ok=True)


def write_folder(folder: Path, files: list[tuple[str, bytes]], *, mode: int = PRIVATE) -> bool:
    """Make FOLDER, which is not there yet, holding FILES (name, content), whole or not at all.

    The files are written into a new temporary folder beside it (made exclusively, mode
    0700, as :func:`tempfile.mkdtemp` makes it), each created exclusively and written in
    one go, and the folder is renamed into place when all are complete: one rename for the
    folder instead of a temporary file and a rename for each file, and a crash leaves no
    half file under a final name (only the hidden temporary folder). False, with nothing
    written, when something appeared at FOLDER meanwhile: the caller writes file by file.
    """
    folder = folder.expanduser()
    try:
        tmp = tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.", suffix=".tmp")
    except OSError as exc:
        raise PeerkitError(f"cannot write in {folder.parent}: {exc.strerror}.") from None
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    try:
        for name, data in files:
            fd = os.open(os.path.join(tmp, name), flags, mode)
            try:
                if mode & _umask():
                    os.fchmod(fd, mode)  # the mode itself, whatever the umask takes away
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
            finally:
                os.close(fd)
        try:
            os.rename(tmp, folder)  # a folder, a file or a link there now: refused
        except OSError as exc:
            if os.path.lexists(folder):
                shutil.rmtree(tmp, ignore_errors=True)
                return False
            raise PeerkitError(f"cannot write {folder}: {exc.strerror}.") from None
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise PeerkitError(f"cannot write in {folder.parent}: {exc.strerror}.") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return True


@functools.cache
def _umask() -> int:
    """The process's umask (read once: reading it means setting it and putting it back)."""
    found = os.umask(0o077)
    os.umask(found)
    return found
