"""Member CSV: the columns export writes are exactly those import reads.

This module reads and checks a file (every problem, with its line number), a batch of rows
at a time and a column at a time (the checks of each column are in cells.py);
:mod:`peerkit.services.members.importing` applies it to the database. The file is written
by :func:`peerkit.output.emit` (cells: :func:`peerkit.text.csv_cell`).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from peerkit.enums import MemberStatus
from peerkit.errors import InvalidValue, PeerkitError
from peerkit.services.members.cells import CHECKS, MISSING, check_column
from peerkit.services.members.source import MAX_BYTES, open_limited, too_large

COLUMNS = (
    "id",
    "name",
    "email",
    "timezone",
    "locale",
    "skills",
    "needs",
    "stage",
    "industry",
    "bio",
    "availability",
    "mentor_capacity",
    "status",
    "paused_until",
    "joined",
)
REQUIRED = ("email",)
LIST_COLUMNS = ("skills", "needs", "availability")

# --- reading --------------------------------------------------------------------------

CHUNK = 1 << 20  # bytes read at a time
ROWS = 1000  # rows checked together
MAX_ROW = 1 << 16  # characters in one row: far more than any member's (a bio is 4,000)


@dataclass
class Batch:
    """Rows of the file, checked: the good ones a column at a time, and the problems.

    `values[column][i]` is the checked value of the i-th good row, MISSING for an empty
    cell that means the default (the id is a column here too). `problems` are those of
    the bad rows, as (line, "line N: ..."), in the order of the file.
    """

    lines: list[int] = field(default_factory=list)
    values: dict[str, list[Any]] = field(default_factory=dict)
    problems: list[tuple[int, str]] = field(default_factory=list)

    def row(self, i: int) -> dict[str, Any]:
        """The values the i-th good row gives (not its id), for an update."""
        return {
            column: found[i]
            for column, found in self.values.items()
            if column != "id" and found[i] is not MISSING
        }


def _survey(handle: BinaryIO, path: Path, limit: int) -> str:
    """Refuse a file that is not UTF-8, or larger than LIMIT, before reading a row; its
    delimiter.

    One pass over the bytes, a chunk at a time. The byte named in the message is counted
    after a BOM. The delimiter is a semicolon when the header line (up to the first
    newline) has more of them than commas, as spreadsheets in Italian write.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, semicolons, commas, in_header = 0, 0, 0, True
    chunk = _read(handle, path).removeprefix(codecs.BOM_UTF8)
    while True:
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            raise PeerkitError(
                f"{path} is not UTF-8 text (byte {offset - pending + exc.start}). "
                "Save it as 'CSV UTF-8' and try again."
            ) from None
        if in_header:
            head = chunk.split(b"\n", 1)
            semicolons, commas = semicolons + head[0].count(b";"), commas + head[0].count(b",")
            in_header = len(head) == 1
        if not chunk:
            return ";" if semicolons > commas else ","
        offset += len(chunk)
        if offset > limit:  # a file that grew since it was opened
            raise too_large(path, limit)
        chunk = _read(handle, path)


def _read(handle: BinaryIO, path: Path) -> bytes:
    try:
        return handle.read(CHUNK)
    except OSError as exc:
        raise PeerkitError(f"cannot read {path}: {exc.strerror}") from None


class Reader:
    """A member CSV read a batch of rows at a time; its encoding and header are checked first.

    Empty lines are skipped. Lines are counted as a text editor counts them, even when a
    quoted cell spans several.
    """

    def __init__(
        self, path: Path, today: date, *, update: bool = False, max_bytes: int = MAX_BYTES
    ) -> None:
        self.path, self.today, self.update = path, today, update
        self._handle = open_limited(path, max_bytes)
        try:
            delimiter = _survey(self._handle, path, max_bytes)
            self._handle.seek(0)
            text = io.TextIOWrapper(self._handle, encoding="utf-8-sig", newline="")
            self._lines = _Lines(text, path)
            self._reader = csv.reader(self._lines, delimiter=delimiter, strict=True)
            self.columns = self._header()
        except BaseException:
            self._handle.close()
            raise
        self._checks = [CHECKS[c] for c in self.columns]

    def close(self) -> None:
        self._handle.close()

    def _header(self) -> list[str]:
        try:
            header = next(self._reader)
        except StopIteration:
            raise PeerkitError(
                f"{self.path} is empty; the first line must name the columns."
            ) from None
        except csv.Error as exc:
            raise PeerkitError(f"{self.path}, line 1: {exc}") from None
        self._lines.row = 0
        columns = [h.strip().lower() for h in header]
        _check_header(columns, self.path)
        return columns

    def __iter__(self) -> Iterator[Batch]:
        while True:
            records, error = self._read_some()
            if records or error:
                batch = self._batch(records)
                if error:
                    batch.problems.append(error)
                yield batch
            if error or len(records) < ROWS:
                return

    def _read_some(self) -> tuple[list[tuple[int, list[str]]], tuple[int, str] | None]:
        """Up to ROWS (line, cells) of lines that are not empty; a parse error ends the file."""
        reader, lines = self._reader, self._lines
        records: list[tuple[int, list[str]]] = []
        line = reader.line_num + 1
        try:
            for cells in reader:
                lines.row = 0
                if "".join(cells).strip():  # a line of empty cells is skipped
                    records.append((line, cells))
                    if len(records) == ROWS:
                        break
                line = reader.line_num + 1
        except csv.Error as exc:
            return records, (line, f"line {line}: {exc}")
        return records, None

    def _batch(self, records: list[tuple[int, list[str]]]) -> Batch:
        """Check the rows a column at a time; a batch with a problem is checked row by row."""
        width = len(self.columns)
        batch = Batch(problems=[(n, _width_problem(n, cells, width))
                                for n, cells in records if len(cells) != width])  # fmt: skip
        good = [r for r in records if len(r[1]) == width] if batch.problems else records
        if not good:
            return self._row_by_row(records)
        try:
            cells = zip(self.columns, zip(*(c for _n, c in good), strict=True), strict=True)
            batch.values = {column: check_column(column, texts) for column, texts in cells}
            _whole_rows(batch.values, self.update)
        except InvalidValue:
            return self._row_by_row(records)
        batch.lines = [n for n, _c in good]
        return batch

    def _row_by_row(self, records: list[tuple[int, list[str]]]) -> Batch:
        """Every problem of every row, in the order of the file; the good rows too."""
        # A pause end date can give a status to a file without that column.
        keys = {*self.columns, "status"} if "paused_until" in self.columns else set(self.columns)
        batch = Batch(values={c: [] for c in keys})
        for line, cells in records:
            values, problems = self._check_row(line, cells)
            if problems:
                batch.problems.extend((line, p) for p in problems)
                continue
            batch.lines.append(line)
            for column in keys:
                batch.values[column].append(values.get(column, MISSING))
        return batch

    def _check_row(self, line: int, cells: list[str]) -> tuple[dict[str, Any], list[str]]:
        width = len(self.columns)
        if len(cells) != width:
            return {}, [_width_problem(line, cells, width)]
        values: dict[str, Any] = {}
        problems: list[str] = []
        for column, check, text in zip(self.columns, self._checks, cells, strict=True):
            try:
                value = check(text)
            except InvalidValue as err:
                problems.append(f"line {line}: {column}: {err.message}")
                continue
            if value is not MISSING:
                values[column] = value
        if not self.update and "name" not in values:
            problems.append(f"line {line}: name: a new member needs a name.")
        if values.get("paused_until"):
            # A pause end date implies a pause; any other status contradicts it.
            status = values.setdefault("status", MemberStatus.PAUSED)
            if status != MemberStatus.PAUSED:
                problems.append(f"line {line}: paused_until: only a paused member can have one.")
            joined = values.get("joined")
            if joined and values["paused_until"] < joined:
                problems.append(
                    f"line {line}: paused_until: the pause ends ({values['paused_until']}) "
                    f"before the member joined ({joined})."
                )
        return values, problems


class _Lines:
    """The lines of the text, for csv.reader, none longer than a row may be.

    A row (its lines, when a quoted cell spans several) of more than MAX_ROW characters
    stops the import: a file without line ends (/dev/zero, a binary file) is never read
    whole into memory. `row` counts the characters of the row being read; the reader sets
    it back to 0 at each row.
    """

    __slots__ = ("_readline", "line", "path", "row")

    def __init__(self, text: io.TextIOWrapper, path: Path) -> None:
        self._readline = text.readline
        self.path, self.line, self.row = path, 0, 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        text = self._readline(MAX_ROW)
        if not text:
            raise StopIteration
        self.line += 1
        self.row += len(text)
        if self.row >= MAX_ROW:
            raise PeerkitError(
                f"{self.path}, line {self.line}: a row of {MAX_ROW:,} characters or more; "
                "this is not a member CSV. Nothing was imported."
            )
        return text


def _width_problem(line: int, cells: list[str], width: int) -> str:
    return f"line {line}: {len(cells)} cells, but the header names {width} columns."


def _whole_rows(values: dict[str, list[Any]], update: bool) -> None:
    """The rules over more than one cell, for a batch of good rows (InvalidValue: not so).

    A new member needs a name; a pause end date means a paused member (an empty status
    becomes paused), contradicts any other status, and is not before the day they joined.
    """
    if not update and MISSING in values.get("name", (MISSING,)):
        raise InvalidValue("a new member needs a name.")
    ends = values.get("paused_until")
    if ends is None or not any(ends):
        return
    statuses = values.setdefault("status", [MISSING] * len(ends))
    joined = values.get("joined", [MISSING] * len(ends))
    for i, end in enumerate(ends):
        if end and statuses[i] is MISSING:
            statuses[i] = MemberStatus.PAUSED
        elif end and statuses[i] != MemberStatus.PAUSED:
            raise InvalidValue("only a paused member can have one.")
        if end and joined[i] and joined[i] is not MISSING and end < joined[i]:
            raise InvalidValue("the pause ends before the member joined.")


def _check_header(columns: list[str], path: Path) -> None:
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        raise PeerkitError(
            f"{path}: unknown column(s) {', '.join(repr(c) for c in unknown)}. "
            f"Known columns: {', '.join(COLUMNS)}."
        )
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise PeerkitError(f"{path}: a column named {' and '.join(missing)} is required.")
    dupes = sorted({c for c in columns if columns.count(c) > 1})
    if dupes:
        raise PeerkitError(f"{path}: the column(s) {', '.join(dupes)} appear more than once.")
