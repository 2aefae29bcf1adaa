"""State carried on ctx.obj: settings, a lazily opened database, today's date."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import typer

from peerkit.config import Settings, community_defaults
from peerkit.defaults import DATES
from peerkit.errors import UsageProblem

if TYPE_CHECKING:
    from peerkit.db import Database

# community_defaults moved to peerkit.config; it is still importable from here.
__all__ = ["AppContext", "app_context", "community_defaults", "many_rows"]


@dataclass
class AppContext:
    settings: Settings
    _db: Database | None = field(default=None, repr=False)

    def db(self) -> Database:
        """The database, opened (and migrated) on first use."""
        if self._db is None:
            from peerkit.db import open_database
            from peerkit.output import message

            self._db = open_database(self.settings, announce=message)
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()
            self._db = None

    def today(self) -> date:
        """Today, or PEERKIT_TODAY (YYYY-MM-DD) for reproducible demos and tests."""
        fixed = os.environ.get("PEERKIT_TODAY")
        if not fixed:
            return date.today()
        try:
            day = date.fromisoformat(fixed)
        except ValueError:
            raise UsageProblem(f"PEERKIT_TODAY must look like 2026-12-08, not '{fixed}'.") from None
        if day not in DATES:
            raise UsageProblem(DATES.refusal("PEERKIT_TODAY", fixed))
        return day

    def now(self) -> datetime:
        """Now (UTC), or PEERKIT_NOW (ISO 8601 with an offset) for tests and demos.

        With PEERKIT_TODAY alone, now is the current time of day on that date, so that
        "today" and "now" never disagree (a demo built for a fixed day shows its events).
        """
        fixed = os.environ.get("PEERKIT_NOW")
        if fixed:
            try:
                moment = datetime.fromisoformat(fixed)
            except ValueError:
                raise UsageProblem(
                    f"PEERKIT_NOW must look like 2026-12-08T09:00:00+01:00, not '{fixed}'."
                ) from None
            if moment.date() not in DATES:
                raise UsageProblem(DATES.refusal("PEERKIT_NOW", fixed))
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        current = datetime.now(UTC)
        if os.environ.get("PEERKIT_TODAY"):
            return datetime.combine(self.today(), current.timetz())
        return current

    def require(self, value: Any, flag: str, prompt: str | None = None) -> Any:
        """A required value: asked for on a TTY, a usage error (exit 2) otherwise."""
        if value is not None:
            return value
        if self.settings.no_input or prompt is None:
            raise UsageProblem(f"missing {flag}; it is required when peerkit cannot prompt.")
        return typer.prompt(prompt)


def app_context(ctx: typer.Context) -> AppContext:
    obj = ctx.find_root().obj
    if not isinstance(obj, AppContext):  # pragma: no cover - the root callback sets it
        raise RuntimeError("peerkit context missing")
    return obj


@contextmanager
def many_rows() -> Iterator[None]:
    """For a command that streams many rows (import, list, export): fewer garbage collections.

    Each row makes a few dicts and lists that live until their batch is written, so with
    the default thresholds the cyclic collector runs every 700 of them and, every so often,
    walks every object Python has imported (SQLAlchemy, pydantic, the models): a third of
    the time of listing 100,000 members. What exists now is frozen out of its walks and it
    runs less often. Rows are still freed by reference counting as soon as they are
    written, so memory stays bounded.
    """
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(threshold[0], 50_000), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()
