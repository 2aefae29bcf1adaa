"""Small text helpers shared by input validation and output (no heavy imports)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# C0 and C1 control characters, DEL, and the bidirectional/invisible format characters
# that can disguise text on a terminal ("Trojan source").
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_UNSAFE_KEEP_NEWLINES = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)


def _escape_char(m: re.Match[str]) -> str:
    ch = m.group(0)
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: str, *, keep_newlines: bool = False) -> str:
    """Show control and invisible characters as visible escapes (``\\x1b``).

    Nothing that a terminal would interpret (escape sequences, carriage returns,
    bells, bidi overrides) survives; everything else is shown literally.
    """
    pattern = _UNSAFE_KEEP_NEWLINES if keep_newlines else _UNSAFE
    return pattern.sub(_escape_char, text)


def find_control(text: str, *, allow_newlines: bool = False) -> str | None:
    """Return the first control/invisible character in ``text``, or None."""
    pattern = _UNSAFE_KEEP_NEWLINES if allow_newlines else _UNSAFE
    m = pattern.search(text)
    return m.group(0) if m else None


def describe_char(ch: str) -> str:
    name = unicodedata.name(ch, "")
    code = f"U+{ord(ch):04X}"
    return f"{code} {name}".strip() if name else code


# --- CSV formula injection (OWASP) ----------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: str) -> str:
    """Prefix a quote to a cell a spreadsheet would run as a formula.

    A cell that already starts with quotes before such a character gets one more,
    so that :func:`restore_cell` gives back exactly the original text.
    """
    if value.lstrip("'").startswith(FORMULA_STARTS):
        return "'" + value
    return value


# A list in a CSV cell (skills, availability): its items joined with this.
LIST_SEPARATOR = "; "


def csv_cell(value: Any) -> str:
    """One value as the text of a CSV cell, harmless in a terminal and a spreadsheet."""
    import json

    if value is None:
        return ""
    if isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        value = json.dumps(value, ensure_ascii=False)  # nested data: JSON in the cell
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, list):
        value = LIST_SEPARATOR.join(str(v) for v in value)
    # Control characters other than newline and tab are shown as escapes (\x1b), so that
    # a CSV printed to a terminal is harmless and a stray CR cannot split a record.
    return neutralise_cell(terminal_safe(str(value), keep_newlines=True))


def restore_cell(value: str) -> str:
    """The inverse of :func:`neutralise_cell`; other leading quotes are kept."""
    if value.startswith("'") and value.lstrip("'").startswith(FORMULA_STARTS):
        return value[1:]
    return value
