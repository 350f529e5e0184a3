"""A gateway call's credential check reads in the call's own transaction: a read made with a Keap API key, on the
gateway's XML-RPC endpoint as on REST v2, takes one connection from the pool, not one for the key and another for
the read (counted by the pool's checkout event, on the threads that serve requests)."""
from __future__ import annotations

import threading
import xmlrpc.client
from contextlib import contextmanager

import requests
from sqlalchemy import event

from tests.rest_v2.conftest import service_key


@contextmanager
def checkouts(engine):
    """The pool checkouts the server's request threads make meanwhile (not the test's own, nor a background
    thread's)."""
    made: list[str] = []

    def seen(*_):
        name = threading.current_thread().name
        if "process_request_thread" in name:
            made.append(name)

    event.listen(engine, "checkout", seen)
    try:
        yield made
    finally:
        event.remove(engine, "checkout", seen)


def test_a_gateway_read_checks_its_key_and_reads_in_one_transaction(app):
    key = service_key(app)
    contact_id = app.call("ContactService.add", {"FirstName": "Ada", "Email": "ada@gateway.test"})
    gateway = xmlrpc.client.ServerProxy(app.live.url + "/crm/xmlrpc/v1", headers=[("X-Keap-API-Key", key)])
    engine = app.live.sandbox.engine

    with checkouts(engine) as made:
        assert gateway.ContactService.load("", contact_id, ["FirstName"]) == {"FirstName": "Ada"}
    assert len(made) == 1, made

    with checkouts(engine) as made:
        read = requests.get(f"{app.live.url}/crm/rest/v2/contacts/{contact_id}", headers={"X-Keap-API-Key": key},
                            timeout=10)
        assert read.status_code == 200 and read.json()["given_name"] == "Ada"
    assert len(made) == 1, made

    with checkouts(engine) as made:  # a write: the key read, then a writer of its own
        assert gateway.ContactService.update("", contact_id, {"LastName": "Lovelace"}) == contact_id
    assert len(made) == 2, made
    assert app.call("ContactService.load", contact_id, ["LastName"]) == {"LastName": "Lovelace"}
