"""The message catalogs: compiled from the .po by Babel once, kept in the user's cache folder
(a private file named by a hash of the .po) and read from there by the next run, which then
needs no Babel at all; a damaged or missing file is compiled again, an unwritable cache
folder only costs the compiling."""

from __future__ import annotations

import gettext
import io
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from peerkit import i18n
from peerkit.resources import builtin_templates_dir

PO = builtin_templates_dir() / "locale" / "it" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"


@pytest.fixture(autouse=True)
def fresh() -> Iterator[None]:
    """Each test starts as a new process would (no catalog in memory), and leaves none."""
    i18n.translations.cache_clear()
    yield
    i18n.translations.cache_clear()


def kept_files(home: Path) -> list[Path]:
    folder = home / ".cache" / "peerkit" / "messages"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def babels() -> Translations:
    """The catalog as Babel compiles it in memory (what peerkit did on every run)."""
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="it", domain=i18n.DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=i18n.DOMAIN)


def msgids() -> list[str]:
    with PO.open("rb") as handle:
        return [str(m.id) for m in read_po(handle, locale="it") if m.id and isinstance(m.id, str)]


def assert_babels(found: gettext.NullTranslations) -> None:
    theirs = babels()
    ids = msgids()
    assert len(ids) > 50
    for message in ids:
        assert found.gettext(message) == theirs.gettext(message), message
    assert found.gettext("not in the catalog") == "not in the catalog"


def test_the_catalog_is_babels_and_kept_privately(isolated_env: Path) -> None:
    assert_babels(i18n.translations("it"))
    [kept] = kept_files(isolated_env)
    assert kept.name.startswith("it-")
    assert kept.suffix == ".mo"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    # the next run reads the kept file: the same catalog
    i18n.translations.cache_clear()
    assert_babels(i18n.translations("it"))
    assert kept_files(isolated_env) == [kept]


def test_a_run_with_a_kept_catalog_needs_no_babel(isolated_env: Path) -> None:
    i18n.translations("it")  # compiled and kept
    probe = (
        "import sys\n"
        "from peerkit import i18n\n"
        "t = i18n.gettext_for('it')\n"
        "assert t.gettext('Hot seats') == 'Hot seat', t.gettext('Hot seats')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'babel'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=dict(os.environ)
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "damage",
    [b"", b"not a catalog", b"\xde\x12\x04\x95" + b"\x00" * 40, "cut short"],
    ids=["empty", "text", "bad offsets", "cut short"],
)
def test_a_damaged_catalog_is_compiled_again(isolated_env: Path, damage: bytes | str) -> None:
    i18n.translations("it")
    [kept] = kept_files(isolated_env)
    whole = kept.read_bytes()
    kept.write_bytes(whole[: len(whole) // 2] if damage == "cut short" else damage)  # type: ignore[index]
    i18n.translations.cache_clear()
    assert_babels(i18n.translations("it"))
    assert kept.read_bytes() == whole  # written again, whole


def test_an_edited_catalog_is_compiled_again() -> None:
    source = PO.read_bytes()
    edited = source.replace(b'msgstr "Hot seat"', b'msgstr "Sedia calda"')
    assert edited != source
    first, second = i18n._kept_catalog("it", source), i18n._kept_catalog("it", edited)
    assert first is not None
    assert first != second
    compiled = i18n._parse_mo(i18n._compile_po(edited, "it"))
    assert compiled is not None
    assert compiled.gettext("Hot seats") == "Sedia calda"


def test_an_unwritable_cache_folder_only_costs_the_compiling(isolated_env: Path) -> None:
    cache = isolated_env / ".cache"
    cache.mkdir(parents=True, exist_ok=True)
    (cache / "peerkit").write_text("a file where the folder would be\n")
    assert_babels(i18n.translations("it"))
    assert (cache / "peerkit").is_file()


def test_english_and_unknown_languages_are_the_identity(isolated_env: Path) -> None:
    assert i18n.translations("en").gettext("Hot seats") == "Hot seats"
    assert i18n.translations("xx").gettext("Hot seats") == "Hot seats"
    assert i18n.gettext_for("fr").gettext("Hot seats") == "Hot seats"
    assert kept_files(isolated_env) == []
