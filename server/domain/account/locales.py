"""Countries (ISO 3166-1) and their provinces (ISO 3166-2), from pycountry, as the app's forms offer them;
currency codes (ISO 4217).

REST writes country codes as alpha-3 (``USA``); the Contact table keeps a country's name ("United States",
the name Infusionsoft's country list uses, not pycountry's "United States of America"). A country is found
by its alpha-2 or alpha-3 code or by any of its names, without regard to case.
"""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import pycountry

# Infusionsoft's names where pycountry's differ, and the everyday aliases clients send
_NAMES = {"USA": "United States"}
_ALIASES = {"usa": "USA", "us": "USA", "united states of america": "USA", "uk": "GBR"}


class Country(NamedTuple):
    alpha2: str
    alpha3: str
    name: str


class Province(NamedTuple):
    code: str  # ISO 3166-2, e.g. US-CO
    name: str
    country: str  # the country's alpha-3 code


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, Country], dict[str, str]]:
    by_code: dict[str, Country] = {}
    by_name: dict[str, str] = {}
    for c in pycountry.countries:
        by_code[c.alpha_3] = Country(c.alpha_2, c.alpha_3, _NAMES.get(c.alpha_3, c.name))
        for name in {c.name, getattr(c, "common_name", c.name), getattr(c, "official_name", c.name),
                     c.alpha_2, c.alpha_3}:
            by_name[name.lower()] = c.alpha_3
    by_name.update(_ALIASES)
    return by_code, by_name


@lru_cache(maxsize=1)
def names_by_code() -> dict[str, str]:
    """``{alpha-3 code: name}`` of every country (one shared dict: do not change it)."""
    return {code: c.name for code, c in _tables()[0].items()}


def code_of(name: str | None) -> str | None:
    """The alpha-3 code of a country given by a code or a name, or None."""
    return _tables()[1].get(name.strip().lower()) if name else None


@lru_cache(maxsize=1)
def countries() -> list[Country]:
    """Every country, by name."""
    return sorted(_tables()[0].values(), key=lambda c: c.name)


def country(code: str | None) -> Country | None:
    alpha3 = code_of(code)
    return None if alpha3 is None else _tables()[0][alpha3]


@lru_cache(maxsize=256)
def provinces(alpha3: str) -> list[Province]:
    """A country's provinces (ISO 3166-2 subdivisions), by name."""
    found = country(alpha3)
    subdivisions = pycountry.subdivisions.get(country_code=found.alpha2) if found else None
    return sorted((Province(s.code, s.name, found.alpha3) for s in subdivisions or []), key=lambda p: p.name)


@lru_cache(maxsize=1)
def _provinces_by_name() -> dict[str, tuple[Province, ...]]:
    """Every country's provinces by lower-cased name (several countries may have one of a name)."""
    out: dict[str, list[Province]] = {}
    alpha3_of = {c.alpha2: c.alpha3 for c in _tables()[0].values()}
    for sub in pycountry.subdivisions:
        alpha3 = alpha3_of.get(sub.country_code)
        if alpha3 is not None:
            out.setdefault(sub.name.lower(), []).append(Province(sub.code, sub.name, alpha3))
    return {name: tuple(found) for name, found in out.items()}


def provinces_named(name: str) -> tuple[Province, ...]:
    """The provinces of every country named ``name`` (any case)."""
    return _provinces_by_name().get(name.strip().lower(), ())


def province(alpha3: str, code: str) -> Province | None:
    """A country's province by its ISO 3166-2 code, with or without the country's prefix (``US-CO``, ``CO``)."""
    wanted = code.strip().upper()
    return next((p for p in provinces(alpha3) if wanted in (p.code.upper(), p.code.split("-", 1)[1].upper())), None)


def currency(code: str | None) -> str | None:
    """The ISO 4217 code ``code`` names (any case), or None."""
    if not code or pycountry.currencies.get(alpha_3=code.strip().upper()) is None:
        return None
    return code.strip().upper()


@lru_cache(maxsize=1)
def _time_zones() -> frozenset[str]:
    import zoneinfo  # noqa: PLC0415  (the list is read from tzdata once, at the first contact given a zone)

    return frozenset(zoneinfo.available_timezones())


def is_time_zone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone (``America/Denver``): the zones a contact's ``time_zone`` may name
    (REST: "this API only supports a subset of valid timezones"; which subset is unrecorded)."""
    return name in _time_zones()
