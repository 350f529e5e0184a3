"""Custom-field definitions read once per transaction, and values written in one delete and one insert
(server/domain/data/custom_fields.py), on the store of each backend."""
from __future__ import annotations

from server.domain.data import custom_fields
from server.domain.data.query import select_rows
from server.store import apps, schema
from server.store.db import transaction
from server.tables import REGISTRY

CONTACT = REGISTRY.get("Contact")


def _field(s, name: str, data_type: int = 15) -> custom_fields.CustomField:
    field_id = s.next_id("custom_field")
    s.insert(schema.custom_field, dict(id=field_id, form_id=CONTACT.custom_form, name=name, label=name,
                                       data_type=data_type))
    return custom_fields.definitions(s, CONTACT.custom_form, [name])[name]


def test_a_definition_written_in_the_transaction_is_read_at_once(live, empty_app):
    with transaction(live.sandbox.engine, write=True) as conn:
        s = live.sandbox.env.session(conn, apps.by_name(conn, empty_app.name))
        assert custom_fields.definitions(s, CONTACT.custom_form) == {}
        region = _field(s, "Region")
        assert set(custom_fields.definitions(s, CONTACT.custom_form)) == {"Region"}
        _field(s, "Size", 12)
        assert set(custom_fields.definitions(s, CONTACT.custom_form)) == {"Region", "Size"}
        assert custom_fields.definitions(s, CONTACT.custom_form, ["Size", "Nope"])["Size"].type.name == "INT"
        s.update(schema.custom_field, schema.custom_field.c.id == region.id, name="Area")
        assert set(custom_fields.definitions(s, CONTACT.custom_form)) == {"Area", "Size"}


def test_values_are_set_replaced_and_cleared(live, empty_app):
    with transaction(live.sandbox.engine, write=True) as conn:
        s = live.sandbox.env.session(conn, apps.by_name(conn, empty_app.name))
        region, size, note = _field(s, "Region"), _field(s, "Size", 12), _field(s, "Note")
        contact_id = s.next_id("contact")
        s.insert(schema.contact, dict(id=contact_id, kind="contact", first_name="Ada"))
        custom_fields.write_values(s, contact_id, {region: "North", size: 3, note: None}, new=True)
        assert custom_fields.read_values(s, [contact_id], [region, size, note]) == {
            contact_id: {"_Region": "North", "_Size": 3}}
        custom_fields.write_values(s, contact_id, {region: "South", size: None, note: "x"})
        assert custom_fields.read_values(s, [contact_id], [region, size, note]) == {
            contact_id: {"_Region": "South", "_Note": "x"}}
        assert select_rows(s, CONTACT, ["Id", "_Region"], {"_Region": "south"}) == [
            {"Id": contact_id, "_Region": "South"}]
        assert select_rows(s, CONTACT, ["Id"], {"_Size": "~null~"}) == [{"Id": contact_id}]
