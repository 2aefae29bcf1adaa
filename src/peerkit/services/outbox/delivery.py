"""The path every message takes: the folder it is written to, the server, the record of sending.

Nothing here knows what a message is about: invitations, reminders, check-ins and event
messages are written with :func:`write` and sent with :func:`send`, which records what the
server accepted even when a later message fails, so a retry sends only the rest.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from peerkit import mail
from peerkit.errors import InvalidValue, PeerkitError
from peerkit.files import private_folder, write_folder, write_private
from peerkit.models import utcnow
from peerkit.services.outbox import ledger
from peerkit.services.outbox.message import Message

if TYPE_CHECKING:
    from peerkit.db import Database

# How a service that must check something first opens the database (only then).
Opener = Callable[[], "Database"]

NO_SERVER = (
    "--send needs a mail server: set PEERKIT_SMTP_URL (e.g. smtp+starttls://you@host:587) "
    "or smtp_url in config.toml."
)


def smtp_target(url: str | None) -> mail.SmtpTarget:
    """The server to send through, from the URL in the settings (refused before any work)."""
    if not url:
        raise PeerkitError(NO_SERVER)
    return mail.parse_smtp_url(url)


@dataclass(frozen=True)
class Place:
    """Where files go: the folder the user gave (--out), else one under the outbox."""

    out: Path | None
    outbox: Path

    def folder(self, *default: str) -> Path:
        return (self.out or self.outbox.joinpath(*default)).expanduser()


def check_folder(folder: Path) -> None:
    """Refuse, before anything is written, a folder that cannot be made (a file on its path)."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise InvalidValue(f"cannot write to {folder}: {existing} is not a folder.")


@dataclass
class Output:
    """Where files go, and whether to write them: a file whose content is the same is
    left alone, so a second run changes nothing."""

    folder: Path
    dry_run: bool = False
    warnings: list[str] = field(default_factory=list)

    def put(self, path: Path, data: bytes | str) -> dict[str, str]:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        try:
            # A symbolic link is never "the same": writing refuses it (files.py).
            same = not path.is_symlink() and path.read_bytes() == text.encode("utf-8")
        except OSError:
            same = False
        if same:
            status = "unchanged"
        elif self.dry_run:
            status = "would write"
        else:
            _private_dirs(path.parent, self.folder)
            write_private(path, text, durable=False)
            status = "written"
        return {"path": str(path), "status": status}

    def put_new(self, folder: Path, files: list[tuple[Path, bytes]]) -> list[dict[str, str]] | None:
        """FILES, each in FOLDER, written at once when FOLDER is not there yet (the weekly
        run's usual case: files.write_folder, whole or not at all); None when it is there,
        on a dry run, or when something appears there meanwhile: then `put` them one by one."""
        names = [path.name for path, _data in files]
        if (
            self.dry_run
            or os.path.lexists(folder)
            or len(set(names)) != len(names)
            or any(path.parent != folder for path, _data in files)
        ):
            return None
        _private_dirs(folder.parent, self.folder)
        if not write_folder(folder, [(path.name, data) for path, data in files]):
            return None
        return [{"path": str(path), "status": "written"} for path, _data in files]

    def put_once(self, path: Path, data: bytes | str) -> dict[str, str]:
        """Write only if the file is not there yet."""
        if path.exists():
            return {"path": str(path), "status": "unchanged"}
        return self.put(path, data)

    def remove(self, path: Path) -> dict[str, str]:
        if not self.dry_run:
            path.unlink(missing_ok=True)
        return {"path": str(path), "status": "would remove" if self.dry_run else "removed"}


def _private_dirs(folder: Path, root: Path) -> None:
    """Create missing folders readable only by the owner (they hold addresses).

    Folders that already exist (the organiser's own --out, say) are left as they are.
    """
    private_folder(folder)


@dataclass(frozen=True)
class Written:
    """Messages (and files) written for one meeting, check-in or event."""

    about_id: int
    folder: Path
    paths: list[str]
    count: int  # messages prepared (some may have been written before)


def write(
    folder: Path,
    messages: Iterable[Message],
    dry_run: bool = False,
    files: Iterable[tuple[str, bytes]] = (),
) -> list[str]:
    """Write the files, then one .eml per message; unchanged files are left alone."""
    output = Output(folder=folder, dry_run=dry_run)
    pieces = [*files, *((m.filename, m.data) for m in messages)]
    return [output.put(output.folder / name, data)["path"] for name, data in pieces]


@dataclass(frozen=True)
class Sent:
    """What one batch of sending did."""

    about: str  # MEETING, CHECKIN or EVENT
    count: int
    skipped: int  # sent before: not sent again
    server: str

    def describe(self) -> str:
        tail = f"; {self.skipped} had been sent before." if self.skipped else "."
        return f"Sent {self.count} through {self.server}{tail}"


@dataclass(frozen=True)
class Held:
    """A message not sent because the outbox check found a problem in it."""

    message: Message
    problems: list[str]

    def describe(self) -> str:
        more = len(self.problems) - 1
        tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else ""
        return f"{self.message.filename} to {self.message.recipient}: {self.problems[0]}{tail}"


def held_back(held: list[Held], sent: Sent | None = None, *, after: bool = False) -> PeerkitError:
    """One error naming the messages held back and why (and what was sent; AFTER: the
    batches that went were reported already)."""
    shown = "; ".join(h.describe() for h in held[:3])
    more = f"; and {len(held) - 3} more" if len(held) > 3 else ""
    done = f" {sent.describe()}" if sent is not None and sent.count else " Nothing was sent."
    if after:
        done = " The others were sent."
    return PeerkitError(
        f"{len(held)} message(s) held back, not sent: {shown}{more}.{done} Fix the cause (peerkit "
        "outbox check on the outbox lists every problem) and send again: what was sent is not "
        "sent twice."
    )


def send(
    db: Database,
    target: mail.SmtpTarget,
    pending: list[Message],
    *,
    about: str = "",
    skipped: int = 0,
    held: list[Held] | None = None,
) -> Sent:
    """Send each message to its one recipient, once, even with two runs at once.

    Each message is first checked as `outbox check` checks a file (check.py): one with a
    problem is held back, the others go, and then one error names what was held back (or,
    with HELD, they are added to it for the caller to report after its other batches).
    Each message is then claimed in the ledger (committed before anything is sent: another
    run that claimed it sends it instead); the claims of messages the server did not accept
    are given back even when a later message fails, so a retry sends only the rest.
    """
    if not pending:
        return Sent(about, 0, skipped, target.describe())
    stopped = _check(db, pending)
    if stopped:
        bad = {id(h.message) for h in stopped}
        pending = [m for m in pending if id(m) not in bad]
    result = _send(db, target, pending, about, skipped)
    if stopped and held is not None:
        held.extend(stopped)
    elif stopped:
        raise held_back(stopped, result)
    return result


def _check(db: Database, pending: list[Message]) -> list[Held]:
    """The messages the outbox check finds a problem in."""
    from peerkit.services.outbox import check

    with db.read() as session:
        verdicts = check.check_messages(session, pending, now=utcnow())
    return [Held(m, v.problems) for m, v in zip(pending, verdicts, strict=True) if not v.ok]


def _send(
    db: Database, target: mail.SmtpTarget, pending: list[Message], about: str, skipped: int
) -> Sent:
    if not pending:
        return Sent(about, 0, skipped, target.describe())
    with db.write() as session:
        claims = ledger.claim(session, pending)
    skipped += len(pending) - len(claims)
    sent: list[mail.Outgoing] = []
    try:
        outgoing = [c.message.outgoing for c in claims]
        mail.send_all(target, mail.smtp_password(target), outgoing, sent)
    finally:
        unsent = [c for c in claims if c.message.outgoing not in sent]
        if unsent:
            with db.write() as session:
                ledger.release(session, unsent)
    return Sent(about, len(sent), skipped, target.describe())
