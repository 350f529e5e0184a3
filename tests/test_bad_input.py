"""Issue 15, items 2, 4, 5, 6 and 15: bad input gets a clear answer in each protocol's own form, never a 500
or fault 3, and nothing of it is stored.

- one body limit for every endpoint (413 in the protocol's form; XML-RPC's fault);
- per-field text limits, on XML-RPC as on REST;
- JSON the stores cannot take: deep nesting, lone surrogates, NUL, non-finite numbers, a date in year 1;
- XML-RPC: integers of thousands of digits, non-finite doubles;
- a ``Z`` moment sent for a date-only field keeps its date.
"""
from __future__ import annotations

import xmlrpc.client

import pytest
import requests

from tests.conftest import fault_of, make_app, post_raw, start_server
from tests.rest.conftest import rest_for

LIMIT = 4096


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A sandbox whose body limit is 4 KiB."""
    live, stop = start_server(tmp_path_factory.mktemp("small-limit"), max_body_bytes=LIMIT)
    yield live
    stop()


def test_one_body_limit_for_every_endpoint(small):
    app = make_app(small, seed=False)
    rest = rest_for(app)
    big = {"given_name": "x" * (LIMIT + 10)}
    headers = {"X-Keap-API-Key": rest.key}

    v1 = requests.post(f"{small.url}/crm/rest/v1/contacts", json=big, headers=headers, timeout=30)
    assert v1.status_code == 413 and v1.json() == {
        "message": f"The request body is larger than the limit of {LIMIT} bytes"}

    v2 = requests.post(f"{small.url}/crm/rest/v2/tags", json=big, headers=headers, timeout=30)
    assert v2.status_code == 413
    assert v2.json()["code"] == 413 and v2.json()["status"] == "PAYLOAD_TOO_LARGE"
    assert v2.json()["details"] == [{"domain": "request", "resource": "body"}]

    control = small.control("POST", "/apps", json={"name": "x" * (LIMIT + 10)})
    assert control.status_code == 413 and "limit" in control.json()["error"]

    token = requests.post(f"{small.url}/oauth/token", data={"grant_type": "x" * (LIMIT + 10)}, timeout=30)
    assert token.status_code == 413 and token.json()["error"] == "invalid_request"

    # a chunked body (no Content-Length) is counted as it is read
    chunks = iter([b'{"given_name": "', b"y" * LIMIT, b'"}'])
    chunked = requests.post(f"{small.url}/crm/rest/v1/contacts", data=chunks, timeout=30,
                            headers={**headers, "Content-Type": "application/json"})
    assert chunked.status_code == 413, chunked.text
    chunks = iter([b'{"given_name": "', b"y" * LIMIT, b'"}'])
    chunked = requests.post(f"{small.url}/crm/rest/v2/tags", data=chunks, timeout=30,
                            headers={**headers, "Content-Type": "application/json"})
    assert chunked.status_code == 413, chunked.text

    # XML-RPC answers its own fault
    body = xmlrpc.client.dumps((app.key, {"FirstName": "z" * LIMIT}), "ContactService.add")
    with pytest.raises(xmlrpc.client.Fault) as excinfo:
        xmlrpc.client.loads(post_raw(small, body).content)
    assert "exceeds" in excinfo.value.faultString

    # nothing was stored
    assert app.call("DataService.count", "Contact", {}) == 0


def test_text_longer_than_the_field_holds_is_refused_on_every_api(app):
    with pytest.raises(xmlrpc.client.Fault) as excinfo:
        app.call("ContactService.add", {"FirstName": "f" * 5_000_000})
    code, message = fault_of(excinfo)
    assert (code, message) == (12, "[InvalidParameter]Invalid value for Contact.FirstName: longer than 40 characters")
    assert app.call("ContactService.add", {"FirstName": "f" * 40, "JobTitle": "j" * 255}) > 0
    with pytest.raises(xmlrpc.client.Fault):
        app.call("ContactService.add", {"JobTitle": "j" * 256})
    rest = rest_for(app)
    r = rest.post("/contacts", json={"given_name": "g" * 41, "email_addresses": [
        {"email": "long@example.com", "field": "EMAIL1"}]})
    assert r.status_code == 400 and "FirstName" in r.json()["message"], r.text
    assert app.call("DataService.count", "Contact", {"Email": "long@example.com"}) == 0


@pytest.mark.parametrize("body, field", [
    ('{"given_name": "a\\ud800b"}', "given_name"),
    ('{"given_name": "a\\u0000b"}', "given_name"),
    ('{"given_name": "x", "email_addresses": [{"email": "a\\udc00@example.com", "field": "EMAIL1"}]}',
     "email_addresses.0.email"),
    ('{"given_name": "x", "score": 1e400}', None),
    ('{"given_name": "x", "score": NaN}', None),
    ('{"given_name": "x", "score": -Infinity}', None),
    ("[" * 100_000 + "]" * 100_000, None),
    ('{"a": ' * 70 + "1" + "}" * 70, None),
])
def test_json_the_store_cannot_take_is_a_400_naming_the_field(app, body, field):
    rest = rest_for(app)
    before = app.call("DataService.count", "Contact", {})
    for version, path in (("v1", "contacts"), ("v2", "tags")):  # v2 reads the body before its schema sees it
        r = requests.post(f"{app.live.url}/crm/rest/{version}/{path}", data=body.encode(), timeout=30,
                          headers={"X-Keap-API-Key": rest.key, "Content-Type": "application/json"})
        assert r.status_code == 400, (version, r.status_code, r.text)
        if field is not None:
            assert field in r.json()["message"], r.text
        if version == "v2":
            assert r.json()["status"] == "INVALID_ARGUMENT"
    control = app.live.control("POST", f"/apps/{app.name}/clock", data=body.encode(),
                               headers={"Content-Type": "application/json"})
    assert control.status_code == 400 and control.json()["error"]
    assert app.call("DataService.count", "Contact", {}) == before


def test_a_date_in_year_one_is_a_clear_error(app):
    """0001-01-01T00:00:00Z is in year 0 in the app's zone (west of UTC): refused as any bad date is."""
    contact = app.call("ContactService.add", {"FirstName": "Early"})
    faults = []
    for when in ("not a date", "00010101T00:00:00Z"):
        with pytest.raises(xmlrpc.client.Fault) as excinfo:
            app.call("DataService.add", "ContactAction", {"ContactId": contact, "ActionDate": when})
        faults.append(fault_of(excinfo)[0])
    assert faults[0] == faults[1] != 3
    rest = rest_for(app)
    r = rest.post("/tasks", json={"title": "Early", "contact": {"id": contact}, "due_date": "0001-01-01T00:00:00Z"})
    assert r.status_code == 400, r.text


def test_a_moment_sent_for_a_date_only_field_keeps_its_date(app):
    # the app's zone is west of UTC (America/New_York by default): midnight UTC is the evening before there
    contact = app.call("ContactService.add", {"FirstName": "Born", "Birthday": xmlrpc.client.DateTime(
        "19800506T00:00:00Z")})
    loaded = app.call("ContactService.load", contact, ["Birthday"])
    assert str(loaded["Birthday"]) == "19800506T00:00:00"
    r = post_raw(app.live, xmlrpc.client.dumps((app.key, contact, {"Anniversary": "2001-09-30T00:00:00Z"}),
                                               "ContactService.update"))
    xmlrpc.client.loads(r.content)
    loaded = app.call("ContactService.load", contact, ["Anniversary"])
    assert str(loaded["Anniversary"]) == "20010930T00:00:00"


@pytest.mark.parametrize("value", ["9" * 5000, "-" + "1" * 4400, "99999999999"])
def test_an_integer_of_thousands_of_digits_is_the_parser_fault(app, value):
    body = (f"<?xml version='1.0'?><methodCall><methodName>ContactService.load</methodName><params>"
            f"<param><value><string>{app.key}</string></value></param>"
            f"<param><value><i4>{value}</i4></value></param>"
            f"<param><value><array><data><value>Id</value></data></array></value></param>"
            f"</params></methodCall>")
    with pytest.raises(xmlrpc.client.Fault) as excinfo:
        xmlrpc.client.loads(post_raw(app.live, body).content)
    assert "Failed to parse integer value" in excinfo.value.faultString


@pytest.mark.parametrize("value", ["1e400", "-1e999", "inf", "nan", "Infinity", "NaN"])
def test_a_non_finite_double_is_refused(app, value):
    contact = app.call("ContactService.add", {"FirstName": "Finite"})
    body = (f"<?xml version='1.0'?><methodCall><methodName>DataService.update</methodName><params>"
            f"<param><value><string>{app.key}</string></value></param>"
            f"<param><value><string>Contact</string></value></param>"
            f"<param><value><i4>{contact}</i4></value></param>"
            f"<param><value><struct><member><name>_Score</name><value><double>{value}</double></value></member>"
            f"</struct></value></param></params></methodCall>")
    with pytest.raises(xmlrpc.client.Fault) as excinfo:
        xmlrpc.client.loads(post_raw(app.live, body).content)
    assert excinfo.value.faultString.endswith(f"Failed to parse double value: {value}"), excinfo.value.faultString


@pytest.mark.parametrize("fields", [[], [5], [["Id"]], ["Id", {"a": 1}]])
def test_find_by_email_with_no_or_odd_fields_faults_as_query_does(app, fields):
    app.call("ContactService.add", {"FirstName": "Found", "Email": "found@example.com"})
    with pytest.raises(xmlrpc.client.Fault) as by_email:
        app.call("ContactService.findByEmail", "found@example.com", fields)
    with pytest.raises(xmlrpc.client.Fault) as by_query:
        app.call("DataService.query", "Contact", 10, 0, {"Email": "found@example.com"}, fields)
    assert fault_of(by_email) == fault_of(by_query)
    assert by_email.value.faultCode != 3


def test_inventory_stays_in_the_32_bit_range(app):
    product = app.call("DataService.add", "Product", {"ProductName": "Bounded", "ProductPrice": 1.0})
    assert app.call("ProductService.increaseInventory", product, 2147483647) is True
    with pytest.raises(xmlrpc.client.Fault) as excinfo:
        app.call("ProductService.increaseInventory", product, 2147483647)
    assert excinfo.value.faultCode == 12 and "out of range" in excinfo.value.faultString
    assert app.call("ProductService.getInventory", product) == 2147483647  # unchanged, and still readable
    assert app.call("ProductService.decreaseInventory", product, 2147483647) is True
    assert app.call("ProductService.getInventory", product) == 0


@pytest.mark.parametrize("text", ["2026-03-02T08:00:00+99:00", "2026-03-02T08:00:00+2400", "2026-03-02T08:00:00-24:00",
                                  "2026-03-02T08:00:00+23:99"])
def test_an_offset_of_a_day_or_more_is_not_a_date(text):
    """server.clock.parse_datetime, behind XML-RPC's, REST's and the control API's dates: an offset no zone has is
    not a date (it raised ValueError out of the parser, a 500; audit-control finding 3)."""
    from server.clock import parse_datetime

    assert parse_datetime(text) is None
    assert parse_datetime("2026-03-02T08:00:00+23:59").utcoffset().total_seconds() == 23 * 3600 + 59 * 60
