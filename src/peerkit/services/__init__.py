"""The domain: plain functions over a database session. No typer, rich or prompts here."""

from typing import Any

from peerkit.config import WRITE_SESSION_HOOKS


def _record_changes(session: Any) -> None:
    """Every write session records its changes in the change log (imported when first used:
    importing the domain stays light)."""
    from peerkit.services.common import changelog

    changelog.watch(session)


WRITE_SESSION_HOOKS.append(_record_changes)
