"""Countries as the Contact table keeps them (a name: "United States", what XML-RPC reads and writes) and as
REST speaks them (ISO 3166-1 alpha-3: ``USA``; v2 also ISO 3166-2 region codes: ``US-AZ``), for both REST
versions. The table itself is server.domain.account.locales (countries, provinces, currencies)."""
from __future__ import annotations

from functools import lru_cache

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
    if not code or "-" not in code:
        return None
    prefix = code.strip().split("-", 1)[0]
    alpha3 = locales.code_of(prefix)
    found = locales.province(alpha3, code) if alpha3 else None
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
    lower = wanted.lower()
    return locales.province(alpha3, wanted) or next(
        (p for p in locales.provinces(alpha3) if p.name.lower() == lower), None)


def region_spellings(value: str) -> list[str]:
    """Every way the store may hold the region ``value`` names (its name, its code with and without the
    country's prefix, and the value as given), for a filter: a US state's code or name, an ISO 3166-2 code, or
    the name of a province of any country; just the value when it names no region."""
    found = region(value)
    provinces = [found] if found is not None else list(locales.provinces_named(value))
    spellings = [value]
    for p in provinces:
        spellings += [p.name, p.code, p.code.split("-", 1)[1]]
    return list(dict.fromkeys(spellings))
