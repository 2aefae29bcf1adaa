"""A throw-away Dovecot IMAP server on loopback, started by the tests themselves.

Debian's dovecot-imapd (`apt-get install dovecot-imapd`), run in the foreground with its
own configuration in a temporary folder: a certificate from a private test CA (trustme;
the client trusts it through SSL_CERT_FILE), one user in a passwd-file, maildirs under the
folder, both ports on 127.0.0.1 (IMAP with STARTTLS, and IMAPS). No systemd, no system
configuration: it also runs as root in a container. As root, Dovecot's login processes
run as its `dovenull` user and the mail as `dovecot` (Dovecot refuses uid 0 for mail), so
the folder is made under /tmp, traversable by them; otherwise everything runs as the
current user.

Without Dovecot the tests that need it skip, unless PEERKIT_REQUIRE_IMAP=1 (CI), when they
fail.
"""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

# Read at import: the autouse fixture clears PEERKIT_* variables before each test.
REQUIRE_IMAP = bool(os.environ.get("PEERKIT_REQUIRE_IMAP"))
USER = "paolo@example.com"
PASSWORD = "s3cret pw è"  # a space and a letter outside ASCII: sent with AUTHENTICATE PLAIN


def dovecot_binary() -> str | None:
    return shutil.which("dovecot") or next(
        (p for p in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if os.access(p, os.X_OK)),
        None,
    )


def require_dovecot() -> str:
    """The dovecot program, or skip (fail when PEERKIT_REQUIRE_IMAP is set)."""
    found = dovecot_binary()
    if found is None:
        if REQUIRE_IMAP:
            pytest.fail("Dovecot is required (PEERKIT_REQUIRE_IMAP) but not installed")
        pytest.skip("Dovecot is not installed (apt-get install dovecot-imapd)")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class ImapServer:
    """A running Dovecot; `ca` is the PEM file of the CA that signed its certificate."""

    root: Path
    starttls_port: int
    imaps_port: int
    ca: Path
    proc: subprocess.Popen[bytes]
    user: str = USER
    password: str = PASSWORD
    host: str = "127.0.0.1"

    def stop(self) -> None:
        """Stop the server and its sessions, as a server that goes away does.

        Dovecot runs in a session of its own: the signal goes to its process group, since
        its login and imap processes outlive a master stopped alone. The server is thrown
        away, so it is killed (a polite SIGTERM takes Dovecot a second)."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 10
        while self.proc.poll() is None or _group_alive(self.proc.pid):
            if time.monotonic() > deadline:
                return
            time.sleep(0.02)

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def url(self, scheme: str = "imaps", folder: str = "INBOX") -> str:
        from urllib.parse import quote

        port = self.imaps_port if scheme == "imaps" else self.starttls_port
        return f"{scheme}://{quote(self.user, safe='')}@{self.host}:{port}/{quote(folder)}"

    @contextmanager
    def client(self) -> Iterator[imaplib.IMAP4_SSL]:
        """A logged-in client for the test's own setup and checks (trusting the test CA)."""
        context = ssl.create_default_context(cafile=str(self.ca))
        client = imaplib.IMAP4_SSL(self.host, self.imaps_port, ssl_context=context, timeout=10)
        token = f"\0{self.user}\0{self.password}".encode()
        client.authenticate("PLAIN", lambda _challenge: token)
        try:
            yield client
        finally:
            client.logout()

    def create(self, folder: str) -> None:
        with self.client() as client:
            typ, data = client.create(f'"{folder}"')
            assert typ == "OK", data

    def append(self, raw: bytes, folder: str = "INBOX") -> int:
        """Put one message in FOLDER; its UID."""
        with self.client() as client:
            typ, data = client.append(f'"{folder}"', None, None, raw)
            assert typ == "OK", data
            # [APPENDUID <uidvalidity> <uid>] (Dovecot offers UIDPLUS)
            return int(data[0].split(b"]")[0].split()[-1])

    def messages(self, folder: str = "INBOX") -> dict[int, tuple[bytes, set[str]]]:
        """UID -> (raw bytes, flags) of every message still in FOLDER (\\Deleted ones too)."""
        with self.client() as client:
            typ, data = client.select(f'"{folder}"', readonly=True)
            assert typ == "OK", data
            if int(data[0]) == 0:
                return {}
            typ, data = client.uid("FETCH", "1:*", "(UID FLAGS BODY.PEEK[])")
            assert typ == "OK", data
        found: dict[int, tuple[bytes, set[str]]] = {}
        for item in data:
            if isinstance(item, tuple):
                head = item[0].decode()
                uid = int(head.split("UID ")[1].split()[0])
                flags = set(head.split("FLAGS (")[1].split(")")[0].split())
                found[uid] = (item[1], flags)
        return found


def _config(root: Path, starttls_port: int, imaps_port: int, capability: str | None) -> str:
    as_root = os.geteuid() == 0
    me = pwd.getpwuid(os.geteuid()).pw_name
    my_group = grp.getgrgid(os.getegid()).gr_name
    if as_root:
        mail = pwd.getpwnam("dovecot")
        login_user, internal_user, internal_group = "dovenull", "root", "root"
        login_chroot = ""  # Dovecot's default chroot for the login processes
    else:
        mail = pwd.getpwuid(os.geteuid())
        login_user, internal_user, internal_group = me, me, my_group
        login_chroot = "  chroot =\n"  # chroot needs root
    capabilities = f"imap_capability = {capability}\n" if capability else ""
    return f"""\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = yes
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = {mail.pw_uid}
last_valid_uid = {mail.pw_uid}
first_valid_gid = {mail.pw_gid}
last_valid_gid = {mail.pw_gid}
mail_location = maildir:~/Maildir
{capabilities}passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail.pw_uid} gid={mail.pw_gid} home={root}/home/%n
}}
service anvil {{
  chroot =
}}
service imap-login {{
{login_chroot}  inet_listener imap {{
    address = 127.0.0.1
    port = {starttls_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
service stats {{
  unix_listener stats-reader {{
    user = {internal_user}
  }}
  unix_listener stats-writer {{
    user = {internal_user}
  }}
}}
"""


@contextmanager
def dovecot(*, capability: str | None = None) -> Iterator[ImapServer]:
    """A Dovecot with one user (USER / PASSWORD) and an empty INBOX.

    CAPABILITY replaces what the server says it can do after login (to test the paths for
    servers without MOVE or UIDPLUS).
    """
    import trustme

    binary = require_dovecot()
    root = Path(tempfile.mkdtemp(prefix="peerkit-imap-"))
    proc: subprocess.Popen[bytes] | None = None
    try:
        root.chmod(0o711)  # Dovecot's own users reach their sockets and the maildirs
        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1", "localhost")
        ca.cert_pem.write_to_path(str(root / "ca.pem"))
        cert.private_key_pem.write_to_path(str(root / "key.pem"))
        cert.cert_chain_pems[0].write_to_path(str(root / "cert.pem"))
        for pem in cert.cert_chain_pems[1:]:
            pem.write_to_path(str(root / "cert.pem"), append=True)
        (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n", encoding="utf-8")
        home = root / "home"
        home.mkdir()
        if os.geteuid() == 0:
            shutil.chown(home, "dovecot", "dovecot")
        starttls_port, imaps_port = free_port(), free_port()
        config = root / "dovecot.conf"
        config.write_text(_config(root, starttls_port, imaps_port, capability), encoding="utf-8")
        with (root / "dovecot.err").open("wb") as errors:
            proc = subprocess.Popen(
                [binary, "-F", "-c", str(config)],
                stdout=subprocess.DEVNULL,
                stderr=errors,
                start_new_session=True,
            )
        server = ImapServer(root, starttls_port, imaps_port, root / "ca.pem", proc)
        _wait_until_up(server, proc)
        yield server
    finally:
        if proc is not None:
            ImapServer(root, 0, 0, root, proc).stop()
        shutil.rmtree(root, ignore_errors=True)


def _group_alive(pgid: int) -> bool:
    """Whether a process of the group still runs (zombies waiting for init do not count)."""
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def _wait_until_up(server: ImapServer, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while True:
        if proc.poll() is not None:
            said = [server.root / name for name in ("dovecot.err", "dovecot.log")]
            text = "\n".join(p.read_text(errors="replace") for p in said if p.exists())
            raise RuntimeError(f"Dovecot did not start:\n{text}")
        try:
            with server.client():
                return
        except (OSError, imaplib.IMAP4.error):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
