"""The templates' quicker `_()` (render._underscore) gives what Jinja's i18n extension gives:
the same text, the same escaping, the same errors, and a template's own `gettext` wins."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jinja2.ext import _gettext_alias

from peerkit import render
from peerkit.resources import builtin_templates_dir

SOURCES = [
    "{{ _('Hello %(name)s,', name=who) }}",
    "{{ _('Where') }}: {{ _('Facilitator') }}",
    "{{ _('the next meeting of %(group)s is on %(when)s (%(zone)s).', group=who, when=who, "
    "zone='Z') }}",
    "{{ _('100%% sure') }}",
    "{{ _('%(missing)s') }}",
    "{{ _('a', 'b') }}",
    "{{ _() }}",
    "{{ _(who) }}",
    "{% set gettext = who.upper %}{{ _('x') }}",
    "{% for gettext in [who.lower] %}{{ _('Where') }}{% endfor %}",
    "{% macro m() %}{{ _('Where') }}{% endmacro %}{{ m() }}",
]


def outcome(env: Any, source: str, html: bool, who: str) -> tuple[str, str]:
    env = env.overlay(autoescape=html)
    try:
        return "ok", str(env.from_string(source).render(who=who))
    except Exception as exc:
        return type(exc).__name__, str(exc)


@pytest.mark.parametrize("locale", ["en", "it"])
@pytest.mark.parametrize("html", [False, True])
@pytest.mark.parametrize("source", SOURCES)
def test_underscore_is_the_extensions(locale: str, html: bool, source: str, tmp_path: Path) -> None:
    ours = render.environment(locale, tmp_path)
    theirs = render._environment.__wrapped__(locale, tmp_path, builtin_templates_dir())
    theirs.globals["_"] = _gettext_alias
    for who in ("Zoë <b>&amp;</b>", "Where", "%(x)s"):
        assert outcome(ours, source, html, who) == outcome(theirs, source, html, who)
