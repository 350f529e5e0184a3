"""Filtering a v2 list on custom fields, by ``field_name`` (case ignored), with the operators each type allows
(the contract's ``filter`` descriptions of listContacts and listAffiliate):

- text-like and single-choice fields: ``==``, a trailing ``*`` matching a prefix;
- Yes/No and drilldown fields: ``==``;
- numbers (whole, decimal, currency, percent, year, user): ``==``, ``>``, ``<``, ``>=``, ``<=``;
- dates: the same with a full ISO 8601 date-time (a bare date is refused; listAffiliate accepts one);
- multi-select fields: ``==`` one of the options the record has;
- month and day of week fields: ``==`` on the name kept (``March``, ``Tuesday``).

A standard filter takes precedence over a custom field of the same name. The custom fields are read only when
the filter names a field the list does not otherwise know, so a plain list costs nothing more.
"""
from __future__ import annotations

import dataclasses
import re

from server.domain.data import custom_fields
from server.domain.data.custom_fields import CustomField
from server.domain.data.listing import Condition

from .errors import invalid_field
from .filters import OPERATORS, Kind, Number, Text, Time
from .paging import Listing


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


class _Moment(Time):
    ops = tuple(OPERATORS)

    def __init__(self, field: str, *, full: bool):
        super().__init__(field)
        self.full = full

    def parse(self, name, target, clause, clock):
        if self.full and "T" not in clause.value.upper():
            raise invalid_field(f"filter.{name}", f"'{clause.value}' is not a full ISO 8601 date-time "
                                                  "(e.g. 2026-01-01T00:00:00.000Z)")
        return [Condition(target, OPERATORS[clause.op], self.moment(name, clause.value, clock))]


class _Option(Kind):
    def parse(self, name, target, clause, clock):
        return [Condition(target, "item", clause.value)]


def kind_of(field: CustomField, *, full_times: bool) -> Kind:
    """The filter kind of a custom field; its conditions name the field's DataService name (``_Name``)."""
    target = field.api_name
    if field.data_type == 6:
        return _YesNo(target)
    if field.data_type == 23:
        return _ExactText(target)
    if field.data_type == 17:
        return _Option(target)
    if field.data_type in (13, 14):
        return _Moment(target, full=full_times)
    if field.data_type in (3, 4, 7, 11, 12, 22):
        return Number(target)
    return _EqualText(target)


class Kinds(dict):
    """A list's filter fields: the standard ones by their exact name, then custom fields by name, case ignored."""

    def __init__(self, standard: dict[str, Kind], custom: dict[str, Kind]):
        super().__init__({**custom, **standard})
        self.custom = {name.lower(): kind for name, kind in custom.items()}

    def get(self, key, default=None):
        found = super().get(key)
        if found is not None:
            return found
        folded = key.lower()  # a field_name, or the DataService name (``_Name``) the examples of some lists use
        return self.custom.get(folded) or self.custom.get(folded[1:] if folded.startswith("_") else folded, default)


_FIELD = re.compile(r"(?:^|[;,])\s*([A-Za-z_][\w.]*)\s*(?:==|!=|>=|<=|>|<)")


def with_custom_fields(r, base: Listing, form_id: int, *, extra: dict[str, Kind] | None = None,
                       full_times: bool = True) -> Listing:
    """``base`` (and ``extra`` filters) with the custom fields of the form ``form_id``, when the request's
    filter names a field the others do not know."""
    text = r.query.get("filter")
    if not text:
        return base
    standard = {**base.filters, **(extra or {})}
    custom = {}
    if any(name not in standard for name in _FIELD.findall(text)):
        custom = {f.name: kind_of(f, full_times=full_times) for f in custom_fields.of_form(r.s, form_id)}
    return dataclasses.replace(base, filters=Kinds(standard, custom))
