"""Custom fields on REST: the ``custom_fields: [{id, content}]`` property of a record, the
``GET /<resource>/model`` answer and ``POST /<resource>/model/customFields``, over server.domain.data.custom_fields
(the same DataFormField rows XML-RPC's ``addCustomField`` makes)."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from server.domain.data import custom_fields
from server.domain.data.custom_fields import CustomField
from server.domain.errors import DatabaseError
from server.domain.session import AppSession
from server.store import schema
from server.tables import (
    FORM_AFFILIATE,
    FORM_COMPANY,
    FORM_CONTACT,
    FORM_CONTACT_ACTION,
    FORM_OPPORTUNITY,
    FORM_ORDER,
    FORM_SUBSCRIPTION,
)

from .api import Body, Int, Shape
from .errors import bad_request
from .wire import out_date, out_datetime

# DataFormField.DataType -> the REST field_type [doc S1 §3.2]
FIELD_TYPES = {
    1: "PhoneNumber", 2: "SocialSecurityNumber", 3: "Currency", 4: "Percent", 5: "State", 6: "YesNo",
    7: "Year", 8: "Month", 9: "DayOfWeek", 10: "Name", 11: "DecimalNumber", 12: "WholeNumber", 13: "Date",
    14: "DateTime", 15: "Text", 16: "TextArea", 17: "ListBox", 18: "Website", 19: "Email", 20: "Radio",
    21: "Dropdown", 22: "User", 23: "Drilldown",
}
_DATA_TYPE_NAMES = {
    "PhoneNumber": "Phone", "SocialSecurityNumber": "SSN", "DecimalNumber": "NumberDecimal",
    "WholeNumber": "Number", "ListBox": "MultiSelect", "Dropdown": "Select", "UserListBox": "UserMultiSelect",
}
RestFieldType = Literal[
    "Currency", "Date", "DateTime", "DayOfWeek", "Drilldown", "Email", "Month", "ListBox", "Name",
    "WholeNumber", "DecimalNumber", "Percent", "PhoneNumber", "Radio", "Dropdown", "SocialSecurityNumber",
    "State", "Text", "TextArea", "User", "UserListBox", "Website", "Year", "YesNo"]

RECORD_TYPES = {FORM_CONTACT: "CONTACT", FORM_AFFILIATE: "REFERRAL_PARTNER", FORM_OPPORTUNITY: "OPPORTUNITY",
                FORM_CONTACT_ACTION: "TASK_NOTE_APPOINTMENT", FORM_COMPANY: "COMPANY", FORM_ORDER: "ORDER",
                FORM_SUBSCRIPTION: "SUBSCRIPTION"}
FORM_NAMES = {FORM_CONTACT: "Contact", FORM_AFFILIATE: "Affiliate", FORM_OPPORTUNITY: "Opportunity",
              FORM_CONTACT_ACTION: "ContactAction", FORM_COMPANY: "Company", FORM_ORDER: "Order",
              FORM_SUBSCRIPTION: "Subscription"}


class CustomFieldValue(Body):
    id: Int
    content: Any = None


class CustomFieldOption(Body):
    label: str
    options: list[CustomFieldOption] | None = None


class CreateCustomField(Body):
    label: str = Field(min_length=1)
    field_type: RestFieldType
    options: list[CustomFieldOption] | None = None
    group_id: Int | None = None
    user_group_id: Int | None = None


class CustomFieldMeta(Shape):
    id: int
    label: str | None = None
    options: list[dict] = []
    record_type: str | None = None
    field_type: str | None = None
    field_name: str | None = None
    default_value: str | None = None


class ObjectModel(Shape):
    custom_fields: list[CustomFieldMeta]
    optional_properties: list[str]


def definitions(s: AppSession, form_id: int) -> list[CustomField]:
    return sorted(custom_fields.definitions(s, form_id).values(), key=lambda f: f.id)


def meta(s: AppSession, form_id: int, field_id: int | None = None) -> list[dict]:
    cf = schema.custom_field
    q = s.select(cf).where(cf.c.form_id == form_id).order_by(cf.c.id)
    if field_id is not None:
        q = q.where(cf.c.id == field_id)
    out = []
    for row in s.execute(q):
        labels = [v for v in (row.values or "").split("\n") if v.strip()]
        out.append({"id": row.id, "label": row.label, "options": [{"id": v, "label": v} for v in labels],
                    "record_type": RECORD_TYPES.get(form_id), "field_type": FIELD_TYPES.get(row.data_type, "Text"),
                    "field_name": row.name, "default_value": row.default_value})
    return out


def model(s: AppSession, form_id: int, optional: list[str]) -> dict:
    return {"custom_fields": meta(s, form_id), "optional_properties": optional}


def create(s: AppSession, form_id: int, body: CreateCustomField) -> dict:
    """Add a custom field under ``group_id`` (a DataFormGroup of the form) or the form's first header."""
    group_id = body.group_id
    if group_id is None:
        tab, grp = schema.custom_field_tab, schema.custom_field_group
        row = s.execute(s.select(grp, grp.c.id).join(tab, s.scoped(tab, tab.c.id == grp.c.tab_id))
                        .where(tab.c.form_id == form_id).order_by(grp.c.id).limit(1)).first()
        if row is None:
            group_id = custom_fields.add_group(s, custom_fields.add_tab(s, form_id, "Custom Fields"), "Custom Fields")
        else:
            group_id = row.id
    data_type = _DATA_TYPE_NAMES.get(body.field_type, body.field_type)
    try:
        field_id = custom_fields.add_custom_field(s, FORM_NAMES[form_id], body.label, data_type, group_id)
    except DatabaseError:  # the header does not exist on this form
        raise bad_request(f"Invalid group_id: {group_id}") from None
    if body.options:
        custom_fields.update_custom_field(s, field_id, {"Values": [o.label for o in body.options]})
    return meta(s, form_id, field_id)[0]


def read(s: AppSession, form_id: int, record_ids: list[int]) -> dict[int, list[dict]]:
    """``{record_id: [{id, content}, ...]}``, every field of the form, unset ones with ``null``."""
    fields = definitions(s, form_id)
    values = custom_fields.read_values(s, record_ids, fields)
    clock = s.clock
    out = {}
    for record_id in record_ids:
        mine = values.get(record_id, {})
        items = []
        for f in fields:
            content = mine.get(f.api_name)
            if content is not None and f.data_type == 13:
                content = out_date(content)
            elif content is not None and f.data_type == 14:
                content = out_datetime(content, clock)
            items.append({"id": f.id, "content": content})
        out[record_id] = items
    return out


def to_fields(s: AppSession, form_id: int, values: list[CustomFieldValue]) -> dict:
    """``{_Name: content}`` for a write; an unknown id is a 400."""
    by_id = {f.id: f for f in custom_fields.definitions(s, form_id).values()}
    out = {}
    for item in values:
        field = by_id.get(item.id)
        if field is None:
            raise bad_request(f"Invalid custom field id: {item.id}")
        content = item.content
        if isinstance(content, (dict, list)):
            raise bad_request(f"Invalid content for custom field {item.id}")
        out[field.api_name] = content
    return out
