"""Public holidays: the countries (and regions) a community names, what day is a holiday
where, and the country a member's time zone stands for.

The days come from the `holidays` package (imported only when a country is named), one
lookup per country, region, year and language for the whole process. A member's country is
their time zone's in the tz database's zone.tab (Europe/Rome is IT, America/New_York US): an
approximation, as a zone can cover several countries and a person may live by another's
holidays.
"""

from __future__ import annotations

import difflib
from datetime import date
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from peerkit.errors import InvalidValue

# An example for the messages: country, or country-region.
EXAMPLE = "IT,GB-ENG"


def parse(text: str | None) -> str | None:
    """What `init --holidays` takes: comma-separated codes ("it, gb-eng"), checked against
    the holidays package and stored as "IT,GB-ENG" (None: no country, from "")."""
    if text is None:
        return None
    codes = [part.strip().upper() for part in text.replace(";", ",").split(",")]
    checked = [code(part) for part in codes if part]
    return ",".join(dict.fromkeys(checked)) or None


def code(text: str) -> str:
    """One country ("IT") or country and region ("GB-ENG"), or InvalidValue with a hint."""
    country, _, region = text.strip().upper().partition("-")
    known = _supported()
    if country not in known:
        near = difflib.get_close_matches(country, list(known), n=3, cutoff=0.5)
        hint = f" (did you mean {', '.join(near)}?)" if near and len(country) == 2 else ""
        raise InvalidValue(
            f"unknown country '{text.strip()}' for public holidays{hint}; use a two-letter "
            f"ISO code the holidays package knows, with a region after a dash: {EXAMPLE}."
        )
    regions = known[country]
    if region and region not in regions:
        shown = ", ".join(regions[:40]) + (" ..." if len(regions) > 40 else "")
        listed = f"; its regions are {shown}" if regions else "; it has no regions"
        raise InvalidValue(f"{country} has no region '{region}' for public holidays{listed}.")
    return f"{country}-{region}" if region else country


def codes_of(stored: str | None) -> list[str]:
    """The community's stored countries as a list ("IT,GB-ENG" -> ["IT", "GB-ENG"])."""
    return [c for c in (stored or "").split(",") if c]


def on(day: date, codes: list[str], locale: str = "en") -> list[tuple[str, str]]:
    """The holidays on DAY in those countries: (name, code), in the order of CODES."""
    found = []
    for one in codes:
        name = of_year(one, day.year, locale).get(day)
        if name is not None:
            found.append((name, one))
    return found


def label(found: list[tuple[str, str]]) -> str:
    """ "Ferragosto (IT)", or "Christmas Day (GB-ENG); Natale (IT)" when several."""
    return "; ".join(f"{name} ({where})" for name, where in found)


@lru_cache(maxsize=256)
def of_year(one: str, year: int, locale: str = "en") -> dict[date, str]:
    """Every holiday of a country (or region) in a year, in LOCALE when it has it: cached
    per country, year and language."""
    import holidays

    country, _, region = one.partition("-")
    try:
        table: Any = holidays.country_holidays(country, subdiv=region or None, years=year)
        table = holidays.country_holidays(
            country, subdiv=region or None, years=year, language=_language(table, locale)
        )
    except NotImplementedError:  # a code stored by an older package version
        return {}
    return {day: str(name) for day, name in table.items() if day.year == year}


def _language(table: Any, locale: str) -> str | None:
    """The package's language for LOCALE ("it" -> "it_IT"), else American English, else the
    country's own."""
    supported = list(getattr(table, "supported_languages", ()) or ())
    for wanted in (locale, "en_US", "en"):
        for lang in supported:
            if lang == wanted or lang.split("_")[0] == wanted:
                return str(lang)
    return table.default_language  # type: ignore[no-any-return]


@cache
def _supported() -> dict[str, list[str]]:
    import holidays

    return {k: list(v) for k, v in holidays.list_supported_countries().items()}


def country_of_zone(zone: str) -> str | None:
    """The country a time zone stands for (zone.tab), if the holidays package knows it."""
    found = _zones().get(zone)
    return found if found is not None and found in _supported() else None


@cache
def _zones() -> dict[str, str]:
    """Zone -> country code, from the tz database's zone.tab (tzdata's, else the system's),
    with zone1970.tab's first country for zones zone.tab leaves out."""
    found: dict[str, str] = {}
    for name in ("zone1970.tab", "zone.tab"):  # zone.tab, read last, wins
        for line in _read(name).splitlines():
            if line.startswith("#") or not line.strip():
                continue
            parts = line.split("\t")
            if len(parts) >= 3:
                found[parts[2]] = parts[0].split(",")[0]
    return found


def _read(name: str) -> str:
    try:
        return (resources.files("tzdata.zoneinfo") / name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, OSError):
        try:
            with open(f"/usr/share/zoneinfo/{name}", encoding="utf-8") as fh:
                return fh.read()
        except OSError:
            return ""


def members_off(
    day: date, zones: list[str], locale: str = "en"
) -> tuple[int, list[tuple[str, str]]]:
    """Of members living in ZONES (one per member), how many have a public holiday on DAY
    in their zone's country, and which holidays (name, country), each once."""
    off, which = 0, {}
    for zone in zones:
        country = country_of_zone(zone)
        found = on(day, [country], locale) if country else []
        if found:
            off += 1
            which.update(dict.fromkeys(found))
    return off, list(which)
