"""`peerkit log`: the change log read back, filtered, and said in words.

Newest first, as `git log` shows commits. Members and groups are named as they are now (a
forgotten member by their id); everything else by its kind and id.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from peerkit.services.common import changelog, validate
from peerkit.services.common import community as community_svc
from peerkit.services.groups import roster
from peerkit.services.members import profiles


def since_moment(session: Session, text: str) -> datetime:
    """The start of DATE (YYYY-MM-DD) in the community's time zone."""
    day = validate.iso_date(text, "--since")
    row = community_svc.get(session)
    return datetime.combine(day, time(0), ZoneInfo(row.timezone if row else "UTC"))


def read(
    session: Session,
    *,
    member: str | None = None,
    group: str | None = None,
    by: str | None = None,
    since: str | None = None,
) -> Iterator[dict[str, Any]]:
    """The entries that pass the filters, newest first, each with `said` (in words), read
    and named a batch at a time. The filters are checked before the first entry is read."""
    member_id = profiles.resolve(session, member).id if member is not None else None
    group_id = roster.resolve(session, group).id if group is not None else None
    if by is not None:
        by = validate.single_line(by, "--by")
    moment = since_moment(session, since) if since is not None else None
    found = changelog.entries(session, member_id=member_id, group_id=group_id, by=by, since=moment)
    return _said(session, found)


def _said(session: Session, found: Iterator[Any]) -> Iterator[dict[str, Any]]:
    while batch := list(islice(found, changelog.BATCH)):
        known = changelog.names(session, batch)
        for row in batch:
            yield {**changelog.to_dict(row), "said": changelog.sentence(row, known)}
