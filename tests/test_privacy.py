"""Erasure really erases; a subject-access export holds one member and nobody else."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.conftest import Cli

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
