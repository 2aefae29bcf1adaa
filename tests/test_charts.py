"""Pictures (issue 16, item 6): the week of `group slots`, attendance over time in `stats`.

The charts are drawn for a table only (JSON and CSV are as they were); they are read here as a
person reads them: the cells of each row, at 80 columns and narrower, in both languages, and
with colour where the terminal has it.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import Cli
from tests.test_cli_formation import AddMember, chart_bars, person

ESC = "\x1b["
NOT_FREE = "·" * 48


@pytest.fixture
def trio(cli: Cli, add_member: AddMember) -> dict[str, int]:
    """Anna in Rome (Tue 18:00-21:00), Cy in New York (Tue 12:00-15:00), Ben in London
    (Tue 19:00-22:00): group "trio", in Europe/Rome."""
    ids = {
        "anna": person(add_member, "Anna", "Europe/Rome", "tue 18:00-21:00"),
        "cy": person(add_member, "Cy", "America/New_York", "tue 12:00-15:00"),
        "ben": person(add_member, "Ben", "Europe/London", "tue 19:00-22:00"),
    }
    cli.ok("group", "create", "Trio", "--timezone", "Europe/Rome",
           *(a for i in ids.values() for a in ("--member", str(i))))  # fmt: skip
    return ids


def _cells(bar: str, start: str, end: str, per_hour: int = 2) -> str:
    """A bar free from START to END (whole cells), busy elsewhere."""
    first = int(start[:2]) * per_hour + int(start[3:]) * per_hour // 60
    last = int(end[:2]) * per_hour + int(end[3:]) * per_hour // 60
    return "·" * first + "█" * (last - first) + "·" * (24 * per_hour - last)


# --- group slots: the week as a chart -------------------------------------------------------------


def test_the_chart_is_in_the_readers_zone_with_timezone(cli: Cli, trio: dict[str, int]) -> None:
    """--timezone: the windows and the chart in the reader's zone; JSON rows say which."""
    rows = json.loads(
        cli.ok("group", "slots", "trio", "--from", "2026-01-12", "--timezone", "Asia/Tokyo",
               "-f", "json").stdout
    )  # fmt: skip
    # Everyone: 20:00-21:00 in Rome on Tuesday is 04:00-05:00 on Wednesday in Tokyo.
    everyone = [(r["date"], r["start"], r["end"], r["timezone"]) for r in rows if r["everyone"]]
    assert everyone == [("2026-01-14", "04:00", "05:00", "Asia/Tokyo")]
    out = cli.ok("group", "slots", "trio", "--from", "2026-01-12", "--timezone",
                 "Asia/Tokyo").stdout  # fmt: skip
    assert "The week in Asia/Tokyo" in out
    assert "Wed 14 Jan" in out
    bars = chart_bars(out)
    assert bars["Anna"][-1] == _cells(NOT_FREE, "02:00", "05:00")  # 18-21 in Rome
    assert bars["everyone"][-1] == _cells(NOT_FREE, "04:00", "05:00")


def test_an_unknown_reader_zone_is_refused(cli: Cli, trio: dict[str, int]) -> None:
    result = cli("group", "slots", "trio", "--timezone", "Mars/Olympus")
    assert result.exit_code == 1
    assert "Mars/Olympus" in result.stderr


def test_without_timezone_the_group_zone_as_before(cli: Cli, trio: dict[str, int]) -> None:
    rows = json.loads(cli.ok("group", "slots", "trio", "--from", "2026-01-12", "-f",
                             "json").stdout)  # fmt: skip
    assert {r["timezone"] for r in rows} == {"Europe/Rome"}
    assert (
        "The week in Europe/Rome; one cell = 30 min"
        in cli.ok("group", "slots", "trio", "--from", "2026-01-12").stdout
    )


def test_at_80_columns_a_cell_is_half_an_hour_and_long_names_end_in_an_ellipsis(
    cli: Cli, trio: dict[str, int], add_member: AddMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    long = "Maria Vittoria Alessandra Bonaventura-Castiglioni"
    cli.ok("group", "add", "trio", str(person(add_member, long, "Europe/Rome",
                                              "tue 20:00-23:00")))  # fmt: skip
    monkeypatch.setenv("COLUMNS", "80")
    out = cli.ok("group", "slots", "trio", "--from", "2026-01-12").stdout
    chart = out[out.index("The week in") :]
    assert max(len(line) for line in chart.splitlines()) <= 80
    bars = chart_bars(chart)
    assert all(len(b) == 48 for day in bars.values() for b in day)
    (label,) = [k for k in bars if k.startswith("Maria")]
    assert label.endswith("…")
    assert len(label) < len(long)


def test_on_a_narrow_terminal_a_cell_is_an_hour(
    cli: Cli, trio: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "50")
    out = cli.ok("group", "slots", "trio", "--from", "2026-01-12").stdout
    chart = out[out.index("The week in") :]
    assert "one cell = 60 min" in " ".join(chart.split())
    rows = {line.split()[0]: line.split()[-1] for line in chart.splitlines()[1:] if line.strip()}
    assert rows["Anna"] == _cells("", "18:00", "21:00", per_hour=1)
    assert rows["Ben"] == _cells("", "20:00", "23:00", per_hour=1)  # 19-22 in London
    assert "0  3  6  9  12 15 18 21" in chart
    assert max(len(line) for line in chart.splitlines()) <= 50


def test_the_days_are_in_the_communitys_language(cli: Cli, trio: dict[str, int]) -> None:
    cli.ok("init", "--community", "Insieme", "--locale", "it")
    out = cli.ok("group", "slots", "trio", "--from", "2026-01-12").stdout
    assert "mar 13 gen" in out


def _styled(out: str, label: str) -> list[tuple[str, str]]:
    """The (style codes, text) runs of the chart row of LABEL."""
    (line,) = [ln for ln in out.splitlines() if re.sub(r"\x1b\[[0-9;]*m", "", ln).strip()
               .startswith(label + " ")]  # fmt: skip
    return re.findall(r"\x1b\[([0-9;]*)m([^\x1b]*)", line)


def test_the_common_window_is_highlighted_in_colour(
    cli: Cli, trio: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where everyone is free a member's cells are green, where all but one are yellow."""
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    out = cli.ok("group", "slots", "trio", "--from", "2026-01-12").stdout
    anna = [(codes, text) for codes, text in _styled(out, "Anna") if "█" in text]
    # Anna 18-21: 18:00-20:00 all but Ben (yellow), 20:00-21:00 everyone (bold green).
    assert [(text, "33" in codes.split(";"), "32" in codes.split(";")) for codes, text in anna] == [
        ("████", True, False),
        ("██", False, True),
    ]
    legend = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert "green: everyone   yellow: all but one" in legend
    assert "█ free  ▒ partly  · busy" in legend
