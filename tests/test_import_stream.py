"""`member import` reads its file in batches: the result is the same as reading it whole.

The expected messages were taken from the import as it was before it streamed.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from peerkit.services.common import validate
from peerkit.services.members import cells, csvio
from tests.conftest import Cli, without_creation_note

TZ_PROBLEM = (
    "timezone: unknown time zone 'Mars/Base'. Use an IANA name such as Europe/Rome or "
    "America/New_York."
)


def _many(tmp_path: Path) -> Path:
    """2,500 rows (three batches): a bad zone every 100th row, line 2's e-mail every 150th."""
    rows = []
    for i in range(1, 2501):
        zone = "Mars/Base" if i % 100 == 0 else "Europe/Rome"
        email = "m1@example.com" if i % 150 == 0 else f"m{i}@example.com"
        rows.append(f"Member {i},{email},{zone}")
    path = tmp_path / "many.csv"
    path.write_text("name,email,timezone\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _problems(stderr: str) -> list[str]:
    lines = without_creation_note(stderr).splitlines()
    assert (
        lines[0] == "Error: nothing was imported: the file has 33 problems. Fix them and run again:"
    )
    return [line.strip() for line in lines[1:]]


ZONES = [f"line {n}01: {TZ_PROBLEM}" for n in range(1, 26)]
DUPLICATES = [f"line {n}: email: m1@example.com is also on line 2." for n in range(151, 2500, 300)]


def test_without_a_database_duplicates_come_after_the_other_problems(
    cli: Cli, tmp_path: Path, db_path: Path
) -> None:
    result = cli("member", "import", str(_many(tmp_path)))
    assert result.exit_code == 1
    assert _problems(result.stderr) == ZONES + DUPLICATES
    assert not db_path.exists()


def test_with_a_database_every_problem_is_in_line_order(
    cli: Cli, tmp_path: Path, db_path: Path
) -> None:
    cli.ok("member", "add", "Ada", "--email", "ada@example.com")
    result = cli("member", "import", str(_many(tmp_path)))
    assert result.exit_code == 1
    assert _problems(result.stderr) == sorted(
        ZONES + DUPLICATES, key=lambda p: int(p.split()[1].rstrip(":"))
    )
    listed = json.loads(cli.ok("member", "list", "--format", "json").stdout)
    assert [m["email"] for m in listed] == ["ada@example.com"]


def test_only_the_first_fifty_problems_are_kept(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "name,email\n" + "".join(f"N {i},not-an-address-{i}\n" for i in range(3000)),
        encoding="utf-8",
    )
    lines = cli("member", "import", str(path)).stderr.splitlines()
    assert "the file has 3000 problems" in lines[0]
    assert lines[1].startswith("  line 2: email: 'not-an-address-0' is not a valid e-mail")
    assert lines[50].startswith("  line 51: email:")
    assert lines[51:] == ["  ... and 2950 more"]


def test_rows_without_an_id_come_after_every_explicit_id(cli: Cli, tmp_path: Path) -> None:
    """New rows take the next free ids once the explicit ids are in, batches or not."""
    rows = [f",Member {i},m{i}@example.com" for i in range(1, 1500)]
    rows.append("3,Three,three@example.com")
    path = tmp_path / "mixed.csv"
    path.write_text("id,name,email\n" + "\n".join(rows) + "\n", encoding="utf-8")
    cli.ok("member", "import", str(path))
    listed = json.loads(cli.ok("member", "list", "--format", "json").stdout)
    assert [(m["id"], m["email"]) for m in listed[:3]] == [
        (3, "three@example.com"),
        (4, "m1@example.com"),
        (5, "m2@example.com"),
    ]
    assert listed[-1]["id"] == 1502


@pytest.mark.parametrize("stored", [False, True])
def test_a_pause_date_pauses_in_every_batch(cli: Cli, tmp_path: Path, stored: bool) -> None:
    if stored:
        cli.ok("member", "add", "Ada", "--email", "ada@example.com")
    rows = [
        f"N {i},n{i}@example.com,{'2027-02-02' if i % 700 == 0 else ''}" for i in range(1, 2200)
    ]
    path = tmp_path / "paused.csv"
    path.write_text("name,email,paused_until\n" + "\n".join(rows) + "\n", encoding="utf-8")
    cli.ok("member", "import", str(path))
    paused = json.loads(cli.ok("member", "list", "--status", "paused", "--format", "json").stdout)
    assert [m["name"] for m in paused] == ["N 700", "N 1400", "N 2100"]
    assert {m["paused_until"] for m in paused} == {"2027-02-02"}


def test_an_update_in_batches_changes_every_member(cli: Cli, tmp_path: Path) -> None:
    rows = [f"Member {i},m{i}@example.com" for i in range(1, 2100)]
    (tmp_path / "all.csv").write_text("name,email\n" + "\n".join(rows) + "\n", encoding="utf-8")
    cli.ok("member", "import", str(tmp_path / "all.csv"))
    stages = "email,stage\n" + "".join(f"m{i}@example.com,growth\n" for i in range(1, 2100))
    (tmp_path / "stages.csv").write_text(stages, encoding="utf-8")
    result = cli.ok("member", "import", str(tmp_path / "stages.csv"), "--update")
    assert result.stderr == "Added 0 new members, updated 2099.\n"
    listed = json.loads(cli.ok("member", "list", "--format", "json").stdout)
    assert {m["stage"] for m in listed} == {"growth"}


def test_a_bad_byte_late_in_the_file_is_found_before_any_row(
    cli: Cli, tmp_path: Path, db_path: Path
) -> None:
    path = tmp_path / "late.csv"
    head = "name,email\n" + "".join(f"N {i},n{i}@example.com\n" for i in range(20000))
    path.write_bytes(b"\xef\xbb\xbf" + head.encode() + "Jos\xe9,j@example.com\n".encode("latin-1"))
    result = cli("member", "import", str(path))
    assert result.stderr == (
        f"Error: {path} is not UTF-8 text (byte {len(head.encode()) + 3}). "
        "Save it as 'CSV UTF-8' and try again.\n"
    )
    assert not db_path.exists()


# --- a column at a time gives what each cell gives ------------------------------------

ODD = [
    "Ada", " Ada ", "", "  ", "'=1+1", "'plain", "x\x1by", "a\nb", "a\r\nb", "É" * 201,
    "ada@example.com", " ADA@Example.COM ", "a@b.test", "a--b@example.com", "x@localhost",
    "a" * 65 + "@example.com", "bio\nwith lines\n", "\u202eevil", "café@example.it",
]  # fmt: skip


@dataclass(frozen=True)
class Raised:
    kind: type
    message: str


def _outcome(check: Callable[[], object]) -> object:
    """What a check gives: its value, or the type and message of what it raised."""
    try:
        return check()
    except Exception as exc:
        return Raised(type(exc), str(exc))


def _one_by_one(column: str, texts: list[str]) -> list[object]:
    return [_outcome(lambda t=text: cells.CHECKS[column](t)) for text in texts]


@pytest.mark.parametrize("column", csvio.COLUMNS)
def test_a_column_is_checked_as_its_cells_are(column: str) -> None:
    for text in ODD:
        [expected] = _one_by_one(column, [text])
        found = _outcome(lambda t=text: cells.check_column(column, [t]))
        assert found == (expected if isinstance(expected, Raised) else [expected])
    good = [t for t in ODD if not isinstance(_one_by_one(column, [t])[0], Raised)]
    assert cells.check_column(column, good) == _one_by_one(column, good)


def test_a_column_of_addresses_is_checked_as_each_address() -> None:
    good = ["ada@example.com", " B.C@Mail.Example.IT", "x+tag@sub.example.org"]
    assert validate.emails(good) == [validate.email(v) for v in good]
    for bad in (["a@b.test"], ["ok@example.com", "a--b@xn--e1a.com"], ["a\n@example.com"]):
        each = [_outcome(lambda v=value: validate.email(v)) for value in bad]
        first_problem = next((e for e in each if isinstance(e, Raised)), None)
        assert _outcome(lambda b=bad: validate.emails(b)) == (first_problem or each)


def _stored(db: Path) -> list[tuple[dict[str, object], dict[str, str]]]:
    """Every member row, and the storage class of each of its values, in id order."""
    conn = sqlite3.connect(db)
    try:
        names = [r[1] for r in conn.execute("PRAGMA table_info(member)")]
        typed = ", ".join(f'"{n}", typeof("{n}")' for n in names)
        rows = conn.execute(f"SELECT {typed} FROM member ORDER BY id").fetchall()
    finally:
        conn.close()
    return [
        (dict(zip(names, row[0::2], strict=True)), dict(zip(names, row[1::2], strict=True)))
        for row in rows
    ]


@pytest.mark.parametrize("stored", [False, True])
def test_rows_are_stored_in_file_order_with_their_types(
    cli: Cli, tmp_path: Path, stored: bool
) -> None:
    """Three batches and a rest, into a new database (spooled) or an existing one (a batch
    at a time): ids in the order of the file, numbers stored as integers, empty cells as
    NULL or the community's defaults, lists as JSON text; no table of the import's own left
    in the file."""
    if stored:
        cli.ok("member", "add", "Ada", "--email", "ada@example.com")
    rows = [
        f"N {i},n{i}@example.com,{'Europe/Rome' if i % 3 else ''},{i % 4},"
        f"{'ux; sales' if i % 2 else ''},{'2025-01-02' if i % 5 else ''}"
        for i in range(1, 6501)
    ]
    path = tmp_path / "typed.csv"
    head = "name,email,timezone,mentor_capacity,skills,joined\n"
    path.write_text(head + "\n".join(rows) + "\n", encoding="utf-8")
    cli.ok("member", "import", str(path))
    found = _stored(cli.db_path)[1 if stored else 0 :]
    assert len(found) == 6500
    first = 2 if stored else 1
    expected_kinds = {
        "id": "integer", "name": "text", "email": "text", "timezone": "text",
        "mentor_capacity": "integer", "skills": "text", "bio": "null", "forgotten_at": "null",
    }  # fmt: skip
    for i, (values, kinds) in enumerate(found, start=1):
        assert values["id"] == first + i - 1
        assert values["name"] == f"N {i}"
        assert values["email"] == f"n{i}@example.com"
        assert values["mentor_capacity"] == i % 4
        assert values["timezone"] == ("Europe/Rome" if i % 3 else "UTC")
        assert values["skills"] == ('["ux", "sales"]' if i % 2 else "[]")
        if i % 5:
            assert values["joined"] == "2025-01-02"
        assert kinds["joined"] == "text"
        assert {k: kinds[k] for k in expected_kinds} == expected_kinds
    conn = sqlite3.connect(cli.db_path)
    try:
        assert conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE name LIKE 'peerkit%'"
        ).fetchone() == (0,)
    finally:
        conn.close()
