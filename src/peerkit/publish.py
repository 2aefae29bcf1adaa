"""Publishing meetings to a CalDAV calendar (Nextcloud, Radicale, Fastmail, ...)."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote

from peerkit.config import caldav_server, mask_url, mask_urls
from peerkit.errors import PeerkitError


def caldav_password() -> str | None:
    return os.environ.get("PEERKIT_CALDAV_PASSWORD") or None


def calendar_url(url: str) -> str:
    """The calendar's URL, trimmed; one that is not one (no host, a bad port, a password
    in it) is refused in one line, with any secret in it masked."""
    caldav_server(url)
    return url.strip()


def put_all(
    url: str, user: str | None, password: str | None, items: list[tuple[str, bytes]]
) -> int:
    """Create or update one resource per item (by UID); publishing twice duplicates nothing.

    A URL that is not one (no host, a bad port, a password in it) is refused first.
    """
    url = calendar_url(url)
    try:
        import caldav
    except ImportError:
        raise PeerkitError(
            "publishing needs the caldav library: pip install 'peerkit[caldav]'."
        ) from None
    try:
        make_client: Any = caldav.DAVClient
        client = make_client(url=url, username=user, password=password, timeout=30)
        target: Any = client.calendar(url=url)
        for uid, data in items:
            # One resource per UID. SEQUENCE is peerkit's to keep: the library must not bump it.
            href = target.url.join(f"{quote(uid, safe='')}.ics")
            make_event: Any = caldav.Event
            event = make_event(client=client, url=href, data=data.decode("utf-8"), parent=target)
            event.save(increase_seqno=False)
    except Exception as exc:  # the caldav library raises its own and its HTTP client's errors
        # The library's text may quote URLs: each is masked by its structure.
        reason = mask_urls(str(exc).splitlines()[0]) if str(exc) else type(exc).__name__
        raise PeerkitError(
            f"cannot publish to {mask_url(url)}: {reason}. Check the URL (it must name "
            "a calendar), the user and PEERKIT_CALDAV_PASSWORD."
        ) from None
    return len(items)
