"""The inspector in a real browser (headless Chromium): what a person does on the pages reaches the app, and
what the app does shows on the pages (issue 17 §1)."""
from __future__ import annotations

import xmlrpc.client

import pytest
from playwright.sync_api import expect

from tests.email.test_broadcasts import _tag
from tests.engine.conftest import Campaigns
from tests.engine.test_email_service import TEMPLATE
from tests.engine.test_goals import email


def ui(app, path: str = "") -> str:
    return f"{app.live.url}/sandbox/ui/apps/{app.name}{path}"


def test_an_advance_from_the_page_sends_a_campaigns_email_into_the_outbox_view(app, page):
    app.clock(time="2026-03-02T08:00:00", frozen=True)
    campaigns = Campaigns(app)
    campaigns.load({"name": "Welcome later", "goals": [{"key": "go", "type": "api_call", "call_name": "go"}],
                    "sequences": [{"key": "s", "items": [{"type": "delay_timer", "wait": 2, "unit": "days"},
                                                         email("Two days on")]}],
                    "links": [["go", "s"]]})
    cid = campaigns.contact("patient@example.com")
    app.call("FunnelService.achieveGoal", app.name, "go", cid)
    page.goto(ui(app, "/outbox"))
    expect(page.locator("#messages")).not_to_contain_text("Two days on")

    page.goto(ui(app))
    page.fill("input[name=by]", "3d")
    page.click("#advance")
    expect(page.locator(".flash.notice")).to_contain_text("now 2026-03-05T08:00:00")
    expect(page.locator("#app-now-text")).to_have_text("2026-03-05 08:00:00")
    page.click("nav.tabs >> text=Outbox")
    expect(page.locator("#messages")).to_contain_text("Two days on")
    expect(page.locator("#messages")).to_contain_text("patient@example.com")
    page.click("#messages >> text=Two days on")
    expect(page.locator("h1")).to_have_text("Two days on")


def test_a_call_made_with_xmlrpc_client_appears_in_the_live_journal(app, page):
    page.goto(ui(app, "/journal"))
    expect(page.locator("#journal-rows")).not_to_contain_text("ContactService.findByEmail")
    app.call("ContactService.findByEmail", "live@example.com", ["Id"])  # while the page is open, no reload
    expect(page.locator("#journal-rows")).to_contain_text("ContactService.findByEmail")
    page.click("#journal-rows >> text=ContactService.findByEmail")
    expect(page.locator("main")).to_contain_text("live@example.com")
    expect(page.locator("main")).to_contain_text("Throttle decision")


def test_a_fault_rule_set_in_the_page_makes_the_next_call_fail(app, page):
    page.goto(ui(app, "/tools"))
    page.fill("#new-fault input[name=method]", "ContactService.add")
    page.select_option("#new-fault select[name=action]", "xmlrpc_fault")
    page.select_option("#new-fault select[name=tag]", "RecordNotFound")
    page.fill("#new-fault input[name=message]", "Injected from the inspector")
    page.click("#set-fault")
    expect(page.locator(".flash.notice")).to_contain_text("set")
    expect(page.locator("#faults")).to_contain_text("ContactService.add")
    with pytest.raises(xmlrpc.client.Fault) as raised:
        app.call("ContactService.add", {"FirstName": "Nope"})
    assert "Injected from the inspector" in raised.value.faultString
    page.reload()
    expect(page.locator("#faults tbody tr").first).to_contain_text("1")  # it broke one call
    page.click("#faults >> text=Clear")
    expect(page.locator("#faults")).to_contain_text("No fault rules")
    assert app.call("ContactService.add", {"FirstName": "Yes"}) > 0


def test_a_snapshot_taken_and_restored_in_the_page_puts_a_deleted_contact_back(app, page):
    cid = app.call("ContactService.add", {"FirstName": "Keep", "LastName": "Me"})
    page.goto(ui(app, "/tools"))
    page.fill("#snapshots input[name=name]", "before-delete")
    page.click("#take-snapshot")
    expect(page.locator("#snapshots")).to_contain_text("before-delete")
    assert app.call("DataService.delete", "Contact", cid) is True
    with pytest.raises(xmlrpc.client.Fault, match="RecordNotFound"):
        app.call("DataService.load", "Contact", cid, ["FirstName"])  # gone
    page.click("#snapshots >> text=Restore")
    expect(page.locator(".flash.notice")).to_contain_text("snapshot before-delete restored")
    assert app.call("DataService.load", "Contact", cid, ["FirstName", "LastName"]) == {"FirstName": "Keep",
                                                                                       "LastName": "Me"}


@pytest.mark.parametrize("width", [1024, 1366])
def test_every_main_page_fits_a_laptops_width(app, page, width):
    """No page scrolls sideways at laptop widths (wide tables scroll inside their own box)."""
    page.set_viewport_size({"width": width, "height": 800})
    app.call("ContactService.add", {"FirstName": "Wide", "Email": "wide@example.com"})
    for path in ("", "/outbox", "/http-posts", "/contacts", "/campaigns", "/campaigns/1", "/journal", "/tools",
                 "/migration", "/email"):
        page.goto(ui(app, path))
        expect(page.locator("#app-now")).to_be_visible()  # the app's time, on every page
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path or '/'} is {overflow}px wider than {width}px"
    page.goto(f"{app.live.url}/sandbox/ui/")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_a_brownout_set_in_the_migration_page_makes_an_xmlrpc_call_fail(app, page):
    app.clock(time="2026-03-02T08:00:00", frozen=True)
    assert app.call("DataService.echo", "before") == "before"
    page.goto(ui(app, "/migration"))
    expect(page.locator("#calls")).to_contain_text("DataService.echo")  # the report counts it
    expect(page.locator("#xmlrpc-state")).to_contain_text("XML-RPC is on")
    page.fill("#schedule textarea[name=brownouts]", "2026-03-02T07:00:00 2h")
    page.click("#set-schedule")
    expect(page.locator(".flash.notice")).to_contain_text("XML-RPC is brownout")
    expect(page.locator("#xmlrpc-state")).to_contain_text("XML-RPC is in a brownout until 2026-03-02 09:00:00")
    with pytest.raises(xmlrpc.client.ProtocolError) as raised:
        app.call("DataService.echo", "during")
    assert raised.value.errcode == 404  # the default answer: a route with no proxy behind it
    page.click("nav.tabs >> text=Overview")
    page.fill("input[name=by]", "1h")
    page.click("#advance")
    page.click("nav.tabs >> text=Migration")
    expect(page.locator("#xmlrpc-state")).to_contain_text("XML-RPC is on")
    assert app.call("DataService.echo", "after") == "after"


def test_a_broadcast_scheduled_in_the_page_is_sent_by_an_advance_and_reports_its_skips(app, page):
    app.clock(time="2026-07-01T08:00:00", frozen=True)
    template_id = app.call("APIEmailService.addEmailTemplate", *TEMPLATE)
    fine = app.call("ContactService.add", {"FirstName": "Fay", "Email": "fine@example.com"})
    app.call("APIEmailService.optIn", "fine@example.com", "test")
    gone = app.call("ContactService.add", {"FirstName": "Gus", "Email": "gone@example.com"})
    app.call("APIEmailService.optOut", "gone@example.com", "bye")
    tag_id = _tag(app, "Browser news", [fine, gone])
    page.goto(ui(app, "/email"))
    form = page.locator("#new-broadcast")
    form.locator("input[name=name]").fill("Browser news")
    form.locator("input[name=template_id]").fill(str(template_id))
    form.locator("input[name=tag_id]").fill(str(tag_id))
    form.locator("input[name=send_at]").fill("2026-07-01T18:00:00")
    page.click("#schedule-broadcast")
    expect(page.locator(".flash.notice")).to_contain_text("broadcast Browser news scheduled")
    expect(page.locator("#report")).to_have_count(0)  # not sent yet
    page.click("nav.tabs >> text=Overview")
    page.fill("input[name=by]", "12h")
    page.click("#advance")
    expect(page.locator(".flash.notice")).to_contain_text("now 2026-07-01T20:00:00")
    page.click("nav.tabs >> text=Email")
    page.click("#broadcast-list >> text=Browser news")
    expect(page.locator("#report")).to_contain_text("1 sent of 2")
    expect(page.locator("#skipped")).to_contain_text("gone@example.com")
    expect(page.locator("#skipped")).to_contain_text("opted out")
    expect(page.locator("#skipped")).not_to_contain_text("fine@example.com")


def test_a_long_advance_from_the_page_shows_its_progress_then_what_ran(app, page):
    app.clock(time="2026-06-01T08:00:00", frozen=True)
    page.goto(ui(app))
    page.fill("input[name=by]", "30d")  # longer than a week: in the background
    page.click("#advance")
    expect(page.locator("#advance-progress")).to_be_visible()
    # ready at once, or once the page has followed it (it reloads when the advance is done)
    expect(page.locator("#advance-done")).to_contain_text("Ready: now 2026-07-01 08:00:00")
    expect(page.locator("#app-now-text")).to_have_text("2026-07-01 08:00:00")


@pytest.fixture
def evil_site(tmp_path):
    """A page of another origin, served for real on a free port of this machine (audit-ui §1)."""
    import functools
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield tmp_path, server.server_port
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])  # cross-site, and same-site on another port
def test_a_page_of_another_origin_cannot_post_the_inspectors_forms(app, page, evil_site, host):
    folder, port = evil_site
    before = app.live.control("GET", f"/apps/{app.name}").json()["legacy_api_key"]
    (folder / "evil.html").write_text(
        f'<form id=f method=post action="{ui(app, "/legacy-key")}"><input name=key value="attacker-chosen-key-123">'
        "</form><script>document.getElementById('f').submit()</script>")
    with page.expect_navigation(url=f"{app.live.url}/**"):
        page.goto(f"http://{host}:{port}/evil.html")
    expect(page.locator("main")).to_contain_text("another origin")
    assert app.live.control("GET", f"/apps/{app.name}").json()["legacy_api_key"] == before
    page.goto(ui(app))  # the page's own form still works
    page.fill("input[name=key]", f"chosen-{app.name}")
    page.click("button:has-text(\"Rotate\")")
    expect(page.locator(".flash.notice")).to_contain_text(f"the legacy key is now chosen-{app.name}")


def test_an_internationalized_addresss_status_is_set_from_the_email_page(app, page):
    app.call("ContactService.add", {"FirstName": "Zoë", "Email": "zoë@exämple.com"})
    page.goto(ui(app, "/email"))
    page.fill("#set-address input[name=email]", "zoë@exämple.com")
    page.click("#opt-out")
    expect(page.locator(".flash")).to_contain_text("zoë@exämple.com")
    status = app.live.control("GET", f"/apps/{app.name}/email/addresses/zoë@exämple.com").json()
    assert status["status"] == "Admin", status


def test_every_form_field_is_named_and_no_page_asks_for_a_missing_icon(app, page):
    failed = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    for path in ("/campaigns", "/tools", "/migration", "/email", "/outbox", "/contacts", ""):
        page.goto(ui(app, path))
        page.wait_for_load_state("networkidle")
        unnamed = page.evaluate("""[...document.querySelectorAll('textarea, input:not([type=hidden]), select')]
            .filter(e => !e.labels.length && !e.getAttribute('aria-label')).map(e => e.name)""")
        assert unnamed == [], f"{path or '/'}: {unnamed}"
        assert "webforms.md" not in page.content() and "faults.md" not in page.content()
    assert failed == []
