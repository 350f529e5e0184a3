"""Countries as the Contact table keeps them (a name: "United States", what XML-RPC reads and writes) and as
REST speaks them (ISO 3166-1 alpha-3: ``USA``; v2 also ISO 3166-2 region codes: ``US-AZ``). One table for
both REST versions, from pycountry."""
from __future__ import annotations

from functools import lru_cache

import pycountry


@lru_cache(maxsize=1)
def _countries() -> tuple[dict[str, str], dict[str, str]]:
    by_code, by_name = {}, {}
    for c in pycountry.countries:
        by_code[c.alpha_3] = c.name
        for name in {c.name, getattr(c, "common_name", c.name), getattr(c, "official_name", c.name)}:
            by_name[name.lower()] = c.alpha_3
        by_name[c.alpha_2.lower()] = c.alpha_3
        by_name[c.alpha_3.lower()] = c.alpha_3
    by_code["USA"] = "United States"  # the name Infusionsoft's country list uses
    by_name.update({"usa": "USA", "us": "USA", "united states of america": "USA", "uk": "GBR"})
    return by_code, by_name


def country_names() -> dict[str, str]:
    """``{alpha-3 code: name}`` of every country."""
    return dict(_countries()[0])


def country_code(name: str | None) -> str | None:
    if not name:
        return None
    return _countries()[1].get(name.strip().lower())


def country_name(code: str | None) -> str | None:
    if not code:
        return None
    return _countries()[0].get(code.strip().upper())


def is_country_code(code: str) -> bool:
    return code.strip().upper() in _countries()[0]


def region_name(code: str | None) -> str | None:
    """The name of an ISO 3166-2 region (``US-AZ`` -> "Arizona"), or None when no region has the code."""
    if not code:
        return None
    region = pycountry.subdivisions.get(code=code.strip().upper())
    return region.name if region is not None else None
