"""The XML-RPC endpoints over HTTP: faults with HTTP 200 in every bad case, the gateway's own refusals,
bodies compressed or too large, both endpoint styles."""
from __future__ import annotations

import gzip
import xmlrpc.client

import pytest
import requests

from tests.conftest import post_raw, start_server

pytestmark = pytest.mark.store_agnostic  # the wire's transport and fault codes


def fault(response):
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/xml")
    with pytest.raises(xmlrpc.client.Fault) as exc:
        xmlrpc.client.loads(response.content)
    return exc.value.faultCode, exc.value.faultString


def test_dispatch_faults(live, app):
    body = xmlrpc.client.dumps((app.key, "Contact", 10, 0, {}, ["Id"], "Id", "false"), "DataService.query")
    assert fault(post_raw(live, body)) == (0, "No method matching arguments: java.lang.String, java.lang.String, "
                                              "java.lang.Integer, java.lang.Integer, java.util.HashMap, "
                                              "[Ljava.lang.Object;, java.lang.String, java.lang.String")
    assert fault(post_raw(live, xmlrpc.client.dumps((app.key,), "ContactService.load")))[0] == 0
    assert fault(post_raw(live, xmlrpc.client.dumps((app.key,), "ContactService.nope"))) == (
        0, "No such handler: ContactService.nope")
    assert fault(post_raw(live, xmlrpc.client.dumps((app.key,), "NoService.x")))[1] == "No such handler: NoService.x"
    assert fault(post_raw(live, xmlrpc.client.dumps(("wrong", 1, ["Id"]), "ContactService.load"))) == (
        2, "[InvalidKey]Invalid Key")
    assert fault(post_raw(live, b"this is not xml"))[0] == 0
    assert fault(post_raw(live, b""))[1] == "Failed to parse XML-RPC request: Premature end of file."


def test_entities_in_a_raw_request_are_refused(live, app):
    body = ('<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]><methodCall><methodName>'
            f'DataService.echo</methodName><params><param><value>{app.key}</value></param><param><value>&x;</value>'
            '</param></params></methodCall>')
    response = post_raw(live, body)
    code, message = fault(response)
    assert code == 0 and "DOCTYPE is disallowed" in message and b"root:" not in response.content


def test_raw_wire_variants_work(live, app):
    body = ('<?xml version="1.0" ?><methodCall><methodName>ContactService.add</methodName><params><param><value>'
            f'<string>{app.key}</string></value></param><param><value><struct><member><name>FirstName</name><value>'
            '<string><![CDATA[Zoë & <Ada>]]></string></value></member><member><name>OwnerID</name><value><i4>1</i4>'
            '</value></member></struct></value></param></params></methodCall>')
    cid = xmlrpc.client.loads(post_raw(live, body).content)[0][0]
    assert app.call("ContactService.load", str(cid), ["FirstName", "OwnerID"]) == {"FirstName": "Zoë & <Ada>",
                                                                                   "OwnerID": 1}


def test_gzip_request_and_response(live, app):
    body = gzip.compress(xmlrpc.client.dumps((app.key, "Contact", 1000, 0, {}, ["Id", "FirstName", "LastName",
                                                                                    "Email", "City"]),
                                             "DataService.query").encode())
    r = requests.post(live.url + "/api/xmlrpc", data=body, timeout=10, headers={
        "Content-Type": "text/xml", "Content-Encoding": "gzip", "Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers.get("Content-Encoding") == "gzip"
    rows = xmlrpc.client.loads(r.content)[0][0]  # requests decodes the gzip body
    assert len(rows) == app.call("DataService.count", "Contact", {})
    assert fault(post_raw(live, b"not gzip", **{"Content-Encoding": "gzip"}))[0] == 0


def test_oversized_bodies_get_a_fault_and_the_server_goes_on(tmp_path):
    server, stop = start_server(tmp_path, max_body_bytes=2000)
    try:
        key = requests.post(server.url + "/sandbox/apps", json={"name": "small", "seed": False},
                            timeout=10).json()["legacy_api_key"]
        big = xmlrpc.client.dumps((key, "x" * 5000), "DataService.echo")
        code, message = fault(post_raw(server, big))
        assert code == 0 and "exceeds 2000 bytes" in message
        assert xmlrpc.client.ServerProxy(server.url + "/api/xmlrpc").DataService.echo(key, "small") == "small"
    finally:
        stop()


@pytest.mark.parametrize("path", ["/crm/xmlrpc/v1", "/crm/xmlrpc", "/crm/xmlrpc/"])
@pytest.mark.parametrize("header", ["X-Keap-API-Key", "x-keap-api-key", "X-KEAP-API-KEY"])
def test_the_gateway_endpoint_takes_the_key_in_a_header(live, app, path, header):
    body = xmlrpc.client.dumps(("backwards-compatability", "hello"), "DataService.echo")
    r = post_raw(live, body, path, **{header: app.key})
    assert xmlrpc.client.loads(r.content)[0][0] == "hello"


def test_gateway_refusals(live, app):
    body = xmlrpc.client.dumps((app.key, "hello"), "DataService.echo")
    cases = [
        ({}, "", "oauth.v2.InvalidAccessToken"),
        ({"Authorization": "Bearer nope"}, "", "keymanagement.service.invalid_access_token"),
        ({}, "?access_token=nope", "keymanagement.service.invalid_access_token"),
        ({"X-Keap-API-Key": "KeapAK-nope"}, "", "oauth.v2.InvalidApiKey"),
    ]
    for headers, query, errorcode in cases:
        r = post_raw(live, body, "/crm/xmlrpc/v1" + query, **headers)
        assert r.status_code == 401 and r.headers["Content-Type"] == "application/json"
        assert r.json()["fault"]["detail"]["errorcode"] == errorcode
    # the gateway answers before parsing: a bad body with no credential is still a 401
    assert post_raw(live, b"garbage", "/crm/xmlrpc/v1").status_code == 401


def test_wrong_http_methods_get_json_not_html(live):
    r = requests.get(live.url + "/api/xmlrpc", timeout=10)
    assert r.status_code == 405 and r.headers["Content-Type"] == "application/json"
    r = requests.get(live.url + "/no/such/path", timeout=10)
    assert r.status_code == 404 and r.json()["message"]


def test_the_gateway_answers_another_method_before_routing(live, app):
    """spec rest-oauth-throttle.md §1.2: the gateway authenticates before routing. On api.infusionsoft.com's
    XML-RPC paths a GET without a credential is its 401, as on REST; with one, the 405 (with its quota headers)."""
    for path in ("/crm/xmlrpc/v1", "/crm/xmlrpc"):
        r = requests.get(live.url + path, timeout=10)
        assert r.status_code == 401 and r.json() == {"fault": {
            "faultstring": "Invalid access token", "detail": {"errorcode": "oauth.v2.InvalidAccessToken"}}}
        r = requests.put(live.url + path, headers={"X-Keap-API-Key": "KeapAK-nope"}, timeout=10)
        assert r.status_code == 401 and r.json()["fault"]["detail"]["errorcode"] == "oauth.v2.InvalidApiKey"
    r = requests.get(live.url + "/crm/xmlrpc/v1", headers={"X-Keap-API-Key": app.key}, timeout=10)
    assert r.status_code == 405 and r.headers["Allow"] == "POST" and r.json()["message"]
    assert r.headers["x-keap-product-quota-limit"] == "30000"


def test_echo_with_and_without_a_key(live, app):
    proxy = xmlrpc.client.ServerProxy(live.url + "/api/xmlrpc")
    assert proxy.DataService.echo(app.key, "with") == "with"
    assert proxy.DataService.echo("without") == "without"


def test_the_recorded_cache_headers_answer_every_call(live, app):
    """Spec §1.3, the recorded answers: Pragma, Cache-Control, and Expires about 12 hours after Date."""
    from email.utils import parsedate_to_datetime

    body = xmlrpc.client.dumps((app.key, "x"), "DataService.echo")
    r = requests.post(live.url + "/api/xmlrpc", data=body, headers={"Content-Type": "text/xml"}, timeout=10)
    assert r.headers["Pragma"] == "no-cache" and r.headers["Cache-Control"] == "no-cache, no-store"
    ahead = parsedate_to_datetime(r.headers["Expires"]) - parsedate_to_datetime(r.headers["Date"])
    assert 11.9 * 3600 <= ahead.total_seconds() <= 12.1 * 3600
    assert "Expires" in post_raw(live, b"<methodCall>").headers  # a fault too
