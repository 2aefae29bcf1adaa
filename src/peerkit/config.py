"""Settings: flag > environment variable > config.toml > built-in default.

Flags and their environment variables are resolved by Typer (``envvar=``); this
module adds the config file and the defaults, and knows the platformdirs paths.
Secrets never come from here: passwords are read from the environment or the
keyring by the code that needs them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peerkit.errors import InvalidValue, PeerkitError

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
}
SECRET_KEYS = {"password", "smtp_password", "caldav_password"}

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
                "PEERKIT_SMTP_PASSWORD / PEERKIT_CALDAV_PASSWORD or the system keyring."
            )
        if key not in CONFIG_KEYS:
            known = ", ".join(sorted(CONFIG_KEYS))
            raise PeerkitError(f"{path}: unknown setting '{key}'. Known settings: {known}.")
        if not isinstance(value, CONFIG_KEYS[key]):
            raise PeerkitError(f"{path}: '{key}' must be a string.")
        if check_value is not None:
            try:
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


@dataclass
class Settings:
    """Resolved settings for one invocation."""

    db_path: Path
    database_url: str | None = None
    no_input: bool = False
    config: dict[str, Any] = field(default_factory=dict)

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
    def outbox_dir(self) -> Path:
        """Where messages and files go by default: beside the SQLite database (or in the
        data folder for a server database), DIR/outbox."""
        return (self.db_path.parent if self.is_sqlite else data_dir()) / "outbox"

    def describe_location(self) -> str:
        """The database location with any password masked (for `db path`)."""
        if not self.database_url:
            return str(self.db_path)
        return mask_url_password(self.database_url)


def community_defaults(settings: Settings) -> CommunityDefaults:
    """The community defaults config.toml gives (each None when it does not)."""
    return CommunityDefaults(
        name=settings.default("community"),
        timezone=settings.default("timezone"),
        locale=settings.default("locale"),
        organiser_name=settings.default("organiser_name"),
        organiser_email=settings.default("organiser_email"),
    )


def mask_url_password(url: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def resolve_settings(
    db: Path | None,
    database_url: str | None,
    no_input: bool,
    stdin_is_tty: bool,
    check_value: ValueCheck | None = None,
) -> Settings:
    """Combine the flags (already merged with env vars by Typer) with config.toml."""
    config = load_config_file(check_value=check_value)
    # A flag or environment variable (either of them) beats anything in the config file.
    if database_url is None and db is None and config.get("database_url"):
        database_url = str(config["database_url"])
    if db is None:
        db = Path(os.path.expanduser(config["db"])) if config.get("db") else default_db_path()
    return Settings(
        db_path=db,
        database_url=database_url or None,
        no_input=no_input or not stdin_is_tty,
        config=config,
    )
