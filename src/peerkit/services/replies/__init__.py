"""Replies to invitations: members' answers, read from their messages and recorded.

`process(session, sources, now, dry_run=...)` reads each message (a Source: a label and the
raw bytes), matches it to the meeting, check-in or event it answers and to the member who
sent it, and records the answer, all in the caller's transaction; `finish(done, outbox,
dry_run=...)` then writes what the answers changed (agendas, event invitations) once that
transaction is kept. `run(db, ...)` does both, as `replies import` does; `mailboxes.sources`
reads files, folders, maildirs and mbox files. docs/replies.md says what each calendar sends
and what peerkit does with it.
"""

from __future__ import annotations

from peerkit.services.replies.mailboxes import check_paths, sources
from peerkit.services.replies.outcome import (
    IGNORED,
    ITIP,
    MAIL,
    OTHER,
    RECORDED,
    REFUSED,
    UNCHANGED,
    UNCLEAR,
    WOULD_RECORD,
    Outcome,
    Source,
)
from peerkit.services.replies.processing import Processed, finish, process, run

__all__ = [
    "IGNORED",
    "ITIP",
    "MAIL",
    "OTHER",
    "RECORDED",
    "REFUSED",
    "UNCHANGED",
    "UNCLEAR",
    "WOULD_RECORD",
    "Outcome",
    "Processed",
    "Source",
    "check_paths",
    "finish",
    "process",
    "run",
    "sources",
]
