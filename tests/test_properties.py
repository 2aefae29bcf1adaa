"""Property-based tests (hypothesis) for the parsers, the text helpers and the member CSV.

The parsers in peerkit.services.common.validate either return a normalised value or raise
InvalidValue: whatever people type (or a spreadsheet holds) must never crash them.
The CSV round trip runs the real CLI: export -> import into a fresh database -> export
must give back the same bytes.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import string
import tempfile
import unicodedata
import zoneinfo
from pathlib import Path
from typing import Any

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from peerkit.errors import InvalidValue
from peerkit.output import to_json
from peerkit.services.common import validate
from peerkit.services.members.csvio import COLUMNS
from peerkit.text import FORMULA_STARTS, neutralise_cell, restore_cell, terminal_safe
from tests.conftest import Cli

# --- shared strategies ----------------------------------------------------------------

# What peerkit refuses in one-line text besides the C0/C1 controls: the bidirectional
# embeddings, overrides and isolates, and the line and paragraph separators. Zero-width
# joiners and non-joiners, marks and variation selectors are text (tests/test_names_kept.py).
BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
INVISIBLE = [*sorted(BIDI_CONTROLS), "\u2028", "\u2029"]

# Printable text: no C0/C1 controls, no surrogates, none of the characters that act.
safe_char = st.characters(exclude_categories=("Cc", "Cs"), exclude_characters=INVISIBLE)
control_char = st.one_of(
    st.sampled_from(["\r", "\n", "\x1b", "\t", "\x00", "\x7f", "\x85", "\x9b"]),
    st.characters(categories=("Cc",)),
)


def expect_invalid_or(func: Any, value: Any) -> Any:
    """Call ``func``; InvalidValue is a fine answer (returns None), anything else escapes."""
    try:
        return func(value)
    except InvalidValue as err:
        message = err.message
    assert message, "an InvalidValue must say what is wrong"
    return None


# --- 1. availability ------------------------------------------------------------------


@st.composite
def windows(draw: st.DrawFn) -> tuple[int, int, int]:
    day = draw(st.integers(0, 6))
    start = draw(st.integers(0, 24 * 60 - 1))
    end = draw(st.integers(start + 1, 24 * 60))
    return day, start, end


DAY_SPELLINGS = {
    index: [alias for alias, day in validate._DAY_ALIASES.items() if day == name]
    for index, name in enumerate(validate.DAYS)
}


@st.composite
def spelled_window(draw: st.DrawFn, window: tuple[int, int, int]) -> str:
    """One of the ways a person may write ``window``: aliases, case, 9.30, spaces."""
    day, start, end = window
    alias = draw(st.sampled_from(DAY_SPELLINGS[day]))
    alias = draw(st.sampled_from([alias, alias.upper(), alias.capitalize()]))

    def clock(minutes: int) -> str:
        hours = f"{minutes // 60:02d}" if draw(st.booleans()) else str(minutes // 60)
        return f"{hours}{draw(st.sampled_from([':', '.']))}{minutes % 60:02d}"

    gap = st.sampled_from(["", " ", "  ", "\t"])
    return (
        f"{draw(gap)}{alias}{draw(st.sampled_from([' ', '  ', chr(9)]))}{clock(start)}"
        f"{draw(gap)}-{draw(gap)}{clock(end)}{draw(gap)}"
    )


def covered(parsed: list[tuple[int, int, int]]) -> set[tuple[int, int]]:
    return {(day, minute) for day, start, end in parsed for minute in range(start, end)}


@given(windows())
def test_window_formats_and_parses_back(window: tuple[int, int, int]) -> None:
    text = validate.format_window(*window)
    assert validate.window(text) == window
    assert validate.availability(text) == [text]
    assert validate.availability([text]) == [text]


@given(st.data(), windows())
def test_window_spellings_normalise(data: st.DataObject, window: tuple[int, int, int]) -> None:
    text = data.draw(spelled_window(window))
    assert validate.window(text) == window
    assert validate.availability([text]) == [validate.format_window(*window)]


@given(st.data(), st.lists(windows(), max_size=8), st.booleans())
def test_availability_merged_sorted_disjoint_and_idempotent(
    data: st.DataObject, parts: list[tuple[int, int, int]], one_string: bool
) -> None:
    spelled = [data.draw(spelled_window(w)) for w in parts]
    value: list[str] | str = "; ".join(spelled) if one_string else spelled
    result = validate.availability(value)
    assert validate.availability(result) == result
    assert validate.availability("; ".join(result)) == result
    parsed = [validate.window(w) for w in result]
    assert parsed == sorted(parsed)
    for (day1, _, end1), (day2, start2, _) in itertools.pairwise(parsed):
        if day1 == day2:
            assert end1 < start2, f"{result} overlaps or touches"
    # Merging loses and adds nothing: the same minutes of the week are covered.
    assert covered(parsed) == covered(parts)


availability_like = st.one_of(
    st.text(),
    st.text(alphabet="monMON tuewdhfrisaSUNgiovedì0123456789:.-;,\t\n\x00٣"),
    st.from_regex(r"\A\s*[a-zA-Zìé]{1,9}\s+\d{1,3}[:.]\d{1,3}\s*-\s*\d{1,3}[:.]\d{1,3}\s*\Z"),
)


@pytest.mark.slow
@given(availability_like)
@example("mon 24:01-25:00")
@example("mon 18:00-18:00")
@example("mon 20:00-18:00")
@example("fri 22:00-02:00")
@example("xyz 10:00-11:00")
@example("mon ١٨:00-٢٠:00")
@example("mon 18:00-20:00\x1b[31m")
def test_availability_arbitrary_text_parses_or_is_refused(text: str) -> None:
    result = expect_invalid_or(validate.availability, text)
    if result is not None:
        assert validate.availability(result) == result
        for item in result:
            assert validate.format_window(*validate.window(item)) == item
            assert item.isascii()
            assert item.isprintable()


# --- 2. time zones --------------------------------------------------------------------

ZONES = sorted(zoneinfo.available_timezones())


def test_every_available_zone_is_accepted_unchanged() -> None:
    for zone in ZONES:
        assert validate.timezone(zone) == zone


path_like = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "Europe",
            "America/New York",
            "../../etc/passwd",
            "../",
            "..",
            ".",
            "/",
            "/etc/passwd",
            "/usr/share/zoneinfo/Europe/Rome",
            "Europe/../Europe/Rome",
            "Europe/Rome/",
            "Europe//Rome",
            "Europe/Rome\x00",
            "\x00",
            "Europe/Rome\n",
            "Europe\\Rome",
            "zone.tab",
            "tzdata.zi",
            "__init__.py",
            "posixrules",
        ]
    ),
    st.builds(
        lambda prefix, zone, suffix: prefix + zone + suffix,
        st.sampled_from(["", "../", "/", "./", "../../", "\x00", " "]),
        st.sampled_from(ZONES),
        st.sampled_from(["", "/", "/..", "\x00", "\x00x", " x", "/../../etc/passwd"]),
    ),
    st.text(alphabet="./\\\x00aE_-+0", max_size=20),
)


@given(st.one_of(st.text(), path_like, st.sampled_from(ZONES).map(str.swapcase)))
def test_timezone_is_known_or_refused(text: str) -> None:
    result = expect_invalid_or(validate.timezone, text)
    if result is not None:
        assert result in zoneinfo.available_timezones()
        assert result.lower() == text.strip().lower()
        zoneinfo.ZoneInfo(result)  # loads without error


# --- 3. e-mail ------------------------------------------------------------------------

LOCAL_CHARS = string.ascii_letters + string.digits + "._%+-"
atom = st.text(alphabet=LOCAL_CHARS.replace(".", ""), min_size=1, max_size=12)
label = st.one_of(
    st.from_regex(r"\A[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,14}[a-zA-Z0-9])?\Z"),
    # Hyphens in the third and fourth places are reserved for Punycode ("xn--").
    st.from_regex(r"\A[a-zA-Z0-9]{2}--[a-zA-Z0-9]{1,6}\Z"),
    st.sampled_from(["xn--bcher-kva", "xn--abc", "XN--80AK6AA92E", "a-b", "a--b"]),
)
tld = st.one_of(
    st.from_regex(r"\A[a-zA-Z]{2,8}\Z"),
    st.sampled_from(["com", "it", "org", "test", "local", "onion", "arpa", "invalid"]),
)
simple_email = st.builds(
    lambda local, labels, top: ".".join(local) + "@" + ".".join([*labels, top]),
    st.lists(atom, min_size=1, max_size=3),
    st.lists(label, min_size=1, max_size=3),
    tld,
)
other_email = st.one_of(
    st.builds(
        lambda local, domain: f"{local}@{domain}",
        st.text(
            alphabet=st.one_of(
                st.sampled_from(LOCAL_CHARS + "!#$&'*/=?^`{|}~\"@ ()<>[]\\,;:"),
                st.characters(categories=("L", "M", "N", "Cf", "Zs")),
            ),
            max_size=12,
        ),
        st.text(
            alphabet=st.one_of(
                st.sampled_from(string.ascii_letters + string.digits + "-.[]:"),
                st.characters(categories=("L", "M", "N")),
            ),
            max_size=20,
        ),
    ),
    st.from_regex(r"\A[a-z0-9._-]{1,70}@(?:[a-z0-9-]{1,70}\.){1,5}[a-z]{2,30}\Z"),
    st.text(),
)


def reference_email(addr: str) -> str | None:
    """What email-validator says (no DNS): the normalised, lower-cased address or None.

    peerkit trims surrounding white space first, so the reference sees the trimmed text.
    """
    try:
        result = validate_email(addr.strip(), check_deliverability=False)
    except EmailNotValidError:
        return None
    return result.normalized.lower()


def assert_email_agrees(addr: str) -> None:
    expected = reference_email(addr)
    if expected is None:
        with pytest.raises(InvalidValue):
            validate.email(addr)
    else:
        assert validate.email(addr) == expected


@given(simple_email)
@example("a@ab--cd.com")
@example("a@xn--abc.com")
@example("a@xn--bcher-kva.com")
def test_email_fast_path_agrees_with_email_validator(addr: str) -> None:
    """Simple addresses: the same answer as email-validator, and the same normal form."""
    assert_email_agrees(addr)


@given(simple_email)
def test_simple_email_valid_for_email_validator_gets_its_normal_form(addr: str) -> None:
    if reference_email(addr) is not None:
        assert validate.email(addr) == reference_email(addr)
        assert validate.email(validate.email(addr)) == validate.email(addr)


@given(st.one_of(simple_email, other_email))
@example("user@bücher.example.com")
@example("Pelé@Example.COM")
@example("a..b@example.com")
@example(".a@example.com")
@example("a@localhost")
@example("\u212a@example.com")
@example("a@x.\u212aim")
@example("a@exa\u00admple.com")
@example('"quoted"@example.com')
def test_email_any_address_agrees_with_email_validator(addr: str) -> None:
    assert_email_agrees(addr)


@given(st.text())
@example("a@b.c\x00")
@example("\x1b[31m@example.com")
def test_email_arbitrary_text_is_accepted_or_refused(text: str) -> None:
    result = expect_invalid_or(validate.email, text)
    if result is not None:
        assert "@" in result
        assert validate.email(result) == result


# --- 4. names and one-line text -------------------------------------------------------


@given(st.text(safe_char, max_size=validate.MAX_NAME))
def test_name_without_controls_round_trips_trimmed(text: str) -> None:
    assume(text.strip())
    assert validate.name(text) == text.strip()
    assert validate.single_line(text, "a thing", max_len=validate.MAX_NAME) == text.strip()


@given(st.text(safe_char, max_size=20), control_char, st.text(safe_char, max_size=20))
@example("Alice", "\n", "")
@example("", "\r", "Bob")
@example("Eve", "\x1b", "[2J")
def test_name_with_a_control_character_is_refused(before: str, bad: str, after: str) -> None:
    with pytest.raises(InvalidValue):
        validate.name(before + bad + after)
    with pytest.raises(InvalidValue):
        validate.single_line(before + bad + after, "a thing")


@given(st.text(safe_char, max_size=20), st.sampled_from(INVISIBLE), st.text(safe_char, max_size=20))
def test_name_with_an_invisible_character_is_refused(before: str, bad: str, after: str) -> None:
    with pytest.raises(InvalidValue):
        validate.name(before + bad + after)


# --- 5. CSV formula neutralisation ----------------------------------------------------

formula_like = st.builds(
    lambda quotes, first, rest: "'" * quotes + first + rest,
    st.integers(0, 3),
    st.sampled_from([*FORMULA_STARTS, "'", " ", "a", "1", "\n", "\uff1d"]),
    st.text(max_size=10),
)


@given(st.one_of(st.text(), formula_like))
def test_neutralise_then_restore_is_identity(value: str) -> None:
    neutral = neutralise_cell(value)
    assert restore_cell(neutral) == value
    assert not neutral.startswith(("=", "+", "-", "@", "\t", "\r"))
    if not value.lstrip("'").startswith(("=", "+", "-", "@", "\t", "\r")):
        assert neutral == value
    else:
        assert neutral == "'" + value


# --- 6. terminal_safe and JSON output ------------------------------------------------


@given(st.text())
@example("\x1b[2J\x07\r\u202eevil\u2066\u2069\x9b")
def test_terminal_safe_output_has_no_control_or_bidi_characters(text: str) -> None:
    shown = terminal_safe(text)
    assert not any(unicodedata.category(c) == "Cc" for c in shown), repr(shown)
    assert not BIDI_CONTROLS & set(shown), repr(shown)
    kept = terminal_safe(text, keep_newlines=True)
    # keep_newlines keeps line feeds (and tabs, which a terminal only moves over).
    assert not any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in kept)
    assert not BIDI_CONTROLS & set(kept)


@given(st.text(safe_char))
def test_terminal_safe_leaves_printable_text_alone(text: str) -> None:
    assert terminal_safe(text) == text


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text()),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(), inner)),
    max_leaves=10,
)


@given(json_values)
def test_to_json_round_trips_and_is_terminal_safe(data: Any) -> None:
    text = to_json(data)
    assert json.loads(text) == data
    assert not any(unicodedata.category(c) == "Cc" and c != "\n" for c in text)
    assert not BIDI_CONTROLS & set(text)


# --- 7. the member CSV through the real CLI -------------------------------------------

name_text = st.builds(
    lambda prefix, body, suffix: prefix + body + suffix,
    st.sampled_from(["", "=", "+", "-", "@", "'", "''", "'=", " =", "[bold]", "\u00a0"]),
    st.one_of(
        st.sampled_from(
            [
                "Giulia Rossi",
                "Renée O'Brien",
                'Ana "Nana" Souza',
                "Smith, John",
                "Rossi; Bianchi",
                "[red]Mallory[/red]",
                "SUM(A1:A9)",
                "1+1",
                "Zoë Ñúñez-Łódź",
                "李小龍",
                "",
            ]
        ),
        st.text(safe_char, max_size=20),
    ),
    st.sampled_from(["", " ", "[/]", ",", ";", '"', "'"]),
)
free_text = st.text(
    st.one_of(
        st.sampled_from(list("=+-@'\",; \n\r[]/ab")),
        safe_char,
    ),
    max_size=40,
)
tag_text = st.text(
    alphabet=st.one_of(st.sampled_from(list("=+-@' ")), st.characters(categories=("L", "N"))),
    min_size=1,
    max_size=12,
)


@st.composite
def member_rows(draw: st.DrawFn) -> list[dict[str, str]]:
    """A few members as cells of a CSV an organiser might write (raw, not yet cleaned)."""
    count = draw(st.integers(1, 4))
    rows = []
    for i in range(count):
        prefix = draw(st.sampled_from(["", "=", "+", "-", "'", "x.y_"]))
        domain = draw(st.sampled_from(["example.com", "Example.ORG", "posta.example.it"]))
        email = f"{prefix}m{i}@{domain}"
        rows.append(
            {
                "name": draw(name_text.filter(lambda n: n.strip())),
                "email": draw(st.sampled_from([email, email.upper(), f" {email} "])),
                "timezone": draw(
                    st.sampled_from(
                        ["", "Europe/Rome", "europe/rome", "America/New_York", "Asia/Kolkata"]
                    )
                ),
                "locale": draw(st.sampled_from(["", "en", "it", "IT"])),
                "skills": ", ".join(draw(st.lists(tag_text, max_size=3))),
                "needs": "; ".join(draw(st.lists(tag_text, max_size=2))),
                "stage": draw(st.sampled_from(["", *validate.STAGES, "Growth"])),
                "industry": draw(st.one_of(st.just(""), name_text)),
                "bio": draw(free_text),
                "availability": "; ".join(
                    draw(st.lists(windows().flatmap(spelled_window), max_size=3))
                ),
                "mentor_capacity": draw(st.one_of(st.just(""), st.integers(0, 100).map(str))),
            }
        )
    return rows


def write_csv(path: Path, rows: list[dict[str, str]], delimiter: str, bom: bool) -> None:
    """A CSV the way export (or a careful spreadsheet) writes it: formula cells neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(rows[0].keys())
    for row in rows:
        writer.writerow([neutralise_cell(v) for v in row.values()])
    path.write_text(("\ufeff" if bom else "") + buffer.getvalue(), encoding="utf-8", newline="")


def read_export(data: bytes) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    return [{k: restore_cell(v) for k, v in row.items()} for row in reader]


def export(cli: Cli, path: Path) -> bytes:
    result = cli.ok("member", "export", "--output", str(path))
    assert result.stdout == ""
    return path.read_bytes()


# The autouse isolated_env fixture only sets environment variables (private XDG folders,
# PEERKIT_TODAY); sharing them between examples is harmless. Every example makes its own
# databases in a fresh temporary folder, so no state leaks from one example to the next.
@pytest.mark.slow
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(member_rows(), st.sampled_from([",", ";"]), st.booleans())
def test_csv_export_import_export_is_identical(
    rows: list[dict[str, str]], delimiter: str, bom: bool
) -> None:
    with tempfile.TemporaryDirectory(prefix="peerkit-prop-") as tmp:
        folder = Path(tmp)
        source = folder / "members.csv"
        write_csv(source, rows, delimiter, bom)
        first, second = Cli(folder / "first.db"), Cli(folder / "second.db")

        first.ok("member", "import", str(source))
        exported = export(first, folder / "first.csv")

        # What was imported is what the validators make of each cell.
        got = read_export(exported)
        assert [r["name"] for r in got] == [validate.name(r["name"]) for r in rows]
        assert [r["email"] for r in got] == [validate.email(r["email"]) for r in rows]
        assert [r["bio"] for r in got] == [validate.bio(r["bio"]) or "" for r in rows]
        assert [r["availability"] for r in got] == [
            "; ".join(validate.availability(r["availability"])) for r in rows
        ]
        # No exported cell would run as a formula in a spreadsheet.
        for line in csv.reader(io.StringIO(exported.decode("utf-8"), newline="")):
            assert not any(cell.startswith(FORMULA_STARTS) for cell in line)

        second.ok("member", "import", str(folder / "first.csv"))
        assert export(second, folder / "second.csv") == exported

        # Importing an export over the same members with --update changes nothing.
        first.ok("member", "import", "--update", str(folder / "first.csv"))
        assert export(first, folder / "again.csv") == exported


# --- the CLI refuses bad values cleanly -----------------------------------------------

_EMAILS = itertools.count(1)


@pytest.fixture(scope="module")
def shared_cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """One database for a whole hypothesis test: every example adds a new e-mail address."""
    return Cli(tmp_path_factory.mktemp("refusals") / "peerkit.db")


ADD_OPTIONS = ("name", "--email", "--timezone", "--available", "--stage", "--locale")
ADD_OPTIONS += ("--skills", "--needs", "--industry", "--bio")
cli_value = st.one_of(st.text(max_size=30), path_like, availability_like, name_text)


@settings(max_examples=25, deadline=None)
@given(
    st.sampled_from(ADD_OPTIONS),
    cli_value,
)
@example("--timezone", "../../etc/passwd")
@example("--timezone", "Europe/Rome\x00")
@example("--available", "mon 25:00-26:00")
@example("name", "Eve\x1b[2J")
def test_member_add_accepts_or_refuses_cleanly(shared_cli: Cli, option: str, value: str) -> None:
    email = f"member{next(_EMAILS)}@example.com"
    if option == "name":
        args = ["member", "add", "--email", email, "--", value]
    else:
        args = ["member", "add", "Test Member", f"--email={email}", f"{option}={value}"]
    if option == "--email":
        args = ["member", "add", "Test Member", f"--email={value}"]
    result = shared_cli(*args)
    assert result.exit_code in (0, 1), (result.exit_code, result.stderr)
    if result.exit_code == 1:
        assert result.stdout == ""
        assert result.stderr.startswith("Error: ")
        assert "unexpected internal error" not in result.stderr
        assert "Traceback" not in result.stderr
    # Whatever the user typed, nothing a terminal would interpret is echoed back.
    for stream in (result.stdout, result.stderr):
        assert not any(unicodedata.category(c) == "Cc" and c != "\n" for c in stream)
        assert not BIDI_CONTROLS & set(stream)
