"""Output: tables for people, JSON and CSV for scripts.

Data goes to stdout, everything else (messages, progress, warnings) to stderr.
User text is shown literally: no Rich markup is interpreted and control or
invisible characters are shown as escapes, never sent to the terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, Literal, cast

from peerkit.output.stream import (
    ColumnBatches,
    _json_safe,
    csv_column,
    json_text,
    write_csv,
    write_csv_columns,
    write_json_columns,
    write_json_list,
)
from peerkit.output.table import KEEP, Column, Columns, columns_of, fit, full, keys_of, pack
from peerkit.text import terminal_safe

__all__ = [
    "Column", "Format", "csv_column", "data_line", "emit", "emit_one", "emit_rows", "json_text",
    "message", "show_table", "to_json", "warning", "wrap_lines", "write_calendar", "write_csv",
    "write_json_list",
]  # fmt: skip


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def to_json(data: Any) -> str:
    """`json.dumps(data, indent=2, ensure_ascii=False, default=str)`, made safe (json_text)."""
    return _json_safe(json_text(data))


def doing(text: str) -> None:
    """What a long command is doing now, on one line of the terminal that the next one (or
    the next message) replaces; nothing when stderr is not a terminal."""
    isatty = getattr(sys.stderr, "isatty", None)
    if not (isatty and isatty()):
        return
    import shutil

    width = shutil.get_terminal_size().columns
    shown = terminal_safe(text)[: max(width - 1, 1)]
    sys.stderr.write(f"\r\x1b[2K{shown}")
    sys.stderr.flush()


def done_doing() -> None:
    """Clear the line `doing` wrote."""
    isatty = getattr(sys.stderr, "isatty", None)
    if isatty and isatty():
        sys.stderr.write("\r\x1b[2K")
        sys.stderr.flush()


def message(text: str) -> None:
    """A message for the person at the terminal (stderr).

    On a terminal, a line longer than its width is wrapped between words (the terminal
    would break it anywhere), the rest indented by two spaces; to a file, it is one line.
    """
    safe = terminal_safe(text, keep_newlines=True)
    isatty = getattr(sys.stderr, "isatty", None)
    if isatty and isatty():
        import shutil

        safe = wrap_lines(safe, shutil.get_terminal_size().columns)
    sys.stderr.write(safe + "\n")


def wrap_lines(text: str, width: int) -> str:
    """TEXT with each line longer than WIDTH wrapped between words (never inside one)."""
    import textwrap

    lines = []
    for line in text.split("\n"):
        if len(line) <= width:
            lines.append(line)
            continue
        indent = " " * (len(line) - len(line.lstrip(" ")) + 2)
        lines.extend(
            textwrap.wrap(
                line,
                width,
                subsequent_indent=indent,
                break_long_words=False,
                break_on_hyphens=False,
            )
            or [line]
        )
    return "\n".join(lines)


def warning(text: str) -> None:
    message(f"Warning: {text}")


def data_line(text: str) -> None:
    """A line of data on stdout (an id, a path)."""
    sys.stdout.write(terminal_safe(text) + "\n")


def write_calendar(data: bytes, output: Path | None, *, overwrite: bool = False) -> None:
    """A calendar to stdout, or to FILE (mode 0600; an existing FILE only with ``overwrite``)."""
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    from peerkit.files import write_private

    message(f"Wrote {write_private(output, data.decode('utf-8'), overwrite=overwrite)}.")


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    return str(value)


def emit(
    rows: Sequence[dict[str, Any]],
    fmt: Format,
    columns: Columns,
    *,
    csv_columns: Sequence[str] | None = None,
    title: str | None = None,
    empty: str = "Nothing to show.",
    wide: bool = False,
) -> None:
    """A list of objects: a table (the given columns, see `show_table`), JSON (all keys) or
    CSV."""
    if fmt is Format.json:
        sys.stdout.write(to_json(list(rows)) + "\n")
    elif fmt is Format.csv:
        # CSV columns are the JSON keys (cli.md), unless the caller fixes them.
        keys = csv_columns or (tuple(rows[0]) if rows else keys_of(columns))
        write_csv(sys.stdout, list(rows), tuple(keys))
    elif not rows:
        message(empty)
    else:
        show_table(rows, columns, title=title, wide=wide)


def emit_rows(
    rows: Iterable[dict[str, Any]],
    fmt: Format,
    columns: Columns,
    *,
    csv_columns: Sequence[str],
    out: IO[str] | None = None,
    title: str | None = None,
    empty: str = "Nothing to show.",
    wide: bool = False,
) -> None:
    """As `emit`, with the same bytes, but JSON and CSV are written a row at a time.

    The rows may come straight from the database: none is kept once written. A table
    needs every row before it can be drawn. Rows that offer `column_batches()` (the member
    listing) are written a batch of columns at a time, without a dict for each.
    """
    out = out or sys.stdout
    batched = cast(ColumnBatches, rows) if hasattr(rows, "column_batches") else None
    if fmt is Format.table:
        emit(list(rows), fmt, columns, csv_columns=csv_columns, title=title, empty=empty, wide=wide)
    elif batched is not None:
        keys, batches = batched.column_batches()
        if fmt is Format.json:
            write_json_columns(out, keys, batches)
        else:
            write_csv_columns(out, keys, batches, tuple(csv_columns))
    elif fmt is Format.json:
        write_json_list(out, rows)
    else:
        write_csv(out, rows, tuple(csv_columns))


def emit_one(obj: dict[str, Any], fmt: Format, *, title: str | None = None) -> None:
    """A single object: key/value table, JSON object or a one-row CSV."""
    if fmt is Format.json:
        sys.stdout.write(to_json(obj) + "\n")
    elif fmt is Format.csv:
        write_csv(sys.stdout, [obj], tuple(obj))
    else:
        _key_values(obj, title)


def _console() -> Any:
    from rich.console import Console

    return Console(file=sys.stdout, highlight=False, soft_wrap=False)


def _text(value: Any) -> Any:
    from rich.text import Text

    return Text(terminal_safe(_plain(value), keep_newlines=True))


def show_table(
    rows: Sequence[dict[str, Any]],
    columns: Columns,
    *,
    title: str | None = None,
    wide: bool = False,
    overflow: Literal["fold", "ellipsis"] = "fold",
) -> None:
    """Rows as a table on stdout, the cells of COLUMNS (keys or `Column`s).

    On a terminal the table fits its width (`table.fit`: the least important columns are
    left out, named under the table); with WIDE every column is shown whole. Otherwise
    (stdout is a file or a pipe) the table is drawn as it always was, for scripts: every
    column, squeezed to the width (COLUMNS, or 80), a cell too long folded (OVERFLOW).
    """
    if wide or _is_terminal():
        _fitted(rows, columns_of(columns), title, wide)
    else:
        _table(rows, columns_of(columns), title, overflow)


def _is_terminal() -> bool:
    isatty = getattr(sys.stdout, "isatty", None)
    return bool(isatty and isatty())


def _table(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[Column],
    title: str | None,
    overflow: Literal["fold", "ellipsis"],
) -> None:
    from rich.table import Table

    table = Table(title=_text(title) if title else None, title_justify="left")
    for column in columns:
        table.add_column(column.title, overflow=overflow)
    for row in rows:
        table.add_row(*(_text(row.get(c.key)) for c in columns))
    _console().print(table)


def _fitted(
    rows: Sequence[dict[str, Any]], columns: Sequence[Column], title: str | None, wide: bool
) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    # A list in free text (names, skills) wraps between its items, never inside one.
    lists = [
        [_items(row.get(c.key)) if c.wrap and c.whole_items else None for c in columns]
        for row in rows
    ]
    cells = [
        [
            terminal_safe(_plain(row.get(c.key)), keep_newlines=True)
            if found is None
            else ", ".join(item.replace(" ", KEEP) for item in found)
            for c, found in zip(columns, listed, strict=True)
        ]
        for row, listed in zip(rows, lists, strict=True)
    ]
    console = _console()
    layout = full(columns, cells) if wide else fit(columns, cells, console.width)
    if wide and layout.width > console.width:
        console = Console(file=sys.stdout, highlight=False, soft_wrap=False, width=layout.width)
    hidden = ", ".join(c.title for c in layout.hidden)
    table = Table(
        title=_text(title) if title else None,
        title_justify="left",
        caption=Text(f"Not shown: {hidden} (--wide shows every column).") if hidden else None,
        caption_justify="left",
    )
    at = [columns.index(column) for column, _ in layout.shown]
    for column, width in layout.shown:
        table.add_column(column.title, width=width, justify="right" if column.right else "left")
    widths = dict(zip(at, (width for _, width in layout.shown), strict=True))
    for row, listed in zip(cells, lists, strict=True):
        table.add_row(
            *(
                Text(row[i], no_wrap=not columns[i].wrap, overflow="ellipsis")
                if listed[i] is None
                else Text(pack(listed[i] or [], widths[i]), no_wrap=True, overflow="ellipsis")
                for i in at
            )
        )
    console.print(table)


def _items(value: Any) -> list[str] | None:
    """The items of a list value, each as it is shown; None for anything else."""
    if not isinstance(value, list) or not value:
        return None
    return [terminal_safe(_plain(item)) for item in value]


def _key_values(obj: dict[str, Any], title: str | None) -> None:
    from rich.table import Table

    table = Table(title=_text(title) if title else None, show_header=False, title_justify="left")
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for key, value in obj.items():
        table.add_row(key.replace("_", " "), _text(value))
    _console().print(table)
