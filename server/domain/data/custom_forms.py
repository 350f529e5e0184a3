"""The custom-field form of a record type as the REST APIs show it: its tabs, the headers (groups) on each tab,
and the fields under each header with their REST type names and options.

The rows are XML-RPC's DataFormTab, DataFormGroup and DataFormField (server.domain.data.custom_fields adds
fields and keeps their values): a field made here is the row ``DataService.addCustomField`` makes and
``DataService.query("DataFormField", …)`` reads, and the reverse. Writing the form is an administrator's right,
as it is for ``addCustomField``. Tabs and headers keep a display ``order`` (REST v2's; no DataService field
shows it): a new one goes last; one added through ``DataService.add`` has none and is listed after those
that have one. A tab with headers, or a header with fields, is not deleted (``FormInUse``): the product's
editor empties them first, and the sandbox does not guess a cascade.
"""
from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa

from server.domain.account.users import require_admin
from server.domain.errors import DatabaseError
from server.store import schema
from server.store.session import AppSession
from server.tables import (
    FORM_AFFILIATE,
    FORM_COMPANY,
    FORM_CONTACT,
    FORM_CONTACT_ACTION,
    FORM_OPPORTUNITY,
    FORM_ORDER,
    FORM_SUBSCRIPTION,
)

from . import custom_fields

# DataFormField.DataType -> REST's field_type [doc S1 §3.2]; REST v2 writes the same names in upper snake case
REST_TYPES = {
    1: "PhoneNumber", 2: "SocialSecurityNumber", 3: "Currency", 4: "Percent", 5: "State", 6: "YesNo",
    7: "Year", 8: "Month", 9: "DayOfWeek", 10: "Name", 11: "DecimalNumber", 12: "WholeNumber", 13: "Date",
    14: "DateTime", 15: "Text", 16: "TextArea", 17: "ListBox", 18: "Website", 19: "Email", 20: "Radio",
    21: "Dropdown", 22: "User", 23: "Drilldown",
}
# DataFormField.FormId -> the REST record_type of its fields, tabs and groups [doc S1 §3.2]
RECORD_TYPES = {FORM_CONTACT: "CONTACT", FORM_AFFILIATE: "REFERRAL_PARTNER", FORM_OPPORTUNITY: "OPPORTUNITY",
                FORM_CONTACT_ACTION: "TASK_NOTE_APPOINTMENT", FORM_COMPANY: "COMPANY", FORM_ORDER: "ORDER",
                FORM_SUBSCRIPTION: "SUBSCRIPTION"}
# UserListBox has no DataType of its own: it is stored as the list box it is (17) and read back as ListBox
REST_TYPE_IDS = {**{name: id_ for id_, name in REST_TYPES.items()}, "UserListBox": 17}


def is_list_type(rest_type: str) -> bool:
    """Whether fields of this REST type have options (Dropdown, Radio, ListBox, Drilldown)."""
    return REST_TYPE_IDS[rest_type] in custom_fields.LIST_TYPES


class FormInUse(DatabaseError):
    """A tab that still has headers, or a header that still has fields."""


class Tab(NamedTuple):
    id: int
    form_id: int
    name: str
    order: int | None


class Group(NamedTuple):
    id: int
    tab_id: int
    form_id: int
    name: str
    order: int | None


class Field(NamedTuple):
    id: int
    form_id: int
    group_id: int | None
    group_name: str | None
    name: str  # DataFormField.Name: the field is ``_`` + this on its table
    label: str
    data_type: int
    default_value: str | None
    options: tuple[str, ...]  # the values of a list field (DataFormField.Values, one a line)

    @property
    def rest_type(self) -> str:
        return REST_TYPES.get(self.data_type, "Text")

    @property
    def is_list(self) -> bool:
        return self.data_type in custom_fields.LIST_TYPES


_tab, _grp, _cf = schema.custom_field_tab, schema.custom_field_group, schema.custom_field


def _ordered(table: sa.Table) -> tuple:
    return table.c.sort_order.is_(None), table.c.sort_order, table.c.id


def _options(text: str | None) -> tuple[str, ...]:
    return tuple(v for v in (text or "").split("\n") if v.strip())


# --- reads --------------------------------------------------------------------------------------------

def tabs(s: AppSession, form_id: int, tab_id: int | None = None) -> list[Tab]:
    q = s.select(_tab).where(_tab.c.form_id == form_id).order_by(*_ordered(_tab))
    if tab_id is not None:
        q = q.where(_tab.c.id == tab_id)
    return [Tab(r.id, r.form_id, r.tab_name or "", r.sort_order) for r in s.execute(q)]


def tab(s: AppSession, form_id: int, tab_id: int) -> Tab | None:
    found = tabs(s, form_id, tab_id)
    return found[0] if found else None


def groups(s: AppSession, form_id: int, *, tab_id: int | None = None, group_id: int | None = None) -> list[Group]:
    """The form's headers in display order (their tab's, then their own), optionally of one tab or one id."""
    q = (s.select(_grp, _grp.c.id, _grp.c.tab_id, _grp.c.name, _grp.c.sort_order, _tab.c.form_id)
         .join(_tab, s.scoped(_tab, _tab.c.id == _grp.c.tab_id))
         .where(_tab.c.form_id == form_id).order_by(*_ordered(_tab), *_ordered(_grp)))
    if tab_id is not None:
        q = q.where(_grp.c.tab_id == tab_id)
    if group_id is not None:
        q = q.where(_grp.c.id == group_id)
    return [Group(r.id, r.tab_id, r.form_id, r.name or "", r.sort_order) for r in s.execute(q)]


def group(s: AppSession, form_id: int, group_id: int) -> Group | None:
    found = groups(s, form_id, group_id=group_id)
    return found[0] if found else None


def fields(s: AppSession, form_id: int, field_id: int | None = None) -> list[Field]:
    """The form's custom fields by id, with their header's name."""
    q = (s.select(_cf, _cf.c.id, _cf.c.form_id, _cf.c.group_id, _cf.c.name, _cf.c.label, _cf.c.data_type,
                  _cf.c.default_value, _cf.c["values"], _grp.c.name.label("group_name"))
         .outerjoin(_grp, s.scoped(_grp, _grp.c.id == _cf.c.group_id))
         .where(_cf.c.form_id == form_id).order_by(_cf.c.id))
    if field_id is not None:
        q = q.where(_cf.c.id == field_id)
    return [Field(r.id, r.form_id, r.group_id, r.group_name, r.name or "", r.label or "", r.data_type,
                  r.default_value, _options(r.values)) for r in s.execute(q)]


def field(s: AppSession, form_id: int, field_id: int) -> Field | None:
    found = fields(s, form_id, field_id)
    return found[0] if found else None


# --- writes -------------------------------------------------------------------------------------------

def add_tab(s: AppSession, form_id: int, name: str) -> int:
    require_admin(s, "adding a custom-field tab")
    tab_id = custom_fields.add_tab(s, form_id, name)
    s.emit("custom_field_tab.added", "custom_field_tab", tab_id, form_id=form_id, name=name)
    return tab_id


def update_tab(s: AppSession, tab_id: int, changes: dict) -> None:
    """``changes``: ``name`` and/or ``order``."""
    require_admin(s, "changing a custom-field tab")
    values = {"tab_name": changes["name"]} if "name" in changes else {}
    if "order" in changes:
        values["sort_order"] = changes["order"]
    if values:
        s.update(_tab, _tab.c.id == tab_id, **values)
        s.emit("custom_field_tab.updated", "custom_field_tab", tab_id, **changes)


def delete_tab(s: AppSession, tab_id: int) -> None:
    require_admin(s, "deleting a custom-field tab")
    if s.execute(s.select(_grp, _grp.c.id).where(_grp.c.tab_id == tab_id).limit(1)).first() is not None:
        raise FormInUse(f"Custom field tab {tab_id} still has groups")
    s.delete(_tab, _tab.c.id == tab_id)
    s.emit("custom_field_tab.deleted", "custom_field_tab", tab_id)


def add_group(s: AppSession, tab_id: int, name: str) -> int:
    require_admin(s, "adding a custom-field group")
    group_id = custom_fields.add_group(s, tab_id, name)
    s.emit("custom_field_group.added", "custom_field_group", group_id, tab_id=tab_id, name=name)
    return group_id


def update_group(s: AppSession, group_id: int, changes: dict) -> None:
    """``changes``: ``name``, ``tab_id`` and/or ``order`` (a header moved to another tab goes last there
    unless ``order`` says otherwise; one "moved" to its own tab stays where it is)."""
    require_admin(s, "changing a custom-field group")
    values = {"name": changes["name"]} if "name" in changes else {}
    if "tab_id" in changes and s.get(_grp, group_id).tab_id != changes["tab_id"]:
        values["tab_id"] = changes["tab_id"]
        values["sort_order"] = custom_fields.next_order(s, _grp, _grp.c.tab_id == changes["tab_id"])
    if "order" in changes:
        values["sort_order"] = changes["order"]
    if values:
        s.update(_grp, _grp.c.id == group_id, **values)
        s.emit("custom_field_group.updated", "custom_field_group", group_id, **changes)


def delete_group(s: AppSession, group_id: int) -> None:
    require_admin(s, "deleting a custom-field group")
    if s.execute(s.select(_cf, _cf.c.id).where(_cf.c.group_id == group_id).limit(1)).first() is not None:
        raise FormInUse(f"Custom field group {group_id} still has fields")
    s.delete(_grp, _grp.c.id == group_id)
    s.emit("custom_field_group.deleted", "custom_field_group", group_id)


def first_group(s: AppSession, form_id: int) -> int:
    """The header a new field goes under when none is named: the form's first, or a "Custom Fields" tab and
    header made for it (every seeded form has one, as a new app has)."""
    found = groups(s, form_id)
    if found:
        return found[0].id
    return custom_fields.add_group(s, custom_fields.add_tab(s, form_id, "Custom Fields"), "Custom Fields")


def add_field(s: AppSession, form_id: int, label: str, rest_type: str, group_id: int | None,
              options: list[str] = ()) -> int:
    """A field of REST type ``rest_type`` (``Text``, ``ListBox`` …) under ``group_id`` (a header of the form;
    None: its first), through addCustomField; ``options`` are a list field's values."""
    field_id = custom_fields.add_custom_field(s, form_id, label, custom_fields.DATA_TYPES[REST_TYPE_IDS[rest_type]],
                                              first_group(s, form_id) if group_id is None else group_id)
    if options:
        custom_fields.update_custom_field(s, field_id, {"Values": list(options)})
    return field_id


def update_field(s: AppSession, field_id: int, changes: dict) -> None:
    """``changes``: ``label``, ``group_id`` and/or ``options`` (the values of a list field)."""
    values = {"Label": changes["label"]} if "label" in changes else {}
    if "group_id" in changes:
        values["GroupId"] = changes["group_id"]
    if "options" in changes:
        values["Values"] = list(changes["options"])
    if values:
        custom_fields.update_custom_field(s, field_id, values)


def delete_field(s: AppSession, field_id: int) -> None:
    """Delete a field and every record's value of it."""
    require_admin(s, "deleting a custom field")
    s.delete(schema.custom_value, schema.custom_value.c.field_id == field_id)
    s.delete(_cf, _cf.c.id == field_id)
    s.emit("custom_field.deleted", "custom_field", field_id)
