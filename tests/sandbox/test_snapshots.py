"""Snapshots of an app and deleting an app, end to end through a live server (SQLite, and PostgreSQL when
SANDBOX_TEST_DATABASE_URL is set), driven with xmlrpc.client and requests."""
from __future__ import annotations

import base64
import xmlrpc.client

import pytest
import requests
import sqlalchemy as sa

from server.store import apps, schema
from server.store import snapshots as store
from server.store.db import transaction
from tests.conftest import fault_of, make_app
from tests.engine.conftest import Campaigns
from tests.rest.conftest import rest_for

GO = {"key": "go", "type": "api_call", "call_name": "go"}


def email(subject: str) -> dict:
    return {"type": "email", "name": subject, "subject": subject, "text": "x"}


def control(app, method: str, path: str = "", **kwargs):
    return app.live.control(method, f"/apps/{app.name}{path}", **kwargs)


def snapshot(app, name: str):
    r = control(app, "POST", "/snapshots", json={"name": name})
    assert r.status_code == 201, r.text
    return r.json()


def restore(app, name: str):
    r = control(app, "POST", f"/snapshots/{name}/restore")
    assert r.status_code == 200, r.text
    return r.json()


def tags_of(app, cid: int) -> list[int]:
    return sorted(r["GroupId"] for r in app.call("DataService.query", "ContactGroupAssign", 100, 0,
                                                  {"ContactId": cid}, ["GroupId"]))


def state(app, campaigns: Campaigns, rest) -> dict:
    """What a client and the control API can see of the app."""
    token = rest.ok("GET", "/tasks")["sync_token"]
    return {
        "contacts": app.call("DataService.query", "Contact", 1000, 0, {"Id": "%"}, ["Id", "FirstName", "Email"],
                             "Id", True),
        "tags": app.call("DataService.query", "ContactGroupAssign", 1000, 0, {"GroupId": "%"},
                         ["ContactId", "GroupId"], "ContactId", True),
        "enrollments": campaigns.enrollments(),
        "outbox": [(m["contact_id"], m["subject"]) for m in campaigns.outbox()],
        "clock": control(app, "GET", "/clock").json(),
        "sync_token": token,
        "tasks_since": rest.ok("GET", "/tasks/sync", params={"sync_token": token})["task_statuses"],
    }


def test_restore_puts_back_contacts_tags_clock_enrollments_and_sync_tokens(app):
    campaigns = Campaigns(app)
    rest = rest_for(app)
    app.clock(time="2026-03-02T08:00:00", frozen=True)
    campaigns.load({"name": "Drip", "goals": [GO], "links": [["go", "s"]], "sequences": [
        {"key": "s", "items": [email("first"), {"type": "delay_timer", "wait": 1, "unit": "days"}, email("later")]}]})
    enrolled = campaigns.contact("drip@example.com", FirstName="Drip")
    app.call("FunnelService.achieveGoal", app.name, "go", enrolled)
    doomed = app.call("ContactService.add", {"FirstName": "Doomed", "Email": "doomed@example.com"})
    tagged = app.call("ContactService.add", {"FirstName": "Tagged"})
    tag = app.call("DataService.add", "ContactGroup", {"GroupName": "Snapshot tag"})
    assert app.call("ContactService.addToGroup", tagged, tag) is True
    before = state(app, campaigns, rest)
    assert [e["contact_id"] for e in before["enrollments"]] == [enrolled]
    assert (enrolled, "later") not in before["outbox"]

    saved = snapshot(app, "clean")
    assert saved["name"] == "clean" and saved["app_time"].startswith("2026-03-02T13:00:00")  # 08:00 New York

    for _ in range(2):  # restoring twice gives the same state each time
        assert app.call("DataService.delete", "Contact", doomed) is True
        assert app.call("ContactService.removeFromGroup", tagged, tag) is True
        rest.ok("POST", "/tasks", json={"title": "after the snapshot", "due_date": "2030-01-01T10:00:00Z"})
        app.clock(action="advance", by="2d")
        changed = state(app, campaigns, rest)
        assert (enrolled, "later") in changed["outbox"] and changed["sync_token"] != before["sync_token"]
        assert tags_of(app, tagged) == []
        with pytest.raises(xmlrpc.client.Fault):
            app.call("ContactService.load", doomed, ["Id"])

        answer = restore(app, "clean")
        assert answer["clock"].startswith("2026-03-02T13:00:00")
        assert state(app, campaigns, rest) == before
        assert app.call("ContactService.load", doomed, ["FirstName"]) == {"FirstName": "Doomed"}
        assert tags_of(app, tagged) == [tag]

    # the ids go on from where they were at the snapshot: the next contact gets the id it got the first time
    again = app.call("ContactService.add", {"FirstName": "Next"})
    restore(app, "clean")
    assert app.call("ContactService.add", {"FirstName": "Next again"}) == again
    # the enrollment goes on from the snapshot: its timer fires again when the clock reaches it
    app.clock(action="advance", by="2d")
    assert [s for c, s in state(app, campaigns, rest)["outbox"] if c == enrolled] == ["first", "later"]


def test_credentials_settings_and_options_are_put_back(app):
    rest = rest_for(app)
    old_key = app.key
    snapshot(app, "keys")
    made = control(app, "POST", "/api-keys", json={"kind": "pat", "name": "later"}).json()["key"]
    rotated = control(app, "POST", "/legacy-key")
    assert rotated.status_code == 200, rotated.text
    assert control(app, "PATCH", "/options", json={"load_missing": "empty"}).status_code == 200
    restore(app, "keys")
    assert app.call("ContactService.add", {"FirstName": "Key"}) > 0  # the key of the snapshot works again
    assert control(app, "GET").json()["legacy_api_key"] == old_key
    assert control(app, "GET", "/options").json()["load_missing"] == "fault"
    assert rest.get("/contacts", params={"limit": 1}).status_code == 200
    later = requests.get(app.live.url + "/crm/rest/v1/contacts", headers={"X-Keap-API-Key": made}, timeout=10)
    assert later.status_code == 401  # a key made after the snapshot is gone with it


def test_the_throttle_state_is_put_back(app):
    app.clock(time="2026-03-02T08:00:00", frozen=True)  # no refill while the test runs
    for _ in range(5):
        app.call("DataService.echo", "spend a token")
    level = control(app, "GET", "/throttle").json()["legacy"]["level"]
    snapshot(app, "spent")
    assert control(app, "POST", "/throttle/reset").json()["legacy"]["level"] > level
    restore(app, "spent")
    assert control(app, "GET", "/throttle").json()["legacy"]["level"] == level


def test_listing_deleting_and_refusals(app):
    assert control(app, "GET", "/snapshots").json()["snapshots"] == []
    snapshot(app, "one")
    snapshot(app, "two.b_3")
    assert [s["name"] for s in control(app, "GET", "/snapshots").json()["snapshots"]] == ["one", "two.b_3"]
    r = control(app, "POST", "/snapshots", json={"name": "one"})
    assert r.status_code == 409 and "one" in r.json()["error"]
    for body in ({}, {"name": ""}, {"name": "a/b"}, {"name": 7}, {"name": "x" * 129}):
        r = control(app, "POST", "/snapshots", json=body)
        assert r.status_code == 400 and "name" in r.json()["error"], body
    r = control(app, "POST", "/snapshots", json={"name": "ok", "label": "x"})
    assert r.status_code == 400 and "label" in r.json()["error"]
    r = control(app, "POST", "/snapshots", data="{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert control(app, "POST", "/snapshots/nope/restore").status_code == 404
    assert control(app, "DELETE", "/snapshots/nope").status_code == 404
    assert control(app, "DELETE", "/snapshots/one").json() == {"app": app.name, "deleted": "one"}
    assert [s["name"] for s in control(app, "GET", "/snapshots").json()["snapshots"]] == ["two.b_3"]
    assert app.live.control("POST", "/apps/no-such-app/snapshots", json={"name": "x"}).status_code == 404
    # a snapshot is not an app: never listed
    listed = [a["name"] for a in app.live.control("GET", "/apps").json()["apps"]]
    assert not any(n.startswith(apps.INTERNAL_PREFIX) for n in listed)


def test_a_snapshot_survives_a_reset(app):
    cid = app.call("ContactService.add", {"FirstName": "Kept"})
    snapshot(app, "before-reset")
    assert control(app, "POST", "/reset").status_code == 200
    restore(app, "before-reset")
    assert app.call("ContactService.load", cid, ["FirstName"]) == {"FirstName": "Kept"}


def test_every_app_owned_table_is_saved_and_restored(live):
    """Every table with an app id column, found from the metadata (a table added later is in it), is either
    copied row for row into the snapshot or kept in its state (credentials); nothing else is left out."""
    app = make_app(live)
    rest_for(app)
    app.call("FileService.uploadFile", "notes.txt", base64.b64encode(b"hello").decode())
    live.control("POST", f"/apps/{app.name}/vendor-keys", json={"name": "v"})
    engine = live.sandbox.engine
    # the control plane's records of the app, not its state; the migration counter outlives resets and restores
    control = {schema.app_snapshot, schema.clock_advance, schema.legacy_call}
    owned = [t for t in schema.metadata.sorted_tables if "app_id" in t.c and t not in control]
    copied, kept = set(schema.app_data_tables()), set(store.credential_tables())
    assert set(owned) == copied | kept and not copied & kept

    def counts(app_id):
        with transaction(engine, write=False) as conn:
            return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t).where(t.c.app_id == app_id))
                    .scalar() for t in owned}

    with transaction(engine, write=False) as conn:
        record = apps.by_name(conn, app.name)
    original = counts(record.id)
    assert original["contact"] > 0 and original["file_box"] == 1 and original["keap_key"] == 1
    snapshot(app, "all")
    with transaction(engine, write=False) as conn:
        saved = store.find(conn, record.id, "all")
    in_holder = counts(saved.holder_app_id)
    assert {t.name: in_holder[t.name] for t in copied} == {t.name: original[t.name] for t in copied}
    assert {t.name: len(saved.state["credentials"][t.name]) for t in kept} == {t.name: original[t.name] for t in kept}
    with transaction(engine, write=True) as conn:  # everything gone, then back
        apps.wipe(conn, record.id)
        for t in kept:
            conn.execute(sa.delete(t).where(t.c.app_id == record.id))
    assert not any(counts(record.id).values())
    restore(app, "all")
    assert counts(record.id) == original


def test_deleting_an_app_removes_everything_it_owns(live):
    app = make_app(live)
    rest = rest_for(app)
    file_id = app.call("FileService.uploadFile", "notes.txt", base64.b64encode(b"bye").decode())
    assert file_id
    snapshot(app, "doomed")
    engine = live.sandbox.engine
    with transaction(engine, write=False) as conn:
        record = apps.by_name(conn, app.name)
        holder = store.find(conn, record.id, "doomed").holder_app_id
    assert (live.data_dir / "files" / str(record.id)).exists()

    r = live.control("DELETE", f"/apps/{app.name}")
    assert r.status_code == 200 and r.json() == {"deleted": app.name}
    with pytest.raises(xmlrpc.client.Fault) as excinfo:
        app.call("DataService.echo", "hello")
    code, text = fault_of(excinfo)
    assert "[InvalidKey]" in text
    assert rest.get("/contacts").status_code == 401
    assert live.control("GET", f"/apps/{app.name}").status_code == 404
    assert live.control("DELETE", f"/apps/{app.name}").status_code == 404
    assert not (live.data_dir / "files" / str(record.id)).exists()
    with transaction(engine, write=False) as conn:
        for app_id in (record.id, holder):
            for t in schema.metadata.sorted_tables:
                if "app_id" in t.c:
                    left = conn.execute(sa.select(sa.func.count()).select_from(t).where(t.c.app_id == app_id))
                    assert left.scalar() == 0, t.name
            assert apps.by_id(conn, app_id) is None
    # the name is free again
    assert live.control("POST", "/apps", json={"name": app.name}).status_code == 201


@pytest.mark.parametrize("back", ["restore", "reset"])
def test_a_campaign_published_after_a_restore_runs_as_published(app, back):
    """After a restore (or a reset) the ids and version numbers of campaigns start again where the snapshot (the
    seed) had them: a campaign published then has the id and version of one published before, and must run as
    published now, not as the compiled graph the server remembers of the other."""
    campaigns = Campaigns(app)
    snapshot(app, "no-campaign")

    def publish_and_run(subject: str) -> list[str]:
        made = campaigns.load({"name": subject, "goals": [GO], "links": [["go", "s"]],
                               "sequences": [{"key": "s", "items": [email(subject)]}]})
        cid = campaigns.contact(f"{subject.lower()}@example.com")
        app.call("FunnelService.achieveGoal", app.name, "go", cid)
        return made["id"], [m["subject"] for m in campaigns.outbox(contact_id=cid)]

    first = publish_and_run("Before")
    if back == "restore":
        restore(app, "no-campaign")
    else:
        assert control(app, "POST", "/reset").status_code == 200
    second = publish_and_run("After")
    assert second[0] == first[0]  # the same campaign id, and version 1 again
    assert first[1] == ["Before"] and second[1] == ["After"]


def test_a_restore_puts_back_rows_changed_deleted_and_added_exactly(live):
    """On SQLite a restore writes only what differs (server.store.apps.restore_data): rows changed in place, gone
    and new since the snapshot all come back as saved, every column of every table, NULLs included."""
    app = make_app(live, seed=False)
    kept = app.call("ContactService.add", {"FirstName": "Kept", "Email": "kept@example.com"})  # many NULL columns
    changed = app.call("ContactService.add", {"FirstName": "Before", "Email": "before@example.com"})
    gone = app.call("ContactService.add", {"FirstName": "Gone"})
    tag = app.call("DataService.add", "ContactGroup", {"GroupName": "T"})
    app.call("ContactService.addToGroup", changed, tag)
    engine = live.sandbox.engine
    with transaction(engine, write=False) as conn:
        record = apps.by_name(conn, app.name)

    def rows(app_id):
        out = {}
        with transaction(engine, write=False) as conn:
            for t in schema.app_data_tables():
                columns = [c for c in t.c if c.name != "app_id" and c.autoincrement is not True]
                out[t.name] = sorted(repr(tuple(r)) for r in conn.execute(sa.select(*columns)
                                                                         .where(t.c.app_id == app_id)))
        return out

    saved = rows(record.id)
    snapshot(app, "exact")
    app.call("ContactService.update", changed, {"FirstName": "After", "Email": ""})
    app.call("ContactService.removeFromGroup", changed, tag)
    app.call("DataService.delete", "Contact", gone)
    added = app.call("ContactService.add", {"FirstName": "New"})
    assert rows(record.id) != saved
    restore(app, "exact")
    assert rows(record.id) == saved
    found = app.call("DataService.query", "Contact", 10, 0, {"Id": "%"}, ["Id", "FirstName"], "Id", True)
    assert found == [{"Id": kept, "FirstName": "Kept"}, {"Id": changed, "FirstName": "Before"},
                     {"Id": gone, "FirstName": "Gone"}]
    assert tags_of(app, changed) == [tag] and added == gone + 1
