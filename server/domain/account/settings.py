"""The app's settings, as DataService.getAppSetting reads them (module → setting → comma-joined value)."""
from __future__ import annotations

from server.domain.commerce import merchant
from server.store import apps, schema
from server.store.session import AppSession

# Answered for apps whose seed does not say otherwise (vendor sample values, spec §2.2).
DEFAULTS = {
    "Contact": {
        "optiontypes": "Prospect,Customer,Partner,Personal Contact,Vendor",
        "optiontitles": "Dr.,Mr.,Mrs.,Ms.",
        "optionsuffixes": "Jr,Sr,II,III",
        "optionphonetypes": "Work,Home,Mobile,Other",
        "optionfaxtypes": "Work,Home,Other",
    },
    "Order": {"optioncctypes": "Visa,MasterCard,American Express,Discover", "defaultmaxretry": "3",
              "defaultnumdaysbetween": "3"},
    "Application": {"enabled": "yes"},
    "Product": {"optionpromocode": ""},
    # Which referring affiliate a sale without one is credited to: "first" or "last".
    "Affiliate": {"chooseaffiliate": "first"},
}


def _lookup(source: dict, module: str, setting: str):
    """``source[module][setting]``; module and setting names are matched without regard to case (the
    settings form's field names are lower-case, clients write ``optionTypes`` as often as ``optiontypes``)."""
    section = source.get(module)
    if section is None:
        section = next((v for k, v in source.items() if k.lower() == module.lower()), None)
    if not isinstance(section, dict):
        return None
    if setting in section:
        return section[setting]
    return next((v for k, v in section.items() if k.lower() == setting.lower()), None)


def app_setting(s: AppSession, module: str, setting: str) -> str:
    """The value, or an empty string for an unknown module or setting (spec §7 #29). The app's own settings
    (sandbox_data/app.json) win over the defaults; a list is joined with commas (the vendor sample)."""
    for source in (s.app.settings, DEFAULTS):
        value = _lookup(source, module.strip(), setting.strip())
        if value is not None:
            return ",".join(map(str, value)) if isinstance(value, list) else str(value)
    return ""


# --- the account profile (REST /account/profile) -----------------------------------------------------

PROFILE_KEYS = ("address", "business_goals", "business_primary_color", "business_secondary_color", "business_type",
                "currency_code", "email", "language_tag", "logo_url", "name", "phone", "phone_ext", "time_zone",
                "website")


def profile(s: AppSession) -> dict:
    """The business profile: name, email, phone, website and the business address that the CAN-SPAM footer of
    every marketing email needs."""
    stored = s.app.profile or {}
    out = {k: stored.get(k) for k in PROFILE_KEYS}
    out["business_goals"] = stored.get("business_goals") or []
    out["time_zone"] = stored.get("time_zone") or s.app.time_zone
    out["currency_code"] = stored.get("currency_code") or "USD"
    out["language_tag"] = stored.get("language_tag") or "en-US"
    return out


def business_address_lines(s: AppSession) -> list[str]:
    """The profile's business address as the lines of a postal block (street lines, ``City, State Zip``, the
    country), or [] when it has no street address: then no marketing email goes out (CAN-SPAM, seed 000)."""
    address = (s.app.profile or {}).get("address") or {}
    if not address.get("line1"):
        return []
    region_zip = " ".join(p for p in (address.get("region"), address.get("zip_code") or address.get("postal_code"))
                          if p)
    place = ", ".join(p for p in (address.get("locality"), region_zip) if p)
    return [p for p in (address.get("line1"), address.get("line2"), place, address.get("country_code")) if p]


def update_profile(s: AppSession, changes: dict) -> dict:
    """Replace the profile's values named in ``changes``."""

    merged = {**(s.app.profile or {}), **{k: v for k, v in changes.items() if k in PROFILE_KEYS}}
    apps.update(s.conn, s.app.id, profile=merged)
    s.app = apps.by_id(s.conn, s.app.id)
    s.emit("account.profile_updated", "app", s.app.id, fields=sorted(changes))
    return profile(s)


def plugin_enabled(s: AppSession, class_name: str) -> bool:
    """InvoiceService.getPluginStatus: whether the app's e-commerce plugin is on. The real plugin class names are
    unrecorded, so every class name gets the app's answer, the option ``ecommerce_plugin_enabled``."""
    return bool(s.app.option("ecommerce_plugin_enabled"))


# --- the application configuration (REST /setting/application/configuration, v2 applications:getConfiguration)

def configuration(s: AppSession) -> dict:
    """The application's configuration by module (REST v1 RestApplicationConfiguration [doc S1], v2
    GetSettingsResponse: the same modules), from the app's settings (DataService.getAppSetting's), business
    profile, pipeline and merchant accounts; what the sandbox does not model has its neutral value."""
    def setting(module: str, name: str) -> str:
        return app_setting(s, module, name)

    business = profile(s)
    address = business.get("address") or {}
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
                                    "country": address.get("country_code"), "email": business.get("email"),
                                    "name": business.get("name"), "phone": business.get("phone"),
                                    "phone_ext": business.get("phone_ext"), "state": address.get("region"),
                                    "street_address_1": address.get("line1"), "street_address_2": address.get("line2"),
                                    "web_logo_url": business.get("logo_url"), "website": business.get("website"),
                                    "zip": address.get("zip_code") or address.get("postal_code")},
                        "default_view_locale": (business.get("language_tag") or "en-US").replace("-", "_"),
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
                      "currency": business.get("currency_code") or "USD",
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
