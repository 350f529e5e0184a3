"""The inspector's pages through plain HTTP: each page answers 200 for a real app and a 404 page for an unknown
one, every action is the control API's (its refusals shown on the page), and the admin token guards them all."""
from __future__ import annotations

import re
import time
import xmlrpc.client

import pytest
import requests

from tests.conftest import start_server

PAGES = ["", "/outbox", "/http-posts", "/journal", "/journal/rows", "/tools", "/contacts", "/campaigns", "/migration",
         "/email"]


def ui(live, path: str = "/", **kwargs) -> requests.Response:
    return requests.get(live.url + "/sandbox/ui" + path, timeout=30, **kwargs)


def post(live, path: str, data: dict | None = None, **kwargs) -> requests.Response:
    return requests.post(live.url + "/sandbox/ui" + path, data=data or {}, timeout=30, **kwargs)


def notice(response: requests.Response) -> str:
    found = re.search(r'class="flash (?:notice|error)"[^>]*>([^<]*)<', response.text)
    return found.group(1) if found else ""


def test_the_app_list_is_at_the_root_and_at_sandbox_ui(live, app):
    for url in (live.url + "/", live.url + "/sandbox/ui/"):
        r = requests.get(url, timeout=30)
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
        assert f'href="/sandbox/ui/apps/{app.name}"' in r.text
    assert requests.get(live.url + "/sandbox/ui/?page=x", timeout=30).status_code == 400


@pytest.mark.parametrize("page", PAGES)
def test_each_page_of_an_app_answers(live, app, page):
    r = ui(live, f"/apps/{app.name}{page}")
    assert r.status_code == 200, r.text[:500]
    assert "Traceback" not in r.text


@pytest.mark.parametrize("page", PAGES + ["/outbox/1", "/journal/1", "/contacts/1", "/campaigns/1"])
def test_an_unknown_app_is_a_404_page(live, page):
    r = ui(live, f"/apps/no-such-app{page}")
    assert r.status_code == 404
    assert "no app named" in r.text and "<html" in r.text


def test_an_unknown_message_and_call_are_404_pages(live, app):
    assert ui(live, f"/apps/{app.name}/outbox/999999").status_code == 404
    assert ui(live, f"/apps/{app.name}/journal/999999").status_code == 404


def test_the_page_shows_the_clock_in_the_apps_zone_and_an_advance_says_what_ran(live, app):
    app.clock(time="2026-03-02T08:00:00", frozen=True)  # app-local (New York: 13:00 UTC)
    page = ui(live, f"/apps/{app.name}")
    zone = live.control("GET", f"/apps/{app.name}/clock").json()["time_zone"]
    assert "2026-03-02 08:00:00" in page.text and zone in page.text
    r = post(live, f"/apps/{app.name}/clock", {"action": "advance", "by": "1d"})
    assert r.status_code == 200 and "2026-03-03 08:00:00" in r.text
    assert "clock advance: now 2026-03-03T08:00:00" in notice(r) and "ran " in notice(r)


def test_a_bad_clock_change_is_shown_as_the_control_apis_refusal(live, app):
    r = post(live, f"/apps/{app.name}/clock", {"action": "advance", "by": "soon"})
    assert r.status_code == 200
    assert 'class="flash error"' in r.text and "by" in notice(r)
    r = post(live, f"/apps/{app.name}/clock", {"action": "rate", "rate": "fast"})
    assert "rate must be a number" in notice(r)


def test_keys_are_made_revoked_and_the_legacy_key_rotated(live, app):
    r = post(live, f"/apps/{app.name}/api-keys", {"kind": "pat", "name": "ci"}, allow_redirects=False)
    assert r.status_code == 200 and "PAT ci made" in notice(r)  # the key on the answer, not in a redirect's address
    made = notice(r).rsplit(" ", 1)[1]
    assert requests.get(live.url + "/crm/rest/v1/oauth/connect/userinfo", timeout=30,
                        headers={"X-Keap-API-Key": made}).status_code != 401  # the key shown works
    [key] = [k for k in live.control("GET", f"/apps/{app.name}/api-keys").json()["keys"] if k["name"] == "ci"]
    r = post(live, f"/apps/{app.name}/api-keys/{key['id']}/revoke")
    assert f"API key {key['id']} revoked" in notice(r)
    r = post(live, f"/apps/{app.name}/legacy-key", {"key": "brand-new-key-123"})
    assert "brand-new-key-123" in notice(r)
    with pytest.raises(xmlrpc.client.Fault):
        app.call("DataService.echo", "hi")  # the old key stops working
    assert live.control("GET", f"/apps/{app.name}").json()["legacy_api_key"] == "brand-new-key-123"


def test_the_throttle_shows_its_bucket_and_resets(live, app):
    page = ui(live, f"/apps/{app.name}")
    assert "tokens left" in page.text and "<meter" in page.text
    r = post(live, f"/apps/{app.name}/throttle/reset")
    assert "throttle reset" in notice(r)


def test_a_call_is_in_the_journal_and_opens_with_its_parameters(live, app):
    app.call("DataService.echo", "hello inspector")
    rows = ui(live, f"/apps/{app.name}/journal/rows")
    assert "DataService.echo" in rows.text
    [entry_id] = re.findall(rf"/sandbox/ui/apps/{app.name}/journal/(\d+)", rows.text)[:1]
    entry = ui(live, f"/apps/{app.name}/journal/{entry_id}")
    assert entry.status_code == 200 and "hello inspector" in entry.text and "Throttle decision" in entry.text
    assert "DataService.echo" not in ui(live, f"/apps/{app.name}/journal", params={"outcome": "fault"}).text


def test_a_near_miss_shows_its_hint_on_the_call(live, app):
    with pytest.raises(xmlrpc.client.Fault):
        app.call("ContactService.findByEmial", "x@example.com", ["Id"])
    rows = ui(live, f"/apps/{app.name}/journal/rows", params={"outcome": "fault"})
    [entry_id] = re.findall(rf"/sandbox/ui/apps/{app.name}/journal/(\d+)", rows.text)[:1]
    entry = ui(live, f"/apps/{app.name}/journal/{entry_id}")
    assert "Near miss" in entry.text and "ContactService.findByEmail" in entry.text


def test_a_call_with_a_wrong_key_is_in_the_unmatched_journal(live, app):
    with pytest.raises(xmlrpc.client.Fault):
        xmlrpc.client.ServerProxy(live.url + "/api/xmlrpc").DataService.echo("no-such-key-at-all", "lost call")
    rows = ui(live, "/journal/unmatched/rows")
    assert rows.status_code == 200 and "DataService.echo" in rows.text
    [entry_id] = re.findall(r"/sandbox/ui/journal/unmatched/(\d+)", rows.text)[:1]
    entry = ui(live, f"/journal/unmatched/{entry_id}")
    assert entry.status_code == 200 and "lost call" in entry.text
    assert ui(live, "/journal/unmatched").status_code == 200
    assert ui(live, "/journal/unmatched/99999999").status_code == 404


def test_faults_and_snapshots_from_the_page(live, app):
    r = post(live, f"/apps/{app.name}/faults", {"method": "DataService.echo", "action": "xmlrpc_fault",
                                                "tag": "", "message": ""})
    assert "give code and string" in notice(r)  # the rule's own refusal, on the page
    rule = '{"match": {"method": "DataService.echo"}, "action": {"type": "xmlrpc_fault", "code": 7, "string": "no"}}'
    r = post(live, f"/apps/{app.name}/faults", {"json": rule})
    assert "fault rule" in notice(r) and "set" in notice(r)
    with pytest.raises(xmlrpc.client.Fault) as raised:
        app.call("DataService.echo", "x")
    assert raised.value.faultCode == 7
    r = post(live, f"/apps/{app.name}/faults/clear")
    assert app.call("DataService.echo", "x") == "x"
    r = post(live, f"/apps/{app.name}/snapshots", {"name": "bad name!"})
    assert 'class="flash error"' in r.text
    r = post(live, f"/apps/{app.name}/snapshots", {"name": "clean"})
    assert "snapshot clean taken" in notice(r)
    assert "snapshot clean restored" in notice(post(live, f"/apps/{app.name}/snapshots/clean/restore"))
    assert post(live, f"/apps/{app.name}/snapshots/nope/restore").status_code == 200  # back, with the refusal
    export = ui(live, f"/apps/{app.name}/export")
    assert export.status_code == 200 and export.content[:2] == b"\x1f\x8b"


def test_the_outbox_searches_by_recipient_and_shows_the_message(live, app):
    cid = app.call("ContactService.add", {"Email": "reader@example.com", "FirstName": "Rea"})
    app.call("APIEmailService.optIn", "reader@example.com", "test")
    app.call("APIEmailService.sendEmail", [cid], "from@example.com", "~Contact.Email~", "", "", "Multipart",
             "Hello Rea", "<p>Hi <b>there</b></p>", "Hi there")
    listing = ui(live, f"/apps/{app.name}/outbox", params={"q": "reader@"})
    assert "Hello Rea" in listing.text
    assert "Hello Rea" not in ui(live, f"/apps/{app.name}/outbox", params={"q": "nobody@"}).text
    [mid] = re.findall(rf"/sandbox/ui/apps/{app.name}/outbox/(\d+)", listing.text)[:1]
    page = ui(live, f"/apps/{app.name}/outbox/{mid}")
    assert "Hi there" in page.text and "reader@example.com" in page.text
    html = ui(live, f"/apps/{app.name}/outbox/{mid}/html")
    assert "<b>there</b>" in html.text and "sandbox" in html.headers["Content-Security-Policy"]
    assert ui(live, f"/apps/{app.name}/outbox", params={"contact_id": "x"}).status_code == 400
    assert ui(live, f"/apps/{app.name}/outbox", params={"campaign_id": "x"}).status_code == 400
    assert "Hello Rea" not in ui(live, f"/apps/{app.name}/outbox", params={"campaign_id": "1"}).text  # not a campaign's


def test_contacts_are_searched_and_shown_with_their_tags_status_and_campaigns(live, app):
    cid = app.call("ContactService.add", {"FirstName": "Zora", "LastName": "Neale", "Email": "zora@example.com"})
    app.call("APIEmailService.optIn", "zora@example.com", "test")
    [tag] = app.call("DataService.query", "ContactGroup", 1, 0, {"GroupName": "%"}, ["Id", "GroupName"])
    app.call("ContactService.addToGroup", cid, tag["Id"])
    app.call("DataService.add", "ContactAction", {"ContactId": cid, "ActionDescription": "Called about it"})
    listing = ui(live, f"/apps/{app.name}/contacts", params={"q": "zora@"})
    assert "Zora" in listing.text and f"/contacts/{cid}" in listing.text
    assert "Zora" not in ui(live, f"/apps/{app.name}/contacts", params={"q": "nobody-at-all"}).text
    assert "Zora" in ui(live, f"/apps/{app.name}/contacts", params={"q": "Neale"}).text
    page = ui(live, f"/apps/{app.name}/contacts/{cid}")
    assert page.status_code == 200
    for shown in ("zora@example.com", tag["GroupName"], "Called about it", "Email status"):
        assert shown in page.text
    assert ui(live, f"/apps/{app.name}/contacts", params={"page": "x"}).status_code == 400
    assert ui(live, f"/apps/{app.name}/contacts/99999999").status_code == 404


def test_a_campaign_is_imported_shown_with_its_counts_and_unpublished(live, app):
    doc = """name: From the page
goals:
  - {key: go, type: api_call, call_name: go}
sequences:
  - key: s
    items:
      - {type: delay_timer, wait: 1, unit: days}
      - {type: email, name: Later, subject: Later, text: x}
links: [[go, s]]
"""
    r = post(live, f"/apps/{app.name}/campaigns", {"document": doc, "publish": "on"})
    assert "campaign From the page imported" in notice(r), notice(r)
    campaign_url = r.url
    cid = app.call("ContactService.add", {"FirstName": "Wai", "Email": "wait@example.com"})
    app.call("FunnelService.achieveGoal", app.name, "go", cid)
    page = requests.get(campaign_url, timeout=30)
    assert "delay_timer" in page.text and f"/contacts/{cid}" in page.text  # waiting at the timer
    r = post(live, r.url.split("/sandbox/ui")[1].split("?")[0] + "/unpublish")
    assert "campaign unpublished" in notice(r)
    r = post(live, f"/apps/{app.name}/campaigns", {"document": "name: Broken\ngoals: 7\n"})
    assert "not valid" in notice(r)


def test_an_oauth_client_is_registered_and_deleted_from_the_list(live):
    r = post(live, "/oauth/clients", {"name": "From the page", "redirect_uris": "http://localhost:9/cb"})
    assert "OAuth client From the page registered" in notice(r)
    client_id = notice(r).rsplit(" ", 1)[1]
    assert client_id in {c["client_id"] for c in live.control("GET", "/oauth/clients").json()["clients"]}
    assert "absolute URLs" in notice(post(live, "/oauth/clients", {"name": "x", "redirect_uris": "nope"}))
    r = post(live, f"/oauth/clients/{client_id}/delete")
    assert "deleted" in notice(r)
    assert client_id not in {c["client_id"] for c in live.control("GET", "/oauth/clients").json()["clients"]}
    assert "no client" in notice(post(live, f"/oauth/clients/{client_id}/delete"))


def test_an_app_is_made_from_the_list(live):
    r = post(live, "/apps", {"name": "made-in-the-ui", "seed": "off"})
    assert r.status_code == 200 and "app made-in-the-ui created" in notice(r)
    r = post(live, "/apps", {"name": "made-in-the-ui"})
    assert "exists" in notice(r)


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    server, stop = start_server(tmp_path_factory.mktemp("inspector-token"), admin_token="s3cret-token")
    yield server
    stop()


def test_the_admin_token_guards_every_page(guarded):
    headers = {"Authorization": "Bearer s3cret-token"}
    app = make_app_with_token(guarded, headers)
    for path in ["/", f"/apps/{app}", f"/apps/{app}/journal", f"/apps/{app}/tools"]:
        r = ui(guarded, path, allow_redirects=False)
        assert r.status_code == 401 and 'name="token"' in r.text
        assert ui(guarded, path, headers=headers).status_code == 200
    assert requests.get(guarded.url + "/", timeout=30).status_code == 401
    assert post(guarded, f"/apps/{app}/faults/clear", allow_redirects=False).status_code == 401
    assert ui(guarded, "/static/inspector.css").status_code == 200


def test_the_login_form_and_a_token_link_set_a_cookie(guarded):
    session = requests.Session()
    wrong = session.post(guarded.url + "/sandbox/ui/login", data={"token": "nope", "next": "/sandbox/ui/"}, timeout=30)
    assert wrong.status_code == 401 and "not the admin token" in wrong.text
    right = session.post(guarded.url + "/sandbox/ui/login", data={"token": "s3cret-token", "next": "/sandbox/ui/"},
                         timeout=30)
    assert right.status_code == 200 and "Apps" in right.text
    assert session.get(guarded.url + "/sandbox/ui/", timeout=30).status_code == 200
    other = requests.Session()
    r = other.get(guarded.url + "/sandbox/ui/?token=s3cret-token", timeout=30, allow_redirects=False)
    assert r.status_code == 303 and "token" not in r.headers["Location"]
    assert other.get(guarded.url + "/sandbox/ui/", timeout=30).status_code == 200
    away = requests.post(guarded.url + "/sandbox/ui/login", data={"token": "s3cret-token", "next": "//evil.example"},
                         timeout=30, allow_redirects=False)
    assert away.headers["Location"] == "/sandbox/ui/"


def make_app_with_token(live, headers) -> str:
    r = live.control("POST", "/apps", json={"name": "guarded", "seed": False}, headers=headers)
    assert r.status_code == 201, r.text
    return "guarded"


@pytest.mark.parametrize("path", ["/no-such-page", "/apps/x/outbox/not-a-number", "/apps/x/y/z"])
def test_an_unknown_address_is_a_404_page_in_the_inspectors_layout(live, path):
    r = ui(live, path)
    assert r.status_code == 404 and r.headers["Content-Type"].startswith("text/html")
    assert "no inspector page at /sandbox/ui" + path in r.text and "Sandbox inspector" in r.text
    assert post(live, path).status_code == 404


def test_a_long_advance_runs_in_the_background_and_its_page_shows_the_progress(live, app):
    app.clock(time="2026-06-01T08:00:00", frozen=True)
    r = post(live, f"/apps/{app.name}/clock", {"action": "advance", "by": "30d"})  # longer than a week
    assert r.status_code == 200 and "/clock/advances/" in r.url, r.url
    advance_page = r.url
    assert 'id="advance-progress"' in r.text and "2026-07-01 08:00:00" in r.text  # where it goes
    status_url = advance_page.split("?")[0] + "/status"
    for _ in range(200):  # bounded: 20 s
        status = requests.get(status_url, timeout=30).json()
        if status["status"] != "advancing":
            break
        time.sleep(0.1)
    assert status["status"] == "ready" and status["progress"] == 1
    done = requests.get(advance_page, timeout=30)
    assert "Ready: now 2026-07-01 08:00:00" in done.text and "ran " in done.text
    r = post(live, f"/apps/{app.name}/clock", {"action": "advance", "by": "1h", "background": "on"})
    assert "/clock/advances/" in r.url  # asked for
    assert ui(live, f"/apps/{app.name}/clock/advances/999999").status_code == 404
    assert ui(live, f"/apps/{app.name}/clock/advances/999999/status").status_code == 404


def test_fulfillment_lists_are_shown_downloaded_and_marked_complete(live, app):
    """Seed 001: the user "will see the fulfillment job on their dashboard" and marks it complete."""
    from tests.engine.conftest import Campaigns
    from tests.engine.test_sequences import go, one_sequence

    campaigns = Campaigns(app)
    assert "No fulfillment lists delivered." in ui(live, f"/apps/{app.name}/http-posts").text
    campaigns.load(one_sequence({"type": "fulfillment_list", "name": "Kits", "fields": ["FirstName"],
                                 "deliver_to": {"email": "warehouse@example.com"}}))
    go(app, campaigns, "kit@example.com", FirstName="Flo")
    [job] = campaigns.control("GET", "/fulfillment").json()["jobs"]
    page = ui(live, f"/apps/{app.name}/http-posts")
    assert "Kits.csv" in page.text and "Mark complete" in page.text
    csv = ui(live, f"/apps/{app.name}/fulfillment/{job['id']}.csv")
    assert csv.status_code == 200 and csv.text.splitlines() == ["FirstName", "Flo"]
    done = post(live, f"/apps/{app.name}/fulfillment/{job['id']}/complete")
    assert done.status_code == 200 and notice(done) == f"fulfillment job {job['id']} marked complete"
    assert campaigns.control("GET", "/fulfillment").json()["jobs"][0]["status"] == "completed"
    assert "Mark complete" not in ui(live, f"/apps/{app.name}/http-posts").text
    assert "no fulfillment job 999" in notice(post(live, f"/apps/{app.name}/fulfillment/999/complete"))
    assert ui(live, f"/apps/{app.name}/fulfillment/999.csv").status_code == 404
    newest = campaigns.control("GET", "/fulfillment", params={"newest": 1}).json()["jobs"]
    assert [j["id"] for j in newest] == [job["id"]] and "csv" not in newest[0]
    assert campaigns.control("GET", "/fulfillment", params={"newest": 0}).status_code == 400
