"""Replies read from an IMAP mailbox (`peerkit replies fetch`): the transport only.

The mailbox of PEERKIT_IMAP_URL is read over TLS with the certificate verified; each message
up to MAX_MESSAGE bytes comes back as (label, raw bytes), a larger one is skipped and
reported, and nothing is written to disk. After the caller has recorded what a batch said,
the messages that were replies can be moved to another folder (MOVE, or COPY + \\Deleted +
UID EXPUNGE of those messages only). A dry run opens the folder read-only (EXAMINE) and
never moves or flags anything. Every failure is one PeerkitError line, never a traceback.
"""

from __future__ import annotations

import base64
import imaplib
import os
import re
import socket
import ssl
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote

from peerkit.config import imap_folder, imap_server
from peerkit.errors import InvalidValue, PeerkitError, UsageProblem
from peerkit.text import find_control

MAX_MESSAGE = 10 * 1024 * 1024  # a reply is a few kilobytes; anything this big is not one
BATCH_BYTES = 32 * 1024 * 1024  # read and recorded together, then moved
BATCH_COUNT = 200
TIMEOUT = 30.0  # seconds for each exchange with the server
KEYRING_SERVICE = "peerkit"
# What a message said that makes it a reply to move away: its answer is in the database
# (the replies core's actions); in a dry run, "would record" counts as recorded.
REPLY_ACTIONS = frozenset({"recorded", "unchanged"})
DRY_REPLY_ACTIONS = REPLY_ACTIONS | {"would record"}
NO_MAILBOX = (
    "replies fetch needs a mailbox: set PEERKIT_IMAP_URL (e.g. imaps://you@imap.example.com/INBOX) "
    "or imap_url in config.toml."
)
_SERVER_TEXT = 200  # characters of a server's words shown in an error
_DOVECOT_TIMING = re.compile(r"\s*\(\d+\.\d+( \+ \d+\.\d+)* secs\)")

Source = tuple[str, bytes]


class Answered(Protocol):
    """What the caller made of one message (the replies core's Outcome has these)."""

    @property
    def source(self) -> str: ...

    @property
    def action(self) -> str: ...


@dataclass(frozen=True)
class ImapTarget:
    """The mailbox to read: server, login and folder (never a password)."""

    scheme: str  # imaps, imap+starttls or imap (this machine only)
    host: str
    port: int
    user: str
    folder: str
    timeout: float = TIMEOUT  # seconds for each exchange with the server

    def describe(self) -> str:
        """The server as a URL (the user's @ written %40), for messages."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{quote(self.user, safe='')}@{host}:{self.port}"

    @property
    def keyring_name(self) -> str:
        """The keyring entry of the password: service 'peerkit', this user name."""
        return f"imap:{self.user}@{self.host}"


@dataclass(frozen=True)
class Skipped:
    """A message that was not read, and why."""

    label: str
    size: int
    reason: str


@dataclass
class Fetched:
    """What one run did: the caller's outcomes, the messages skipped, the replies moved."""

    outcomes: list[Any] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    read: int = 0
    moved: int = 0
    notes: list[str] = field(default_factory=list)


def target(url: str | None, folder: str | None = None) -> ImapTarget:
    """The mailbox of the settings' URL; FOLDER (--folder) overrides the URL's own."""
    if not url:
        raise PeerkitError(NO_MAILBOX)
    server = imap_server(url)
    assert server.user is not None  # imap_server refuses a URL without a user
    chosen = imap_folder(url) if folder is None else check_folder_name(folder, "--folder")
    return ImapTarget(server.scheme, server.host, server.port, server.user, chosen)


def check_folder_name(name: str, option: str) -> str:
    """A folder name as typed in an option: not empty, no control characters."""
    if not name.strip():
        raise UsageProblem(f"{option} is empty; give a folder name such as INBOX.")
    if find_control(name) is not None:
        raise InvalidValue(f"{option} has control characters; give a folder name such as INBOX.")
    return name


def password(mailbox: ImapTarget) -> str:
    """PEERKIT_IMAP_PASSWORD, else the system keyring (service 'peerkit'), else an error."""
    secret = os.environ.get("PEERKIT_IMAP_PASSWORD")
    if secret:
        return secret
    try:
        import keyring

        found = keyring.get_password(KEYRING_SERVICE, mailbox.keyring_name)
    except Exception:  # keyring not installed, or no backend on this machine
        found = None
    if found:
        return str(found)
    raise PeerkitError(
        f"no password for {mailbox.describe()}: set PEERKIT_IMAP_PASSWORD, or store it in the "
        f"system keyring with: keyring set {KEYRING_SERVICE} {mailbox.keyring_name}"
    )


# --- talking to the server ---------------------------------------------------------------


class _Bounded:
    """imaplib reads a literal of any size into memory: refuse one larger than allowed."""

    max_literal = MAX_MESSAGE + 65536

    def read(self, size: int) -> bytes:
        if size > self.max_literal:
            raise imaplib.IMAP4.abort(f"the server sent a message of {size} bytes unasked")
        return super().read(size)  # type: ignore[misc, no-any-return]


class _Plain(_Bounded, imaplib.IMAP4):
    pass


class _Tls(_Bounded, imaplib.IMAP4_SSL):
    pass


def _server_words(exc: BaseException | bytes | str | None) -> str:
    """A server's (or imaplib's) words, as one short line."""
    if isinstance(exc, BaseException):
        exc = exc.args[0] if exc.args else type(exc).__name__
    if isinstance(exc, bytes):
        text = exc.decode("utf-8", "replace")
    else:
        text = str(exc) if exc is not None else ""
    if text.startswith(("b'", 'b"')) and text.endswith(text[1]):  # imaplib's str(bytes)
        text = text[2:-1]
    text = _DOVECOT_TIMING.sub("", " ".join(text.split())).strip()
    if len(text) > _SERVER_TEXT:
        text = text[: _SERVER_TEXT - 1] + "…"
    return text.rstrip(".") or "no reason given"


@contextmanager
def _talking(mailbox: ImapTarget, doing: str) -> Iterator[None]:
    """The network's and the server's failures, each as one line that says what to do."""
    where = mailbox.describe()
    try:
        yield
    except ssl.SSLCertVerificationError as exc:
        reason = exc.verify_message or _server_words(exc)
        raise PeerkitError(
            f"the certificate of {where} does not verify ({reason}); peerkit reads mail only "
            "from a server whose certificate this machine trusts. Check the host name in "
            "PEERKIT_IMAP_URL, or add the server's certificate authority to the system's "
            "trusted ones (or point SSL_CERT_FILE at it)."
        ) from None
    except ssl.SSLError as exc:
        raise PeerkitError(
            f"TLS with {where} failed while {doing} ({exc.reason or _server_words(exc)}). "
            "Check that the port speaks "
            + ("TLS from the start (imaps, 993)." if mailbox.scheme == "imaps"
               else "IMAP with STARTTLS (imap+starttls, 143).")
        ) from None  # fmt: skip
    except TimeoutError:
        raise PeerkitError(
            f"{where} did not answer within {mailbox.timeout:g} seconds while {doing}; "
            "try again later."
        ) from None
    except imaplib.IMAP4.readonly:
        raise PeerkitError(
            f"{where} lets peerkit only read '{mailbox.folder}', so the replies cannot be "
            "moved; run without --move-to, or give a folder you may change."
        ) from None
    except imaplib.IMAP4.abort as exc:
        raise PeerkitError(
            f"{where} closed the connection while {doing} ({_server_words(exc)}); try again later."
        ) from None
    except imaplib.IMAP4.error as exc:
        raise PeerkitError(f"{where} refused {doing}: {_server_words(exc)}.") from None
    except socket.gaierror as exc:
        raise PeerkitError(
            f"cannot find the IMAP server {mailbox.host} ({exc.strerror}). "
            "Check the host in PEERKIT_IMAP_URL."
        ) from None
    except OSError as exc:
        reason = exc.strerror or _server_words(exc)
        raise PeerkitError(
            f"cannot talk to {where} while {doing} ({reason}). Check PEERKIT_IMAP_URL and that "
            "the server is up."
        ) from None


def _connect(mailbox: ImapTarget) -> imaplib.IMAP4:
    context = ssl.create_default_context()  # certificates verified, host name checked
    timeout = mailbox.timeout
    with _talking(mailbox, "connecting"):
        if mailbox.scheme == "imaps":
            return _Tls(mailbox.host, mailbox.port, ssl_context=context, timeout=timeout)
        client = _Plain(mailbox.host, mailbox.port, timeout=timeout)
    try:
        if mailbox.scheme == "imap+starttls":
            if "STARTTLS" not in client.capabilities:
                raise PeerkitError(
                    f"{mailbox.describe()} does not offer STARTTLS, so the password cannot be "
                    "sent safely. Use imaps:// (port 993) if the server has it."
                )
            with _talking(mailbox, "starting TLS"):
                client.starttls(ssl_context=context)
    except BaseException:
        _close(client, polite=False)
        raise
    return client


def _login(client: imaplib.IMAP4, mailbox: ImapTarget, secret: str) -> None:
    where = mailbox.describe()
    if "LOGINDISABLED" in client.capabilities and "AUTH=PLAIN" not in client.capabilities:
        raise PeerkitError(f"{where} does not allow logging in on this connection.")
    try:
        with _talking(mailbox, "logging in"):
            try:
                if "AUTH=PLAIN" in client.capabilities:  # UTF-8 user names and passwords
                    token = f"\0{mailbox.user}\0{secret}".encode()
                    client.authenticate("PLAIN", lambda _challenge: token)
                else:
                    client.login(_quoted(mailbox.user), secret)
            except imaplib.IMAP4.abort:
                raise
            except imaplib.IMAP4.error as exc:
                raise PeerkitError(
                    f"{where} refused the login of {mailbox.user} ({_server_words(exc)}). "
                    "Check the user in PEERKIT_IMAP_URL and the password (PEERKIT_IMAP_PASSWORD, "
                    f"or the keyring entry {KEYRING_SERVICE} {mailbox.keyring_name})."
                ) from None
    except UnicodeError:
        raise PeerkitError(
            f"cannot log in to {where}: the user name or the password has characters outside "
            "ASCII, which this server's login cannot carry."
        ) from None
    with _talking(mailbox, "asking what it can do"):
        # After login a server may offer more (MOVE, UIDPLUS); imaplib does not ask again.
        typ, data = client.capability()
    if typ == "OK" and data and isinstance(data[-1], bytes):
        client.capabilities = tuple(data[-1].decode("ascii", "replace").upper().split())


def _close(client: imaplib.IMAP4, *, polite: bool) -> None:
    """Log out; after a failure only drop the connection (the server may be gone)."""
    try:
        if polite:
            client.logout()
        else:
            client.shutdown()
    except (imaplib.IMAP4.error, OSError):
        pass


class Mailbox:
    """One folder of one mailbox, selected; read it in batches, move what were replies."""

    def __init__(
        self, client: imaplib.IMAP4, mailbox: ImapTarget, *, readonly: bool, max_message: int
    ) -> None:
        self.client = client
        self.target = mailbox
        self.readonly = readonly
        self.max_message = max_message
        self.skipped: list[Skipped] = []
        self.count = 0  # messages in the folder when it was opened
        self._uids: dict[str, int] = {}

    # what the server can do
    def _has(self, capability: str) -> bool:
        return capability in self.client.capabilities

    def folders(self) -> list[str]:
        """Every folder of the mailbox, as the user writes them."""
        with _talking(self.target, "listing the folders"):
            typ, data = self.client.list()
        if typ != "OK":
            return []
        return sorted(name for name in map(_listed_name, data) if name is not None)

    def exists(self, folder: str) -> bool:
        with _talking(self.target, "looking for a folder"):
            typ, data = self.client.list('""', _quoted(_utf7(folder)))
        return typ == "OK" and any(_same(_listed_name(item), folder) for item in data)

    def select(self) -> int:
        """Open the folder (read-only for a dry run); the number of messages in it."""
        folder = self.target.folder
        with _talking(self.target, f"opening the folder {folder}"):
            typ, data = self.client.select(_quoted(_utf7(folder)), readonly=self.readonly)
        if typ != "OK":
            said = _server_words(data[-1] if data else None)
            if not self.exists(folder):
                known = self.folders()
                listed = ", ".join(known[:20]) + (f" and {len(known) - 20} more" if
                                                 len(known) > 20 else "")  # fmt: skip
                raise PeerkitError(
                    f"there is no folder '{folder}' in {self.target.describe()} (the server "
                    f"said: {said}). Its folders: {listed or 'none'}. Give one with --folder "
                    "or in PEERKIT_IMAP_URL."
                )
            raise PeerkitError(f"cannot open the folder '{folder}' of "
                               f"{self.target.describe()}: {said}.")  # fmt: skip
        try:
            self.count = int(data[0] or 0)
        except (TypeError, ValueError):
            self.count = 0
        return self.count

    def sizes(self) -> list[tuple[int, int]]:
        """(uid, size in bytes) of every message in the folder, in UID order."""
        with _talking(self.target, "listing the messages"):
            typ, data = self.client.uid("FETCH", "1:*", "(UID RFC822.SIZE)")
        if typ != "OK":
            raise PeerkitError(f"{self.target.describe()} did not list the messages of "
                               f"'{self.target.folder}': {_server_words(data[-1])}.")  # fmt: skip
        found: dict[int, int] = {}
        for item in data:
            head = item[0] if isinstance(item, tuple) else item
            if not isinstance(head, bytes):
                continue
            uid, size = _UID.search(head), _SIZE.search(head)
            if uid and size:
                found[int(uid.group(1))] = int(size.group(1))
        return sorted(found.items())

    def label(self, uid: int) -> str:
        return f"imap:{self.target.folder}/{uid}"

    def batches(self) -> Iterator[list[Source]]:
        """Every message but the oversized ones, as (label, raw bytes), in batches."""
        if self.count == 0:
            return
        batch: list[tuple[int, int]] = []
        for uid, size in self.sizes():
            if size > self.max_message:
                self._skip(uid, size)
                continue
            if batch and (len(batch) >= BATCH_COUNT or
                          sum(s for _u, s in batch) + size > BATCH_BYTES):  # fmt: skip
                yield self._bodies(batch)
                batch = []
            batch.append((uid, size))
        if batch:
            yield self._bodies(batch)

    def _skip(self, uid: int, size: int) -> None:
        limit = _size(self.max_message)
        reason = f"{size:,} bytes, more than the {limit} a reply can be: not read, left where it is"
        self.skipped.append(Skipped(self.label(uid), size, reason))

    def _bodies(self, batch: list[tuple[int, int]]) -> list[Source]:
        with _talking(self.target, "reading messages"):
            typ, data = self.client.uid(
                "FETCH", _uid_set(u for u, _s in batch), "(UID BODY.PEEK[])"
            )
        if typ != "OK":
            raise PeerkitError(f"{self.target.describe()} did not send the messages of "
                               f"'{self.target.folder}': {_server_words(data[-1])}.")  # fmt: skip
        bodies: dict[int, bytes] = {}
        for index, item in enumerate(data):
            if not isinstance(item, tuple) or not isinstance(item[1], bytes):
                continue
            head = item[0]
            tail = data[index + 1] if index + 1 < len(data) else b""
            found = _UID.search(head) or (_UID.search(tail) if isinstance(tail, bytes) else None)
            if found is not None and b"BODY[]" in head:
                bodies[int(found.group(1))] = item[1]
        sources: list[Source] = []
        for uid, _size in batch:
            raw = bodies.get(uid)
            if raw is None:  # removed by another program since it was listed
                continue
            if len(raw) > self.max_message:  # the server gave a smaller size than it sent
                self._skip(uid, len(raw))
                continue
            label = self.label(uid)
            self._uids[label] = uid
            sources.append((label, raw))
        return sources

    def move(self, labels: Iterable[str], folder: str) -> tuple[int, str | None]:
        """Move the messages read under LABELS to FOLDER; (how many, a note or None)."""
        uids = sorted({self._uids[label] for label in labels if label in self._uids})
        if not uids or self.readonly:
            return 0, None
        where, quoted = self.target.describe(), _quoted(_utf7(folder))
        note = None
        for chunk in _chunks(uids, 500):
            uid_set = _uid_set(chunk)
            with _talking(self.target, f"moving replies to {folder}"):
                if self._has("MOVE"):
                    typ, data = self.client.uid("MOVE", uid_set, quoted)
                    self._ok(typ, data, f"moving replies to '{folder}'")
                    continue
                typ, data = self.client.uid("COPY", uid_set, quoted)
                self._ok(typ, data, f"copying replies to '{folder}'")
                typ, data = self.client.uid("STORE", uid_set, "+FLAGS.SILENT", r"(\Deleted)")
                self._ok(typ, data, "marking the moved replies deleted")
                if self._has("UIDPLUS"):
                    typ, data = self.client.uid("EXPUNGE", uid_set)
                    self._ok(typ, data, "removing the moved replies")
                    continue
                typ, data = self.client.uid("SEARCH", "DELETED")
                deleted = {int(n) for n in data[0].split()} if typ == "OK" and data[0] else set()
                if deleted <= set(uids):  # only ours: EXPUNGE removes nothing else
                    typ, data = self.client.expunge()
                    self._ok(typ, data, "removing the moved replies")
                else:
                    note = (f"{where} cannot remove single messages (no UIDPLUS) and other "
                            f"messages in '{self.target.folder}' are marked deleted: the "
                            f"replies copied to '{folder}' are marked deleted too, for your "
                            "mail program to remove.")  # fmt: skip
        return len(uids), note

    def _ok(self, typ: str, data: list[Any], doing: str) -> None:
        if typ != "OK":
            said = _server_words(data[-1] if data else None)
            raise PeerkitError(
                f"{self.target.describe()} refused {doing}: {said}. The replies read are "
                f"recorded; they stay in '{self.target.folder}', and the next run moves them."
            )


@contextmanager
def open_mailbox(
    mailbox: ImapTarget,
    secret: str,
    *,
    readonly: bool,
    max_message: int = MAX_MESSAGE,
) -> Iterator[Mailbox]:
    """Connect (TLS, verified), log in, open the folder (read-only for a dry run), and give
    its Mailbox; log out at the end."""
    client = _connect(mailbox)
    polite = False
    try:
        _login(client, mailbox, secret)
        box = Mailbox(client, mailbox, readonly=readonly, max_message=max_message)
        box.select()
        yield box
        polite = True
    finally:
        _close(client, polite=polite)


def fetch_replies(
    box: Mailbox,
    handle: Callable[[list[Source]], Sequence[Answered]],
    *,
    move_to: str | None = None,
) -> Fetched:
    """Read every message, give each batch to HANDLE (which records it, in one transaction,
    and returns what it made of each message); then move the replies to MOVE_TO.

    The replies of a batch are moved only after HANDLE returned, so a failure before that
    leaves them in place for the next run. In a read-only (dry) run nothing is moved.
    """
    result = Fetched()
    if move_to is not None:
        check_folder_name(move_to, "--move-to")
        if move_to == box.target.folder:
            raise UsageProblem(f"--move-to names the folder being read ('{move_to}').")
        if not box.exists(move_to):
            raise PeerkitError(
                f"there is no folder '{move_to}' in {box.target.describe()} to move the "
                "replies to; create it in your mail program first (peerkit does not, so "
                "that a typo does not make a new folder)."
            )
    for batch in box.batches():
        result.read += len(batch)
        outcomes = list(handle(batch))
        result.outcomes.extend(outcomes)
        if move_to is not None and not box.readonly:
            moved, note = box.move(replies_of(outcomes), move_to)
            result.moved += moved
            if note and note not in result.notes:
                result.notes.append(note)
    result.skipped = list(box.skipped)
    return result


def replies_of(outcomes: Iterable[Answered]) -> list[str]:
    """The labels of the messages that were replies whose answer is now in the database."""
    return [o.source for o in outcomes if o.action in REPLY_ACTIONS]


def would_move(outcomes: Iterable[Answered]) -> int:
    """How many messages a run that is not dry would move (counted in a dry run)."""
    return len({o.source for o in outcomes if o.action in DRY_REPLY_ACTIONS})


# --- the bits of the protocol ----------------------------------------------------------

_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")
_FLAGS = re.compile(rb"^\(([^)]*)\)")
_LISTED = re.compile(rb'^\((?P<flags>[^)]*)\) (?:NIL|"(?:[^"\\]|\\.)*") (?P<name>.*)$')


def _quoted(name: str) -> str:
    """An IMAP quoted string (folder names may have spaces; imaplib does not quote them)."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _listed_name(item: Any) -> str | None:
    """The folder name in one LIST answer (None for one that cannot be opened)."""
    if isinstance(item, tuple) and len(item) == 2:  # the name came as a literal
        head, name = item
        flags = _FLAGS.match(head) if isinstance(head, bytes) else None
        if flags is None or not isinstance(name, bytes) or b"\\noselect" in flags[1].lower():
            return None
        return _from_utf7(name.decode("ascii", "replace"))
    if not isinstance(item, bytes):
        return None
    match = _LISTED.match(item)
    if match is None or b"\\noselect" in match.group("flags").lower():
        return None
    raw = match.group("name").decode("ascii", "replace")
    if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
        raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
    return _from_utf7(raw)


def _same(listed: str | None, folder: str) -> bool:
    """Whether a listed name is FOLDER (INBOX in any case is INBOX)."""
    if listed is None:
        return False
    return listed == folder or listed.upper() == folder.upper() == "INBOX"


def _utf7(name: str) -> str:
    """A folder name in IMAP's modified UTF-7 (RFC 3501, 5.1.3)."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            data = "".join(run).encode("utf-16-be")
            out.append("&" + base64.b64encode(data).decode().rstrip("=").replace("/", ",") + "-")
            run.clear()

    for char in name:
        if " " <= char <= "~":
            flush()
            out.append("&-" if char == "&" else char)
        else:
            run.append(char)
    flush()
    return "".join(out)


def _from_utf7(name: str) -> str:
    def decode(match: re.Match[str]) -> str:
        text = match.group(1)
        if not text:
            return "&"
        data = text.replace(",", "/")
        data += "=" * (-len(data) % 4)
        try:
            return base64.b64decode(data).decode("utf-16-be")
        except (ValueError, UnicodeDecodeError):
            return match.group(0)

    return re.sub(r"&([^-]*)-", decode, name)


def _size(count: int) -> str:
    """10485760 as 10 MB, 2000 as 2,000 bytes."""
    if count % (1024 * 1024) == 0:
        return f"{count // (1024 * 1024)} MB"
    return f"{count:,} bytes"


def _uid_set(uids: Iterable[int]) -> str:
    """1,2,3,7 as 1:3,7."""
    ranges: list[list[int]] = []
    for uid in sorted(set(uids)):
        if ranges and uid == ranges[-1][1] + 1:
            ranges[-1][1] = uid
        else:
            ranges.append([uid, uid])
    return ",".join(str(a) if a == b else f"{a}:{b}" for a, b in ranges)


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
