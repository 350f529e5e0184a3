"""/account/profile, /setting/…, and who-am-I (/oauth/connect/userinfo)."""
from __future__ import annotations

from server.domain.account import settings, users

from . import people
from .api import Body, Request, Shape, route


class ProfileAddress(Body):
    line1: str | None = None
    line2: str | None = None
    locality: str | None = None
    region: str | None = None
    postal_code: str | None = None
    zip_code: str | None = None
    zip_four: str | None = None
    country_code: str | None = None
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
    return settings.profile(r.s)


@route("PUT", "/account/profile", summary="Update the account's business profile", tag="Account Info",
       body=ProfileBody, response=AccountProfile)
def put_profile(r: Request):
    body: ProfileBody = r.body
    changes = body.model_dump(include=body.model_fields_set)
    return settings.update_profile(r.s, changes)


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


def configuration(s) -> dict:
    """RestApplicationConfiguration's modules [doc S1], from the app's settings (DataService.getAppSetting's),
    business profile, pipeline and merchant accounts; what the sandbox does not model has its neutral value."""
    from server.domain.commerce import merchant
    from server.store import schema

    def setting(module: str, name: str) -> str:
        return settings.app_setting(s, module, name)

    profile = settings.profile(s)
    address = profile.get("address") or {}
    stages = s.execute(s.select(schema.stage).order_by(schema.stage.c.stage_order, schema.stage.c.id)).all()
    names = [st.stage_name for st in stages]
    ends = [st.stage_name for st in stages if not st.target_num_days]
    default_merchant = merchant.account(s, 0)
    shared = {"appointment_types": "", "share_opportunity_with_related_user": False}
    return {
        "affiliate": {"choose_affiliate": setting("Affiliate", "chooseaffiliate").lower() == "last",
                      "commission": {"calculation_type": "Percentage", "levels": 1, "participant_types": ""},
                      "custom_affiliate_url": "", "display_affiliate_ip_address": False,
                      "do_not_notify_affiliate": False, "skip_pay_if_unused": False,
                      "use_referral_history_if_no_tracking_cookie": True},
        "application": {"company": {"caller_id_number": "", "city": address.get("locality"),
                                    "country": address.get("country_code"), "email": profile.get("email"),
                                    "name": profile.get("name"), "phone": profile.get("phone"),
                                    "phone_ext": profile.get("phone_ext"), "state": address.get("region"),
                                    "street_address_1": address.get("line1"), "street_address_2": address.get("line2"),
                                    "web_logo_url": profile.get("logo_url"), "website": profile.get("website"),
                                    "zip": address.get("zip_code") or address.get("postal_code")},
                        "default_view_locale": (profile.get("language_tag") or "en-US").replace("-", "_"),
                        "features_enabled": {"marketing": True}, "time_zone": s.app.time_zone},
        "appointment": dict(shared),
        "contact": {"address_labels": {"line_1": "Billing Address", "line_2": "Shipping Address",
                                       "line_3": "Optional Address"},
                    "contact_types": setting("Contact", "optiontypes"), "default_new_contact_form": "",
                    "disable_contact_edit_in_client_login": False, "fax_types": setting("Contact", "optionfaxtypes"),
                    "phone_types": setting("Contact", "optionphonetypes"),
                    "suffix_types": setting("Contact", "optionsuffixes"),
                    "title_types": setting("Contact", "optiontitles")},
        "ecommerce": {"credit_card_types": setting("Order", "optioncctypes"),
                      "currency": profile.get("currency_code") or "USD",
                      "default_charge_max_retry_attempts": int(setting("Order", "defaultmaxretry") or 0),
                      "default_country": address.get("country_code") or "USA",
                      "default_merchant": str(default_merchant.id) if default_merchant is not None else "",
                      "default_number_of_days_between_charge_attempts": int(setting("Order", "defaultnumdaysbetween")
                                                                            or 0),
                      "default_tax": "", "default_to_auto_charge": True,
                      "merchant_account_max_retry_attempts": int(setting("Order", "defaultmaxretry") or 0),
                      "payment_types": "Credit Card,Cash,Check,Money Order",
                      "promo_codes": setting("Product", "optionpromocode"), "track_cost_per_unit": False,
                      "track_inventory": True},
        "email": {"append_contact_key_to_links": False, "default_opt_in_link": "", "default_opt_out_link": "",
                  "hide_emails_to_and_from_domains": "", "whitelisted_domains": ""},
        "forms": {"spam_filters_enabled": False},
        "fulfillment": {"default_message_fields": "", "default_message_to": ""},
        "invoice": {"tax_label": "Tax"},
        "note": dict(shared),
        # the end stages are those without target days, as /opportunity/stage_pipeline says: the first wins,
        # the second loses
        "opportunity": {"default_stage": names[0] if names else "",
                        "states": {"active": {"stages": ",".join(st.stage_name for st in stages
                                                                 if st.target_num_days)},
                                   "win": {"reasons": "", "stage": ends[0] if ends else ""},
                                   "loss": {"reasons": "", "stage": ends[1] if len(ends) > 1 else ""}}},
        "task": dict(shared),
        "template": {"default_country_code": 0, "default_user_id": s.user_id or 0},
    }


@route("GET", "/setting/application/configuration", summary="The application's configuration", tag="Setting",
       response=Configuration)
def application_configuration(r: Request):
    return configuration(r.s)
