"""What the commands that write and send invitations share: checks before, records after."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from peerkit.context import AppContext
from peerkit.errors import InvalidValue


def check_folder(folder: Path) -> None:
    """Refuse, before anything is written, a folder that cannot be made (a file on its path)."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise InvalidValue(f"cannot write to {folder}: {existing} is not a folder.")


def send_recorded(
    app_ctx: AppContext, target: Any, pending: list[Any], record: Callable[[Any, list[int]], None]
) -> int:
    """Send each message (`.outgoing`, `.member_id`); record whom the server accepted.

    The record is written even when a later message fails, so a retry sends only the rest.
    Returns how many were sent.
    """
    from peerkit import mail

    sent: list[Any] = []
    try:
        mail.send_all(target, mail.smtp_password(target), [p.outgoing for p in pending], sent)
    finally:
        accepted = [p.member_id for p in pending if p.outgoing in sent]
        if accepted:
            with app_ctx.db().write() as session:
                record(session, accepted)
    return len(sent)
