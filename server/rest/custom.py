"""Custom fields on REST v1: the ``custom_fields: [{id, content}]`` property of a record, the
``GET /<resource>/model`` answer and ``POST /<resource>/model/customFields``, over the domain's typed reads and
writes (server.domain.data.custom_forms and custom_contents: the same DataFormField rows XML-RPC's
``addCustomField`` makes and REST v2's models show)."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from server.domain.data import custom_contents, custom_fields, custom_forms
from server.domain.errors import DatabaseError
from server.domain.session import AppSession

from .api import Body, Int, Shape
from .errors import bad_request
from .wire import out_date, out_datetime

RestFieldType = Literal[
    "Currency", "Date", "DateTime", "DayOfWeek", "Drilldown", "Email", "Month", "ListBox", "Name",
    "WholeNumber", "DecimalNumber", "Percent", "PhoneNumber", "Radio", "Dropdown", "SocialSecurityNumber",
    "State", "Text", "TextArea", "User", "UserListBox", "Website", "Year", "YesNo"]


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


def field_json(f: custom_forms.Field) -> dict:
    return {"id": f.id, "label": f.label, "options": [{"id": v, "label": v} for v in f.options],
            "record_type": custom_forms.RECORD_TYPES.get(f.form_id), "field_type": f.rest_type,
            "field_name": f.name, "default_value": f.default_value}


def meta(s: AppSession, form_id: int, field_id: int | None = None) -> list[dict]:
    return [field_json(f) for f in custom_forms.fields(s, form_id, field_id)]


def model(s: AppSession, form_id: int, optional: list[str]) -> dict:
    return {"custom_fields": meta(s, form_id), "optional_properties": optional}


def create(s: AppSession, form_id: int, body: CreateCustomField) -> dict:
    """Add a custom field under ``group_id`` (a DataFormGroup of the form) or the form's first header."""
    if body.options and not custom_forms.is_list_type(body.field_type):
        raise bad_request(f"A {body.field_type} field has no options")
    try:
        field_id = custom_forms.add_field(s, form_id, body.label, body.field_type, body.group_id,
                                          [o.label for o in body.options or ()])
    except DatabaseError:  # the header does not exist on this form
        raise bad_request(f"Invalid group_id: {body.group_id}") from None
    return meta(s, form_id, field_id)[0]


def read(s: AppSession, form_id: int, record_ids: list[int]) -> dict[int, list[dict]]:
    """``{record_id: [{id, content}, ...]}``, every field of the form, unset ones with ``null``."""
    out = {}
    for record_id, items in custom_contents.contents(s, form_id, record_ids).items():
        out[record_id] = [{"id": c.field.id, "content": _content(c, s)} for c in items]
    return out


def _content(c: custom_contents.Content, s: AppSession):
    if c.value is not None and c.field.data_type == 13:
        return out_date(c.value)
    if c.value is not None and c.field.data_type == 14:
        return out_datetime(c.value, s.clock)
    return c.value


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
