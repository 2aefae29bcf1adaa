"""One Jinja environment per (locale, user folder) for the whole process, and still current.

The environment and its compiled templates are reused between renders; what the organiser
does to the user folder in between (add an override, edit it, delete it, or point peerkit
at another folder) shows in the very next render.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

from peerkit import render

PROBE = "agenda.txt.j2"  # a built-in name, so an override has something to win over


def builtin_source(name: str) -> str:
    return (render.builtin_templates_dir() / name).read_text(encoding="utf-8")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "templates"
    path.mkdir()
    return path


def test_the_environment_is_built_once_per_locale_and_folder(folder: Path, tmp_path: Path) -> None:
    assert render.environment("en", folder) is render.environment("en", folder)
    assert render.environment("it", folder) is not render.environment("en", folder)
    other = tmp_path / "other"
    assert render.environment("en", other) is not render.environment("en", folder)


def test_the_default_folder_follows_xdg_config_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "one"))
    first = render.environment("en")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "two"))
    assert render.environment("en") is not first


def test_a_compiled_template_is_reused(folder: Path) -> None:
    (folder / "hello.txt.j2").write_text("Hello {{ name }}\n", encoding="utf-8")
    env = render.environment("en", folder)
    assert env.get_template("hello.txt.j2") is env.get_template("hello.txt.j2")
    assert render.render("hello.txt.j2", {"name": "Ann"}, "en", folder) == "Hello Ann\n"


def test_an_override_added_after_the_built_in_was_rendered_wins(folder: Path) -> None:
    env = render.environment("en", folder)
    assert env.get_template(PROBE).filename == str(render.builtin_templates_dir() / PROBE)
    (folder / PROBE).write_text("Ours\n", encoding="utf-8")
    assert render.render(PROBE, {}, "en", folder) == "Ours\n"
    (folder / PROBE).unlink()
    assert env.get_template(PROBE).filename == str(render.builtin_templates_dir() / PROBE)


def test_an_edit_in_the_same_clock_tick_is_seen(folder: Path) -> None:
    """File times are coarse (a few ms): an edit with the same size and the same mtime as the
    version already compiled must still be picked up."""
    path = folder / "same.txt.j2"
    path.write_text("one {{ x }}\n", encoding="utf-8")
    assert render.render("same.txt.j2", {"x": 1}, "en", folder) == "one 1\n"
    stamp = path.stat()
    path.write_text("two {{ x }}\n", encoding="utf-8")
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert render.render("same.txt.j2", {"x": 1}, "en", folder) == "two 1\n"


def test_extends_default_still_reaches_the_built_in_when_cached(folder: Path) -> None:
    (folder / PROBE).write_text('{% extends "default:' + PROBE + '" %}', encoding="utf-8")
    env = render.environment("en", folder)
    template = env.get_template(PROBE)
    assert template.filename == str(folder / PROBE)
    assert env.get_template("default:" + PROBE).filename == str(
        render.builtin_templates_dir() / PROBE
    )
    assert builtin_source(PROBE)  # the built-in is there to extend


def test_a_user_template_is_html_escaped_through_the_cached_environment(folder: Path) -> None:
    (folder / "probe.html.j2").write_text("{{ name }}", encoding="utf-8")
    (folder / "probe.txt.j2").write_text("{{ name }}", encoding="utf-8")
    for _ in range(2):
        assert render.render("probe.html.j2", {"name": "<b>"}, "en", folder) == "&lt;b&gt;"
        assert render.render("probe.txt.j2", {"name": "<b>"}, "en", folder) == "<b>"


def test_compiled_templates_are_kept_for_the_next_run(folder: Path, tmp_path: Path) -> None:
    """Compiled once and kept in the cache folder (private), shared by the languages, found
    again by the next run; a damaged file or an edited template is compiled again."""
    cache = tmp_path / "compiled"
    cache.mkdir(mode=0o700)
    source = "{{ _('Where') }}: {{ place }}\n"
    template = folder / "where.txt.j2"
    template.write_text(source, encoding="utf-8")

    def fresh(locale: str) -> Any:
        """The environment a new run makes, with the cache folder."""
        env = render._environment.__wrapped__(locale, folder, render.builtin_templates_dir())
        env.bytecode_cache = render._Compiled(cache)
        return env

    assert fresh("it").get_template("where.txt.j2").render(place="Roma") == "Dove: Roma\n"
    kept = list(cache.iterdir())
    assert len(kept) == 1
    assert stat.S_IMODE(kept[0].stat().st_mode) == 0o600
    env = fresh("en")
    found = render._Compiled(cache).get_bucket(env, "where.txt.j2", str(template), source)
    assert found.code is not None  # the next run compiles nothing
    assert env.get_template("where.txt.j2").render(place="Rome") == "Where: Rome\n"
    kept[0].write_bytes(b"not a compiled template")
    assert fresh("it").get_template("where.txt.j2").render(place="Roma") == "Dove: Roma\n"
    template.write_text("{{ place }}!\n", encoding="utf-8")
    assert fresh("it").get_template("where.txt.j2").render(place="Roma") == "Roma!\n"
    assert len(list(cache.iterdir())) == 1  # the same name and file: one entry, replaced


def test_the_cache_folders_are_yours_only(tmp_path: Path) -> None:
    """After a real run (the demo plans its weeks), every folder peerkit made in the cache is
    0700 and every file 0600, whatever the umask."""
    import subprocess
    import sys

    cache = tmp_path / "cache"
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", "import os, runpy, sys; os.umask(0o022); "
         "sys.argv = ['peerkit', 'demo', '--dir', sys.argv[1]]; "
         "runpy.run_module('peerkit', run_name='__main__')", str(tmp_path / "demo")],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    ours = cache / "peerkit"
    made = [ours, *ours.rglob("*")]
    assert any(p.name == "templates" for p in made)
    assert any(p.name == "zones" for p in made)
    for path in made:
        wanted = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(path.stat().st_mode) == wanted, path
