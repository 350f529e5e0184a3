"""REST v2: Settings, the Business Profile and Locales (the contract's ``Settings``, ``Business Profile`` and
``Locale`` operations).

- Settings are the app's settings as XML-RPC ``DataService.getAppSetting`` reads them
  (server.domain.account.settings): the contact types, whether the application is enabled ("yes"), and the
  application configuration v1 serves at ``/setting/application/configuration`` (the same modules: the
  ``application`` one, and those ``fields`` names).
- The business profile is v1's ``/account/profile``, whose address the CAN-SPAM footer of marketing email uses.
  ``address.country_code`` is ISO 3166-1 (alpha-2 or alpha-3 in, alpha-3 out), ``currency_code`` ISO 4217;
  a code that is neither, or an email that is not an address, is a 400 naming the field.
- Countries are ISO 3166-1 and provinces ISO 3166-2, from pycountry (server.domain.account.locales), as v1's
  ``/locales``; a country is found by its alpha-2 or alpha-3 code, a province by ``US-CO`` or ``CO``. A
  province's ``country`` is its country's alpha-3 code. The lists come whole, on one page.
"""
from __future__ import annotations

from server.domain.account import locales, settings
from server.domain.mail import email_status
from server.domain.session import AppSession

from .api import Request, operation
from .errors import existing, invalid_field, not_found

PROFILE = ("name", "email", "website", "phone", "address", "currency_code", "business_goals",
           "business_primary_color", "business_secondary_color")
ADDRESS = ("line1", "line2", "locality", "region", "country_code", "postal_code")


def _options(s: AppSession, module: str, name: str) -> list[str]:
    return [v.strip() for v in settings.app_setting(s, module, name).split(",") if v.strip()]


# --- settings -----------------------------------------------------------------------------------------

@operation("getContactOptionTypes")
def get_contact_option_types(r: Request) -> dict:
    return {"option_types": _options(r.s, "Contact", "optiontypes")}


@operation("isApplicationEnabled")
def is_application_enabled(r: Request) -> dict:
    return {"isEnabled": settings.app_setting(r.s, "Application", "enabled").strip().lower() == "yes"}


@operation("getApplicationConfigurations")
def get_application_configurations(r: Request) -> dict:
    config = settings.configuration(r.s)
    config["template"]["default_user_id"] = str(config["template"]["default_user_id"])  # a string on v2
    wanted = {f.lower() for f in r.fields()}
    # the contract: "By default, only application data is returned. In addition to that, data is returned for
    # the fields that are mentioned in the query" (``fields`` names every module but the application's own)
    return {module: values for module, values in config.items() if module in wanted or module == "application"}


# --- the business profile -----------------------------------------------------------------------------

def profile_json(s: AppSession) -> dict:
    p = settings.profile(s)
    address = p.get("address") or {}
    return {"name": p.get("name"), "email": p.get("email"), "website": p.get("website"), "phone": p.get("phone"),
            "address": {k: address.get(k) or None for k in ADDRESS} if address else None,
            "time_zone": p.get("time_zone"), "logo_url": p.get("logo_url"), "currency_code": p.get("currency_code"),
            "language_tag": p.get("language_tag"), "business_type": p.get("business_type"),
            "business_goals": p.get("business_goals") or [],
            "business_primary_color": p.get("business_primary_color"),
            "business_secondary_color": p.get("business_secondary_color")}


def _profile_value(name: str, value):
    """A profile property from the request, checked (None clears it)."""
    if value is None or value == "":
        return None
    if name == "email" and not email_status.is_valid(value):
        raise invalid_field("email", f"'{value}' is not an email address")
    if name == "currency_code":
        code = locales.currency(value)
        if code is None:
            raise invalid_field("currency_code", f"'{value}' is not an ISO 4217 currency code")
        return code
    if name == "address":
        country = locales.code_of(value["country_code"])
        if country is None:
            raise invalid_field("address.country_code", f"'{value['country_code']}' is not an ISO 3166-1 code")
        return {**{k: value.get(k) for k in ADDRESS}, "country_code": country, "field": "BILLING"}
    return value


@operation("getBusinessProfile")
def get_business_profile(r: Request) -> dict:
    return profile_json(r.s)


@operation("updateBusinessProfile")
def update_business_profile(r: Request) -> dict:
    mask = r.update_mask()
    changed = set(mask) if mask is not None else {k for k in PROFILE if k in r.body}
    changes = {name: _profile_value(name, r.body.get(name)) for name in sorted(changed)}
    if changes:
        settings.update_profile(r.s, changes)
    return profile_json(r.s)


# --- locales ------------------------------------------------------------------------------------------

def country_json(c: locales.Country) -> dict:
    return {"codes": {"alpha2": c.alpha2, "alpha3": c.alpha3}, "name": c.name}


def province_json(p: locales.Province) -> dict:
    return {"code": p.code, "name": p.name, "country": p.country}


def _country(code: str) -> locales.Country:
    return existing(locales.country(code), "Country", code)


@operation("listCountries")
def list_countries(r: Request) -> dict:
    return {"countries": [country_json(c) for c in locales.countries()]}


@operation("getCountryByCode")
def get_country_by_code(r: Request, country_code: str) -> dict:
    return country_json(_country(country_code))


@operation("listProvincesForCountry")
def list_provinces_for_country(r: Request, country_code: str) -> dict:
    return {"provinces": [province_json(p) for p in locales.provinces(_country(country_code).alpha3)]}


@operation("getProvinceByCode")
def get_province_by_code(r: Request, country_code: str, province_code: str) -> dict:
    found = locales.province(_country(country_code).alpha3, province_code)
    if found is None:
        raise not_found("Province", province_code)
    return province_json(found)
