"""Agendas from Jinja templates: golden files, user templates, the sandbox, languages.

Golden files live in tests/golden/. They are compared byte for byte; to regenerate
them after an intended change, run

    PEERKIT_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_templates.py

and review the diff before committing.
"""

from __future__ import annotations

import ast
import difflib
import email
import email.policy
import json
import os
import re
from datetime import date
from email.utils import getaddresses
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import Cli, Result, assert_error

if TYPE_CHECKING:
    from tests.factories import World

pytest_plugins = ["tests.factories"]

# Read at import: the isolated_env fixture clears every PEERKIT_* variable for the tests.
UPDATE_GOLDEN = os.environ.get("PEERKIT_UPDATE_GOLDEN") == "1"
GOLDEN = Path(__file__).parent / "golden"
ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
CATALOG = TEMPLATES / "locale" / "it" / "LC_MESSAGES" / "peerkit.po"
UID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}@peerkit")


# --- golden files ---------------------------------------------------------------------


def assert_golden(name: str, actual: str) -> None:
    """Compare with tests/golden/NAME (or rewrite it when PEERKIT_UPDATE_GOLDEN=1)."""
    path = GOLDEN / name
    if UPDATE_GOLDEN:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(actual.encode("utf-8"))
        return
    assert path.is_file(), f"{path} is missing; create it with PEERKIT_UPDATE_GOLDEN=1"
    expected = path.read_bytes().decode("utf-8")
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                f"golden/{name}",
                "actual",
            )
        )
        pytest.fail(f"{name} differs from its golden file:\n{diff}")


def build_golden_meeting(world: World, out: Path, *, organiser: bool = False) -> int:
    """Fixed data: Tuesday 8 December 2026, 18:30 in Rome, with a week of history.

    Without an organiser no invitation is written (the agendas do not need them).
    """
    if organiser:
        world.community(name="Freelance Circle", locale="en")
    else:
        world.community(
            name="Freelance Circle", locale="en", organiser_name=None, organiser_email=None
        )
    giulia = world.member("Giulia Rossi", email="giulia@example.com", locale="it")
    marco = world.member("Marco Bianchi", email="marco@example.com", locale="it")
    emma = world.member("Emma Clarke", email="emma@example.com", timezone="Europe/London")
    luca = world.member("Luca Ferrari", email="luca@example.com", locale="it")
    sara = world.member("Sara Colombo", email="sara@example.com", locale="it")
    oliver = world.member("Oliver Hughes", email="oliver@example.com", timezone="Europe/London")
    people = [giulia, marco, emma, luca, sara, oliver]
    world.group(
        "Mastermind del martedì", people, day="tue", time="18:30", timezone="Europe/Rome",
        start=date(2026, 12, 1), location="https://meet.example.com/martedi",
        rotates=[luca, sara],
    )  # fmt: skip
    (first,) = world.plan_week("2026-W49", out)
    world.attend(first.session, [p for p in people if p != marco], [marco])
    world.commit_to(giulia, "Raise the base quote by 15%", first.session, due=date(2026, 12, 11))
    world.commit_to(luca, "Send three proposals to returning clients", first.session)
    done = world.commit_to(emma, "Rewrite the services page", first.session)
    world.close_commitment(done, "done")
    (second,) = world.plan_week("2026-W50", out)
    return int(second.session)


def agenda_outputs(cli: Cli, meeting: int) -> dict[str, str]:
    out = {}
    for fmt in ("md", "txt", "html", "json"):
        result = cli.ok("agenda", str(meeting), "--format", fmt)
        assert result.stderr == ""
        out[fmt] = result.stdout
    uids = set(UID.findall(out["json"]))
    assert len(uids) == 1, "the session's uid, once"
    out["json"] = out["json"].replace(uids.pop(), "<uid>")
    return out


@pytest.mark.parametrize("locale", ["en", "it"])
def test_agenda_golden_files(world: World, cli: Cli, tmp_path: Path, locale: str) -> None:
    meeting = build_golden_meeting(world, tmp_path / "out")
    cli.ok("init", "--locale", locale)
    outputs = agenda_outputs(cli, meeting)
    for fmt, text in outputs.items():
        assert_golden(f"agenda.{locale}.{fmt}", text)
    data = json.loads(outputs["json"])
    assert sum(s["minutes"] for s in data["sections"]) == 90
    assert data["session"]["start"] == "2026-12-08T18:30:00+01:00"


def test_the_italian_agenda_says_martedi_8_dicembre(world: World, cli: Cli, tmp_path: Path) -> None:
    meeting = build_golden_meeting(world, tmp_path / "out")
    cli.ok("init", "--locale", "it")
    for fmt in ("md", "txt", "html"):
        text = cli.ok("agenda", str(meeting), "--format", fmt).stdout
        assert "martedì 8 dicembre 2026, 18:30" in text, fmt
        assert "Tuesday" not in text
    md = cli.ok("agenda", str(meeting)).stdout
    for italian in ("Check-in e successi", "Hot seat", "Giro degli impegni", "Chiusura"):
        assert f"## {italian} · " in md
    assert "(entro venerdì 11 dicembre 2026)" in md
    # Back to English: the same meeting, the same moment, in English.
    cli.ok("init", "--locale", "en")
    assert "Tuesday 8 December 2026, 18:30" in cli.ok("agenda", str(meeting)).stdout


def test_the_golden_agenda_follows_the_rotation_rules(
    world: World, cli: Cli, tmp_path: Path
) -> None:
    """What the golden files show, said in words (so a regenerated file is checked too)."""
    meeting = build_golden_meeting(world, tmp_path / "out")
    data = json.loads(cli.ok("agenda", str(meeting), "--format", "json").stdout)
    sections = {s["title"]: s for s in data["sections"]}
    # Marco missed his turn on 1 December: he is first on 8 December.
    assert sections["Hot seats"]["items"][0].startswith("Marco Bianchi (")
    assert len(sections["Hot seats"]["items"]) == 2
    assert sections["Commitments round"]["items"] == [
        "Giulia Rossi: Raise the base quote by 15% (by Friday 11 December 2026)",
        "Luca Ferrari: Send three proposals to returning clients",
    ]
    assert len(sections["Check-in and wins"]["items"]) == 6


# --- the catalog covers every message --------------------------------------------------


def template_msgids() -> set[str]:
    from jinja2.ext import babel_extract

    found: set[str] = set()
    for path in sorted(TEMPLATES.glob("*.j2")):
        with path.open("rb") as handle:
            options = {"trim_blocks": "true", "lstrip_blocks": "true"}
            for _line, _func, message, _comments in babel_extract(
                handle, ("_", "gettext", "ngettext"), [], options
            ):
                messages = message if isinstance(message, tuple) else (message,)
                found.update(m for m in messages if m)
    return found


def python_msgids() -> set[str]:
    found: set[str] = set()
    for path in sorted((ROOT / "src" / "peerkit").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "gettext", "N_")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return found


def catalog() -> Any:
    from babel.messages.pofile import read_po

    with CATALOG.open("rb") as handle:
        return read_po(handle, locale="it", domain="peerkit")


def test_the_extractors_find_the_messages() -> None:
    assert "Check-in and wins" in python_msgids()
    assert "Invitation: %(group)s, %(when)s" in python_msgids()
    assert "Hello %(name)s," in template_msgids()
    assert "No open commitments from earlier meetings." in template_msgids()


@pytest.mark.parametrize("source", ["templates", "python"])
def test_every_message_has_an_italian_translation(source: str) -> None:
    msgids = template_msgids() if source == "templates" else python_msgids()
    assert msgids
    po = catalog()
    missing = sorted(m for m in msgids if m not in po or not po[m].string)
    assert missing == [], f"no Italian for: {missing}"
    fuzzy = sorted(m for m in msgids if po[m].fuzzy)
    assert fuzzy == []
    placeholders = re.compile(r"%\(\w+\)s")
    for m in msgids:
        assert sorted(placeholders.findall(po[m].string)) == sorted(placeholders.findall(m)), m


# --- languages: the community's and each member's --------------------------------------


def test_each_invitation_is_in_its_recipients_language(
    world: World, cli: Cli, tmp_path: Path
) -> None:
    build_golden_meeting(world, tmp_path / "out", organiser=True)
    cli.ok("init", "--locale", "it")
    cli.ok("plan", "week", "--week", "2026-W51", "--out", str(tmp_path / "out"))
    folder = tmp_path / "out" / "2026-W51" / "mastermind-del-martedi"
    giulia = next(folder.glob("invite-*-giulia-rossi.eml"))
    emma = next(folder.glob("invite-*-emma-clarke.eml"))
    italian = email.message_from_bytes(giulia.read_bytes(), policy=email.policy.default)
    english = email.message_from_bytes(emma.read_bytes(), policy=email.policy.default)
    assert italian["Subject"].startswith("Invito: ")
    assert "martedì 15 dicembre 2026, 18:30" in italian["Subject"]
    assert italian.get_body(("plain",)).get_content().startswith("Ciao Giulia Rossi,")
    assert english["Subject"].startswith("Invitation: ")
    text = english.get_body(("plain",)).get_content()
    assert text.startswith("Hello Emma Clarke,")
    # In her own zone: 17:30 in London.
    assert "Tuesday 15 December 2026, 17:30 (Europe/London)" in text
    # The agenda follows the community: Italian.
    agenda = (folder / "agenda.md").read_text(encoding="utf-8")
    assert "martedì 15 dicembre 2026, 18:30" in agenda


def test_format_when_in_both_languages() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from peerkit.i18n import format_when

    moment = datetime(2026, 12, 8, 18, 30, tzinfo=ZoneInfo("Europe/Rome"))
    assert format_when(moment, "it") == "martedì 8 dicembre 2026, 18:30"
    assert format_when(moment, "en") == "Tuesday 8 December 2026, 18:30"


# --- templates organisers can change -----------------------------------------------------


def user_dir() -> Path:
    return Path(os.environ["XDG_CONFIG_HOME"]) / "peerkit" / "templates"


def write_user_template(name: str, text: str) -> Path:
    folder = user_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def meeting(world: World) -> int:
    """A plain meeting (Tuesday 8 December 2026, 18:30 in Rome); no organiser, no roles."""
    world.community(organiser_name=None, organiser_email=None)
    people = [world.member("Giulia Rossi"), world.member("Marco Bianchi")]
    group = world.group("Mastermind del martedì", people, start=date(2026, 12, 8))
    return int(world.meeting_on(group, date(2026, 12, 8)).id)


def test_the_user_template_folder_is_under_xdg_config_home() -> None:
    from peerkit import render

    assert render.user_templates_dir() == user_dir()


def test_a_user_template_overrides_the_built_in(cli: Cli, meeting: int, tmp_path: Path) -> None:
    txt_before = cli.ok("agenda", str(meeting), "--format", "txt").stdout
    write_user_template("agenda.md.j2", "Our own agenda for {{ group.name }}, {{ when }}\n")
    result = cli.ok("agenda", str(meeting))
    assert (
        result.stdout
        == "Our own agenda for Mastermind del martedì, Tuesday 8 December 2026, 18:30\n"
    )
    # Only that template: the others are still the built-ins.
    assert cli.ok("agenda", str(meeting), "--format", "txt").stdout == txt_before
    listed = cli.ok("templates", "list").stdout
    assert re.search(r"agenda\.md\.j2\s+.*yours", listed)
    assert re.search(r"agenda\.txt\.j2\s+.*built-in", listed)
    assert cli.ok("templates", "show", "agenda.md.j2").stdout.startswith("Our own agenda")
    # plan week writes the organiser's version too.
    cli.ok("plan", "week", "--week", "2026-W51", "--out", str(tmp_path / "new"))
    written = tmp_path / "new" / "2026-W51" / "mastermind-del-martedi" / "agenda.md"
    assert written.read_text(encoding="utf-8").startswith("Our own agenda for ")


def test_templates_copy_then_edit(cli: Cli, meeting: int) -> None:
    built_in = cli.ok("agenda", str(meeting)).stdout
    result = cli.ok("templates", "copy", "agenda.md.j2")
    copied = Path(result.stdout.strip())
    assert copied == user_dir() / "agenda.md.j2"
    assert cli.ok("agenda", str(meeting)).stdout == built_in
    copied.write_text(copied.read_text(encoding="utf-8") + "Edited.\n", encoding="utf-8")
    assert cli.ok("agenda", str(meeting)).stdout == built_in + "Edited.\n"


def test_extends_default_reaches_the_built_in(cli: Cli, meeting: int) -> None:
    built_in = cli.ok("agenda", str(meeting)).stdout
    write_user_template("agenda.md.j2", '{% extends "default:agenda.md.j2" %}\n')
    assert cli.ok("agenda", str(meeting)).stdout == built_in


def test_include_default_adds_to_the_built_in(cli: Cli, meeting: int) -> None:
    built_in = cli.ok("agenda", str(meeting), "--format", "txt").stdout
    write_user_template(
        "agenda.txt.j2", '{% include "default:agenda.txt.j2" %}Bring your numbers.\n'
    )
    assert cli.ok("agenda", str(meeting), "--format", "txt").stdout == built_in + (
        "Bring your numbers.\n"
    )


def test_template_file_option_renders_the_organisers_file(
    cli: Cli, meeting: int, tmp_path: Path
) -> None:
    mine = tmp_path / "mine.md.j2"
    mine.write_text(
        "{% for s in sections %}{{ s.title }}={{ s.minutes }}\n{% endfor %}", encoding="utf-8"
    )
    result = cli.ok("agenda", str(meeting), "--template", str(mine))
    lines = result.stdout.splitlines()
    assert [line.split("=")[0] for line in lines] == [
        "Check-in and wins",
        "Hot seats",
        "Commitments round",
        "Close",
    ]
    assert sum(int(line.split("=")[1]) for line in lines) == 90


# --- the sandbox -----------------------------------------------------------------------

ESCAPES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ self.__init__.__globals__ }}",
    "{{ lipsum.__globals__ }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    '{{ "{0.__class__}".format(group) }}',
    '{{ group|attr("__class__") }}',
    "{% set f = cycler.__init__ %}{{ f }}",
]
# Would leave a file behind if the sandbox let them run.
RUNNING_ESCAPES = [
    "{{ lipsum.__globals__['os'].system('touch MARKER') }}",
    "{{ cycler.__init__.__globals__.os.popen('touch MARKER').read() }}",
    "{{ self.__init__.__globals__['__builtins__']['open']('MARKER', 'w') }}",
    "{{ ''.__class__.__mro__[1].__subclasses__()[0].__init__.__globals__ }}",
]


def assert_refused(result: Result, marker: Path) -> None:
    assert_error(result, "may not use")
    assert "<class" not in result.stderr
    assert "<module" not in result.stderr
    assert "Traceback" not in result.stderr
    assert not marker.exists()


@pytest.mark.parametrize("source", ESCAPES + RUNNING_ESCAPES)
def test_sandbox_escapes_in_a_template_file_are_refused(
    cli: Cli, meeting: int, tmp_path: Path, source: str
) -> None:
    marker = tmp_path / "MARKER"
    path = tmp_path / "evil.md.j2"
    path.write_text(source.replace("MARKER", str(marker)), encoding="utf-8")
    assert_refused(cli("agenda", str(meeting), "--template", str(path)), marker)


@pytest.mark.parametrize("source", ESCAPES[:4] + RUNNING_ESCAPES[:2])
def test_sandbox_escapes_in_a_user_template_are_refused(
    cli: Cli, meeting: int, tmp_path: Path, source: str
) -> None:
    marker = tmp_path / "MARKER"
    write_user_template("agenda.html.j2", source.replace("MARKER", str(marker)))
    assert_refused(cli("agenda", str(meeting), "--format", "html"), marker)


@pytest.mark.parametrize("source", ESCAPES[:4])
def test_sandbox_escapes_raise_a_peerkit_error(tmp_path: Path, source: str) -> None:
    from peerkit import render
    from peerkit.errors import PeerkitError

    path = tmp_path / "evil.txt.j2"
    path.write_text(source, encoding="utf-8")
    context = {"group": {"name": "G"}}
    with pytest.raises(PeerkitError) as caught:
        render.render_file(path, context, "en")
    assert "may not use" in caught.value.message
    assert str(path) in caught.value.message
    write_user_template("evil.txt.j2", source)
    with pytest.raises(PeerkitError) as again:
        render.render("evil.txt.j2", context, "en")
    assert "may not use" in again.value.message


def test_a_template_hitting_a_sandbox_limit_is_a_clear_error(tmp_path: Path) -> None:
    from peerkit import render
    from peerkit.errors import PeerkitError

    path = tmp_path / "big.txt.j2"
    path.write_text("{% for i in range(10**6) %}.{% endfor %}", encoding="utf-8")
    with pytest.raises(PeerkitError):
        render.render_file(path, {}, "en")


def test_templates_cannot_read_files_outside_the_template_folders(
    cli: Cli, meeting: int, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    for target in (str(secret), f"../../../../../../{secret}", f"default:../../{secret}"):
        path = tmp_path / "peek.md.j2"
        path.write_text(f'{{% include "{target}" %}}', encoding="utf-8")
        result = cli("agenda", str(meeting), "--template", str(path))
        assert_error(result)
        assert "TOP SECRET" not in result.stdout + result.stderr


@pytest.mark.parametrize("source", ["{{ nonexistent }}", "{{ group.nonexistent }}"])
def test_an_unknown_variable_is_an_error(
    cli: Cli, meeting: int, tmp_path: Path, source: str
) -> None:
    path = tmp_path / "typo.md.j2"
    path.write_text(f"Hello {source}\n", encoding="utf-8")
    result = cli("agenda", str(meeting), "--template", str(path))
    assert_error(result, "does not exist", "nonexistent")
    write_user_template("agenda.md.j2", f"Hello {source}\n")
    assert_error(cli("agenda", str(meeting)), "does not exist", "nonexistent")


def test_a_template_syntax_error_names_the_file_and_line(
    cli: Cli, meeting: int, tmp_path: Path
) -> None:
    path = tmp_path / "broken.md.j2"
    path.write_text("line one\n{% for x in %}\n", encoding="utf-8")
    assert_error(cli("agenda", str(meeting), "--template", str(path)), "line 2")


# --- escaping: HTML, and template syntax in user data ----------------------------------

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def odd_meeting(world: World, tmp_path: Path) -> int:
    """A meeting whose people and commitments look like markup and template code."""
    world.community(organiser_name=None, organiser_email=None)
    people = [
        world.member(SCRIPT, email="script@example.com"),
        world.member("{{ 7*7 }}", email="curly@example.com"),
        world.member("Plain Person", email="plain@example.com"),
        world.member("Mallory, <mallory@evil.example.com>", email="mallory@example.com"),
    ]
    world.group("Odd & <Ends>", people, start=date(2026, 12, 1))
    (first,) = world.plan_week("2026-W49", tmp_path / "out")
    world.commit_to(people[2], "{% raw %}", first.session)
    world.commit_to(people[0], "Fix <b>bold</b> & {{ self }}", first.session)
    (second,) = world.plan_week("2026-W50", tmp_path / "out")
    return int(second.session)


def test_html_agendas_escape_names(cli: Cli, odd_meeting: int) -> None:
    html = cli.ok("agenda", str(odd_meeting), "--format", "html").stdout
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html
    assert "<b>" not in html
    assert "Odd &amp; &lt;Ends&gt;" in html


def test_markdown_and_text_show_names_literally(cli: Cli, odd_meeting: int) -> None:
    for fmt in ("md", "txt"):
        text = cli.ok("agenda", str(odd_meeting), "--format", fmt).stdout
        assert SCRIPT in text
        assert "&lt;" not in text
        assert "Odd & <Ends>" in text


def test_template_syntax_in_user_data_is_never_evaluated(cli: Cli, odd_meeting: int) -> None:
    for fmt in ("md", "txt", "html", "json"):
        text = UID.sub("<uid>", cli.ok("agenda", str(odd_meeting), "--format", fmt).stdout)
        assert "{{ 7*7 }}" in text, fmt
        assert "49" not in text, fmt
        assert "{% raw %}" in text, fmt
        assert "{{ self }}" in text, fmt
        assert "TemplateReference" not in text


def test_user_data_stays_literal_in_invitations(
    world: World, odd_meeting: int, tmp_path: Path
) -> None:
    world.community()  # an organiser now: the week's invitations are written
    world.plan_week("2026-W50", tmp_path / "out")
    folder = tmp_path / "out" / "2026-W50" / "odd-ends"
    files = sorted(folder.glob("invite-*.eml"))
    assert len(files) == 4
    for path in files:
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        to = getaddresses([str(v) for v in msg.get_all("To", [])])
        assert len(to) == 1, (path.name, to)
        assert to[0][1] != "mallory@evil.example.com"
        html = msg.get_body(("html",)).get_content()
        text = msg.get_body(("plain",)).get_content()
        assert "<script" not in html, path.name
        assert "49" not in text, path.name
        assert "Odd & <Ends>" in text
        assert "Odd &amp; &lt;Ends&gt;" in html
    curly = email.message_from_bytes(
        next(folder.glob("invite-*-7-7.eml")).read_bytes(), policy=email.policy.default
    )
    assert curly.get_body(("plain",)).get_content().startswith("Hello {{ 7*7 }},")
    script = email.message_from_bytes(
        next(folder.glob("invite-*-script-alert-1-script.eml")).read_bytes(),
        policy=email.policy.default,
    )
    assert "- Fix <b>bold</b> & {{ self }}" in script.get_body(("plain",)).get_content()
    html = script.get_body(("html",)).get_content()
    assert "Fix &lt;b&gt;bold&lt;/b&gt; &amp; {{ self }}" in html
    assert "Hello &lt;script&gt;alert(1)&lt;/script&gt;," in html


def test_an_html_template_file_is_autoescaped_and_a_markdown_one_is_not(
    cli: Cli, odd_meeting: int, tmp_path: Path
) -> None:
    source = "{% for a in attendees %}[{{ a.name }}]{% endfor %}\n"
    html_file = tmp_path / "mine.html.j2"
    md_file = tmp_path / "mine.md.j2"
    html_file.write_text(source, encoding="utf-8")
    md_file.write_text(source, encoding="utf-8")
    html = cli.ok("agenda", str(odd_meeting), "--template", str(html_file)).stdout
    md = cli.ok("agenda", str(odd_meeting), "--template", str(md_file)).stdout
    assert f"[{SCRIPT}]" in md
    assert "[&lt;script&gt;alert(1)&lt;/script&gt;]" in html


def test_render_escapes_context_values_not_the_template() -> None:
    """Straight through the render module, with a user-data string full of Jinja."""
    from peerkit import render

    context: dict[str, Any] = {"name": "{{ 7*7 }}{% if true %}yes{% endif %}"}
    write_user_template("probe.txt.j2", "{{ name }}")
    assert render.render("probe.txt.j2", context, "en") == context["name"]
    write_user_template("probe.html.j2", "{{ name }}|{{ '<i>' }}")
    assert render.render("probe.html.j2", {"name": SCRIPT}, "en") == (
        "&lt;script&gt;alert(1)&lt;/script&gt;|&lt;i&gt;"
    )
