"""`member list` and `member export` stream their rows: the bytes are those of the whole list.

The reference is how the output was made before it streamed: every member loaded as an ORM
object, `profiles.to_dict`, then `output.to_json` or `output.write_csv` over the whole list.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import col, select

from peerkit.config import Settings
from peerkit.db import open_database
from peerkit.enums import MemberStatus
from peerkit.models import Member
from peerkit.output import csv_column, json_text, to_json, write_csv, write_json_list
from peerkit.output.stream import write_csv_columns, write_json_columns
from peerkit.services.common import validate
from peerkit.services.groups import roster
from peerkit.services.members import listing, profiles
from peerkit.services.members.csvio import COLUMNS
from peerkit.text import csv_cell
from tests.conftest import FIXED_TODAY, Cli, invoke

ODD_CSV = (
    "name,email,timezone,locale,skills,needs,stage,industry,bio,availability,"
    "mentor_capacity,status,paused_until\n"
    '"Zoë ""Zed"" Ørsted",zoe@example.com,Asia/Tokyo,en,"ux; 日本語",,idea,"a, b",'
    '"two\nlines, ""quoted""",mon 09:00-10:00,2,,\n'
    "'=SUM(A1),formula@example.com,,,'+plus,'-minus,,'@home,'=bio,,,,\n"
    "Empty Lists,empty@example.com,,,,,,,,,0,,\n"
    "Paused Later,later@example.com,,,,,,,,,,paused,2027-03-01\n"
    "Paused Over,over@example.com,,,,,,,,,,paused,2026-01-01\n"
    "Paused Open,open@example.com,,,,,,,,,,paused,\n"
    "Gone Member,gone@example.com,,,,,,,,,,,\n"
    "Left Before,before@example.com,,,,,,,,,,left,\n"
    "Forget Me,forget@example.com,,,,,,,,,,,\n"
    "Мария Иванова,maria@example.com,Europe/Rome,it,,,established,,"
    '"emoji 🎉 and tab\there",sat 10:00-12:00; sun 10:00-11:00,1,,\n'
)


@pytest.fixture
def odd_community(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text(ODD_CSV, encoding="utf-8")
    cli.ok("member", "import", str(path))
    cli.ok("member", "forget", "forget@example.com", "--yes")
    cli.ok("group", "create", "Circle", "--day", "tue", "--time", "18:00")
    cli.ok("group", "add", "circle", "zoe@example.com", "later@example.com", "gone@example.com")
    cli.ok("member", "remove", "gone@example.com")


def _before(
    db_path: Path, fmt: str, *, export: bool = False, url: str | None = None, **filters: Any
) -> str:
    """The output as it was made before it streamed."""
    db = open_database(Settings(db_path=db_path, database_url=url))
    today = dt.date.fromisoformat(FIXED_TODAY)
    try:
        with db.read() as session:
            if export:
                query = select(Member).where(col(Member.forgotten_at).is_(None))
                found = list(session.exec(query.order_by(col(Member.id))))
            else:
                status = filters.get("status")
                group = filters.get("group")
                found = profiles.list_members(
                    session,
                    validate.status(status) if status else None,
                    today,
                    roster.resolve(session, group) if group else None,
                )
            rows = [profiles.to_dict(m, today) for m in found]
    finally:
        db.dispose()
    if fmt == "json":
        return to_json(rows) + "\n"
    out = io.StringIO()
    write_csv(out, rows, COLUMNS)
    return out.getvalue()


FILTERS: list[dict[str, str]] = [
    {},
    {"status": "active"},
    {"status": "paused"},
    {"status": "left"},
    {"group": "circle"},
    {"group": "circle", "status": "left"},
]


@pytest.mark.usefixtures("odd_community")
@pytest.mark.parametrize("fmt", ["json", "csv"])
@pytest.mark.parametrize("filters", FILTERS)
def test_member_list_is_byte_identical(
    cli: Cli, db_path: Path, fmt: str, filters: dict[str, str]
) -> None:
    args = [part for key, value in filters.items() for part in (f"--{key}", value)]
    streamed = cli.ok("member", "list", "--format", fmt, *args).stdout
    assert streamed == _before(db_path, fmt, **filters)


@pytest.mark.usefixtures("odd_community")
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_member_export_is_byte_identical(cli: Cli, db_path: Path, fmt: str) -> None:
    assert cli.ok("member", "export", "--format", fmt).stdout == _before(db_path, fmt, export=True)


@pytest.mark.usefixtures("odd_community")
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_member_export_to_a_file_is_byte_identical(
    cli: Cli, db_path: Path, tmp_path: Path, fmt: str
) -> None:
    target = tmp_path / f"all.{fmt}"
    cli.ok("member", "export", "--format", fmt, "--output", str(target))
    assert target.read_bytes().decode("utf-8") == _before(db_path, fmt, export=True)
    assert target.stat().st_mode & 0o777 == 0o600


@pytest.mark.postgres
def test_streaming_from_postgres_is_byte_identical(pg_url: str, tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text(ODD_CSV, encoding="utf-8")
    base = ["--database-url", pg_url]
    assert invoke([*base, "member", "import", str(path)]).exit_code == 0
    for fmt in ("json", "csv"):
        listed = invoke([*base, "member", "list", "--format", fmt, "--status", "paused"])
        assert listed.stdout == _before(tmp_path, fmt, url=pg_url, status="paused")
        exported = invoke([*base, "member", "export", "--format", fmt])
        assert exported.stdout == _before(tmp_path, fmt, url=pg_url, export=True)


def test_an_empty_community_lists_an_empty_list(cli: Cli) -> None:
    assert cli.ok("member", "list", "--format", "json").stdout == "[]\n"
    assert cli.ok("member", "export", "--format", "csv").stdout == ",".join(COLUMNS) + "\n"


# --- the JSON writer gives json.dumps's bytes -----------------------------------------

_SCALARS = (
    st.text() | st.integers() | st.booleans() | st.none() | st.dates() | st.floats(allow_nan=True)
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=5) | st.integers(), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(_VALUES)
def test_json_text_is_json_dumps(value: Any) -> None:
    assert json_text(value) == json.dumps(value, indent=2, ensure_ascii=False, default=str)


@given(st.lists(_VALUES, max_size=5))
def test_a_streamed_json_list_is_to_json(values: list[Any]) -> None:
    out = io.StringIO()
    write_json_list(out, iter(values))
    assert out.getvalue() == to_json(values) + "\n"


_CELLS = st.lists(
    st.none()
    | st.text(alphabet=st.sampled_from(list("ab '=+-@\t\r\n\x1b\u202e;,é")))
    | st.integers()
    | st.booleans()
    | st.lists(st.text(max_size=4) | st.integers(), max_size=3)
    | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    max_size=6,
)


@given(_CELLS)
def test_a_csv_column_is_its_cells(values: list[Any]) -> None:
    assert csv_column(values) == [csv_cell(v) for v in values]


def test_a_csv_column_of_words_and_formulas() -> None:
    words = [MemberStatus.ACTIVE, None, "'=x", "=1", "a\n-b", "-3", "\x1b[31m"]
    assert csv_column(words) == [csv_cell(v) for v in words]
    assert csv_column([-1, 2]) == ["'-1", "2"]
    assert csv_column([["a", "=b"], []]) == ["a; =b", ""]


_PLAIN = (
    st.none()
    | st.text(max_size=6)
    | st.integers()
    | st.booleans()
    | st.lists(st.text(max_size=4), max_size=3)
    | st.lists(st.integers(), max_size=2)
    | st.sampled_from(list(MemberStatus))
    | st.dates()
)


@given(
    st.lists(st.sampled_from(["id", "name", "100%", 'say "hi"', "é"]), min_size=1, unique=True),
    st.lists(st.lists(_PLAIN, min_size=5, max_size=5), max_size=4),
)
def test_records_with_the_same_keys_are_written_as_json_dumps(
    keys: list[str], rows: list[list[Any]]
) -> None:
    records = [dict(zip(keys, values, strict=False)) for values in rows]
    out = io.StringIO()
    write_json_list(out, iter(records))
    assert out.getvalue() == to_json(records) + "\n"


@given(
    st.lists(st.sampled_from(["id", "name", "100%", 'say "hi"', "é"]), min_size=1, unique=True),
    st.lists(st.lists(_PLAIN, min_size=5, max_size=5), max_size=6),
    st.integers(min_value=1, max_value=4),
    st.lists(st.sampled_from(["name", "id", "missing", "é"]), min_size=1, unique=True),
)
def test_batches_of_columns_are_written_as_their_records(
    keys: list[str], rows: list[list[Any]], size: int, csv_keys: list[str]
) -> None:
    """The member listing hands the writers batches of columns (no dict per member): the
    bytes are those of the records, in JSON and in CSV."""
    records = [dict(zip(keys, values, strict=False)) for values in rows]
    batches = [
        [[r[k] for r in records[i : i + size]] for k in keys] for i in range(0, len(records), size)
    ]
    out = io.StringIO()
    write_json_columns(out, tuple(keys), iter(batches))
    assert out.getvalue() == to_json(records) + "\n"
    out, expected = io.StringIO(), io.StringIO()
    write_csv_columns(out, tuple(keys), iter(batches), tuple(csv_keys))
    write_csv(expected, iter(records), tuple(csv_keys))
    assert out.getvalue() == expected.getvalue()


def test_the_listing_offers_its_members_as_columns(cli: Cli, db_path: Path) -> None:
    """The same members, as dicts or as columns."""
    cli.ok("member", "add", "Anna", "--email", "anna@example.com", "--skills", "a, b")
    cli.ok("member", "add", "Ben", "--email", "ben@example.com")
    today = dt.date.fromisoformat(FIXED_TODAY)
    db = open_database(Settings(db_path=db_path))
    try:
        with db.read() as session:
            as_dicts = list(listing.members(session, None, today))
            keys, batches = listing.members(session, None, today).column_batches()
            as_columns = [
                dict(zip(keys, v, strict=True)) for b in batches for v in zip(*b, strict=True)
            ]
            one = profiles.to_dict(profiles.resolve(session, "anna@example.com"), today)
    finally:
        db.dispose()
    assert as_dicts == as_columns
    assert as_dicts[0] == one
