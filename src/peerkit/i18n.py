"""Languages: message catalogs (Babel .po files shipped with the templates) and dates.

English is the source language; Italian ships. Catalogs are compiled in memory when
first needed, so the .po files are the only copy to maintain.
"""

from __future__ import annotations

import gettext
import io
from datetime import date, datetime
from functools import lru_cache

from peerkit.resources import builtin_templates_dir

DOMAIN = "peerkit"
LANGUAGES = ("en", "it")
WHEN_FORMAT = "EEEE d MMMM y, HH:mm"
DATE_FORMAT = "EEEE d MMMM y"
SHORT_DAY_FORMAT = "EEE d MMM"  # a chart's labels: "Tue 8 Dec", "mar 8 dic"


@lru_cache(maxsize=8)
def translations(locale: str) -> gettext.NullTranslations:
    """The catalog for a language (English, or anything unknown, is the identity)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    path = builtin_templates_dir() / "locale" / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    if locale == "en" or not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def N_(message: str) -> str:
    """Mark a message for translation where it is defined; translate it where it is used."""
    return message


def gettext_for(locale: str) -> gettext.NullTranslations:
    return translations(locale if locale in LANGUAGES else "en")


def format_when(moment: datetime, locale: str) -> str:
    """'martedì 8 dicembre 2026, 18:30' in the moment's own zone."""
    from babel.dates import format_datetime

    return str(format_datetime(moment, WHEN_FORMAT, tzinfo=moment.tzinfo, locale=locale))


def format_day(day: date, locale: str) -> str:
    from babel.dates import format_date

    return str(format_date(day, DATE_FORMAT, locale=locale))


def format_short_day(day: date, locale: str, *, weekday: bool = True) -> str:
    """'Tue 8 Dec' / 'mar 8 dic' (without WEEKDAY: '8 Dec' / '8 dic'), for charts."""
    from babel.dates import format_date

    pattern = SHORT_DAY_FORMAT if weekday else SHORT_DAY_FORMAT.removeprefix("EEE ")
    return str(format_date(day, pattern, locale=locale))


def format_time(moment: datetime, locale: str) -> str:
    from babel.dates import format_time as babel_time

    return str(babel_time(moment, "HH:mm", tzinfo=moment.tzinfo, locale=locale))
