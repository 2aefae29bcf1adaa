"""Settings: flag > environment variable > config.toml > built-in default.

Flags and their environment variables are resolved by Typer (``envvar=``); this
module adds the config file and the defaults, and knows the platformdirs paths.
Secrets never come from here: passwords are read from the environment or the
keyring by the code that needs them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, unquote, unquote_plus, urlsplit, urlunsplit

from peerkit.errors import InvalidValue, PeerkitError
from peerkit.text import find_control

APP_NAME = "peerkit"

# Keys accepted in config.toml, with the type each must have.
CONFIG_KEYS: dict[str, type] = {
    "db": str,
    "database_url": str,
    "community": str,
    "timezone": str,
    "locale": str,
    "organiser_name": str,
    "organiser_email": str,
    "smtp_url": str,
    "smtp_from": str,
    "caldav_url": str,
    "caldav_user": str,
    "imap_url": str,
    "pair_window_days": int,  # mentor match and group form: days before a pair may repeat
}
SECRET_KEYS = {"password", "smtp_password", "caldav_password", "imap_password"}

# Checks a setting's value (key, value) and raises InvalidValue; the caller supplies the
# domain's rules, so that this module does not depend on the services.
ValueCheck = Callable[[str, str], object]


def config_dir() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP_NAME)


def data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME)


def config_path() -> Path:
    return config_dir() / "config.toml"


def default_db_path() -> Path:
    return data_dir() / "peerkit.db"


def load_config_file(
    path: Path | None = None, check_value: ValueCheck | None = None
) -> dict[str, Any]:
    """Read config.toml; a missing file is an empty config, a bad one a clear error.

    ``check_value`` checks each value (a time zone, an e-mail address, ...) as it is read.
    """
    path = path or config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise PeerkitError(f"cannot read the config file {path}: {exc.strerror}") from None
    import tomllib  # only for a file that exists

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PeerkitError(
            f"the config file {path} is not valid TOML ({exc}). Fix or remove it."
        ) from None
    return _validate_config(data, path, check_value)


def _validate_config(
    data: dict[str, Any], path: Path, check_value: ValueCheck | None
) -> dict[str, Any]:
    for key, value in data.items():
        if key in SECRET_KEYS:
            raise PeerkitError(
                f"{path}: '{key}' does not belong in the config file. Passwords come from "
                "PEERKIT_SMTP_PASSWORD / PEERKIT_CALDAV_PASSWORD / PEERKIT_IMAP_PASSWORD or the "
                "system keyring."
            )
        if key not in CONFIG_KEYS:
            known = ", ".join(sorted(CONFIG_KEYS))
            raise PeerkitError(f"{path}: unknown setting '{key}'. Known settings: {known}.")
        wanted = CONFIG_KEYS[key]
        if not isinstance(value, wanted) or (wanted is int and isinstance(value, bool)):
            kind = "a whole number" if wanted is int else "a string"
            raise PeerkitError(f"{path}: '{key}' must be {kind}.")
        try:
            if key in URL_SETTINGS:
                URL_SETTINGS[key](str(value))
            if check_value is not None:
                check_value(key, str(value))
        except InvalidValue as err:
            raise PeerkitError(f"{path}: '{key}': {err.message}") from None
    return data


@dataclass
class CommunityDefaults:
    """The values the community row is created from (config.toml, or `init`'s options)."""

    name: str | None = None
    timezone: str | None = None
    locale: str | None = None
    organiser_name: str | None = None
    organiser_email: str | None = None
    holidays: str | None = None  # `init --holidays IT,GB-ENG` ("" for none)


# Where the acting person (services.common.actors.Actor) is kept on a database session's info.
ACTOR_KEY = "peerkit_actor"
# ... and a function giving the label of whoever is acting when nobody said (the domain's
# actors.acting: the database login's person, the community's organiser, ...).
ACTING_KEY = "peerkit_acting"
# Called with every write session as db.Database.write and dry_run open it. The domain's change
# log registers itself here (peerkit/services/__init__.py), so that db.py imports no service.
WRITE_SESSION_HOOKS: list[Callable[[Any], None]] = []


@dataclass
class Settings:
    """Resolved settings for one invocation."""

    db_path: Path
    database_url: str | None = None
    no_input: bool = False
    config: dict[str, Any] = field(default_factory=dict)
    # Who is acting (an Actor): --as, PEERKIT_AS or config.toml's organiser; None when nobody said.
    actor: Any = None

    @property
    def url(self) -> str:
        return self.database_url or f"sqlite:///{self.db_path}"

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    def database_exists(self) -> bool:
        """False only for an SQLite file that has not been created yet."""
        if not self.is_sqlite:
            return True
        return self.db_path.is_file() and self.db_path.stat().st_size > 0

    def default(self, key: str, fallback: str | None = None) -> str | None:
        value = self.config.get(key)
        return value if isinstance(value, str) and value else fallback

    @property
    def smtp_url(self) -> str | None:
        """PEERKIT_SMTP_URL, else smtp_url in config.toml, else none (nothing can be sent)."""
        return os.environ.get("PEERKIT_SMTP_URL") or self.default("smtp_url")

    @property
    def imap_url(self) -> str | None:
        """PEERKIT_IMAP_URL, else imap_url in config.toml, else none (no mailbox to read)."""
        return os.environ.get("PEERKIT_IMAP_URL") or self.default("imap_url")

    @property
    def outbox_dir(self) -> Path:
        """Where messages and files go by default: beside the SQLite database (or in the
        data folder for a server database), DIR/outbox."""
        return (self.db_path.parent if self.is_sqlite else data_dir()) / "outbox"

    def describe_location(self) -> str:
        """The database location with any password masked (for `db path`)."""
        if not self.database_url:
            return str(self.db_path)
        return mask_url(self.database_url)


def community_defaults(settings: Settings) -> CommunityDefaults:
    """The community defaults config.toml gives (each None when it does not)."""
    return CommunityDefaults(
        name=settings.default("community"),
        timezone=settings.default("timezone"),
        locale=settings.default("locale"),
        organiser_name=settings.default("organiser_name"),
        organiser_email=settings.default("organiser_email"),
    )


def resolve_settings(
    db: Path | None,
    database_url: str | None,
    no_input: bool,
    stdin_is_tty: bool,
    check_value: ValueCheck | None = None,
) -> Settings:
    """Combine the flags (already merged with env vars by Typer) with config.toml."""
    config = load_config_file(check_value=check_value)
    if database_url:
        check_database_url(database_url)  # the flag's or the variable's; the file's is checked
    # A flag or environment variable (either of them) beats anything in the config file.
    if database_url is None and db is None and config.get("database_url"):
        database_url = str(config["database_url"])
    if database_url and sqlite_file(database_url) is not None:
        # An SQLite URL names a file: it is opened as --db FILE is (mode 0600, read-only
        # detection, the "created a new database" notice), not beside it at the default path.
        db, database_url = sqlite_file(database_url), None
    if db is None:
        db = Path(os.path.expanduser(config["db"])) if config.get("db") else default_db_path()
    return Settings(
        db_path=db,
        database_url=database_url or None,
        no_input=no_input or not stdin_is_tty,
        config=config,
    )


# --- the URLs of servers ----------------------------------------------------------------

SMTP_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
SMTP_FORMS = "smtp://host:port, smtp+starttls://user@host:587 or smtps://user@host:465"
IMAP_PORTS = {"imaps": 993, "imap+starttls": 143, "imap": 143}
IMAP_FORMS = (
    "imaps://user@host/INBOX (port 993) or imap+starttls://user@host:143/INBOX "
    "(imap:// without TLS only to this machine: localhost, 127.0.0.1 or [::1])"
)
IMAP_SECRET_FROM = "PEERKIT_IMAP_PASSWORD or the system keyring"
CALDAV_PORTS = {"https": 443, "http": 80}
CALDAV_FORMS = "https://host/path/to/the/calendar/ (or http:// on your own network)"
# Query parameters whose value is a secret (libpq's password, a token): shown as ***.
SECRET_PARAMS = frozenset(
    {"password", "passwd", "pass", "pwd", "sslpassword", "secret", "client_secret", "token",
     "access_token", "auth", "key", "api_key", "apikey"}
)  # fmt: skip
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")


@dataclass(frozen=True)
class ServerUrl:
    """The parts of a server's URL that peerkit uses (the port filled in from the scheme)."""

    scheme: str
    host: str
    port: int
    user: str | None


def mask_url(url: str) -> str:
    """URL with its password (user:password@host) and secret query values shown as ***.

    Masked by the URL's structure, never by looking for the password's text, which may
    be one letter or a word that occurs elsewhere in the URL.
    """
    parts = _split(url)
    if parts is None:
        return url
    netloc, query = _mask_netloc(parts.netloc), _mask_query(parts.query)
    if (netloc, query) == (parts.netloc, parts.query):
        return url
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def mask_urls(text: str) -> str:
    """Every URL in TEXT (a library's error message, say) passed through :func:`mask_url`."""
    return _URL_IN_TEXT.sub(lambda m: mask_url(m.group()), text)


def _split(url: str) -> SplitResult | None:
    """urlsplit, or the same split done by hand when the host is not a valid address."""
    try:
        return urlsplit(url)
    except ValueError:  # "smtp://[::1": the authority still ends at the first / ? or #
        scheme, sep, rest = url.partition("://")
        if not sep:
            return None
        end = min((i for i in map(rest.find, "/?#") if i >= 0), default=len(rest))
        tail, _, fragment = rest[end:].partition("#")
        path, _, query = tail.partition("?")
        return SplitResult(scheme, rest[:end], path, query, fragment)


def _mask_netloc(netloc: str) -> str:
    userinfo, at, host = netloc.rpartition("@")
    user, colon, _password = userinfo.partition(":")
    return f"{user}:***@{host}" if at and colon else netloc


def _mask_query(query: str) -> str:
    pieces = []
    for piece in query.split("&") if query else []:
        name, equals, _value = piece.partition("=")
        secret = equals and unquote_plus(name).strip().lower() in SECRET_PARAMS
        pieces.append(f"{name}=***" if secret else piece)
    return "&".join(pieces)


def server_url(
    url: str, what: str, ports: Mapping[str, int], forms: str, secret_from: str
) -> ServerUrl:
    """The server a URL names, or InvalidValue saying in one line what is wrong with it.

    WHAT names the setting ("the SMTP URL"); PORTS are its schemes and their default
    ports; a password is refused (it comes from SECRET_FROM), and never shown.
    """
    text = url.strip()
    problem = _url_problem(text, ports)
    if problem is not None:
        raise InvalidValue(f"cannot use {what} '{mask_url(text)}': {problem}. Write {forms}.")
    parts = urlsplit(text)
    if parts.password is not None:
        raise InvalidValue(
            f"{what} must not contain a password ('{mask_url(text)}'); put it in {secret_from}."
        )
    assert parts.hostname is not None  # _url_problem refused a URL without a host
    user = unquote(parts.username) if parts.username else None
    return ServerUrl(parts.scheme, parts.hostname, parts.port or ports[parts.scheme], user)


def _url_problem(text: str, ports: Mapping[str, int] | None) -> str | None:
    """What is wrong with a URL's shape (None: nothing); PORTS None: any scheme, any host."""
    if find_control(text) is not None or (ports is not None and " " in text):
        return "a URL cannot contain spaces or control characters"
    try:
        parts = urlsplit(text)
    except ValueError:
        return "its host is not a valid address (write an IPv6 address in [ ], closed)"
    if ports is not None and parts.scheme not in ports:
        given = "://" in text and parts.scheme
        return f"it starts with '{parts.scheme}://'" if given else "it has no scheme"
    if ports is not None and not parts.hostname:
        return "it names no host"
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        return "the port must be a number from 1 to 65535"
    return None


def smtp_server(url: str) -> ServerUrl:
    """The mail server of an SMTP URL (PEERKIT_SMTP_URL or smtp_url), or InvalidValue."""
    secret_from = "PEERKIT_SMTP_PASSWORD or the system keyring"
    return server_url(url, "the SMTP URL", SMTP_PORTS, SMTP_FORMS, secret_from)


def imap_server(url: str) -> ServerUrl:
    """The server of an IMAP mailbox's URL (PEERKIT_IMAP_URL or imap_url), or InvalidValue.

    It must name the user (IMAP always logs in); plain imap:// is refused unless the host
    is this machine (a mail bridge or proxy running beside peerkit), because the
    password would cross the network in clear.
    """
    what = "the IMAP URL"
    server = server_url(url, what, IMAP_PORTS, IMAP_FORMS, IMAP_SECRET_FROM)
    shown = mask_url(url.strip())
    if server.user is None:
        raise InvalidValue(
            f"{what} '{shown}' names no user; write the login before the host, "
            "e.g. imaps://you%40example.com@imap.example.com/INBOX."
        )
    if server.scheme == "imap" and not is_loopback(server.host):
        raise InvalidValue(
            f"cannot use {what} '{shown}': imap:// sends the password unencrypted, so it is "
            "only for a server on this machine. Write imaps://... or imap+starttls://..."
        )
    imap_folder(url)
    return server


def imap_folder(url: str) -> str:
    """The folder an IMAP URL names (its path, %-decoded; INBOX when it has none)."""
    parts = urlsplit(url.strip())
    if parts.query or parts.fragment or ";" in parts.path:
        raise InvalidValue(
            f"cannot use the IMAP URL '{mask_url(url.strip())}': after the host it may only "
            "name a folder (no ?, # or ;). Write imaps://user@host/INBOX."
        )
    folder = unquote(parts.path.strip("/"))
    if find_control(folder) is not None:
        raise InvalidValue("the IMAP folder in the URL has control characters.")
    return folder or "INBOX"


def is_loopback(host: str) -> bool:
    """Whether HOST is this machine: localhost or a loopback address (127.0.0.0/8, ::1)."""
    import ipaddress

    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def caldav_server(url: str) -> ServerUrl:
    """The server of a CalDAV calendar's URL, or InvalidValue."""
    return server_url(url, "the CalDAV URL", CALDAV_PORTS, CALDAV_FORMS, "PEERKIT_CALDAV_PASSWORD")


def sqlite_file(url: str) -> Path | None:
    """The file an SQLite URL names (sqlite:///relative.db, sqlite:////absolute.db), or None
    for any other URL. An SQLite URL without a file (in memory) is refused: a community kept
    in memory would be lost when the command ends."""
    scheme, sep, rest = url.strip().partition(":///")
    if not sep or scheme.split("+")[0] != "sqlite":
        if url.strip().split("+")[0].split(":")[0] == "sqlite":
            raise InvalidValue(
                f"the database URL '{mask_url(url)}' names no file; "
                "give one (sqlite:///path/to/peerkit.db) or use --db FILE."
            )
        return None
    path = rest.split("?")[0]
    if not path or path == ":memory:":
        raise InvalidValue(
            f"the database URL '{mask_url(url)}' names no file; "
            "give one (sqlite:///path/to/peerkit.db) or use --db FILE."
        )
    return Path(os.path.expanduser(path))


def check_database_url(url: str) -> None:
    """A database URL whose host or port cannot be read is refused here, in one line
    (SQLAlchemy's own message for the rest: an unknown dialect, a missing driver)."""
    problem = _url_problem(url.strip(), None)
    if problem is not None and "://" in url:
        raise InvalidValue(f"cannot use the database URL '{mask_url(url)}': {problem}.")


URL_SETTINGS: dict[str, Callable[[str], object]] = {
    "smtp_url": smtp_server,
    "caldav_url": caldav_server,
    "imap_url": imap_server,
    "database_url": check_database_url,
}
