"""Two peerkits at once stay safe (issue 13, item 12), on SQLite and on PostgreSQL.

Real processes (`python -m peerkit`) against the aiosmtpd server the test starts, counting
what the server received: two `plan week --send` at once send each invitation once; answers
at once for the last seat of an event give it to one member; an organiser's write that
waits past the busy timeout is told "another peerkit is writing, try again".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any

import pytest

from peerkit import connections
from peerkit.config import Settings
from peerkit.db import open_database
from tests.conftest import Result, assert_error, invoke
from tests.servers import smtp_server

WEEK = "2026-W50"  # after PEERKIT_TODAY (2026-11-27): every meeting gets its invitations
GROUPS = 3
SIZE = 4


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> list[str]:
    """The global options that name the database: a file, or a PostgreSQL URL."""
    if request.param == "sqlite":
        return ["--db", str(tmp_path / "community" / "peerkit.db")]
    return ["--database-url", request.getfixturevalue("pg_url")]


def ok(where: list[str], *args: str) -> Result:
    result = invoke([*where, *args])
    assert result.exit_code == 0, (args, result.stderr)
    return result


def settings(where: list[str]) -> Settings:
    option, value = where
    if option == "--db":
        return Settings(db_path=Path(value))
    return Settings(db_path=Path("unused"), database_url=value)


def spawn(where: list[str], *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.Popen(
        [sys.executable, "-m", "peerkit", *where, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def finish(procs: list[subprocess.Popen[str]]) -> list[tuple[int, str, str]]:
    done = [(*p.communicate(timeout=300), p) for p in procs]
    return [(p.returncode, out, err) for out, err, p in done]


@dataclass
class Counting:
    """An SMTP server that counts each message per recipient, and takes its time."""

    received: list[tuple[str, str]] = field(default_factory=list)  # (recipient, Message-ID)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=default)
        time.sleep(0.02)  # a real server's pace: the two runs overlap while sending
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.received.append((rcpt, str(message["Message-ID"])))
        return "250 Message accepted"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counting]:
    with smtp_server(Counting(), monkeypatch) as handler:
        yield handler


def community(where: list[str]) -> None:
    ok(where, "init", "--community", "Insieme", "--timezone", "Europe/Rome",
       "--organiser-name", "Paolo", "--organiser-email", "paolo@example.com")  # fmt: skip
    for g in range(GROUPS):
        for n in range(SIZE):
            ok(where, "member", "add", f"Member {g}-{n}", "--email", f"m{g}-{n}@example.com")
        members = [opt for n in range(SIZE) for opt in ("--member", str(g * SIZE + n + 1))]
        ok(where, "group", "create", f"Group {g}", "--day", "wed", "--time", "18:30",
           "--start", "2026-12-02", *members)  # fmt: skip


def test_two_plan_week_send_at_once_send_each_invitation_once(
    where: list[str], smtp: Counting, tmp_path: Path
) -> None:
    community(where)
    out = tmp_path / "outbox"
    runs = [spawn(where, "plan", "week", "--week", WEEK, "--out", str(out), "--send")
            for _ in range(2)]  # fmt: skip
    for code, _out, err in finish(runs):
        assert code == 0, err
    counts = Counter(smtp.received)
    assert len(counts) == GROUPS * SIZE
    assert {rcpt for rcpt, _mid in counts} == {
        f"m{g}-{n}@example.com" for g in range(GROUPS) for n in range(SIZE)
    }
    assert set(counts.values()) == {1}, [k for k, v in counts.items() if v > 1]
    again = invoke([*where, "plan", "week", "--week", WEEK, "--out", str(out), "--send"])
    assert again.exit_code == 0, again.stderr
    assert len(smtp.received) == GROUPS * SIZE  # sent before: not sent again


def test_answers_at_once_for_the_last_seat_give_it_to_one(where: list[str]) -> None:
    ok(where, "init", "--community", "Insieme", "--timezone", "Europe/Rome",
       "--organiser-name", "Paolo", "--organiser-email", "paolo@example.com")  # fmt: skip
    for n in range(5):
        ok(where, "member", "add", f"Guest {n}", "--email", f"g{n}@example.com")
    ok(where, "event", "create", "Aperitivo", "--start", "2026-12-10 19:00",
       "--timezone", "Europe/Rome", "--capacity", "2")  # fmt: skip
    ok(where, "event", "rsvp", "1", "1")  # one seat taken, one left
    answers = finish([spawn(where, "event", "rsvp", "1", str(n)) for n in range(2, 6)])
    assert [code for code, _out, _err in answers] == [0] * 4, answers
    (shown,) = json.loads(ok(where, "event", "list", "--format", "json").stdout)
    assert (shown["going"], shown["waitlist"]) == (2, 3)


def test_a_write_that_waits_past_the_busy_timeout_is_told_to_try_again(
    where: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(where, "member", "add", "Ann Lee", "--email", "ann@example.com")
    other = open_database(settings(where))  # another peerkit, in the middle of a write
    monkeypatch.setattr(connections, "BUSY_TIMEOUT_MS", 400)
    try:
        with other.write() as session:
            session.connection().exec_driver_sql("UPDATE member SET bio = 'busy' WHERE id = 1")
            started = time.monotonic()
            result = invoke([*where, "member", "add", "Bob Ray", "--email", "bob@example.com"])
            waited = time.monotonic() - started
    finally:
        other.dispose()
    assert_error(result, "another peerkit is writing, try again")
    assert len(result.stderr.splitlines()) == 1
    assert 0.3 < waited < 8
    names = json.loads(ok(where, "member", "list", "--format", "json").stdout)
    assert [m["name"] for m in names] == ["Ann Lee"]  # nothing half-done
