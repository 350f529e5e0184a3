"""REST hooks against a real receiver on 127.0.0.1: the X-Hook-Secret handshake (immediate and delayed),
delivery of changes made through REST and XML-RPC, batching, the retry schedule on the app's clock, 410 and
four failures turning a hook Inactive, and the control API's delivery log."""
from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from server.domain.crm import contacts
from server.store import apps, schema
from tests.conftest import serve_in_thread
from tests.engine.receiver import Gathering


class Receiver:
    """A subscriber: records every request; answers handshakes by ``mode`` and deliveries with ``statuses``."""

    def __init__(self):
        self.requests: list[dict] = []
        self.mode = "echo"  # echo | delayed | refuse
        self.statuses: list[int] = []  # answers for the next deliveries (then 200)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                secret = self.headers.get("X-Hook-Secret")
                receiver.requests.append({"path": self.path, "secret": secret,
                                          "body": json.loads(body) if body else None})
                if secret is not None:
                    status = {"echo": 200, "delayed": 200, "refuse": 500}[receiver.mode]
                    self.send_response(status)
                    if receiver.mode == "echo":
                        self.send_header("X-Hook-Secret", secret)
                else:
                    self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        serve_in_thread(self.server)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    @property
    def deliveries(self) -> list[dict]:
        return [r["body"] for r in self.requests if r["secret"] is None]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def frozen(rest):
    rest.app.clock(action="freeze")  # deliveries happen when the test moves the clock, not on the heartbeat
    return rest


def subscribe(rest, receiver, key="contact.add"):
    hook = rest.ok("POST", "/hooks", json={"eventKey": key, "hookUrl": receiver.url})
    return hook


def deliveries(rest, **params):
    r = rest.app.live.control("GET", f"/apps/{rest.app.name}/hooks/deliveries", params=params)
    assert r.status_code == 200
    return r.json()["deliveries"]


def test_event_keys_and_subscription_crud(frozen, receiver):
    rest = frozen
    keys = rest.ok("GET", "/hooks/event_keys")
    assert "contactGroup.applied" in keys and "contact.add" in keys and not any(k.startswith("tag.") for k in keys)
    hook = subscribe(rest, receiver)
    assert hook["status"] == "Verified" and hook["eventKey"] == "contact.add" and hook["hookUrl"] == receiver.url
    assert receiver.requests[0]["secret"] and receiver.requests[0]["body"] is None  # the handshake
    assert rest.ok("GET", "/hooks") == [hook]  # a bare array
    assert rest.ok("GET", f"/hooks/{hook['key']}") == hook
    changed = rest.ok("PUT", f"/hooks/{hook['key']}", json={"eventKey": "contact.edit", "hookUrl": receiver.url})
    assert changed["eventKey"] == "contact.edit" and changed["status"] == "Verified"
    assert len([r for r in receiver.requests if r["secret"]]) == 2  # verified again
    assert rest.post("/hooks", json={"eventKey": "tag.applied", "hookUrl": receiver.url}).status_code == 400
    assert rest.post("/hooks", json={"eventKey": "contact.add"}).status_code == 400
    assert rest.delete(f"/hooks/{hook['key']}").status_code == 204
    assert rest.get(f"/hooks/{hook['key']}").status_code == 404
    assert rest.get("/hooks/abc").status_code == 404
    for key in ("999999999999999999999999999999", "2147483648", "\u00b2"):  # no hook can have these (a 500 before)
        assert rest.get(f"/hooks/{key}").status_code == 404
        changed = rest("PUT", f"/hooks/{key}", json={"eventKey": "contact.add", "hookUrl": receiver.url})
        assert changed.status_code == 404
        assert rest.delete(f"/hooks/{key}").status_code == 404


def test_a_key_with_leading_zeros_names_no_hook(frozen, receiver):
    """Keys are opaque strings (spec §8.1): ``0<key>`` is not the key the service handed out, on every operation."""
    rest = frozen
    hook = subscribe(rest, receiver)
    padded = "0" + hook["key"]
    body = {"eventKey": "contact.edit", "hookUrl": receiver.url}
    for method, path, kwargs in [("GET", "", {}), ("PUT", "", {"json": body}), ("POST", "/verify", {}),
                                 ("POST", "/delayedVerify", {"headers": {"X-Hook-Secret": "x"}}), ("DELETE", "", {})]:
        r = rest(method, f"/hooks/{padded}{path}", **kwargs)
        assert r.status_code == 404 and r.json() == {"message": "Unable to find this RestHook"}, (method, path, r.text)
    assert rest.get("/hooks/0").status_code == 404
    assert rest.ok("GET", "/hooks") == [hook]  # untouched


# URLs no request can be made to: a host label over 63 characters (urllib3 refuses it while connecting: a 500
# that kept the hook, before), the same in a 5000-character host, whitespace, no host, a bad port, an unclosed or
# bad IPv6 address, an empty label, a control character, another scheme
UNSENDABLE = ["http://" + "a" * 70 + ".com/", "https://" + "x" * 5000, "http://exa mple.com/x",
              "http://user:pa ss@a.com/x", "http://[::1", "http://a:99999/x", "http://a:0/x", "http:///////x",
              "http://a..b/", "http://[zz::1]/", "http://a/\x01", "ftp://a.com/x"]


def test_a_hook_url_no_request_can_be_made_to_is_a_400_and_nothing_is_stored(frozen, receiver):
    rest = frozen
    hook = subscribe(rest, receiver, "task.add")
    for url in UNSENDABLE:
        made = rest.post("/hooks", json={"eventKey": "contact.add", "hookUrl": url})
        assert made.status_code == 400 and made.json()["message"].startswith("Invalid hookUrl: "), (url, made.text)
        changed = rest.put(f"/hooks/{hook['key']}", json={"eventKey": "task.edit", "hookUrl": url})
        assert changed.status_code == 400 and changed.json()["message"] == made.json()["message"], (url, changed.text)
    too_long = rest.post("/hooks", json={"eventKey": "contact.add", "hookUrl": UNSENDABLE[0]}).json()["message"]
    assert too_long.endswith("(a label of its host name is longer than 63 characters)")
    assert len(rest.post("/hooks", json={"eventKey": "contact.add", "hookUrl": UNSENDABLE[1]}).json()["message"]) < 400
    assert rest.ok("GET", "/hooks") == [hook]  # nothing made, nothing changed
    assert len([r for r in receiver.requests if r["secret"]]) == 1  # and no handshake sent
    # URLs a request can be made to are kept (their handshakes go nowhere: Unverified)
    for url in ("http://[::1]:1/x", "http://user:pw@127.0.0.1:1/x?y=1#z", "http://localhost.:1/x"):
        assert rest.ok("POST", "/hooks", json={"eventKey": "contact.add", "hookUrl": url})["status"] == "Unverified"
    # a hook kept with such a URL from before the check (an older snapshot): verifying it fails, it is no 500
    sandbox = rest.app.live.sandbox
    with sandbox.engine.begin() as conn:
        s = sandbox.env.session(conn, apps.by_name(conn, rest.app.name))
        s.update(schema.rest_hook, schema.rest_hook.c.id == int(hook["key"]), hook_url=UNSENDABLE[0])
    verified = rest.post(f"/hooks/{hook['key']}/verify")
    assert verified.status_code == 200 and verified.json()["status"] == "Unverified", verified.text


def test_delayed_verification(frozen, receiver):
    rest = frozen
    receiver.mode = "delayed"
    hook = subscribe(rest, receiver)
    assert hook["status"] == "Unverified"
    secret = receiver.requests[-1]["secret"]
    wrong = rest.post(f"/hooks/{hook['key']}/delayedVerify", headers={"X-Hook-Secret": "nope"})
    assert wrong.status_code == 400 and "message" in wrong.json()
    ok = rest.ok("POST", f"/hooks/{hook['key']}/delayedVerify", headers={"X-Hook-Secret": secret})
    assert ok["status"] == "Verified"


def test_a_changed_event_key_drops_the_deliveries_queued_for_the_old_one(frozen, receiver):
    """A subscription gets the events of its own eventKey only: a PUT that changes the key drops what was queued
    under the old one (it reached the new URL before); one that keeps the key only moves its queue to the URL."""
    rest = frozen
    hook = subscribe(rest, receiver, "contact.add")
    rest.app.call("ContactService.add", {"FirstName": "Queued"})  # queued for contact.add, due in 30 s
    changed = rest.ok("PUT", f"/hooks/{hook['key']}", json={"eventKey": "note.add", "hookUrl": receiver.url + "/new"})
    assert changed["status"] == "Verified"
    note = rest.ok("POST", "/notes", 201, json={"contact_id": 6, "title": "after the change"})
    rest.app.clock(by="1m")
    assert [(d["event_key"], [k["id"] for k in d["object_keys"]]) for d in receiver.deliveries] == [
        ("note.add", [note["id"]])]
    assert [r["path"] for r in receiver.requests if r["secret"] is None] == ["/hook/new"]
    assert [(d["event_key"], d["status"]) for d in deliveries(rest)] == [("contact.add", "dropped"),
                                                                          ("note.add", "delivered")]
    # the same key at another URL: what is queued goes there
    edited = rest.ok("POST", "/notes", 201, json={"contact_id": 6, "title": "queued, then moved"})
    rest.ok("PUT", f"/hooks/{hook['key']}", json={"eventKey": "note.add", "hookUrl": receiver.url + "/moved"})
    rest.app.clock(by="1m")
    assert [r["path"] for r in receiver.requests if r["secret"] is None] == ["/hook/new", "/hook/moved"]
    assert [k["id"] for k in receiver.deliveries[-1]["object_keys"]] == [edited["id"]]


def test_delayed_verify_requires_the_secret_header_and_documents_it(frozen, receiver):
    """Keap's document declares X-Hook-Secret a required header of delayedVerify (spec §8.1): the served document
    says so, and a call without it is told what is missing, not that the secret does not match."""
    rest = frozen
    receiver.mode = "delayed"
    hook = subscribe(rest, receiver)
    missing = rest.post(f"/hooks/{hook['key']}/delayedVerify")
    assert missing.status_code == 400 and missing.json() == {"message": "Required header is missing: X-Hook-Secret"}
    empty = rest.post(f"/hooks/{hook['key']}/delayedVerify", headers={"X-Hook-Secret": ""})
    assert empty.status_code == 400 and "does not match" in empty.json()["message"]
    assert rest.ok("GET", f"/hooks/{hook['key']}")["status"] == "Unverified"
    doc = rest.get("/openapi.json").json()
    parameters = doc["paths"]["/hooks/{key}/delayedVerify"]["post"]["parameters"]
    assert {"name": "X-Hook-Secret", "in": "header", "required": True, "schema": {"type": "string"}} in parameters


def test_unverified_hooks_get_nothing(frozen, receiver):
    rest = frozen
    receiver.mode = "refuse"
    hook = subscribe(rest, receiver)
    assert hook["status"] == "Unverified"
    rest.ok("POST", "/contacts", 201, json={"given_name": "X", "email_addresses": [{"email": "x@example.com",
                                                                                    "field": "EMAIL1"}]})
    rest.app.clock(by="10m")
    assert receiver.deliveries == [] and deliveries(rest) == []


def test_changes_from_both_protocols_are_delivered_batched_after_the_delay(frozen, receiver):
    rest = frozen
    subscribe(rest, receiver)
    made = rest.ok("POST", "/contacts", 201, json={"given_name": "Rest", "email_addresses": [
        {"email": "rest@example.com", "field": "EMAIL1"}]})
    xml_id = rest.app.call("ContactService.add", {"FirstName": "Xml", "Email": "xml@example.com"})
    rest.app.clock(by="10s")
    assert receiver.deliveries == []  # the first attempt comes 30-60 s after the change
    pending = deliveries(rest, status="pending")
    assert len(pending) == 1 and pending[0]["object_count"] == 2
    rest.app.clock(by="30s")
    assert len(receiver.deliveries) == 1
    body = receiver.deliveries[0]
    assert body["event_key"] == "contact.add" and body["object_type"] == "contact"
    assert [k["id"] for k in body["object_keys"]] == [made["id"], xml_id]
    key = body["object_keys"][0]
    assert key["apiUrl"].endswith(f"/crm/rest/v1/contacts/{made['id']}") and key["timestamp"].endswith("Z")
    log = deliveries(rest)
    assert log[0]["status"] == "delivered" and log[0]["log"][0]["status"] == 200


def test_tags_fire_contact_group_applied_with_the_longer_delay(frozen, receiver):
    rest = frozen
    subscribe(rest, receiver, "contactGroup.applied")
    tag = rest.ok("POST", "/tags", json={"name": "Hooked"})
    rest.ok("POST", f"/tags/{tag['id']}/contacts", json={"ids": [6, 7]})
    rest.app.call("ContactService.addToGroup", 8, tag["id"])
    rest.app.clock(by="2m")
    assert receiver.deliveries == []
    rest.app.clock(by="4m")
    assert len(receiver.deliveries) == 1
    keys = receiver.deliveries[0]["object_keys"]
    assert receiver.deliveries[0]["event_key"] == "contactGroup.applied"
    assert [k["contact_details"][0]["id"] for k in keys] == [6, 7, 8] and {k["id"] for k in keys} == {tag["id"]}


def test_retries_on_the_schedule_then_inactive(frozen, receiver, caplog):
    caplog.set_level("WARNING", logger="sandbox.outbox")
    rest = frozen
    hook = subscribe(rest, receiver, "note.add")
    receiver.statuses = [500, 502, 404, 500]
    rest.ok("POST", "/notes", 201, json={"contact_id": 6, "title": "retry me"})
    rest.app.clock(by="30s")
    assert len(receiver.deliveries) == 1
    rest.app.clock(by="59s")
    assert len(receiver.deliveries) == 1  # the first retry is 60 s later
    rest.app.clock(by="1s")
    assert len(receiver.deliveries) == 2
    rest.app.clock(by="5m")
    assert len(receiver.deliveries) == 3
    rest.app.clock(by="30m")
    assert len(receiver.deliveries) == 4
    assert rest.ok("GET", f"/hooks/{hook['key']}")["status"] == "Inactive"
    log = deliveries(rest)[0]
    assert log["status"] == "failed" and [a["status"] for a in log["log"]] == [500, 502, 404, 500]
    [gave_up] = [r for r in caplog.records if r.name == "sandbox.outbox" and r.levelname == "WARNING"]
    assert f"delivery {log['id']} of app {rest.app.name} to {receiver.url}" in gave_up.getMessage()
    assert "gave up after attempt 4 (500)" in gave_up.getMessage()
    rest.ok("POST", "/notes", 201, json={"contact_id": 6, "title": "not sent: inactive"})
    rest.app.clock(by="1h")
    assert len(receiver.deliveries) == 4
    assert rest.ok("POST", f"/hooks/{hook['key']}/verify")["status"] == "Verified"  # reactivated


def test_gone_makes_the_hook_inactive_at_once(frozen, receiver):
    rest = frozen
    hook = subscribe(rest, receiver, "task.add")
    receiver.statuses = [410]
    rest.ok("POST", "/tasks", json={"title": "T", "due_date": "2030-01-01T00:00:00Z"})
    rest.app.clock(by="1m")
    assert len(receiver.deliveries) == 1
    assert rest.ok("GET", f"/hooks/{hook['key']}")["status"] == "Inactive"
    rest.app.clock(by="1h")
    assert len(receiver.deliveries) == 1


def test_a_batch_holds_at_most_1000_keys(frozen, receiver):
    rest = frozen
    subscribe(rest, receiver, "contact.edit")
    ids = [c["id"] for c in rest.ok("GET", "/contacts", params={"limit": 1000})["contacts"]]
    sandbox = rest.app.live.sandbox
    with sandbox.engine.begin() as conn:  # 1001 changes in one transaction, through the domain
        s = sandbox.env.session(conn, apps.by_name(conn, rest.app.name))
        for i in range(1001):
            contacts.update(s, ids[i % len(ids)], {"Nickname": f"n{i}"})
    rest.app.clock(by="1m")
    assert [len(d["object_keys"]) for d in receiver.deliveries] == [1000, 1]


def test_a_clock_advance_counts_the_deliveries_it_made(frozen, receiver):
    rest = frozen
    subscribe(rest, receiver, "note.add")
    receiver.statuses = [500]
    rest.ok("POST", "/notes", 201, json={"contact_id": 6, "title": "counted"})
    ran = rest.app.clock(by="2m")["ran"]  # the attempt at 30 s fails, the retry 60 s later is delivered
    assert ran["rest_hooks"] == {"made": 2, "failed": 1} and len(receiver.deliveries) == 2


def test_deliveries_to_several_hooks_in_a_jump_are_sent_at_once(frozen):
    """Three hooks on one slow subscriber: an advance sends their deliveries concurrently (issue 12 point 3)."""
    rest = frozen
    receiver = Gathering(expected=3)
    try:
        rest.app.live.control("PATCH", f"/apps/{rest.app.name}/options", json={"delivery_timeout_in_advance_s": 10})
        for key in ("note.add", "task.add", "contact.add"):
            assert rest.ok("POST", "/hooks", json={"eventKey": key, "hookUrl": receiver.url + "/hook"})["status"] \
                == "Verified"
        rest.ok("POST", "/notes", 201, json={"contact_id": 6, "title": "one"})
        rest.ok("POST", "/tasks", json={"title": "two", "due_date": "2030-01-01T00:00:00Z"})
        rest.ok("POST", "/contacts", 201, json={"given_name": "Three", "email_addresses": [
            {"email": "three@example.com", "field": "EMAIL1"}]})
        ran = rest.app.clock(by="1h")["ran"]
        assert receiver.most == 3 and ran["rest_hooks"] == {"made": 3, "failed": 0}
        assert [d["status"] for d in deliveries(rest)] == ["delivered"] * 3
    finally:
        receiver.close()
