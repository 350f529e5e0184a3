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
}


def app_setting(s: AppSession, module: str, setting: str) -> str:
    """The value, or an empty string for an unknown module or setting (spec §7 #29)."""
    for source in (s.app.settings, DEFAULTS):
        value = source.get(module, {}).get(setting)
        if value is not None:
            return ",".join(map(str, value)) if isinstance(value, list) else str(value)
    return ""
