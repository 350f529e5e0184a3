"""Custom fields: definitions (DataFormTab → DataFormGroup → DataFormField) and their values.

A field is addressed on its table as ``_`` + ``DataFormField.Name``. Values are rows of ``custom_value``,
one per (field, record), in a text, number or date column by the field's data type, so every kind can be
indexed and compared, and a million contacts cost a million small rows, not a million wide ones.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa

from server.domain.account.users import require_admin
from server.domain.errors import DatabaseError, InvalidParameter, RecordNotFound
from server.store import schema
from server.store.prepared import PreparedAll
from server.store.session import AppSession
from server.tables import CUSTOM_FORMS, FieldType

from . import listing
from .values import coerce

# DataFormField.DataType ids and the names addCustomField takes (spec §2.2, yail and a data-services
# engineer's constants). 17 is "MultiSelect" in one source and "UserMultiSelect" in another: accept both.
DATA_TYPES = {
    1: "Phone", 2: "SSN", 3: "Currency", 4: "Percent", 5: "State", 6: "YesNo", 7: "Year", 8: "Month",
    9: "DayOfWeek", 10: "Name", 11: "NumberDecimal", 12: "Number", 13: "Date", 14: "DateTime", 15: "Text",
    16: "TextArea", 17: "MultiSelect", 18: "Website", 19: "Email", 20: "Radio", 21: "Select", 22: "User",
    23: "Drilldown",
}
DATA_TYPE_IDS = {name.lower(): id_ for id_, name in DATA_TYPES.items()}
DATA_TYPE_IDS.update({"usermultiselect": 17, "listbox": 17, "dropdown": 21, "decimal": 11, "wholenumber": 12})
LIST_TYPES = {17, 20, 21, 23}

# Where each data type's value is stored, and its wire type.
_NUMBER_INT = {6, 7, 12, 22}
_NUMBER_DOUBLE = {3, 4, 11}
_DATE = {13, 14}


def wire_type(data_type: int) -> FieldType:
    if data_type in _NUMBER_INT:
        return FieldType.INT
    if data_type in _NUMBER_DOUBLE:
        return FieldType.DOUBLE
    if data_type in _DATE:
        return FieldType.DATETIME
    return FieldType.STRING


def storage_column(data_type: int) -> str:
    if data_type in _NUMBER_INT or data_type in _NUMBER_DOUBLE:
        return "num_value"
    if data_type in _DATE:
        return "date_value"
    return "text_value"


@dataclass(frozen=True)
class CustomField:
    id: int
    form_id: int
    name: str
    label: str
    data_type: int

    @property
    def api_name(self) -> str:
        return "_" + self.name

    @property
    def type(self) -> FieldType:
        return wire_type(self.data_type)

    @property
    def column(self) -> str:
        return storage_column(self.data_type)


_cf = schema.custom_field
_DEFINITIONS = PreparedAll(sa.select(_cf.c.id, _cf.c.form_id, _cf.c.name, _cf.c.label, _cf.c.data_type).where(
    _cf.c.app_id == sa.bindparam("app_id"), _cf.c.form_id == sa.bindparam("form_id")))


def definitions(s: AppSession, form_id: int, names=None) -> dict[str, CustomField]:
    """The form's custom fields by ``Name`` (without the underscore), optionally only ``names``. Read once per
    transaction (the session's memo, which a write of a definition drops): an import of many records with
    custom values reads them once, not once a record."""
    known = s.memo.setdefault(schema.custom_field.name, {})
    fields = known.get(form_id)
    if fields is None:
        fields = known[form_id] = {r.name: CustomField(r.id, r.form_id, r.name, r.label or "", r.data_type)
                                   for r in s.all(_DEFINITIONS, form_id=form_id)}
    if names is None:
        return dict(fields)
    return {name: fields[name] for name in names if name in fields}


def form_id_of(name) -> int | None:
    if isinstance(name, int):
        return name if name < 0 else -name
    text = str(name).strip()
    if text.lstrip("-").isascii() and text.lstrip("-").isdigit():
        number = int(text)
        return number if number < 0 else -number
    return CUSTOM_FORMS.get(text) or CUSTOM_FORMS.get(text.title())


def field_name_for(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", label)


# The tables of custom-field definitions: writing them is an administrator's right.
DEFINITION_TABLES = ("DataFormField", "DataFormGroup", "DataFormTab")


def add_custom_field(s: AppSession, form: str, label: str, data_type: str, header_id: int) -> int:

    require_admin(s, "DataService.addCustomField")
    form_id = form_id_of(form)
    type_id = DATA_TYPE_IDS.get(str(data_type).replace(" ", "").lower())
    if form_id is None or type_id is None or not label.strip():
        raise DatabaseError("Error creating custom field")
    group = s.get(schema.custom_field_group, header_id)
    if group is None:
        raise DatabaseError("Error creating custom field")
    tab = s.get(schema.custom_field_tab, group.tab_id)
    if tab is None or tab.form_id != form_id:
        raise DatabaseError("Error creating custom field")
    base = field_name_for(label) or "Field"
    taken = {r.name for r in s.execute(s.select(schema.custom_field, schema.custom_field.c.name)
                                           .where(schema.custom_field.c.form_id == form_id))}
    name, n = base, 0
    while name in taken:
        name, n = f"{base}{n}", n + 1
    field_id = s.next_id("custom_field")
    s.insert(schema.custom_field, dict(id=field_id, form_id=form_id, group_id=header_id, name=name,
                                       label=label, data_type=type_id, default_value=None, values=None,
                                       list_rows=None))
    s.emit("custom_field.added", "custom_field", field_id, form_id=form_id, name=name, label=label)
    return field_id


def update_custom_field(s: AppSession, field_id: int, values: dict) -> bool:

    require_admin(s, "DataService.updateCustomField")
    row = s.get(schema.custom_field, field_id)
    if row is None:
        raise RecordNotFound(f"Unable to perform update. Record not found for Id:{field_id}")
    changes = {}
    for key, value in values.items():
        if key == "Label":
            changes["label"] = str(value)
        elif key == "GroupId":
            group = s.get(schema.custom_field_group, coerce(value, FieldType.INT, s.clock, "GroupId"))
            if group is None:
                raise DatabaseError("Error updating custom field")
            changes["group_id"] = group.id
        elif key == "Values":
            if row.data_type not in LIST_TYPES:
                raise DatabaseError("Error updating custom field")
            changes["values"] = "\n".join(value) if isinstance(value, list) else str(value)
        elif key == "DefaultValue":
            changes["default_value"] = str(value)
        elif key == "ListRows":
            changes["list_rows"] = coerce(value, FieldType.INT, s.clock, "ListRows")
        elif key == "Name":
            changes["name"] = field_name_for(str(value))
        else:
            raise InvalidParameter(f"Unknown custom field property: {key}")
    if changes:
        s.update(schema.custom_field, schema.custom_field.c.id == field_id, **changes)
        s.emit("custom_field.updated", "custom_field", field_id, **changes)
    return True


def next_order(s: AppSession, table, where) -> int:
    """The display order after the last of the tabs or headers ``where`` selects."""
    return (s.execute(s.select(table, sa.func.max(table.c.sort_order)).where(where)).scalar() or 0) + 1


def add_tab(s: AppSession, form_id: int, name: str) -> int:
    """A tab on the form, shown last."""
    tab = schema.custom_field_tab
    tab_id = s.next_id("custom_field_tab")
    s.insert(tab, dict(id=tab_id, form_id=form_id, tab_name=name,
                       sort_order=next_order(s, tab, tab.c.form_id == form_id)))
    return tab_id


def add_group(s: AppSession, tab_id: int, name: str) -> int:
    """A header on the tab, shown last."""
    grp = schema.custom_field_group
    group_id = s.next_id("custom_field_group")
    s.insert(grp, dict(id=group_id, tab_id=tab_id, name=name, sort_order=next_order(s, grp, grp.c.tab_id == tab_id)))
    return group_id


# --- values ----------------------------------------------------------------------------------------

def write_values(s: AppSession, record_id: int, values: dict[CustomField, object], *, new: bool = False) -> None:
    """Set custom values of one record (None clears a value): the old values of these fields go in one
    delete (none for a ``new`` record, which has none yet), the new ones in one insert."""
    cv = schema.custom_value
    if not new:
        s.delete(cv, cv.c.record_id == record_id, cv.c.field_id.in_([f.id for f in values]))
    rows = []
    for field, value in values.items():
        if value is None or value == "":
            continue
        row = {"field_id": field.id, "record_id": record_id, "text_value": None, "num_value": None,
               "date_value": None}
        row[field.column] = value
        rows.append(row)
    if rows:
        s.insert(cv, rows)


def insert_new_values(s: AppSession, records: list[tuple[int, dict[CustomField, object]]]) -> None:
    """The custom values of many new records (which have none yet) in one insert: ``[(record id, values)]``."""
    rows = []
    for record_id, values in records:
        for field, value in values.items():
            if value is None or value == "":
                continue
            row = {"field_id": field.id, "record_id": record_id, "text_value": None, "num_value": None,
                   "date_value": None}
            row[field.column] = value
            rows.append(row)
    if rows:
        s.insert(schema.custom_value, rows)


def read_values(s: AppSession, record_ids: list[int], fields: list[CustomField]) -> dict[int, dict[str, object]]:
    """``{record_id: {api_name: value}}`` for the given records and fields."""
    if not record_ids or not fields:
        return {}
    cv = schema.custom_value
    by_id = {f.id: f for f in fields}
    out: dict[int, dict[str, object]] = {}
    q = s.select(cv).where(cv.c.field_id.in_(list(by_id)), cv.c.record_id.in_(record_ids))
    for row in s.execute(q):
        field = by_id[row.field_id]
        value = getattr(row, field.column)
        if field.type is FieldType.INT and value is not None:
            value = int(value)
        out.setdefault(row.record_id, {})[field.api_name] = value
    return out


def delete_values(s: AppSession, record_id: int, form_id: int) -> None:
    cv, cf = schema.custom_value, schema.custom_field
    ids = [r.id for r in s.execute(s.select(cf, cf.c.id).where(cf.c.form_id == form_id))]
    if ids:
        s.delete(cv, cv.c.record_id == record_id, cv.c.field_id.in_(ids))


def coerce_value(field: CustomField, value, s: AppSession, table_name: str):
    return coerce(value, field.type, s.clock, f"{table_name}.{field.api_name}")



# --- filtering a list on custom fields ------------------------------------------------------------------

def named_in(where) -> set[str]:
    """The fields a list's conditions name (inside ``any`` conditions too)."""
    names: set[str] = set()
    for c in where:
        names |= named_in(c.value) if c.op in listing.GROUPS else {c.field}
    return names


def of_form(s: AppSession, form_id: int) -> list[CustomField]:
    """The form's custom fields (what a list of its records may be filtered on, by name)."""
    return list(definitions(s, form_id).values())


def filterable(s: AppSession, fields: listing.Fields, form_id: int, entity: sa.Table, where) -> listing.Fields:
    """``fields`` and the form's custom fields the conditions ``where`` name (``_Name``), each the value of the
    ``entity`` row's record as a correlated subquery, text compared without regard to case."""
    wanted = [n[1:] for n in named_in(where) - set(fields.columns) if n.startswith("_")]
    if not wanted:
        return fields
    cv = schema.custom_value
    extra, text = {}, set()
    for f in definitions(s, form_id, wanted).values():
        extra[f.api_name] = (sa.select(cv.c[f.column]).where(cv.c.app_id == entity.c.app_id, cv.c.field_id == f.id,
                                                             cv.c.record_id == entity.c.id).scalar_subquery())
        if f.column == "text_value":
            text.add(f.api_name)
    return listing.Fields({**fields.columns, **extra}, key=fields.key, text=fields.text | text)
