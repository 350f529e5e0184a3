"""The v2 conventions on their own (no server): the filter grammar, order_by, page tokens, path matching,
query coercion."""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from werkzeug.datastructures import MultiDict

from server.clock import AppClock, ClockState
from server.domain.data.listing import Condition, Page
from server.rest_v2 import filters, paging
from server.rest_v2.contract import Parameter, SpecOperation
from server.rest_v2.errors import ApiError
from server.rest_v2.routing import Router
from server.rest_v2.validation import Validator

KINDS = {"name": filters.Text(), "email": filters.Text(none=True), "category_id": filters.Id(none=True),
         "tag_ids": filters.Ids("id"), "since_create_time": filters.Since("create_time"),
         "until_create_time": filters.Until("create_time"), "amount": filters.Number(),
         "create_time": filters.Time()}


@pytest.fixture(scope="module")
def clock():
    state = ClockState.real().set(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    return AppClock(state, ZoneInfo("America/New_York"))


def conditions(text, clock):
    return filters.conditions(text, KINDS, clock)


def test_clauses_by_semicolon_and_unambiguous_comma(clock):
    assert conditions("name==vip;email==NONE;", clock) == (Condition("name", "eq", "vip"),
                                                           Condition("email", "none"))
    assert conditions("tag_ids==1,2,3", clock) == (Condition("id", "in", [1, 2, 3]),)
    assert conditions("tag_ids==1,2,name==a*", clock) == (Condition("id", "in", [1, 2]),
                                                          Condition("name", "prefix", "a"))
    assert conditions("name==a,b", clock) == (Condition("name", "eq", "a,b"),)  # no field after the comma
    assert conditions(" name == spaced out ", clock) == (Condition("name", "eq", "spaced out"),)
    assert conditions("category_id==NONE", clock) == (Condition("category_id", "none"),)
    assert conditions("name!=x", clock) == (Condition("name", "ne", "x"),)
    assert conditions("amount>=10.5;amount<20", clock) == (Condition("amount", "ge", 10.5),
                                                           Condition("amount", "lt", 20))
    assert conditions("", clock) == () and conditions(None, clock) == ()


def test_times_are_the_apps_local_wall_time(clock):
    [since] = conditions("since_create_time==2026-03-02T17:00:00Z", clock)
    assert since == Condition("create_time", "ge", datetime(2026, 3, 2, 12, 0))  # New York, EST
    [until] = conditions("until_create_time==2026-03-02T12:00:00-05:00", clock)
    assert until == Condition("create_time", "le", datetime(2026, 3, 2, 12, 0))
    [later] = conditions("create_time>2026-03-02T17:00:00", clock)  # no zone: UTC
    assert later == Condition("create_time", "gt", datetime(2026, 3, 2, 12, 0))


@pytest.mark.parametrize("text, field", [
    ("colour==red", "filter"), ("name", "filter"), ("name>a", "filter.name"), ("category_id==x", "filter.category_id"),
    ("tag_ids==", "filter.tag_ids"), ("since_create_time==soon", "filter.since_create_time"),
    ("since_create_time<2026-01-01T00:00:00Z", "filter.since_create_time"), ("amount==lots", "filter.amount"),
    ("name==NONE;category_id==2x", "filter.category_id"),
])
def test_bad_filters_name_the_field(text, field, clock):
    with pytest.raises(ApiError) as caught:
        conditions(text, clock)
    assert caught.value.code == 400 and caught.value.details == [{"domain": "request", "resource": field}]


def test_ids_beyond_the_store_match_nothing(clock):
    assert conditions("tag_ids==99999999999", clock) == (Condition("id", "in", [-1]),)
    assert filters.Ids("id", most=2).conditions("x", filters.Clause("x", "==", "1,2"), clock)
    with pytest.raises(ApiError):
        filters.Ids("id", most=2).conditions("x", filters.Clause("x", "==", "1,2,3"), clock)


def test_order_by():
    fields = {"name": "name", "create_time": "created"}
    assert filters.order(None, fields, ("id", False)) == ("id", False)
    assert filters.order("name", fields, ("id", False)) == ("name", False)
    assert filters.order("create_time DESC", fields, ("id", False)) == ("created", True)
    assert filters.order("name,desc", fields, ("id", False)) == ("name", True)
    for bad in ("colour", "name up", "name asc extra"):
        with pytest.raises(ApiError):
            filters.order(bad, fields, ("id", False))


def test_tokens_round_trip():
    assert paging.encode(Page([], (91, 91), "id", False)) == "91"
    assert paging.cursor("91", "id", False) == (91, 91)
    token = paging.encode(Page([], ("2026-03-02T12:00:00", 7), "create_time", True))
    assert paging.cursor(token, "create_time", True) == ("2026-03-02T12:00:00", 7)
    url = "https://api.infusionsoft.com/crm/rest/v2/tags/?page_size=1&page_token=91"  # the captured form
    assert paging.cursor(url, "id", False) == (91, 91)
    assert paging.encode(Page([], None)) is None and paging.cursor("", "id", False) is None
    for bad, order in (("91", "name"), (token, "name"), ("not-base64!", "id"), ("https://x/tags?page_size=1", "id")):
        with pytest.raises(ApiError):
            paging.cursor(bad, order, False)
    assert paging.page_size(None) == paging.page_size(0) == paging.DEFAULT_PAGE_SIZE == 1000
    assert paging.page_size(5) == 5


def test_routing_prefers_literals_and_verbs():
    r = Router()
    for method, path in (("GET", "/files/{file_id}"), ("GET", "/files/{file_id}:data"), ("DELETE", "/files/{file_id}"),
                         ("GET", "/tags/{tag_id}"), ("GET", "/tags/categories"), ("GET", "/tags/-/contacts"),
                         ("GET", "/tags/{tag_id}/contacts"), ("POST", "/contacts:merge"), ("GET", "/contacts/{id}")):
        r.add(method, path, (method, path))
    assert r.match("GET", "/files/7:data").target == ("GET", "/files/{file_id}:data")
    assert r.match("GET", "/files/7:data").params == {"file_id": "7"}
    assert r.match("GET", "/files/7").target == ("GET", "/files/{file_id}")
    assert r.match("GET", "/tags/categories").target == ("GET", "/tags/categories")
    assert r.match("GET", "/tags/-/contacts").target == ("GET", "/tags/-/contacts")
    assert r.match("GET", "/tags/5/contacts").params == {"tag_id": "5"}
    assert r.match("POST", "/contacts:merge").target == ("POST", "/contacts:merge")
    assert r.match("GET", "/contacts/5").target == ("GET", "/contacts/{id}")
    put = r.match("PUT", "/files/7")
    assert put.target is None and put.allowed == ("DELETE", "GET")
    assert r.match("GET", "/nothing") is None and r.match("GET", "/files//") is None
    assert r.match("GET", "/tags/5/").target == ("GET", "/tags/{tag_id}")  # a trailing slash


def _op(*params: Parameter) -> SpecOperation:
    return SpecOperation("op", "GET", "/x", "X", "", params, None, False, None, {"200": None})


def test_query_parameters_are_coerced_from_the_schema():
    v = Validator(_op(Parameter("page_size", "query", False, {"type": "integer", "minimum": 0, "maximum": 1000}),
                      Parameter("mask", "query", False, {"type": "array", "uniqueItems": True,
                                                         "items": {"type": "string", "enum": ["a", "b"]}}),
                      Parameter("flag", "query", False, {"type": "boolean"}),
                      Parameter("need", "query", True, {"type": "string"})), None)
    args = MultiDict([("page_size", "5"), ("mask", "a,b"), ("mask", "a"), ("flag", "TRUE"), ("need", "x"),
                      ("other", "ignored")])
    assert v.query_values(args) == {"page_size": 5, "mask": ["a", "b"], "flag": True, "need": "x"}
    for bad in ([("need", "x"), ("page_size", "1001")], [("need", "x"), ("mask", "c")], [("need", "x"), ("flag", "y")],
                []):
        with pytest.raises(ApiError) as caught:
            v.query_values(MultiDict(bad))
        assert caught.value.code == 400
