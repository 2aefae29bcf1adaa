"""Dates are said without loading babel's locale data in peerkit's languages (peerkit.i18n's
SHORT_WORDS, WIDE_WORDS and NAMED_WORDS): the short dates of tables and the long dates and
times of agendas and mail must be CLDR's words, exactly as babel says them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from babel.dates import format_date, format_datetime, format_time

from peerkit import i18n

TODAY = date(2026, 12, 7)
# every day of a year, before and after today, near (no year) and far (with the year)
DAYS = [TODAY + timedelta(days=n) for n in range(-400, 400)]


@pytest.mark.parametrize("locale", sorted(i18n.LANGUAGES))
def test_every_language_has_its_words(locale: str) -> None:
    assert locale in i18n.SHORT_WORDS
    assert locale in i18n.NAMED_WORDS
    assert locale in i18n.WIDE_WORDS


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


# Zones with summer time both sides of the equator, half-hour and quarter-hour offsets, a
# half-hour summer shift (Lord Howe), none at all; and a fixed offset (datetime.timezone).
ZONES = [
    "Europe/Rome",
    "Europe/London",
    "America/New_York",
    "America/Sao_Paulo",
    "America/St_Johns",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "UTC",
]
FIXED = [timezone(timedelta(hours=-3)), timezone(timedelta(hours=5, minutes=45)), UTC]
START = datetime(2025, 12, 28, 0, 7, tzinfo=UTC)


def moments_in(zone: ZoneInfo) -> list[datetime]:
    """Two years of moments every 7 h 13 min (every hour, minute and weekday comes round),
    and every 15 minutes for 4 hours either side of each change of the zone's offset, both
    readings of an hour that comes twice (fold) included."""
    found = [(START + timedelta(minutes=433 * n)).astimezone(zone) for n in range(2430)]
    step = timedelta(hours=1)
    instant = START
    while instant < START + timedelta(days=730):
        before, after = instant.astimezone(zone), (instant + step).astimezone(zone)
        if before.utcoffset() != after.utcoffset():
            for k in range(-16, 21):
                moment = (instant + timedelta(minutes=15 * k)).astimezone(zone)
                found += [moment, moment.replace(fold=1 - moment.fold)]
        instant += step
    return found


def changes_in(zone: ZoneInfo) -> int:
    moments = [(START + timedelta(hours=n)).astimezone(zone) for n in range(0, 730 * 24, 24)]
    return sum(a.utcoffset() != b.utcoffset() for a, b in pairwise(moments))


def test_the_zones_change_their_clocks() -> None:
    """The moments below do cover changes of the clock (both ways, both hemispheres)."""
    assert changes_in(ZoneInfo("Europe/Rome")) == 4
    assert changes_in(ZoneInfo("Australia/Sydney")) == 4
    assert changes_in(ZoneInfo("Australia/Lord_Howe")) == 4


@pytest.mark.parametrize("locale", sorted(i18n.WIDE_WORDS))
@pytest.mark.parametrize("zone", ZONES)
def test_when_and_time_are_babels(locale: str, zone: str) -> None:
    """format_when and format_time in the moment's own zone, as babel formats them."""
    for moment in moments_in(ZoneInfo(zone)):
        expected = str(
            format_datetime(moment, i18n.WHEN_FORMAT, tzinfo=moment.tzinfo, locale=locale)
        )
        assert i18n.format_when(moment, locale) == expected, moment
        expected = str(format_time(moment, "HH:mm", tzinfo=moment.tzinfo, locale=locale))
        assert i18n.format_time(moment, locale) == expected, moment


@pytest.mark.parametrize("locale", sorted(i18n.WIDE_WORDS))
def test_when_in_a_fixed_offset_and_naive_is_babels(locale: str) -> None:
    """An offset without a zone (what datetime.astimezone() gives) and a naive moment."""
    for n in range(0, 800):
        instant = START + timedelta(minutes=977 * n)
        for moment in [
            *(instant.astimezone(fixed) for fixed in FIXED),
            instant.replace(tzinfo=None),
        ]:
            expected = format_datetime(
                moment, i18n.WHEN_FORMAT, tzinfo=moment.tzinfo, locale=locale
            )
            assert i18n.format_when(moment, locale) == str(expected), moment
            expected = format_time(moment, "HH:mm", tzinfo=moment.tzinfo, locale=locale)
            assert i18n.format_time(moment, locale) == str(expected), moment


@pytest.mark.parametrize("locale", sorted(i18n.WIDE_WORDS))
def test_long_days_and_spans_are_babels(locale: str) -> None:
    for day in DAYS:
        assert i18n.format_day(day, locale) == str(
            format_date(day, i18n.DATE_FORMAT, locale=locale)
        )
        expected = str(format_date(day, i18n.DAY_MONTH_FORMAT, locale=locale))
        assert i18n.format_day_month(day, locale) == expected, day


def test_other_locales_still_go_through_babel() -> None:
    moment = datetime(2026, 12, 8, 18, 30, tzinfo=ZoneInfo("Europe/Paris"))
    assert i18n.format_when(moment, "fr") == "mardi 8 décembre 2026, 18:30"
    assert i18n.format_time(moment, "fr") == "18:30"
    assert i18n.format_day(moment.date(), "de") == "Dienstag 8 Dezember 2026"
    assert i18n.format_day_month(moment.date(), "fr") == "8 déc."
