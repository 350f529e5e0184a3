"""A queued hook delivery survives a restart of the server: its state is in the database."""
from __future__ import annotations

import requests

from tests.conftest import start_server
from tests.rest.test_hooks import Receiver


def test_a_pending_delivery_is_sent_after_a_restart(tmp_path):
    receiver = Receiver()
    first, stop = start_server(tmp_path, tick_seconds=0)
    try:
        key = first.control("POST", "/apps/sandbox/api-keys", json={"kind": "sak"}).json()["key"]
        first.control("PATCH", "/apps/sandbox/throttle", json={"enabled": False})
        first.control("POST", "/apps/sandbox/clock", json={"action": "freeze"})
        headers = {"X-Keap-API-Key": key}
        hook = requests.post(first.url + "/crm/rest/v1/hooks", json={"eventKey": "contact.add",
                                                                      "hookUrl": receiver.url},
                             headers=headers, timeout=10).json()
        assert hook["status"] == "Verified"
        made = requests.post(first.url + "/crm/rest/v1/contacts", headers=headers, timeout=10, json={
            "given_name": "Before", "email_addresses": [{"email": "before@example.com", "field": "EMAIL1"}]})
        assert made.status_code == 201
    finally:
        stop()
    assert receiver.deliveries == []

    second, stop = start_server(tmp_path, tick_seconds=0)
    try:
        pending = second.control("GET", "/apps/sandbox/hooks/deliveries").json()["deliveries"]
        assert [d["status"] for d in pending] == ["pending"]
        second.control("POST", "/apps/sandbox/clock", json={"by": "1m"})
        assert [k["id"] for d in receiver.deliveries for k in d["object_keys"]] == [made.json()["id"]]
    finally:
        stop()
        receiver.close()
