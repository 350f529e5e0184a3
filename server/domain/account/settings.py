"""The app's settings, as DataService.getAppSetting reads them (module → setting → comma-joined value)."""
from __future__ import annotations

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


def update_profile(s: AppSession, changes: dict) -> dict:
    """Replace the profile's values named in ``changes``."""
    from server.store import apps

    merged = {**(s.app.profile or {}), **{k: v for k, v in changes.items() if k in PROFILE_KEYS}}
    apps.update(s.conn, s.app.id, profile=merged)
    s.app = apps.by_id(s.conn, s.app.id)
    s.emit("account.profile_updated", "app", s.app.id, fields=sorted(changes))
    return profile(s)


def plugin_enabled(s: AppSession, class_name: str) -> bool:
    """InvoiceService.getPluginStatus: whether the app's e-commerce plugin is on. The real plugin class names are
    unrecorded, so every class name gets the app's answer, the option ``ecommerce_plugin_enabled``."""
    return bool(s.app.option("ecommerce_plugin_enabled"))
