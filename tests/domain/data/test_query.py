"""Unit tests of the DataService query compiler (server/domain/data/query.py): each kind of criterion compiled
for the Contact table and run against the store's own contact table in an in-memory SQLite, without a server.
The session is a stand-in that has what the compiler reads (the app's id and clock)."""
from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from server.clock import AppClock, ClockState
from server.domain.data.query import MAX_IN, Resolver, criterion, page_bounds
from server.domain.errors import InvalidParameter, NoFieldFound
from server.store import schema
from server.tables import REGISTRY

CONTACT = REGISTRY.get("Contact")
C = schema.contact
ROWS = [
    dict(id=1, first_name="Ada", last_name="Lovelace", email="ada@example.com", date_created=datetime(2024, 1, 10, 9)),
    dict(id=2, first_name="Alan", last_name="Turing", email="alan@EXAMPLE.com", date_created=datetime(2024, 1, 10, 23)),
    dict(id=3, first_name="Grace", last_name="Hopper", email=None, date_created=datetime(2024, 1, 11, 0, 30)),
    dict(id=4, first_name="grace", last_name="Kelly", email="gk@example.org", date_created=datetime(2023, 12, 31)),
]


@pytest.fixture(scope="module")
def conn():
    engine = sa.create_engine("sqlite://")
    C.create(engine)
    with engine.begin() as c:
        c.execute(sa.insert(C), [{"app_id": 7, "kind": "contact", **row} for row in ROWS])
        c.execute(sa.insert(C), [{"app_id": 7, "kind": "company", "id": 5, "first_name": "Ada"},
                                 {"app_id": 8, "kind": "contact", "id": 6, "first_name": "Ada"}])
    with engine.connect() as c:
        yield c


def ids(conn, criteria: dict) -> list[int]:
    session = SimpleNamespace(app=SimpleNamespace(id=7),
                              clock=AppClock(ClockState(), ZoneInfo("America/New_York")))
    r = Resolver(session, CONTACT)
    where = r.base_filters() + [criterion(r, k, v) for k, v in criteria.items()]
    return sorted(conn.execute(sa.select(C.c.id).select_from(r.from_clause()).where(*where)).scalars())


@pytest.mark.parametrize("criteria, expected", [
    ({}, [1, 2, 3, 4]),  # the app's contacts only: no company, nothing of another app
    ({"FirstName": "grace"}, [3, 4]),  # equality ignores case
    ({"Email": "ALAN@example.com"}, [2]),
    ({"FirstName": "A%"}, [1, 2]),  # LIKE, without regard to case
    ({"LastName": "%o%"}, [1, 3]),
    ({"Email": "%"}, [1, 2, 4]),  # % alone: any value
    ({"Email": "~null~"}, [3]),
    ({"Email": "~<>~null"}, [1, 2, 4]),
    ({"Id": "~>~2"}, [3, 4]),
    ({"Id": "~<=~ 2"}, [1, 2]),  # a space after the operator
    ({"Id": "~<>~1"}, [2, 3, 4]),
    ({"LastName": "~>~kelly"}, [1, 2]),  # strings compare lexically, without regard to case
    ({"Id": [1, 3, "4", 99]}, [1, 3, 4]),  # an array: IN, numeric strings taken
    ({"Id": []}, []),
    ({"Id": 3}, [3]),
    ({"Id": "x"}, []),  # not a number: matches nothing
    ({"Id": 2**40}, []),  # beyond the 32-bit range: no value equals it
    ({"Id": f"~<~{2**40}"}, [1, 2, 3, 4]),  # ... and every value is below it
    ({"DateCreated": "2024-01-10"}, [1, 2]),  # a date-only string matches the whole day
    ({"DateCreated": "2024-01-10 09:00:00"}, [1]),
    ({"DateCreated": "~>=~2024-01-11"}, [3]),
    ({"DateCreated": {"since": "2024-01-10 12:00:00", "before": "2024-01-11 12:00:00"}}, [2, 3]),
    ({"DateCreated": "2024-01%"}, [1, 2, 3]),  # % on a date matches its text, as MySQL does
    ({"FirstName": "A%", "LastName": "T%"}, [2]),  # criteria AND-ed
])
def test_criteria(conn, criteria, expected):
    assert ids(conn, criteria) == expected


def test_unknown_fields_and_too_many_values_fault(conn):
    with pytest.raises(NoFieldFound):
        ids(conn, {"Nope": "x"})
    with pytest.raises(InvalidParameter):
        ids(conn, {"Id": list(range(MAX_IN + 1))})
    with pytest.raises(InvalidParameter):
        ids(conn, {"DateCreated": {}})


@pytest.mark.parametrize("limit, page, bounds", [(10, 0, (10, 0)), (10, 3, (10, 30)), (5000, 0, (1000, 0)),
                                                 (0, 0, None), (-1, 0, None)])
def test_page_bounds(limit, page, bounds):
    assert page_bounds(limit, page) == bounds
