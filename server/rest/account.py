"""/account/profile, /setting/…, and who-am-I (/oauth/connect/userinfo)."""
from __future__ import annotations

from server.domain.account import settings, users

from . import people
from .api import Body, Request, Shape, route


class ProfileAddress(people.AddressLines):
    field: str | None = None


class ProfileBody(Body):
    address: ProfileAddress | None = None
    business_goals: list[str] | None = None
    business_primary_color: str | None = None
    business_secondary_color: str | None = None
    business_type: str | None = None
    currency_code: str | None = None
    email: str | None = None
    language_tag: str | None = None
    logo_url: str | None = None
    name: str | None = None
    phone: str | None = None
    phone_ext: str | None = None
    time_zone: str | None = None
    website: str | None = None


class AccountProfile(Shape):
    address: people.AddressShape | None = None
    business_goals: list[str] = []
    business_primary_color: str | None = None
    business_secondary_color: str | None = None
    business_type: str | None = None
    currency_code: str | None = None
    email: str | None = None
    language_tag: str | None = None
    logo_url: str | None = None
    name: str | None = None
    phone: str | None = None
    phone_ext: str | None = None
    time_zone: str | None = None
    website: str | None = None


class SettingValue(Shape):
    value: str


class UserInfo(Shape):
    sub: str | None = None
    email: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    middle_name: str | None = None
    preferred_name: str | None = None
    global_user_id: int | None = None
    infusionsoft_id: str | None = None
    is_admin: bool | None = None


@route("GET", "/account/profile", summary="The account's business profile", tag="Account Info",
       response=AccountProfile)
def get_profile(r: Request):
    return _v1(settings.profile(r.s))


def _v1(profile: dict) -> dict:
    """The profile as v1 answers it: its address a ContactAddress, whose ``field`` the document requires (the
    business address is the billing one)."""
    if profile.get("address"):
        return {**profile, "address": {**profile["address"], "field": "BILLING"}}
    return profile


@route("PUT", "/account/profile", summary="Update the account's business profile", tag="Account Info",
       body=ProfileBody, response=AccountProfile)
def put_profile(r: Request):
    body: ProfileBody = r.body
    changes = body.model_dump(include=body.model_fields_set)
    return _v1(settings.update_profile(r.s, changes))


@route("GET", "/setting/application/enabled", summary="Whether the application is enabled", tag="Setting",
       response=SettingValue)
def application_enabled(r: Request):
    return {"value": settings.app_setting(r.s, "Application", "enabled")}  # {"value": "yes"} [client S26]


@route("GET", "/setting/contact/optionTypes", summary="The contact types", tag="Setting", response=SettingValue,
       deprecated=True)
def contact_option_types(r: Request):
    return {"value": settings.app_setting(r.s, "Contact", "optiontypes")}


@route("GET", "/oauth/connect/userinfo", summary="Who the credential acts as", tag="OAuth", response=UserInfo)
def userinfo(r: Request):
    return users.userinfo(r.s, r.s.user_id)


class Configuration(Shape):
    affiliate: dict
    application: dict
    appointment: dict
    contact: dict
    ecommerce: dict
    email: dict
    forms: dict
    fulfillment: dict
    invoice: dict
    note: dict
    opportunity: dict
    task: dict
    template: dict


@route("GET", "/setting/application/configuration", summary="The application's configuration", tag="Setting",
       response=Configuration)
def application_configuration(r: Request):
    return settings.configuration(r.s)
