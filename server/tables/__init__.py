"""Every DataService table of the real API, described once (see model.py)."""
from __future__ import annotations

from .admin import TABLES as _ADMIN
from .affiliates import TABLES as _AFFILIATES
from .campaigns import TABLES as _CAMPAIGNS
from .commerce import TABLES as _COMMERCE
from .crm import TABLES as _CRM
from .model import (
                    DATE_ONLY,
                    FORM_AFFILIATE,
                    FORM_COMPANY,
                    FORM_CONTACT,
                    FORM_CONTACT_ACTION,
                    FORM_OPPORTUNITY,
                    FORM_ORDER,
                    FORM_SUBSCRIPTION,
                    INT_MAX,
                    INT_MIN,
                    MAX_LENGTHS,
                    TEXT_MAX,
                    Field,
                    FieldType,
                    Join,
                    JoinPrefix,
                    Registry,
                    Table,
                    snake,
                    stored_id,
)
from .opportunities import TABLES as _OPPORTUNITIES

REGISTRY = Registry()
REGISTRY.add(*_CRM)
REGISTRY.add(*_AFFILIATES, *_ADMIN)
REGISTRY.add(*_CAMPAIGNS)
REGISTRY.add(*_COMMERCE)
REGISTRY.add(*_OPPORTUNITIES)

# Tables of the real API (spec xmlrpc-api.md §3.3) that this sandbox does not serve yet. DataService answers
# [NoTableFound] for them like for any unknown name; docs/api-coverage.md lists them as "not yet".
NOT_YET: tuple[str, ...] = ()

# Custom-field forms by the names addCustomField accepts (current docs, the older "Person", and yail's
# internal names).
CUSTOM_FORMS = {
    "Contact": FORM_CONTACT, "Person": FORM_CONTACT,
    "Affiliate": FORM_AFFILIATE, "Referral Partner": FORM_AFFILIATE,
    "Opportunity": FORM_OPPORTUNITY, "Lead": FORM_OPPORTUNITY,
    "ContactAction": FORM_CONTACT_ACTION, "Task/Appt/Note": FORM_CONTACT_ACTION, "Task": FORM_CONTACT_ACTION,
    "Appointment": FORM_CONTACT_ACTION, "Note": FORM_CONTACT_ACTION,
    "Company": FORM_COMPANY,
    "Order": FORM_ORDER, "Job": FORM_ORDER,
    "Subscription": FORM_SUBSCRIPTION, "JobRecurring": FORM_SUBSCRIPTION, "RecurringOrder": FORM_SUBSCRIPTION,
}

__all__ = ["REGISTRY", "NOT_YET", "CUSTOM_FORMS", "FORM_CONTACT", "FORM_AFFILIATE", "FORM_OPPORTUNITY",
           "FORM_CONTACT_ACTION", "FORM_COMPANY", "FORM_ORDER", "FORM_SUBSCRIPTION", "INT_MIN", "INT_MAX", "Field",
           "FieldType", "Join", "JoinPrefix", "Registry", "Table", "snake",
           "DATE_ONLY", "MAX_LENGTHS", "TEXT_MAX", "stored_id"]
