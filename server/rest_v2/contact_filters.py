"""listContacts' filters beyond the fixed ones of ``contacts.CONTACTS``: a phone number searched in the phone
fields ``phone_fields`` names, the lead source by name, and the app's contact custom fields
(server.rest_v2.custom_filters; dates there need a full date-time)."""
from __future__ import annotations

import dataclasses

from server.domain.crm import contacts as domain
from server.domain.crm.slots import PHONES
from server.domain.data.listing import Condition, ListQuery
from server.tables import FORM_CONTACT

from .custom_filters import with_custom_fields
from .errors import invalid_field
from .filters import Kind, Text
from .paging import Listing

PHONE_NUMBER, PHONE_FIELDS = "phone_number", "phone_fields"


class _PhoneNumber(Text):
    ops = ("==",)


class _PhoneFields(Kind):
    def parse(self, name, target, clause, clock):
        slots = [v.strip().upper() for v in clause.value.split(",") if v.strip()]
        unknown = [v for v in slots if v not in PHONES]
        if not slots or unknown:
            raise invalid_field(f"filter.{name}", f"name one or more of {', '.join(PHONES)}")
        return [Condition(PHONE_FIELDS, "in", slots)]


EXTRA = {PHONE_NUMBER: _PhoneNumber(PHONE_NUMBER), PHONE_FIELDS: _PhoneFields(PHONE_FIELDS),
         "lead_source_name": Text(domain.LEAD_SOURCE_NAME)}


def listing_for(r, base: Listing) -> Listing:
    return with_custom_fields(r, base, FORM_CONTACT, extra=EXTRA)


def combined(q: ListQuery) -> ListQuery:
    """``phone_number`` searched in the ``phone_fields`` named: one condition, any of those fields."""
    number = next((c for c in q.where if c.field == PHONE_NUMBER), None)
    slots = next((c for c in q.where if c.field == PHONE_FIELDS), None)
    if number is None and slots is None:
        return q
    if number is None:
        raise invalid_field(f"filter.{PHONE_NUMBER}", f"is required when {PHONE_FIELDS} is given")
    if slots is None:
        raise invalid_field(f"filter.{PHONE_FIELDS}", f"is required when {PHONE_NUMBER} is given")
    anyof = Condition(PHONE_NUMBER, "any", tuple(dataclasses.replace(number, field=PHONES[slot][0])
                                                 for slot in slots.value))
    rest = tuple(c for c in q.where if c.field not in (PHONE_NUMBER, PHONE_FIELDS))
    return dataclasses.replace(q, where=(*rest, anyof))
