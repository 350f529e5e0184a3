"""Screenshots of the inspector's main pages for docs/inspector.md: ``python -m server.inspector.screenshots
[OUT_DIR]`` (docs/img by default) starts a sandbox in a temporary directory on 127.0.0.1, gives an app a little
life (a campaign email, some calls, a fault rule, a snapshot, a broadcast, the keap-2026 retirement preset) and
photographs each page in headless Chromium (Debian's, at /usr/bin/chromium; Playwright's Python package drives it)."""
from __future__ import annotations

import os
import sys
import tempfile
import threading
import xmlrpc.client
from pathlib import Path

import requests
from werkzeug.serving import make_server

from server.app import create_app
from server.config import from_env

CHROMIUM = os.environ.get("SANDBOX_CHROMIUM", "/usr/bin/chromium")
PAGES = [("apps", ""), ("app", "/apps/demo"), ("outbox", "/apps/demo/outbox"), ("message", "/apps/demo/outbox/{mid}"),
         ("journal", "/apps/demo/journal"), ("call", "/apps/demo/journal/{jid}"), ("tools", "/apps/demo/tools"),
         ("contacts", "/apps/demo/contacts"), ("contact", "/apps/demo/contacts/{cid}"),
         ("campaign", "/apps/demo/campaigns/{campaign}"), ("deliveries", "/apps/demo/http-posts"),
         ("migration", "/apps/demo/migration"), ("email", "/apps/demo/email"),
         ("broadcast", "/apps/demo/broadcasts/{broadcast}")]

FULL_PAGE = ("app", "tools", "migration", "email")


def _serve(data_dir: str):
    app = create_app(from_env(data_dir=data_dir, tick_seconds=0, seed_on_start=False, admin_token=None))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return app, server, f"http://127.0.0.1:{server.server_port}"


def _demo(url: str) -> dict:
    """An app with something in each page."""
    control = requests.Session()
    control.headers["Content-Type"] = "application/json"
    key = control.post(url + "/sandbox/apps", json={"name": "demo"}, timeout=60).json()["legacy_api_key"]
    control.post(url + "/sandbox/apps/demo/clock", json={"time": "2026-03-02T08:00:00", "frozen": True}, timeout=60)
    campaign = control.post(url + "/sandbox/apps/demo/campaigns", params={"publish": "1"}, timeout=60, json={
        "name": "Welcome", "goals": [{"key": "go", "type": "api_call", "call_name": "go"}],
        "sequences": [{"key": "s", "items": [
            {"type": "email", "name": "Welcome", "subject": "Welcome aboard, ~Contact.FirstName~",
             "html": "<h1>Welcome aboard</h1><p>Glad to have you, ~Contact.FirstName~.</p>", "text": "Welcome aboard"},
            {"type": "delay_timer", "wait": 2, "unit": "days"},
            {"type": "email", "name": "Two days on", "subject": "How is it going?", "text": "Two days on"}]}],
        "links": [["go", "s"]]}).json()["id"]
    api = xmlrpc.client.ServerProxy(url + "/api/xmlrpc")
    cids = []
    for first, address in (("Ada", "ada@example.com"), ("Grace", "grace@example.com")):
        cid = api.ContactService.add(key, {"FirstName": first, "Email": address})
        api.APIEmailService.optIn(key, address, "screenshots")
        api.FunnelService.achieveGoal(key, "demo", "go", cid)
        cids.append(cid)
    cids.append(api.ContactService.add(key, {"FirstName": "Lin", "Email": "lin@example.com"}))  # never opted in
    template = api.APIEmailService.addEmailTemplate(key, "Spring news", "News", "news@example.com", "~Contact.Email~",
                                                    "", "", "Spring news, ~Contact.FirstName~", "What is new",
                                                    "<p>What is new</p>", "Multipart", "Contact")
    broadcast = control.post(url + "/sandbox/apps/demo/broadcasts", timeout=60, json={
        "name": "Spring news", "template_id": template, "contact_ids": cids}).json()["id"]
    api.ContactService.findByEmail(key, "ada@example.com", ["Id", "FirstName"])
    control.post(url + "/sandbox/apps/demo/faults", timeout=60, json={
        "name": "flaky adds", "match": {"method": "ContactService.add"}, "action": {"type": "http", "status": 503},
        "first": 1})
    control.post(url + "/sandbox/apps/demo/snapshots", json={"name": "clean"}, timeout=60)
    control.put(url + "/sandbox/apps/demo/retirement", json={"xmlrpc": {"preset": "keap-2026"}}, timeout=60)
    messages = control.get(url + "/sandbox/apps/demo/outbox", timeout=60).json()["messages"]
    entries = control.get(url + "/sandbox/apps/demo/journal", timeout=60).json()["entries"]
    return {"mid": messages[0]["id"], "jid": entries[0]["id"], "cid": messages[0]["contact_id"], "campaign": campaign,
            "broadcast": broadcast}


def main(argv: list[str]) -> int:
    try:
        from playwright.sync_api import sync_playwright  # noqa: PLC0415 (a test extra, asked for only here)
    except ImportError:
        print("screenshots need Playwright's Python package: pip install -e '.[test]'", file=sys.stderr)
        return 1
    out = Path(argv[0] if argv else "docs/img")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as data_dir:
        app, server, url = _serve(data_dir)
        try:
            ids = _demo(url)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                for name, path in PAGES:
                    page.goto(url + "/sandbox/ui" + path.format(**ids))
                    page.screenshot(path=str(out / f"inspector-{name}.png"), full_page=name in FULL_PAGE)
                    print(f"wrote {out / f'inspector-{name}.png'}")
                browser.close()
        finally:
            server.shutdown()
            app.extensions["sandbox"].heartbeat.stop()
            app.extensions["sandbox"].engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
