"""Tables that fit the terminal: columns with priorities, the least important left out first.

A command declares its columns once (`Column`): the key of the row, how important the
column is, and whether its cells are free text that may wrap at spaces. Everything else
(a name, an e-mail address, a time zone, a slug, a date) stays on one line: it is never
broken in the middle of a word; at most a long one ends in an ellipsis.

On a terminal, `fit` chooses what is shown at its width (COLUMNS wins, as in Rich): every
column when there is room; otherwise the least important columns are left out, as `gh`
does, rather than every column being squeezed. `--wide` shows every column at its full
width, however wide the table. When stdout is not a terminal and `--wide` is not given,
tables are drawn as they always were, for the scripts that read them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# A one-line cell wider than this may end in an ellipsis rather than leave other columns out.
ATOM_CAP = 32
# Free text wraps at spaces. A column of it asks for up to WRAP_WANT before a less important
# column is shown, and is never made narrower than WRAP_FLOOR (or its longest word, up to
# WORD_CAP: a longer word may end in an ellipsis).
WRAP_WANT = 24
WRAP_FLOOR = 16
WORD_CAP = 24
# Joins the words of one item of a list (a member's name) for `fit`: such an item is never
# wrapped inside; `pack` wraps a list between its items.
KEEP = "\u00a0"


@dataclass(frozen=True)
class Column:
    """One column of a table.

    `priority` 1 is always shown; the others are shown, most important (lowest number)
    first and then from the left, while they fit. `wrap` marks free text (lists, reasons,
    commitments), which may wrap at spaces; any other cell stays on one line. `min_width`
    is the narrowest free text is made (WRAP_FLOOR by default), or how wide a one-line
    cell is shown whole before it may end in an ellipsis (ATOM_CAP). `header` replaces the
    key (underscores as spaces) as its title; `right` aligns the column on the right on a
    terminal. A list in free text wraps between its items, each whole on a line (a name is
    never split); with `whole_items` False, an item of several words (a skill) may wrap too.
    """

    key: str
    priority: int = 1
    wrap: bool = False
    min_width: int | None = None
    header: str | None = None
    right: bool = False
    whole_items: bool = True

    @property
    def title(self) -> str:
        return self.header if self.header is not None else self.key.replace("_", " ")


Columns = Sequence[str | Column]


def columns_of(columns: Columns) -> tuple[Column, ...]:
    """The columns, a plain key standing for a column of priority 1."""
    return tuple(c if isinstance(c, Column) else Column(c) for c in columns)


def keys_of(columns: Columns) -> tuple[str, ...]:
    return tuple(c.key if isinstance(c, Column) else c for c in columns)


@dataclass(frozen=True)
class Layout:
    """What `fit` chose: the columns shown, in their order, with their widths; the others."""

    shown: tuple[tuple[Column, int], ...]
    hidden: tuple[Column, ...]

    @property
    def width(self) -> int:
        """The width of the whole table, borders and padding included."""
        return sum(w for _, w in self.shown) + chrome(len(self.shown))


PER_COLUMN = 3  # a border and a space either side


def chrome(count: int) -> int:
    """What borders and padding take in a table of COUNT columns (Rich's default box)."""
    return PER_COLUMN * count + 1


def fit(columns: Sequence[Column], cells: Sequence[Sequence[str]], width: int) -> Layout:
    """The columns to show at WIDTH and their widths (cells: one list of texts a row).

    Each column asks for a width (`_measure`: its widest cell up to ATOM_CAP, free text up to
    WRAP_WANT; at least the longest word of its title, which may wrap). The columns are
    taken in order of priority: one of priority 1 always, any other only if it fits beside
    those already taken. A column of less importance never squeezes a more important one;
    free text of the same importance shares the room (each may wrap down to its floor).
    So a narrow column of less importance may still use the room a wide one left.

    What room is left goes to the columns in order of priority, each up to its widest cell
    and whole title (a column whose cells all fit takes room only to show its title on one
    line). When the columns taken do not fit as asked, free text gives up room, the least
    important first, down to its floor; when even the columns of priority 1 do not fit
    then, the widest column gives up a character at a time (a long cell ends in "…").
    """
    sizes = [_measure(c, [row[i] for row in cells]) for i, c in enumerate(columns)]
    full_widths = [size.full for size in sizes]
    floors = [size.floor for size in sizes]
    wants = [size.want for size in sizes]
    order = sorted(range(len(columns)), key=lambda i: (columns[i].priority, i))
    taken: list[int] = []
    for i in order:
        rank = columns[i].priority
        shares = [j for j in [*taken, i] if columns[j].wrap and columns[j].priority == rank]
        needed = sum(floors[j] if j in shares else wants[j] for j in [*taken, i])
        if rank <= 1 or needed + chrome(len(taken) + 1) <= width:
            taken.append(i)
    shown = sorted(taken)
    widths = {i: wants[i] for i in shown}
    room = width - chrome(len(shown)) - sum(widths.values())
    for i in (i for i in order if i in widths):
        more = min(room, full_widths[i] - widths[i])
        # Room that would not make a one-line title whole is kept for the next column.
        if more > 0 and (more == full_widths[i] - widths[i] or sizes[i].widest > wants[i]):
            widths[i] += more
            room -= more
    for rank in sorted({columns[i].priority for i in shown}, reverse=True):
        wrapping = [i for i in shown if columns[i].wrap and columns[i].priority == rank]
        room = _give_up(widths, wrapping, floors, room)
    _give_up(widths, shown, [1] * len(columns), room)
    return Layout(
        shown=tuple((columns[i], widths[i]) for i in shown),
        hidden=tuple(c for i, c in enumerate(columns) if i not in widths),
    )


def _give_up(widths: dict[int, int], among: list[int], floors: list[int], room: int) -> int:
    """Narrow the widest of AMONG, a character at a time, until ROOM is not negative or all
    are at their FLOORS; the room left."""
    while room < 0:
        narrowable = [i for i in among if widths[i] > floors[i]]
        if not narrowable:
            break
        widest = max(narrowable, key=lambda i: (widths[i], -i))
        widths[widest] -= 1
        room += 1
    return room


def full(columns: Sequence[Column], cells: Sequence[Sequence[str]]) -> Layout:
    """Every column at the width of its widest cell and title (--wide)."""
    return Layout(
        shown=tuple(
            (c, _measure(c, [row[i] for row in cells]).full) for i, c in enumerate(columns)
        ),
        hidden=(),
    )


def _cell_len(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)


@dataclass(frozen=True)
class _Size:
    """What `fit` knows of a column: its widest cell (a line of it), the width that shows
    every cell and the title on one line (`full`), the width it asks for (`want`) and the
    narrowest free text is made before other columns give up room (`floor`)."""

    widest: int
    full: int
    want: int
    floor: int


def _measure(column: Column, texts: Sequence[str]) -> _Size:
    widest = max([0, *(_cell_len(line) for text in texts for line in text.split("\n"))])
    title_word = _longest_word([column.title])
    if column.wrap:
        wanted = max(min(_longest_word(texts), WORD_CAP), column.min_width or WRAP_FLOOR)
        floor = max(min(widest, wanted), title_word, 1)
        want = max(min(widest, WRAP_WANT), floor)
    else:
        floor = max(title_word, 1)
        want = max(min(widest, column.min_width or ATOM_CAP), floor)
    return _Size(widest, max(widest, _cell_len(column.title)), want, floor)


def _longest_word(texts: Sequence[str]) -> int:
    return max([0, *(_cell_len(word) for text in texts for word in _WORDS.split(text))])


_WORDS = re.compile(r"[ \t\n]+")  # not KEEP, which str.split() would also split at


def pack(items: Sequence[str], width: int) -> str:
    """ITEMS as ", "-separated lines of at most WIDTH, each item whole on one line (one
    longer than WIDTH alone on its line, to end in an ellipsis)."""
    lines: list[str] = []
    line = ""
    for n, item in enumerate(items):
        piece = item + ("," if n < len(items) - 1 else "")
        if line and _cell_len(line) + 1 + _cell_len(piece) <= width:
            line += " " + piece
        else:
            if line:
                lines.append(line)
            line = piece
    lines.append(line)
    return "\n".join(lines)
