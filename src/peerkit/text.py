"""Small text helpers shared by input validation and output (no heavy imports)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# What is refused in what people type, and shown as a visible escape on a terminal. Only
# characters that act instead of being read: the C0 and C1 controls and DEL (an escape
# sequence starts with ESC), the line and paragraph separators (a line break to e-mail
# headers), the bidi embeddings, overrides and isolates that reorder text on screen
# ("Trojan Source": U+202A-U+202E, U+2066-U+2069), and lone surrogates (bytes that were not
# UTF-8). Everything else is text people write and is kept as typed: the zero-width joiner
# U+200D (emoji sequences) and non-joiner U+200C (Persian), variation selectors, combining
# accents, the left-to-right and right-to-left marks, emoji tag characters.
BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_ACTING = f"\u2028\u2029{BIDI_CONTROLS}\ud800-\udfff"
_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{_ACTING}]")
_UNSAFE_KEEP_NEWLINES = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_ACTING}]")
# The same in JSON text, where json.dumps has already escaped the C0 controls.
JSON_UNSAFE = re.compile(f"[\x7f-\x9f{_ACTING}]")


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


def shown_quoted(text: str) -> str:
    """TEXT as it is, or quoted with visible escapes (``'a\\nb\\x1b'``, as Python writes a
    string) when it holds a character that acts instead of being read: a newline would break a
    one-line message in two, an ESC would start an escape sequence."""
    return text if find_control(text) is None else repr(text)


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


# --- the examples at the end of a command's --help -----------------------------------------

EXAMPLES_HEADING = "**Examples**:"
CONTINUED = " \\\n    "  # a long example goes on on the next line


def examples(*commands: str | tuple[str, ...]) -> str:
    """A command's examples, as its help epilog: one to three command lines as they are typed
    (a long one as a tuple of its lines, shown continued with " \\"). In docs/cli.md they are
    a console block; on a terminal --help shows them as `example_lines` reads them back."""
    body = "\n".join(f"$ {c if isinstance(c, str) else CONTINUED.join(c)}" for c in commands)
    return f"{EXAMPLES_HEADING}\n\n```console\n{body}\n```"


def example_lines(epilog: str | None) -> list[str]:
    """The examples `examples` wrote in EPILOG, each as typed (continued lines kept)."""
    if not epilog or not epilog.startswith(EXAMPLES_HEADING):
        return []
    found: list[str] = []
    for line in epilog.splitlines():
        if line.startswith("$ "):
            found.append(line[2:])
        elif found and found[-1].endswith("\\") and line.startswith(" "):
            found[-1] += "\n" + line
    return found
