"""What a campaign document names, resolved to the app's records: tags, custom fields, templates, users,
stages, products, action sets. Importing creates the missing tags and contact custom fields (seed 002's content
publishing: "importing this content will create any missing Tags and other resources your campaigns will need");
everything else must exist when the campaign is published."""
from __future__ import annotations

import sqlalchemy as sa

from server.domain.crm import tags
from server.domain.data import custom_fields, records
from server.store import folding, schema
from server.store.session import AppSession
from server.tables import INT_MAX, REGISTRY


class Unresolved(Exception):
    """A name that matches nothing in the app."""


def _int(ref) -> int | None:
    """``ref`` as an id, if it is one (a number, or digits); one no row can have (past the id range) is -1, which
    names nothing (a DataService id is a 32-bit integer: a larger one would overflow the store's column)."""
    if isinstance(ref, int) and not isinstance(ref, bool):
        number = ref
    elif isinstance(ref, str) and ref.strip().isascii() and ref.strip().isdigit():
        number = int(ref)
    else:
        return None
    return number if -INT_MAX <= number <= INT_MAX else -1


def tag_id(s: AppSession, ref, *, create: bool = False, category: str | None = None,
           description: str = "") -> int:
    number = _int(ref)
    t = schema.tag
    if number is not None:
        if s.get(t, number) is None:
            raise Unresolved(f"no tag with id {ref}")
        return number
    found = tags.find_tag(s, str(ref))
    if found is not None:
        return found.id
    if not create:
        raise Unresolved(f"no tag named {ref!r}")
    values = {"GroupName": str(ref).strip(), "GroupDescription": description}
    if category:
        values["GroupCategoryId"] = _tag_category(s, category)
    return records.add(s, "ContactGroup", values)


def find_tag_category(s: AppSession, name: str):
    """The tag category named ``name``, ignoring case (beyond ASCII too: server.store.folding)."""
    tc = schema.tag_category
    found = s.select(tc).where(folding.ignoring_case(tc.c.category_name, name.strip())).order_by(tc.c.id)
    return s.execute(found).first()


def _tag_category(s: AppSession, name: str) -> int:
    row = find_tag_category(s, name)
    if row is not None:
        return row.id
    return records.add(s, "ContactGroupCategory", {"CategoryName": name.strip(), "CategoryDescription": ""})


def contact_field(s: AppSession, name: str) -> str:
    """``name`` as a Contact field the API knows (standard, or ``_Custom`` that exists)."""
    contact = REGISTRY.get("Contact")
    if name.startswith("_"):
        if name[1:] not in custom_fields.definitions(s, contact.custom_form, {name[1:]}):
            raise Unresolved(f"no contact custom field {name!r}")
        return name
    if name not in contact.fields:
        raise Unresolved(f"no contact field {name!r}")
    return name


def ensure_custom_field(s: AppSession, name: str, data_type: str, label: str | None = None,
                        values: str | None = None) -> int | None:
    """The contact custom field ``name``, made if the app lacks it: the new field's id, None if it existed."""
    contact = REGISTRY.get("Contact")
    if name in custom_fields.definitions(s, contact.custom_form, {name}):
        return None
    group = _default_group(s, contact.custom_form)
    field_id = custom_fields.add_custom_field(s, "Contact", label or name, data_type, group)
    cf = schema.custom_field
    s.update(cf, cf.c.id == field_id, name=name)  # the document's name, whatever the label
    if values:
        custom_fields.update_custom_field(s, field_id, {"Values": values})
    return field_id


def _default_group(s: AppSession, form_id: int) -> int:
    tab, group = schema.custom_field_tab, schema.custom_field_group
    row = s.execute(sa.select(group.c.id).select_from(group.join(tab, sa.and_(
        tab.c.app_id == group.c.app_id, tab.c.id == group.c.tab_id)))
        .where(group.c.app_id == s.app.id, tab.c.form_id == form_id).order_by(group.c.id).limit(1)).first()
    if row is not None:
        return row.id
    return custom_fields.add_group(s, custom_fields.add_tab(s, form_id, "Custom Fields"), "Custom Fields")


def template_id(s: AppSession, ref) -> int:
    return _by_id_or_name(s, schema.template.c.piece_title, ref, "email template")


def user_id(s: AppSession, ref) -> int:
    return _by_id_or_name(s, schema.user.c.email, ref, "user")


def action_set_id(s: AppSession, ref) -> int:
    return _by_id_or_name(s, schema.action_set.c.template_name, ref, "action set")


def _by_id_or_name(s: AppSession, name: sa.Column, ref, what: str) -> int:
    """A row of ``name``'s table by id, or by ``name`` without regard to case (the lowest id of several)."""
    table = name.table
    number = _int(ref)
    where = table.c.id == number if number is not None else folding.ignoring_case(name, str(ref).strip())
    row = s.execute(s.select(table, table.c.id).where(where).order_by(table.c.id).limit(1)).first()
    if row is None:
        raise Unresolved(f"no {what} {ref!r}")
    return row.id


def _by_name(s: AppSession, table_name: str, name_field: str, ref, what: str) -> int:
    """A record of a DataService table (which may be another area's) by id or by name."""
    number = _int(ref)
    table = REGISTRY.get(table_name)
    if table is None:
        if number is None:
            raise Unresolved(f"no {what} named {ref!r}: this sandbox has no {table_name} table")
        return number
    criteria = {"Id": number} if number is not None else {name_field: str(ref).strip()}
    rows = records.query(s, table_name, 1, 0, criteria, ["Id"])
    if not rows:
        raise Unresolved(f"no {what} {ref!r}")
    return rows[0]["Id"]


def stage_id(s: AppSession, ref) -> int:
    return _by_name(s, "Stage", "StageName", ref, "opportunity stage")


def product_id(s: AppSession, ref) -> int:
    return _by_name(s, "Product", "ProductName", ref, "product")


def product_category_id(s: AppSession, ref) -> int:
    return _by_name(s, "ProductCategory", "CategoryDisplayName", ref, "product category")
