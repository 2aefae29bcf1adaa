"""JSON and CSV written a batch of rows at a time, a column at a time: the same bytes as
`to_json` of the whole list and a csv.writer over every row, in bounded memory.

Rows come as dicts, or, from a source that offers `column_batches()` (the member listing),
as batches of columns: then no dict is built for a row at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from json.encoder import encode_basestring
from operator import itemgetter
from typing import IO, Any, Protocol

from peerkit.text import (
    JSON_UNSAFE,
    LIST_SEPARATOR,
    csv_cell,
    find_control,
    neutralise_cell,
    terminal_safe,
)

# json.dumps leaves DEL, C1 controls and bidi/invisible characters raw with
# ensure_ascii=False; escape them so a JSON document printed to a terminal is harmless.
_JSON_UNSAFE = JSON_UNSAFE


def _json_safe(text: str) -> str:
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def write_json_list(out: IO[str], rows: Iterable[Any]) -> None:
    """`to_json(list(rows))` and a newline, written a batch of elements at a time."""
    first = True
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) == _JSON_BATCH:
            first = _write_json_items(out, batch, first)
            batch = []
    first = _write_json_items(out, batch, first)
    out.write("[]\n" if first else "\n]\n")


_JSON_BATCH = 1000


def _write_json_items(out: IO[str], items: list[Any], first: bool) -> bool:
    """The elements of a list, after `first` or not; whether the list is still empty."""
    if not items:
        return first
    texts = _json_records(items)
    if texts is None:
        texts = [_json_safe(json_text(item, 1)) for item in items]
    out.write(("[\n  " if first else ",\n  ") + ",\n  ".join(texts))
    return False


def _json_records(items: list[Any]) -> list[str] | None:
    """json_text(item, 1) of records with the same keys and plain values, a column at a time
    (None when they are not such records: then each goes through json_text)."""
    keys = tuple(items[0]) if type(items[0]) is dict else ()
    if not keys or not all(type(k) is str for k in keys):
        return None
    if any(type(item) is not dict or tuple(item) != keys for item in items):
        return None
    return _json_columns(keys, [list(map(itemgetter(key), items)) for key in keys])


def _json_columns(keys: Sequence[str], columns: Sequence[list[Any]]) -> list[str] | None:
    """json_text(record, 1) of each record the columns hold (KEYS their text keys), or None
    when a column holds something else than text, whole numbers, nothing or lists of text."""
    texts = [_json_column(column) for column in columns]
    if any(text is None for text in texts):
        return None
    fields = (encode_basestring(key).replace("%", "%%") + ": %s" for key in keys)
    template = _json_safe("{\n    " + ",\n    ".join(fields) + "\n  }")
    return [template % values for values in zip(*texts, strict=True)]


class ColumnBatches(Protocol):
    """Rows that can also be had a batch at a time as columns (see emit_rows)."""

    def column_batches(self) -> tuple[tuple[str, ...], Iterator[list[list[Any]]]]:
        """The keys of a row, and batches of columns (one list per key)."""
        ...


def write_json_columns(
    out: IO[str], keys: tuple[str, ...], batches: Iterable[list[list[Any]]]
) -> None:
    """`write_json_list` of the records the batches of columns hold (KEYS, in order)."""
    first = True
    for columns in batches:
        if not columns or not columns[0]:
            continue
        texts = _json_columns(keys, columns)
        if texts is None:  # something json_text must write
            texts = [_json_safe(json_text(dict(zip(keys, v, strict=True)), 1))
                     for v in zip(*columns, strict=True)]  # fmt: skip
        out.write(("[\n  " if first else ",\n  ") + ",\n  ".join(texts))
        first = False
    out.write("[]\n" if first else "\n]\n")


def _json_column(values: list[Any]) -> list[str] | None:
    """Each value as json_text(value, 2), made safe: text, whole numbers, nothing or lists
    of text (None for anything else)."""
    kinds = set(map(type, values)) - {type(None)}
    if all(issubclass(kind, str) for kind in kinds) and None not in values:
        return _json_safe_column(list(map(encode_basestring, values)))
    if all(issubclass(kind, str) for kind in kinds):
        return _json_safe_column(["null" if v is None else encode_basestring(v) for v in values])
    if kinds == {int}:
        return ["null" if v is None else int.__repr__(v) for v in values]
    if kinds != {list} or None in values:
        return None
    try:
        texts = [
            "[\n      " + ",\n      ".join(map(encode_basestring, v)) + "\n    ]" if v else "[]"
            for v in values
        ]
    except TypeError:  # not a list of text
        return None
    return _json_safe_column(texts)


def _json_safe_column(texts: list[str]) -> list[str]:
    """_json_safe of each text; most columns are plain ASCII and need nothing."""
    joined = "".join(texts)
    if (joined.isascii() and "\x7f" not in joined) or not _JSON_UNSAFE.search(joined):
        return texts
    return [_json_safe(t) for t in texts]


def json_text(value: Any, level: int = 0) -> str:
    """`json.dumps(value, indent=2, ensure_ascii=False, default=str)`, as if nested `level`
    deep (every line after the first indented by two spaces per level).

    Plain records (text, numbers, lists, dicts with text keys) are written here, a good deal
    faster than json's own indenting encoder; anything else is left to json itself.
    """
    import json

    try:
        return _json_value(value, level)
    except _Unusual:
        text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
        return text.replace("\n", "\n" + "  " * level)


class _Unusual(Exception):
    """A value json_text leaves to json (a key that is not text, a cycle, a float subclass)."""


def _json_value(value: Any, level: int) -> str:
    plain = _JSON_PLAIN.get(type(value))
    if plain is not None:
        return str(plain(value))
    if isinstance(value, str):
        return encode_basestring(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return int.__repr__(value)
    if isinstance(value, list | tuple | dict):
        return _json_container(value, level)
    if isinstance(value, float) or level > 50:
        raise _Unusual
    return encode_basestring(str(value))  # default=str


def _json_container(value: Any, level: int) -> str:
    if not value:
        return "{}" if isinstance(value, dict) else "[]"
    inner = _INDENTS[level + 1] if level < 50 else "\n" + "  " * (level + 1)
    if isinstance(value, dict):
        try:
            keys = [_JSON_KEYS[key] for key in value]
        except KeyError:
            raise _Unusual from None
        get, deeper = _JSON_PLAIN.get, level + 1
        items = [
            k + (plain(v) if (plain := get(type(v))) is not None else _json_value(v, deeper))
            for k, v in zip(keys, value.values(), strict=True)
        ]
        opening, closing = "{", "}"
    else:
        try:  # a list of text, the common case
            items = list(map(encode_basestring, value))
        except TypeError:
            items = [_json_value(v, level + 1) for v in value]
        opening, closing = "[", "]"
    return opening + inner + ("," + inner).join(items) + inner[:-2] + closing


class _Keys(dict[Any, str]):
    """A dict key as json writes it, with its ': ' (text keys only; others are _Unusual)."""

    def __missing__(self, key: Any) -> str:
        if not isinstance(key, str) or len(self) > 4096:
            raise KeyError(key)
        found = self[key] = encode_basestring(key) + ": "
        return found


_JSON_KEYS = _Keys()
_INDENTS = ["\n" + "  " * n for n in range(52)]
_JSON_PLAIN: dict[type, Any] = {
    str: encode_basestring,
    int: int.__repr__,
    type(None): lambda _v: "null",
    bool: lambda v: "true" if v else "false",
}


def _float_text(value: float) -> str:
    """A float as json writes it: its repr, or NaN, Infinity, -Infinity."""
    if value != value:
        return "NaN"
    if value in (_INFINITY, -_INFINITY):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


_INFINITY = float("inf")
_JSON_PLAIN[float] = _float_text


def write_csv(out: IO[str], rows: Iterable[dict[str, Any]], columns: tuple[str, ...]) -> None:
    """A header line, then one line per row (the columns member import reads back)."""
    import csv

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == _CSV_BATCH:
            writer.writerows(_csv_batch(batch, columns))
            batch = []
    writer.writerows(_csv_batch(batch, columns))


_CSV_BATCH = 1000
# A cell that may need neutralising: one starting with a formula character or a quote.
_RISKY_START = re.compile("\n['=+\\-@\t\r]")


def _csv_batch(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> Iterable[tuple[str, ...]]:
    """The cells of ROWS, a column at a time, as `csv_cell` gives each."""
    cells = [csv_column(_column(rows, c)) for c in columns]
    return zip(*cells, strict=True)


def _column(rows: list[dict[str, Any]], key: str) -> list[Any]:
    """row.get(key) of every row."""
    try:
        return list(map(itemgetter(key), rows))
    except KeyError:
        return [row.get(key) for row in rows]


def write_csv_columns(
    out: IO[str],
    keys: tuple[str, ...],
    batches: Iterable[list[list[Any]]],
    columns: tuple[str, ...],
) -> None:
    """`write_csv` of the records the batches of columns hold (KEYS, in order)."""
    import csv

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    where = {key: i for i, key in enumerate(keys)}
    for found in batches:
        size = len(found[0]) if found else 0
        cells = [csv_column(found[where[c]] if c in where else [None] * size) for c in columns]
        writer.writerows(zip(*cells, strict=True))


def csv_column(values: list[Any]) -> list[str]:
    """`[csv_cell(v) for v in values]`, with a few passes over the whole column.

    Plain values and lists of text are turned into cells together; only when the column
    holds a control character or a cell that may start like a formula does each cell go
    through the careful rule (`csv_cell` for anything else).
    """
    kinds = set(map(type, values))
    if all(issubclass(kind, str) for kind in kinds):  # text, and no None
        texts = values
    elif not any(issubclass(kind, list | dict) for kind in kinds):
        texts = ["" if v is None else str(v) for v in values]
    elif kinds == {list}:
        try:
            texts = list(map(LIST_SEPARATOR.join, values))
        except TypeError:  # numbers or nested data in a list
            return [csv_cell(v) for v in values]
    else:
        return [csv_cell(v) for v in values]
    if find_control("\n".join(texts), allow_newlines=True) is not None:
        texts = [terminal_safe(t, keep_newlines=True) for t in texts]
    if _RISKY_START.search("\n" + "\n".join(texts)):
        texts = [neutralise_cell(t) for t in texts]
    return texts
