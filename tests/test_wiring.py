"""Explicit wiring (server.wiring, server.registry, server.environment): two applications built in one process
with different settings share no registry, listener, method table, change log or sender, and nothing is
attached to SQLAlchemy's Engine class for the whole process."""
from __future__ import annotations

import xmlrpc.client

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from server.config import from_env
from server.registry import Registry
from server.senders import RecordingHttp
from server.store import apps
from server.store.db import transaction
from server.wiring import INSTALLED, build_registry
from server.xmlrpc.methods import Method
from tests.conftest import BACKENDS, PG_URL, _fresh_pg_database, fault_of, make_app, start_server
from tests.rest.conftest import rest_for


@pytest.fixture(scope="module", params=BACKENDS)
def two(request, tmp_path_factory):
    """Two servers in this process, on two stores, with their own public URL; both record what they send."""
    servers, stops = [], []
    for name in ("a", "b"):
        url, drop = _fresh_pg_database(PG_URL) if request.param == "postgresql" else (None, None)
        live, stop = start_server(tmp_path_factory.mktemp(f"wiring-{name}"), url, seed_on_start=False,
                                  senders="record", public_url=f"http://{name}.sandbox.test")
        servers.append(live)
        stops.append((stop, drop))
    yield servers
    for stop, drop in stops:
        stop()
        if drop:
            drop()


def test_each_application_has_its_own_registry_and_environment(two):
    a, b = (live.sandbox for live in two)
    assert a.registry is not b.registry and a.env is not b.env and a.methods is not b.methods
    assert a.env.engine is not b.env.engine and a.env.change_log is not b.env.change_log
    assert a.env.senders.http is not b.env.senders.http
    assert (a.env.base_url, b.env.base_url) == ("http://a.sandbox.test", "http://b.sandbox.test")
    # the change log listens to each application's engine, never to every Engine of the process
    for env in (a.env, b.env):
        assert sa.event.contains(env.engine, "commit", env.change_log._append)
        assert not sa.event.contains(Engine, "commit", env.change_log._append)
    assert not sa.event.contains(b.env.engine, "commit", a.env.change_log._append)


def test_a_listener_sees_the_events_of_its_own_application_only(two):
    seen = {"a": [], "b": []}
    listeners = {}
    for name, live in zip("ab", two):
        listeners[name] = lambda s, event, name=name: seen[name].append((s.app.name, event.entity_id))
        live.sandbox.registry.subscribe("contact.added", listeners[name])
    try:
        app_a, app_b = make_app(two[0], seed=False), make_app(two[1], seed=False)
        first = app_a.call("ContactService.add", {"FirstName": "Ann"})
        second = app_b.call("ContactService.add", {"FirstName": "Bob"})
        third = app_b.call("ContactService.add", {"FirstName": "Bea"})
    finally:
        for name, live in zip("ab", two):
            live.sandbox.registry.unsubscribe("contact.added", listeners[name])
    assert seen == {"a": [(app_a.name, first)], "b": [(app_b.name, second), (app_b.name, third)]}
    app_b.call("ContactService.add", {"FirstName": "Ben"})  # unsubscribed: no longer called
    assert len(seen["b"]) == 2


def test_a_method_added_to_one_application_is_not_served_by_the_other(two):
    a, b = two
    a.sandbox.methods.add(Method(name="SandboxTest.hello", params=(), func=lambda s: "hello", writes=False))
    try:
        app_a, app_b = make_app(a, seed=False), make_app(b, seed=False)
        assert app_a.call("SandboxTest.hello") == "hello"
        with pytest.raises(xmlrpc.client.Fault) as exc:
            app_b.call("SandboxTest.hello")
        assert fault_of(exc) == (0, "No such handler: SandboxTest.hello")
    finally:
        a.sandbox.methods.remove("SandboxTest.hello")


def test_each_application_sends_through_its_own_sender(two):
    a, b = two
    sent_a, sent_b = a.sandbox.env.senders.http, b.sandbox.env.senders.http
    assert isinstance(sent_a, RecordingHttp) and isinstance(sent_b, RecordingHttp)
    before_a, before_b = len(sent_a.sent), len(sent_b.sent)
    rest = rest_for(make_app(a, seed=False))
    hook = rest.ok("POST", "/hooks", json={"eventKey": "contact.add", "hookUrl": "https://hooks.example.com/a"})
    handshakes = sent_a.sent[before_a:]
    assert [s.url for s in handshakes] == ["https://hooks.example.com/a"]
    assert handshakes[0].headers.get("X-Hook-Secret")
    assert len(sent_b.sent) == before_b  # nothing left through the other application's sender
    # the recording sender answers 200 without echoing the secret: the hook is not verified
    assert hook["status"] == "Unverified"


def test_sessions_made_without_a_request_take_their_environments_base_url(two):
    for live, host in zip(two, ("a", "b")):
        app = make_app(live, seed=False)
        with transaction(live.sandbox.engine, write=False) as conn:
            s = live.sandbox.env.session(conn, apps.by_name(conn, app.name))
        assert s.base_url == f"http://{host}.sandbox.test"


def test_registries_built_from_one_configuration_are_separate_and_complete():
    config = from_env()
    first, second = build_registry(config), build_registry(config)
    assert first is not second and first.listeners is not second.listeners
    assert len(first.methods) == len(second.methods) > 150
    assert {w.name for w in first.due_work} == {"campaign timers", "follow-up sequences", "http posts",
                                                "fulfillment lists", "rest_hooks", "billing",
                                                "recurring lead source expenses", "broadcasts"}
    assert "Contact" in first.writers and "invoice.paid" in first.listeners
    first.subscribe("contact.added", print)
    assert "contact.added" not in second.listeners
    assert [package.__name__ for package in INSTALLED] == ["server.domain", "server.engine", "server.services",
                                                           "server.rest", "server.rest_v2"]


def test_the_registry_refuses_a_second_writer_or_due_work_of_one_name():
    registry = Registry()
    writer = type("W", (), {"tables": ("Lead",)})()
    registry.add_writer(writer)
    with pytest.raises(ValueError, match="two writers for the table Lead"):
        registry.add_writer(writer)
    registry.add_due_work("timers", lambda conn, ids: {}, lambda env, app, now: 0)
    with pytest.raises(ValueError, match="registered twice"):
        registry.add_due_work("timers", lambda conn, ids: {}, lambda env, app, now: 0)


def test_listeners_run_in_the_order_they_subscribed_and_by_type_only():
    registry = Registry()
    registry.subscribe(("tag.applied", "tag.removed"), first := (lambda s, e: None))
    registry.subscribe("tag.applied", second := (lambda s, e: None))
    assert registry.listeners == {"tag.applied": (first, second), "tag.removed": (first,)}
    registry.unsubscribe(("tag.applied", "tag.removed"), first)
    assert registry.listeners == {"tag.applied": (second,)}
