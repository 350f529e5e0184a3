"""listContacts' filters beyond the fixed ones of ``contacts.CONTACTS``: a phone number searched in the phone
fields ``phone_fields`` names, and the app's contact custom fields by ``field_name`` (case ignored), each with
the operators its type allows (the contract's description of the ``filter`` parameter):

- text-like and single-choice fields: ``==``, a trailing ``*`` matching a prefix;
- Yes/No and drilldown fields: ``==``;
- numbers (whole, decimal, currency, percent, year, user): ``==``, ``>``, ``<``, ``>=``, ``<=``;
- dates: the same, with a full ISO 8601 date-time (``2026-01-01T00:00:00.000Z``; a bare date is refused);
- multi-select fields: ``==`` one of the options the contact has.

A standard filter takes precedence over a custom field of the same name.
"""
from __future__ import annotations

import dataclasses
import re

from server.domain.crm import contacts as domain
from server.domain.crm.slots import PHONES
from server.domain.data.listing import Condition, ListQuery

from .errors import invalid_field
from .filters import OPERATORS, Kind, Number, Text, Time
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


STANDARD = {PHONE_NUMBER: _PhoneNumber(PHONE_NUMBER), PHONE_FIELDS: _PhoneFields(PHONE_FIELDS),
            "lead_source_name": Text(domain.LEAD_SOURCE_NAME)}


class _EqualText(Text):
    ops = ("==",)


class _ExactText(Text):
    ops = ("==",)

    def parse(self, name, target, clause, clock):
        return [Condition(target, "eq", clause.value)]


class _YesNo(Kind):
    def parse(self, name, target, clause, clock):
        value = {"true": 1, "yes": 1, "1": 1, "false": 0, "no": 0, "0": 0}.get(clause.value.strip().lower())
        if value is None:
            raise invalid_field(f"filter.{name}", f"'{clause.value}' is not a Yes/No value (true or false)")
        return [Condition(target, "eq", value)]


class _DateTime(Time):
    def parse(self, name, target, clause, clock):
        if "T" not in clause.value.upper():
            raise invalid_field(f"filter.{name}", f"'{clause.value}' is not a full ISO 8601 date-time "
                                                  "(e.g. 2026-01-01T00:00:00.000Z)")
        return [Condition(target, OPERATORS[clause.op], self.moment(name, clause.value, clock))]


class _Option(Kind):
    def parse(self, name, target, clause, clock):
        return [Condition(target, "item", clause.value)]


def _kind(data_type: int, target: str) -> Kind:
    if data_type == 6:
        return _YesNo(target)
    if data_type == 23:
        return _ExactText(target)
    if data_type == 17:
        return _Option(target)
    if data_type in (13, 14):
        return _DateTime(target)
    if data_type in (3, 4, 7, 11, 12, 22):
        return Number(target)
    return _EqualText(target)  # text-like, single choices, month and day of week (kept as their names)


class _Kinds(dict):
    """The filter's fields: the standard ones by their exact name, then custom fields by name, case ignored."""

    def __init__(self, standard: dict[str, Kind], custom: dict[str, Kind]):
        super().__init__({**custom, **standard})
        self.custom = {name.lower(): kind for name, kind in custom.items()}

    def get(self, key, default=None):
        found = super().get(key)
        return found if found is not None else self.custom.get(key.lower(), default)


def listing_for(r, base: Listing) -> Listing:
    """``base`` with the phone and lead source filters, and the app's custom fields when the filter names a
    field ``base`` does not know (so a plain list reads no custom field definitions)."""
    text = r.query.get("filter")
    if not text:
        return base
    standard = {**base.filters, **STANDARD}
    custom = {}
    if any(name not in standard for name in _named(text)):
        custom = {f.name: _kind(f.data_type, f.api_name) for f in domain.contact_custom_fields(r.s)}
    return dataclasses.replace(base, filters=_Kinds(standard, custom))


_FIELD = re.compile(r"(?:^|[;,])\s*([A-Za-z_][\w.]*)\s*(?:==|!=|>=|<=|>|<)")


def _named(text: str) -> list[str]:
    return _FIELD.findall(text)


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
