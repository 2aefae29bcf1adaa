"""Tables that fit: which columns a terminal of a given width shows, and how.

`fit` is the choice (a pure function of the columns, the cells and the width); the
commands are run on a real pseudo-terminal (pexpect) and through a pipe, where the table
must stay as it always was. What a person sees in tmux is in tests/test_screens.py.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from peerkit.output import wrap_lines
from peerkit.output.table import ATOM_CAP, KEEP, Column, chrome, fit, full, pack
from tests.conftest import FIXED_TODAY, Cli

TZ = "America/Sao_Paulo"
MAIL = "francesca.romano@example.com"
COLUMNS = (
    Column("id", priority=3),
    Column("name"),
    Column("email", priority=2),
    Column("timezone", priority=2),
    Column("skills", priority=4, wrap=True),
)
ROWS = [
    ["1", "Giulia Rossi", "giulia.rossi@example.com", "Europe/Rome", "branding, grafica"],
    ["10", "Francesca Romano", MAIL, TZ, "fotografia, social media, video"],
]


def shown(layout: Any) -> list[str]:
    return [c.key for c, _ in layout.shown]


def test_every_column_at_its_full_width_when_there_is_room() -> None:
    layout = fit(COLUMNS, ROWS, 200)
    assert shown(layout) == ["id", "name", "email", "timezone", "skills"]
    assert layout.hidden == ()
    assert layout == full(COLUMNS, ROWS)
    assert {c.key: w for c, w in layout.shown}["skills"] == len("fotografia, social media, video")


@pytest.mark.parametrize("width", [40, 60, 80, 100, 120])
def test_the_least_important_columns_are_left_out_never_squeezed(width: int) -> None:
    layout = fit(COLUMNS, ROWS, width)
    assert layout.width <= width or shown(layout) == ["name"]
    widths = {c.key: w for c, w in layout.shown}
    # Names, e-mails and time zones are shown whole or not at all.
    for key, cell in (("name", "Francesca Romano"), ("email", MAIL), ("timezone", TZ)):
        assert widths.get(key, len(cell)) >= len(cell), (width, widths)
    assert all(c.priority > 1 for c in layout.hidden)


def test_at_80_columns_the_member_list_keeps_names_mails_and_zones() -> None:
    layout = fit(COLUMNS, ROWS, 80)
    assert shown(layout) == ["id", "name", "email", "timezone"]
    assert [c.key for c in layout.hidden] == ["skills"]


def test_a_narrow_column_of_less_importance_uses_the_room_a_wide_one_left() -> None:
    columns = (
        Column("name"),
        Column("bio", priority=2),
        Column("id", priority=3),
    )
    rows = [["Ann Lee", "x" * 30, "7"]]
    layout = fit(columns, rows, 30)
    assert shown(layout) == ["name", "id"]
    assert [c.key for c in layout.hidden] == ["bio"]


def test_a_less_important_column_never_squeezes_free_text_that_matters_more() -> None:
    columns = (Column("reasons", wrap=True), Column("score", priority=2))
    rows = [["needs met inside the group: 50% of 6 members", "0.7233"]]
    # At 35 columns the reasons would have to wrap to 16 to let the score in: they do not.
    layout = fit(columns, rows, 35)
    assert shown(layout) == ["reasons"]
    # Columns of one importance share the room: both wrap.
    equal = (Column("skills", wrap=True), Column("needs", wrap=True))
    both = fit(equal, [["marketing digitale, community building", "work-life balance"]], 40)
    assert shown(both) == ["skills", "needs"]
    assert both.width <= 40


def test_when_even_the_first_columns_do_not_fit_the_widest_gives_way() -> None:
    columns = (Column("name"), Column("email"))
    layout = fit(columns, [["Francesca Romano", MAIL]], 30)
    assert shown(layout) == ["name", "email"]
    assert layout.width == 30
    assert sum(w for _, w in layout.shown) == 30 - chrome(2)


def test_a_very_long_cell_may_end_in_an_ellipsis_rather_than_hide_the_rest() -> None:
    long_mail = "a-very-long-address-for-a-mailing-list@lists.example.org"
    columns = (Column("name"), Column("email", priority=2), Column("status", priority=3))
    layout = fit(columns, [["Ann", long_mail, "active"]], 60)
    assert shown(layout) == ["name", "email", "status"]
    assert {c.key: w for c, w in layout.shown}["email"] >= ATOM_CAP


def test_a_title_may_wrap_between_its_words_but_a_word_of_it_is_whole() -> None:
    columns = (Column("name"), Column("mentoring_received", priority=2))
    layout = fit(columns, [["Ann", "1"]], 24)
    assert {c.key: w for c, w in layout.shown}["mentoring_received"] == len("mentoring")


def test_a_list_wraps_between_its_items_never_inside_a_name() -> None:
    names = ["Sara Colombo", "Giulia Rossi", "Ana Souza"]
    assert pack(names, 15) == "Sara Colombo,\nGiulia Rossi,\nAna Souza"
    assert pack(names, 30) == "Sara Colombo, Giulia Rossi,\nAna Souza"
    assert pack(["Bartholomew Featherstonehaugh"], 10) == "Bartholomew Featherstonehaugh"
    # For `fit`, the words of one item are one word: the column is never narrower than a name.
    cell = ", ".join(name.replace(" ", KEEP) for name in names)
    layout = fit((Column("id"), Column("hot_seat", wrap=True, min_width=8)), [["4", cell]], 22)
    assert {c.key: w for c, w in layout.shown}["hot_seat"] >= len("Sara Colombo,")


# --- the commands ----------------------------------------------------------------------


@pytest.fixture
def community(cli: Cli) -> Cli:
    cli.ok("member", "add", "Giulia Rossi", "--email", "giulia.rossi@example.com",
           "--timezone", "Europe/Rome", "--skills", "branding,grafica")  # fmt: skip
    cli.ok("member", "add", "Francesca Romano", "--email", MAIL, "--timezone", TZ,
           "--stage", "established")  # fmt: skip
    return cli


def test_to_a_pipe_the_table_is_drawn_as_it_always_was(
    community: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    out = community.ok("member", "list").stdout
    assert out.splitlines()[0].count("┳") == 6  # every column, squeezed
    assert "Not shown" not in out
    assert MAIL not in out  # folded inside the word, as before: scripts may read it


def test_wide_shows_every_column_whole_however_narrow(
    community: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    out = community.ok("member", "list", "--wide").stdout
    lines = out.splitlines()
    assert all(len(line) == len(lines[0]) for line in lines)
    assert len(lines[0]) > 40
    row = next(line for line in lines if "Francesca" in line)
    for cell in ("Francesca Romano", MAIL, TZ, "established", "active"):
        assert cell in row


def test_wide_does_not_change_json_or_csv(community: Cli) -> None:
    for fmt in ("json", "csv"):
        plain = community.ok("member", "list", "--format", fmt).stdout
        assert community.ok("member", "list", "--format", fmt, "--wide").stdout == plain


pexpect = pytest.importorskip("pexpect")


def on_a_terminal(db_path: Path, home: Path, columns: int, *args: str, env: Any = None) -> str:
    """peerkit run on a pseudo-terminal COLUMNS wide; what it printed."""
    values = {k: v for k, v in os.environ.items() if not k.startswith("PEERKIT_")}
    values.pop("COLUMNS", None)
    values.update(HOME=str(home), TERM="xterm", NO_COLOR="1", PEERKIT_TODAY=FIXED_TODAY)
    values.update(env or {})
    child = pexpect.spawn(
        sys.executable,
        ["-m", "peerkit", "--db", str(db_path), *args],
        env=values,
        encoding="utf-8",
        timeout=60,
        dimensions=(50, columns),
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    return re.sub(r"\x1b\[[0-9;]*m", "", str(child.before)).replace("\r\n", "\n")


def test_on_a_terminal_of_80_columns_the_least_important_columns_stay_out(
    community: Cli, isolated_env: Path
) -> None:
    out = on_a_terminal(community.db_path, isolated_env, 80, "member", "list")
    row = next(line for line in out.splitlines() if "Francesca" in line)
    for cell in ("Francesca Romano", MAIL, TZ):
        assert cell in row
    assert all(len(line) <= 80 for line in out.splitlines()), out
    assert "Not shown: locale, stage, status (--wide shows every column)." in out


def test_columns_wins_over_the_terminal_size_as_in_rich(community: Cli, isolated_env: Path) -> None:
    out = on_a_terminal(
        community.db_path, isolated_env, 80, "member", "list", env={"COLUMNS": "140"}
    )
    header = out.splitlines()[1]
    assert "stage" in header
    assert "locale" in header
    assert "Not shown" not in out


def test_messages_on_a_terminal_wrap_between_words() -> None:
    text = "Unmatched: Oliver Hughes (#7) needs copywriting, seo: no mentor with free seats"
    wrapped = wrap_lines(text, 40).splitlines()
    assert wrapped == [
        "Unmatched: Oliver Hughes (#7) needs",
        "  copywriting, seo: no mentor with free",
        "  seats",
    ]
    assert wrap_lines("short\n  also short", 40) == "short\n  also short"
    path = "/a/very/long/path/that/is/one/word/and/is/never/cut.db"
    assert wrap_lines(f"Wrote {path}.", 20).splitlines() == ["Wrote", f"  {path}."]
