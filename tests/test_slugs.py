"""Group slugs: readable ASCII for any alphabet (python-slugify), never empty, always unique.

A plain ASCII name keeps exactly the slug it had before python-slugify (the old rule is
kept below as the reference), because slugs are in people's scripts, links and folders.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peerkit.services.groups.roster import slugify
from tests.conftest import Cli

SAFE_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {
    f"{p}{n}" for p in ("com", "lpt") for n in range(10)
}


def create(cli: Cli, name: str) -> dict[str, Any]:
    return json.loads(cli.ok("group", "create", name, "--format", "json").stdout)  # type: ignore[no-any-return]


def assert_safe(slug: str) -> None:
    assert slug.isascii()
    assert SAFE_SLUG.fullmatch(slug), slug
    assert slug not in WINDOWS_RESERVED
    assert len(slug) <= 64


def old_slugify(name: str) -> str:
    """The rule before python-slugify (non-ASCII letters were dropped, not transliterated)."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
    if not slug:
        slug = "group"
    if slug in WINDOWS_RESERVED:
        slug = f"{slug}-group"
    if slug.isdigit():
        slug = f"group-{slug}"
    return slug


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Łukasz Żuławski", "lukasz-zulawski"),  # was "ukasz-zuawski"
        ("Größe Straße", "grosse-strasse"),  # was "groe-strae"
        ("Ёлка Москва", "elka-moskva"),  # was empty, then "group"
        ("Мастермайнд Вторник", "mastermaind-vtornik"),
        ("日本語のグループ", "ri-ben-yu-nokuruhu"),  # was empty, then "group"
        ("🚀🔥", "group"),  # nothing to transliterate: the fallback
    ],
)
def test_create_gives_a_readable_ascii_slug_in_any_alphabet(cli: Cli, name: str, slug: str) -> None:
    group = create(cli, name)
    assert group["slug"] == slug
    assert group["name"] == name
    assert_safe(slug)
    shown = json.loads(cli.ok("group", "show", slug, "--format", "json").stdout)
    assert shown["id"] == group["id"]


def test_names_that_give_the_same_slug_are_numbered(cli: Cli) -> None:
    names = ["Łukasz Żuławski", "Lukasz Zulawski", "🚀", "🔥🔥", "Ёлка", "Elka"]
    slugs = [create(cli, name)["slug"] for name in names]
    assert slugs == [
        "lukasz-zulawski",
        "lukasz-zulawski-2",
        "group",
        "group-2",
        "elka",
        "elka-2",
    ]


def test_form_apply_numbers_a_slug_taken_by_a_non_ascii_name(cli: Cli, add_member: Any) -> None:
    """`group form --apply` names its groups "Mastermind N"; a group whose accented name
    transliterates to the same slug keeps its slug and the new group gets the next one."""
    existing = {
        name: create(cli, name)["slug"]
        for name in ("Mastermínd 1", "Łukasz Żuławski", "Größe", "Ёлка", "日本語", "🚀")
    }
    names = ["Łucja Wąs", "Jürgen Groß", "Фёдор Иванов", "山田太郎", "Zoë Ødegård", "Ana 🚀"]
    for name in names:
        add_member(name, None, "--timezone", "Europe/Rome", "--available", "wed 18:00-21:00")
    result = cli("group", "form", "--size", "3-3", "--apply", "--format", "json")
    assert result.exit_code == 0, result.stderr
    made = [g["group"] for g in json.loads(result.stdout)["groups"]]
    assert made == ["mastermind-1-2", "mastermind-2"]
    listed = json.loads(cli.ok("group", "list", "--format", "json").stdout)
    assert [g["slug"] for g in listed] == [*existing.values(), *made]
    assert list(existing.values()) == [
        "mastermind-1",
        "lukasz-zulawski",
        "grosse",
        "elka",
        "ri-ben-yu",
        "group",
    ]
    for slug in made:
        assert_safe(slug)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=127), max_size=90))
def test_an_ascii_name_keeps_the_slug_it_had(name: str) -> None:
    assert slugify(name) == old_slugify(name)


@pytest.mark.parametrize(
    "name",
    [
        "Ann's Group",
        "Tom &amp; Jerry",
        "Room &#65;",
        "Room &#x41;",
        "1,000 Founders",
        "snake_case name",
        "a -- b",
        "CON",
        "2026",
        "x" * 59 + "-y",
        "x" * 200,
    ],
)
def test_ascii_corner_cases_keep_the_slug_they_had(name: str) -> None:
    assert slugify(name) == old_slugify(name)
