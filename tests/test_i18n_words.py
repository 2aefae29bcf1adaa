"""The short dates of tables are said without loading babel's locale data (peerkit.i18n's
SHORT_WORDS and NAMED_WORDS): they must be CLDR's words, exactly as babel says them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from babel import Locale
from babel.dates import format_date

from peerkit import i18n

TODAY = date(2026, 12, 7)
# every day of a year, before and after today, near (no year) and far (with the year)
DAYS = [TODAY + timedelta(days=n) for n in range(-400, 400)]


@pytest.mark.parametrize("locale", sorted(i18n.LANGUAGES))
def test_every_language_has_its_words(locale: str) -> None:
    assert locale in i18n.SHORT_WORDS
    assert locale in i18n.NAMED_WORDS


@pytest.mark.parametrize("locale", sorted(i18n.SHORT_WORDS))
def test_short_days_are_babels(locale: str) -> None:
    for day in DAYS:
        near = abs((day - TODAY).days) <= i18n.NEAR_DAYS
        pattern = i18n.SHORT_DAY if near else i18n.SHORT_DAY_YEAR
        expected = str(format_date(day, pattern, locale=locale))
        assert i18n.short_day(day, locale, TODAY, words=False) == expected, day


@pytest.mark.parametrize("locale", sorted(i18n.NAMED_WORDS))
def test_yesterday_today_tomorrow_are_cldrs(locale: str) -> None:
    relative = Locale.parse(locale)._data["date_fields"]["day"]["relative"]
    for offset in i18n.NAMED:
        said = i18n.short_day(TODAY + timedelta(days=offset), locale, TODAY)
        assert said == str(relative[offset])
