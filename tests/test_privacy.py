"""Erasure really erases; a subject-access export holds one member and nobody else."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.servers import smtp_server

NAME = "Zefferina Quaglierini"
EMAIL = "zefferina.quaglierini@posta-unica.example.com"
BIO = "Ceramista a Faenza, lavora il gres da vent'anni"


def _database_bytes(db_path: Path) -> bytes:
    """Every file SQLite keeps for this database: main file, WAL and shared memory."""
    files = [p for p in db_path.parent.iterdir() if p.name.startswith(db_path.name)]
    assert db_path in files
    return b"".join(p.read_bytes() for p in files)


def _setup(cli: Cli) -> str:
    cli.ok("member", "add", "Anna Verdi", "--email", "anna@example.com")
    cli.ok(
        "member",
        "add",
        NAME,
        "--email",
        EMAIL,
        "--bio",
        BIO,
        "--skills",
        "ceramica, vendite",
        "--industry",
        "artigianato",
        "--available",
        "tue 18:00-20:00",
    )
    cli.ok("member", "add", "Bruno Neri", "--email", "bruno@example.com")
    # Older versions of the row, in pages and WAL frames.
    cli.ok("member", "edit", EMAIL, "--timezone", "Europe/Rome")
    cli.ok("member", "edit", EMAIL, "--bio", BIO + ".")
    cli.ok("member", "pause", EMAIL)
    return "2"


def test_forget_leaves_no_byte_of_name_or_email(cli: Cli, db_path: Path) -> None:
    member_id = _setup(cli)
    assert NAME.encode() in _database_bytes(db_path)

    result = cli("member", "forget", EMAIL, "--yes")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""

    data = _database_bytes(db_path)
    for secret in (NAME, EMAIL, "Zefferina", "Quaglierini", "posta-unica", "Faenza", "ceramica"):
        assert secret.encode() not in data, f"{secret!r} is still in the database files"
        assert secret.encode("utf-16-le") not in data

    # Anonymous counts stay: the row, its dates and its history.
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM member").fetchone() == (3,)
        row = conn.execute(
            "SELECT email, status, joined, forgotten_at IS NOT NULL FROM member WHERE id = ?",
            (member_id,),
        ).fetchone()
        actions = [
            r[0]
            for r in conn.execute(
                "SELECT action FROM member_history WHERE member_id = ? ORDER BY id", (member_id,)
            )
        ]
    assert row[0] is None
    assert row[1] == "left"
    assert row[2] == "2026-11-27"
    assert row[3] == 1
    assert actions == ["joined", "edited", "edited", "paused", "forgotten"]

    # The others are untouched.
    shown = json.loads(cli.ok("member", "list", "-f", "json").stdout)
    assert [m["email"] for m in shown] == ["anna@example.com", "bruno@example.com"]


def test_forgotten_member_cannot_be_found_by_old_name_or_email(cli: Cli) -> None:
    _setup(cli)
    cli.ok("member", "forget", NAME, "--yes")
    for ref in (NAME, EMAIL):
        result = cli("member", "show", ref)
        assert result.exit_code == 1
        assert result.stderr.startswith("Error: no member")
        assert "#2" not in result.stderr


def test_forget_warns_about_backups_that_still_hold_data(cli: Cli, db_path: Path) -> None:
    _setup(cli)
    backup = db_path.parent / "backups" / "peerkit-20260101T000000Z-rev0001.db"
    backup.parent.mkdir()
    backup.write_bytes(b"")
    result = cli("member", "forget", EMAIL, "--yes")
    assert result.exit_code == 0
    assert "backup" in result.stderr
    assert str(backup.parent) in result.stderr


def test_subject_access_export_holds_only_that_member(cli: Cli) -> None:
    _setup(cli)
    result = cli("member", "export", EMAIL)
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["member"]["name"] == NAME
    assert record["member"]["bio"] == BIO + "."
    assert [h["action"] for h in record["history"]] == ["joined", "edited", "edited", "paused"]
    for other in ("Anna Verdi", "anna@example.com", "Bruno Neri", "bruno@example.com"):
        assert other not in result.stdout


def test_subject_access_export_has_every_record_with_others_as_ids(cli: Cli) -> None:
    _setup(cli)
    cli.ok("member", "resume", EMAIL)
    cli.ok("member", "edit", "anna@example.com", "--mentor-capacity", "1", "--skills", "prezzi")
    cli.ok("group", "create", "Ceramisti", "--member", EMAIL, "--member", "anna@example.com",
           "--day", "tue", "--time", "18:00", "--timezone", "Europe/Rome")  # fmt: skip
    cli.ok("commitment", "add", EMAIL, "Cuocere la nuova serie")
    cli.ok("mentor", "pair", "anna@example.com", EMAIL, "--topic", "prezzi")

    record = json.loads(cli.ok("member", "export", EMAIL).stdout)

    assert record["groups"] == [
        {"group": "ceramisti", "role": "member", "joined": "2026-11-27", "left_on": None}
    ]
    assert [c["text"] for c in record["commitments"]] == ["Cuocere la nuova serie"]
    (mentorship,) = record["mentorships"]
    assert mentorship["role"] == "mentee"
    assert mentorship["with"] == 1
    assert mentorship["topic"] == "prezzi"
    assert record["checkins"] == []
    text = json.dumps(record)
    for other in ("Anna Verdi", "anna@example.com", "Bruno Neri", "bruno@example.com"):
        assert other not in text


class _Accept:
    """An SMTP server that takes every message."""

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        return "250 Message accepted"


def test_subject_access_export_holds_event_replies_roles_and_deliveries(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEERKIT_NOW", "2026-11-27T12:00:00+01:00")
    cli.ok("init", "--timezone", "Europe/Rome", "--organiser-name", "Paolo Pavan",
           "--organiser-email", "paolo@example.com")  # fmt: skip
    _setup(cli)
    cli.ok("member", "resume", EMAIL)
    cli.ok("group", "create", "Ceramisti", "--member", EMAIL, "--member", "anna@example.com",
           "--day", "tue", "--time", "18:00", "--start", "2026-12-01")  # fmt: skip
    cli.ok("session", "plan", "ceramisti", "--count", "1")
    cli.ok("session", "attend", "1", "--present", EMAIL, "--absent", "anna@example.com")
    cli.ok("event", "create", "Aperitivo", "--start", "2026-12-10 19:00", "--capacity", "1")
    out = str(tmp_path / "out")
    cli.ok("member", "edit", "anna@example.com", "--mentor-capacity", "1")
    cli.ok("mentor", "pair", "anna@example.com", EMAIL, "--topic", "prezzi")
    with smtp_server(_Accept(), monkeypatch):
        cli.ok("invite", "1", "--out", out, "--send")
        cli.ok("event", "rsvp", "1", EMAIL, "--out", out, "--send")
        cli.ok("mentor", "checkin", "1", "--start", "2026-12-03 18:30", "--out", out, "--send")
    cli.ok("event", "rsvp", "1", "anna@example.com", "--out", out)

    record = json.loads(cli.ok("member", "export", EMAIL).stdout)

    assert record["attendance"] == [{"session": 1, "status": "present"}]
    (reply,) = record["events"]
    assert (reply["event"], reply["title"], reply["status"]) == (1, "Aperitivo", "going")
    assert reply["start"] == "2026-12-10T18:00:00+00:00"
    kinds = {(d["kind"], d["about"], d["id"], d["sequence"]) for d in record["deliveries"]}
    assert kinds == {
        ("invite", "session", 1, 0),
        ("event_invitation", "event", 1, 0),
        ("checkin", "checkin", 1, 0),
    }
    assert [c["id"] for c in record["checkins"]] == [1]
    (invite,) = [d for d in record["deliveries"] if d["about"] == "session"]
    assert invite["sent_at"] is not None
    text = json.dumps(record)
    for other in ("Anna Verdi", "anna@example.com", "Bruno Neri", "bruno@example.com"):
        assert other not in text


def test_subject_access_export_lists_the_meetings_they_facilitate(cli: Cli) -> None:
    _setup(cli)
    cli.ok("member", "resume", EMAIL)
    cli.ok("group", "create", "Ceramisti", "--member", "anna@example.com", "--facilitator",
           EMAIL, "--day", "tue", "--time", "18:00", "--start", "2026-12-01")  # fmt: skip
    cli.ok("plan", "week", "--week", "2026-W49", "--out", str(cli.db_path.parent / "out"))

    record = json.loads(cli.ok("member", "export", EMAIL).stdout)

    assert record["roles"] == [{"session": 1, "role": "facilitator"}]
    anna = json.loads(cli.ok("member", "export", "anna@example.com").stdout)
    assert {"session": 1, "role": "facilitator"} not in anna["roles"]
