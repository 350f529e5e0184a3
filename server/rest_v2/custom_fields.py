"""REST v2: the custom-field models of every record type (``GET /<records>/model``) and their custom fields,
tabs and groups (``/<records>/model/customFields…``): 111 operations built from one table, ``RECORD_TYPES``;
and the model of a report (``retrieveReportModel``: the columns a saved search's report can show).

Each record type's operations have the same shape and differ only in their ids and the custom-field form
they work on (DataFormField.FormId: notes and tasks share the TASK_NOTE_APPOINTMENT form, so a field made
through either model is on both). The form is read and written through server.domain.data.custom_forms:
the rows XML-RPC's ``DataService.addCustomField`` makes and ``DataService.query`` reads on DataFormField,
DataFormGroup and DataFormTab, and REST v1's ``/contacts/model`` lists.

v2 wire rules of this family: ``field_type`` is REST v1's type name in upper snake case (``DATE_TIME``,
``LIST_BOX``); an option's id is its label (options are stored as the field's list of values); a field, tab
or group of another record type's form is a 404; a label or name is required (400); a tab that still has
groups, or a group that still has fields, is not deleted (409 ``FAILED_PRECONDITION``); a field without a
``group_id`` goes under the form's first group. ``createTaskCustomField`` answers ``{"custom_field": …}``
(its contract's ``CreateCustomFieldResponse``), every other create the field itself.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from server.domain.account.users import user_info
from server.domain.data import custom_forms, searches
from server.domain.session import AppSession
from server.tables import (
    FORM_AFFILIATE,
    FORM_COMPANY,
    FORM_CONTACT,
    FORM_CONTACT_ACTION,
    FORM_OPPORTUNITY,
    FORM_ORDER,
    FORM_SUBSCRIPTION,
)

from .api import Request, operation
from .errors import conflict, existing, invalid_field
from .wire import in_id, out_id

OPTIONAL_PROPERTIES = ["custom_fields"]  # the captured model answer's (rest-oauth-throttle.md §3.2)


@dataclass(frozen=True)
class RecordType:
    """One record type's custom-field operations: ``noun`` names its tab and group operations
    (``list<noun>CustomFieldTabs`` …); the others' ids are irregular in the contract, so they are listed."""

    noun: str
    form_id: int
    model: str
    create_field: str
    update_field: str | None  # the contract has no updateContactCustomField
    delete_field: str
    wraps_created: bool = False  # the create answers {"custom_field": …}


RECORD_TYPES = (
    RecordType("Contact", FORM_CONTACT, "retrieveContactModel", "createContactCustomField", None,
               "deleteContactCustomField"),
    RecordType("Company", FORM_COMPANY, "retrieveCompanyCustomFieldModel", "createCompanyCustomField",
               "updateCompanyCustomField", "deleteCompanyCustomField"),
    RecordType("Note", FORM_CONTACT_ACTION, "retrieveNoteModel", "createNoteCustomField", "updateNotesCustomField",
               "deleteNotesCustomField"),
    RecordType("Task", FORM_CONTACT_ACTION, "retrieveTaskModel", "createTaskCustomField", "updateTaskCustomField",
               "deleteTaskCustomField", wraps_created=True),
    RecordType("Opportunity", FORM_OPPORTUNITY, "retrieveOpportunityCustomFieldModel",
               "createOpportunityCustomFields", "updateOpportunityCustomField", "deleteOpportunitiesCustomField"),
    RecordType("Order", FORM_ORDER, "retrieveOrderCustomFieldModel", "createOrderCustomField",
               "updateOrderCustomField", "deleteOrderCustomField"),
    RecordType("Subscription", FORM_SUBSCRIPTION, "retrieveSubscriptionCustomFieldModel",
               "createSubscriptionCustomField", "updateSubscriptionCustomField", "deleteSubscriptionCustomField"),
    RecordType("Affiliate", FORM_AFFILIATE, "getAffiliateCustomFields", "createAffiliateCustomField",
               "updateAffiliateCustomField", "deleteAffiliateCustomField"),
)


def wire_type(rest_type: str) -> str:
    """REST v1's field type name as v2 writes it: ``DateTime`` -> ``DATE_TIME``."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", "_", rest_type).upper()


_REST_TYPES = {wire_type(name): name for name in custom_forms.REST_TYPE_IDS}


# --- answers ------------------------------------------------------------------------------------------

def field_json(f: custom_forms.Field) -> dict:
    return {"id": out_id(f.id), "label": f.label, "options": [{"id": o, "label": o} for o in f.options],
            "record_type": custom_forms.RECORD_TYPES[f.form_id], "field_type": wire_type(f.rest_type),
            "default_value": f.default_value, "group_id": out_id(f.group_id), "group_name": f.group_name,
            "field_name": f.name}


def tab_json(t: custom_forms.Tab) -> dict:
    return {"id": out_id(t.id), "name": t.name, "order": t.order, "record_type": custom_forms.RECORD_TYPES[t.form_id]}


def group_json(g: custom_forms.Group) -> dict:
    return {"id": out_id(g.id), "name": g.name, "order": g.order, "tab_id": out_id(g.tab_id),
            "record_type": custom_forms.RECORD_TYPES[g.form_id]}


def _field(s: AppSession, form_id: int, field_id: int) -> custom_forms.Field:
    return existing(custom_forms.field(s, form_id, field_id), "Custom Field", field_id)


def _tab(s: AppSession, form_id: int, tab_id: int) -> custom_forms.Tab:
    return existing(custom_forms.tab(s, form_id, tab_id), "Custom Field Tab", tab_id)


def _group(s: AppSession, form_id: int, group_id: int) -> custom_forms.Group:
    return existing(custom_forms.group(s, form_id, group_id), "Custom Field Group", group_id)


# --- the request's values -----------------------------------------------------------------------------

def _text(body: dict, name: str) -> str:
    value = (body.get(name) or "").strip()
    if not value:
        raise invalid_field(name, f"a {name} is required")
    return value


def _tab_ref(r: Request, form_id: int) -> int:
    """The ``tab_id`` of the body: a tab of the form (a 400 naming it otherwise)."""
    if r.body.get("tab_id") is None:
        raise invalid_field("tab_id", "a tab_id is required")
    tab_id = in_id(r.body["tab_id"], "tab_id")
    if custom_forms.tab(r.s, form_id, tab_id) is None:
        raise invalid_field("tab_id", f"no custom field tab {r.body['tab_id']} on this record type")
    return tab_id


def _group_ref(r: Request, form_id: int) -> int | None:
    value = r.body.get("group_id")
    if value is None:
        return None
    group_id = in_id(value, "group_id")
    if custom_forms.group(r.s, form_id, group_id) is None:
        raise invalid_field("group_id", f"no custom field group {value} on this record type")
    return group_id


def _options(r: Request, is_list: bool) -> list[str]:
    given = r.body.get("options") or []
    labels = [(o.get("label") or "").strip() for o in given]
    if given and not is_list:
        raise invalid_field("options", "only Dropdown, Radio, ListBox and Drilldown fields have options")
    for i, label in enumerate(labels):
        if not label:
            raise invalid_field(f"options.{i}.label", "an option needs a label")
    return labels


def _in_use(exc: custom_forms.FormInUse):
    return conflict(exc.message, status="FAILED_PRECONDITION")


# --- the operations of one record type ----------------------------------------------------------------

def _field_operations(t: RecordType) -> list[Callable]:
    form = t.form_id

    @operation(t.model)
    def model(r: Request) -> dict:
        return {"custom_fields": [field_json(f) for f in custom_forms.fields(r.s, form)],
                "optional_properties": OPTIONAL_PROPERTIES}

    @operation(t.create_field)
    def create_field(r: Request) -> dict:
        label = _text(r.body, "label")
        rest_type = _REST_TYPES[r.body["field_type"]]
        options = _options(r, custom_forms.is_list_type(rest_type))
        if r.body.get("user_group_id") is not None:
            in_id(r.body["user_group_id"], "user_group_id")
        field_id = custom_forms.add_field(r.s, form, label, rest_type, _group_ref(r, form), options)
        made = field_json(_field(r.s, form, field_id))
        return {"custom_field": made} if t.wraps_created else made

    @operation(t.delete_field)
    def delete_field(r: Request, custom_field_id: int) -> None:
        _field(r.s, form, custom_field_id)
        custom_forms.delete_field(r.s, custom_field_id)

    ops = [model, create_field, delete_field]
    if t.update_field is not None:
        @operation(t.update_field)
        def update_field(r: Request, custom_field_id: int) -> dict:
            current = _field(r.s, form, custom_field_id)
            changed = r.changed(("label", "group_id", "options"))
            changes: dict = {}
            if "label" in changed:
                changes["label"] = _text(r.body, "label")
            if "group_id" in changed:
                group_id = _group_ref(r, form)
                if group_id is None:
                    raise invalid_field("group_id", "a group_id is required")
                changes["group_id"] = group_id
            if "options" in changed:
                changes["options"] = _options(r, current.is_list)
            custom_forms.update_field(r.s, custom_field_id, changes)
            return field_json(_field(r.s, form, custom_field_id))

        ops.append(update_field)
    return ops


def _tab_operations(t: RecordType) -> list[Callable]:
    form, noun = t.form_id, t.noun

    @operation(f"list{noun}CustomFieldTabs")
    def list_tabs(r: Request) -> dict:
        return {"tabs": [tab_json(x) for x in custom_forms.tabs(r.s, form)]}

    @operation(f"create{noun}CustomFieldTab")
    def create_tab(r: Request) -> dict:
        return tab_json(_tab(r.s, form, custom_forms.add_tab(r.s, form, _text(r.body, "name"))))

    @operation(f"get{noun}CustomFieldTab")
    def get_tab(r: Request, tab_id: int) -> dict:
        return tab_json(_tab(r.s, form, tab_id))

    @operation(f"update{noun}CustomFieldTab")
    def update_tab(r: Request, tab_id: int) -> dict:
        _tab(r.s, form, tab_id)
        changed = r.changed(("name", "order"))
        changes = {"name": _text(r.body, "name")} if "name" in changed else {}
        if "order" in changed:
            changes["order"] = r.body.get("order")
        custom_forms.update_tab(r.s, tab_id, changes)
        return tab_json(_tab(r.s, form, tab_id))

    @operation(f"delete{noun}CustomFieldTab")
    def delete_tab(r: Request, tab_id: int) -> None:
        _tab(r.s, form, tab_id)
        try:
            custom_forms.delete_tab(r.s, tab_id)
        except custom_forms.FormInUse as exc:
            raise _in_use(exc) from None

    return [list_tabs, create_tab, get_tab, update_tab, delete_tab]


def _group_operations(t: RecordType) -> list[Callable]:
    form, noun = t.form_id, t.noun

    @operation(f"list{noun}CustomFieldGroups")
    def list_groups(r: Request) -> dict:
        tab = r.query.get("tab_id")
        tab_id = None if tab is None else in_id(tab, "tab_id")
        return {"groups": [group_json(g) for g in custom_forms.groups(r.s, form, tab_id=tab_id)]}

    @operation(f"create{noun}CustomFieldGroup")
    def create_group(r: Request) -> dict:
        name = _text(r.body, "name")
        tab_id = _tab_ref(r, form) if r.body.get("tab_id") is not None else _first_tab(r.s, form)
        return group_json(_group(r.s, form, custom_forms.add_group(r.s, tab_id, name)))

    @operation(f"get{noun}CustomFieldGroup")
    def get_group(r: Request, group_id: int) -> dict:
        return group_json(_group(r.s, form, group_id))

    @operation(f"update{noun}CustomFieldGroup")
    def update_group(r: Request, group_id: int) -> dict:
        _group(r.s, form, group_id)
        changed = r.changed(("name", "tab_id", "order"))
        changes = {"name": _text(r.body, "name")} if "name" in changed else {}
        if "tab_id" in changed:
            changes["tab_id"] = _tab_ref(r, form)
        if "order" in changed:
            changes["order"] = r.body.get("order")
        custom_forms.update_group(r.s, group_id, changes)
        return group_json(_group(r.s, form, group_id))

    @operation(f"delete{noun}CustomFieldGroup")
    def delete_group(r: Request, group_id: int) -> None:
        _group(r.s, form, group_id)
        try:
            custom_forms.delete_group(r.s, group_id)
        except custom_forms.FormInUse as exc:
            raise _in_use(exc) from None

    return [list_groups, create_group, get_group, update_group, delete_group]


def _first_tab(s: AppSession, form_id: int) -> int:
    """The tab a group goes on when none is named: the form's first (made with a group if it has none)."""
    tabs = custom_forms.tabs(s, form_id)
    return tabs[0].id if tabs else _group(s, form_id, custom_forms.first_group(s, form_id)).tab_id


OPERATIONS = tuple(op for t in RECORD_TYPES
                   for build in (_field_operations, _tab_operations, _group_operations) for op in build(t))


@operation("retrieveReportModel")
def retrieve_report_model(r: Request, report_id: int) -> dict:
    """The report columns of the saved search ``report_id`` (SearchService.getAllReportColumns: its report's
    columns and the custom fields of the report's record type), as the acting user may see them (a Service
    Account Key acts as the app's first user, its administrator)."""
    columns = searches.report_columns(r.s, report_id, user_info(r.s)["localUserId"])
    return {"fields": [{"name": name, "label": label} for name, label in columns.items()]}
