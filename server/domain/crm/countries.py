"""Countries as the Contact table keeps them (a name: "United States", what XML-RPC reads and writes) and as
REST speaks them (ISO 3166-1 alpha-3: ``USA``; v2 also ISO 3166-2 region codes: ``US-AZ``), for both REST
versions. The table itself is server.domain.account.locales (countries, provinces, currencies)."""
from __future__ import annotations

from server.domain.account import locales


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
