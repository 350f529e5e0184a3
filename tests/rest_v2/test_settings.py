"""Settings, the business profile and locales through REST v2 on a live server (every answer checked against
Keap's contract by the ``v2`` fixture): the settings XML-RPC's getAppSetting reads, v1's profile."""
from __future__ import annotations

from tests.rest.conftest import rest_for


def _no_nulls(value):
    if isinstance(value, dict):
        return {k: _no_nulls(v) for k, v in value.items() if v is not None}
    return value


def test_settings_are_the_apps_settings(v2):
    types = v2.ok("GET", "/settings/contactOptionTypes")["option_types"]
    assert ",".join(types) == v2.app.call("DataService.getAppSetting", "Contact", "optiontypes")
    assert v2.ok("GET", "/settings/applications:isEnabled") == {"isEnabled": True}
    v1 = _no_nulls(rest_for(v2.app).ok("GET", "/setting/application/configuration"))
    # "By default, only application data is returned", and the modules ``fields`` names besides
    assert v2.ok("GET", "/settings/applications:getConfiguration") == {"application": v1["application"]}
    every = ",".join(m.upper() for m in v1 if m != "application")
    config = v2.ok("GET", "/settings/applications:getConfiguration", params={"fields": every})
    assert config["contact"]["contact_types"] == ",".join(types) and config["template"]["default_user_id"].isdigit()
    assert config == {**v1, "template": config["template"]}  # v1's, but for the id's type and the nulls
    some = v2.ok("GET", "/settings/applications:getConfiguration", params={"fields": "EMAIL,TASK"})
    assert sorted(some) == ["application", "email", "task"]
    assert some["email"] == v1["email"] and some["task"] == v1["task"]
    assert v2.error("GET", "/settings/applications:getConfiguration", 400, params={"fields": "NOPE"})["code"] == 400


def test_business_profile_read_and_updated_with_v1(v2):
    before = v2.ok("GET", "/businessProfile")
    assert before == {k: v for k, v in before.items() if v is not None} and before["currency_code"]
    changed = v2.ok("PATCH", "/businessProfile", json={
        "name": "Summit Peak", "email": "hello@summitpeak.example.com", "currency_code": "eur",
        "address": {"line1": "1 Main St", "line2": "", "locality": "Denver", "region": "Colorado",
                    "country_code": "US", "postal_code": "80202"}})
    assert changed["name"] == "Summit Peak" and changed["currency_code"] == "EUR"
    assert changed["address"] == {"line1": "1 Main St", "locality": "Denver", "region": "Colorado",
                                  "country_code": "USA", "postal_code": "80202"}
    v1 = rest_for(v2.app).ok("GET", "/account/profile")
    assert v1["name"] == "Summit Peak" and v1["address"]["locality"] == "Denver" and v1["currency_code"] == "EUR"
    masked = v2.ok("PATCH", "/businessProfile", params={"update_mask": "website"},
                   json={"name": "ignored", "website": "https://summit.example.com"})
    assert masked["name"] == "Summit Peak" and masked["website"] == "https://summit.example.com"

    def refused(body: dict) -> str:
        return v2.error("PATCH", "/businessProfile", 400, json=body)["details"][0]["resource"]

    assert refused({"currency_code": "XYZ"}) == "currency_code"
    assert refused({"email": "nope"}) == "email"
    assert refused({"address": {"line1": "a", "line2": "", "locality": "b", "region": "c", "postal_code": "1",
                                "country_code": "ZZ"}}) == "address.country_code"
    assert refused({"address": {"line1": "a"}}).startswith("address")  # the contract requires every part


def test_locales(v2):
    countries = v2.ok("GET", "/locales/countries")["countries"]
    assert {"codes": {"alpha2": "US", "alpha3": "USA"}, "name": "United States"} in countries
    assert len(countries) > 200 and countries == sorted(countries, key=lambda c: c["name"])
    assert v2.ok("GET", "/locales/countries/de")["name"] == "Germany"
    assert v2.ok("GET", "/locales/countries/CAN")["codes"] == {"alpha2": "CA", "alpha3": "CAN"}
    provinces = v2.ok("GET", "/locales/countries/US/provinces")["provinces"]
    assert {"code": "US-CO", "name": "Colorado", "country": "USA"} in provinces and len(provinces) >= 50
    assert v2.ok("GET", "/locales/countries/USA/provinces/co") == {"code": "US-CO", "name": "Colorado",
                                                                   "country": "USA"}
    assert v2.ok("GET", "/locales/countries/CA/provinces/CA-ON")["name"] == "Ontario"
    assert v2.error("GET", "/locales/countries/XYZ", 404)["details"] == [{"domain": "Country", "resource": "XYZ"}]
    assert v2.error("GET", "/locales/countries/US/provinces/ZZ", 404)["status"] == "NOT_FOUND"


def test_the_sdk_reads_settings_profile_and_locales(sdk, v2):
    from keap_core_v2_client import BusinessProfileApi, LocaleApi, SettingsApi
    from keap_core_v2_client.models import UpdateBusinessProfileRequest

    settings = SettingsApi(sdk)
    assert settings.is_application_enabled().is_enabled is True
    assert settings.get_contact_option_types().option_types
    assert settings.get_application_configurations(fields=["ECOMMERCE"]).ecommerce.currency
    profile = BusinessProfileApi(sdk)
    assert profile.update_business_profile(UpdateBusinessProfileRequest(phone="555-0100"),
                                           update_mask=["phone"]).phone == "555-0100"
    assert profile.get_business_profile().phone == "555-0100"
    locale = LocaleApi(sdk)
    assert locale.get_country_by_code("FR").name == "France"
    assert all(p.code.startswith("FR-") for p in locale.list_provinces_for_country("FR").provinces)
    assert locale.get_province_by_code("US", "US-CA").name == "California"
    assert len(locale.list_countries().countries) > 200
