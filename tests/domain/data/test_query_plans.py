"""The query compiler's statements use the index that answers their criterion (issue 18, item 1): the plan the
database gives for each (SQLite's EXPLAIN QUERY PLAN, PostgreSQL's EXPLAIN) names that index, on a store
without statistics (what an app filled through the API has). A plan that walks the key index and tests every
row answers in time proportional to the store, which the bench shows only at a million contacts.

PostgreSQL plans by the statistics autovacuum gathers, so they are gathered first (ANALYZE); it prefers a
sequential scan for a table this small whatever its indexes, so its plans are asked with ``enable_seqscan``
off: an index still unused is one the statement cannot use."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from server.domain.crm import contacts
from server.domain.data.query import among, compile_select, select_rows
from server.store import apps, schema
from server.store.db import transaction
from server.tables import REGISTRY
from tests.conftest import BACKENDS, start_backend

CONTACT = REGISTRY.get("Contact")
FIELDS = ["Id", "FirstName", "LastName", "Email", "LastUpdated"]


@pytest.fixture(scope="module", params=BACKENDS)
def live(request, tmp_path_factory):
    """A server of this module's own, not the session's shared one: a plan follows the statistics of the whole
    table, which the apps other tests leave on a shared server would change."""
    server, stop = start_backend(tmp_path_factory.mktemp(f"plans-{request.param}"), request.param)
    yield server
    stop()


@pytest.fixture
def store(live, empty_app):
    """An app with 200 contacts, a text custom field with a value on the first 190 and a tag on a fifth."""
    with transaction(live.sandbox.engine, write=True) as conn:
        s = live.sandbox.env.session(conn, apps.by_name(conn, empty_app.name))
        first = s.next_id("contact", 200)
        start = datetime(2024, 1, 1)
        s.insert(schema.contact, [dict(id=first + i, kind="contact", first_name=f"F{i}", last_name=f"L{i % 40}",
                                       email=f"c{i}@example.com", date_created=start,
                                       last_updated=start + timedelta(hours=i)) for i in range(200)])
        field_id = s.next_id("custom_field")
        s.insert(schema.custom_field, dict(id=field_id, form_id=CONTACT.custom_form, name="Region", label="Region",
                                           data_type=15))
        s.insert(schema.custom_value, [dict(field_id=field_id, record_id=first + i, text_value=f"R{i % 10}",
                                            num_value=None, date_value=None) for i in range(190)])
        tag_id = s.next_id("tag")
        s.insert(schema.tag, dict(id=tag_id, group_name="VIP"))
        s.insert(schema.tag_assignment, [dict(contact_id=first + i, tag_id=tag_id, date_created=start)
                                         for i in range(0, 200, 5)])
    if live.sandbox.engine.dialect.name == "postgresql":  # its planner goes by statistics (autovacuum's, in use)
        with live.sandbox.engine.connect() as conn:
            for table in ("contact", "custom_value", "tag_assignment"):
                conn.exec_driver_sql(f"ANALYZE {table}")
            conn.commit()
    with transaction(live.sandbox.engine, write=False) as conn:
        yield live.sandbox.env.session(conn, apps.by_name(conn, empty_app.name)), first, tag_id


def plan(s, statement: sa.Select, values: dict | None = None) -> str:
    conn = s.conn
    compiled = statement.compile(dialect=conn.dialect)
    processors = compiled._bind_processors
    params = {k: processors[k](v) if k in processors else v for k, v in compiled.construct_params(values).items()}
    if conn.dialect.name == "sqlite":
        args = tuple(params[name] for name in compiled.positiontup)
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + compiled.string, args).all()
        return "\n".join(row[-1] for row in rows)
    conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
    return "\n".join(row[0] for row in conn.exec_driver_sql("EXPLAIN " + compiled.string, params).all())


def scans_contacts(text: str) -> bool:
    """Whether the plan reads every contact of the app (a scan, or the key index walked from the app's first
    contact: SQLite's ``(app_id=?)``, PostgreSQL's ``Index Cond: (app_id = 3)``)."""
    lines = text.splitlines()
    return any(line.strip().startswith("SCAN contact") or "Seq Scan on contact " in line
               or "INDEX sqlite_autoindex_contact_1 (app_id=?)" in line
               or "INDEX ix_contact_app_kind_id (app_id=?" in line
               or (("Index Scan using pk_contact" in line or "Index Scan using ix_contact_app_kind_id" in line)
                   and "id = " not in nxt)
               for line, nxt in zip(lines, lines[1:] + [""]))


@pytest.mark.parametrize("criteria, order_by, index", [
    ({"Email": "c7@example.com"}, None, "ix_contact_email"),
    ({"Email": "C7@example.com"}, "Id", "ix_contact_email"),
    ({"LastName": "L3"}, "Id", "ix_contact_last_name"),
    ({"LastName": "L3"}, None, "ix_contact_last_name"),
    ({"_Region": "R3"}, "Id", "ix_custom_value_text"),
    ({"_Region": "R3"}, None, "ix_custom_value_text"),
    ({"LastUpdated": "~>=~2024-01-08 00:00:00"}, "LastUpdated", "ix_contact_last_updated"),
    ({"LastUpdated": {"since": "2024-01-08 00:00:00", "before": "2024-01-09 00:00:00"}}, "LastUpdated",
     "ix_contact_last_updated"),
])
def test_a_contact_query_uses_its_criterion_index(store, criteria, order_by, index):
    s, _, _ = store
    statement, _ = compile_select(s, CONTACT, FIELDS + ["_Region"], criteria, limit=1000, order_by=order_by)
    text = plan(s, statement)
    assert index in text, text
    assert not scans_contacts(text), text


def test_a_query_by_tag_reads_the_tag_index_in_contact_order(store):
    s, _, tag_id = store
    statement, _ = compile_select(s, REGISTRY.get("ContactGroupAssign"), ["ContactId", "GroupId", "Contact.Email"],
                                  {"GroupId": tag_id}, limit=1000, order_by="ContactId")
    text = plan(s, statement)
    assert "ix_tag_assignment_tag_contact" in text, text
    assert not scans_contacts(text), text
    if s.conn.dialect.name == "sqlite":
        # the index gives the order: no sort of every tagged contact (the tie on the tag is sorted as it comes)
        assert "TEMP B-TREE FOR ORDER BY" not in text, text


def test_find_by_email_uses_the_address_indexes(store):
    s, _, _ = store
    statement, _ = compile_select(s, CONTACT, FIELDS, {}, extra_where=[contacts.email_match(s, "c7@example.com")],
                                  seek=True)
    text = plan(s, statement)
    assert "ix_contact_email" in text and "ix_contact_email2" in text and "ix_contact_email3" in text, text
    assert not scans_contacts(text), text


@pytest.mark.parametrize("fields", [["Id"], FIELDS])
def test_find_by_email_looks_up_the_contacts_the_address_indexes_find(store, fields):
    """ContactService.findByEmail's own statement (kept and run on the driver): the ids the three address
    indexes find, each contact read by its key, also for the Id alone, which the app's ``(app, kind, id)``
    index holds: tested with ``IN``, SQLite walked that index through every contact of the app."""
    s, first, _ = store
    statement, _ = among(s, CONTACT, fields, "email", contacts.ids_by_email)
    text = plan(s, statement.statement, {"app_id": s.app.id, "email": "c7@example.com"})
    assert "ix_contact_email" in text and "ix_contact_email2" in text and "ix_contact_email3" in text, text
    assert not scans_contacts(text), text
    assert [r["Id"] - first for r in contacts.find_by_email(s, " C7@Example.COM ", fields)] == [7]


@pytest.mark.parametrize("criteria, order_by, expected", [
    ({"Email": "C7@EXAMPLE.com"}, None, [7]),
    ({"LastName": "l3"}, "Id", [3, 43, 83, 123, 163]),
    ({"LastName": "L3"}, "FirstName", [123, 163, 3, 43, 83]),  # F123 < F163 < F3 < F43 < F83
    ({"_Region": "r3"}, None, [3, 13, 23, 33, 43, 53, 63, 73, 83, 93, 103, 113, 123, 133, 143, 153, 163, 173, 183]),
    ({"_Region": "~null~"}, "Id", list(range(190, 200))),
    ({"_Region": "~<>~R4", "LastName": "L3"}, None, [3, 43, 83, 123, 163]),
    ({"_Region": "~<>~R3", "LastName": "L3"}, None, []),
    ({"_Region": ["R3", "R4"], "LastName": ["L3", "L4"]}, "Id", [3, 4, 43, 44, 83, 84, 123, 124, 163, 164]),
])
def test_the_lookups_answer_the_same_rows_in_the_same_order(store, criteria, order_by, expected):
    s, first, _ = store
    rows = select_rows(s, CONTACT, ["Id"], criteria, limit=1000, order_by=order_by)
    assert [r["Id"] - first for r in rows] == expected
    if order_by == "Id":
        descending = select_rows(s, CONTACT, ["Id"], criteria, limit=1000, order_by=order_by, ascending=False)
        assert [r["Id"] - first for r in descending] == expected[::-1]
