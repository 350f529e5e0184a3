"""Integers outside the real server's 32-bit range (java.lang.Integer), wherever a client can put one: the same
answer on SQLite and PostgreSQL, never fault 3, never an <i8>."""
from __future__ import annotations

import xmlrpc.client

import pytest

from tests.conftest import fault_of, post_raw

BIG = 3000000000  # above 2^31 - 1
HUGE = 99999999999999999999  # above 2^63


def _raw(app, method: str, *params: str):
    body = (f"<methodCall><methodName>{method}</methodName><params><param><value>{app.key}</value></param>"
            + "".join(f"<param><value>{p}</value></param>" for p in params) + "</params></methodCall>")
    response = post_raw(app.live, body)
    assert response.status_code == 200 and b"<i8>" not in response.content
    return response.content


def _fault(content: bytes) -> tuple[int, str]:
    with pytest.raises(xmlrpc.client.Fault) as exc:
        xmlrpc.client.loads(content)
    return fault_of(exc)


IDS = "<array><data><value>Id</value></data></array>"


@pytest.mark.parametrize("number", [BIG, -BIG, HUGE])
def test_an_int_outside_32_bits_fails_to_parse_as_on_the_real_server(app, number):
    parse_fault = (0, f"Failed to parse XML-RPC request: Failed to parse integer value: {number}")
    assert _fault(_raw(app, "ContactService.load", f"<int>{number}</int>", IDS)) == parse_fault
    struct = f"<struct><member><name>OwnerID</name><value><int>{number}</int></value></member></struct>"
    assert _fault(_raw(app, "ContactService.add", struct)) == parse_fault
    criteria = f"<struct><member><name>Id</name><value><i4>{number}</i4></value></member></struct>"
    assert _fault(_raw(app, "DataService.query", "Contact", "<int>10</int>", "<int>0</int>", criteria, IDS)) == \
        parse_fault
    assert _fault(_raw(app, "DataService.query", "Contact", f"<int>{number}</int>", "<int>0</int>",
                       "<struct></struct>", IDS)) == parse_fault


def test_an_i8_is_an_unknown_type(app):
    assert _fault(_raw(app, "ContactService.load", "<i8>1</i8>", IDS)) == (
        0, "Failed to parse XML-RPC request: Unknown type: i8")


def test_a_numeric_string_outside_32_bits_fits_no_integer_parameter(app):
    for number in (BIG, HUGE):
        with pytest.raises(xmlrpc.client.Fault) as exc:
            app.call("ContactService.load", str(number), ["Id"])
        assert fault_of(exc) == (0, "No method matching arguments: java.lang.String, java.lang.String, "
                                    "[Ljava.lang.Object;")
        with pytest.raises(xmlrpc.client.Fault) as exc:
            app.call("DataService.query", "Contact", 10, str(number), {}, ["Id"])
        assert exc.value.faultCode == 0


def test_an_integer_field_refuses_a_value_outside_32_bits(app):
    cid = app.call("ContactService.add", {"FirstName": "Range"})
    app.call("DataService.addCustomField", "Contact", "Big Count", "WholeNumber", 1)
    for value in (str(BIG), float(BIG), str(-BIG), str(HUGE), "1e30"):
        for method, args in (("ContactService.add", ({"OwnerID": value},)),
                             ("ContactService.update", (cid, {"OwnerID": value})),
                             ("DataService.update", ("Contact", cid, {"_BigCount": value}))):
            with pytest.raises(xmlrpc.client.Fault) as exc:
                app.call(method, *args)
            code, message = fault_of(exc)
            assert code == 12 and message.startswith("[InvalidParameter]Invalid value for Contact.") \
                and "out of range" in message, (method, value, message)
    app.call("ContactService.update", cid, {"OwnerID": str(2**31 - 1), "_BigCount": float(-2**31)})
    assert app.call("ContactService.load", cid, ["OwnerID", "_BigCount"]) == {"OwnerID": 2**31 - 1,
                                                                              "_BigCount": -2**31}


def test_criteria_beyond_32_bits_compare_as_numbers(app):
    total = app.call("DataService.count", "Contact", {})
    cid = app.call("ContactService.add", {"FirstName": "Crit", "OwnerID": 1})
    total += 1

    def ids(criteria):
        rows = app.call("DataService.query", "Contact", 1000, 0, criteria, ["Id"])
        assert app.call("DataService.count", "Contact", criteria) == len(rows)
        return [r["Id"] for r in rows]

    for big in (BIG, HUGE):
        assert ids({"Id": str(big)}) == []
        assert ids({"Id": float(big)}) == []
        assert ids({"Id": f"~>~{big}"}) == [] and ids({"Id": f"~>=~ {big}"}) == []
        assert len(ids({"Id": f"~<~{big}"})) == total and len(ids({"Id": f"~<=~{big}"})) == total
        assert len(ids({"Id": f"~<>~{big}"})) == total
        assert len(ids({"Id": f"~>~-{big}"})) == total and ids({"Id": f"~<~-{big}"}) == []
        assert ids({"Id": [str(big), cid]}) == [cid]
        assert ids({"OwnerID": f"~<~{big}", "FirstName": "Crit"}) == [cid]
    found = app.call("DataService.findByField", "Contact", 10, 0, "Id", str(BIG), ["Id"])
    assert found == []
