"""Unit tests of keyset paging (server/domain/data/listing.py): a list's statement kept for its query's shape and
run on the driver (``kept_page``) answers every page exactly as the statement built for each call (``page``), for
each kind of condition, ordering and page size, on the store's own contact table in an in-memory SQLite."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from server.domain.data import listing
from server.domain.data.listing import Condition, ListQuery
from server.store import schema

C = schema.contact
FIELDS = listing.Fields({"Id": C.c.id, "FirstName": C.c.first_name, "LastName": C.c.last_name,
                         "Email": C.c.email, "DateCreated": C.c.date_created, "OwnerID": C.c.owner_id},
                        key="Id", text=frozenset({"FirstName", "LastName", "Email"}))
NAMES = ["Ada", "alan", "Grace", None, "grace", "Zoë", "ada", "Édith", "100%", "a_b"]


@pytest.fixture(scope="module")
def session():
    engine = sa.create_engine("sqlite://")
    C.create(engine)
    with engine.begin() as c:
        c.execute(sa.insert(C), [
            {"app_id": 7, "kind": "contact", "id": i, "first_name": NAMES[i % len(NAMES)],
             "last_name": f"L{i % 4}", "email": None if i % 5 == 0 else f"p{i}@Example.com",
             "date_created": None if i % 7 == 0 else datetime(2024, 1, 1 + i % 9, i % 24),
             "owner_id": None if i % 11 == 0 else i % 3}
            for i in range(1, 41)])
        c.execute(sa.insert(C), [{"app_id": 7, "kind": "company", "id": 99, "first_name": "Ada"},
                                 {"app_id": 8, "kind": "contact", "id": 98, "first_name": "Ada"}])
    with engine.connect() as conn:
        yield SimpleNamespace(app=SimpleNamespace(id=7), execute=conn.execute, driver_source=conn)


def base(app_id) -> sa.Select:
    return sa.select(C).where(C.c.app_id == app_id, C.c.kind == "contact")


def walk(pages) -> list[tuple]:
    out, q = [], None
    while True:
        page = pages(q)
        out.append(([r.id for r in page.items], page.next_key))
        if page.next_key is None:
            return out
        q = page.next_key


@pytest.mark.parametrize("where", [
    (),
    (Condition("FirstName", "eq", "ADA"),),
    (Condition("FirstName", "ne", "grace"),),
    (Condition("FirstName", "prefix", "a"), Condition("OwnerID", "eq", 1)),
    (Condition("FirstName", "prefix", "100%"),),  # LIKE's own characters, escaped
    (Condition("FirstName", "contains", "_"),),
    (Condition("Email", "none"),),
    (Condition("Id", "in", (3, 5, 8, 13, 21, 34)),),
    (Condition("DateCreated", "ge", datetime(2024, 1, 4)), Condition("DateCreated", "lt", datetime(2024, 1, 8))),
    (Condition("", "any", (Condition("LastName", "eq", "l1"), Condition("Id", "le", 4))),),
    (Condition("OwnerID", "eq", None),),  # (built, not kept: a bound None would compare = NULL)
])
@pytest.mark.parametrize("order, descending", [("Id", False), ("Id", True), ("FirstName", False),
                                               ("DateCreated", True), ("Email", False)])
@pytest.mark.parametrize("limit", [1, 3, 1000])
def test_a_kept_statement_pages_as_a_built_one(session, where, order, descending, limit):
    query = ListQuery(where, order, descending, None, limit)

    def built(after):
        return listing.page(session, base(7), FIELDS, replace(query, after=after), lambda r: r)

    def kept(after):
        return listing.kept_page(session, "test", base, FIELDS, replace(query, after=after), lambda r: r)

    expected = walk(built)
    assert walk(kept) == expected
    assert walk(kept) == expected  # (the second walk by the statements the first kept)
    seen = [i for ids, _ in expected for i in ids]
    assert len(seen) == len(set(seen))  # each row once
