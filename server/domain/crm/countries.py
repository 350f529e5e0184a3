"""Countries as the Contact table keeps them (a name: "United States", what XML-RPC reads and writes) and as
REST speaks them (ISO 3166-1 alpha-3: ``USA``; v2 also ISO 3166-2 region codes: ``US-AZ``), for both REST
versions. The table itself is server.domain.account.locales (countries, provinces, currencies)."""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from server.domain.account import locales

DEFAULT_COUNTRY = "USA"  # a region stored without a country: a Keap account's default country


def country_names() -> dict[str, str]:
    """``{alpha-3 code: name}`` of every country."""
    return dict(locales.names_by_code())


def country_code(name: str | None) -> str | None:
    """The alpha-3 code of a country given by a code or a name (any case), or None."""
    return locales.code_of(name)


def country_name(code: str | None) -> str | None:
    return locales.names_by_code().get(code.strip().upper()) if code else None


def is_country_code(code: str) -> bool:
    return code.strip().upper() in locales.names_by_code()


def region_name(code: str | None) -> str | None:
    """The name of an ISO 3166-2 region (``US-AZ`` -> "Arizona"), or None when no region has the code."""
    found = region(code) if code and "-" in code else None
    return found.name if found else None


@lru_cache(maxsize=4096)
def region(stored: str | None, country: str | None = None) -> locales.Province | None:
    """The province a stored state names, whatever its spelling (``Colorado``, ``CO``, ``US-CO``, any case), in
    the address's country (a name or a code; the US when none is stored); None when none matches."""
    if not stored or not stored.strip():
        return None
    wanted = stored.strip()
    if "-" in wanted:
        alpha3 = locales.code_of(wanted.split("-", 1)[0])
        if alpha3 is not None:
            return locales.province(alpha3, wanted)
    alpha3 = locales.code_of(country) if country else DEFAULT_COUNTRY
    if alpha3 is None:
        return None
    return locales.province(alpha3, wanted) or next(
        (p for p in locales.provinces_named(wanted) if p.country == alpha3), None)


def region_fields(stored: str | None, country: str | None = None) -> dict:
    """An address's ``region`` and ``region_code`` as REST v2 answers them: the province's name and its ISO 3166-2
    code whatever spelling the store holds; a region it does not know as stored, without a code."""
    province = region(stored, country)
    if province is None:
        return {"region": stored, "region_code": None}
    return {"region": province.name, "region_code": province.code}


class BareCode(NamedTuple):
    """A province's code without its country's prefix (``WA``), which names it only on an address in its
    country: ``countries`` spells that country, and ``unplaced`` says an address with no country counts (the US,
    a Keap account's default)."""
    code: str
    countries: list[str]
    unplaced: bool


def region_spellings(value: str) -> tuple[list[str], list[BareCode]]:
    """The ways the store may hold the region ``value`` names, for a filter: its name and ISO 3166-2 code
    anywhere, and its bare code on an address in its country (``WA`` is Washington to a US contact, Western
    Australia to an Australian one). ``value`` is a US state's code or name, an ISO 3166-2 code, or the name of a
    province of any country; just the value when it names no region."""
    found = region(value)
    provinces = [found] if found is not None else list(locales.provinces_named(value))
    spellings, bare = [value], []
    for p in provinces:
        spellings += [p.name, p.code]
        country = locales.country(p.country)
        bare.append(BareCode(p.code.split("-", 1)[1], [country.name, country.alpha2, country.alpha3],
                             p.country == DEFAULT_COUNTRY))
    return list(dict.fromkeys(spellings)), bare
