"""Every DataService table of the real API, described once (see model.py)."""
from __future__ import annotations

from .admin import TABLES as _ADMIN
from .affiliates import TABLES as _AFFILIATES
from .campaigns import TABLES as _CAMPAIGNS
from .commerce import TABLES as _COMMERCE
from .crm import TABLES as _CRM
from .model import Field, FieldType, Join, JoinPrefix, Registry, Table, snake
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

# Custom-field forms: DataFormField.FormId per record type. The names are what addCustomField accepts
# (current docs, the older "Person", and yail's internal names); the 2012 docs wrote the ids unsigned.
CUSTOM_FORMS = {
    "Contact": -1, "Person": -1,
    "Affiliate": -3, "Referral Partner": -3,
    "Opportunity": -4, "Lead": -4,
    "ContactAction": -5, "Task/Appt/Note": -5, "Task": -5, "Appointment": -5, "Note": -5,
    "Company": -6,
    "Order": -9, "Job": -9,
    "Subscription": -10, "JobRecurring": -10, "RecurringOrder": -10,
}

__all__ = ["REGISTRY", "NOT_YET", "CUSTOM_FORMS", "Field", "FieldType", "Join", "JoinPrefix", "Registry",
           "Table", "snake"]
