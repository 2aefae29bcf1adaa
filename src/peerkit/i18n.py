"""Languages: message catalogs (Babel .po files shipped with the templates) and dates.

English is the source language; Italian ships. The .po files are the only copy to
maintain: a catalog is compiled (by Babel) the first time it is needed and the compiled .mo
is kept in the user's cache folder for the next run (see `translations`).

Dates and times in peerkit's own languages are said with CLDR's words held here
(SHORT_WORDS, WIDE_WORDS, NAMED_WORDS; tests/test_i18n_words.py holds them to Babel), so a
run does not load Babel's locale data for them; any other locale goes through Babel.
"""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from peerkit.resources import builtin_templates_dir

DOMAIN = "peerkit"
LANGUAGES = ("en", "it")
WHEN_FORMAT = "EEEE d MMMM y, HH:mm"
DATE_FORMAT = "EEEE d MMMM y"
DAY_MONTH_FORMAT = "d MMM"  # a chart's span of dates: "8 Dec", "8 dic"


@lru_cache(maxsize=8)
def translations(locale: str) -> gettext.NullTranslations:
    """The catalog for a language (English, or anything unknown, is the identity)."""
    if locale == "en":
        return gettext.NullTranslations()
    path = builtin_templates_dir() / "locale" / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    try:
        source = path.read_bytes()
    except OSError:  # no catalog for the language
        return gettext.NullTranslations()
    kept = _kept_catalog(locale, source)
    if kept is not None:
        found = _read_mo(kept)
        if found is not None:
            return found
    compiled = _compile_po(source, locale)
    if kept is not None:
        _keep(kept, compiled)
    found = _parse_mo(compiled)
    assert found is not None  # Babel's own output
    return found


# The compiled catalogs: a new format here (or a new way of compiling) changes this.
_CATALOG_FORMAT = b"peerkit-mo-1"


def _kept_catalog(locale: str, source: bytes) -> Path | None:
    """Where the compiled catalog of SOURCE (a .po's bytes) is kept: a file named by a hash
    of the .po, so an edited or upgraded catalog is compiled again. None: no cache folder."""
    import hashlib

    from peerkit.files import cache_folder

    if not locale.replace("_", "").isalnum():
        return None
    key = hashlib.sha256(_CATALOG_FORMAT + b"|" + locale.encode() + b"|" + DOMAIN.encode() + b"|")
    key.update(source)
    try:
        return cache_folder("messages") / f"{locale}-{key.hexdigest()[:40]}.mo"
    except Exception:  # no home folder to speak of: compile in memory
        return None


def _read_mo(path: Path) -> gettext.GNUTranslations | None:
    """The kept catalog, or None when it is missing, unreadable or damaged (compiled again)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return _parse_mo(data)


def _parse_mo(data: bytes) -> gettext.GNUTranslations | None:
    try:
        found = gettext.GNUTranslations(io.BytesIO(data))
    except Exception:  # not a whole .mo (bad magic, cut short, not UTF-8...)
        return None
    return found if found.info().get("content-type") else None


def _compile_po(source: bytes, locale: str) -> bytes:
    """The .po compiled to a .mo, as Babel does it (its fuzzy entries left out)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    catalog = read_po(io.BytesIO(source), locale=locale, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def _keep(path: Path, compiled: bytes) -> None:
    """Keep a compiled catalog (folder 0700, file 0600, written whole); a cache that cannot
    be written is only slower."""
    from peerkit.errors import PeerkitError
    from peerkit.files import new_file, private_folder

    try:
        private_folder(path.parent)
        with new_file(path, binary=True, durable=False) as (handle, _final):
            handle.write(compiled)
    except (OSError, PeerkitError):
        pass


def N_(message: str) -> str:
    """Mark a message for translation where it is defined; translate it where it is used."""
    return message


def gettext_for(locale: str) -> gettext.NullTranslations:
    return translations(locale if locale in LANGUAGES else "en")


# The words of WHEN_FORMAT and DATE_FORMAT (EEEE, MMMM: wide, format context) in peerkit's
# languages, as CLDR (babel) has them; tests/test_i18n_words.py holds them to babel.
WIDE_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "en": (
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        (
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ),
    ),
    "it": (
        ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"),
        (
            "gennaio",
            "febbraio",
            "marzo",
            "aprile",
            "maggio",
            "giugno",
            "luglio",
            "agosto",
            "settembre",
            "ottobre",
            "novembre",
            "dicembre",
        ),
    ),
}


def format_when(moment: datetime, locale: str) -> str:
    """'martedì 8 dicembre 2026, 18:30' in the moment's own zone (its wall clock; a naive
    moment as it is)."""
    words = WIDE_WORDS.get(locale)
    if words is not None:
        return f"{_wide_day(moment, words)}, {moment.hour:02d}:{moment.minute:02d}"
    from babel.dates import format_datetime

    return str(format_datetime(moment, WHEN_FORMAT, tzinfo=moment.tzinfo, locale=locale))


def format_day(day: date, locale: str) -> str:
    """'martedì 8 dicembre 2026'."""
    words = WIDE_WORDS.get(locale)
    if words is not None:
        return _wide_day(day, words)
    from babel.dates import format_date

    return str(format_date(day, DATE_FORMAT, locale=locale))


def _wide_day(day: date, words: tuple[tuple[str, ...], tuple[str, ...]]) -> str:
    days, months = words
    return f"{days[day.weekday()]} {day.day} {months[day.month - 1]} {day.year}"


def format_day_month(day: date, locale: str) -> str:
    """'8 Dec' / '8 dic': the ends of a span of dates in a chart."""
    words = SHORT_WORDS.get(locale)
    if words is not None:
        return f"{day.day} {words[1][day.month - 1]}"
    from babel.dates import format_date

    return str(format_date(day, DAY_MONTH_FORMAT, locale=locale))


def format_time(moment: datetime, locale: str) -> str:
    """'18:30' in the moment's own zone (its wall clock; a naive moment as it is)."""
    if locale in WIDE_WORDS:
        return f"{moment.hour:02d}:{moment.minute:02d}"
    from babel.dates import format_time as babel_time

    return str(babel_time(moment, "HH:mm", tzinfo=moment.tzinfo, locale=locale))


# --- compact times for tables: "Tue 8 Dec 18:30", "mar 8 dic 18:30", "tomorrow 18:30" ------

SHORT_DAY = "EEE d MMM"  # Tue 8 Dec / mar 8 dic
SHORT_DAY_YEAR = "EEE d MMM y"  # Tue 5 Jan 2027
NEAR_DAYS = 183  # within half a year of today, a date is shown without its year
NAMED = (-1, 0, 1)  # yesterday, today, tomorrow (ieri, oggi, domani): said in words
# The words of SHORT_DAY in peerkit's languages, as CLDR (babel) has them: loading babel's
# locale data for them costs a table ~50 ms. tests/test_i18n_words.py holds them to babel.
SHORT_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "en": (
        ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    ),
    "it": (
        ("lun", "mar", "mer", "gio", "ven", "sab", "dom"),
        ("gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"),
    ),
}
NAMED_WORDS: dict[str, dict[int, str]] = {
    "en": {-1: "yesterday", 0: "today", 1: "tomorrow"},
    "it": {-1: "ieri", 0: "oggi", 1: "domani"},
}


def short_day(day: date, locale: str, today: date, *, words: bool = True) -> str:
    """A date for a table: "yesterday", "today", "tomorrow" in words (in the language; not
    without WORDS), "Tue 8 Dec" within half a year of TODAY, "Tue 5 Jan 2027" beyond."""
    offset = (day - today).days
    named = _named_day(offset, locale) if words and offset in NAMED else None
    if named is not None:
        return named
    near = abs(offset) <= NEAR_DAYS
    words_of = SHORT_WORDS.get(_language(locale))
    if words_of is not None:  # CLDR's words, as babel says them (a test holds them equal)
        days, months = words_of
        shown = f"{days[day.weekday()]} {day.day} {months[day.month - 1]}"
        return shown if near else f"{shown} {day.year}"
    from babel.dates import format_date

    pattern = SHORT_DAY if near else SHORT_DAY_YEAR
    return str(format_date(day, pattern, locale=_language(locale)))


def short_when(
    moment: datetime, locale: str, *, zone: str, today: date, reader: str | None = None
) -> str:
    """A moment for a table, on ZONE's clock: "Tue 8 Dec 18:30", "tomorrow 18:30".

    The zone is added ("Tue 8 Dec 18:30 CET") when the reader's clock reads otherwise at
    that moment: READER is their IANA zone (the --timezone they gave), or None for this
    computer's zone.
    """
    from zoneinfo import ZoneInfo

    local = moment.astimezone(ZoneInfo(zone))
    text = f"{short_day(local.date(), locale, today)} {local:%H:%M}"
    theirs = moment.astimezone(ZoneInfo(reader)) if reader else moment.astimezone()
    if theirs.utcoffset() != local.utcoffset():
        text += f" {zone_label(local)}"
    return text


def zone_label(moment: datetime) -> str:
    """The zone of an aware moment in a few letters: its abbreviation (CET, CEST, GMT, EST),
    or its offset from UTC where the zone has no letters of its own (UTC-3, UTC+5:30)."""
    name = moment.tzname() or ""
    if name.isalpha():
        return name
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign, minutes = ("-" if minutes < 0 else "+"), abs(minutes)
    hours, rest = divmod(minutes, 60)
    return "UTC" if minutes == 0 else f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def relative_day(day: date, today: date, locale: str) -> str:
    """How far DAY is from TODAY in words: "today", "tomorrow", "in 3 days", "2 weeks ago"
    ("oggi", "domani", "tra 3 giorni", "2 settimane fa"). Days up to 13, then weeks,
    then months."""
    offset = (day - today).days
    named = _named_day(offset, locale) if offset in NAMED else None
    if named is not None:
        return named
    from datetime import timedelta

    from babel.dates import format_timedelta

    return str(
        format_timedelta(
            timedelta(days=offset),
            granularity="day",
            threshold=2,
            add_direction=True,
            locale=_language(locale),
        )
    )


def _named_day(offset: int, locale: str) -> str | None:
    """Yesterday, today or tomorrow in the language (CLDR's relative day names, as
    babel.dates.get_relative_name reads them)."""
    known = NAMED_WORDS.get(_language(locale))
    if known is not None:
        return known.get(offset)
    from babel import Locale

    words = Locale.parse(_language(locale))._data["date_fields"]["day"]["relative"]
    found = words.get(offset)
    return str(found) if found is not None else None


def _language(locale: str) -> str:
    return locale if locale in LANGUAGES else "en"


@dataclass(frozen=True)
class Clock:
    """How a table says times: on ZONE's clock (the community's, or the --timezone given), in
    LOCALE's words, near TODAY; READER is the reader's zone (None: this computer's)."""

    zone: str
    locale: str
    today: date
    reader: str | None = None

    def when(self, moment: datetime | str | None) -> str | None:
        """An aware moment (or its ISO text, as the JSON rows have it), or None."""
        if moment is None or moment == "":
            return None
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment)
        return short_when(moment, self.locale, zone=self.zone, today=self.today, reader=self.reader)

    def day(self, day: date | str | None, *, words: bool = True) -> str | None:
        """A date (or its ISO text), or None; "today", "tomorrow"... unless not WORDS."""
        if day is None or day == "":
            return None
        if isinstance(day, str):
            day = date.fromisoformat(day)
        return short_day(day, self.locale, self.today, words=words)

    def relative(self, day: date) -> str:
        return relative_day(day, self.today, self.locale)
