"""/locales: countries (ISO 3166-1 alpha-3, as REST writes country codes), a country's provinces (ISO 3166-2,
from pycountry) and the default dropdown options of contact forms (the app's settings)."""
from __future__ import annotations

from functools import lru_cache

from server.domain.account import locales, settings

from .api import Request, Shape, route
from .errors import not_found
from .wire import country_code, country_names


class Countries(Shape):
    countries: dict[str, str]


class Provinces(Shape):
    provinces: dict[str, str]


class DefaultOptions(Shape):
    contact_types: list[str]
    fax_types: list[str]
    phone_types: list[str]
    suffix_types: list[str]
    title_types: list[str]


@lru_cache(maxsize=1)
def _all_countries() -> dict[str, str]:
    return dict(sorted(country_names().items(), key=lambda kv: kv[1]))


def _provinces(alpha3: str) -> dict[str, str]:
    return {p.code: p.name for p in locales.provinces(alpha3)}


@route("GET", "/locales/countries", summary="List countries", tag="Locale", response=Countries)
def list_countries(r: Request):
    return {"countries": _all_countries()}


@route("GET", "/locales/countries/{countryCode}/provinces", summary="List a country's provinces", tag="Locale",
       response=Provinces, countryCode=str)
def list_provinces(r: Request, countryCode: str):
    alpha3 = country_code(countryCode)
    if alpha3 is None:
        raise not_found("Country")
    return {"provinces": _provinces(alpha3)}


def _options(s, name: str) -> list[str]:
    return [v.strip() for v in settings.app_setting(s, "Contact", name).split(",") if v.strip()]


@route("GET", "/locales/defaultOptions", summary="Default dropdown options", tag="Locale",
       response=DefaultOptions)
def default_options(r: Request):
    return {"contact_types": _options(r.s, "optiontypes"), "fax_types": _options(r.s, "optionfaxtypes"),
            "phone_types": _options(r.s, "optionphonetypes"), "suffix_types": _options(r.s, "optionsuffixes"),
            "title_types": _options(r.s, "optiontitles")}
